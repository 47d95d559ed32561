//! The status code every fallible call across the boundary returns.

use core::fmt;

/// A `tenon_status`: the result code of a call across the plugin boundary.
///
/// The named constants mirror the `TENON_*` codes of `plugin.h`. Values from
/// [`Status::INTERFACE_FIRST`] up are defined by individual interfaces.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Status(pub i32);

impl Status {
    /// Success (`TENON_OK`).
    pub const OK: Status = Status(tenon_sys::TENON_OK);
    /// A failure with no more specific code (`TENON_ERROR`).
    pub const ERROR: Status = Status(tenon_sys::TENON_ERROR);
    /// The thing asked for does not exist (`TENON_NOT_FOUND`).
    pub const NOT_FOUND: Status = Status(tenon_sys::TENON_NOT_FOUND);
    /// An argument was rejected (`TENON_INVALID_ARGUMENT`).
    pub const INVALID_ARGUMENT: Status = Status(tenon_sys::TENON_INVALID_ARGUMENT);
    /// Memory or buffer space ran out (`TENON_OUT_OF_MEMORY`).
    pub const OUT_OF_MEMORY: Status = Status(tenon_sys::TENON_OUT_OF_MEMORY);
    /// A panic or exception was caught at the boundary (`TENON_PANIC`).
    pub const PANIC: Status = Status(tenon_sys::TENON_PANIC);
    /// The operation is not supported (`TENON_UNSUPPORTED`).
    pub const UNSUPPORTED: Status = Status(tenon_sys::TENON_UNSUPPORTED);
    /// The plugin's process died during the call (`TENON_CRASHED`).
    /// Host-reported, for an isolated plugin; plugins never return it.
    pub const CRASHED: Status = Status(tenon_sys::TENON_CRASHED);
    /// The call outlived its deadline and the plugin's process was killed
    /// (`TENON_TIMED_OUT`). Host-reported; plugins never return it.
    pub const TIMED_OUT: Status = Status(tenon_sys::TENON_TIMED_OUT);
    /// The instance lived in a plugin process that has died
    /// (`TENON_INSTANCE_LOST`). Host-reported; plugins never return it.
    pub const INSTANCE_LOST: Status = Status(tenon_sys::TENON_INSTANCE_LOST);
    /// The first code an interface may define for itself.
    pub const INTERFACE_FIRST: Status = Status(tenon_sys::TENON_STATUS_INTERFACE_FIRST);

    /// Whether this is [`Status::OK`].
    pub const fn is_ok(self) -> bool {
        self.0 == tenon_sys::TENON_OK
    }

    /// Whether this is one of the host-reported faults
    /// ([`Status::CRASHED`], [`Status::TIMED_OUT`],
    /// [`Status::INSTANCE_LOST`]), which a plugin must never return.
    pub const fn is_fault(self) -> bool {
        matches!(
            self.0,
            tenon_sys::TENON_CRASHED | tenon_sys::TENON_TIMED_OUT | tenon_sys::TENON_INSTANCE_LOST
        )
    }

    /// The stable snake_case name of a code defined by `plugin.h`, or `None`
    /// for an interface-defined or unknown code.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            Status::OK => "ok",
            Status::ERROR => "error",
            Status::NOT_FOUND => "not_found",
            Status::INVALID_ARGUMENT => "invalid_argument",
            Status::OUT_OF_MEMORY => "out_of_memory",
            Status::PANIC => "panic",
            Status::UNSUPPORTED => "unsupported",
            Status::CRASHED => "crashed",
            Status::TIMED_OUT => "timed_out",
            Status::INSTANCE_LOST => "instance_lost",
            _ => return None,
        })
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "status {}", self.0),
        }
    }
}
