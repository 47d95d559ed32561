//! A loaded, verified plugin library.

use crate::host_table::HostTable;
use crate::instance::{Instance, InstanceCore, SharedInstance};
use crate::sys::tenon_plugin_descriptor;
use crate::unload::{OpenLibrary, UnloadOutcome};
use crate::verify::{verify, CreateFn, DestroyFn, Offered};
use crate::{AbiVersion, Error, HostServices, Loader, PluginInfo, StaticEntry};
use core::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tenon_interface::{verify_vtable, Arg, HostBuffer, Interface, Status, VtableRefusal};

/// A plugin library, loaded and verified: in this process, or isolated in
/// a child process ([`Loader::isolated`]).
///
/// Cheap to clone: clones share the library, which stays loaded until the
/// last clone, and the last [`Instance`] made from it, are dropped.
/// [`Plugin::unload`] closes it explicitly and says whether it really left
/// the process.
#[derive(Clone)]
pub struct Plugin {
    loaded: Arc<Loaded>,
}

struct Loaded {
    info: PluginInfo,
    services: HostServices,
    backend: Backend,
}

enum Backend {
    InProcess(InProcess),
    Isolated(crate::isolation::Host),
}

struct InProcess {
    offered: Vec<Offered>,
    create: CreateFn,
    destroy: DestroyFn,
    /// Declared last so it is dropped (unloaded) after everything that
    /// points into it. `None` for a plugin linked into the host
    /// ([`crate::Registry::with_static`]), which is never unloaded.
    _library: Option<OpenLibrary>,
    /// The private copy the library was loaded from, if it was copied;
    /// closed only after the library (see `load_local`).
    _copy: Option<std::fs::File>,
}

// SAFETY: the raw pointers in `offered` and the functions point to the
// plugin's immutable static data and code, valid while `library` is loaded,
// and reading them from any thread is allowed by `plugin.h`.
unsafe impl Send for InProcess {}
// SAFETY: as above; nothing in `InProcess` is mutated after loading.
unsafe impl Sync for InProcess {}

impl Plugin {
    /// A [`Loader`], to load with options (host services, isolation, a
    /// required checksum).
    pub fn loader() -> Loader {
        Loader::new()
    }

    /// Loads the plugin at `path` and verifies it: the file's header is for
    /// this platform and complete (read before the loader is asked), the
    /// entry symbol exists and is not data (from the loaded image on Linux
    /// with glibc, from the file's export table elsewhere; before it is
    /// called), the ABI major matches, the descriptor is large
    /// enough, its strings are UTF-8, the version is semver and the
    /// interface table is well formed. No plugin code runs except library
    /// initializers and the entry function. `docs/ABI.md` lists every rule
    /// and says which reads happen where.
    ///
    /// Loading a library runs its initializers in this process: load only
    /// plugins you trust as much as your own code, or load them isolated
    /// ([`Loader::isolated`]).
    ///
    /// # A corrupt file can end the process
    ///
    /// The operating system's dynamic loader trusts the headers of the file
    /// it maps, and a file whose headers are corrupt can make the loader
    /// itself crash inside `dlopen`, with a signal (`SIGSEGV`, `SIGBUS`) or
    /// a loader assertion that exits the process, before this function can
    /// return an error. This is not rare: with a few random bytes of a
    /// plugin's headers overwritten, about one file in five (one in three
    /// in some trials) ends the process that loads it. The checks this
    /// function makes before asking the loader refuse a few of those files
    /// (truncated tables, segments past the end of the file, impossible
    /// header values), but no check short of redoing the loader's work can
    /// refuse them all. A file that may be damaged (downloaded, copied
    /// from elsewhere, built by someone else) should first be loaded in a
    /// child process: `tenon inspect` and `tenon check` load plugins in a
    /// child for this reason, and [`Loader::isolated`] loads a plugin there
    /// for good.
    ///
    /// `Plugin::load(path)` is `Plugin::loader().load(path)`.
    pub fn load(path: impl AsRef<Path>) -> Result<Plugin, Error> {
        Loader::new().load(path)
    }

    pub(crate) fn load_with(options: &Loader, given: &Path) -> Result<Plugin, Error> {
        let (file, path, len) = crate::integrity::open_regular_sized(given)?;
        isolation_supported(options)?;
        let opened = crate::integrity::open(file, &path, options.sha256.as_deref())?;
        // A copy's length is its own: read again.
        let len = (!opened.copied).then_some(len);
        Self::load_opened_sized(options, &path, opened, len)
    }

    /// Loads a file already opened (and, for a required digest, checked)
    /// with `options`; `path` (canonical) names it in errors and metadata.
    /// The reloader opens its files itself (`crate::reload`).
    pub(crate) fn load_opened(
        options: &Loader,
        path: &Path,
        opened: crate::integrity::Opened,
    ) -> Result<Plugin, Error> {
        Self::load_opened_sized(options, path, opened, None)
    }

    /// [`Plugin::load_opened`] of a file known to be `len` bytes long, if
    /// known.
    fn load_opened_sized(
        options: &Loader,
        path: &Path,
        opened: crate::integrity::Opened,
        len: Option<u64>,
    ) -> Result<Plugin, Error> {
        isolation_supported(options)?;
        if let Some(isolation) = &options.isolation {
            // Before the child sees the file: refuses text, empty, truncated
            // and foreign-architecture files with a precise reason, and an
            // entry the file says is data, which must never be called.
            // Reading the headers runs nothing, so the host does it itself.
            crate::library::LibraryFile::read_open(&opened.file, path)?.check_entry()?;
            let (info, host) =
                crate::isolation::Host::start(isolation, path, opened, &options.services)?;
            return Ok(Plugin {
                loaded: Arc::new(Loaded {
                    info,
                    services: options.services.clone(),
                    backend: Backend::Isolated(host),
                }),
            });
        }
        Self::load_local_sized(path, opened, &options.services, len)
    }

    /// Loads, in this process, a file already opened (and, for a required
    /// digest, checked); `path` names it in errors and metadata.
    /// (The isolation child's entry, on the platforms with one: it knows
    /// no length.)
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    pub(crate) fn load_local(
        path: &Path,
        opened: crate::integrity::Opened,
        services: &HostServices,
    ) -> Result<Plugin, Error> {
        Self::load_local_sized(path, opened, services, None)
    }

    /// [`Plugin::load_local`] of a file known to be `len` bytes long, if
    /// known.
    fn load_local_sized(
        path: &Path,
        opened: crate::integrity::Opened,
        services: &HostServices,
        len: Option<u64>,
    ) -> Result<Plugin, Error> {
        let path = path.to_path_buf();
        let mut opened = opened;
        // Before the loader sees the file: refuses text, empty, truncated
        // and foreign-architecture files with a precise reason, and (where
        // the loaded image cannot tell) an entry the file says is data.
        let entry_check = crate::library::check_before_loading(&opened.file, &path, len)?;
        let loader_path = opened.unique_loader_path(&path);
        let own_libraries = own_libraries(&opened, &path)?;
        // SAFETY: loading runs the library's initializers; this is the
        // trust a host places in every in-process plugin (documented above).
        // The path is absolute, so no search path is consulted.
        let library =
            unsafe { libloading::Library::new(&loader_path) }.map_err(|e| Error::NotALibrary {
                path: path.clone(),
                reason: loader_reason(loader_message(&e), &loader_path)
                    + &found_nowhere(&e, &opened.file, &path),
            })?;
        drop(own_libraries);
        let entry = entry_point(&library, &path)?;
        // An entry that is data must never be called: proven a function
        // from the loaded image, or checked against the file's exports.
        let library =
            entry_check.after_loading(library, entry as *const c_void, &opened.file, &path)?;
        // A private copy stays open while its library is loaded, so that its
        // descriptor's number, and with it the name the dynamic loader knows
        // the library by, is not reused for another copy meanwhile.
        let copy = opened.copied.then_some(opened.file);
        // SAFETY: the entry function takes no arguments and, by the
        // contract, returns a pointer to a static descriptor or NULL.
        let descriptor = unsafe { entry() };
        // SAFETY: `descriptor` comes from this library's entry, and the
        // library is kept in `Loaded` beside everything `verify` returns.
        let verified = unsafe { verify(&path, descriptor) }?;
        tracing::debug!(target: "tenon", plugin = %verified.info.name, path = %path.display(), "loaded plugin");
        let library = OpenLibrary::new(library, entry as usize);
        Ok(Self::in_process(verified, services, Some(library), copy))
    }

    /// A plugin whose verified descriptor lives in this process: in
    /// `library`, or linked into the host when there is none.
    fn in_process(
        verified: crate::verify::Verified,
        services: &HostServices,
        library: Option<OpenLibrary>,
        copy: Option<std::fs::File>,
    ) -> Plugin {
        Plugin {
            loaded: Arc::new(Loaded {
                info: verified.info,
                services: services.clone(),
                backend: Backend::InProcess(InProcess {
                    offered: verified.offered,
                    create: verified.create,
                    destroy: verified.destroy,
                    _library: library,
                    _copy: copy,
                }),
            }),
        }
    }

    /// Verifies a plugin linked into the host, through its entry function,
    /// exactly as a loaded library's descriptor is verified. `label` (the
    /// `static:<name>` pseudo-path) names it in errors and in
    /// [`PluginInfo::path`].
    pub(crate) fn from_static(
        label: &Path,
        entry: StaticEntry,
        services: &HostServices,
    ) -> Result<Plugin, Error> {
        // SAFETY: the host linked this entry into itself and vouched for it
        // when registering it (`Loader::load_static`): by the contract it
        // takes no arguments and returns a static descriptor or NULL.
        let descriptor = unsafe { entry() };
        // SAFETY: `descriptor` comes from code linked into this program,
        // which is never unloaded, so everything it points to lives for
        // the rest of the process.
        let verified = unsafe { verify(label, descriptor) }?;
        tracing::debug!(target: "tenon", plugin = %verified.info.name, origin = %label.display(), "registered static plugin");
        Ok(Self::in_process(verified, services, None, None))
    }

    /// Whether the plugin is linked into the host (registered with
    /// [`crate::Registry::with_static`]) rather than loaded from a file.
    pub fn is_static(&self) -> bool {
        matches!(
            &self.loaded.backend,
            Backend::InProcess(InProcess { _library: None, .. })
        )
    }

    /// Unloads the plugin if this is its last owner, and says whether its
    /// code really left the process.
    ///
    /// Nothing is closed while other clones or instances are alive
    /// ([`UnloadOutcome::StillInUse`]: dropping this one, the library is
    /// closed when the last of them goes), so no call can be in flight in
    /// the library when it is closed. Otherwise the library is closed and
    /// the process checked: [`UnloadOutcome::Unloaded`] only when the
    /// operating system no longer maps it (checked on Linux and Windows;
    /// elsewhere [`UnloadOutcome::NotVerified`]), else
    /// [`UnloadOutcome::StillMapped`] with the likely reasons (`-z
    /// nodelete`, GNU unique symbols, pending thread-local destructors).
    /// An isolated plugin's process is ended
    /// ([`UnloadOutcome::ProcessEnded`]); a static plugin is part of the
    /// host and is never unloaded ([`UnloadOutcome::Static`], whatever
    /// other owners it has).
    ///
    /// ```no_run
    /// let plugin = tenon::Plugin::load("target/plugins/libgreeter.so")?;
    /// match plugin.unload() {
    ///     tenon::UnloadOutcome::StillMapped(still) => {
    ///         for reason in still.reasons() {
    ///             eprintln!("not unloaded: {reason} ({})", reason.advice());
    ///         }
    ///     }
    ///     outcome => println!("{outcome}"),
    /// }
    /// # Ok::<(), tenon::Error>(())
    /// ```
    ///
    /// See `docs/unload.md`.
    pub fn unload(self) -> UnloadOutcome {
        // Checked before the owners: with or without other clones (a
        // registry keeps one), nothing of a static plugin can ever be closed.
        if self.is_static() {
            return UnloadOutcome::Static;
        }
        let loaded = match Arc::try_unwrap(self.loaded) {
            Ok(loaded) => loaded,
            Err(shared) => {
                return UnloadOutcome::StillInUse {
                    owners: Arc::strong_count(&shared).saturating_sub(1),
                }
            }
        };
        let path = loaded.info.path.clone();
        match loaded.backend {
            // Ending the process (when `_host` is dropped, at the end of
            // this arm) unmaps everything it had loaded.
            Backend::Isolated(_host) => UnloadOutcome::ProcessEnded,
            Backend::InProcess(local) => match local._library {
                None => UnloadOutcome::Static,
                Some(library) => library.close(&path),
            },
        }
    }

    /// The plugin's metadata.
    pub fn info(&self) -> &PluginInfo {
        &self.loaded.info
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.loaded.info.name
    }

    /// Creates an instance that one thread at a time may call, offered the
    /// loader's [`services`](Loader::services).
    ///
    /// `config` is passed to the plugin's `create` as is; its format is the
    /// plugin's business (often empty).
    pub fn instantiate(&self, config: &str) -> Result<Instance, Error> {
        self.create(config).map(Instance::new)
    }

    /// Creates an instance that several threads may call at once. Fails
    /// with [`Error::NotThreadSafe`] unless the plugin declares
    /// `TENON_PLUGIN_THREAD_SAFE`.
    pub fn instantiate_shared(&self, config: &str) -> Result<SharedInstance, Error> {
        if !self.loaded.info.thread_safe() {
            return Err(Error::NotThreadSafe {
                plugin: self.loaded.info.name.clone(),
            });
        }
        self.create(config).map(SharedInstance::new)
    }

    /// Checks, without creating an instance, that the plugin implements
    /// interface `I` at the host's version with every method present.
    pub fn require<I: ?Sized + Interface>(&self) -> Result<(), Error> {
        match &self.loaded.backend {
            Backend::InProcess(_) => self.vtable::<I>().map(|_| ()),
            Backend::Isolated(host) => host.require::<I>(&self.loaded.info),
        }
    }

    /// Whether the plugin runs in a child process ([`Loader::isolated`]).
    pub fn is_isolated(&self) -> bool {
        !matches!(self.loaded.backend, Backend::InProcess(_))
    }

    /// A health check: for an isolated plugin, a round trip to its process
    /// that its dispatcher must answer within `deadline`, giving the time
    /// it took (a dead process is [`Error::Crashed`], restarted first if
    /// the restart policy allows; no answer in time is [`Error::TimedOut`]
    /// and the process is killed). In process it is trivially `Ok`.
    ///
    /// `deadline` bounds the round trip only: a restart's wait
    /// ([`Restart::Always`](crate::isolation::Restart::Always)'s backoff)
    /// and the new process's start come before it, on this thread.
    pub fn ping(&self, deadline: std::time::Duration) -> Result<std::time::Duration, Error> {
        let _ = deadline;
        match &self.loaded.backend {
            Backend::InProcess(_) => Ok(std::time::Duration::ZERO),
            Backend::Isolated(host) => host.ping(deadline),
        }
    }

    fn create(&self, config: &str) -> Result<InstanceCore, Error> {
        let local = match &self.loaded.backend {
            Backend::InProcess(local) => local,
            Backend::Isolated(host) => {
                let remote = host.create(config, &self.loaded.info)?;
                return Ok(InstanceCore::remote(self.clone(), remote));
            }
        };
        let host = HostTable::new(&self.loaded.info.name, self.loaded.services.clone());
        let mut instance: *mut c_void = core::ptr::null_mut();
        let mut error = HostBuffer::new();
        // SAFETY: `create` was verified non-NULL; the host table, config
        // and buffers outlive the call; the table also outlives the
        // instance, as it moves into the `InstanceCore` below.
        let status = unsafe {
            (local.create)(
                host.as_raw(),
                config.to_raw(),
                &mut instance,
                error.as_raw(),
            )
        };
        if status != Status::OK.0 {
            return Err(Error::CreateFailed {
                plugin: self.loaded.info.name.clone(),
                status: Status(status),
                message: error.into_message(),
            });
        }
        // SAFETY: `instance` was just returned by this plugin's `create`.
        Ok(unsafe { InstanceCore::new(self.clone(), instance, host) })
    }

    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    pub(crate) fn isolated_host(&self) -> Option<&crate::isolation::Host> {
        match &self.loaded.backend {
            Backend::Isolated(host) => Some(host),
            Backend::InProcess(_) => None,
        }
    }

    /// An in-process plugin's entry points and offered vtables (for the
    /// isolation child, which serves them).
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    pub(crate) fn local_parts(&self) -> Option<(&[Offered], CreateFn, DestroyFn)> {
        match &self.loaded.backend {
            Backend::InProcess(local) => Some((&local.offered, local.create, local.destroy)),
            Backend::Isolated(_) => None,
        }
    }

    /// The verified vtable of interface `I` of an in-process plugin.
    pub(crate) fn vtable<I: ?Sized + Interface>(&self) -> Result<*const I::Vtable, Error> {
        let plugin = || self.loaded.info.name.clone();
        let Backend::InProcess(local) = &self.loaded.backend else {
            unreachable!("vtables are read from in-process plugins only")
        };
        let offered = offered_entry::<I>(&self.loaded.info)?;
        let offered = &local.offered[offered];
        // SAFETY: the plugin offers this id and version, whose vtable starts
        // with its struct_size (checked by `verify`); it lives as long as
        // the library.
        unsafe { verify_vtable::<I>(offered.vtable) }.map_err(|refusal| match refusal {
            VtableRefusal::TooSmall { size, required } => Error::VtableTooSmall {
                plugin: plugin(),
                id: I::ID.to_owned(),
                size,
                required,
            },
            VtableRefusal::NullSlot { method } => Error::NullSlot {
                plugin: plugin(),
                id: I::ID.to_owned(),
                method,
            },
            _ => Error::VtableTooSmall {
                plugin: plugin(),
                id: I::ID.to_owned(),
                size: offered.info.vtable_size,
                required: I::MIN_VTABLE_SIZE,
            },
        })
    }

    /// The verified vtable of interface `id` at `version` of an in-process
    /// plugin, for a caller whose vtable type is `vtable_size` bytes
    /// (`crate::c_interface` says what is checked).
    pub(crate) fn checked_vtable(
        &self,
        id: &str,
        version: u32,
        vtable_size: usize,
    ) -> Result<*const c_void, Error> {
        let vtable = self.raw_vtable(id, version)?.as_ptr();
        // SAFETY: the plugin offers this id and version, and `verify` checked
        // that the vtable starts with its struct_size; it lives as long as
        // the library, which `self` keeps loaded.
        unsafe {
            crate::c_interface::check_vtable(
                &self.loaded.info.name,
                id,
                version,
                vtable,
                vtable_size,
            )
        }?;
        Ok(vtable)
    }

    /// The vtable pointer of the offered interface at `index` in
    /// `info.interfaces`, for an in-process plugin; `None` for an isolated
    /// one, whose vtables live in its own process.
    pub(crate) fn offered_vtable(&self, index: usize) -> Option<*const c_void> {
        match &self.loaded.backend {
            Backend::InProcess(local) => local.offered.get(index).map(|o| o.vtable),
            Backend::Isolated(_) => None,
        }
    }

    pub(crate) fn destroy_fn(&self) -> crate::verify::DestroyFn {
        match &self.loaded.backend {
            Backend::InProcess(local) => local.destroy,
            Backend::Isolated(_) => unreachable!("isolated instances are destroyed remotely"),
        }
    }
}

/// Refuses isolation where this build cannot provide it.
fn isolation_supported(options: &Loader) -> Result<(), Error> {
    if options.isolation.is_some() && !cfg!(any(target_os = "linux", target_os = "macos", windows))
    {
        return Err(Error::IsolationUnsupported {
            reason:
                "process isolation is implemented on Linux, macOS and Windows only in this release"
                    .to_owned(),
        });
    }
    Ok(())
}

/// The index, in `info.interfaces`, of interface `I` at `I`'s version.
pub(crate) fn offered_entry<I: ?Sized + Interface>(info: &PluginInfo) -> Result<usize, Error> {
    offered_index(info, I::ID, I::VERSION)
}

/// The size of the vtable `plugin` offers for interface `I` at `I`'s
/// version, if it offers it: how much of `I`'s declaration (which revision)
/// the plugin's own vtable holds.
pub(crate) fn offered_vtable_size<I: ?Sized + Interface>(plugin: &Plugin) -> Option<u32> {
    Some(plugin.info().interface(I::ID, I::VERSION)?.vtable_size)
}

/// The index, in `info.interfaces`, of interface `id` at `version`. A
/// plugin may offer one id at several versions; only the entry of the
/// version asked for serves.
pub(crate) fn offered_index(info: &PluginInfo, id: &str, version: u32) -> Result<usize, Error> {
    let plugin = || info.name.clone();
    if let Some(index) = info
        .interfaces
        .iter()
        .position(|o| o.id == id && o.version == version)
    {
        return Ok(index);
    }
    let mut versions: Vec<u32> = info
        .interfaces
        .iter()
        .filter(|o| o.id == id)
        .map(|o| o.version)
        .collect();
    let Some(&offered) = versions.iter().max() else {
        let ids: Vec<&str> = info.interfaces.iter().map(|o| o.id.as_str()).collect();
        return Err(Error::InterfaceNotFound {
            plugin: plugin(),
            id: id.to_owned(),
            offered: if ids.is_empty() {
                "nothing".to_owned()
            } else {
                ids.join(", ")
            },
        });
    };
    versions.sort_unstable();
    Err(Error::InterfaceVersionMismatch {
        plugin: plugin(),
        id: id.to_owned(),
        offered,
        versions,
        requested: version,
    })
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.loaded.info.name)
            .field("version", &self.loaded.info.version.to_string())
            .field("path", &self.loaded.info.path)
            .finish()
    }
}

/// Finds `tenon_plugin_v1`, or says which other major the library speaks.
fn entry_point(
    library: &libloading::Library,
    path: &Path,
) -> Result<unsafe extern "C" fn() -> *const tenon_plugin_descriptor, Error> {
    type Entry = unsafe extern "C" fn() -> *const tenon_plugin_descriptor;
    // SAFETY: the v1 entry has exactly this type in `plugin.h`.
    if let Ok(entry) = unsafe { library.get::<Entry>(crate::library::ENTRY_SYMBOL) } {
        return Ok(*entry);
    }
    for major in (1..=16u32).filter(|&m| m != u32::from(AbiVersion::HOST.major)) {
        let other = format!("tenon_plugin_v{major}\0");
        // SAFETY: only the symbol's presence is checked; it is never called.
        if unsafe { library.get::<*const c_void>(other.as_bytes()) }.is_ok() {
            return Err(Error::AbiMismatch {
                path: PathBuf::from(path),
                plugin_major: major,
                host_major: AbiVersion::HOST.major.into(),
            });
        }
    }
    Err(Error::MissingEntry {
        path: path.to_path_buf(),
    })
}

/// The dynamic loader's message with its cause. On Windows libloading's
/// own text is only `LoadLibraryExW failed`; the system's reason (most often
/// a DLL the plugin imports was not found, os error 126) is its source.
fn loader_message(error: &libloading::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// The libraries a plugin needs from its own directory that the loader
/// would not find there by itself, loaded before the plugin so that the
/// loader takes them as already loaded; dropped (our references released)
/// once the plugin holds its own, so they leave the process with it.
///
/// Windows does not look beside a DLL for the DLLs it imports, and a
/// private copy has none beside it: those in the original file's directory
/// are loaded (`library/beside.rs`).
#[cfg(windows)]
fn own_libraries(
    opened: &crate::integrity::Opened,
    path: &Path,
) -> Result<Vec<libloading::Library>, Error> {
    let Some(dir) = path.parent() else {
        return Ok(Vec::new());
    };
    crate::library::beside::load(&opened.file, dir, path.file_name()).map_err(|refused| {
        Error::NotALibrary {
            path: path.to_path_buf(),
            reason: format!(
                "the DLL it imports from its directory, {}, did not load: {}",
                refused.path.display(),
                loader_message(&refused.error)
            ),
        }
    })
}

/// The libraries a plugin needs from its own directory that the loader
/// would not find there by itself, loaded before the plugin so that the
/// loader takes them as already loaded; dropped (our references released)
/// once the plugin holds its own, so they leave the process with it.
///
/// On Linux a library mapped from a descriptor (a private copy, an
/// isolated plugin) gets `/proc/self/fd` for `$ORIGIN`: the libraries its
/// run path finds through the original file's directory are loaded
/// (`library/origin.rs`). A plugin loaded in place needs none.
#[cfg(target_os = "linux")]
fn own_libraries(
    opened: &crate::integrity::Opened,
    path: &Path,
) -> Result<Vec<libloading::Library>, Error> {
    let Some(dir) = path.parent().filter(|_| opened.copied) else {
        return Ok(Vec::new());
    };
    crate::library::origin::load(&opened.file, dir).map_err(|refused| Error::NotALibrary {
        path: path.to_path_buf(),
        reason: format!(
            "the library it needs as `{}`, which its run path finds through $ORIGIN at {}, did not load: {}",
            refused.needed,
            refused.path.display(),
            refused.reason
        ),
    })
}

/// Elsewhere nothing is loaded ahead: on macOS `@loader_path` is the
/// directory of the file mapped, which for a private copy is not the
/// plugin's own (docs/ABI.md says so).
#[cfg(not(any(windows, target_os = "linux")))]
fn own_libraries(
    _opened: &crate::integrity::Opened,
    _path: &Path,
) -> Result<Vec<libloading::Library>, Error> {
    Ok(Vec::new())
}

/// On Windows, after a load that failed because a DLL was not found (os
/// error 126, which does not say which): the DLLs the plugin imports that
/// Windows finds nowhere, as the end of the reason. Empty otherwise, and
/// elsewhere (the loader names the library it did not find).
#[cfg(windows)]
fn found_nowhere(error: &libloading::Error, plugin: &std::fs::File, path: &Path) -> String {
    const ERROR_MOD_NOT_FOUND: i32 = 126;
    let not_found = std::error::Error::source(error)
        .and_then(|cause| cause.downcast_ref::<std::io::Error>())
        .and_then(std::io::Error::raw_os_error)
        == Some(ERROR_MOD_NOT_FOUND);
    let names = match path.parent() {
        Some(dir) if not_found => crate::library::beside::found_nowhere(plugin, dir),
        _ => Vec::new(),
    };
    if names.is_empty() {
        return String::new();
    }
    format!(
        "; it imports {}, found neither in its directory nor where Windows looks for DLLs (beside the program, the system directories, PATH)",
        names.join(", ")
    )
}

#[cfg(not(windows))]
fn found_nowhere(_error: &libloading::Error, _plugin: &std::fs::File, _path: &Path) -> String {
    String::new()
}

/// What the dynamic loader said about a file it refused, without the name
/// it was given at the front (glibc's `dlerror` starts with it): the error
/// already names the file, and that name is the private `/proc/self/fd/N`
/// when the file was opened first (isolated loading, copy-on-load), which
/// the user never gave. A library the file needs keeps its name.
fn loader_reason(message: String, loader_path: &Path) -> String {
    let given = format!("{}: ", loader_path.display());
    match message.strip_prefix(&given) {
        Some(reason) => reason.to_owned(),
        None => message,
    }
}
