//! Load options: the choices `tenon::Loader` holds, built up from C.

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, tenon_error, CError};
use crate::handle::{borrow, borrow_mut, into_handle, release, Handle, Kind};
use crate::services::tenon_services;
use std::time::Duration;
use tenon::isolation::{Isolation, Restart};

/// How to load a plugin: in this process (the default) or isolated in a
/// child process, with the host's services, with a required checksum.
/// Opaque; made by `tenon_options_new`, freed with `tenon_options_free`.
pub struct tenon_options {
    pub(crate) loader: tenon::Loader,
    /// The isolation settings, kept even while in-process is chosen, so the
    /// setters below can be called in any order.
    isolation: Isolation,
    mode: Mode,
    /// The first isolation-only setter called, for the error of a load
    /// that would ignore it.
    isolation_setter: Option<&'static str>,
    /// How reloadables loaded with these options reload
    /// (`tenon_options_reload`).
    pub(crate) reload: tenon::ReloadOptions,
}

/// Where plugins loaded with some options run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Neither `tenon_options_isolated` nor `tenon_options_in_process` was
    /// called: in process, the default, unless an isolation-only setter
    /// says the host meant to isolate.
    NotChosen,
    /// `tenon_options_in_process`, on purpose.
    InProcess,
    /// `tenon_options_isolated`.
    Isolated,
}

impl Handle for tenon_options {
    const KIND: Kind = Kind::Options;
}

impl tenon_options {
    /// The loader these options describe. Options that set an isolated
    /// plugin's limits but never chose a mode are refused: the limits
    /// would be silently ignored by the in-process load, which is most
    /// likely a forgotten `tenon_options_isolated`. A host that chose
    /// `tenon_options_in_process` keeps them unused, on purpose.
    pub(crate) fn loader(&self) -> Result<tenon::Loader, CError> {
        match (self.mode, self.isolation_setter) {
            (Mode::Isolated, _) => Ok(self.loader.clone().isolated(self.isolation.clone())),
            (Mode::NotChosen, Some(setter)) => Err(CError::invalid_argument(format!(
                "the options set {setter}, a setting of isolated plugins, but do not isolate: the load would run the plugin in this process without it; call tenon_options_isolated to isolate, or tenon_options_in_process to load in process on purpose"
            ))),
            (Mode::NotChosen, None) | (Mode::InProcess, _) => {
                Ok(self.loader.clone().in_process())
            }
        }
    }

    /// Notes that `setter`, which only isolated loads use, was called.
    fn isolation_set(&mut self, setter: &'static str) {
        self.isolation_setter.get_or_insert(setter);
    }
}

/// New options: in process, no services, no checksum, stateless reloads.
///
/// Ownership: the caller owns the result and frees it with
/// `tenon_options_free`; loading does not take it, so one options object
/// can load many plugins. Never NULL.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_options_new() -> *mut tenon_options {
    infallible(core::ptr::null_mut(), || {
        into_handle(tenon_options {
            loader: tenon::Loader::new(),
            isolation: Isolation::new(),
            mode: Mode::NotChosen,
            isolation_setter: None,
            reload: crate::reload::default_reload_options(),
        })
    })
}

/// Frees options. NULL is a no-op, and so is a pointer that is not live
/// options. Plugins loaded with them are not affected.
///
/// Threads: any thread, once no other call uses `options`.
#[no_mangle]
pub extern "C" fn tenon_options_free(options: *mut tenon_options) {
    infallible((), || drop(release(options)));
}

/// Load in a child process: a crash, `exit`, hang or runaway allocation
/// of the plugin becomes an error (kind `crashed`, `timed_out`) instead of
/// the host's death. `call_timeout_ms` is the deadline of each call into
/// the plugin (0: none). The child is this program re-executed, so `main`
/// must call `tenon_isolation_init()` first, unless a runner is set
/// (`tenon_options_runner`). Returns NULL, or an error the caller frees.
///
/// A call through an isolated plugin's vtable that fails this way returns
/// TENON_CRASHED (the process died), TENON_TIMED_OUT (the call outlived
/// its deadline; the process was killed) or, on an instance whose process
/// has died, TENON_INSTANCE_LOST, and appends the reason to the call's
/// error buffer.
///
/// Only interfaces whose `interface!` declaration is linked into libtenon
/// can be called on an isolated plugin (`tenon_instance_interface`).
///
/// The settings of isolated plugins (`tenon_options_restart`,
/// `_memory_limit`, `_start_timeout`, `_slots`, `_runner`) may be made
/// before or after this call. Options that make one of them but never
/// choose a mode, with this call or `tenon_options_in_process`, fail
/// every load with kind `invalid_argument` naming the setter: loading
/// them in process would silently drop the setting (say, a memory cap the
/// host relies on).
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_isolated(
    options: *mut tenon_options,
    call_timeout_ms: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        if call_timeout_ms > 0 {
            options.isolation = options
                .isolation
                .clone()
                .call_timeout(Duration::from_millis(call_timeout_ms));
        }
        options.mode = Mode::Isolated;
        Ok(())
    })
}

/// After an isolated plugin's process dies, start a new one when next
/// needed, at most `max_restarts` times within any `window_ms`
/// milliseconds (instances that lived in the dead process stay lost: their
/// calls fail). Default: never restart. Returns NULL, or an error.
///
/// Only isolated loads use this setting: see `tenon_options_isolated` for
/// options that make it without choosing a mode.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_restart(
    options: *mut tenon_options,
    max_restarts: u32,
    window_ms: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        options.isolation_set("tenon_options_restart");
        options.isolation = options.isolation.clone().restart(Restart::AtMost {
            n: max_restarts,
            window: Duration::from_millis(window_ms),
        });
        Ok(())
    })
}

/// Caps an isolated plugin's process memory at `bytes` (its address space
/// on Linux; its committed memory on Windows), so that runaway allocation
/// fails in that process instead of starving the machine: allocation past
/// the cap fails (`malloc` returns NULL), so a plugin that checks can
/// return its own status (such as TENON_OUT_OF_MEMORY), and one that
/// aborts on it, or the kernel's OOM killer, ends the process (the call in
/// flight returns TENON_CRASHED, its reason in the error buffer saying the
/// process ran under a memory limit of `bytes` bytes, since such a death
/// looks like any other crash). Count the shared memory of the slots
/// (`tenon_options_slots`, 32 MiB by default), the program and its
/// libraries, a stack per slot thread, and what the plugin itself needs
/// (on Linux a C plugin needed 64 MiB with the default slots). A cap not
/// above the slots' shared memory fails loading with kind
/// `isolation_failed`; one too small for the rest fails it as `crashed`
/// or with the loader's error. Where the cap
/// cannot be enforced (Windows under Wine) loading fails with kind
/// `isolation_unsupported`. Default: no cap. Returns NULL, or an error
/// (`invalid_argument` for 0).
///
/// Only isolated loads use this setting: see `tenon_options_isolated` for
/// options that make it without choosing a mode.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_memory_limit(
    options: *mut tenon_options,
    bytes: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        if bytes == 0 {
            return Err(CError::invalid_argument(
                "a memory limit of 0 bytes: leave it unset for no cap".to_owned(),
            ));
        }
        options.isolation_set("tenon_options_memory_limit");
        options.isolation = options.isolation.clone().memory_limit(bytes);
        Ok(())
    })
}

/// How long starting an isolated plugin may take (the child's start, the
/// plugin's loading there and the handshake) before `tenon_plugin_load`
/// fails with kind `timed_out`. Default: 10 000 ms. Returns NULL, or an
/// error (`invalid_argument` for 0).
///
/// Only isolated loads use this setting: see `tenon_options_isolated` for
/// options that make it without choosing a mode.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_start_timeout(
    options: *mut tenon_options,
    timeout_ms: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        if timeout_ms == 0 {
            return Err(CError::invalid_argument(
                "a start timeout of 0 ms".to_owned(),
            ));
        }
        options.isolation_set("tenon_options_start_timeout");
        options.isolation = options
            .isolation
            .clone()
            .start_timeout(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// The shared memory through which calls reach an isolated plugin: `count`
/// slots (1 to 256; default 8), each one call in flight at a time, of
/// `slot_bytes` each (256 KiB to 1 GiB, rounded up to a multiple of 4 KiB;
/// default 4 MiB). A slot bounds one call: 3/8 of it carries the
/// arguments, 3/8 the result and the error message, 1/4 the host services
/// the plugin calls during the call. A call whose arguments do not fit
/// returns TENON_INVALID_ARGUMENT with the reason, without reaching the
/// plugin; a result that does not fit fails in the plugin's own way (its
/// output buffer cannot grow). Memory is touched only as calls use it.
/// Returns NULL, or an error (`invalid_argument` out of those ranges).
///
/// Only isolated loads use this setting: see `tenon_options_isolated` for
/// options that make it without choosing a mode.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_slots(
    options: *mut tenon_options,
    count: u32,
    slot_bytes: u64,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        if !(1..=256).contains(&count) {
            return Err(CError::invalid_argument(format!(
                "{count} slots: between 1 and 256"
            )));
        }
        if !((Isolation::MIN_SLOT_SIZE as u64)..=(1 << 30)).contains(&slot_bytes) {
            return Err(CError::invalid_argument(format!(
                "slots of {slot_bytes} bytes: between 256 KiB and 1 GiB"
            )));
        }
        options.isolation_set("tenon_options_slots");
        options.isolation = options
            .isolation
            .clone()
            .slots(count as usize)
            .slot_size(slot_bytes as usize);
        Ok(())
    })
}

/// The program to run as an isolated plugin's child instead of this one:
/// any program whose `main` calls `tenon_isolation_init()` first (`path`,
/// NUL-terminated UTF-8, is copied). Returns NULL, or an error.
///
/// A bare file name (`"my-runner"`, no directory) names a program beside
/// the host's executable, never one looked up in `PATH`; a path with a
/// directory (`"bin/my-runner"`, `"./my-runner"`) is used as given, a
/// relative one against the current directory. On Windows `.exe` is
/// appended to a name that does not end with it. A runner that does not
/// exist fails the load with kind `isolation_failed`
/// (`TENON_ERROR_ISOLATION_FAILED`), its message naming
/// the path tried.
///
/// Only isolated loads use this setting: see `tenon_options_isolated` for
/// options that make it without choosing a mode.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_runner(
    options: *mut tenon_options,
    path: *const core::ffi::c_char,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        let path = c_str(path, "path")?;
        options.isolation_set("tenon_options_runner");
        options.isolation = options.isolation.clone().runner(path);
        Ok(())
    })
}

/// Load in this process (the default). Settings of isolated plugins made
/// on these options are kept, unused, for a later
/// `tenon_options_isolated`; calling this says that loading in process
/// with them is meant, where options that never chose a mode are refused
/// (see `tenon_options_isolated`). Returns NULL, or an error.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_in_process(options: *mut tenon_options) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        options.mode = Mode::InProcess;
        Ok(())
    })
}

/// Requires the plugin file's SHA-256 digest: `hex` is 64 hexadecimal
/// digits (either case), copied. The bytes checked are the bytes loaded; a
/// mismatch fails the load with kind `checksum_mismatch` before any of the
/// file's code runs. Returns NULL, or an error: `invalid_argument` when
/// `hex` is not 64 hexadecimal digits (nothing else, no spaces), and the
/// options are left as they were.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_sha256(
    options: *mut tenon_options,
    hex: *const core::ffi::c_char,
) -> *mut tenon_error {
    fallible(|| {
        let options = borrow_mut(options, "options")?;
        let hex = c_str(hex, "hex")?;
        // Refused here, where the mistake is made: the loader would take it
        // and every load would then fail as a checksum_mismatch, blaming
        // the file for the host's typo.
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CError::invalid_argument(format!(
                "SHA-256 digest {hex:?}: not 64 hexadecimal digits"
            )));
        }
        options.loader = options.loader.clone().sha256(hex);
        Ok(())
    })
}

/// Offers `services` to every instance of plugins loaded with these
/// options (`tenon_host.get_interface`). The offers are shared, not
/// copied: `services` may be freed afterwards, and offers added to it later
/// are not seen by these options. Returns NULL, or an error.
///
/// Threads: one thread at a time per options object.
#[no_mangle]
pub extern "C" fn tenon_options_services(
    options: *mut tenon_options,
    services: *const tenon_services,
) -> *mut tenon_error {
    fallible(|| {
        let offered = borrow(services, "services")?.services.clone();
        let options = borrow_mut(options, "options")?;
        options.loader = options.loader.clone().services(offered);
        Ok(())
    })
}
