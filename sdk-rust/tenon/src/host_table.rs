//! The `tenon_host` table each instance receives: the plugin's way into the
//! host's log and into the interfaces the host offers ([`HostServices`]).

use crate::sys::{self, tenon_host, tenon_log_level, tenon_str};
use crate::HostServices;
use core::ffi::c_void;
use core::ptr::NonNull;
use tenon_interface::{boundary, raw};

/// What the callbacks of one instance's table need.
#[repr(C)]
struct Table {
    raw: tenon_host,
    plugin: String,
    services: HostServices,
}

/// One instance's host table, at a fixed address from before `create` until
/// after `destroy` has returned (the owner drops it then, as `plugin.h`
/// promises).
///
/// The table is held as a raw pointer from `Box::into_raw`, not as a `Box`:
/// the plugin keeps a pointer into it, which moving a `Box` would
/// invalidate. The callbacks find the table through `host_data`, a pointer
/// to the whole table, never by casting the plugin's pointer back.
pub(crate) struct HostTable {
    table: NonNull<Table>,
}

// SAFETY: the table is immutable after construction and its callbacks are
// [any-thread]; `HostServices` is `Send + Sync`.
unsafe impl Send for HostTable {}

impl HostTable {
    /// A table for one instance of the named plugin.
    pub(crate) fn new(plugin: &str, services: HostServices) -> Self {
        let table = Box::into_raw(Box::new(Table {
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
        }));
        // SAFETY: just allocated, and not yet shared with anyone.
        unsafe { (*table).raw.host_data = table.cast::<c_void>() };
        HostTable {
            // SAFETY: `Box::into_raw` never returns NULL.
            table: unsafe { NonNull::new_unchecked(table) },
        }
    }

    /// The pointer to pass to `create`.
    pub(crate) fn as_raw(&self) -> *const tenon_host {
        self.table.as_ptr().cast_const().cast::<tenon_host>()
    }
}

impl Drop for HostTable {
    fn drop(&mut self) {
        // SAFETY: allocated by `Box::into_raw` in `new` and freed only here.
        drop(unsafe { Box::from_raw(self.table.as_ptr()) });
    }
}

/// The table behind a `tenon_host` pointer a plugin passed back.
///
/// # Safety
///
/// `host` must be NULL or a table from [`HostTable::as_raw`] (or a copy of
/// one) whose instance has not been destroyed.
unsafe fn table<'a>(host: *const tenon_host) -> Option<&'a Table> {
    if host.is_null() {
        return None;
    }
    // SAFETY: by the caller, `host` is readable and its `host_data` is the
    // whole table set in `HostTable::new`, alive until destroy returns.
    unsafe { (*host).host_data.cast::<Table>().as_ref() }
}

/// `tenon_host.log`: forwards to `tracing` under the target `tenon::plugin`
/// with the plugin's name as the `plugin` field.
unsafe extern "C" fn log(host: *const tenon_host, level: tenon_log_level, message: tenon_str) {
    // SAFETY: the plugin passes back the table it was given, valid until
    // its destroy returns (`plugin.h`).
    let Some(table) = (unsafe { table(host) }) else {
        return;
    };
    // A line at a level nothing in this process listens to is not read at
    // all: plugins log as they start, and decoding a message only for
    // `tracing` to drop it is most of what a first instance costs a host
    // without a subscriber. Listening are a `tracing` subscriber at that
    // level or, before any subscriber was set, a `log` logger (where
    // `tracing`'s `log` feature forwards events); both are atomic reads.
    let (listened, as_log) = match level {
        sys::TENON_LOG_ERROR => (
            tracing::level_enabled!(tracing::Level::ERROR),
            log::Level::Error,
        ),
        sys::TENON_LOG_WARN => (
            tracing::level_enabled!(tracing::Level::WARN),
            log::Level::Warn,
        ),
        sys::TENON_LOG_DEBUG => (
            tracing::level_enabled!(tracing::Level::DEBUG),
            log::Level::Debug,
        ),
        sys::TENON_LOG_TRACE => (
            tracing::level_enabled!(tracing::Level::TRACE),
            log::Level::Trace,
        ),
        _ => (
            tracing::level_enabled!(tracing::Level::INFO),
            log::Level::Info,
        ),
    };
    if !listened && (tracing::dispatcher::has_been_set() || as_log > log::max_level()) {
        return;
    }
    let scope = ();
    // SAFETY: `plugin.h` makes the message a slice borrowed for the call.
    let text = match unsafe { raw::str_bytes(message, &scope) } {
        Ok(bytes) => String::from_utf8_lossy(bytes),
        Err(unreadable) => format!("(an unreadable log message: {})", unreadable.message()).into(),
    };
    let plugin = table.plugin.as_str();
    // A subscriber that panics must not unwind into the plugin.
    let _ = boundary::catch(|| match level {
        sys::TENON_LOG_ERROR => tracing::error!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_WARN => tracing::warn!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_DEBUG => tracing::debug!(target: "tenon::plugin", plugin, "{text}"),
        sys::TENON_LOG_TRACE => tracing::trace!(target: "tenon::plugin", plugin, "{text}"),
        _ => tracing::info!(target: "tenon::plugin", plugin, "{text}"),
    });
}

/// `tenon_host.get_interface`: looks the id and version up among the
/// interfaces the host offered this instance ([`HostServices`]).
unsafe extern "C" fn get_interface(
    host: *const tenon_host,
    id: tenon_str,
    version: u32,
    out_instance: *mut *mut c_void,
) -> *const c_void {
    let scope = ();
    // SAFETY: as in `log`; the id is a slice borrowed for the call.
    let found = match (unsafe { table(host) }, unsafe {
        raw::str_bytes(id, &scope)
    }) {
        (Some(table), Ok(id)) => {
            let found = table.services.find(id, version);
            lookup(
                &table.plugin,
                &String::from_utf8_lossy(id),
                version,
                found.is_some(),
            );
            found
        }
        _ => None,
    };
    let (vtable, instance) = found.unwrap_or((core::ptr::null(), core::ptr::null_mut()));
    if !out_instance.is_null() {
        // SAFETY: a non-NULL out-parameter from the plugin, for this call.
        unsafe { out_instance.write(instance) };
    }
    vtable
}

/// Reports a plugin's `get_interface` lookup as a `tracing` event (target
/// `tenon::host`, level debug): what a plugin asked its host for is how a
/// `create` that fails for want of a service is explained (`tenon check`
/// does). Isolated plugins' lookups are reported the same way, by the host
/// side of the child's channel.
pub(crate) fn lookup(plugin: &str, id: &str, version: u32, offered: bool) {
    // A subscriber that panics must not unwind into the plugin.
    let _ = boundary::catch(|| {
        tracing::debug!(
            target: "tenon::host",
            plugin,
            interface = id,
            version,
            offered,
            "the plugin looked up a host service"
        )
    });
}
