//! Opaque handles: every pointer the C API hands out is registered here
//! while it is live, so that a NULL, a pointer it never made, one of the
//! wrong type, or one already freed is refused (an error, or nothing for a
//! `_free`) instead of being dereferenced.
//!
//! The check is a lookup in one process-wide table, made on the calls that
//! take a handle; calls into plugins go through vtables and never come
//! here. A freed address that the allocator hands out again for a new
//! handle of the same type is live again: a double free is caught only
//! until then (`docs/guide-c-host.md`).

use crate::error::CError;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// The types of handle, so that a handle of one type passed as another is
/// refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Options,
    Services,
    Plugin,
    Instance,
    Reloadable,
    Buffer,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Error => "tenon_error",
            Kind::Options => "tenon_options",
            Kind::Services => "tenon_services",
            Kind::Plugin => "tenon_plugin",
            Kind::Instance => "tenon_instance",
            Kind::Reloadable => "tenon_reloadable",
            Kind::Buffer => "tenon_buffer",
        }
    }
}

/// A type handed to C as a pointer to a boxed value.
pub(crate) trait Handle: Sized {
    /// Its kind in the table.
    const KIND: Kind;
}

/// The live handles: address to kind.
static LIVE: Mutex<BTreeMap<usize, Kind>> = Mutex::new(BTreeMap::new());

fn live() -> MutexGuard<'static, BTreeMap<usize, Kind>> {
    // A panic while the table was locked leaves it consistent: every
    // change is a single insert or remove.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Moves `value` to the heap and registers it; C owns the pointer.
pub(crate) fn into_handle<T: Handle>(value: T) -> *mut T {
    let pointer = Box::into_raw(Box::new(value));
    live().insert(pointer as usize, T::KIND);
    pointer
}

/// Whether `pointer` is a live handle of type `T`.
fn is_live<T: Handle>(pointer: *const T) -> bool {
    live().get(&(pointer as usize)) == Some(&T::KIND)
}

/// The value behind a handle passed as argument `what`.
///
/// The reference is valid until the handle is freed; C promises not to
/// free a handle while a call using it runs (`host.h`, "Conventions").
pub(crate) fn borrow<'a, T: Handle>(pointer: *const T, what: &str) -> Result<&'a T, CError> {
    if pointer.is_null() {
        return Err(CError::null_argument(what));
    }
    if !is_live(pointer) {
        return Err(CError::invalid_handle(what, T::KIND.name()));
    }
    // SAFETY: the table holds only addresses of boxes of `T` (the kind is
    // `T`'s) that have not been taken back by `release`.
    Ok(unsafe { &*pointer })
}

/// As [`borrow`], mutably. C promises that a handle being changed is used
/// by no other call at the same time (`host.h`, "Threads").
pub(crate) fn borrow_mut<'a, T: Handle>(pointer: *mut T, what: &str) -> Result<&'a mut T, CError> {
    if pointer.is_null() {
        return Err(CError::null_argument(what));
    }
    if !is_live(pointer) {
        return Err(CError::invalid_handle(what, T::KIND.name()));
    }
    // SAFETY: as in `borrow`; exclusivity is the caller's promise above.
    Ok(unsafe { &mut *pointer })
}

/// Takes a handle back from C, unregistering it; `None` for NULL, for a
/// pointer that is not a live handle of type `T` (never made, or already
/// freed), which the caller then ignores. For the handle's free function
/// (`tenon_plugin_free` for a plugin): a debug build's complaint about a
/// pointer that is not live names it.
pub(crate) fn release<T: Handle>(pointer: *mut T) -> Option<Box<T>> {
    release_in(pointer, || format!("{}_free", T::KIND.name()))
}

/// As [`release`], for the C function `function` that takes the handle
/// back other than its free function (`tenon_plugin_unload`), so that the
/// complaint names the function the host called.
pub(crate) fn release_by<T: Handle>(pointer: *mut T, function: &str) -> Option<Box<T>> {
    release_in(pointer, || function.to_owned())
}

/// [`release`], the complaint naming `function()`.
fn release_in<T: Handle>(pointer: *mut T, function: impl FnOnce() -> String) -> Option<Box<T>> {
    if pointer.is_null() {
        return None;
    }
    let mut live = live();
    if live.get(&(pointer as usize)) != Some(&T::KIND) {
        drop(live);
        if cfg!(debug_assertions) {
            eprintln!(
                "tenon: {}: {pointer:p} is not a live {} (freed twice, or never made by libtenon); ignored",
                function(),
                T::KIND.name()
            );
        }
        return None;
    }
    live.remove(&(pointer as usize));
    drop(live);
    // SAFETY: registered by `into_handle` from `Box::into_raw` of a `T`,
    // and just unregistered, so this is the only owner.
    Some(unsafe { Box::from_raw(pointer) })
}
