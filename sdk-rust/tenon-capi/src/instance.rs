//! Plugin instances, and their interfaces as C vtables.

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, out, tenon_error, CError};
use crate::handle::{borrow, into_handle, release, Handle, Kind};
use crate::plugin::tenon_plugin;
use core::ffi::{c_char, c_void};

/// A plugin instance. Opaque; made by `tenon_instance_create`, freed with
/// `tenon_instance_free`.
pub struct tenon_instance {
    instance: tenon::Instance,
}

impl Handle for tenon_instance {
    const KIND: Kind = Kind::Instance;
}

/// Creates an instance of `plugin`, offered the services of the options it
/// was loaded with. `config` (NUL-terminated UTF-8; NULL means empty) is
/// passed to the plugin's `create` as is.
///
/// Ownership: on success `*out` is a new instance the caller frees with
/// `tenon_instance_free`, and NULL is returned; on failure `*out` is NULL
/// and an error the caller frees is returned (kind `create_failed` with
/// the plugin's message when its `create` refused). The instance keeps the
/// plugin loaded even if the plugin handle is freed first.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_instance_create(
    plugin: *const tenon_plugin,
    config: *const c_char,
    out_instance: *mut *mut tenon_instance,
) -> *mut tenon_error {
    fallible(|| {
        let out_instance = out(out_instance, "out")?;
        // SAFETY: checked non-NULL; the caller lends a writable pointer.
        unsafe { out_instance.write(core::ptr::null_mut()) };
        let plugin = borrow(plugin, "plugin")?;
        let config = if config.is_null() {
            ""
        } else {
            c_str(config, "config")?
        };
        let instance = plugin.plugin.instantiate(config)?;
        let handle = into_handle(tenon_instance { instance });
        // SAFETY: as above.
        unsafe { out_instance.write(handle) };
        Ok(())
    })
}

/// Destroys an instance (the plugin's `destroy` runs now, in process or in
/// the plugin's process). Every vtable and instance pointer obtained from
/// it becomes invalid. NULL is a no-op, and so is a pointer that is not a
/// live instance.
///
/// Threads: any thread, once no call through the instance is running.
#[no_mangle]
pub extern "C" fn tenon_instance_free(instance: *mut tenon_instance) {
    infallible((), || drop(release(instance)));
}

/// Looks up interface `id` (NUL-terminated UTF-8) at `version` and gives
/// the vtable and instance pointer to call it through:
/// `vt->method(self, ...)` with `vt = *vtable`, `self = *self_out`.
/// A plugin may offer one id at several versions; the entry of `version`
/// is given, and a plugin that offers the id at none of `version` fails
/// with kind `interface_version_mismatch`, whose message names the
/// versions it offers.
/// `vtable_size` is how much of the vtable the caller needs: the plugin's
/// vtable must cover it (else kind `vtable_too_small`), with no NULL
/// function pointer within it; less than the `uint32_t struct_size` every
/// vtable starts with is kind `invalid_argument`. For an interface of one
/// revision it is `sizeof` the interface header's struct. For one that grew
/// by appended methods (revision 2, ...), `sizeof` refuses plugins built
/// against an earlier revision: pass the size through the last method of
/// revision 1, `offsetof(type, first_method_of_revision_2)`, and call a
/// later method only when `TENON_HAS_FIELD(vtable, type, method)`
/// (`tenon/sdk.h`) holds.
///
/// For an isolated plugin the vtable is a proxy of the same C type that
/// forwards each call to the plugin's process; failures of that process
/// come back as the method's `tenon_status` with a message in its error
/// buffer. A proxy exists only for interfaces whose `interface!`
/// declaration is linked into libtenon (the default build declares the
/// example interfaces; `docs/guide-c-host.md` says how to build one that
/// declares yours); any other fails with kind `isolation_failed`. The
/// proxy's `struct_size` is the plugin's own (up to the declaration's
/// size), so `TENON_HAS_FIELD` tells the revisions apart as in process; a
/// method past it, called anyway, returns `TENON_UNSUPPORTED` (`not
/// provided` in the error buffer) without reaching the plugin.
///
/// Ownership: both pointers belong to `instance` and stay valid until
/// `tenon_instance_free(instance)`. On failure both are set to NULL and an
/// error the caller frees is returned.
///
/// Threads: one thread at a time per instance, for this lookup and for the
/// calls through the pointers, unless the plugin declares
/// TENON_PLUGIN_THREAD_SAFE. A call must not re-enter the same instance
/// (from a host service) unless the plugin declares it thread-safe.
#[no_mangle]
pub extern "C" fn tenon_instance_interface(
    instance: *const tenon_instance,
    id: *const c_char,
    version: u32,
    vtable_size: usize,
    vtable: *mut *const c_void,
    self_out: *mut *mut c_void,
) -> *mut tenon_error {
    fallible(|| {
        let vtable = out(vtable, "vtable")?;
        let self_out = out(self_out, "self_out")?;
        // SAFETY: both checked non-NULL; the caller lends writable pointers.
        unsafe {
            vtable.write(core::ptr::null());
            self_out.write(core::ptr::null_mut());
        }
        let instance = borrow(instance, "instance")?;
        let id = c_str(id, "id")?;
        if vtable_size < size_of::<u32>() {
            return Err(CError::invalid_argument(format!(
                "vtable_size {vtable_size} is smaller than a vtable's struct_size field: pass sizeof the interface's vtable type"
            )));
        }
        let raw = instance.instance.c_interface(id, version, vtable_size)?;
        // SAFETY: as above.
        unsafe {
            vtable.write(raw.vtable);
            self_out.write(raw.instance);
        }
        Ok(())
    })
}
