//! The error of one call across the plugin boundary.

use crate::{Fault, Status};
use std::fmt;

/// Why a call across the plugin boundary failed: a status code and a
/// human-readable message.
///
/// Plugins return it from interface methods; hosts receive the same value
/// from their typed handles. A plugin that panics (Rust) or throws (C++)
/// produces [`Status::PANIC`] with the panic message.
///
/// It is one pointer wide, so that `CallResult<T>` for a small `T` comes back
/// in registers: the success path of every call pays nothing for the error
/// type.
#[derive(Clone, PartialEq, Eq)]
pub struct CallError {
    detail: Box<Detail>,
}

#[derive(Clone, PartialEq, Eq)]
struct Detail {
    status: Status,
    message: String,
    kind: Kind,
    /// What happened to an isolated plugin's process, for the
    /// host-reported statuses.
    fault: Option<Fault>,
}

/// Failures found on the caller's side rather than reported by the callee.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// The callee's own status.
    Status,
    InvalidOutput,
    ReentrantCall,
    InstanceDestroyed,
    NotProvided,
}

/// The result of a call across the plugin boundary; `T` defaults to `()`.
pub type CallResult<T = ()> = Result<T, CallError>;

impl CallError {
    /// Every name [`CallError::kind_name`] can return, for tools and for
    /// the test that keeps the documentation's table of kinds complete.
    pub const KIND_NAMES: &'static [&'static str] = &[
        "error",
        "not_found",
        "invalid_argument",
        "out_of_memory",
        "panic",
        "unsupported",
        "crashed",
        "timed_out",
        "instance_lost",
        "interface_status",
        "unknown_status",
        "invalid_output",
        "reentrant_call",
        "instance_destroyed",
        "not_provided",
    ];

    /// An error with the given status and message.
    ///
    /// [`Status::OK`] is not an error; it is replaced by [`Status::ERROR`] so
    /// that a failure can never be mistaken for success.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        let status = if status.is_ok() {
            Status::ERROR
        } else {
            status
        };
        CallError {
            detail: Box::new(Detail {
                status,
                message: message.into(),
                kind: Kind::Status,
                fault: None,
            }),
        }
    }

    /// A [`Status::ERROR`] with this message.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Status::ERROR, message)
    }

    /// A [`Status::NOT_FOUND`] with this message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Status::NOT_FOUND, message)
    }

    /// A [`Status::INVALID_ARGUMENT`] with this message.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Status::INVALID_ARGUMENT, message)
    }

    /// The host rejected what a plugin wrote (a result that is not valid
    /// UTF-8, a `bool` other than 0 or 1, a corrupted buffer); the plugin
    /// itself reported success.
    pub fn invalid_output(message: impl Into<String>) -> Self {
        Self::with_kind(Status::ERROR, message, Kind::InvalidOutput)
    }

    /// A call was refused because the instance, which is not thread-safe,
    /// is already in a call on this thread (a host service called back
    /// into it). Kind `reentrant_call`; nothing reached the plugin.
    pub fn reentrant_call(message: impl Into<String>) -> Self {
        Self::with_kind(Status::ERROR, message, Kind::ReentrantCall)
    }

    /// A call through something kept from a host table was refused because
    /// the instance it was given to has been destroyed. Kind
    /// `instance_destroyed`; nothing reached the host.
    pub fn instance_destroyed(message: impl Into<String>) -> Self {
        Self::with_kind(Status::ERROR, message, Kind::InstanceDestroyed)
    }

    /// A call to a method the callee does not provide: it was added in a
    /// later revision of the interface (`#[revision(N)]`) than the one the
    /// callee was built against, so its vtable ends before it. Kind
    /// `not_provided`, status [`Status::UNSUPPORTED`]; nothing reached the
    /// callee.
    pub fn not_provided(message: impl Into<String>) -> Self {
        Self::with_kind(Status::UNSUPPORTED, message, Kind::NotProvided)
    }

    /// The error of a call that met `fault` in an isolated plugin's process:
    /// its status is [`Fault::status`] (kind `crashed`, `timed_out` or
    /// `instance_lost`), and [`CallError::fault`] gives the detail.
    pub fn with_fault(fault: Fault, message: impl Into<String>) -> Self {
        let mut error = Self::new(fault.status(), message);
        error.detail.fault = Some(fault);
        error
    }

    /// What happened to the plugin's process, when the call failed because
    /// an isolated plugin crashed, timed out or lost the instance (kinds
    /// `crashed`, `timed_out`, `instance_lost`) and the host that reported it
    /// knew the detail.
    pub fn fault(&self) -> Option<&Fault> {
        self.detail.fault.as_ref()
    }

    /// This error with `message`, if that is not empty; the message a
    /// client read from the error buffer replaces the one recorded with the
    /// detail.
    pub(crate) fn with_message(mut self, message: String) -> Self {
        if !message.is_empty() {
            self.detail.message = message;
        }
        self
    }

    fn with_kind(status: Status, message: impl Into<String>, kind: Kind) -> Self {
        let mut error = Self::new(status, message);
        error.detail.kind = kind;
        error
    }

    /// The status code.
    pub fn status(&self) -> Status {
        self.detail.status
    }

    /// The message, as the plugin wrote it (invalid UTF-8 replaced).
    pub fn message(&self) -> &str {
        &self.detail.message
    }

    /// Whether the plugin returned success but its output was rejected by
    /// the host (see [`CallError::invalid_output`]).
    pub fn is_invalid_output(&self) -> bool {
        self.detail.kind == Kind::InvalidOutput
    }

    /// Whether the call was refused as re-entrant (see
    /// [`CallError::reentrant_call`]).
    pub fn is_reentrant_call(&self) -> bool {
        self.detail.kind == Kind::ReentrantCall
    }

    /// Whether the call was refused because the instance was destroyed (see
    /// [`CallError::instance_destroyed`]).
    pub fn is_instance_destroyed(&self) -> bool {
        self.detail.kind == Kind::InstanceDestroyed
    }

    /// Whether the method called is not provided by the callee (see
    /// [`CallError::not_provided`]).
    pub fn is_not_provided(&self) -> bool {
        self.detail.kind == Kind::NotProvided
    }

    /// A stable snake_case name for the kind of failure: `invalid_output`,
    /// `reentrant_call`, `instance_destroyed`, `not_provided`, the status name
    /// (`not_found`, `panic`, …, and the host-reported `crashed`,
    /// `timed_out`, `instance_lost`), `interface_status` for codes an
    /// interface defines (1000 and up), or `unknown_status` for codes
    /// `plugin.h` reserves but does not define (10–999) and negative ones.
    /// Every non-zero status is a failure, whatever its kind.
    pub fn kind_name(&self) -> &'static str {
        match self.detail.kind {
            Kind::InvalidOutput => "invalid_output",
            Kind::ReentrantCall => "reentrant_call",
            Kind::InstanceDestroyed => "instance_destroyed",
            Kind::NotProvided => "not_provided",
            Kind::Status => {
                let status = self.detail.status;
                match status.name() {
                    Some(name) => name,
                    None if status.0 >= Status::INTERFACE_FIRST.0 => "interface_status",
                    None => "unknown_status",
                }
            }
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.message.is_empty() {
            write!(f, "call failed with {} and no message", self.detail.status)
        } else {
            write!(f, "{} ({})", self.detail.message, self.detail.status)
        }
    }
}

impl fmt::Debug for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallError")
            .field("status", &self.detail.status)
            .field("message", &self.detail.message)
            .field("kind", &self.kind_name())
            .field("fault", &self.detail.fault)
            .finish()
    }
}

impl std::error::Error for CallError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_split_reserved_from_interface_codes() {
        let kind = |code| CallError::new(Status(code), "").kind_name();
        assert_eq!(kind(2), "not_found");
        assert_eq!(kind(7), "crashed");
        assert_eq!(kind(8), "timed_out");
        assert_eq!(kind(9), "instance_lost");
        assert_eq!(kind(10), "unknown_status");
        assert_eq!(kind(999), "unknown_status");
        assert_eq!(kind(-1), "unknown_status");
        assert_eq!(kind(1000), "interface_status");
        assert_eq!(kind(i32::MAX), "interface_status");
        assert_eq!(CallError::invalid_output("x").kind_name(), "invalid_output");
        assert_eq!(CallError::not_provided("x").kind_name(), "not_provided");
        assert_eq!(CallError::not_provided("x").status(), Status::UNSUPPORTED);
        for code in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1000] {
            assert!(CallError::KIND_NAMES.contains(&kind(code)), "{code}");
        }
        for error in [
            CallError::invalid_output(""),
            CallError::reentrant_call(""),
            CallError::instance_destroyed(""),
            CallError::not_provided(""),
        ] {
            assert!(CallError::KIND_NAMES.contains(&error.kind_name()));
        }
    }

    #[test]
    fn a_fault_gives_its_status_kind_and_detail() {
        let fault = Fault::Crashed {
            signal: Some(11),
            exit_code: None,
            last_words: "segfault in greet".into(),
            memory_limit: None,
        };
        let error = CallError::with_fault(fault.clone(), "gone");
        assert_eq!(error.status(), Status::CRASHED);
        assert_eq!(error.kind_name(), "crashed");
        assert_eq!(error.fault(), Some(&fault));
        assert_eq!(error.message(), "gone");
        let lost = CallError::with_fault(Fault::InstanceLost, "");
        assert_eq!(lost.kind_name(), "instance_lost");
        let timed_out = CallError::with_fault(
            Fault::TimedOut {
                deadline: std::time::Duration::from_millis(5),
            },
            "",
        );
        assert_eq!(timed_out.kind_name(), "timed_out");
        assert_eq!(CallError::new(Status::CRASHED, "").fault(), None);
        assert_eq!(
            core::mem::size_of::<CallError>(),
            core::mem::size_of::<usize>()
        );
    }
}
