//! Reloadable plugins: a new build swapped in while the host keeps
//! calling, statelessly or with the instance's state handed over
//! (`org.tenon.state`, `include/tenon/state.h`).

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, out, tenon_error, CError};
use crate::handle::{borrow, borrow_mut, into_handle, release, Handle, Kind};
use crate::options::tenon_options;
use core::ffi::{c_char, c_void};
use std::cell::RefCell;
use std::time::Duration;
use tenon::reload::RawReloadable;
use tenon::{ReloadOptions, Reloaded, Swap};

/// How a reload moves callers from the old build to the new one
/// (`tenon_options_reload`): one of the `TENON_RELOAD_*` constants.
pub type tenon_reload_swap = u32;

/// For plugins whose instances keep no state worth keeping: new calls go to
/// the new build at once, calls in flight finish on the old one, and no
/// call waits for the swap. The default.
pub const TENON_RELOAD_STATELESS: tenon_reload_swap = 0;

/// For plugins that offer `org.tenon.state` (`tenon/state.h`): new calls
/// wait while the calls in flight on the old build return (for at most the
/// drain timeout), the old instance saves its state and a new instance of
/// the new build restores it, then calls resume on the new build. Any
/// failure (`state_hand_over_failed`, `drain_timed_out`, or the new build's
/// own load errors) abandons the reload: the old build keeps serving, with
/// its state. The pause callers see is the longest call in flight plus the
/// save and the restore.
pub const TENON_RELOAD_HAND_OVER: tenon_reload_swap = 1;

/// The drain timeout the Rust host uses by default, in milliseconds: a
/// reasonable `drain_timeout_ms` for `tenon_options_reload`.
pub const TENON_RELOAD_DRAIN_TIMEOUT_MS: u64 = 5000;

/// What options reload with until `tenon_options_reload` says otherwise:
/// stateless, and a reload returns without waiting for the old build's
/// calls (its last call releases it), as the C API always did.
pub(crate) fn default_reload_options() -> ReloadOptions {
    ReloadOptions::stateless().drain_timeout(Duration::ZERO)
}

/// How reloadables loaded with these options (`tenon_reloadable_load`)
/// reload: `swap` is `TENON_RELOAD_STATELESS` (the default) or
/// `TENON_RELOAD_HAND_OVER`. `drain_timeout_ms` is how long a reload waits
/// for the calls in flight on the old build to return: with
/// `TENON_RELOAD_HAND_OVER`, before it gives up with kind `drain_timed_out`
/// (`TENON_RELOAD_DRAIN_TIMEOUT_MS` is a sensible value); when stateless,
/// before it returns and leaves the old build to be released by its last
/// call (0, the default, never waits). `tenon_plugin_load` ignores this
/// setting.
///
/// With `TENON_RELOAD_HAND_OVER`, `tenon_reloadable_load` and every reload
/// require the plugin to offer `org.tenon.state` version 1 (kind
/// `interface_not_found` otherwise).
///
/// Returns NULL, or an error the caller frees: kind `invalid_argument` for
/// a `swap` this libtenon does not know (the options are then unchanged).
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_reload(
    options: *mut tenon_options,
    swap: tenon_reload_swap,
    drain_timeout_ms: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        let swap = match swap {
            TENON_RELOAD_STATELESS => Swap::Stateless,
            TENON_RELOAD_HAND_OVER => Swap::HandOver,
            other => {
                return Err(CError::invalid_argument(format!(
                    "swap {other} is not a TENON_RELOAD_* value this libtenon knows"
                )))
            }
        };
        options.reload = options
            .reload
            .clone()
            .swap(swap)
            .drain_timeout(Duration::from_millis(drain_timeout_ms));
        Ok(())
    })
}

/// What a successful reload did (`tenon_reloadable_reload_report`). The
/// caller sets `struct_size` to `sizeof(tenon_reload_report)`; fields are
/// only ever appended, so a host built against this header works with a
/// later libtenon.
#[repr(C)]
pub struct tenon_reload_report {
    /// Set by the caller to `sizeof(tenon_reload_report)`; on success
    /// libtenon sets it to the number of bytes it filled in (the smaller of
    /// the caller's size and its own).
    pub struct_size: u32,
    /// The new build's generation: 1 for the build loaded first, one more
    /// for each successful reload.
    pub generation: u64,
    /// With `TENON_RELOAD_HAND_OVER`, the number of bytes of state the old
    /// build saved and the new one restored; 0 for a stateless reload.
    pub state_bytes: u64,
    /// How long the reload took, in microseconds: from opening the file to
    /// releasing the old build (or giving up waiting for it).
    pub took_us: u64,
    /// Whether the state was handed over (`TENON_RELOAD_HAND_OVER`): false
    /// for a stateless reload, and for a hand-over from an isolated build
    /// whose process had died (its state died with it, so the new build
    /// starts without a restore; docs/reload.md).
    pub handed_over: bool,
    /// Whether the old build was released (its instance destroyed, its
    /// library closed or its process ended) before the reload returned;
    /// otherwise its last call in flight releases it.
    pub released_old: bool,
}

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
/// `options` (NULL: defaults; in process or isolated; stateless or with
/// state hand-over, `tenon_options_reload`), creates an instance with
/// `config` (NULL: empty) and checks interface `id` at `version` as
/// `tenon_instance_interface` does for a `vtable_size`-byte vtable type
/// (and, with `TENON_RELOAD_HAND_OVER`, that the plugin offers
/// `org.tenon.state`). The file is copied before it is loaded, so it can be
/// rebuilt in place. The options are read now: changing or freeing them
/// later does not affect the reloadable. A checksum in `options` applies to
/// reloads too.
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
        let (loader, reload) = if options.is_null() {
            (tenon::Loader::new(), default_reload_options())
        } else {
            let options = borrow(options, "options")?;
            (options.loader()?, options.reload.clone())
        };
        let inner = RawReloadable::load(&loader, path, config, id, version, vtable_size, &reload)?;
        let handle = into_handle(tenon_reloadable { inner });
        // SAFETY: as above.
        unsafe { out_reloadable.write(handle) };
        Ok(())
    })
}

/// Calls `body(context, vtable, self)` with the current build's interface.
/// The build stays loaded, and is called by no other thread, until `body`
/// returns; a stateless reload meanwhile (even from inside `body`) serves
/// the calls that start after it. A call that starts while a hand-over is
/// under way waits for it to finish, then runs on the build that serves.
/// A hand-over started from inside `body` cannot drain the call it is made
/// from: it fails with kind `drain_timed_out` once the drain timeout has
/// passed. `vtable` and `self` must not be kept past `body`. Returns NULL
/// once `body` has run, or an error (and `body` is not run): kind
/// `reentrant_call` when made from inside a `body` already running on the
/// same reloadable on this thread, a call that would otherwise wait for
/// itself forever.
///
/// Threads: any thread; calls into one build are serialized.
#[no_mangle]
pub extern "C" fn tenon_reloadable_call(
    reloadable: *const tenon_reloadable,
    body: tenon_reload_call_fn,
    context: *mut c_void,
) -> *mut tenon_error {
    fallible(|| {
        let address = reloadable as usize;
        let reloadable = borrow(reloadable, "reloadable")?;
        let body = body.ok_or_else(|| CError::null_argument("body"))?;
        let _in_call = InCall::enter(address)?;
        reloadable.inner.with(|target| {
            // SAFETY: the host's function, given the interface of the build
            // held for the duration of the call, as documented above.
            unsafe { body(context, target.vtable, target.instance) }
        });
        Ok(())
    })
}

thread_local! {
    /// The reloadables whose `tenon_reloadable_call` body is running on this
    /// thread: a nested call on one of them would wait for the build its
    /// own caller holds.
    static IN_CALL: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// This thread's mark that a body of one reloadable is running, removed
/// when the call returns.
struct InCall(usize);

impl InCall {
    fn enter(reloadable: usize) -> Result<Self, CError> {
        IN_CALL.with(|running| {
            let mut running = running.borrow_mut();
            if running.contains(&reloadable) {
                return Err(CError::reentrant_call(
                    "tenon_reloadable_call from inside a body running on the same reloadable: \
                     calls into one build are serialized, so it would wait for itself forever"
                        .to_owned(),
                ));
            }
            running.push(reloadable);
            Ok(InCall(reloadable))
        })
    }
}

impl Drop for InCall {
    fn drop(&mut self) {
        IN_CALL.with(|running| {
            let mut running = running.borrow_mut();
            if let Some(at) = running.iter().rposition(|&r| r == self.0) {
                running.remove(at);
            }
        });
    }
}

/// Reloads from the file last loaded: loads, verifies and instantiates the
/// new build and checks its interface (with `TENON_RELOAD_HAND_OVER`, also
/// hands the state over), and only then swaps it in; on any failure the old
/// build keeps serving, with its state, and the error says why (kinds
/// `state_hand_over_failed` and `drain_timed_out` besides the load errors).
/// On success `*generation` (if not NULL) is the new build's number (the
/// first build is 1). The old build is released when its last call
/// returns. `tenon_reloadable_reload_report` says more about the reload.
///
/// Threads: any thread; one reload runs at a time (another waits).
#[no_mangle]
pub extern "C" fn tenon_reloadable_reload(
    reloadable: *const tenon_reloadable,
    generation: *mut u64,
) -> *mut tenon_error {
    fallible(|| {
        let reloaded = borrow(reloadable, "reloadable")?.inner.reload()?;
        put_generation(generation, reloaded.generation);
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
        let reloaded = reloadable.inner.reload_from(path)?;
        put_generation(generation, reloaded.generation);
        Ok(())
    })
}

/// As `tenon_reloadable_reload` (`path` NULL) or
/// `tenon_reloadable_reload_from` (`path` not NULL), and on success fills
/// `*report` (if not NULL; its `struct_size` set by the caller) with what
/// the reload did: the new generation, the bytes of state handed over, the
/// time it took, whether the old build is released yet. On failure
/// `*report` is not written; a `struct_size` smaller than the first
/// version of `tenon_reload_report` fails with kind `invalid_argument`
/// before anything is reloaded.
///
/// Threads: any thread; one reload runs at a time (another waits).
#[no_mangle]
pub extern "C" fn tenon_reloadable_reload_report(
    reloadable: *const tenon_reloadable,
    path: *const c_char,
    report: *mut tenon_reload_report,
) -> *mut tenon_error {
    fallible(|| {
        let reloadable = borrow(reloadable, "reloadable")?;
        let path = if path.is_null() {
            None
        } else {
            Some(c_str(path, "path")?)
        };
        let size = if report.is_null() {
            0
        } else {
            // SAFETY: non-NULL; the caller lends a report whose first field
            // is its `uint32_t struct_size`.
            let size = unsafe { report.cast::<u32>().read() } as usize;
            if size < size_of::<tenon_reload_report>() {
                return Err(CError::invalid_argument(format!(
                    "report->struct_size {size} is smaller than tenon_reload_report ({}): set it to sizeof(tenon_reload_report)",
                    size_of::<tenon_reload_report>()
                )));
            }
            size
        };
        let reloaded = match path {
            None => reloadable.inner.reload()?,
            Some(path) => reloadable.inner.reload_from(path)?,
        };
        if !report.is_null() {
            // SAFETY: non-NULL, and the caller's struct is at least as
            // large as this one (checked above): writing it whole stays
            // within the caller's memory.
            unsafe { report.write(report_of(&reloaded, size)) };
        }
        Ok(())
    })
}

/// `reloaded` as C sees it, for a caller whose struct is `size` bytes.
fn report_of(reloaded: &Reloaded, size: usize) -> tenon_reload_report {
    let filled = size.min(size_of::<tenon_reload_report>());
    tenon_reload_report {
        struct_size: u32::try_from(filled).unwrap_or(u32::MAX),
        generation: reloaded.generation,
        state_bytes: reloaded.state_bytes.unwrap_or(0) as u64,
        took_us: u64::try_from(reloaded.took.as_micros()).unwrap_or(u64::MAX),
        handed_over: reloaded.state_bytes.is_some(),
        released_old: reloaded.released_old,
    }
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
