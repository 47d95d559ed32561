//! A loaded, verified plugin library.

use crate::host_table::HostTable;
use crate::instance::{Instance, InstanceCore, SharedInstance};
use crate::sys::tenon_plugin_descriptor;
use crate::verify::{verify, CreateFn, DestroyFn, Offered};
use crate::{AbiVersion, Error, HostServices, PluginInfo};
use core::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tenon_interface::{verify_vtable, Arg, HostBuffer, Interface, Status, VtableRefusal};

/// A plugin library, loaded and verified.
///
/// Cheap to clone: clones share the library, which stays loaded until the
/// last clone, and the last [`Instance`] made from it, are dropped.
#[derive(Clone)]
pub struct Plugin {
    loaded: Arc<Loaded>,
}

struct Loaded {
    info: PluginInfo,
    offered: Vec<Offered>,
    create: CreateFn,
    destroy: DestroyFn,
    /// Declared last so it is dropped (unloaded) after everything that
    /// points into it.
    _library: libloading::Library,
}

// SAFETY: the raw pointers in `offered` and the functions point to the
// plugin's immutable static data and code, valid while `library` is loaded,
// and reading them from any thread is allowed by `plugin.h`.
unsafe impl Send for Loaded {}
// SAFETY: as above; nothing in `Loaded` is mutated after loading.
unsafe impl Sync for Loaded {}

impl Plugin {
    /// Loads the plugin at `path` and verifies it: the file's header is for
    /// this platform and complete (read before the loader is asked), the
    /// entry symbol exists, the ABI major matches, the descriptor is large
    /// enough, its strings are UTF-8, the version is semver and the
    /// interface table is well formed. No plugin code runs except library
    /// initializers and the entry function.
    ///
    /// Loading a library runs its initializers in this process: load only
    /// plugins you trust as much as your own code, or (in a later release)
    /// load them isolated.
    pub fn load(path: impl AsRef<Path>) -> Result<Plugin, Error> {
        let given = path.as_ref();
        let path = std::fs::canonicalize(given).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::FileNotFound {
                path: given.to_path_buf(),
            },
            _ => Error::NotALibrary {
                path: given.to_path_buf(),
                reason: e.to_string(),
            },
        })?;
        if !path.is_file() {
            return Err(Error::NotALibrary {
                path,
                reason: "not a regular file".to_owned(),
            });
        }
        // Before the loader sees the file: refuses text, empty, truncated
        // and foreign-architecture files with a precise reason.
        crate::binary::check_library_file(&path)?;
        // SAFETY: loading runs the library's initializers; this is the
        // trust a host places in every in-process plugin (documented above).
        // The path is absolute, so no search path is consulted.
        let library =
            unsafe { libloading::Library::new(&path) }.map_err(|e| Error::NotALibrary {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        let entry = entry_point(&library, &path)?;
        // SAFETY: the entry function takes no arguments and, by the
        // contract, returns a pointer to a static descriptor or NULL.
        let descriptor = unsafe { entry() };
        // SAFETY: `descriptor` comes from this library's entry, and the
        // library is kept in `Loaded` beside everything `verify` returns.
        let verified = unsafe { verify(&path, descriptor) }?;
        tracing::debug!(target: "tenon", plugin = %verified.info.name, path = %path.display(), "loaded plugin");
        Ok(Plugin {
            loaded: Arc::new(Loaded {
                info: verified.info,
                offered: verified.offered,
                create: verified.create,
                destroy: verified.destroy,
                _library: library,
            }),
        })
    }

    /// The plugin's metadata.
    pub fn info(&self) -> &PluginInfo {
        &self.loaded.info
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.loaded.info.name
    }

    /// Creates an instance that one thread at a time may call.
    ///
    /// `config` is passed to the plugin's `create` as is; its format is the
    /// plugin's business (often empty).
    pub fn instantiate(&self, config: &str) -> Result<Instance, Error> {
        self.create(config, &HostServices::new()).map(Instance::new)
    }

    /// [`Plugin::instantiate`], offering the instance the host's own
    /// interfaces (`services`), which it may call back into until it is
    /// destroyed.
    pub fn instantiate_with(
        &self,
        config: &str,
        services: &HostServices,
    ) -> Result<Instance, Error> {
        self.create(config, services).map(Instance::new)
    }

    /// Creates an instance that several threads may call at once. Fails
    /// with [`Error::NotThreadSafe`] unless the plugin declares
    /// `TENON_PLUGIN_THREAD_SAFE`.
    pub fn instantiate_shared(&self, config: &str) -> Result<SharedInstance, Error> {
        self.instantiate_shared_with(config, &HostServices::new())
    }

    /// [`Plugin::instantiate_shared`], offering the host's own interfaces
    /// as [`Plugin::instantiate_with`] does.
    pub fn instantiate_shared_with(
        &self,
        config: &str,
        services: &HostServices,
    ) -> Result<SharedInstance, Error> {
        if !self.loaded.info.thread_safe() {
            return Err(Error::NotThreadSafe {
                plugin: self.loaded.info.name.clone(),
            });
        }
        self.create(config, services).map(SharedInstance::new)
    }

    /// Checks, without creating an instance, that the plugin implements
    /// interface `I` at the host's version with every method present.
    pub fn require<I: ?Sized + Interface>(&self) -> Result<(), Error> {
        self.vtable::<I>().map(|_| ())
    }

    fn create(&self, config: &str, services: &HostServices) -> Result<InstanceCore, Error> {
        let host = HostTable::new(&self.loaded.info.name, services.clone());
        let mut instance: *mut c_void = core::ptr::null_mut();
        let mut error = HostBuffer::new();
        // SAFETY: `create` was verified non-NULL; the host table, config
        // and buffers outlive the call; the table also outlives the
        // instance, as it moves into the `InstanceCore` below.
        let status = unsafe {
            (self.loaded.create)(
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

    /// The verified vtable of interface `I`.
    pub(crate) fn vtable<I: ?Sized + Interface>(&self) -> Result<*const I::Vtable, Error> {
        let plugin = || self.loaded.info.name.clone();
        let offered = self
            .loaded
            .offered
            .iter()
            .find(|o| o.info.id == I::ID)
            .ok_or_else(|| {
                let ids: Vec<&str> = self
                    .loaded
                    .offered
                    .iter()
                    .map(|o| o.info.id.as_str())
                    .collect();
                Error::InterfaceNotFound {
                    plugin: plugin(),
                    id: I::ID.to_owned(),
                    offered: if ids.is_empty() {
                        "nothing".to_owned()
                    } else {
                        ids.join(", ")
                    },
                }
            })?;
        if offered.info.version != I::VERSION {
            return Err(Error::InterfaceVersionMismatch {
                plugin: plugin(),
                id: I::ID.to_owned(),
                offered: offered.info.version,
                requested: I::VERSION,
            });
        }
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
                required: size_of::<I::Vtable>(),
            },
        })
    }

    pub(crate) fn destroy_fn(&self) -> crate::verify::DestroyFn {
        self.loaded.destroy
    }
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
    let symbol = format!("tenon_plugin_v{}\0", AbiVersion::HOST.major);
    // SAFETY: the v1 entry has exactly this type in `plugin.h`.
    if let Ok(entry) = unsafe { library.get::<Entry>(symbol.as_bytes()) } {
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
