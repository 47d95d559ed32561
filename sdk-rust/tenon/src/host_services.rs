//! The `tenon_host` table each instance receives: the plugin's way into the
//! host's log and into the interfaces the host offers.

use crate::sys::{self, tenon_host, tenon_log_level, tenon_str};
use crate::HostServices;
use core::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A host table and what its callbacks need. `raw` is the first field so a
/// `*const tenon_host` handed to the plugin leads back to the whole struct.
#[repr(C)]
pub(crate) struct HostTable {
    raw: tenon_host,
    plugin: String,
    services: HostServices,
}

impl HostTable {
    /// A table for one instance of the named plugin. Boxed so that its
    /// address stays fixed for the instance's life.
    pub(crate) fn new(plugin: &str, services: HostServices) -> Box<Self> {
        Box::new(HostTable {
            raw: tenon_host {
                struct_size: size_of::<tenon_host>() as u32,
                abi_major: sys::TENON_ABI_MAJOR,
                abi_minor: sys::TENON_ABI_MINOR,
                host_data: core::ptr::null_mut(),
                log: Some(log),
                get_interface: Some(get_interface),
            },
            plugin: plugin.to_owned(),
            services,
        })
    }

    /// The pointer to pass to `create`.
    pub(crate) fn as_raw(&self) -> *const tenon_host {
        &self.raw
    }
}

/// `tenon_host.log`: forwards to `tracing` under the target `tenon::plugin`
/// with the plugin's name as the `plugin` field.
unsafe extern "C" fn log(host: *const tenon_host, level: tenon_log_level, message: tenon_str) {
    if host.is_null() {
        return;
    }
    // SAFETY: the plugin passes back the table it was given, which is the
    // first field of a live `HostTable` (valid until its destroy returns).
    let table = unsafe { &*host.cast::<HostTable>() };
    let bytes = if message.ptr.is_null() || message.len == 0 {
        &[][..]
    } else {
        // SAFETY: `plugin.h` makes the message a slice borrowed for the call.
        unsafe { core::slice::from_raw_parts(message.ptr.cast::<u8>(), message.len) }
    };
    let text = String::from_utf8_lossy(bytes);
    let plugin = table.plugin.as_str();
    // A subscriber that panics must not unwind into the plugin.
    let _ = catch_unwind(AssertUnwindSafe(|| match level {
        sys::TENON_LOG_ERROR => tracing::error!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_WARN => tracing::warn!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_DEBUG => tracing::debug!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_TRACE => tracing::trace!(target: "tenon::plugin", plugin, "{text}"),
        _ => tracing::info!(target: "tenon::plugin", plugin, "{text}"),
    }));
}

/// `tenon_host.get_interface`: looks the id and version up among the
/// interfaces the host offered this instance ([`HostServices`]).
unsafe extern "C" fn get_interface(
    host: *const tenon_host,
    id: tenon_str,
    version: u32,
    out_instance: *mut *mut c_void,
) -> *const c_void {
    let found = if host.is_null() || (id.ptr.is_null() && id.len != 0) {
        None
    } else {
        // SAFETY: as in `log`: the table is the first field of a live
        // `HostTable`.
        let table = unsafe { &*host.cast::<HostTable>() };
        let id = if id.len == 0 {
            &[][..]
        } else {
            // SAFETY: `plugin.h` makes the id a slice borrowed for the call.
            unsafe { core::slice::from_raw_parts(id.ptr.cast::<u8>(), id.len) }
        };
        table.services.find(id, version)
    };
    let (vtable, instance) = found.unwrap_or((core::ptr::null(), core::ptr::null_mut()));
    if !out_instance.is_null() {
        // SAFETY: a non-NULL out-parameter from the plugin, for this call.
        unsafe { out_instance.write(instance) };
    }
    vtable
}
