//! The panic boundary every exported function runs its body in: a Rust
//! panic must never unwind into C (undefined behaviour) nor abort the
//! host, so it becomes an error of kind `panic`, or the function's
//! documented failure value.

use crate::error::{tenon_error, CError};
use crate::handle::into_handle;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs a fallible body: NULL on success, else a new error the caller owns.
pub(crate) fn fallible(body: impl FnOnce() -> Result<(), CError>) -> *mut tenon_error {
    // Unwind safety: a panic leaves at most a half-built handle behind,
    // which was never registered, so C cannot reach it.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => core::ptr::null_mut(),
        Ok(Err(error)) => into_handle(error.into_c()),
        Err(payload) => into_handle(CError::panic(payload.as_ref()).into_c()),
    }
}

/// Runs an infallible body, giving `on_panic` if it panics.
pub(crate) fn infallible<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}
