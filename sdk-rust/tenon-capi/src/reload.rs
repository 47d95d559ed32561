//! Reloadable plugins: a new build swapped in while the host keeps calling.

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, out, tenon_error, CError};
use crate::handle::{borrow, into_handle, release, Handle, Kind};
use crate::options::tenon_options;
use core::ffi::{c_char, c_void};
use tenon::reload::RawReloadable;

/// A plugin instance, seen through one interface, whose library can be
/// replaced by a new build while the host keeps calling it. Opaque; made by
/// `tenon_reloadable_load`, freed with `tenon_reloadable_free`.
pub struct tenon_reloadable {
    inner: RawReloadable,
}

impl Handle for tenon_reloadable {
    const KIND: Kind = Kind::Reloadable;
}

/// What `tenon_reloadable_call` runs: `vtable` and `self` are the current
/// build's interface, valid only until it returns.
pub type tenon_reload_call_fn =
    Option<unsafe extern "C" fn(context: *mut c_void, vtable: *const c_void, self_: *mut c_void)>;

/// Writes a generation number to an optional out-parameter.
fn put_generation(generation: *mut u64, number: u64) {
    if !generation.is_null() {
        // SAFETY: non-NULL; the caller lends a writable pointer.
        unsafe { generation.write(number) };
    }
}

/// Loads the plugin at `path` (NUL-terminated UTF-8) reloadable, with
/// `options` (NULL: defaults; in process or isolated), creates an instance
/// with `config` (NULL: empty) and checks interface `id` at `version` as
/// `tenon_instance_interface` does for a `vtable_size`-byte vtable type.
/// The file is copied before it is loaded, so it can be rebuilt in place.
/// A checksum in `options` applies to reloads too.
///
/// Ownership: on success `*out` is a new reloadable the caller frees with
/// `tenon_reloadable_free`, and NULL is returned; on failure `*out` is NULL
/// and an error the caller frees is returned.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_reloadable_load(
    path: *const c_char,
    options: *const tenon_options,
    config: *const c_char,
    id: *const c_char,
    version: u32,
    vtable_size: usize,
    out_reloadable: *mut *mut tenon_reloadable,
) -> *mut tenon_error {
    fallible(|| {
        let out_reloadable = out(out_reloadable, "out")?;
        // SAFETY: checked non-NULL; the caller lends a writable pointer.
        unsafe { out_reloadable.write(core::ptr::null_mut()) };
        let path = c_str(path, "path")?;
        let id = c_str(id, "id")?;
        let config = if config.is_null() {
            ""
        } else {
            c_str(config, "config")?
        };
        if vtable_size < size_of::<u32>() {
            return Err(CError::invalid_argument(format!(
                "vtable_size {vtable_size} is smaller than a vtable's struct_size field: pass sizeof the interface's vtable type"
            )));
        }
        // An isolated plugin's output goes to the subscriber current now.
        crate::logging::install();
        let loader = if options.is_null() {
            tenon::Loader::new()
        } else {
            borrow(options, "options")?.loader()
        };
        let inner = RawReloadable::load(
            &loader,
            path,
            config,
            id,
            version,
            vtable_size,
            &tenon::ReloadOptions::stateless(),
        )?;
        let handle = into_handle(tenon_reloadable { inner });
        // SAFETY: as above.
        unsafe { out_reloadable.write(handle) };
        Ok(())
    })
}

/// Calls `body(context, vtable, self)` with the current build's interface.
/// The build stays loaded, and is called by no other thread, until `body`
/// returns; a reload meanwhile (even from inside `body`) serves the calls
/// that start after it. `vtable` and `self` must not be kept past `body`.
/// Returns NULL once `body` has run, or an error (and `body` is not run).
///
/// Threads: any thread; calls into one build are serialized.
#[no_mangle]
pub extern "C" fn tenon_reloadable_call(
    reloadable: *const tenon_reloadable,
    body: tenon_reload_call_fn,
    context: *mut c_void,
) -> *mut tenon_error {
    fallible(|| {
        let reloadable = borrow(reloadable, "reloadable")?;
        let body = body.ok_or_else(|| CError::null_argument("body"))?;
        reloadable.inner.with(|target| {
            // SAFETY: the host's function, given the interface of the build
            // held for the duration of the call, as documented above.
            unsafe { body(context, target.vtable, target.instance) }
        });
        Ok(())
    })
}

/// Reloads from the file last loaded: loads, verifies and instantiates the
/// new build and checks its interface, and only then swaps it in; on any
/// failure the old build keeps serving and the error says why. On success
/// `*generation` (if not NULL) is the new build's number (the first build
/// is 1). The old build is released when its last call returns.
///
/// Threads: any thread; one reload runs at a time (another waits).
#[no_mangle]
pub extern "C" fn tenon_reloadable_reload(
    reloadable: *const tenon_reloadable,
    generation: *mut u64,
) -> *mut tenon_error {
    fallible(|| {
        let number = borrow(reloadable, "reloadable")?.inner.reload()?;
        put_generation(generation, number);
        Ok(())
    })
}

/// As `tenon_reloadable_reload`, from the file at `path`, which later
/// reloads read.
///
/// Threads: any thread; one reload runs at a time (another waits).
#[no_mangle]
pub extern "C" fn tenon_reloadable_reload_from(
    reloadable: *const tenon_reloadable,
    path: *const c_char,
    generation: *mut u64,
) -> *mut tenon_error {
    fallible(|| {
        let reloadable = borrow(reloadable, "reloadable")?;
        let path = c_str(path, "path")?;
        let number = reloadable.inner.reload_from(path)?;
        put_generation(generation, number);
        Ok(())
    })
}

/// The number of the build now serving (1 for the first, one more per
/// successful reload); 0 if `reloadable` is not a live reloadable.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_reloadable_generation(reloadable: *const tenon_reloadable) -> u64 {
    infallible(0, || {
        borrow(reloadable, "reloadable").map_or(0, |r| r.inner.generation())
    })
}

/// Frees a reloadable: the current build's instance is destroyed and its
/// library released (or its process ended). NULL is a no-op, and so is a
/// pointer that is not a live reloadable.
///
/// Threads: any thread, once no other call uses `reloadable`.
#[no_mangle]
pub extern "C" fn tenon_reloadable_free(reloadable: *mut tenon_reloadable) {
    infallible((), || drop(release(reloadable)));
}
