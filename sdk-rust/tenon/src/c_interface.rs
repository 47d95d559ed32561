//! Interfaces reached by id and version instead of a Rust type, for hosts
//! that call the C vtable themselves (the C API, `include/tenon/host.h`).
//!
//! A typed lookup ([`Instance::interface`](crate::Instance::interface))
//! knows the vtable's size and methods from the `interface!` declaration.
//! A lookup by id knows them when a declaration of that id and version is
//! linked into the program (the registry, `tenon_interface::declared`);
//! otherwise it knows only the size of the caller's vtable type, and checks
//! what the contract lets it check from that: `struct_size` covers it, and
//! every function pointer within it is non-NULL (a vtable is a `uint32_t
//! struct_size` followed by function pointers, `plugin.h`).
//!
//! An isolated plugin is called through a proxy vtable, which only an
//! `interface!` declaration provides: a lookup by id of an isolated
//! plugin's interface needs the declaration and fails with kind
//! `isolation_failed` without one.
//!
//! [`RawInterface`](crate::RawInterface) is the other view by id: it
//! borrows an in-process instance and reads the vtable's slots, for Rust
//! tools that call methods described at run time (`tenon check
//! --interface`); [`CInterface`] is a checked pair of pointers a C host
//! keeps beside the instance it came from.

use crate::Error;
use core::ffi::c_void;
use tenon_interface::VtableRefusal;

/// What a caller of interface methods through C needs: the vtable (the
/// plugin's own, or a proxy of the same C type for an isolated plugin) and
/// the instance pointer to pass as each method's first argument. Both stay
/// valid while the [`Instance`](crate::Instance) they came from lives.
#[derive(Clone, Copy, Debug)]
pub struct CInterface {
    /// Points to the interface's vtable (its C struct type).
    pub vtable: *const c_void,
    /// The `instance` argument of every method.
    pub instance: *mut c_void,
}

/// The method name reported for a NULL slot of an interface this program
/// has no declaration of.
const UNNAMED_SLOT: &str = "(unnamed: the interface is not declared in this program)";

/// Checks `vtable`, offered for interface `id` at `version`, for a caller
/// whose vtable type is `vtable_size` bytes: against the declaration when
/// one is linked in, and in any case its `struct_size` covers `vtable_size`
/// and no function pointer within `vtable_size` is NULL.
///
/// # Safety
///
/// `vtable` points to a vtable of that interface whose first `struct_size`
/// bytes are readable (which `plugin.h` promises for an offered vtable).
pub(crate) unsafe fn check_vtable(
    plugin: &str,
    id: &str,
    version: u32,
    vtable: *const c_void,
    vtable_size: usize,
) -> Result<(), Error> {
    let too_small = |size, required| Error::VtableTooSmall {
        plugin: plugin.to_owned(),
        id: id.to_owned(),
        size,
        required,
    };
    let null_slot = |method| Error::NullSlot {
        plugin: plugin.to_owned(),
        id: id.to_owned(),
        method,
    };
    if let Ok(declared) = tenon_interface::declared(id, version) {
        // SAFETY: forwarded from the caller.
        match unsafe { declared.verify(vtable) } {
            Ok(()) => {}
            Err(VtableRefusal::TooSmall { size, required }) => {
                return Err(too_small(size, required))
            }
            Err(VtableRefusal::NullSlot { method }) => return Err(null_slot(method)),
            Err(_) => return Err(too_small(0, declared.vtable_size())),
        }
    }
    // SAFETY: a vtable starts with its `uint32_t struct_size` (caller).
    let size = unsafe { vtable.cast::<u32>().read() };
    if (size as usize) < vtable_size {
        return Err(too_small(size, vtable_size));
    }
    type Slot = Option<unsafe extern "C" fn()>;
    let mut offset = size_of::<u32>().next_multiple_of(align_of::<Slot>());
    while offset + size_of::<Slot>() <= vtable_size {
        // SAFETY: within `vtable_size <= struct_size` readable bytes, at a
        // function pointer's aligned offset in a vtable aligned for its C
        // type (checked at load).
        let slot = unsafe { vtable.cast::<u8>().add(offset).cast::<Slot>().read() };
        if slot.is_none() {
            return Err(null_slot(UNNAMED_SLOT));
        }
        offset += size_of::<Slot>();
    }
    Ok(())
}
