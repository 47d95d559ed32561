//! The reloadable handle: generations swapped under concurrent callers.

use super::{ReloadOptions, Swap};
use crate::{Error, Instance, Loader, Plugin, PluginInfo, SharedInstance};
use arc_swap::ArcSwap;
use core::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tenon_interface::{Client, Interface, State};

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
/// See `docs/reload.md`.
pub struct Reloadable<I: ?Sized + Interface> {
    inner: Arc<Inner<I>>,
}

impl<I: ?Sized + Interface> Clone for Reloadable<I> {
    fn clone(&self) -> Self {
        Reloadable {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<I: ?Sized + Interface> {
    loader: Loader,
    config: String,
    options: ReloadOptions,
    current: ArcSwap<Generation<I>>,
    /// The file reloads read, and one reload at a time.
    reloading: Mutex<PathBuf>,
    /// Where callers wait while a hand-over is under way.
    parked: (Mutex<()>, Condvar),
}

/// One build: its instance, and the client target into it.
struct Generation<I: ?Sized + Interface> {
    number: u64,
    instance_ptr: *mut c_void,
    vtable: *const I::Vtable,
    /// Calls that entered this generation and have not returned.
    inflight: AtomicUsize,
    /// Set while a hand-over drains this generation: callers then wait.
    sealed: AtomicBool,
    /// Dropped last: destroys the instance, then releases the library (or
    /// the process) once no other generation shares it.
    served: Served,
}

enum Served {
    Shared(SharedInstance),
    Exclusive(Mutex<Instance>),
}

// SAFETY: `instance_ptr` and `vtable` point into the instance and the
// library that `served` keeps alive. A `SharedInstance` may be called from
// any thread at once (its plugin declared it); an `Instance` is called only
// under its mutex, one thread at a time, as `plugin.h` requires.
unsafe impl<I: ?Sized + Interface> Send for Generation<I> {}
// SAFETY: as above.
unsafe impl<I: ?Sized + Interface> Sync for Generation<I> {}

impl<I: ?Sized + Interface> Generation<I> {
    /// Instantiates `plugin` and verifies that it offers `I`.
    fn new(number: u64, plugin: &Plugin, config: &str) -> Result<Self, Error> {
        let served = if plugin.info().thread_safe() {
            Served::Shared(plugin.instantiate_shared(config)?)
        } else {
            Served::Exclusive(Mutex::new(plugin.instantiate(config)?))
        };
        let (instance_ptr, vtable) = match &served {
            Served::Shared(instance) => instance.target::<I>()?,
            Served::Exclusive(instance) => lock(instance).target::<I>()?,
        };
        Ok(Generation {
            number,
            instance_ptr,
            vtable,
            inflight: AtomicUsize::new(0),
            sealed: AtomicBool::new(false),
            served,
        })
    }

    fn plugin(&self) -> Plugin {
        match &self.served {
            Served::Shared(instance) => instance.plugin().clone(),
            Served::Exclusive(instance) => lock(instance).plugin().clone(),
        }
    }

    fn call<R>(&self, body: impl FnOnce(&Client<I>) -> R) -> R {
        let _serial = match &self.served {
            Served::Shared(_) => None,
            Served::Exclusive(instance) => Some(lock(instance)),
        };
        // SAFETY: the target was verified for `I` when the generation was
        // made and lives as long as `self`, which outlives the client; the
        // instance is thread-safe, or this thread holds its lock.
        let client = unsafe { Client::<I>::new(self.instance_ptr, self.vtable) };
        body(&client)
    }

    /// Calls `body` with the instance's `org.tenon.state` interface.
    fn state<R>(&self, body: impl FnOnce(&Client<dyn State>) -> R) -> Result<R, Error> {
        let _serial;
        let (ptr, vtable) = match &self.served {
            Served::Shared(instance) => instance.target::<dyn State>()?,
            Served::Exclusive(instance) => {
                let guard = lock(instance);
                let target = guard.target::<dyn State>()?;
                _serial = guard;
                target
            }
        };
        // SAFETY: as in `call`, for the verified `State` target.
        let client = unsafe { Client::<dyn State>::new(ptr, vtable) };
        Ok(body(&client))
    }

    /// Waits until no call is in flight here, for at most `timeout`.
    fn drain(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_micros(1);
        while self.inflight.load(Ordering::SeqCst) != 0 {
            if Instant::now() >= deadline {
                return false;
            }
            if pause < Duration::from_micros(50) {
                std::thread::yield_now();
            } else {
                std::thread::sleep(pause);
            }
            pause = (pause * 2).min(Duration::from_millis(1));
        }
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in a caller's closure cannot leave the instance half-changed
    // on the host's side; the plugin's own state is the plugin's business.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Leaves a generation when a call returns, or unwinds.
struct Leave<'a, I: ?Sized + Interface>(&'a Generation<I>);

impl<I: ?Sized + Interface> Drop for Leave<'_, I> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
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
    /// With [`Swap::HandOver`], the size of the state handed over.
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
    /// [`Swap::HandOver`], `org.tenon.state`).
    pub(crate) fn load(
        loader: &Loader,
        path: &Path,
        config: &str,
        options: ReloadOptions,
    ) -> Result<Self, Error> {
        let (canonical, opened) = super::file::open_complete(loader, path, Duration::ZERO)?;
        let plugin = Plugin::load_opened(loader, &canonical, opened)?;
        if options.swap == Swap::HandOver {
            plugin.require::<dyn State>()?;
        }
        let first = Generation::new(1, &plugin, config)?;
        Ok(Reloadable {
            inner: Arc::new(Inner {
                loader: loader.clone(),
                config: config.to_owned(),
                options,
                current: ArcSwap::from_pointee(first),
                reloading: Mutex::new(path.to_path_buf()),
                parked: (Mutex::new(()), Condvar::new()),
            }),
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
        loop {
            let generation = self.inner.current.load();
            generation.inflight.fetch_add(1, Ordering::SeqCst);
            // Checked after entering: a hand-over seals, then waits for
            // `inflight` to reach zero, so either it sees this call or this
            // call sees the seal.
            if generation.sealed.load(Ordering::SeqCst) {
                generation.inflight.fetch_sub(1, Ordering::SeqCst);
                self.inner.park_while_sealed(&generation);
                continue;
            }
            let _leave = Leave(&generation);
            return generation.call(body);
        }
    }

    /// Reloads from the file this reloadable was loaded or last reloaded
    /// from. See [`Reloadable::reload_from`].
    pub fn reload(&self) -> Result<Reloaded, Error> {
        let path = self.inner.path();
        self.reload_from(path)
    }

    /// Loads the build at `path` and, if it loads, verifies, instantiates
    /// (and, with [`Swap::HandOver`], takes over the state), makes it the
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
        let inner = &*self.inner;
        let started = Instant::now();
        let mut source = lock(&inner.reloading);
        let path = path.as_ref();
        let (canonical, opened) =
            super::file::open_complete(&inner.loader, path, inner.options.settle)?;
        let plugin = Plugin::load_opened(&inner.loader, &canonical, opened)?;
        let old = inner.current.load_full();
        let new = Generation::<I>::new(old.number + 1, &plugin, &inner.config)?;
        drop(plugin);
        let state_bytes = match inner.options.swap {
            Swap::Stateless => {
                inner.current.store(Arc::new(new));
                None
            }
            Swap::HandOver => Some(inner.hand_over(&old, new)?),
        };
        *source = path.to_path_buf();
        drop(source);
        let released_old = inner.release(old);
        let current = inner.current.load();
        Ok(Reloaded {
            generation: current.number,
            info: current.plugin().info().clone(),
            took: started.elapsed(),
            state_bytes,
            released_old,
        })
    }

    /// The generation now serving: 1 for the build loaded first, one more
    /// for each successful reload.
    pub fn generation(&self) -> u64 {
        self.inner.current.load().number
    }

    /// The plugin (build) now serving.
    pub fn plugin(&self) -> Plugin {
        self.inner.current.load().plugin()
    }

    /// The file the next [`Reloadable::reload`] reads.
    pub fn path(&self) -> PathBuf {
        self.inner.path()
    }
}

impl<I: ?Sized + Interface> Inner<I> {
    fn path(&self) -> PathBuf {
        lock(&self.reloading).clone()
    }

    /// Waits until `generation` is no longer sealed or no longer current.
    fn park_while_sealed(&self, generation: &Arc<Generation<I>>) {
        let (mutex, condvar) = &self.parked;
        let mut guard = lock(mutex);
        while generation.sealed.load(Ordering::SeqCst)
            && Arc::ptr_eq(&self.current.load(), generation)
        {
            // Timed, so that a wake-up lost between the check and the wait
            // costs a millisecond, not a hang.
            guard = condvar
                .wait_timeout(guard, Duration::from_millis(1))
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn unpark(&self) {
        let (mutex, condvar) = &self.parked;
        drop(lock(mutex));
        condvar.notify_all();
    }

    /// Seals `old`, waits for its calls to return, moves its state into
    /// `new` and makes `new` current; on failure unseals `old`, which goes
    /// on serving, and drops `new`.
    fn hand_over(&self, old: &Arc<Generation<I>>, new: Generation<I>) -> Result<usize, Error> {
        let name = || old.plugin().name().to_owned();
        // Both builds must speak the state interface before anyone waits.
        new.state(|_| ())?;
        old.state(|_| ())?;
        old.sealed.store(true, Ordering::SeqCst);
        let abandon = |error: Error| {
            old.sealed.store(false, Ordering::SeqCst);
            self.unpark();
            error
        };
        if !old.drain(self.options.drain_timeout) {
            return Err(abandon(Error::DrainTimedOut {
                plugin: name(),
                waited: self.options.drain_timeout,
            }));
        }
        let saved = match old.state(|state| state.save()) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(error)) => {
                return Err(abandon(Error::StateHandOver {
                    plugin: name(),
                    step: "save",
                    error,
                }))
            }
            Err(error) => return Err(abandon(error)),
        };
        match new.state(|state| state.restore(&saved)) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                return Err(abandon(Error::StateHandOver {
                    plugin: name(),
                    step: "restore",
                    error,
                }))
            }
            Err(error) => return Err(abandon(error)),
        }
        self.current.store(Arc::new(new));
        self.unpark();
        Ok(saved.len())
    }

    /// Releases the old generation here once its last call has returned
    /// (within the drain timeout), so that its destruction and unloading
    /// cost no caller anything; otherwise its last caller releases it.
    fn release(&self, old: Arc<Generation<I>>) -> bool {
        let deadline = Instant::now() + self.options.drain_timeout;
        let mut old = old;
        loop {
            // A caller that has left may still hold its reference for a
            // moment; `try_unwrap` succeeds once this is the last one.
            match Arc::try_unwrap(old) {
                Ok(last) => {
                    drop(last);
                    return true;
                }
                Err(shared) if Instant::now() < deadline => {
                    old = shared;
                    std::thread::sleep(Duration::from_micros(50));
                }
                Err(_) => return false,
            }
        }
    }
}

impl<I: ?Sized + Interface> std::fmt::Debug for Reloadable<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let current = self.inner.current.load();
        f.debug_struct("Reloadable")
            .field("interface", &I::ID)
            .field("generation", &current.number)
            .field("path", &self.inner.path())
            .finish_non_exhaustive()
    }
}
