//! Loads and calls written the way a C host writes them, as the baselines
//! of the typed API: `dlopen`/`dlsym` and the descriptor read by hand, a raw
//! function pointer taken from the vtable, a `tenon_buffer` for errors on
//! the stack, and one output buffer (grown with `realloc`) reused by every
//! call. Nothing here validates more than a careful C host would: the
//! status, and the ABI major at load.

use core::ffi::{c_char, c_int, c_void, CStr};
use tenon::sys::{
    tenon_buffer, tenon_bytes, tenon_host, tenon_plugin_descriptor, tenon_status, tenon_str,
    TENON_ABI_MAJOR, TENON_ABI_MINOR, TENON_OK, TENON_OUT_OF_MEMORY,
};

extern "C" {
    fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn dlopen(path: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlclose(handle: *mut c_void) -> c_int;
}

/// The flags `libloading::Library::new` (and so `tenon::Plugin::load`)
/// passes, so both sides ask the loader for the same work.
const RTLD_LAZY: c_int = 1;
#[cfg(target_os = "macos")]
const RTLD_LOCAL: c_int = 4;
#[cfg(not(target_os = "macos"))]
const RTLD_LOCAL: c_int = 0;

/// The `reserve` of a C host's buffers: `realloc`, at least doubling.
unsafe extern "C" fn reserve(buffer: *mut tenon_buffer, additional: usize) -> tenon_status {
    // SAFETY: installed only in buffers of this module, lent to one call.
    let buffer = unsafe { &mut *buffer };
    let Some(needed) = buffer.len.checked_add(additional) else {
        return TENON_OUT_OF_MEMORY;
    };
    if needed <= buffer.capacity {
        return TENON_OK;
    }
    let capacity = needed.max(buffer.capacity * 2).max(64);
    // SAFETY: `data` is NULL or came from this `realloc`.
    let data = unsafe { realloc(buffer.data.cast(), capacity) };
    if data.is_null() {
        return TENON_OUT_OF_MEMORY;
    }
    buffer.data = data.cast();
    buffer.capacity = capacity;
    TENON_OK
}

/// An empty buffer, as a C host declares one on the stack.
#[inline(always)]
fn empty_buffer() -> tenon_buffer {
    tenon_buffer {
        data: core::ptr::null_mut(),
        len: 0,
        capacity: 0,
        reserve: Some(reserve),
        host_data: core::ptr::null_mut(),
    }
}

/// After a call: a failure is reported (a bench never expects one), and the
/// error buffer is freed if the plugin wrote into it.
#[inline(always)]
fn finish(status: tenon_status, error: &mut tenon_buffer) {
    if status != TENON_OK {
        failed(status, error);
    }
    if !error.data.is_null() {
        // SAFETY: came from `reserve`'s `realloc`.
        unsafe { free(error.data.cast()) };
    }
}

#[cold]
#[inline(never)]
fn failed(status: tenon_status, error: &tenon_buffer) -> ! {
    let message = if error.data.is_null() {
        String::new()
    } else {
        // SAFETY: the plugin wrote `len` bytes below `capacity`.
        let bytes = unsafe { core::slice::from_raw_parts(error.data, error.len) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    panic!("a baseline call failed with status {status}: {message}");
}

/// An output buffer that lives across calls, as a C host keeps one.
pub struct OutBuffer {
    raw: tenon_buffer,
}

impl OutBuffer {
    /// An empty buffer; the first call grows it.
    pub fn new() -> Self {
        OutBuffer {
            raw: empty_buffer(),
        }
    }

    /// The buffer emptied for the next call.
    #[inline(always)]
    fn reset(&mut self) -> *mut tenon_buffer {
        self.raw.len = 0;
        &mut self.raw
    }

    /// What the last call wrote.
    #[inline(always)]
    pub fn bytes(&self) -> &[u8] {
        if self.raw.len == 0 {
            return &[];
        }
        // SAFETY: the plugin wrote `len` bytes into this allocation.
        unsafe { core::slice::from_raw_parts(self.raw.data, self.raw.len) }
    }
}

impl Drop for OutBuffer {
    fn drop(&mut self) {
        // SAFETY: NULL or from `reserve`'s `realloc`.
        unsafe { free(self.raw.data.cast()) };
    }
}

/// A vtable and instance as a C host holds them: two raw pointers.
pub struct Target<V> {
    vtable: *const V,
    instance: *mut c_void,
}

impl<V> Target<V> {
    /// The pointers of a verified typed handle.
    pub fn of<I>(client: &tenon::Client<I>) -> Self
    where
        I: ?Sized + tenon::Interface<Vtable = V>,
    {
        Target {
            vtable: client.vtable(),
            instance: client.instance_ptr(),
        }
    }

    #[inline(always)]
    fn vtable(&self) -> &V {
        // SAFETY: from a verified handle that outlives every call of the bench.
        unsafe { &*self.vtable }
    }
}

#[inline(always)]
fn str_arg(text: &str) -> tenon_str {
    tenon_str {
        ptr: text.as_ptr().cast(),
        len: text.len(),
    }
}

use tenon_example_interfaces::sys::{example_greeter_v1, example_kv_v1, example_processor_v1};

/// `kv->len(instance, &count, &error)`.
#[inline(always)]
pub fn kv_len(kv: &Target<example_kv_v1>) -> u64 {
    let mut count = 0u64;
    let mut error = empty_buffer();
    // SAFETY: a verified slot, its instance, and buffers that outlive the call.
    let status =
        unsafe { (kv.vtable().len.unwrap_unchecked())(kv.instance, &mut count, &mut error) };
    finish(status, &mut error);
    count
}

/// `kv->get(instance, key, &out, &error)` into a reused buffer.
#[inline(always)]
pub fn kv_get<'o>(kv: &Target<example_kv_v1>, key: &str, out: &'o mut OutBuffer) -> &'o [u8] {
    let mut error = empty_buffer();
    // SAFETY: as in `kv_len`.
    let status = unsafe {
        (kv.vtable().get.unwrap_unchecked())(kv.instance, str_arg(key), out.reset(), &mut error)
    };
    finish(status, &mut error);
    out.bytes()
}

/// `greeter->greet(instance, name, &out, &error)` into a reused buffer.
#[inline(always)]
pub fn greet<'o>(
    greeter: &Target<example_greeter_v1>,
    name: &str,
    out: &'o mut OutBuffer,
) -> &'o [u8] {
    let mut error = empty_buffer();
    // SAFETY: as in `kv_len`.
    let status = unsafe {
        (greeter.vtable().greet.unwrap_unchecked())(
            greeter.instance,
            str_arg(name),
            out.reset(),
            &mut error,
        )
    };
    finish(status, &mut error);
    out.bytes()
}

/// `processor->process(instance, input, &out, &error)` into a reused buffer.
#[inline(always)]
pub fn process<'o>(
    processor: &Target<example_processor_v1>,
    input: &[u8],
    out: &'o mut OutBuffer,
) -> &'o [u8] {
    let mut error = empty_buffer();
    let input = tenon_bytes {
        ptr: input.as_ptr(),
        len: input.len(),
    };
    // SAFETY: as in `kv_len`.
    let status = unsafe {
        (processor.vtable().process.unwrap_unchecked())(
            processor.instance,
            input,
            out.reset(),
            &mut error,
        )
    };
    finish(status, &mut error);
    out.bytes()
}

unsafe extern "C" fn log(_host: *const tenon_host, _level: i32, _message: tenon_str) {}

unsafe extern "C" fn get_interface(
    _host: *const tenon_host,
    _id: tenon_str,
    _version: u32,
    out_instance: *mut *mut c_void,
) -> *const c_void {
    if !out_instance.is_null() {
        // SAFETY: the plugin passes a pointer it owns.
        unsafe { *out_instance = core::ptr::null_mut() };
    }
    core::ptr::null()
}

/// What a C host does to use a plugin once: `dlopen`, `dlsym` the entry,
/// check the ABI major, find the interface by id, `create`, then `ready`
/// (the instance is usable), `destroy`, `dlclose`. Panics on any failure.
pub fn load_use_unload(path: &CStr, interface_id: &CStr, ready: impl FnOnce()) {
    let host = tenon_host {
        struct_size: core::mem::size_of::<tenon_host>() as u32,
        abi_major: TENON_ABI_MAJOR,
        abi_minor: TENON_ABI_MINOR,
        host_data: core::ptr::null_mut(),
        log: Some(log),
        get_interface: Some(get_interface),
    };
    // SAFETY: the benchmark's own plugins, trusted as a C host trusts its
    // plugins; every pointer read below comes from their static descriptor.
    unsafe {
        let library = dlopen(path.as_ptr(), RTLD_LAZY | RTLD_LOCAL);
        assert!(!library.is_null(), "dlopen {path:?} failed");
        let entry = dlsym(library, c"tenon_plugin_v1".as_ptr());
        assert!(!entry.is_null(), "no entry symbol in {path:?}");
        let entry: unsafe extern "C" fn() -> *const tenon_plugin_descriptor =
            core::mem::transmute(entry);
        let descriptor = &*entry();
        assert_eq!(descriptor.abi_major, TENON_ABI_MAJOR);
        let found = (0..descriptor.interface_count as usize)
            .map(|i| &**descriptor.interfaces.add(i))
            .any(|interface| CStr::from_ptr(interface.id) == interface_id);
        assert!(found, "{path:?} lacks {interface_id:?}");
        let mut instance = core::ptr::null_mut();
        let mut error = empty_buffer();
        let status =
            (descriptor.create.unwrap_unchecked())(&host, str_arg(""), &mut instance, &mut error);
        finish(status, &mut error);
        ready();
        (descriptor.destroy.unwrap_unchecked())(instance);
        assert_eq!(dlclose(library), 0, "dlclose {path:?} failed");
    }
}
