//! `create` and `destroy` for a Rust plugin type.

use crate::{Host, Plugin};
use core::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tenon_interface::sys::{tenon_buffer, tenon_host, tenon_status, tenon_str};
use tenon_interface::{boundary, Arg, CallError};

/// The descriptor's `create`: builds a `T` and hands it to the host.
///
/// # Safety
///
/// Called by the host as `plugin.h` describes `create`.
pub unsafe extern "C" fn create<T: Plugin>(
    host: *const tenon_host,
    config: tenon_str,
    out_instance: *mut *mut c_void,
    error: *mut tenon_buffer,
) -> tenon_status {
    // SAFETY: forwarded from the caller: `error` is lent for this call.
    unsafe {
        boundary::guard(error, || {
            if out_instance.is_null() {
                return Err(CallError::invalid_argument(
                    "create received a NULL out_instance",
                ));
            }
            let config = <&str as Arg>::from_raw(config)?;
            let instance = T::create(Host::from_raw(host), config)?;
            *out_instance = Box::into_raw(Box::new(instance)).cast();
            Ok(())
        })
    }
}

/// The descriptor's `destroy`: drops the `T` that `create` made.
///
/// # Safety
///
/// Called by the host as `plugin.h` describes `destroy`.
pub unsafe extern "C" fn destroy<T: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panic in `Drop` cannot be reported (destroy has no status) and must
    // not unwind into the host; the instance is gone either way.
    // SAFETY: `instance` came from `Box::into_raw` in `create::<T>`, and the
    // host calls destroy exactly once for it.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(instance.cast::<T>()) })
    }));
}
