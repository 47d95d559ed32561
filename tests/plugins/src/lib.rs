//! The Tenon example plugins and test fixtures, built on first use, for the
//! tests, the tools' tests and the demo. Test plumbing, not an example: a
//! user's host loads plugin files it is given, as `tenon-demo` does when
//! given paths.
//!
//! One builder (the module `builder`) makes every library,
//! in every language, the first time a process asks for it, into
//! `<target-dir>/tenon-plugins/` (the cargo target directory of the running
//! binary), and remembers the result for the rest of the process:
//!
//! - **C** example plugins (`examples-c/<stem>/<stem>.c`, [`c_plugin`]) and
//!   fixtures (`tests/fixtures/*.c`, [`c_fixture`]) are compiled with
//!   `-std=c99 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//!   -fvisibility=hidden`; a text fixture (`tests/fixtures/*.txt`) is
//!   returned as it is.
//! - **C++** example plugins (every `examples-c/<dir>/` holding `*.cpp`
//!   files, one library per directory, [`cpp_plugin`]) and fixtures
//!   (`tests/fixtures/*.cpp`, [`cpp_fixture`]) are compiled with `-std=c++17`,
//!   the same warnings, and the SDK's linker version script.
//! - **Both gcc and clang** build every C and C++ example plugin: the
//!   default compiler the `cc` crate finds ([`c_compiler`], [`cpp_compiler`])
//!   and the other of the two ([`c_plugin_built_by`], [`cpp_plugin_built_by`]).
//! - **Zig** example plugins (`examples-zig/<example>/build.zig`) are built
//!   by `zig build` ([`zig_plugin`]).
//! - **Rust** plugins are `cdylib` packages of this workspace, built by
//!   cargo with the profile and target directory of the running binary
//!   ([`rust_plugin`]).
//! - On **Windows**, the plugin of `tests/windows/` that imports a DLL of
//!   its own, which imports another, the three built into one directory
//!   ([`c_plugin_with_dependencies`]).
//!
//! Sources are found when asked for: a new file in `tests/fixtures/` is a
//! new fixture. C and C++ libraries are recompiled only when a source or
//! header changed. A compiler, `zig` or cargo that is not installed is a
//! [`BuildError::ToolchainMissing`] (`toolchain_missing`), which callers
//! report through [`toolchain`]: loudly, or as a failure when
//! `TENON_REQUIRE_TOOLCHAINS=1`.
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
//!
//! Hostile files are made too: [`corrupted_elf_copies`] writes copies of the
//! C greeter with corrupted headers.

mod builder;
mod compiler;
mod corrupted;
mod error;
mod examples;
mod layout;
mod native;
mod prebuilt;
mod runner;
mod rust;
pub mod toolchain;
mod zig;

pub use compiler::Compiler;
pub use corrupted::corrupted_elf_copies;
pub use error::BuildError;
pub use examples::{
    all_examples, try_all_examples, try_all_examples_by_every_compiler, try_examples,
    try_examples_by_every_compiler, ExamplePlugin, Examples, MissingExample, LANGUAGES,
};
pub use layout::{workspace_root, TARGET_ENV};
pub use native::{
    c_compiler, c_compilers, c_fixture, c_fixture_stems, c_fixture_variant, c_plugin,
    c_plugin_built_by, c_plugin_stems, c_plugin_with_dependencies, cpp_compiler, cpp_compilers,
    cpp_fixture, cpp_fixture_stems, cpp_fixture_variant, cpp_plugin, cpp_plugin_built_by,
    cpp_plugin_stems, cpp_toolchain, Variant,
};
pub use prebuilt::{prebuild, PREBUILT_ENV};
pub use runner::isolation_runner;
pub use rust::rust_plugin;
pub use zig::{zig_command, zig_examples, zig_fixture, zig_plugin};
