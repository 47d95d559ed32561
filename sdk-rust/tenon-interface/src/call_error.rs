//! The error of one call across the plugin boundary.

use crate::Status;
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
}

/// Failures found on the caller's side rather than reported by the callee.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// The callee's own status.
    Status,
    InvalidOutput,
    ReentrantCall,
    InstanceDestroyed,
}

/// The result of a call across the plugin boundary; `T` defaults to `()`.
pub type CallResult<T = ()> = Result<T, CallError>;

impl CallError {
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
    /// UTF-8, a corrupted buffer); the plugin itself reported success.
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

    /// A stable snake_case name for the kind of failure: `invalid_output`,
    /// `reentrant_call`, `instance_destroyed`, the status name
    /// (`not_found`, `panic`, …), or `interface_status` for codes defined by
    /// an interface.
    pub fn kind_name(&self) -> &'static str {
        match self.detail.kind {
            Kind::InvalidOutput => "invalid_output",
            Kind::ReentrantCall => "reentrant_call",
            Kind::InstanceDestroyed => "instance_destroyed",
            Kind::Status => self.detail.status.name().unwrap_or("interface_status"),
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
            .finish()
    }
}

impl std::error::Error for CallError {}
