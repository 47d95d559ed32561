//! Honest unloading: closing a plugin's library, then checking that it
//! really left the process, and saying why when it did not.
//!
//! Closing a library (`dlclose`, `FreeLibrary`) is a request: the loader
//! may keep the library mapped (`-z nodelete`, GNU unique symbols, pending
//! thread-local destructors, another open of the same file). Tenon does not
//! assume; [`Plugin::unload`](crate::Plugin::unload) closes, checks, and
//! reports an [`UnloadOutcome`]. See `docs/unload.md`.

#[cfg(target_os = "linux")]
mod inspect;
mod outcome;
#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(not(any(target_os = "linux", windows)), path = "unverified.rs")]
mod platform;

pub use outcome::{PinReason, StillMapped, UnloadOutcome, Unverified};

use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// A plugin library this process opened, closed when dropped (unchecked)
/// or through [`OpenLibrary::close`] (checked).
pub(crate) struct OpenLibrary {
    /// `None` once closed.
    library: Option<libloading::Library>,
    /// An address inside the library (its entry function): what finds its
    /// mapping, and what tells two loads of one file apart from two files.
    anchor: usize,
}

impl OpenLibrary {
    /// Takes ownership of `library`, whose entry function is at `anchor`.
    pub(crate) fn new(library: libloading::Library, anchor: usize) -> Self {
        open_count(anchor, 1);
        OpenLibrary {
            library: Some(library),
            anchor,
        }
    }

    /// Closes the library and checks whether it left the process. `path`
    /// names the plugin in the outcome.
    pub(crate) fn close(mut self, path: &Path) -> UnloadOutcome {
        let library = self.library.take().expect("open until closed");
        open_count(self.anchor, -1);
        // Where the library is mapped, found while it is surely mapped.
        let before = platform::Mapped::containing(self.anchor);
        drop(library);
        match before {
            Err(why) => UnloadOutcome::NotVerified(why),
            Ok(mapped) => mapped.verdict(path),
        }
    }
}

impl Drop for OpenLibrary {
    fn drop(&mut self) {
        if self.library.take().is_some() {
            open_count(self.anchor, -1);
        }
    }
}

/// Adds `delta` to the number of open [`OpenLibrary`]s whose entry is at
/// `anchor` and returns the new count. Two loads of one file share one
/// mapping, hence one anchor.
fn open_count(anchor: usize, delta: isize) -> usize {
    // A list, not a map: a process has a few libraries open, and every
    // load and drop runs this (a first load pays for each piece of code it
    // runs for the first time).
    static OPEN: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
    let index = match open.iter().position(|&(a, _)| a == anchor) {
        Some(index) => index,
        None => {
            open.push((anchor, 0));
            open.len() - 1
        }
    };
    let count = &mut open[index].1;
    *count = count.saturating_add_signed(delta);
    let now = *count;
    if now == 0 {
        open.swap_remove(index);
    }
    now
}

/// How many [`OpenLibrary`]s with entry at `anchor` are open now.
#[cfg(any(target_os = "linux", windows))]
fn still_open(anchor: usize) -> usize {
    open_count(anchor, 0)
}
