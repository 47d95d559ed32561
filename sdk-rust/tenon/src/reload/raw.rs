//! A reloadable plugin reached by interface id and version instead of a
//! Rust type: what the C API (`tenon_reloadable_*`) hands to C hosts.
//!
//! It is the reload machine of [`Reloadable`](super::Reloadable) (the same
//! [`Core`]: stateless swaps or state hand-over through `org.tenon.state`,
//! the same errors, the old build serving on any failure), with calls going
//! through the C vtable of [`CInterface`] instead of a typed client, and
//! always one at a time per build, even to a thread-safe plugin: the C API
//! promises its hosts that.

use super::core::{Calls, Core, Target};
use super::{ReloadOptions, Reloaded};
use crate::{CInterface, Error, Loader, Plugin};
use std::path::{Path, PathBuf};

/// A plugin instance, seen through one interface by id, whose library can
/// be replaced by a new build while threads keep calling it. `Send` and
/// `Sync`; calls into one build are serialized (one at a time).
pub struct RawReloadable {
    core: Core,
    id: String,
    version: u32,
}

impl RawReloadable {
    /// Loads the plugin at `path` with `loader` (copied first, so that the
    /// file can be rebuilt in place), creates an instance with `config` and
    /// checks interface `id` at `version` as [`Instance::c_interface`]
    /// does for a `vtable_size`-byte vtable (and, with
    /// [`Swap::HandOver`](super::Swap::HandOver), that the plugin offers
    /// `org.tenon.state`).
    ///
    /// [`Instance::c_interface`]: crate::Instance::c_interface
    pub fn load(
        loader: &Loader,
        path: impl AsRef<Path>,
        config: &str,
        id: &str,
        version: u32,
        vtable_size: usize,
        options: &ReloadOptions,
    ) -> Result<Self, Error> {
        let target = Target::ById {
            id: id.to_owned(),
            version,
            vtable_size,
        };
        let core = Core::load(
            loader,
            path.as_ref(),
            config,
            options.clone(),
            target,
            Calls::OneAtATime,
        )?;
        Ok(RawReloadable {
            core,
            id: id.to_owned(),
            version,
        })
    }

    /// Calls `body` with the current build's interface, holding that build
    /// (and its one-call-at-a-time lock) until `body` returns. Never fails
    /// because of a reload: a call runs on the old or the new build, whole;
    /// one that starts during a hand-over waits for it.
    pub fn with<R>(&self, body: impl FnOnce(CInterface) -> R) -> R {
        self.core.with(body)
    }

    /// Reloads from the file this was loaded or last reloaded from.
    pub fn reload(&self) -> Result<Reloaded, Error> {
        self.core.reload_from(&self.core.path())
    }

    /// As [`Reloadable::reload_from`](super::Reloadable::reload_from): on
    /// any failure nothing changes and the old build keeps serving, with
    /// its state. Later reloads read `path`.
    pub fn reload_from(&self, path: impl AsRef<Path>) -> Result<Reloaded, Error> {
        self.core.reload_from(path.as_ref())
    }

    /// The generation now serving: 1 for the build loaded first, one more
    /// for each successful reload.
    pub fn generation(&self) -> u64 {
        self.core.generation()
    }

    /// The plugin (build) now serving.
    pub fn plugin(&self) -> Plugin {
        self.core.plugin()
    }

    /// The file the next [`RawReloadable::reload`] reads.
    pub fn path(&self) -> PathBuf {
        self.core.path()
    }
}

impl std::fmt::Debug for RawReloadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawReloadable")
            .field("interface", &self.id)
            .field("version", &self.version)
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}
