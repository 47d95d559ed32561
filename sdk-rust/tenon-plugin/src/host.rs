//! The services a host offers to a plugin instance, and how long a plugin
//! may use them.
//!
//! `plugin.h` makes the host table valid until the instance's `destroy` has
//! returned. Safe plugin code could otherwise keep it longer (in a static,
//! in a thread it started, after a failed `create`), so the table is only
//! handed out in two forms: [`Host`], borrowed for the duration of `create`,
//! and [`KeptHost`] / [`HostInterface`], owned handles that go through a
//! [`CallGuard`] which `destroy` closes (and waits on) before it returns.

use core::ffi::c_void;
use std::ops::Deref;
use std::sync::Arc;
use tenon_interface::sys::{tenon_host, tenon_log_level, tenon_str};
use tenon_interface::{
    verify_vtable, Arg, CallError, CallGuard, Client, Interface, Status, VtableRefusal,
};

/// Severity of a message sent to the host's log.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Normal operation.
    Info,
    /// Details for whoever debugs the plugin.
    Debug,
    /// Very verbose details.
    Trace,
}

impl Level {
    fn raw(self) -> tenon_log_level {
        match self {
            Level::Error => tenon_interface::sys::TENON_LOG_ERROR,
            Level::Warn => tenon_interface::sys::TENON_LOG_WARN,
            Level::Info => tenon_interface::sys::TENON_LOG_INFO,
            Level::Debug => tenon_interface::sys::TENON_LOG_DEBUG,
            Level::Trace => tenon_interface::sys::TENON_LOG_TRACE,
        }
    }
}

/// The host that is creating an instance: its log, and the interfaces it
/// offers. Borrowed for the duration of [`Plugin::create`](crate::Plugin::create)
/// only; to use the host later (from the instance, or from a thread it
/// starts), keep a [`KeptHost`] ([`Host::keep`]) or a [`HostInterface`].
///
/// It cannot be kept itself: storing it in the instance, or anywhere that
/// outlives `create`, does not compile.
///
/// ```compile_fail,E0521
/// use std::sync::Mutex;
/// use tenon_plugin::{CallResult, Host, Plugin};
///
/// static KEPT: Mutex<Option<Host<'static>>> = Mutex::new(None);
///
/// struct Sneaky;
///
/// impl Plugin for Sneaky {
///     fn create(host: Host<'_>, _config: &str) -> CallResult<Self> {
///         *KEPT.lock().unwrap() = Some(host);
///         Ok(Sneaky)
///     }
/// }
/// ```
///
/// nor can a thread the plugin starts take it (it takes [`Host::keep`]):
///
/// ```compile_fail,E0521
/// use tenon_plugin::{CallResult, Host, Plugin};
///
/// struct Sneaky;
///
/// impl Plugin for Sneaky {
///     fn create(host: Host<'_>, _config: &str) -> CallResult<Self> {
///         std::thread::spawn(move || host.info("later"));
///         Ok(Sneaky)
///     }
/// }
/// ```
///
/// (Keeping it in `Self` fails too, with "lifetime may not live long
/// enough", an error without a code: `Plugin` types are `'static`.)
#[derive(Copy, Clone)]
pub struct Host<'a> {
    kept: &'a KeptHost,
}

impl<'a> Host<'a> {
    pub(crate) fn new(kept: &'a KeptHost) -> Self {
        Host { kept }
    }

    /// An owned handle to the host, to keep in the instance or move to a
    /// thread. Valid while the instance lives; once it is destroyed, every
    /// call through it is refused (logging does nothing).
    pub fn keep(&self) -> KeptHost {
        self.kept.clone()
    }

    /// Sends a message to the host's log, attributed to this plugin.
    pub fn log(&self, level: Level, message: &str) {
        self.kept.log(level, message);
    }

    /// Interface `I` as the host offers it, to call back into the host.
    /// See [`KeptHost::interface`].
    pub fn interface<I: ?Sized + Interface>(&self) -> Result<HostInterface<I>, CallError> {
        self.kept.interface()
    }

    /// [`Host::log`] at [`Level::Error`].
    pub fn error(&self, message: &str) {
        self.log(Level::Error, message);
    }

    /// [`Host::log`] at [`Level::Warn`].
    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }

    /// [`Host::log`] at [`Level::Info`].
    pub fn info(&self, message: &str) {
        self.log(Level::Info, message);
    }

    /// [`Host::log`] at [`Level::Debug`].
    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message);
    }
}

/// The host, kept by an instance: `Send`, `Sync` and cheap to clone, so it
/// may also go to threads the plugin starts.
///
/// Every call goes through the instance's guard: once `destroy` has begun
/// (or `create` has failed), logging does nothing and
/// [`KeptHost::interface`] fails with kind `instance_destroyed`, and
/// `destroy` returns only after the calls already in flight have.
#[derive(Clone)]
pub struct KeptHost {
    raw: *const tenon_host,
    guard: Arc<CallGuard>,
}

// SAFETY: `plugin.h` makes every host service [any-thread]; the table is
// only read, and only while `guard` is open (checked on every call), which
// `destroy` closes before it returns.
unsafe impl Send for KeptHost {}
// SAFETY: as above.
unsafe impl Sync for KeptHost {}

impl KeptHost {
    /// # Safety
    ///
    /// `raw` must be NULL or the table the host passed to `create`, valid
    /// until `guard` is closed, which must happen before the instance's
    /// destroy returns (or when its create fails).
    pub(crate) unsafe fn new(raw: *const tenon_host, guard: Arc<CallGuard>) -> Self {
        KeptHost { raw, guard }
    }

    /// Sends a message to the host's log, attributed to this plugin; does
    /// nothing once the instance is destroyed.
    pub fn log(&self, level: Level, message: &str) {
        if self.guard.enter().is_err() {
            return;
        }
        // SAFETY: the guard is open, so the table is valid (`new`).
        if let Some(log) = unsafe { self.raw.as_ref() }.and_then(|host| host.log) {
            let text: tenon_str = message.to_raw();
            // SAFETY: the host's own callback with its own table and a
            // string borrowed for the call.
            unsafe { log(self.raw, level.raw(), text) };
        }
        self.guard.leave();
    }

    /// Interface `I` as the host offers it, to call back into the host.
    ///
    /// Fails with [`Status::NOT_FOUND`] if the host does not offer `I`'s id
    /// at `I`'s version, with [`Status::UNSUPPORTED`] if its vtable lacks
    /// a method of `I`'s revision 1 or has a NULL method (a method of a
    /// later revision the host's vtable ends before is `not_provided` when
    /// called; [`Client::provides`] asks first), and with kind
    /// `instance_destroyed` once the instance is destroyed. The result may
    /// be called from any thread, and is guarded as this handle is.
    pub fn interface<I: ?Sized + Interface>(&self) -> Result<HostInterface<I>, CallError> {
        self.guard.enter()?;
        let found = self.find::<I>();
        self.guard.leave();
        found
    }

    fn find<I: ?Sized + Interface>(&self) -> Result<HostInterface<I>, CallError> {
        let not_offered = || {
            CallError::not_found(format!(
                "the host offers no interface {:?} version {}",
                I::ID,
                I::VERSION
            ))
        };
        // SAFETY: the caller entered the guard, so the table is valid.
        let Some(host) = (unsafe { self.raw.as_ref() }) else {
            return Err(not_offered());
        };
        let Some(get_interface) = host.get_interface else {
            return Err(not_offered());
        };
        let mut instance: *mut c_void = core::ptr::null_mut();
        // SAFETY: the host's own callback with its own table, an id
        // borrowed for the call and an out-parameter we own.
        let vtable = unsafe { get_interface(self.raw, I::ID.to_raw(), I::VERSION, &mut instance) };
        if vtable.is_null() {
            return Err(not_offered());
        }
        // SAFETY: a non-NULL vtable the host offers for this id and version.
        let vtable = unsafe { verify_vtable::<I>(vtable) }.map_err(|refusal| {
            CallError::new(
                Status::UNSUPPORTED,
                match refusal {
                    VtableRefusal::TooSmall { size, required } => format!(
                        "the host's vtable of {:?} is {size} bytes, less than the {required} this plugin needs",
                        I::ID
                    ),
                    VtableRefusal::NullSlot { method } => {
                        format!("method `{method}` of the host's {:?} is NULL", I::ID)
                    }
                    _ => format!("the host's vtable of {:?} is unusable", I::ID),
                },
            )
        })?;
        Ok(HostInterface {
            // SAFETY: verified above; valid until the instance is destroyed
            // (`plugin.h`), which closes the guard first; callable from any
            // thread.
            client: unsafe { Client::guarded(instance, vtable, Arc::clone(&self.guard)) },
        })
    }

    /// [`KeptHost::log`] at [`Level::Error`].
    pub fn error(&self, message: &str) {
        self.log(Level::Error, message);
    }

    /// [`KeptHost::log`] at [`Level::Warn`].
    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }

    /// [`KeptHost::log`] at [`Level::Info`].
    pub fn info(&self, message: &str) {
        self.log(Level::Info, message);
    }

    /// [`KeptHost::log`] at [`Level::Debug`].
    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message);
    }

    /// Whether the instance has been destroyed (every call is refused).
    pub fn is_gone(&self) -> bool {
        self.guard.is_closed()
    }
}

/// An interface the host offers, from [`Host::interface`] or
/// [`KeptHost::interface`]. It derefs to a [`Client`], on which the
/// interface's trait is implemented. `Send` and `Sync`, and may be kept in
/// the instance or moved to its threads: once the instance is destroyed,
/// each call fails with kind `instance_destroyed` without reaching the host.
pub struct HostInterface<I: ?Sized + Interface> {
    client: Client<I>,
}

// SAFETY: `plugin.h` makes the methods of host-offered interfaces callable
// from any thread, concurrently, and every call goes through the guard.
unsafe impl<I: ?Sized + Interface> Send for HostInterface<I> {}
// SAFETY: as above.
unsafe impl<I: ?Sized + Interface> Sync for HostInterface<I> {}

impl<I: ?Sized + Interface> Deref for HostInterface<I> {
    type Target = Client<I>;

    fn deref(&self) -> &Client<I> {
        &self.client
    }
}
