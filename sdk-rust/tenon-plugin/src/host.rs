//! The services a host offers to a plugin instance.

use tenon_interface::sys::{tenon_host, tenon_log_level, tenon_str};

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

/// The host that created an instance: its log, for now.
///
/// Valid until the instance is destroyed, so an instance may keep it.
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
