//! A reloadable plugin reached by interface id and version instead of a
//! Rust type: what the C API (`tenon_reloadable_*`) hands to C hosts.
//!
//! It reloads as [`Reloadable`](super::Reloadable) does with
//! [`Swap::Stateless`](super::Swap::Stateless) (the file is copied and
//! verified, the new build instantiated and checked, and only then swapped
//! in; calls in flight finish on the build they started on, and an old
//! build is released when its last call returns), but calls go through the
//! C vtable of [`CInterface`] instead of a typed client. State hand-over
//! (`org.tenon.state`) is not offered here.

use super::ReloadOptions;
use crate::{CInterface, Error, Instance, Loader, Plugin};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// A plugin instance, seen through one interface by id, whose library can
/// be replaced by a new build while threads keep calling it. `Send` and
/// `Sync`; calls into one build are serialized (one at a time), as
/// `plugin.h` requires for plugins that are not thread-safe.
pub struct RawReloadable {
    loader: Loader,
    config: String,
    wanted: Wanted,
    settle: std::time::Duration,
    /// The file reloads read, and one reload at a time.
    reloading: Mutex<PathBuf>,
    current: Mutex<Arc<RawGeneration>>,
}

/// The interface calls go through.
struct Wanted {
    id: String,
    version: u32,
    vtable_size: usize,
}

/// One build: its instance and the interface into it.
struct RawGeneration {
    number: u64,
    /// Held during each call: one call at a time per build. Dropped (the
    /// instance destroyed, then the library released) with the last `Arc`.
    instance: Mutex<Instance>,
    target: CInterface,
}

// SAFETY: `target` points into `instance`, which lives as long as the
// generation and is only called with the `instance` lock held.
unsafe impl Send for RawGeneration {}
// SAFETY: as above.
unsafe impl Sync for RawGeneration {}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl RawGeneration {
    fn new(number: u64, plugin: &Plugin, config: &str, wanted: &Wanted) -> Result<Self, Error> {
        let instance = plugin.instantiate(config)?;
        let target = instance.c_interface(&wanted.id, wanted.version, wanted.vtable_size)?;
        Ok(RawGeneration {
            number,
            instance: Mutex::new(instance),
            target,
        })
    }
}

impl RawReloadable {
    /// Loads the plugin at `path` with `loader` (copied first, so that the
    /// file can be rebuilt in place), creates an instance with `config` and
    /// checks interface `id` at `version` as
    /// [`Instance::c_interface`] does for a `vtable_size`-byte vtable.
    pub fn load(
        loader: &Loader,
        path: impl AsRef<Path>,
        config: &str,
        id: &str,
        version: u32,
        vtable_size: usize,
        options: &ReloadOptions,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let (canonical, opened) =
            super::file::open_complete(loader, path, std::time::Duration::ZERO)?;
        let plugin = Plugin::load_opened(loader, &canonical, opened)?;
        let wanted = Wanted {
            id: id.to_owned(),
            version,
            vtable_size,
        };
        let first = RawGeneration::new(1, &plugin, config, &wanted)?;
        Ok(RawReloadable {
            loader: loader.clone(),
            config: config.to_owned(),
            wanted,
            settle: options.settle,
            reloading: Mutex::new(path.to_path_buf()),
            current: Mutex::new(Arc::new(first)),
        })
    }

    /// Calls `body` with the current build's interface, holding that build
    /// (and its one-call-at-a-time lock) until `body` returns. Never fails
    /// because of a reload: a call runs on the old or the new build, whole.
    pub fn with<R>(&self, body: impl FnOnce(CInterface) -> R) -> R {
        let generation = Arc::clone(&lock(&self.current));
        let _serial = lock(&generation.instance);
        body(generation.target)
    }

    /// Reloads from the file this was loaded or last reloaded from.
    pub fn reload(&self) -> Result<u64, Error> {
        let path = lock(&self.reloading).clone();
        self.reload_from(path)
    }

    /// Loads, verifies and instantiates the build at `path`, checks the
    /// interface, and only then makes it the one calls go to; on any
    /// failure nothing changes and the old build keeps serving. Returns the
    /// new generation number. Later reloads read `path`.
    pub fn reload_from(&self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let mut source = lock(&self.reloading);
        let (canonical, opened) = super::file::open_complete(&self.loader, path, self.settle)?;
        let plugin = Plugin::load_opened(&self.loader, &canonical, opened)?;
        let number = lock(&self.current).number + 1;
        let new = Arc::new(RawGeneration::new(
            number,
            &plugin,
            &self.config,
            &self.wanted,
        )?);
        drop(plugin);
        // The old build is released here, or by its last caller.
        let old = std::mem::replace(&mut *lock(&self.current), new);
        drop(old);
        *source = path.to_path_buf();
        Ok(number)
    }

    /// The generation now serving: 1 for the build loaded first, one more
    /// for each successful reload.
    pub fn generation(&self) -> u64 {
        lock(&self.current).number
    }
}

impl std::fmt::Debug for RawReloadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawReloadable")
            .field("interface", &self.wanted.id)
            .field("version", &self.wanted.version)
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}
