//! Loading and calling Tenon plugins.
//!
//! A Tenon plugin is a shared library built against `include/tenon/plugin.h`
//! in C, C++, Zig or Rust. This crate loads one, verifies everything the
//! library says about itself before trusting it, and turns its interfaces
//! into safe, typed Rust calls that cost one indirect C call.
//!
//! ```no_run
//! use tenon::Plugin;
//! # tenon::interface! {
//! #     pub trait Greeter {
//! #         const ID = c"org.tenon.example.greeter";
//! #         const VERSION = 1;
//! #         type Vtable = Vtable;
//! #         fn greet(&self, name: &str) -> String;
//! #     }
//! # }
//! # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
//!
//! # fn main() -> Result<(), tenon::Error> {
//! let plugin = Plugin::load("target/plugins/libgreeter.so")?;
//! println!("{} {}", plugin.info().name, plugin.info().version);
//! let instance = plugin.instantiate("")?;
//! let greeter = instance.interface::<dyn Greeter>()?;
//! println!("{}", greeter.greet("world")?);
//! # Ok(())
//! # }
//! ```
//!
//! Interfaces are declared with [`interface!`] (usually in a crate shared
//! by the host and its Rust plugins) on top of the vtable that bindgen
//! generates from the interface's C header.
//!
//! # Calls without allocation
//!
//! A method returning `String` or `Vec<u8>` gives a fresh allocation per
//! call. A host calling in a loop can lend a [`HostBuffer`] instead: through
//! [`Client::reusing`], the same methods return `&str` and `&[u8]` borrowed
//! from it, and once it has grown to the largest result a call allocates
//! nothing (`docs/PERFORMANCE.md` has the numbers):
//!
//! ```no_run
//! # tenon::interface! {
//! #     pub trait Greeter {
//! #         const ID = c"org.tenon.example.greeter";
//! #         const VERSION = 1;
//! #         type Vtable = Vtable;
//! #         fn greet(&self, name: &str) -> String;
//! #     }
//! # }
//! # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let plugin = tenon::Plugin::load("target/plugins/libgreeter.so")?;
//! # let instance = plugin.instantiate("")?;
//! let greeter = instance.interface::<dyn Greeter>()?;
//! let mut out = tenon::HostBuffer::new();
//! for name in ["Ada", "Grace"] {
//!     let greeting: &str = greeter.reusing(&mut out).greet(name)?;
//!     println!("{greeting}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Lifetimes
//!
//! A [`Plugin`] keeps its library loaded; every [`Instance`] keeps its
//! plugin; every [`Handle`] borrows its instance. Dropping an instance
//! calls the plugin's `destroy` exactly once; dropping the last of them and
//! of the plugin's clones closes the library. [`Plugin::unload`] does the
//! same and checks that the library really left the process, or says why
//! not ([`UnloadOutcome`], `docs/unload.md`).
//!
//! # Threads
//!
//! An [`Instance`] is called by one thread at a time (it is `Send`, not
//! `Sync`), and, unless the plugin declares `TENON_PLUGIN_THREAD_SAFE`, a
//! call on it from inside another of its calls (a host service calling back
//! into it) is refused with a `reentrant_call` [`CallError`]. A plugin that
//! declares `TENON_PLUGIN_THREAD_SAFE` accepts such nested calls, and can
//! also give a [`SharedInstance`], which is `Sync` and is called without
//! any lock.
//!
//! # Static plugins
//!
//! The same plugin source can also be linked into the host (a static
//! library or an rlib, built with its SDK's static setting) and registered
//! in a [`Registry`] beside plugins found as files; both are verified the
//! same way and give the same [`Plugin`]. See `docs/static.md`.
//!
//! # Logging
//!
//! Messages a plugin sends to its host are emitted as `tracing` events with
//! target `tenon::plugin` and the plugin's name in the `plugin` field.
#![deny(missing_docs)]

mod c_interface;
mod error;
mod host_services;
mod host_table;
mod info;
mod instance;
mod integrity;
pub mod isolation;
mod library;
mod loader;
mod plugin;
mod raw_interface;
mod registry;
pub mod reload;
mod unload;
mod verify;

pub use c_interface::CInterface;
pub use error::{CrashSite, Error};
pub use host_services::HostServices;
pub use info::{AbiVersion, InterfaceInfo, PluginInfo};
pub use instance::{Handle, Instance, SharedInstance};
pub use isolation::{Isolation, Restart};
pub use library::{ExportedSymbol, LibraryFile, SymbolKind};
pub use loader::Loader;
pub use plugin::Plugin;
pub use raw_interface::{RawInterface, RawVtable};
pub use registry::{Entry, Origin, Prefer, Registry, StaticEntry};
pub use reload::{ReloadOptions, Reloadable, Reloaded, Swap};
pub use semver;
pub use tenon_interface::{
    interface, sys, CallError, CallResult, Client, Fault, HostBuffer, Implement, Interface, Reuse,
    State, Status,
};
pub use unload::{PinReason, StillMapped, UnloadOutcome, Unverified};
