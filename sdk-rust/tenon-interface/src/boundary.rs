//! The edge where Rust code is called from C: nothing unwinds past it.

use crate::buffer::append;
use crate::{CallError, Status};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tenon_sys::{tenon_buffer, tenon_status};

/// Runs `body` for a C caller and turns its outcome into a `tenon_status`:
/// `Ok` is `TENON_OK`; an error writes its message into `error` and returns
/// its status; a panic writes `panic: <message>` and returns `TENON_PANIC`.
///
/// # Safety
///
/// `error` must be NULL or a `tenon_buffer` lent to the current call.
pub unsafe fn guard(
    error: *mut tenon_buffer,
    body: impl FnOnce() -> Result<(), CallError>,
) -> tenon_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return Status::OK.0,
        Ok(Err(failure)) => failure,
        Err(payload) => CallError::new(
            Status::PANIC,
            format!("panic: {}", panic_message(&*payload)),
        ),
    };
    if !error.is_null() {
        // A message that cannot be stored is dropped: the status alone
        // still reports the failure.
        // SAFETY: forwarded to the caller.
        let _ = unsafe { append(error, failure.message().as_bytes()) };
    }
    failure.status().0
}

/// The text of a panic payload (`panic!` with a literal or a format).
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic with a non-string payload"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::HostBuffer;

    #[test]
    fn a_panic_becomes_a_panic_status_with_its_message() {
        let mut error = HostBuffer::new();
        // SAFETY: a live HostBuffer.
        let status = unsafe { guard(error.as_raw(), || panic!("boom {}", 42)) };
        assert_eq!(Status(status), Status::PANIC);
        assert_eq!(error.into_message(), "panic: boom 42");
    }

    #[test]
    fn an_error_keeps_its_status_and_message() {
        let mut error = HostBuffer::new();
        // SAFETY: a live HostBuffer.
        let status = unsafe { guard(error.as_raw(), || Err(CallError::not_found("no key \"k\""))) };
        assert_eq!(Status(status), Status::NOT_FOUND);
        assert_eq!(error.into_message(), "no key \"k\"");
    }
}
