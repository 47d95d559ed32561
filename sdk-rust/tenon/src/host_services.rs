//! Interfaces the host itself implements and offers to its plugins, so that
//! plugins can call back into the host (`tenon_host.get_interface`; the
//! table itself is in `host_table.rs`).

use core::ffi::c_void;
use std::any::Any;
use std::sync::Arc;
use tenon_interface::Implement;

/// The interfaces a host offers to the plugin instances it creates.
///
/// Each offer is a Rust value implementing an interface trait declared with
/// [`interface!`](crate::interface); a plugin finds it by id and version
/// (`tenon_host.get_interface` in C, `Host::interface` in `tenon-plugin`)
/// and calls it through the same C vtable a plugin would offer. Offers are
/// called from whatever threads the plugin uses, so they must be
/// `Send + Sync`. A call keeps its implementation alive until it returns,
/// even if the handler drops the instance that called it (and with it the
/// last `HostServices` holding the offer).
///
/// ```
/// # tenon::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = Vtable;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
/// # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
/// use tenon::{CallResult, HostServices};
///
/// struct HostGreeter;
///
/// impl Greeter for HostGreeter {
///     fn greet(&self, name: &str) -> CallResult<String> {
///         Ok(format!("Greetings from the host, {name}"))
///     }
/// }
///
/// let services = HostServices::new().offer::<dyn Greeter, _>(HostGreeter);
/// // tenon::Plugin::loader().services(services).load(path)
/// # let _ = services;
/// ```
#[derive(Clone, Default)]
pub struct HostServices {
    offers: Arc<Vec<Offer>>,
}

/// One offered interface.
#[derive(Clone)]
struct Offer {
    id: &'static str,
    version: u32,
    vtable: *const c_void,
    instance: *mut c_void,
    /// Keeps the implementation alive as long as any instance that may call
    /// it (each instance's host table holds a clone of the services).
    _owner: Arc<dyn Any + Send + Sync>,
}

// SAFETY: `vtable` points to a `'static` constant, and `instance` to the
// `Send + Sync` value owned by `_owner`.
unsafe impl Send for Offer {}
// SAFETY: as above; nothing is mutated after construction.
unsafe impl Sync for Offer {}

impl HostServices {
    /// No interfaces: every lookup by a plugin answers "not offered".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `implementation` as interface `I`. An earlier offer of the same
    /// id and version is replaced.
    pub fn offer<I, T>(self, implementation: T) -> Self
    where
        I: ?Sized + Implement<T>,
        T: Send + Sync + 'static,
    {
        let owner = Arc::new(implementation);
        let offer = Offer {
            id: I::ID,
            version: I::VERSION,
            vtable: vtable_of::<I, T>(),
            instance: Arc::as_ptr(&owner).cast_mut().cast(),
            _owner: owner,
        };
        self.with(offer)
    }

    fn with(self, offer: Offer) -> Self {
        let mut offers = Arc::unwrap_or_clone(self.offers);
        offers.retain(|o| !(o.id == offer.id && o.version == offer.version));
        offers.push(offer);
        HostServices {
            offers: Arc::new(offers),
        }
    }

    /// Adds an interface implemented outside Rust, given as its C vtable
    /// and instance pointer: how the C API (`include/tenon/host.h`) offers
    /// a C host's services. `owner` is kept alive as long as any instance
    /// that may call the offer (dropping its last clone is the signal that
    /// no call can come any more). An earlier offer of the same id and
    /// version is replaced.
    ///
    /// # Safety
    ///
    /// `vtable` points to a vtable of interface `id` at `version` (its
    /// `struct_size` first, then its methods as the interface's C header
    /// declares them), and it and `instance` stay valid, and callable from
    /// any thread, as long as `owner` lives.
    pub unsafe fn offer_raw(
        self,
        id: &str,
        version: u32,
        vtable: *const c_void,
        instance: *mut c_void,
        owner: Arc<dyn Any + Send + Sync>,
    ) -> Self {
        self.with(Offer {
            id: interned(id),
            version,
            vtable,
            instance,
            _owner: owner,
        })
    }

    /// The ids and versions offered, in the order they were added.
    pub fn offered(&self) -> impl Iterator<Item = (&'static str, u32)> + '_ {
        self.offers.iter().map(|o| (o.id, o.version))
    }

    /// The vtable and instance of an offer, for `get_interface`.
    pub(crate) fn find(&self, id: &[u8], version: u32) -> Option<(*const c_void, *mut c_void)> {
        self.offers
            .iter()
            .find(|o| o.id.as_bytes() == id && o.version == version)
            .map(|o| (o.vtable, o.instance))
    }
}

/// `id` as a `'static` string: offers made at run time (`offer_raw`) keep
/// the `'static` ids of [`HostServices::offered`], and a host offers few
/// distinct ids, so each is kept once for the life of the process.
fn interned(id: &str) -> &'static str {
    static IDS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = ids.iter().find(|known| **known == id) {
        return known;
    }
    let id: &'static str = Box::leak(id.to_owned().into_boxed_str());
    ids.push(id);
    id
}

/// The `'static` vtable of `I` for an `Arc<T>`: each call holds its own
/// strong reference, so a method whose handler drops the last instance that
/// was offered the service (and so the last `HostServices`) still runs on a
/// live `T`.
fn vtable_of<I: ?Sized + Implement<T>, T>() -> *const c_void {
    let vtable: &'static I::Vtable = <I as Implement<T>>::SHARED_VTABLE;
    (vtable as *const I::Vtable).cast()
}

impl std::fmt::Debug for HostServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.offered()).finish()
    }
}
