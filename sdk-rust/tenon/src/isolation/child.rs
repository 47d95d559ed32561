//! The child's side: what [`init`](super::init) runs in a process started
//! as a plugin's child. It guards against outliving the host, loads and
//! verifies the plugin as `Plugin::load` does (from the descriptor it was
//! sent), answers the handshake and serves the slots, one thread per slot.

use super::frame::{self, Reader, Writer};
use super::interest::{log_bit, LOOKUPS};
use super::platform::{self, ChildChannel};
use super::process::{escape, LOG_PREFIX, LOOKUP_PREFIX, UNCARRIED_PREFIX};
use super::shm::{op, state, Area, Shm, Slot, CHILD_ASLEEP, ERROR_AREA, HOST_ASLEEP};
use super::wait::{publish, wait_while};
use crate::sys::{self, tenon_buffer, tenon_host, tenon_log_level, tenon_status, tenon_str};
use crate::verify::{CreateFn, DestroyFn};
use crate::{HostServices, Plugin};
use core::ffi::c_void;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;
use tenon_interface::{Declared, ProxyInstance, Remote, Status, VtableRefusal, WireArg};

/// Everything the slot threads share.
struct Child {
    shm: Shm,
    linger: Duration,
    create: CreateFn,
    destroy: DestroyFn,
    /// The plugin's vtables by (id, version), as verified at load.
    offered: Vec<(String, u32, usize)>,
    /// The host services offered (id, version).
    services: Vec<(String, u32)>,
    /// Interfaces looked up by the host: their declaration and vtable.
    interfaces: RwLock<Vec<(&'static Declared, usize)>>,
    /// Live instances by id (their pointers, as integers).
    instances: RwLock<Vec<Option<usize>>>,
    /// Proxies for host services, made once each and kept.
    proxies: Mutex<Vec<(String, u32, usize)>>,
    /// Keeps the library loaded.
    _plugin: Plugin,
}

static CHILD: OnceLock<Child> = OnceLock::new();
/// The `tenon_host` table every instance gets.
static HOST_TABLE: OnceLock<usize> = OnceLock::new();

thread_local! {
    /// The slot this thread serves, for callbacks made during its call.
    static CURRENT_SLOT: Cell<Option<usize>> = const { Cell::new(None) };
    /// A reusable encoding buffer for callbacks.
    static CALLBACK_BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The areas of the call this thread serves and what their `reserve`
    /// refused, so that the reply can say why a result or an error message
    /// did not fit.
    static REFUSED: Cell<Refused> = const { Cell::new(Refused::new(0, 0)) };
}

/// The two areas of a call's reply, known by where their data starts
/// (compared, never read), and the growth `reserve` refused them for lack
/// of room.
#[derive(Clone, Copy)]
struct Refused {
    result_area: usize,
    error_area: usize,
    /// The size the plugin last asked the result to grow to: a result that
    /// does not fit the slot fails in the plugin's own words, to which the
    /// reply adds why.
    result_wanted: Option<usize>,
    /// Whether the error message asked for more room than the area has.
    error: bool,
}

impl Refused {
    const fn new(result_area: usize, error_area: usize) -> Self {
        Refused {
            result_area,
            error_area,
            result_wanted: None,
            error: false,
        }
    }
}

/// Runs the child; never returns.
pub(crate) fn main() -> ! {
    match run() {
        Ok(()) => loop {
            std::thread::park();
        },
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "tenon isolation child: {message}");
            std::process::exit(101)
        }
    }
}

fn run() -> Result<(), String> {
    let mut control = platform::child_begin(super::PARENT_ENV)?;
    let setup = control.receive_setup()?;
    let mut reader = Reader::new(&setup);
    let bad = || "setup: malformed".to_owned();
    let protocol = reader.u32().ok_or_else(bad)?;
    let version = reader.str().ok_or_else(bad)?;
    if protocol != super::PROTOCOL || version != super::BUILD {
        let message = format!(
            "the runner speaks isolation protocol {} of tenon {}, the host protocol {protocol} of tenon {version}; rebuild the runner against the host's tenon",
            super::PROTOCOL,
            super::BUILD
        );
        refuse(&control, "isolation_failed", &message);
    }
    let path = PathBuf::from(reader.str().ok_or_else(bad)?);
    let linger = Duration::from_nanos(reader.u64().ok_or_else(bad)?);
    let memory_limit = reader.u64().ok_or_else(bad)?;
    let count = reader.u32().ok_or_else(bad)?;
    let mut services = Vec::new();
    for _ in 0..count {
        let id = reader.str().ok_or_else(bad)?.to_owned();
        services.push((id, reader.u32().ok_or_else(bad)?));
    }
    // A service this program cannot proxy is NULL for the plugin, as if the
    // host offered nothing: tell the host, whose log says why (once, not at
    // every load or restart: `process::uncarried`).
    for (id, version) in &services {
        if let Err(why) = tenon_interface::declared(id, *version) {
            let line = format!(
                "{UNCARRIED_PREFIX}{version}:{}\t{}\n",
                escape(id),
                escape(&why.to_string())
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }
    let (opened, mapping, wakes) = control.take_resources(&mut reader)?;
    let shm = Shm::open(mapping, wakes).map_err(|e| format!("shared memory: {e}"))?;
    if memory_limit > 0 && !platform::HOST_LIMITS_MEMORY {
        platform::limit_memory(memory_limit);
    }
    // Loads and verifies as `Plugin::load` does. The host has already read
    // this very file whole (`Plugin::load_opened_sized`), so only the checks
    // that guard this process's loader run again, on what it maps.
    let loaded = Plugin::load_local(&path, opened, &HostServices::new());
    let plugin = match loaded {
        Ok(plugin) => plugin,
        Err(error) => {
            refuse(&control, error.kind(), &error.to_string());
        }
    };
    let mut hello = Writer::default();
    hello.u32(0);
    encode_info(&mut hello, plugin.info());
    let (offered, create, destroy) = plugin.local_parts().expect("loaded in process");
    let offered = offered
        .iter()
        .map(|o| (o.info.id.clone(), o.info.version, o.vtable as usize))
        .collect();
    let child = Child {
        shm,
        linger,
        create,
        destroy,
        offered,
        services,
        interfaces: RwLock::new(Vec::new()),
        instances: RwLock::new(Vec::new()),
        proxies: Mutex::new(Vec::new()),
        _plugin: plugin,
    };
    let slots = child.shm.slots();
    if CHILD.set(child).is_err() {
        return Err("the child was started twice".to_owned());
    }
    for index in 0..slots {
        std::thread::Builder::new()
            .name(format!("tenon-slot-{index}"))
            .spawn(move || serve_slot(index))
            .map_err(|e| format!("cannot start a slot thread: {e}"))?;
    }
    control
        .send(&hello.bytes)
        .map_err(|e| format!("handshake: {e}"))?;
    control
        .watchdog()
        .map_err(|e| format!("cannot start the watchdog: {e}"))?;
    Ok(())
}

/// Answers the handshake with a load error, then lets the host end us.
fn refuse(control: &ChildChannel, kind: &str, message: &str) -> ! {
    let mut no = Writer::default();
    no.u32(1).str(kind).str(message);
    let _ = control.send(&no.bytes);
    control.wait_for_close_and_exit()
}

/// Encodes the plugin's metadata for the handshake.
fn encode_info(into: &mut Writer, info: &crate::PluginInfo) {
    into.str(&info.name)
        .str(&info.version.to_string())
        .u32(u32::from(info.description.is_some()))
        .str(info.description.as_deref().unwrap_or(""))
        .u32(u32::from(info.abi.major))
        .u32(u32::from(info.abi.minor))
        .u64(info.flags)
        .u32(info.interfaces.len() as u32);
    for interface in &info.interfaces {
        into.str(&interface.id)
            .u32(interface.version)
            .u32(interface.vtable_size);
    }
}

/// One slot's thread: wait for a request (lingering after each reply),
/// serve it, reply.
fn serve_slot(index: usize) {
    let child = CHILD.get().expect("set before the slot threads start");
    let slot = child.shm.slot(index);
    CURRENT_SLOT.with(|current| current.set(Some(index)));
    // No linger before the first request: spinning every slot at start
    // would only slow the handshake down.
    let mut linger = Duration::ZERO;
    loop {
        let seen = wait_while(&slot, CHILD_ASLEEP, |s| s != state::REQUEST, linger, None);
        linger = child.linger;
        if seen != Some(state::REQUEST) {
            continue;
        }
        serve(child, &slot);
        publish(&slot, HOST_ASLEEP, state::REPLY);
    }
}

/// A `tenon_buffer` over part of a slot's reply area: it never moves, and
/// refuses to grow past the area.
struct AreaBuffer {
    raw: tenon_buffer,
}

impl AreaBuffer {
    fn new(data: *mut u8, capacity: usize) -> Self {
        AreaBuffer {
            raw: tenon_buffer {
                data,
                len: 0,
                capacity,
                reserve: Some(reserve_in_area),
                host_data: capacity as *mut c_void,
            },
        }
    }

    /// The bytes written, if the plugin kept the bookkeeping intact.
    fn written(&self, data: *mut u8, capacity: usize) -> Option<usize> {
        (self.raw.data == data && self.raw.capacity == capacity && self.raw.len <= capacity)
            .then_some(self.raw.len)
    }
}

unsafe extern "C" fn reserve_in_area(buffer: *mut tenon_buffer, additional: usize) -> tenon_status {
    if buffer.is_null() {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: the plugin passes back the buffer it was lent for this call.
    let buffer = unsafe { &*buffer };
    if buffer.len > buffer.capacity || buffer.capacity != buffer.host_data as usize {
        return Status::INVALID_ARGUMENT.0;
    }
    if buffer.capacity - buffer.len >= additional {
        Status::OK.0
    } else {
        REFUSED.with(|refused| {
            let mut now = refused.get();
            if buffer.data as usize == now.result_area {
                now.result_wanted = Some(buffer.len.saturating_add(additional));
            } else if buffer.data as usize == now.error_area {
                now.error = true;
            }
            refused.set(now);
        });
        Status::OUT_OF_MEMORY.0
    }
}

/// Said in place of an error message that did not fit and left nothing:
/// a plugin that appends its message whole (not through `tenon_fail` or
/// the Rust SDK, which keep the start that fits) would otherwise fail
/// without a word.
fn message_too_long() -> String {
    format!(
        "(the plugin's error message was longer than the {} KiB an isolated call carries, and was dropped)",
        ERROR_AREA >> 10
    )
}

/// Serves the request in `slot`, writing the status and reply lengths.
fn serve(child: &Child, slot: &Slot<'_>) {
    let header = slot.header;
    let (request, request_size) = slot.area_ptr(Area::Request);
    let request_len = (header.request_len.load(Ordering::Acquire) as usize).min(request_size);
    // SAFETY: the request area is the host's to write and ours to read
    // until we reply; the host writes nothing there while the call runs.
    let request = unsafe { core::slice::from_raw_parts(request, request_len) };
    let (reply, reply_size) = slot.area_ptr(Area::Reply);
    let out_capacity = reply_size - ERROR_AREA;
    // SAFETY: the error area is the last ERROR_AREA bytes of the reply area.
    let error_data = unsafe { reply.add(out_capacity) };
    let mut out = AreaBuffer::new(reply, out_capacity);
    let mut error = AreaBuffer::new(error_data, ERROR_AREA);
    REFUSED.with(|refused| refused.set(Refused::new(reply as usize, error_data as usize)));
    let target = header.target.load(Ordering::Relaxed);
    let status = match header.op.load(Ordering::Relaxed) {
        op::CALL => call(
            child,
            target,
            header.method.load(Ordering::Relaxed),
            request,
            &mut out.raw,
            &mut error.raw,
        ),
        op::CREATE => create(child, request, &mut out.raw, &mut error.raw),
        op::DESTROY => destroy(child, target),
        op::PING => Status::OK.0,
        op::INTERFACE => interface(child, request, &mut out.raw, &mut error.raw),
        _ => message(
            &mut error.raw,
            "unknown request",
            Status::INVALID_ARGUMENT.0,
        ),
    };
    let refused = REFUSED.with(Cell::get);
    if status != Status::OK.0 && refused.error && error.written(error_data, ERROR_AREA) == Some(0) {
        let _ = message(&mut error.raw, &message_too_long(), status);
    }
    if status != Status::OK.0 && error.written(error_data, ERROR_AREA).is_none() {
        // A failure whose message buffer the plugin corrupted: its bytes
        // cannot be trusted, so the message is the one a host gives for
        // such a buffer in process (the detail recorded on this thread
        // meanwhile is never read).
        error = AreaBuffer::new(error_data, ERROR_AREA);
        // SAFETY: `error` is this call's buffer, just made whole again.
        let _ = unsafe { tenon_interface::remote::report_invalid_output(&mut error.raw) };
    }
    if let (Some(wanted), false) = (refused.result_wanted, status == Status::OK.0) {
        message(
            &mut error.raw,
            &format!(
                " (the result needed at least {wanted} bytes, more than the {out_capacity} bytes a slot carries: Isolation::slot_size; tenon_options_slots in C)"
            ),
            status,
        );
    }
    let out_len = out.written(reply, out_capacity);
    let error_len = error.written(error_data, ERROR_AREA).unwrap_or(0);
    // As in process: a failure is the plugin's own, whatever it left in
    // its output; a success whose output cannot be trusted is reported by
    // the host as `invalid_output`, and nothing of it is sent.
    let (status, out_len, error_len, corrupted) = match out_len {
        Some(len) => (status, len, error_len, false),
        None if status == Status::OK.0 => (Status::ERROR.0, 0, 0, true),
        None => (status, 0, error_len, false),
    };
    header.out_len.store(out_len as u64, Ordering::Relaxed);
    header.error_len.store(error_len as u64, Ordering::Relaxed);
    header
        .out_corrupted
        .store(u32::from(corrupted), Ordering::Relaxed);
    header.status.store(status as u32, Ordering::Relaxed);
}

/// Appends `text` to `error` and gives `status`.
fn message(error: *mut tenon_buffer, text: &str, status: tenon_status) -> tenon_status {
    // SAFETY: `error` is an `AreaBuffer` of this call.
    let _ = unsafe { tenon_interface::append(error, text.as_bytes()) };
    status
}

fn call(
    child: &Child,
    target: u64,
    method: u32,
    request: &[u8],
    out: *mut tenon_buffer,
    error: *mut tenon_buffer,
) -> tenon_status {
    let iface = (target >> 32) as usize;
    let instance = (target & 0xffff_ffff) as usize;
    let Some((declared, vtable)) = child
        .interfaces
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(iface)
        .copied()
    else {
        return message(error, "unknown interface", Status::INVALID_ARGUMENT.0);
    };
    let Some(Some(instance)) = child
        .instances
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(instance)
        .copied()
    else {
        return message(error, "unknown instance", Status::INVALID_ARGUMENT.0);
    };
    let mut reader = Reader::new(request);
    let Some(count) = reader.u64() else {
        return message(error, "malformed call", Status::INVALID_ARGUMENT.0);
    };
    let args = match frame::parse_args(&request[8..], count.min(64) as usize) {
        Ok(args) => args,
        Err(why) => return message(error, why, Status::INVALID_ARGUMENT.0),
    };
    // SAFETY: `vtable` was verified for `declared` (INTERFACE), the
    // instance is live (the host destroys it only with no call in flight),
    // `dispatch` checks the method and the arguments' kinds; the buffers
    // are this call's.
    unsafe {
        declared.dispatch(
            vtable as *const c_void,
            instance as *mut c_void,
            method,
            &args,
            out,
            error,
        )
    }
}

fn create(
    child: &Child,
    request: &[u8],
    out: *mut tenon_buffer,
    error: *mut tenon_buffer,
) -> tenon_status {
    let Ok(config) = core::str::from_utf8(request) else {
        return message(error, "the config is not UTF-8", Status::INVALID_ARGUMENT.0);
    };
    let mut instance: *mut c_void = core::ptr::null_mut();
    let config = tenon_str {
        ptr: config.as_ptr().cast(),
        len: config.len(),
    };
    // SAFETY: `create` was verified non-NULL at load; the host table is
    // static, the config and buffers live for the call.
    let status = unsafe { (child.create)(host_table(), config, &mut instance, error) };
    if Status(status).is_fault() {
        // Only the host that carries the request reports a fault, as for
        // a method call (`tenon_interface::remote::dispatch`).
        let note = format!(
            " (the plugin returned {}, a status only hosts report; reported as error)",
            Status(status)
        );
        return message(error, &note, Status::ERROR.0);
    }
    if status != Status::OK.0 {
        return status;
    }
    let mut instances = child.instances.write().unwrap_or_else(|e| e.into_inner());
    let id = instances.len() as u32;
    instances.push(Some(instance as usize));
    // SAFETY: `out` is this call's buffer.
    let _ = unsafe { tenon_interface::append(out, &id.to_le_bytes()) };
    Status::OK.0
}

fn destroy(child: &Child, target: u64) -> tenon_status {
    let taken = child
        .instances
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(target as usize)
        .and_then(Option::take);
    if let Some(instance) = taken {
        // SAFETY: exactly once per created instance (taken out of the table).
        unsafe { (child.destroy)(instance as *mut c_void) };
    }
    Status::OK.0
}

/// Looks an interface up and verifies the plugin's vtable for it. Status
/// 0: `out` has its index; 1: a NULL method, named in `error`; 2: not
/// declared in this program; 3: anything else, in `error`.
fn interface(
    child: &Child,
    request: &[u8],
    out: *mut tenon_buffer,
    error: *mut tenon_buffer,
) -> tenon_status {
    let mut reader = Reader::new(request);
    let (Some(version), Some(id)) = (reader.u32(), reader.str()) else {
        return message(error, "malformed lookup", 3);
    };
    let Some(&(_, _, vtable)) = child
        .offered
        .iter()
        .find(|(i, v, _)| i == id && *v == version)
    else {
        return message(error, "not offered", 3);
    };
    let Ok(declared) = tenon_interface::declared(id, version) else {
        return 2;
    };
    // The host's method count (absent from an older host: all of ours).
    let host_methods = reader.u32().map_or(usize::MAX, |count| count as usize);
    // SAFETY: the plugin offers this id and version; its vtable starts with
    // its struct_size (verified at load) and lives as long as the library.
    match unsafe { declared.verify(vtable as *const c_void) } {
        Ok(()) => {}
        // Slots are checked in order, so every slot before this one is
        // set; a NULL slot of a method the host does not know is never
        // called (a host of an earlier revision reads only its prefix).
        Err(VtableRefusal::NullSlot { method: name })
            if declared
                .methods()
                .iter()
                .position(|m| m.name == name)
                .is_some_and(|index| index >= host_methods) => {}
        Err(VtableRefusal::NullSlot { method: name }) => return message(error, name, 1),
        Err(other) => return message(error, &format!("{other:?}"), 3),
    }
    let mut interfaces = child.interfaces.write().unwrap_or_else(|e| e.into_inner());
    let index = match interfaces
        .iter()
        .position(|(d, v)| core::ptr::eq(*d, declared) && *v == vtable)
    {
        Some(index) => index,
        None => {
            interfaces.push((declared, vtable));
            interfaces.len() - 1
        }
    };
    // The index, then this program's declaration (its vtable size and its
    // methods), so that a host whose declaration differs (a runner built
    // against an older revision) refuses the lookup instead of sending
    // calls this dispatcher does not know. A host that reads the index
    // alone ignores the rest.
    let mut reply = Writer::default();
    reply
        .u32(index as u32)
        .u32(declared.vtable_size() as u32)
        .u32(declared.methods().len() as u32);
    for method in declared.methods() {
        reply.str(&frame::method_signature(method));
    }
    // SAFETY: `out` is this call's buffer.
    let _ = unsafe { tenon_interface::append(out, &reply.bytes) };
    0
}

/// The `tenon_host` every instance in the child gets.
fn host_table() -> *const tenon_host {
    let table = HOST_TABLE.get_or_init(|| {
        let table = Box::leak(Box::new(tenon_host {
            struct_size: size_of::<tenon_host>() as u32,
            abi_major: sys::TENON_ABI_MAJOR,
            abi_minor: sys::TENON_ABI_MINOR,
            host_data: core::ptr::null_mut(),
            log: Some(log),
            get_interface: Some(get_interface),
        }));
        table as *const tenon_host as usize
    });
    *table as *const tenon_host
}

/// `tenon_host.log` in the child: a record on standard error, which the
/// host's reader turns back into a `tracing` event.
unsafe extern "C" fn log(_host: *const tenon_host, level: tenon_log_level, text: tenon_str) {
    if !wanted(log_bit(level as i64)) {
        return;
    }
    let scope = ();
    // SAFETY: `plugin.h` makes the message a slice borrowed for the call.
    let text = match unsafe { tenon_interface::raw::str_bytes(text, &scope) } {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(unreadable) => format!("(an unreadable log message: {})", unreadable.message()),
    };
    let line = format!("{LOG_PREFIX}{}:{}\n", level as i64, escape(&text));
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Whether the host would keep a record of kind `bit` (`interest`):
/// asked before the record is even made, as `tracing` is in process.
fn wanted(bit: u32) -> bool {
    CHILD
        .get()
        .is_none_or(|child| child.shm.interest() & bit != 0)
}

/// `tenon_host.get_interface` in the child: a proxy of a service the host
/// offers, whose calls go back to the host on the calling slot.
unsafe extern "C" fn get_interface(
    _host: *const tenon_host,
    id: tenon_str,
    version: u32,
    out_instance: *mut *mut c_void,
) -> *const c_void {
    let scope = ();
    // SAFETY: the id is a slice borrowed for the call.
    let id = unsafe { tenon_interface::raw::str_bytes(id, &scope) }.ok();
    let found = id
        .and_then(|id| core::str::from_utf8(id).ok())
        .and_then(|id| proxy(id, version));
    if let Some(id) = id.filter(|_| wanted(LOOKUPS)) {
        // The host reports the lookup as it reports one in process.
        let line = format!(
            "{LOOKUP_PREFIX}{version}:{}:{}\n",
            u8::from(found.is_some()),
            escape(&String::from_utf8_lossy(id))
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    let (vtable, instance) = found.unwrap_or((core::ptr::null(), core::ptr::null_mut()));
    if !out_instance.is_null() {
        // SAFETY: a non-NULL out-parameter from the plugin, for this call.
        unsafe { out_instance.write(instance) };
    }
    vtable
}

/// The proxy vtable and instance for host service (`id`, `version`).
fn proxy(id: &str, version: u32) -> Option<(*const c_void, *mut c_void)> {
    let child = CHILD.get()?;
    if !child.services.iter().any(|(i, v)| i == id && *v == version) {
        return None;
    }
    let declared = tenon_interface::declared(id, version).ok()?;
    let mut proxies = child.proxies.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, _, instance)) = proxies.iter().find(|(i, v, _)| i == id && *v == version) {
        return Some((declared.proxy_vtable(), instance as *mut c_void));
    }
    let remote: Arc<dyn Remote> = Arc::new(Callback {
        id: id.to_owned(),
        version,
    });
    // Kept for the life of the process: plugins may hold the pointer.
    let instance = Box::leak(Box::new(ProxyInstance::new(remote))).as_ptr();
    proxies.push((id.to_owned(), version, instance as usize));
    Some((declared.proxy_vtable(), instance))
}

/// A host service, reached from the child through the calling slot.
struct Callback {
    id: String,
    version: u32,
}

impl Remote for Callback {
    unsafe fn call(
        &self,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut tenon_buffer,
        error: *mut tenon_buffer,
    ) -> tenon_status {
        let (Some(child), Some(index)) = (CHILD.get(), CURRENT_SLOT.with(Cell::get)) else {
            return message(
                error,
                "in an isolated plugin, host services can be called only during a call into the plugin, on the thread that runs it",
                Status::UNSUPPORTED.0,
            );
        };
        let slot = child.shm.slot(index);
        let header = slot.header;
        let fits = CALLBACK_BYTES.with(|bytes| {
            let mut bytes = bytes.borrow_mut();
            super::callback::encode(&mut bytes, &self.id, self.version, method, args);
            header
                .callback_len
                .store(bytes.len() as u64, Ordering::Relaxed);
            slot.write(Area::Callback, 0, &bytes)
        });
        if !fits {
            return message(
                error,
                "the host-service call's arguments do not fit in the slot's callback area",
                Status::INVALID_ARGUMENT.0,
            );
        }
        publish(&slot, HOST_ASLEEP, state::CALLBACK);
        let seen = wait_while(
            &slot,
            CHILD_ASLEEP,
            |s| s == state::CALLBACK,
            child.linger,
            None,
        );
        if seen != Some(state::CALLBACK_REPLY) {
            return message(error, "the host did not answer", Status::ERROR.0);
        }
        let status = header.callback_status.load(Ordering::Acquire) as tenon_status;
        let out_len = header.callback_out_len.load(Ordering::Relaxed);
        let error_len = header.callback_error_len.load(Ordering::Relaxed);
        let (_, size) = slot.bounds(Area::Callback);
        let mut bytes = Vec::new();
        if !out.is_null() && slot.read(Area::Callback, 0, out_len, &mut bytes) {
            // SAFETY: `out` is lent for this call.
            if unsafe { tenon_interface::append(out, &bytes) }.is_err() {
                return Status::OUT_OF_MEMORY.0;
            }
        }
        bytes.clear();
        if !error.is_null() && slot.read(Area::Callback, (size / 2) as u64, error_len, &mut bytes) {
            // SAFETY: as above.
            let _ = unsafe { tenon_interface::append(error, &bytes) };
        }
        status
    }
}
