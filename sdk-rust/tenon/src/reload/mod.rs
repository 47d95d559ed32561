//! Hot reload: a plugin whose library is replaced by a new build while
//! threads keep calling it (`docs/reload.md`).
//!
//! A [`Reloadable`] serves calls from its current *generation* (one build:
//! its instance, and the plugin that keeps the library loaded or the
//! process running). A call takes a reference to the current generation
//! (`arc-swap`: no lock, no shared write but the call counter) and keeps it
//! until it returns. A reload builds the next generation completely
//! (copy, verify, load, instantiate, and with [`Swap::HandOver`] restore the
//! state the old instance saved) before it swaps, so a broken build never
//! replaces a working one. The old generation is released once its last
//! call has returned: its instance destroyed, then its library closed or
//! its process ended.
//!
//! In process, closing a library is only a request: the OS may keep it
//! mapped (`docs/unload.md`). An isolated plugin reloads into a new
//! process, and the old process exits when drained, which always frees
//! everything.

mod core;
mod file;
mod options;
mod raw;
mod reloadable;
#[cfg(feature = "watch")]
mod watch;

pub use options::{ReloadOptions, Swap};
pub use raw::RawReloadable;
pub use reloadable::{Reloadable, Reloaded};
#[cfg(feature = "watch")]
pub use watch::Watcher;
