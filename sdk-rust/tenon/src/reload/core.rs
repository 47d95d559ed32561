//! The one reload machine behind both handles: generations swapped under
//! concurrent callers, statelessly or with the state handed over.
//!
//! [`Reloadable`](super::Reloadable) reaches the interface through a Rust
//! type and [`RawReloadable`](super::RawReloadable) by id and version (the C
//! API); both keep a [`Core`], which knows the interface only as a pair of
//! C pointers and a way to find them in a fresh instance ([`Target`]).

use super::{ReloadOptions, Reloaded, Swap};
use crate::{CInterface, Error, Instance, Loader, Plugin, SharedInstance};
use arc_swap::ArcSwap;
use core::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tenon_interface::{Client, Interface, State};

/// How a new build's instance is searched for the interface calls go
/// through: its instance pointer and vtable, verified.
pub(super) enum Target {
    /// An `interface!` declaration, by its Rust type.
    Typed(fn(&Plugin, &Served) -> Result<Found, Error>),
    /// An id and version, for a caller whose C vtable type has this size
    /// (`crate::c_interface`).
    ById {
        id: String,
        version: u32,
        vtable_size: usize,
    },
}

impl Target {
    /// The interface `I`.
    pub(super) fn typed<I: ?Sized + Interface>() -> Self {
        Target::Typed(typed_target::<I>)
    }

    fn find(&self, plugin: &Plugin, served: &Served) -> Result<Found, Error> {
        match self {
            Target::Typed(find) => find(plugin, served),
            Target::ById {
                id,
                version,
                vtable_size,
            } => {
                let found = match served {
                    Served::Shared(instance) => instance.c_interface(id, *version, *vtable_size)?,
                    Served::Exclusive(instance) => {
                        lock(instance).c_interface(id, *version, *vtable_size)?
                    }
                };
                Ok((found.instance, found.vtable, None))
            }
        }
    }
}

/// The instance pointer and vtable calls go through, and the vtable's
/// copy when the generation owns one.
pub(super) type Found = (*mut c_void, *const c_void, Option<OwnedVtable>);

/// `I` in `served`, through a vtable a client can use as it is
/// ([`Client::over_limited`]): the build's own, or, for a build of an
/// earlier revision than `I`'s declaration, a copy limited to the methods
/// the build's vtable holds (an isolated build's proxy vtable is whole, so
/// it is limited to the size the build offered), made here once for the
/// generation rather than by each call's client.
fn typed_target<I: ?Sized + Interface>(plugin: &Plugin, served: &Served) -> Result<Found, Error> {
    let (ptr, vtable) = match served {
        Served::Shared(instance) => instance.target::<I>()?,
        Served::Exclusive(instance) => lock(instance).target::<I>()?,
    };
    // The entry of `I`'s version: a build may offer `I`'s id at several.
    let offered = crate::plugin::offered_vtable_size::<I>(plugin).unwrap_or(u32::MAX);
    // SAFETY: `target` verified the vtable, which the instance in `served`
    // keeps alive.
    let limited = unsafe { Client::<I>::limited_vtable(vtable, offered) }.map(|copy| OwnedVtable {
        ptr: Box::into_raw(copy).cast_const().cast(),
        free: free_vtable::<I>,
    });
    let vtable = limited.as_ref().map_or(vtable.cast(), |copy| copy.ptr);
    Ok((ptr, vtable, limited))
}

/// A vtable copy made by [`Client::limited_vtable`] for interface `I`,
/// which `free` (`free_vtable::<I>`) frees.
pub(super) struct OwnedVtable {
    ptr: *const c_void,
    free: unsafe fn(*const c_void),
}

/// Frees `ptr`, a `Box<I::Vtable>` made into a raw pointer.
///
/// # Safety
///
/// `ptr` came from `Box::into_raw` of a `Box<I::Vtable>`, and nothing uses
/// it after this.
unsafe fn free_vtable<I: ?Sized + Interface>(ptr: *const c_void) {
    // SAFETY: by the caller.
    drop(unsafe { Box::from_raw(ptr.cast_mut().cast::<I::Vtable>()) });
}

impl Drop for OwnedVtable {
    fn drop(&mut self) {
        // SAFETY: `typed_target` made `ptr` for the `I` of `free`, and the
        // generation that owns this copy is being dropped: no call uses it.
        unsafe { (self.free)(self.ptr) }
    }
}

/// Which calls may run at once on one build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Calls {
    /// Concurrent calls to a plugin that declares
    /// `TENON_PLUGIN_THREAD_SAFE`, one at a time to any other.
    AsPluginAllows,
    /// One at a time, whatever the plugin declares (what the C API
    /// promises its hosts).
    OneAtATime,
}

pub(super) struct Core {
    loader: Loader,
    config: String,
    options: ReloadOptions,
    target: Target,
    calls: Calls,
    current: ArcSwap<Generation>,
    /// The file reloads read, and one reload at a time.
    reloading: Mutex<PathBuf>,
    /// Where callers wait while a hand-over is under way.
    parked: (Mutex<()>, Condvar),
}

/// One build: its instance, and the interface into it.
struct Generation {
    number: u64,
    plugin: Plugin,
    instance_ptr: *mut c_void,
    vtable: *const c_void,
    /// What `vtable` points to, when it is a copy (see `typed_target`).
    _limited: Option<OwnedVtable>,
    /// Calls that entered this generation and have not returned.
    inflight: AtomicUsize,
    /// Set while a hand-over drains this generation: callers then wait.
    sealed: AtomicBool,
    /// Dropped last: destroys the instance, then releases the library (or
    /// the process) once no other generation shares it.
    served: Served,
}

pub(super) enum Served {
    Shared(SharedInstance),
    Exclusive(Mutex<Instance>),
}

// SAFETY: `instance_ptr` and `vtable` point into the instance and the
// library that `served` keeps alive, or `vtable` to the copy in `_limited`,
// never written after it was made. A `SharedInstance` may be called from
// any thread at once (its plugin declared it); an `Instance` is called only
// under its mutex, one thread at a time, as `plugin.h` requires.
unsafe impl Send for Generation {}
// SAFETY: as above.
unsafe impl Sync for Generation {}

impl Generation {
    /// Instantiates `plugin` and finds `target` in the instance.
    fn new(
        number: u64,
        plugin: &Plugin,
        config: &str,
        target: &Target,
        calls: Calls,
    ) -> Result<Self, Error> {
        let served = if calls == Calls::AsPluginAllows && plugin.info().thread_safe() {
            Served::Shared(plugin.instantiate_shared(config)?)
        } else {
            Served::Exclusive(Mutex::new(plugin.instantiate(config)?))
        };
        let (instance_ptr, vtable, limited) = target.find(plugin, &served)?;
        Ok(Generation {
            number,
            plugin: plugin.clone(),
            instance_ptr,
            vtable,
            _limited: limited,
            inflight: AtomicUsize::new(0),
            sealed: AtomicBool::new(false),
            served,
        })
    }

    fn call<R>(&self, body: impl FnOnce(&Plugin, CInterface) -> R) -> R {
        let _serial = match &self.served {
            Served::Shared(_) => None,
            Served::Exclusive(instance) => Some(lock(instance)),
        };
        body(
            &self.plugin,
            CInterface {
                vtable: self.vtable,
                instance: self.instance_ptr,
            },
        )
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
        // SAFETY: the target was verified for `State` just now and lives as
        // long as `self`, which outlives the client; the instance is
        // thread-safe, or this thread holds its lock.
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
struct Leave<'a>(&'a Generation);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Core {
    /// Loads the plugin at `path` with `loader`, creates an instance with
    /// `config` and finds `target` in it (and, with [`Swap::HandOver`],
    /// requires `org.tenon.state`).
    pub(super) fn load(
        loader: &Loader,
        path: &Path,
        config: &str,
        options: ReloadOptions,
        target: Target,
        calls: Calls,
    ) -> Result<Self, Error> {
        let (canonical, opened) = super::file::open_complete(loader, path, Duration::ZERO)?;
        let plugin = Plugin::load_opened(loader, &canonical, opened)?;
        if options.swap == Swap::HandOver {
            plugin.require::<dyn State>()?;
        }
        let first = Generation::new(1, &plugin, config, &target, calls)?;
        Ok(Core {
            loader: loader.clone(),
            config: config.to_owned(),
            options,
            target,
            calls,
            current: ArcSwap::from_pointee(first),
            reloading: Mutex::new(path.to_path_buf()),
            parked: (Mutex::new(()), Condvar::new()),
        })
    }

    /// Calls `body` with the current build's interface; see
    /// [`Reloadable::with`](super::Reloadable::with).
    pub(super) fn with<R>(&self, body: impl FnOnce(CInterface) -> R) -> R {
        self.with_plugin(|_, target| body(target))
    }

    /// As [`Core::with`], with the plugin of the build the call runs on.
    pub(super) fn with_plugin<R>(&self, body: impl FnOnce(&Plugin, CInterface) -> R) -> R {
        loop {
            let generation = self.current.load();
            generation.inflight.fetch_add(1, Ordering::SeqCst);
            // Checked after entering: a hand-over seals, then waits for
            // `inflight` to reach zero, so either it sees this call or this
            // call sees the seal.
            if generation.sealed.load(Ordering::SeqCst) {
                generation.inflight.fetch_sub(1, Ordering::SeqCst);
                self.park_while_sealed(&generation);
                continue;
            }
            let _leave = Leave(&generation);
            return generation.call(body);
        }
    }

    /// See [`Reloadable::reload_from`](super::Reloadable::reload_from).
    pub(super) fn reload_from(&self, path: &Path) -> Result<Reloaded, Error> {
        let started = Instant::now();
        let mut source = lock(&self.reloading);
        let (canonical, opened) =
            super::file::open_complete(&self.loader, path, self.options.settle)?;
        let plugin = Plugin::load_opened(&self.loader, &canonical, opened)?;
        let old = self.current.load_full();
        let new = Generation::new(
            old.number + 1,
            &plugin,
            &self.config,
            &self.target,
            self.calls,
        )?;
        drop(plugin);
        let state_bytes = match self.options.swap {
            Swap::Stateless => {
                self.current.store(Arc::new(new));
                None
            }
            Swap::HandOver => self.hand_over(&old, new)?,
        };
        *source = path.to_path_buf();
        drop(source);
        let released_old = self.release(old);
        let current = self.current.load();
        Ok(Reloaded {
            generation: current.number,
            info: current.plugin.info().clone(),
            took: started.elapsed(),
            state_bytes,
            released_old,
        })
    }

    /// The generation now serving.
    pub(super) fn generation(&self) -> u64 {
        self.current.load().number
    }

    /// The plugin (build) now serving.
    pub(super) fn plugin(&self) -> Plugin {
        self.current.load().plugin.clone()
    }

    /// The file the next reload reads.
    pub(super) fn path(&self) -> PathBuf {
        lock(&self.reloading).clone()
    }

    /// Waits until `generation` is no longer sealed or no longer current.
    fn park_while_sealed(&self, generation: &Arc<Generation>) {
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
    /// `new` and makes `new` current, giving the size of the state; on
    /// failure unseals `old`, which goes on serving, and drops `new`.
    ///
    /// An isolated `old` whose process has died has no state left to save:
    /// its `save` fails with a fault (`instance_lost`, or `crashed` or
    /// `timed_out` if it died saving). Refusing the reload then would leave
    /// the reloadable failing every call for good, so `new` takes over as
    /// created, without a `restore`, and the size is `None`.
    fn hand_over(&self, old: &Arc<Generation>, new: Generation) -> Result<Option<usize>, Error> {
        let name = || old.plugin.name().to_owned();
        // The new build must speak the state interface before anyone waits.
        // The old one does: it was required of the first build at load, and
        // of every later one here. (Not asked again through its instance,
        // whose lock a reload made from inside a call on this thread holds:
        // such a reload times out draining instead of waiting for itself.)
        new.state(|_| ())?;
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
            Ok(Ok(bytes)) => Some(bytes),
            Ok(Err(error)) if error.fault().is_some() => {
                tracing::warn!(
                    target: "tenon",
                    plugin = %name(),
                    %error,
                    "the serving build's process has died, and its state with it: \
                     the new build starts without a hand-over"
                );
                None
            }
            Ok(Err(error)) => {
                return Err(abandon(Error::StateHandOver {
                    plugin: name(),
                    step: "save",
                    error,
                }))
            }
            Err(error) => return Err(abandon(error)),
        };
        if let Some(saved) = &saved {
            match new.state(|state| state.restore(saved)) {
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
        }
        self.current.store(Arc::new(new));
        self.unpark();
        Ok(saved.map(|bytes| bytes.len()))
    }

    /// Releases the old generation here once its last call has returned
    /// (within the drain timeout), so that its destruction and unloading
    /// cost no caller anything; otherwise its last caller releases it.
    fn release(&self, old: Arc<Generation>) -> bool {
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
