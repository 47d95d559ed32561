//! A host with plugins built in: the C, C++, Zig and Rust greeters are
//! linked into it statically (build.rs for C, C++ and Zig; a cargo
//! dependency for Rust), registered by name in a [`tenon::Registry`], and
//! listed and called exactly like plugin files found in directories.
//!
//! ```no_run
//! let registry = tenon_static_host::built_in(tenon::Registry::new())
//!     .scan("target/debug")
//!     .expect("a readable directory");
//! for entry in registry.entries() {
//!     println!("{}", entry.origin());
//! }
//! ```

use tenon::{static_entry, Registry};

// docs/static.md's Rust examples, compiled (not run) as doctests of this
// crate, which links the greeters they name: its build.rs example needs
// `cc` (a dev-dependency), its registry example the four entries. Without
// a C++ compiler or Zig, build.rs says TOOLCHAIN MISSING (an error under
// TENON_REQUIRE_TOOLCHAINS=1) and the page's examples are not compiled.
#[cfg(all(doctest, tenon_static_cpp, tenon_static_zig))]
#[doc = include_str!("../../../docs/static.md")]
pub struct StaticGuideDoctests;

/// The names of the greeters linked into this crate, in registration order
/// (the C++ and Zig ones only when their compilers were found at build
/// time: [`cpp_linked_in`], [`zig_linked_in`]).
pub fn linked_in_names() -> Vec<&'static str> {
    let mut names = vec!["greeter-c"];
    if cpp_linked_in() {
        names.push("greeter-cpp");
    }
    names.push("greeter-rust");
    if zig_linked_in() {
        names.push("greeter-zig");
    }
    names
}

/// Whether the C++ greeter is linked in (a C++ compiler was found when this
/// crate was built; build.rs said `TOOLCHAIN MISSING` otherwise).
pub fn cpp_linked_in() -> bool {
    cfg!(tenon_static_cpp)
}

/// Whether the Zig greeter is linked in (Zig was found when this crate was
/// built; build.rs said `TOOLCHAIN MISSING` otherwise).
pub fn zig_linked_in() -> bool {
    cfg!(tenon_static_zig)
}

/// `registry` with the greeters linked into this crate registered: each
/// entry is reachable only from here, not exported by the binary.
pub fn built_in(registry: Registry) -> Registry {
    let registry = registry.with_static("greeter-c", static_entry!(tenon_plugin_v1_greeter_c));
    #[cfg(tenon_static_cpp)]
    let registry = registry.with_static("greeter-cpp", static_entry!(tenon_plugin_v1_greeter_cpp));
    let registry = registry.with_static("greeter-rust", greeter_rust_static::tenon_plugin_v1);
    #[cfg(tenon_static_zig)]
    let registry = registry.with_static("greeter-zig", static_entry!(tenon_plugin_v1_greeter_zig));
    registry
}
