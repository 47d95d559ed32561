//! Plugin instances and the typed handles that call them.

use crate::host_table::HostTable;
use crate::{Error, Plugin};
use core::ffi::c_void;
use core::marker::PhantomData;
use std::cell::Cell;
use std::ops::Deref;
use tenon_interface::{Client, Interface};

/// What both kinds of instance own: the plugin (which keeps the library
/// loaded, or its process running) and the instance itself, in this process
/// or in the plugin's process.
pub(crate) struct InstanceCore {
    /// `None` only while being dropped.
    plugin: Option<Plugin>,
    place: Place,
}

enum Place {
    /// The plugin's instance pointer and the host table it was given.
    Local {
        ptr: *mut c_void,
        /// Dropped after `destroy` has returned, as `plugin.h` promises.
        host: Option<HostTable>,
    },
    /// An instance in an isolated plugin's process.
    Remote(crate::isolation::RemoteInstance),
}

// SAFETY: a plugin instance may be called from different threads one after
// the other (`plugin.h`, [instance]); concurrent use is governed by whether
// the wrapper is `Sync`, not by the core.
unsafe impl Send for InstanceCore {}

impl InstanceCore {
    /// # Safety
    ///
    /// `ptr` must come from a successful `create` of `plugin`, which was
    /// given `host`.
    pub(crate) unsafe fn new(plugin: Plugin, ptr: *mut c_void, host: HostTable) -> Self {
        InstanceCore {
            plugin: Some(plugin),
            place: Place::Local {
                ptr,
                host: Some(host),
            },
        }
    }

    /// An instance living in `plugin`'s process.
    pub(crate) fn remote(plugin: Plugin, remote: crate::isolation::RemoteInstance) -> Self {
        InstanceCore {
            plugin: Some(plugin),
            place: Place::Remote(remote),
        }
    }

    fn plugin(&self) -> &Plugin {
        self.plugin.as_ref().expect("set until drop")
    }

    /// The instance pointer and vtable a client of `I` calls: the plugin's
    /// own, or a proxy that forwards to the plugin's process.
    fn target<I: ?Sized + Interface>(&self) -> Result<(*mut c_void, *const I::Vtable), Error> {
        match &self.place {
            Place::Local { ptr, .. } => Ok((*ptr, self.plugin().vtable::<I>()?)),
            Place::Remote(remote) => remote.target::<I>(self.plugin()),
        }
    }

    /// The plugin's instance pointer, for an in-process instance.
    fn local_ptr(&self) -> Option<*mut c_void> {
        match &self.place {
            Place::Local { ptr, .. } => Some(*ptr),
            Place::Remote(_) => None,
        }
    }

    /// The methods a client of `I` may call: those the plugin's own vtable
    /// holds. A proxy's vtable is whole, so a plugin of an earlier
    /// revision, isolated, is limited to what its real vtable has.
    fn limit<I: ?Sized + Interface>(&self, client: Client<I>) -> Client<I> {
        match &self.place {
            Place::Local { .. } => client,
            Place::Remote(_) => limit_to_offered(self.plugin(), client),
        }
    }

    /// The instance pointer and vtable of interface `id` at `version`, for
    /// a caller whose C vtable type is `vtable_size` bytes (`crate::c_interface`).
    fn raw_target(
        &self,
        id: &str,
        version: u32,
        vtable_size: usize,
    ) -> Result<crate::CInterface, Error> {
        let (instance, vtable) = match &self.place {
            Place::Local { ptr, .. } => (
                *ptr,
                self.plugin().checked_vtable(id, version, vtable_size)?,
            ),
            Place::Remote(remote) => {
                // Not offered is the first thing to say, declared or not.
                let index = crate::plugin::offered_index(self.plugin().info(), id, version)?;
                // The proxy's vtable is the declaration's, whole; the
                // plugin's own must cover what the caller needs, as in
                // process (a plugin of an earlier revision than a C host's
                // whole struct is refused, not served by a proxy whose
                // later methods answer `not provided`).
                let offered = self.plugin().info().interfaces[index].vtable_size;
                if vtable_size > offered as usize {
                    return Err(Error::VtableTooSmall {
                        plugin: self.plugin().name().to_owned(),
                        id: id.to_owned(),
                        size: offered,
                        required: vtable_size,
                    });
                }
                let declared = tenon_interface::declared(id, version).map_err(|why| {
                    Error::IsolationFailed {
                        plugin: self.plugin().name().to_owned(),
                        reason: format!(
                            "{why}: an isolated plugin is called through the proxy vtable of an `interface!` declaration, made in the host's process, so the host must declare the interface (a runner's declarations do not stand in for it); a C or C++ host declares it in the libtenon it links (docs/guide-c-host.md, \"Isolation\", says how to build one that declares the application's interfaces)"
                        ),
                    }
                })?;
                if vtable_size > declared.vtable_size() {
                    return Err(Error::VtableTooSmall {
                        plugin: self.plugin().name().to_owned(),
                        id: id.to_owned(),
                        size: declared.vtable_size() as u32,
                        required: vtable_size,
                    });
                }
                remote.target_declared(self.plugin(), declared)?
            }
        };
        Ok(crate::CInterface { vtable, instance })
    }

    /// A client with no gate: for instances that may be called
    /// concurrently and re-entered.
    fn shared_client<I: ?Sized + Interface>(&self) -> Result<Client<I>, Error> {
        let (ptr, vtable) = self.target::<I>()?;
        // SAFETY: `vtable` is verified (size and every slot within it) or
        // is the interface's proxy vtable, it and the instance live as
        // long as `self`, and the handle that wraps the client borrows
        // `self` and carries its thread-safety.
        Ok(self.limit(unsafe { Client::new(ptr, vtable) }))
    }

    /// A client that refuses re-entrant calls through `busy`.
    fn exclusive_client<I: ?Sized + Interface>(
        &self,
        busy: &Cell<bool>,
    ) -> Result<Client<I>, Error> {
        let (ptr, vtable) = self.target::<I>()?;
        // SAFETY: as in `shared_client`; `busy` belongs to the `Instance`
        // that owns `self`, which the handle borrows.
        Ok(self.limit(unsafe { Client::exclusive(ptr, vtable, busy) }))
    }
}

/// `client`, made on the proxy vtable of an isolated `plugin`, limited to
/// the methods the plugin's own vtable holds: a proxy's vtable is whole, so
/// a plugin of an earlier revision would otherwise look as if it provided
/// every method (and its calls would fail in its process rather than as
/// `not_provided` here).
fn limit_to_offered<I: ?Sized + Interface>(plugin: &Plugin, client: Client<I>) -> Client<I> {
    match crate::plugin::offered_vtable_size::<I>(plugin) {
        Some(size) => client.limited_to(size),
        None => client,
    }
}

impl Drop for InstanceCore {
    fn drop(&mut self) {
        let plugin = self.plugin.take().expect("set until drop");
        let Place::Local { ptr, host } = &mut self.place else {
            // A remote instance is destroyed in the plugin's process by its
            // own drop, which runs after this.
            return;
        };
        // SAFETY: exactly once per successful `create`; no handle can
        // outlive the instance (they borrow it), so no call is in flight.
        unsafe { (plugin.destroy_fn())(*ptr) };
        // Freed only now that destroy has returned. An offered service in
        // the middle of a call on this thread keeps itself alive (see
        // `Implement::SHARED_VTABLE`).
        drop(host.take());
        if tenon_interface::in_shared_call() {
            // Dropped from inside a service the host offers, called by a
            // plugin thread: that plugin's code is still on this thread's
            // stack, below this call, so its library must stay loaded. One
            // reference is leaked: the library is never unloaded.
            tracing::debug!(target: "tenon", plugin = %plugin.name(), "instance dropped inside a host service call; the library stays loaded");
            core::mem::forget(plugin);
        }
    }
}

/// A plugin instance that one thread at a time may call.
///
/// `Instance` is `Send` but not `Sync`: it may move to another thread, but
/// handles borrowed from it cannot be shared across threads, so the plugin
/// is never called concurrently — whatever it declares.
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<tenon::Instance>();
/// ```
///
/// Nor can its handles cross threads:
///
/// ```compile_fail,E0277
/// # tenon::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = Vtable;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
/// # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
/// fn sent<T: Send>() {}
/// sent::<tenon::Handle<'static, dyn Greeter, tenon::Instance>>();
/// ```
///
/// ```compile_fail,E0277
/// # tenon::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = Vtable;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
/// # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
/// fn shared<T: Sync>() {}
/// shared::<tenon::Handle<'static, dyn Greeter, tenon::Instance>>();
/// ```
///
/// For a plugin that is not thread-safe, a call made while another call on
/// the same instance is in progress on this thread (a host service that
/// calls back into the instance that called it) is refused with a
/// [`CallError`](crate::CallError) of kind `reentrant_call`, without
/// reaching the plugin: `plugin.h` promises such a plugin that its instance
/// is never re-entered. The check is a flag set and cleared around each
/// call. A plugin that declares `TENON_PLUGIN_THREAD_SAFE` accepts nested
/// calls (`plugin.h`, `[instance]`), so its handles skip the flag.
pub struct Instance {
    core: InstanceCore,
    /// Set while a call is in progress; also what makes `Instance` `!Sync`.
    busy: Cell<bool>,
}

impl Instance {
    pub(crate) fn new(core: InstanceCore) -> Self {
        Instance {
            core,
            busy: Cell::new(false),
        }
    }

    /// A typed handle to interface `I` of this instance, verified: the
    /// plugin offers `I`'s id at `I`'s version, its vtable is large enough
    /// and no method is NULL.
    pub fn interface<I: ?Sized + Interface>(&self) -> Result<Handle<'_, I, Instance>, Error> {
        if self.core.plugin().info().thread_safe() {
            // Nested calls are allowed; `!Sync` still keeps other threads out.
            Ok(Handle::new(self.core.shared_client()?))
        } else {
            Ok(Handle::new(self.core.exclusive_client(&self.busy)?))
        }
    }

    /// Interface `id` at `version` as raw C pointers, for a host that calls
    /// the C vtable itself (the C API) and knows the interface by id rather
    /// than by a Rust type. `vtable_size` is the size of the caller's C
    /// vtable type: the plugin's `struct_size` must cover it, and no function
    /// pointer within it may be NULL (checked against the `interface!`
    /// declaration too when the program links one). For an isolated plugin
    /// the vtable is the declaration's proxy, so the declaration is
    /// required (kind `isolation_failed` without it).
    ///
    /// The pointers stay valid while this instance lives. Calls made through
    /// them bypass the re-entrancy check of [`Instance::interface`]: the
    /// caller keeps to one call at a time unless the plugin is thread-safe.
    pub fn c_interface(
        &self,
        id: &str,
        version: u32,
        vtable_size: usize,
    ) -> Result<crate::CInterface, Error> {
        self.core.raw_target(id, version, vtable_size)
    }

    /// The plugin this instance belongs to.
    pub fn plugin(&self) -> &Plugin {
        self.core.plugin()
    }

    /// The instance pointer and verified vtable a client of `I` calls (for
    /// the reloader, which keeps them beside the instance).
    pub(crate) fn target<I: ?Sized + Interface>(
        &self,
    ) -> Result<(*mut c_void, *const I::Vtable), Error> {
        self.core.target::<I>()
    }

    /// The plugin's instance pointer, for an in-process instance.
    pub(crate) fn local_ptr(&self) -> Option<*mut c_void> {
        self.core.local_ptr()
    }
}

/// A plugin instance that several threads may call at once; only plugins
/// that declare `TENON_PLUGIN_THREAD_SAFE` make them
/// ([`Plugin::instantiate_shared`]). Calls take no lock.
///
/// Put it in an `Arc` to share it between threads.
pub struct SharedInstance {
    core: InstanceCore,
}

// SAFETY: made only for plugins that declare their instances callable from
// several threads at once.
unsafe impl Sync for SharedInstance {}

impl SharedInstance {
    pub(crate) fn new(core: InstanceCore) -> Self {
        SharedInstance { core }
    }

    /// The plugin's instance pointer, for an in-process instance.
    pub(crate) fn local_ptr(&self) -> Option<*mut c_void> {
        self.core.local_ptr()
    }

    /// A typed handle to interface `I`, verified as for
    /// [`Instance::interface`]. The handle is `Send` and `Sync`.
    pub fn interface<I: ?Sized + Interface>(&self) -> Result<Handle<'_, I, SharedInstance>, Error> {
        Ok(Handle::new(self.core.shared_client()?))
    }

    /// The plugin this instance belongs to.
    pub fn plugin(&self) -> &Plugin {
        self.core.plugin()
    }

    /// As [`Instance::target`].
    pub(crate) fn target<I: ?Sized + Interface>(
        &self,
    ) -> Result<(*mut c_void, *const I::Vtable), Error> {
        self.core.target::<I>()
    }

    /// As [`Instance::c_interface`] (for the reloader, which may serve a
    /// C host's interface from a shared instance).
    pub(crate) fn c_interface(
        &self,
        id: &str,
        version: u32,
        vtable_size: usize,
    ) -> Result<crate::CInterface, Error> {
        self.core.raw_target(id, version, vtable_size)
    }
}

/// A typed, verified view of an instance through interface `I`. It derefs
/// to a [`Client`], on which `I`'s trait is implemented: bring the trait
/// into scope and call its methods. A call costs one indirect C call, with
/// no lock or reference count of its own (plus, for an [`Instance`],
/// setting and clearing its busy flag); a `String` or `Vec<u8>` result is a
/// fresh allocation, which [`Client::reusing`] avoids.
///
/// The handle borrows its instance `O`, so the instance cannot be destroyed
/// while a handle lives, and is `Send`/`Sync` only when `O` is `Sync`.
pub struct Handle<'a, I: ?Sized + Interface, O = Instance> {
    client: Client<I>,
    _owner: PhantomData<&'a O>,
}

// SAFETY: handles of a `SharedInstance` call a plugin that declared its
// instances callable from several threads at once.
unsafe impl<I: ?Sized + Interface> Send for Handle<'_, I, SharedInstance> {}
// SAFETY: as above.
unsafe impl<I: ?Sized + Interface> Sync for Handle<'_, I, SharedInstance> {}

impl<I: ?Sized + Interface, O> Handle<'_, I, O> {
    fn new(client: Client<I>) -> Self {
        Handle {
            client,
            _owner: PhantomData,
        }
    }
}

impl<I: ?Sized + Interface, O> Deref for Handle<'_, I, O> {
    type Target = Client<I>;

    fn deref(&self) -> &Client<I> {
        &self.client
    }
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("plugin", &self.core.plugin().name())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SharedInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedInstance")
            .field("plugin", &self.core.plugin().name())
            .finish_non_exhaustive()
    }
}

impl<I: ?Sized + Interface, O> std::fmt::Debug for Handle<'_, I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("interface", &I::ID)
            .field("version", &I::VERSION)
            .finish_non_exhaustive()
    }
}
