//! `create` and `destroy` for a Rust plugin type.

use crate::host::KeptHost;
use crate::{Host, Plugin};
use core::ffi::c_void;
use std::sync::Arc;
use tenon_interface::sys::{tenon_buffer, tenon_host, tenon_status, tenon_str};
use tenon_interface::{boundary, raw, CallError, CallGuard, Status};

/// What an instance pointer points to: the plugin's value first, so the
/// pointer is also a `*const T` for the vtable shims, and the guard of the
/// host table that `destroy` closes.
#[repr(C)]
struct Hosted<T> {
    value: T,
    guard: Arc<CallGuard>,
}

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
    crate::panics::install();
    let guard = CallGuard::new();
    let call_scope = ();
    // SAFETY: forwarded from the caller: `error` and `config` are lent for
    // this call, `host` is valid until destroy returns, and the guard is
    // closed before that (or below, if create fails).
    let status = unsafe {
        boundary::guard(error, || {
            if out_instance.is_null() {
                return Err(CallError::invalid_argument(
                    "create received a NULL out_instance",
                ));
            }
            let config = raw::str(config, &call_scope)?;
            let kept = KeptHost::new(host, Arc::clone(&guard));
            let value = crate::panics::creating(&kept, || T::create(Host::new(&kept), config))?;
            crate::panics::instance_created(kept.clone());
            let hosted = Box::new(Hosted {
                value,
                guard: Arc::clone(&guard),
            });
            *out_instance = Box::into_raw(hosted).cast();
            Ok(())
        })
    };
    if status != Status::OK.0 {
        // No destroy will follow: whatever `create` kept or started must
        // stop using the host now.
        guard.close();
    }
    status
}

/// The descriptor's `destroy`: drops the `T` that `create` made, then
/// refuses every later call through what it kept of the host and waits for
/// those in flight.
///
/// # Safety
///
/// Called by the host as `plugin.h` describes `destroy`.
pub unsafe extern "C" fn destroy<T: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // SAFETY: `instance` came from `Box::into_raw` in `create::<T>`, and the
    // host calls destroy exactly once for it.
    let hosted = unsafe { Box::from_raw(instance.cast::<Hosted<T>>()) };
    let guard = Arc::clone(&hosted.guard);
    // `T`'s `Drop` may still log or join its threads, which may still call
    // the host. A panic in it cannot be reported (destroy has no status)
    // and must not unwind into the host; the instance is gone either way.
    let _ = boundary::catch(move || drop(hosted));
    guard.close();
    crate::panics::instance_destroyed();
}
