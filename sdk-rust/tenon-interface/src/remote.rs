//! Carrying calls across a process boundary: the [`Remote`] a proxy
//! vtable sends its calls to, the [`ProxyInstance`] that proxy vtables
//! receive as their instance, and what the code [`interface!`](crate::interface)
//! generates runs around each proxied and each dispatched call.

use crate::buffer::{append_message, HostBuffer};
use crate::fault::{clear_pending, set_pending};
use crate::{boundary, CallError, Status, WireArg};
use core::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tenon_sys::{tenon_buffer, tenon_status};

pub use crate::fault::{report_fault, report_invalid_output, set_fault, Fault};

/// Where a proxy's calls go. Implemented by the isolation runtime (and by a
/// loopback in tests), once per instance and interface: a proxy vtable
/// ([`Interface::PROXY_VTABLE`](crate::Interface::PROXY_VTABLE)) with a
/// [`ProxyInstance`] holding a `Remote` as its instance is a C vtable like
/// any other, whose calls end up here.
///
/// ```
/// use std::sync::Arc;
/// use tenon_interface::{remote, sys, Client, Fault, Interface, ProxyInstance, Remote, Status, WireArg};
/// # #[repr(C)] #[derive(Clone, Copy)] pub struct example_greeter_v1 { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, sys::tenon_str, *mut sys::tenon_buffer, *mut sys::tenon_buffer) -> sys::tenon_status> }
/// # tenon_interface::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = example_greeter_v1;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
///
/// /// A remote whose process is always gone.
/// struct Gone;
///
/// impl Remote for Gone {
///     unsafe fn call(
///         &self,
///         _method: u32,
///         _args: &[WireArg<'_>],
///         _out: *mut sys::tenon_buffer,
///         _error: *mut sys::tenon_buffer,
///     ) -> sys::tenon_status {
///         remote::set_fault(Fault::InstanceLost);
///         Status::INSTANCE_LOST.0
///     }
/// }
///
/// let proxy = Arc::new(ProxyInstance::new(Arc::new(Gone)));
/// // SAFETY: the interface's proxy vtable, with a proxy instance that
/// // outlives the client.
/// let greeter = unsafe {
///     Client::<dyn Greeter>::new(proxy.as_ptr(), <dyn Greeter as Interface>::PROXY_VTABLE)
/// };
/// let error = greeter.greet("Ada").unwrap_err();
/// assert_eq!(error.kind_name(), "instance_lost");
/// assert_eq!(error.fault(), Some(&Fault::InstanceLost));
/// ```
pub trait Remote: Send + Sync {
    /// Calls method number `method` (an index into
    /// [`Interface::METHODS`](crate::Interface::METHODS)) with `args`, one
    /// per argument of that method, of its kinds.
    ///
    /// The result is appended to `out`: for a text or bytes result, its
    /// bytes; for a scalar, its little-endian bytes at its C width (one
    /// byte, 0 or 1, for `bool`); for a method without a result `out` is
    /// NULL. A failure message is appended to `error`. Returns `TENON_OK`,
    /// the status the far side's method returned, or a host-side fault
    /// status (`TENON_CRASHED`, `TENON_TIMED_OUT`, `TENON_INSTANCE_LOST`),
    /// in which case it calls [`report_fault`] (or at least [`set_fault`])
    /// just before returning, on the calling thread.
    ///
    /// A `Remote` may run host callbacks on the calling thread while it
    /// waits (a plugin calling back into its host during the call).
    ///
    /// # Safety
    ///
    /// `out` is NULL or a live `tenon_buffer` lent for this call; `error`
    /// is a live `tenon_buffer` lent for this call. Both must be grown only
    /// through their `reserve` (as [`append`](crate::append) does).
    unsafe fn call(
        &self,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut tenon_buffer,
        error: *mut tenon_buffer,
    ) -> tenon_status;
}

/// What a proxy vtable receives as its instance: the [`Remote`] its calls
/// go to. Pass [`ProxyInstance::as_ptr`] wherever an instance pointer is
/// expected (to [`Client::new`](crate::Client::new), or to a plugin as the
/// instance of a host table).
///
/// The pointer must be valid when each call starts; each call then holds
/// its own strong reference to the `Remote` until it returns, so a call
/// during which the `ProxyInstance` is dropped (a host callback that
/// destroys the instance calling it) still finishes safely.
pub struct ProxyInstance {
    remote: Arc<dyn Remote>,
}

impl ProxyInstance {
    /// A proxy instance whose calls go to `remote`.
    pub fn new(remote: Arc<dyn Remote>) -> Self {
        ProxyInstance { remote }
    }

    /// The `Remote` this instance's calls go to.
    pub fn remote(&self) -> &Arc<dyn Remote> {
        &self.remote
    }

    /// The instance pointer to pass with a proxy vtable; valid while `self`
    /// is neither moved nor dropped. Keep the `ProxyInstance` in an `Arc`
    /// (a `Box` that is moved after this call invalidates the pointer under
    /// Rust's aliasing rules).
    pub fn as_ptr(&self) -> *mut c_void {
        (self as *const ProxyInstance).cast_mut().cast()
    }
}

impl core::fmt::Debug for ProxyInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProxyInstance").finish_non_exhaustive()
    }
}

/// Runs `body` for a proxy slot: finds the `Remote` of `instance` (and
/// holds it for the call), lends an error buffer if the caller passed none,
/// and keeps every failure on this side (a bad argument, a result of the
/// wrong width, a panic) behind the same boundary as every shim, with its
/// kind recorded for the client's check.
///
/// # Safety
///
/// `instance` must be NULL or [`ProxyInstance::as_ptr`] of a live
/// `ProxyInstance`; `error` NULL or a buffer lent to this call.
#[doc(hidden)]
pub unsafe fn proxy(
    instance: *mut c_void,
    error: *mut tenon_buffer,
    body: impl FnOnce(&dyn Remote, *mut tenon_buffer) -> Result<tenon_status, CallError>,
) -> tenon_status {
    // Whatever a proxy call left for a caller that never checked it (one
    // in C) must not be taken by this call's caller.
    clear_pending();
    let mut spare = HostBuffer::new();
    let error = if error.is_null() {
        spare.as_raw()
    } else {
        error
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if instance.is_null() {
            return Err(CallError::invalid_argument(
                "a proxy was called with a NULL instance",
            ));
        }
        // SAFETY: by the caller, a live `ProxyInstance`; the clone keeps
        // the `Remote` alive until this call returns, whatever happens to
        // the `ProxyInstance` meanwhile.
        let remote = Arc::clone(unsafe { &(*instance.cast::<ProxyInstance>()).remote });
        body(&*remote, error)
    }));
    // SAFETY: `error` is the caller's buffer or `spare`, lent to this call.
    unsafe { settle(outcome, error, true) }
}

/// Runs `body` for a dispatched call (the far side), behind the panic
/// boundary. A plugin that returns one of the host-reported fault statuses
/// gets `TENON_ERROR` instead: only the host that carries the call may
/// report a fault.
///
/// # Safety
///
/// `error` must be NULL or a buffer lent to this call.
#[doc(hidden)]
pub unsafe fn dispatch(
    error: *mut tenon_buffer,
    body: impl FnOnce() -> Result<tenon_status, CallError>,
) -> tenon_status {
    let outcome = catch_unwind(AssertUnwindSafe(body)).map(|result| {
        result.and_then(|status| {
            if Status(status).is_fault() {
                Err(CallError::failed(format!(
                    " (the plugin returned {}, a status only hosts report; reported as error)",
                    Status(status)
                )))
            } else {
                Ok(status)
            }
        })
    });
    // SAFETY: forwarded to the caller.
    unsafe { settle(outcome, error, false) }
}

/// The status of a call's outcome, its failure's message appended to
/// `error`, and, for a proxy, its detail recorded for the client's check.
///
/// # Safety
///
/// `error` must be NULL or a buffer lent to this call.
unsafe fn settle(
    outcome: std::thread::Result<Result<tenon_status, CallError>>,
    error: *mut tenon_buffer,
    record: bool,
) -> tenon_status {
    let failure = match outcome {
        Ok(Ok(status)) => return status,
        Ok(Err(failure)) => failure,
        Err(payload) => {
            let failure = CallError::new(
                Status::PANIC,
                format!("panic: {}", boundary::panic_message(&*payload)),
            );
            boundary::drop_payload(payload);
            failure
        }
    };
    if !error.is_null() {
        // SAFETY: forwarded to the caller. A message too long is cut, one
        // that cannot be stored is dropped; the status still reports the
        // failure.
        unsafe { append_message(error, failure.message()) };
    }
    let status = failure.status().0;
    if record {
        set_pending(failure);
    }
    status
}
