//! Where the Tenon example and fixture plugins are, for the demo and the tests.
//!
//! - **C plugins** (`examples-c/<stem>/<stem>.c`) and **C fixtures**
//!   (`tests/fixtures/*.c`) are compiled by this crate's build script into
//!   shared libraries in its `OUT_DIR`, with
//!   `-std=c99 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -fvisibility=hidden`.
//!   [`c_plugin`] and [`c_fixture`] return their paths; nothing runs at run
//!   time. Non-C fixtures (`tests/fixtures/*.txt`) are returned as they are.
//! - **C++ plugins** (every `examples-c/<dir>/` holding `*.cpp` files, one
//!   library per directory) and **C++ fixtures** (`tests/fixtures/*.cpp`) are
//!   compiled by the build script too, with
//!   `-std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -fvisibility=hidden`
//!   and the SDK's linker version script; [`cpp_plugin`] and [`cpp_fixture`]
//!   return their paths. Without a C++ compiler that runs they are not
//!   built (the build script warns `TOOLCHAIN MISSING`, or fails when
//!   `TENON_REQUIRE_TOOLCHAINS=1`), and [`cpp_toolchain`] says so as a
//!   `toolchain_missing` error.
//! - **Both gcc and clang**: every C and C++ example plugin (not the
//!   fixtures) is also built, with the same flags, by the other of gcc and
//!   clang than the one `cc` found (clang and clang++ when that is GCC, gcc
//!   and g++ when it is Clang), into a subdirectory of `OUT_DIR` named after
//!   it. [`c_plugin`] and [`cpp_plugin`] are the default builds, made by
//!   [`c_compiler`] and [`cpp_compiler`]; [`c_plugin_built_by`] and
//!   [`cpp_plugin_built_by`] return either build by its [`Compiler`]. A
//!   second compiler that is not installed is a `TOOLCHAIN MISSING` warning
//!   of the build script (an error when `TENON_REQUIRE_TOOLCHAINS=1`), and
//!   its builds a `toolchain_missing` error.
//! - **Zig plugins** (`examples-zig/<example>/build.zig`) are built on first
//!   use by running `zig build`; [`zig_plugin`] returns the library's path, or
//!   a `toolchain_missing` error when no Zig compiler is installed.
//! - **Rust plugins** are `cdylib` packages of this workspace. [`rust_plugin`]
//!   builds one on first use by running cargo, with the profile and target
//!   directory of the running binary, and returns the library's path.
//!
//! ```no_run
//! let greeter = tenon_test_plugins::c_plugin("greeter");
//! let no_entry = tenon_test_plugins::c_fixture("no_entry");
//! for example in tenon_test_plugins::all_examples() {
//!     println!("{} {} {}", example.language, example.interface, example.path.display());
//! }
//! ```
//!
//! Two listings take every example from one table: [`all_examples`] (and
//! [`try_all_examples`], [`try_examples`]) has each example plugin once, in
//! its default build, for the demo and the tools; the conformance suite's
//! [`try_all_examples_by_every_compiler`] (and
//! [`try_examples_by_every_compiler`]) has every C and C++ example once per
//! compiler, each [`ExamplePlugin`] saying which in
//! [`compiler`](ExamplePlugin::compiler):
//!
//! ```no_run
//! use tenon_test_plugins::Compiler;
//!
//! let clang_built = tenon_test_plugins::c_plugin_built_by(Compiler::Clang, "greeter");
//! for example in tenon_test_plugins::try_all_examples_by_every_compiler().unwrap() {
//!     println!("{} {} {}", example.label(), example.name, example.path.display());
//! }
//! ```

mod cache;
mod error;
mod examples;
mod layout;
mod native;
mod rust;
mod toolchain;
mod zig;

pub use error::BuildError;
pub use examples::{
    all_examples, try_all_examples, try_all_examples_by_every_compiler, try_examples,
    try_examples_by_every_compiler, ExamplePlugin, Examples, MissingExample, LANGUAGES,
};
pub use layout::workspace_root;
pub use native::{
    c_compiler, c_compilers, c_fixture, c_fixture_stems, c_plugin, c_plugin_built_by,
    c_plugin_stems, cpp_compiler, cpp_compilers, cpp_fixture, cpp_fixture_stems, cpp_plugin,
    cpp_plugin_built_by, cpp_plugin_stems, cpp_toolchain, Compiler,
};
pub use rust::rust_plugin;
pub use zig::{zig_command, zig_examples, zig_plugin};
