//! The unload check on Windows: `GetModuleHandleExW` asked about an address
//! inside the module.
//!
//! The loader's own answer is used because Windows has no list of mappings
//! to read, and because a module is unmapped exactly when the loader drops
//! it (`FreeLibrary` at a reference count of zero), with no deferred state
//! like glibc's. Asked without touching the reference count
//! (`GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT`), it names the module
//! holding the address, if any. A different module loaded at the same base
//! by another thread in between would read as "still loaded"; the base is
//! compared, so it is never read as "unloaded" while the plugin stays.
//!
//! The loader does not say why it keeps a module (another `LoadLibrary` of
//! it, a pin with `GET_MODULE_HANDLE_EX_FLAG_PIN`), so apart from other
//! `Plugin`s of the same file the reason is unknown.

use super::outcome::{PinReason, StillMapped, UnloadOutcome, Unverified};
use core::ffi::c_void;
use std::path::Path;

const GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT: u32 = 0x2;
const GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS: u32 = 0x4;

#[link(name = "kernel32")]
extern "system" {
    fn GetModuleHandleExW(flags: u32, name: *const u16, module: *mut *mut c_void) -> i32;
}

/// The module holding `anchor`, if one does.
fn module_at(anchor: usize) -> Option<usize> {
    let mut module: *mut c_void = core::ptr::null_mut();
    // SAFETY: with FROM_ADDRESS the name is read as an address, never
    // dereferenced as a string; UNCHANGED_REFCOUNT takes no reference, so
    // nothing is to be freed; `module` is a valid out-pointer.
    let found = unsafe {
        GetModuleHandleExW(
            GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
            anchor as *const u16,
            &mut module,
        )
    };
    (found != 0 && !module.is_null()).then_some(module as usize)
}

/// The module a library was loaded as, found while it was surely loaded.
#[derive(Debug, Clone)]
pub(crate) struct Mapped {
    /// The library's entry function: inside its module.
    anchor: usize,
    /// The module's base address (its `HMODULE`).
    base: usize,
}

impl Mapped {
    /// The module holding `anchor`.
    pub(crate) fn containing(anchor: usize) -> Result<Mapped, Unverified> {
        match module_at(anchor) {
            Some(base) => Ok(Mapped { anchor, base }),
            None => Err(Unverified::ProbeFailed {
                message: format!("no module holds the entry function at {anchor:#x}"),
            }),
        }
    }

    /// The outcome after the library was freed.
    pub(crate) fn verdict(&self, path: &Path) -> UnloadOutcome {
        if module_at(self.anchor) != Some(self.base) {
            return UnloadOutcome::Unloaded;
        }
        let others = super::still_open(self.anchor);
        let reason = if others > 0 {
            PinReason::OpenedAgain { plugins: others }
        } else {
            PinReason::Unknown {
                detail: "Windows does not say why a module stays: another LoadLibrary of the \
                         same file, or a pin (GET_MODULE_HANDLE_EX_FLAG_PIN)"
                    .to_owned(),
            }
        };
        UnloadOutcome::StillMapped(StillMapped {
            path: path.to_path_buf(),
            reasons: vec![reason],
            probe: self.clone(),
            // Windows keeps no library for thread-local destructors.
            on_main_thread: false,
        })
    }

    /// Checks again: Windows defers nothing, so there is nothing to finish.
    pub(crate) fn retry(&self, path: &Path) -> UnloadOutcome {
        self.verdict(path)
    }
}
