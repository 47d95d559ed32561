//! Interfaces a C host implements and offers to its plugins.

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, tenon_error, CError};
use crate::handle::{borrow_mut, into_handle, release, Handle, Kind};
use core::ffi::c_void;
use std::sync::Arc;

/// The interfaces a host offers its plugins' instances. Opaque; made by
/// `tenon_services_new`, freed with `tenon_services_free`, given to
/// `tenon_options_services`.
pub struct tenon_services {
    pub(crate) services: tenon::HostServices,
}

impl Handle for tenon_services {
    const KIND: Kind = Kind::Services;
}

/// Called once no plugin instance can call an offer any more, with the
/// offer's instance pointer: where the host frees it.
pub type tenon_release_fn = Option<unsafe extern "C" fn(instance: *mut c_void)>;

/// Calls the host's release function when the last holder of an offer
/// goes away.
struct Release {
    release: tenon_release_fn,
    instance: *mut c_void,
}

// SAFETY: the host promises (`tenon_services_offer`) that the instance may
// be used, and released, from any thread.
unsafe impl Send for Release {}
// SAFETY: as above; `Release` itself is never changed.
unsafe impl Sync for Release {}

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: called once, when no instance can call the offer any
            // more, as `tenon_services_offer` promises the host.
            unsafe { release(self.instance) };
        }
    }
}

/// No offers.
///
/// Ownership: the caller owns the result and frees it with
/// `tenon_services_free`. Never NULL.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_services_new() -> *mut tenon_services {
    infallible(core::ptr::null_mut(), || {
        into_handle(tenon_services {
            services: tenon::HostServices::new(),
        })
    })
}

/// Frees a services object. Offers already given to options (and through
/// them to plugins) stay alive until their last user is gone. NULL is a
/// no-op, and so is a pointer that is not a live services object.
///
/// Threads: any thread, once no other call uses `services`.
#[no_mangle]
pub extern "C" fn tenon_services_free(services: *mut tenon_services) {
    infallible((), || drop(release(services)));
}

/// Offers interface `id` (NUL-terminated UTF-8, copied) at `version`,
/// implemented by `vtable` (the interface's C vtable, `struct_size` set,
/// no NULL method) called with `instance` as first argument. An earlier
/// offer of the same id and version is replaced.
///
/// Ownership: `vtable` and `instance` stay the host's and must stay valid
/// until `release(instance)` is called, which libtenon does exactly once,
/// when neither `services`, nor options, nor any plugin instance given the
/// offer remains (`release` may be NULL: nothing is called). On error,
/// `release` is never called. Returns NULL, or an error the caller frees.
///
/// Threads: the offer's methods are called from whatever threads the
/// plugins use, and `release` from whichever thread drops the last user:
/// the implementation must be thread-safe. One thread at a time per
/// services object.
#[no_mangle]
pub extern "C" fn tenon_services_offer(
    services: *mut tenon_services,
    id: *const core::ffi::c_char,
    version: u32,
    vtable: *const c_void,
    instance: *mut c_void,
    release: tenon_release_fn,
) -> *mut tenon_error {
    fallible(|| {
        let services = borrow_mut(services, "services")?;
        let id = c_str(id, "id")?;
        if vtable.is_null() {
            return Err(CError::null_argument("vtable"));
        }
        let owner = Arc::new(Release { release, instance });
        // SAFETY: the host promises the vtable's layout and the lifetime of
        // both pointers until `release`, which `owner` calls when dropped.
        services.services = unsafe {
            services
                .services
                .clone()
                .offer_raw(id, version, vtable, instance, owner)
        };
        Ok(())
    })
}
