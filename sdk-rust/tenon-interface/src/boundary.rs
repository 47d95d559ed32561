//! The edge where Rust code is called from C: nothing unwinds past it.

use crate::buffer::append_message;
use crate::{CallError, Status};
use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tenon_sys::{tenon_buffer, tenon_status};

thread_local! {
    /// How many boundaries (`guard`, `catch`) this thread is inside.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Whether this thread is running code behind a boundary of this crate
/// ([`guard`], [`catch`]), where a panic is caught and reported as a
/// status: what a panic hook asks to tell such a panic (reported to the
/// caller) from one that will unwind a thread of the program's own.
pub fn inside() -> bool {
    DEPTH.with(|depth| depth.get() > 0)
}

/// `catch_unwind`, counted in [`inside`].
fn catch_counted<R>(body: impl FnOnce() -> R) -> std::thread::Result<R> {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            DEPTH.with(|depth| depth.set(depth.get() - 1));
        }
    }
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    let _leave = Leave;
    catch_unwind(AssertUnwindSafe(body))
}

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
    let failure = match catch_counted(body) {
        Ok(Ok(())) => return Status::OK.0,
        Ok(Err(failure)) => failure,
        Err(payload) => {
            let failure = CallError::new(
                Status::PANIC,
                format!("panic: {}", panic_message(&*payload)),
            );
            drop_payload(payload);
            failure
        }
    };
    if !error.is_null() {
        // A message too long for the buffer is cut; one that cannot be
        // stored at all is dropped: the status alone still reports the
        // failure.
        // SAFETY: forwarded to the caller.
        unsafe { append_message(error, failure.message()) };
    }
    failure.status().0
}

/// Drops a caught panic payload without letting a panic in its `Drop`
/// escape: a payload whose destructor panics is caught, and so is the
/// payload of that panic; one that still panics when dropped is leaked.
/// Every place that catches a panic at the boundary ends with this, so that
/// the host goes on even then.
pub fn drop_payload(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    for _ in 0..3 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(next) => payload = next,
        }
    }
    core::mem::forget(payload);
}

/// Runs `body`, catching a panic; the payload is dropped with
/// [`drop_payload`], and its message is returned.
pub fn catch<R>(body: impl FnOnce() -> R) -> Result<R, String> {
    catch_counted(body).map_err(|payload| {
        let message = panic_message(&*payload).to_owned();
        drop_payload(payload);
        message
    })
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

    /// A payload whose destructor panics too.
    struct Bomb;

    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("the payload's drop panics");
        }
    }

    #[test]
    fn a_payload_whose_drop_panics_does_not_escape() {
        let mut error = HostBuffer::new();
        // SAFETY: a live HostBuffer.
        let status = unsafe { guard(error.as_raw(), || std::panic::panic_any(Bomb)) };
        assert_eq!(Status(status), Status::PANIC);
        assert_eq!(
            error.into_message(),
            "panic: a panic with a non-string payload"
        );
        assert_eq!(
            catch(|| std::panic::panic_any(Bomb)).unwrap_err(),
            "a panic with a non-string payload"
        );
    }

    #[test]
    fn inside_is_true_only_behind_a_boundary() {
        assert!(!inside());
        let mut error = HostBuffer::new();
        // SAFETY: a live HostBuffer.
        let status = unsafe {
            guard(error.as_raw(), || {
                assert!(inside());
                Ok(())
            })
        };
        assert_eq!(Status(status), Status::OK);
        assert_eq!(catch(inside), Ok(true));
        let _ = catch(|| panic!("out"));
        assert!(!inside());
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
