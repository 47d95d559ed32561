//! Writing Tenon plugins in Rust.
//!
//! A plugin is a `cdylib` crate with one type that implements [`Plugin`]
//! (how an instance is created) and the traits of the interfaces it offers
//! (declared with [`interface!`]), exported with [`export!`]:
//!
//! ```
//! # mod sys {
//! #     #[repr(C)]
//! #     #[derive(Clone, Copy)]
//! #     pub struct example_greeter_v1 {
//! #         pub struct_size: u32,
//! #         pub greet: Option<unsafe extern "C" fn(
//! #             *mut core::ffi::c_void,
//! #             tenon_plugin::sys::tenon_str,
//! #             *mut tenon_plugin::sys::tenon_buffer,
//! #             *mut tenon_plugin::sys::tenon_buffer,
//! #         ) -> tenon_plugin::sys::tenon_status>,
//! #     }
//! # }
//! use tenon_plugin::{CallResult, Host, Plugin};
//!
//! tenon_plugin::interface! {
//!     /// Greets someone by name.
//!     pub trait Greeter {
//!         const ID = c"org.tenon.example.greeter";
//!         const VERSION = 1;
//!         type Vtable = sys::example_greeter_v1;
//!         fn greet(&self, name: &str) -> String;
//!     }
//! }
//!
//! struct English;
//!
//! impl Plugin for English {
//!     fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
//!         Ok(English)
//!     }
//! }
//!
//! impl Greeter for English {
//!     fn greet(&self, name: &str) -> CallResult<String> {
//!         Ok(format!("Hello, {name}!"))
//!     }
//! }
//!
//! tenon_plugin::export! {
//!     plugin: English,
//!     name: "greeter-english",
//!     version: "1.0.0",
//!     description: "Greets in English",
//!     thread_safe: true,
//!     interfaces: [dyn Greeter],
//! }
//! ```
//!
//! Every call from the host runs behind a panic boundary: a panic becomes
//! `TENON_PANIC` with the panic message, and the host goes on. Build the
//! crate with `crate-type = ["cdylib"]` and keep the default
//! `panic = "unwind"`: with `panic = "abort"` a panic ends the host process.
#![deny(missing_docs)]

mod host;
#[doc(hidden)]
pub mod lifecycle;
mod panics;

pub use host::{Host, HostInterface, KeptHost, Level};
/// The raw C types of `plugin.h`.
pub use tenon_interface::sys;
pub use tenon_interface::{
    interface, CallError, CallResult, Client, Implement, Interface, State, Status,
};

/// A type whose values are plugin instances.
///
/// Instances are `Send`: the host may call one instance from different
/// threads one after the other. If the plugin is exported with
/// `thread_safe: true` the type must also be `Sync`, and the host may call
/// it from several threads at once.
pub trait Plugin: Send + Sized + 'static {
    /// Creates an instance from the host's configuration text (often
    /// empty). An error is reported to the host with its status and message.
    ///
    /// `host` is borrowed for this call; keep [`Host::keep`] or a
    /// [`HostInterface`] to use the host later.
    fn create(host: Host<'_>, config: &str) -> CallResult<Self>;
}

/// Exports a [`Plugin`] type as this library's plugin: defines the static
/// descriptor, the interface table and the `tenon_plugin_v1` entry symbol.
///
/// Every plugin crate declares `static = []` in its `[features]`, even one
/// only ever built as a shared library: the macro expands to a
/// `cfg(feature = "static")` that rustc checks against the plugin crate's
/// features, so without the declaration every build warns
/// `unexpected_cfgs` (an error under `-D warnings`), and no `allow` inside
/// the expansion can silence it.
///
/// Static builds: when the plugin crate is compiled with that feature
/// `static` on, the
/// entry is instead a plain `pub extern "C" fn tenon_plugin_v1` at the
/// crate's root, with a mangled symbol: several Rust plugins link into one
/// host without colliding, and the host registers each by path
/// (`Registry::new().with_static("greeter-rust", greeter_rust::tenon_plugin_v1)`).
/// The feature is the plugin's, not this crate's, so that cargo never
/// unifies a static and a dynamic build: the static one is a second
/// package compiling the same source (`[lib] path`) with the feature on.
/// The plugin's source is the same in both builds (`docs/static.md`).
///
/// ```text
/// tenon_plugin::export! {
///     plugin: MyType,                           // implements Plugin
///     name: "my-plugin",                        // &str constant
///     version: env!("CARGO_PKG_VERSION"),       // semver &str constant
///     description: "What it does",              // &str constant
///     thread_safe: true,                        // true requires MyType: Sync
///     interfaces: [dyn Greeter, dyn Processor], // MyType implements each
/// }
/// ```
///
/// One id may be listed at several versions, to serve hosts of each from
/// one build: implement the trait of each version (two `interface!`
/// traits of one id, e.g. generated from two headers with
/// `tenon bindgen --trait`) and list both,
/// `interfaces: [dyn Greeter, dyn GreeterV2]`. A host gets the version it
/// asks for; hosts of Tenon releases before this rule refuse an id listed
/// twice, and every host refuses one listed twice at one version.
///
/// Use it once per library. Declaring `thread_safe: true` for a type that is
/// not `Sync`, or listing an interface the type does not implement, is a
/// compile error:
///
/// ```compile_fail,E0277
/// use std::cell::Cell;
/// use tenon_plugin::{CallResult, Host, Plugin};
///
/// struct Counter(Cell<u64>); // Send, but not Sync
///
/// impl Plugin for Counter {
///     fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
///         Ok(Counter(Cell::new(0)))
///     }
/// }
///
/// tenon_plugin::export! {
///     plugin: Counter,
///     name: "counter",
///     version: "1.0.0",
///     description: "Counts",
///     thread_safe: true,
///     interfaces: [],
/// }
/// ```
///
/// The same type exported with `thread_safe: false` compiles: the host then
/// never calls an instance from two threads at once.
///
/// ```
/// # use std::cell::Cell;
/// # use tenon_plugin::{CallResult, Host, Plugin};
/// # struct Counter(Cell<u64>);
/// # impl Plugin for Counter {
/// #     fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
/// #         Ok(Counter(Cell::new(0)))
/// #     }
/// # }
/// tenon_plugin::export! {
///     plugin: Counter,
///     name: "counter",
///     version: "1.0.0",
///     description: "Counts",
///     thread_safe: false,
///     interfaces: [],
/// }
/// ```
#[macro_export]
macro_rules! export {
    (
        plugin: $plugin:ty,
        name: $name:expr,
        version: $version:expr,
        description: $description:expr,
        thread_safe: $thread_safe:tt,
        interfaces: [$($interface:ty),* $(,)?] $(,)?
    ) => {
        const _: fn() = || {
            fn declared<T: ?Sized + $crate::__private::DeclaredThreadSafety<$thread_safe>>() {}
            declared::<$plugin>();
        };

        #[doc(hidden)]
        static __TENON_PLUGIN_DESCRIPTOR: $crate::__private::Descriptor =
            $crate::__private::Descriptor($crate::sys::tenon_plugin_descriptor {
                struct_size: ::core::mem::size_of::<$crate::sys::tenon_plugin_descriptor>() as u32,
                abi_major: $crate::sys::TENON_ABI_MAJOR,
                abi_minor: $crate::sys::TENON_ABI_MINOR,
                name: {
                    static NAME: [u8; $crate::__private::c_len($name)] = $crate::__private::c_string($name);
                    NAME.as_ptr().cast()
                },
                version: {
                    static VERSION: [u8; $crate::__private::c_len($version)] =
                        $crate::__private::c_string($version);
                    VERSION.as_ptr().cast()
                },
                description: {
                    static DESCRIPTION: [u8; $crate::__private::c_len($description)] =
                        $crate::__private::c_string($description);
                    DESCRIPTION.as_ptr().cast()
                },
                flags: if $thread_safe { $crate::sys::TENON_PLUGIN_THREAD_SAFE } else { 0 },
                interface_count: $crate::__private::count(&[$(::core::stringify!($interface)),*]) as u32,
                interfaces: {
                    static TABLE: $crate::__private::Table<
                        { $crate::__private::count(&[$(::core::stringify!($interface)),*]) + 1 },
                    > = $crate::__private::Table([
                        $({
                            static ENTRY: $crate::__private::Entry =
                                $crate::__private::Entry($crate::sys::tenon_interface {
                                    struct_size: ::core::mem::size_of::<$crate::sys::tenon_interface>() as u32,
                                    version: <$interface as $crate::Interface>::VERSION,
                                    id: <$interface as $crate::Interface>::C_ID.as_ptr(),
                                    vtable: <$interface as $crate::Implement<$plugin>>::VTABLE
                                        as *const <$interface as $crate::Interface>::Vtable
                                        as *const ::core::ffi::c_void,
                                });
                            &ENTRY.0 as *const $crate::sys::tenon_interface
                        },)*
                        ::core::ptr::null(),
                    ]);
                    TABLE.0.as_ptr()
                },
                create: ::core::option::Option::Some($crate::lifecycle::create::<$plugin>),
                destroy: ::core::option::Option::Some($crate::lifecycle::destroy::<$plugin>),
            });

        $crate::__entry!();
    };
}

/// The entry: the exported `tenon_plugin_v1` of a shared-library build, or,
/// when the plugin crate is compiled with its feature `static` on, the same
/// function under the crate's path, with a mangled symbol nothing exports.
/// The feature is the plugin crate's own (not this crate's), so that a
/// static and a dynamic build of one source, which are two packages, are
/// never unified by cargo.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry {
    () => {
        /// The plugin's entry (ABI major 1): the exported symbol of a
        /// shared-library build, or, in a static build, the function a host
        /// registers with `tenon::Registry::with_static`.
        #[cfg_attr(not(feature = "static"), no_mangle)]
        pub extern "C" fn tenon_plugin_v1() -> *const $crate::sys::tenon_plugin_descriptor {
            &__TENON_PLUGIN_DESCRIPTOR.0
        }
    };
}

#[doc(hidden)]
pub mod __private {
    use crate::sys::{tenon_interface, tenon_plugin_descriptor};

    /// The static descriptor; its pointers address immutable statics.
    #[repr(transparent)]
    pub struct Descriptor(pub tenon_plugin_descriptor);
    // SAFETY: never written after initialization; every pointer in it
    // addresses immutable `'static` data or a function.
    unsafe impl Sync for Descriptor {}

    /// One static interface entry.
    #[repr(transparent)]
    pub struct Entry(pub tenon_interface);
    // SAFETY: as for `Descriptor`.
    unsafe impl Sync for Entry {}

    /// The NULL-terminated table of entries.
    #[repr(transparent)]
    pub struct Table<const N: usize>(pub [*const tenon_interface; N]);
    // SAFETY: as for `Descriptor`.
    unsafe impl<const N: usize> Sync for Table<N> {}

    /// The number of listed interfaces.
    pub const fn count(names: &[&str]) -> usize {
        names.len()
    }

    /// The size of `text` as a C string.
    pub const fn c_len(text: &str) -> usize {
        text.len() + 1
    }

    /// `text` with a NUL appended; fails to compile if `text` has a NUL.
    pub const fn c_string<const N: usize>(text: &str) -> [u8; N] {
        let bytes = text.as_bytes();
        assert!(bytes.len() + 1 == N);
        let mut out = [0u8; N];
        let mut i = 0;
        while i < bytes.len() {
            assert!(bytes[i] != 0, "plugin metadata must not contain NUL");
            out[i] = bytes[i];
            i += 1;
        }
        out
    }

    /// Holds for `T: Sync` when declared thread-safe, for any `T` otherwise.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is exported with `thread_safe: true` but is not `Sync`",
        label = "a thread-safe plugin's instances are called from several threads at once"
    )]
    pub trait DeclaredThreadSafety<const THREAD_SAFE: bool> {}
    impl<T: ?Sized + Sync> DeclaredThreadSafety<true> for T {}
    impl<T: ?Sized> DeclaredThreadSafety<false> for T {}
}
