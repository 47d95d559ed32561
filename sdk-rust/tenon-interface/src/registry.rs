//! Every interface declared with [`interface!`](crate::interface) in the
//! program, found by id and version: how a process that only knows an
//! interface's id and version (a child process serving an isolated plugin)
//! reaches its proxy vtable and its dispatcher, with no glue written per
//! interface.
//!
//! Each `interface!` adds one [`Declared`] to a link-time list (a `linkme`
//! distributed slice). The list holds the declarations linked into the
//! binary doing the lookup: a host executable sees its own and those of the
//! crates it links, never those of a plugin it loads (a plugin's own
//! declarations stay in its own list, which nothing reads).

use crate::{Interface, Method, VtableRefusal, WireArg};
use core::ffi::{c_void, CStr};
use std::fmt;
use tenon_sys::{tenon_buffer, tenon_status};

/// The dispatcher of one interface: see
/// [`Interface::dispatch`](crate::Interface::dispatch).
pub type DispatchFn = unsafe fn(
    vtable: *const c_void,
    instance: *mut c_void,
    method: u32,
    args: &[WireArg<'_>],
    out: *mut tenon_buffer,
    error: *mut tenon_buffer,
) -> tenon_status;

/// One declared interface, with everything needed to carry its calls
/// across a process boundary without knowing its Rust type.
pub struct Declared {
    id: &'static str,
    c_id: &'static CStr,
    version: u32,
    methods: &'static [Method],
    vtable_size: usize,
    min_vtable_size: usize,
    proxy_vtable: *const c_void,
    dispatch: DispatchFn,
    verify: unsafe fn(*const c_void) -> Result<(), VtableRefusal>,
}

// SAFETY: the only pointer is to a `'static` vtable that is never written
// (a size and function pointers).
unsafe impl Sync for Declared {}
// SAFETY: as above.
unsafe impl Send for Declared {}

impl Declared {
    /// The declaration of `I`.
    pub const fn of<I: ?Sized + Interface>() -> Declared {
        Declared {
            id: I::ID,
            c_id: I::C_ID,
            version: I::VERSION,
            methods: I::METHODS,
            vtable_size: core::mem::size_of::<I::Vtable>(),
            min_vtable_size: I::MIN_VTABLE_SIZE,
            proxy_vtable: (I::PROXY_VTABLE as *const I::Vtable).cast(),
            dispatch: I::dispatch,
            verify: verify_erased::<I>,
        }
    }

    /// The interface id.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The interface id as a C string.
    pub fn c_id(&self) -> &'static CStr {
        self.c_id
    }

    /// The interface version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The methods, in vtable order.
    pub fn methods(&self) -> &'static [Method] {
        self.methods
    }

    /// The size of the declaration's C vtable type.
    pub fn vtable_size(&self) -> usize {
        self.vtable_size
    }

    /// The smallest vtable a plugin may offer for this interface
    /// ([`Interface::MIN_VTABLE_SIZE`](crate::Interface::MIN_VTABLE_SIZE)).
    pub fn min_vtable_size(&self) -> usize {
        self.min_vtable_size
    }

    /// The interface's proxy vtable
    /// ([`Interface::PROXY_VTABLE`](crate::Interface::PROXY_VTABLE)), to
    /// hand out with a [`ProxyInstance::as_ptr`](crate::ProxyInstance::as_ptr)
    /// as its instance.
    pub fn proxy_vtable(&self) -> *const c_void {
        self.proxy_vtable
    }

    /// Checks a vtable offered for this interface, as
    /// [`verify_vtable`](crate::verify_vtable) does.
    ///
    /// # Safety
    ///
    /// As for [`verify_vtable`](crate::verify_vtable).
    pub unsafe fn verify(&self, vtable: *const c_void) -> Result<(), VtableRefusal> {
        // SAFETY: forwarded to the caller.
        unsafe { (self.verify)(vtable) }
    }

    /// Calls method `method` of `instance` through `vtable` with arguments
    /// from the wire: see [`Interface::dispatch`](crate::Interface::dispatch).
    ///
    /// # Safety
    ///
    /// As for [`Interface::dispatch`](crate::Interface::dispatch).
    pub unsafe fn dispatch(
        &self,
        vtable: *const c_void,
        instance: *mut c_void,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut tenon_buffer,
        error: *mut tenon_buffer,
    ) -> tenon_status {
        // SAFETY: forwarded to the caller.
        unsafe { (self.dispatch)(vtable, instance, method, args, out, error) }
    }

    /// Whether `self` and `other` carry calls the same way as far as both
    /// go: the same methods with the same kinds and revisions, one list a
    /// prefix of the other, and the shorter one ending where a revision
    /// does (two revisions of one interface, as `#[revision(N)]` declares
    /// them).
    fn compatible(&self, other: &Declared) -> bool {
        let (short, long) = if self.methods.len() <= other.methods.len() {
            (self, other)
        } else {
            (other, self)
        };
        let same_prefix = short
            .methods
            .iter()
            .zip(long.methods)
            .all(|(a, b)| a.args == b.args && a.result == b.result && a.revision == b.revision);
        let ends_at_revision = match (short.methods.last(), long.methods.get(short.methods.len())) {
            (Some(last), Some(next)) => next.revision > last.revision,
            _ => true,
        };
        same_prefix
            && ends_at_revision
            && (short.methods.len() < long.methods.len() || short.vtable_size == long.vtable_size)
    }
}

impl fmt::Debug for Declared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Declared")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("methods", &self.methods)
            .field("vtable_size", &self.vtable_size)
            .finish_non_exhaustive()
    }
}

/// # Safety
///
/// As for [`verify_vtable`](crate::verify_vtable).
unsafe fn verify_erased<I: ?Sized + Interface>(vtable: *const c_void) -> Result<(), VtableRefusal> {
    // SAFETY: forwarded to the caller.
    unsafe { crate::verify_vtable::<I>(vtable) }.map(|_| ())
}

/// Why [`declared`] found no usable declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotDeclared {
    /// No crate linked into this program declares the interface at this
    /// version (or the platform has no registry: see [`registry_supported`]).
    Missing {
        /// The id looked up.
        id: String,
        /// The version looked up.
        version: u32,
    },
    /// Two declarations of the same id and version disagree on the
    /// methods' kinds or the vtable size, so at least one of them does not
    /// match the C header; neither is used.
    Conflicting {
        /// The id looked up.
        id: String,
        /// The version looked up.
        version: u32,
    },
}

impl fmt::Display for NotDeclared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotDeclared::Missing { id, version } => write!(
                f,
                "interface {id} version {version} is not declared with `interface!` in this program"
            ),
            NotDeclared::Conflicting { id, version } => write!(
                f,
                "interface {id} version {version} is declared twice in this program with different methods or vtable sizes"
            ),
        }
    }
}

impl std::error::Error for NotDeclared {}

/// The declaration of interface `id` at `version` among those linked into
/// this program.
///
/// An interface declared by more than one crate (the same id and version)
/// is found if the declarations agree as far as each goes (method kinds in
/// order; one may be a later revision of the other, with `#[revision(N)]`
/// methods appended): they then carry calls identically, and the one with
/// the most methods is returned (the first in link order among equals).
/// If they disagree, the lookup fails with [`NotDeclared::Conflicting`]
/// rather than pick one.
pub fn declared(id: &str, version: u32) -> Result<&'static Declared, NotDeclared> {
    let matching = || {
        all_declared()
            .iter()
            .filter(|declared| declared.version == version && declared.id == id)
    };
    let Some(first) = matching().next() else {
        return Err(NotDeclared::Missing {
            id: id.to_owned(),
            version,
        });
    };
    let mut latest = first;
    for other in matching() {
        if !matching().all(|each| each.compatible(other)) {
            return Err(NotDeclared::Conflicting {
                id: id.to_owned(),
                version,
            });
        }
        if other.methods.len() > latest.methods.len() {
            latest = other;
        }
    }
    Ok(latest)
}

/// Every declaration linked into this program, in link order (an interface
/// declared by two crates appears twice).
pub fn all_declared() -> &'static [Declared] {
    #[cfg(tenon_registry)]
    {
        &TENON_INTERFACES_0_1
    }
    #[cfg(not(tenon_registry))]
    {
        &[]
    }
}

/// Whether this build has the registry. It has one on the platforms
/// `linkme` supports (Linux, Android, macOS, iOS, Windows, FreeBSD,
/// OpenBSD, illumos, Fuchsia); elsewhere, and under Miri, which cannot
/// read link sections, [`declared`] finds nothing and processes that need
/// it (isolation) are unsupported. The crate's build script decides this
/// once (`cfg(tenon_registry)`), and every item of the registry follows it.
pub const fn registry_supported() -> bool {
    cfg!(tenon_registry)
}

/// The link-time list every `interface!` adds to.
///
/// Its name is its link section's (`linkme_<name>`), shared by every crate
/// in the program: it is specific to Tenon so that no other crate's list
/// lands in it, and carries this crate's semver-compatible version so that
/// two incompatible versions of this crate linked into one program keep
/// separate lists (with `Declared` laid out each its own way). Change the
/// suffix with every incompatible release.
#[cfg(tenon_registry)]
#[doc(hidden)]
#[linkme::distributed_slice]
pub static TENON_INTERFACES_0_1: [Declared];

// The linker defines the bounds of the list's sections, and on ELF it
// exports them from a shared library (with protected visibility): a Rust
// plugin would export four symbols besides its entry. A hidden reference to
// each, in an object the list's own keep-alive pulls into every link, makes
// the linker keep them local (the most restrictive visibility of all
// references wins). The names follow the list's (`linkme_` and the
// static's name); `tests/integration/tests/library_file.rs` fails if they
// drift apart.
#[cfg(all(
    tenon_registry,
    not(any(target_os = "macos", target_os = "ios", target_os = "windows"))
))]
core::arch::global_asm!(
    ".hidden __start_linkme_TENON_INTERFACES_0_1",
    ".hidden __stop_linkme_TENON_INTERFACES_0_1",
    ".hidden __start_linkm2_TENON_INTERFACES_0_1",
    ".hidden __stop_linkm2_TENON_INTERFACES_0_1",
);

/// Adds an interface to [`TENON_INTERFACES_0_1`]; what `interface!` expands to.
#[cfg(tenon_registry)]
#[doc(hidden)]
#[macro_export]
macro_rules! __register_interface {
    ($interface:ty) => {
        #[$crate::__private::linkme::distributed_slice($crate::__private::TENON_INTERFACES_0_1)]
        #[linkme(crate = $crate::__private::linkme)]
        static __TENON_DECLARED: $crate::Declared = $crate::Declared::of::<$interface>();

        // GNU ld for Windows (MinGW) garbage-collects the entry's section:
        // nothing refers to it, and `#[used]` keeps only symbols the
        // linker can see, which a static in a `const _` block is not. A
        // pointer to it from a section the MinGW linker script always
        // keeps (`KEEP(*(.xdata*))`) keeps it. Nothing reads `.xdata`
        // except through the unwind table's own offsets, so the extra
        // pointer is inert there.
        #[cfg(all(target_os = "windows", target_env = "gnu"))]
        #[used]
        #[unsafe(link_section = ".xdata$tenon")]
        static __TENON_DECLARED_KEEP: &$crate::Declared = &__TENON_DECLARED;
    };
}

/// Without a registry, nothing to add.
#[cfg(not(tenon_registry))]
#[doc(hidden)]
#[macro_export]
macro_rules! __register_interface {
    ($interface:ty) => {};
}
