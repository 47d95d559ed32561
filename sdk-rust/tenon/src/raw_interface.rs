//! An offered interface as raw C pointers, for code that knows it only at
//! run time (from its header): `tenon check --interface`, generic callers.
//!
//! Everything here is safe to obtain and to read: the vtable is read only
//! within the `struct_size` that load-time verification checked, as size,
//! slot count and slot addresses. Calling a slot is the caller's `unsafe`
//! business, and needs the method's C signature.

use crate::plugin::offered_index;
use crate::{Error, Instance, Plugin, SharedInstance};
use core::ffi::c_void;
use core::marker::PhantomData;

/// The vtable a plugin offers for one interface, read as the contract lays
/// every vtable out: a `uint32_t struct_size`, then function pointers.
/// Borrowed from a [`Plugin`] loaded in process ([`Plugin::raw_vtable`]).
#[derive(Clone, Copy, Debug)]
pub struct RawVtable<'a> {
    ptr: *const c_void,
    size: u32,
    _plugin: PhantomData<&'a Plugin>,
}

/// Where the first function pointer of a vtable is: after `struct_size`,
/// aligned for a pointer.
const FIRST_SLOT: usize = {
    let align = core::mem::align_of::<*const c_void>();
    core::mem::size_of::<u32>().div_ceil(align) * align
};

impl<'a> RawVtable<'a> {
    /// The vtable's address.
    pub fn as_ptr(&self) -> *const c_void {
        self.ptr
    }

    /// Its `struct_size`, as the plugin wrote it.
    pub fn struct_size(&self) -> u32 {
        self.size
    }

    /// How many whole function pointers `struct_size` covers.
    pub fn slot_count(&self) -> usize {
        (self.size as usize).saturating_sub(FIRST_SLOT) / core::mem::size_of::<*const c_void>()
    }

    /// Whether `struct_size` is a size C can give a vtable: the size of
    /// `struct_size` alone (no method), or that plus whole, aligned
    /// function pointers.
    pub fn size_is_a_vtable_size(&self) -> bool {
        let size = self.size as usize;
        size == core::mem::size_of::<u32>()
            || (size > FIRST_SLOT
                && (size - FIRST_SLOT) % core::mem::size_of::<*const c_void>() == 0)
    }

    /// Slot `index` (method `index` in declaration order): `None` past
    /// `struct_size`, else the function pointer, NULL included.
    pub fn slot(&self, index: usize) -> Option<*const c_void> {
        if index >= self.slot_count() {
            return None;
        }
        let offset = FIRST_SLOT + index * core::mem::size_of::<*const c_void>();
        // SAFETY: load-time verification checked that the vtable is aligned
        // for a pointer (it has slots) and readable for `struct_size` bytes
        // (the contract), which cover this slot; the library stays loaded
        // while the plugin `'a` borrows is alive.
        Some(unsafe {
            self.ptr
                .cast::<u8>()
                .add(offset)
                .cast::<*const c_void>()
                .read()
        })
    }
}

/// An interface of one in-process [`Instance`] or [`SharedInstance`] as
/// raw pointers: the instance pointer every method takes first, and the
/// vtable. It borrows the instance, which is not destroyed meanwhile; an
/// `Instance` is not called from another thread meanwhile either, while a
/// `SharedInstance` (of a plugin that declares `TENON_PLUGIN_THREAD_SAFE`)
/// may be called through a `RawInterface` of its own on each thread. Calls
/// made through it bypass the re-entry check of typed handles.
#[derive(Clone, Copy, Debug)]
pub struct RawInterface<'a> {
    instance: *mut c_void,
    vtable: RawVtable<'a>,
    _instance: PhantomData<&'a ()>,
}

impl<'a> RawInterface<'a> {
    /// The instance pointer to pass as every method's first argument.
    pub fn instance_ptr(&self) -> *mut c_void {
        self.instance
    }

    /// The interface's vtable.
    pub fn vtable(&self) -> RawVtable<'a> {
        self.vtable
    }
}

impl Plugin {
    /// The vtable this plugin offers for `id` at `version`, unverified
    /// beyond what loading checked (its `struct_size` and alignment): for
    /// tools that know the interface only at run time. Fails with
    /// `interface_not_found`, `interface_version_mismatch`, or
    /// `isolation_unsupported` for an isolated plugin, whose vtables live
    /// in its own process.
    pub fn raw_vtable(&self, id: &str, version: u32) -> Result<RawVtable<'_>, Error> {
        let index = offered_index(self.info(), id, version)?;
        let ptr = self
            .offered_vtable(index)
            .ok_or_else(|| Error::IsolationUnsupported {
                reason: "raw vtables are read from plugins loaded in process only".to_owned(),
            })?;
        Ok(RawVtable {
            ptr,
            size: self.info().interfaces[index].vtable_size,
            _plugin: PhantomData,
        })
    }
}

impl Instance {
    /// This instance's interface `id` at `version` as raw pointers (see
    /// [`Plugin::raw_vtable`]); in-process instances only.
    pub fn raw_interface(&self, id: &str, version: u32) -> Result<RawInterface<'_>, Error> {
        raw_interface(self.plugin(), self.local_ptr(), id, version)
    }
}

impl SharedInstance {
    /// This shared instance's interface `id` at `version` as raw pointers
    /// (see [`Plugin::raw_vtable`]), for one thread of those calling it at
    /// once; in-process instances only.
    pub fn raw_interface(&self, id: &str, version: u32) -> Result<RawInterface<'_>, Error> {
        raw_interface(self.plugin(), self.local_ptr(), id, version)
    }
}

fn raw_interface<'a>(
    plugin: &'a Plugin,
    local: Option<*mut c_void>,
    id: &str,
    version: u32,
) -> Result<RawInterface<'a>, Error> {
    let vtable = plugin.raw_vtable(id, version)?;
    let instance = local.ok_or_else(|| Error::IsolationUnsupported {
        reason: "raw interfaces are read from instances in this process only".to_owned(),
    })?;
    Ok(RawInterface {
        instance,
        vtable,
        _instance: PhantomData,
    })
}
