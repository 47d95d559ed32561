//! The reloadable handle for a Rust host: the reload machine
//! ([`Core`]) seen through a typed interface.

use super::core::{Calls, Core, Target};
use super::ReloadOptions;
use crate::{Error, Loader, Plugin, PluginInfo};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tenon_interface::{Client, Interface};

/// A plugin instance, seen through interface `I`, whose library can be
/// replaced by a new build while threads keep calling it.
///
/// Made by [`Loader::reloadable`]; in process or isolated, as the loader
/// says. [`Reloadable::with`] calls the current build; [`Reloadable::reload`]
/// loads, verifies and instantiates the new build first and swaps only when
/// all of that succeeded, so a broken build is refused with the usual
/// [`Error`] and the old one keeps serving. Calls in flight finish on the
/// build they started on, and an old build's instance is destroyed (and its
/// library closed, or its process ended) when its last call has returned.
///
/// Cheap to clone (clones share the plugin); `Send` and `Sync`. A call takes
/// no lock for a plugin that declares `TENON_PLUGIN_THREAD_SAFE`; calls to
/// any other plugin are serialized by a lock per build (`plugin.h`: the host
/// never calls such an instance concurrently), so a call made from inside
/// another call of the same reloadable (a host service calling back) waits
/// for itself: do not.
///
/// With the cargo feature `watch` (off by default), `Reloadable::watch`
/// reloads the file whenever it changes, and `reload::Watcher` stops that
/// when dropped; they appear in this documentation only when it is built
/// with the feature (`cargo doc -p tenon --features watch`).
///
/// See `docs/reload.md`.
pub struct Reloadable<I: ?Sized + Interface> {
    core: Arc<Core>,
    /// `fn` so that the handle is `Send` and `Sync` whatever `I` is: the
    /// core's generations carry the thread-safety.
    _interface: PhantomData<fn(&I)>,
}

impl<I: ?Sized + Interface> Clone for Reloadable<I> {
    fn clone(&self) -> Self {
        Reloadable {
            core: Arc::clone(&self.core),
            _interface: PhantomData,
        }
    }
}

/// What a successful reload did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Reloaded {
    /// The new build's generation: 1 for the build loaded first, one more
    /// for each successful reload.
    pub generation: u64,
    /// The new build's metadata.
    pub info: PluginInfo,
    /// How long `reload` took, from opening the file to releasing the old
    /// build (or giving up waiting for it).
    pub took: Duration,
    /// With [`Swap::HandOver`](super::Swap::HandOver), the size of the state handed over.
    /// `None` for a stateless reload, and for a hand-over from an isolated
    /// build whose process had died (its state died with it; the new build
    /// starts as `create` left it, without a `restore`).
    pub state_bytes: Option<usize>,
    /// Whether the old build was released (its instance destroyed, its
    /// library closed or its process ended) before `reload` returned. When
    /// a call in flight outlived the drain timeout, its caller releases it
    /// when that call returns.
    pub released_old: bool,
}

impl<I: ?Sized + Interface> Reloadable<I> {
    /// Loads the plugin at `path` with `loader`, creates an instance with
    /// `config` and verifies that it offers `I` (and, with
    /// [`Swap::HandOver`](super::Swap::HandOver), `org.tenon.state`).
    pub(crate) fn load(
        loader: &Loader,
        path: &Path,
        config: &str,
        options: ReloadOptions,
    ) -> Result<Self, Error> {
        let core = Core::load(
            loader,
            path,
            config,
            options,
            Target::typed::<I>(),
            Calls::AsPluginAllows,
        )?;
        Ok(Reloadable {
            core: Arc::new(core),
            _interface: PhantomData,
        })
    }

    /// Calls the current build through `I`: `body` receives a client on
    /// which `I`'s methods are called. Never fails because of a reload: a
    /// call that starts during a stateless swap runs on the old or the new
    /// build, whole; one that starts during a hand-over waits for it (the
    /// longest call in flight, plus the save and restore).
    ///
    /// ```no_run
    /// # tenon::interface! {
    /// #     pub trait Greeter {
    /// #         const ID = c"org.tenon.example.greeter";
    /// #         const VERSION = 1;
    /// #         type Vtable = Vtable;
    /// #         fn greet(&self, name: &str) -> String;
    /// #     }
    /// # }
    /// # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let greeter = tenon::Plugin::loader().reloadable::<dyn Greeter>(
    ///     "plugins/libgreeter.so",
    ///     "",
    ///     tenon::ReloadOptions::stateless(),
    /// )?;
    /// let greeting = greeter.with(|g| g.greet("world"))?;
    /// greeter.reload()?; // the file was rebuilt: the next call sees it
    /// # Ok(())
    /// # }
    /// ```
    pub fn with<R>(&self, body: impl FnOnce(&Client<I>) -> R) -> R {
        self.core.with_plugin(|_, target| {
            // SAFETY: the core found the target for `I` (`Target::typed`)
            // when it made the generation, which outlives the call: a
            // vtable providing every method of `I`, or the generation's
            // copy limited to the build's (so that for a build of an
            // earlier revision, isolated or not, a later method is
            // `not_provided` and `revision()` is the build's, with no copy
            // per call). The instance is thread-safe, or the core holds its
            // lock.
            let client =
                unsafe { Client::<I>::over_limited(target.instance, target.vtable.cast()) };
            body(&client)
        })
    }

    /// Reloads from the file this reloadable was loaded or last reloaded
    /// from. See [`Reloadable::reload_from`].
    pub fn reload(&self) -> Result<Reloaded, Error> {
        self.core.reload_from(&self.core.path())
    }

    /// Loads the build at `path` and, if it loads, verifies, instantiates
    /// (and, with [`Swap::HandOver`](super::Swap::HandOver), takes over the state), makes it the
    /// one calls go to; on any failure returns the error and changes
    /// nothing: the old build keeps serving. Later reloads read `path`.
    ///
    /// The file is copied into private memory before it is loaded, so
    /// rebuilding or replacing it later cannot disturb the build in use,
    /// and the same path always gives the build now in the file. A file
    /// still being written is retried for up to the settle time
    /// ([`ReloadOptions::settle`]). One reload runs at a time; another
    /// waits for it.
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

    /// The file the next [`Reloadable::reload`] reads.
    pub fn path(&self) -> PathBuf {
        self.core.path()
    }
}

impl<I: ?Sized + Interface> std::fmt::Debug for Reloadable<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloadable")
            .field("interface", &I::ID)
            .field("generation", &self.core.generation())
            .field("path", &self.core.path())
            .finish_non_exhaustive()
    }
}
