//! The services a host offers to a plugin instance.

use core::ffi::c_void;
use std::ops::Deref;
use tenon_interface::sys::{tenon_host, tenon_log_level, tenon_str};
use tenon_interface::{Arg, CallError, Client, Interface, Status};

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

/// The host that created an instance: its log, and the interfaces it offers.
///
/// Valid until the instance is destroyed, so an instance may keep it (but
/// must not hand it to anything that outlives the instance).
#[derive(Copy, Clone)]
pub struct Host {
    raw: *const tenon_host,
}

// SAFETY: `plugin.h` makes every host service [any-thread], and the table is
// immutable and outlives the instance that holds this handle.
unsafe impl Send for Host {}
// SAFETY: as above.
unsafe impl Sync for Host {}

impl Host {
    /// Wraps the host table passed to `create`.
    ///
    /// # Safety
    ///
    /// `raw` must be NULL or the table the host passed to `create`, used
    /// only until that instance is destroyed.
    pub(crate) unsafe fn from_raw(raw: *const tenon_host) -> Self {
        Host { raw }
    }

    /// Sends a message to the host's log, attributed to this plugin.
    pub fn log(&self, level: Level, message: &str) {
        // SAFETY: `from_raw`'s contract: NULL or valid for our lifetime.
        let Some(host) = (unsafe { self.raw.as_ref() }) else {
            return;
        };
        let Some(log) = host.log else {
            return;
        };
        let text = tenon_str {
            ptr: message.as_ptr().cast(),
            len: message.len(),
        };
        // SAFETY: the host's own callback with its own table and a string
        // borrowed for the call.
        unsafe { log(self.raw, level.raw(), text) };
    }

    /// Interface `I` as the host offers it, to call back into the host.
    ///
    /// Fails with [`Status::NOT_FOUND`] if the host does not offer `I`'s id
    /// at `I`'s version, and with [`Status::UNSUPPORTED`] if its vtable is
    /// smaller than `I`'s declaration or has a NULL method. The result is
    /// valid until this instance is destroyed; its methods may be called
    /// from any thread.
    pub fn interface<I: ?Sized + Interface>(&self) -> Result<HostInterface<I>, CallError> {
        let not_offered = || {
            CallError::not_found(format!(
                "the host offers no interface {:?} version {}",
                I::ID,
                I::VERSION
            ))
        };
        // SAFETY: `from_raw`'s contract: NULL or valid for our lifetime.
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
        // SAFETY: a non-NULL vtable starts with its uint32_t struct_size.
        let size = unsafe { vtable.cast::<u32>().read() } as usize;
        let required = size_of::<I::Vtable>();
        if size < required {
            return Err(CallError::new(
                Status::UNSUPPORTED,
                format!("the host's vtable of {:?} is {size} bytes, less than the {required} this plugin needs", I::ID),
            ));
        }
        let vtable = vtable.cast::<I::Vtable>();
        // SAFETY: the host offers this id and version, whose vtable type is
        // `I::Vtable`, and its size covers the whole type.
        if let Some(method) = I::missing_slot(unsafe { &*vtable }) {
            return Err(CallError::new(
                Status::UNSUPPORTED,
                format!("method `{method}` of the host's {:?} is NULL", I::ID),
            ));
        }
        Ok(HostInterface {
            // SAFETY: verified above; valid until this instance is
            // destroyed (`plugin.h`), and callable from any thread.
            client: unsafe { Client::new(instance, vtable) },
        })
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

/// An interface the host offers, from [`Host::interface`]. It derefs to a
/// [`Client`], on which the interface's trait is implemented.
pub struct HostInterface<I: ?Sized + Interface> {
    client: Client<I>,
}

// SAFETY: `plugin.h` makes the methods of host-offered interfaces callable
// from any thread, concurrently.
unsafe impl<I: ?Sized + Interface> Send for HostInterface<I> {}
// SAFETY: as above.
unsafe impl<I: ?Sized + Interface> Sync for HostInterface<I> {}

impl<I: ?Sized + Interface> Deref for HostInterface<I> {
    type Target = Client<I>;

    fn deref(&self) -> &Client<I> {
        &self.client
    }
}
