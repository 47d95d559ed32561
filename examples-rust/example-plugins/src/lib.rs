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
//! let greeter = tenon_example_plugins::c_plugin("greeter");
//! let no_entry = tenon_example_plugins::c_fixture("no_entry");
//! for example in tenon_example_plugins::all_examples() {
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
//! use tenon_example_plugins::Compiler;
//!
//! let clang_built = tenon_example_plugins::c_plugin_built_by(Compiler::Clang, "greeter");
//! for example in tenon_example_plugins::try_all_examples_by_every_compiler().unwrap() {
//!     println!("{} {} {}", example.label(), example.name, example.path.display());
//! }
//! ```

use std::collections::HashMap;
use std::env;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/c_artifacts.rs"));
}

mod cpp_artifacts {
    include!(concat!(env!("OUT_DIR"), "/cpp_artifacts.rs"));
}

mod zig;
pub use zig::{zig_command, zig_examples, zig_plugin};

/// The target triple this crate was compiled for (the running binary's).
const TARGET: &str = env!("TENON_EXAMPLE_PLUGINS_TARGET");

/// The root of the Tenon workspace (the directory of its `Cargo.toml`), as
/// known when this crate was compiled.
pub fn workspace_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <root>/examples-rust/example-plugins.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// The shared library built from `examples-c/<stem>/<stem>.c`, e.g.
/// `c_plugin("greeter")` or `c_plugin("processor")`.
///
/// # Panics
///
/// If there is no C example called `stem` (the message lists those there
/// are). The file itself exists: the build script made it.
pub fn c_plugin(stem: &str) -> PathBuf {
    lookup("C example plugin", artifacts::C_PLUGINS, stem)
}

/// A test fixture from `tests/fixtures/`: for `<stem>.c` the shared library
/// compiled from it (`no_entry`, `abi_v2`, `create_fails`, `null_slot`), for
/// `<stem>.txt` the text file itself (`not_a_library`).
///
/// # Panics
///
/// If there is no fixture called `stem` (the message lists those there are).
pub fn c_fixture(stem: &str) -> PathBuf {
    lookup("C fixture", artifacts::C_FIXTURES, stem)
}

/// The stems [`c_plugin`] accepts, sorted.
pub fn c_plugin_stems() -> Vec<&'static str> {
    artifacts::C_PLUGINS.iter().map(|(stem, _)| *stem).collect()
}

/// The stems [`c_fixture`] accepts, sorted.
pub fn c_fixture_stems() -> Vec<&'static str> {
    artifacts::C_FIXTURES
        .iter()
        .map(|(stem, _)| *stem)
        .collect()
}

/// A C or C++ compiler the build script built example plugins with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Compiler {
    /// GCC (`gcc`, `g++`).
    Gcc,
    /// Clang (`clang`, `clang++`).
    Clang,
    /// MSVC's `cl.exe`, or `clang-cl`.
    Msvc,
    /// A compiler that did not run, or that could not be identified.
    Unknown,
}

impl Compiler {
    /// `"gcc"`, `"clang"`, `"msvc"` or `"unknown"`, as
    /// [`ExamplePlugin::label`] and the conformance suite's failures spell
    /// it.
    pub fn label(self) -> &'static str {
        match self {
            Compiler::Gcc => "gcc",
            Compiler::Clang => "clang",
            Compiler::Msvc => "msvc",
            Compiler::Unknown => "unknown",
        }
    }

    /// The command of this compiler for C or C++, as the build script runs
    /// it for the second build (which is by gcc or clang).
    fn command(self, cpp: bool) -> &'static str {
        match (self, cpp) {
            (Compiler::Gcc, false) => "gcc",
            (Compiler::Gcc, true) => "g++",
            (Compiler::Clang, false) => "clang",
            (Compiler::Clang, true) => "clang++",
            (Compiler::Msvc, _) => "cl",
            (Compiler::Unknown, false) => "cc",
            (Compiler::Unknown, true) => "c++",
        }
    }
}

impl fmt::Display for Compiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The compiler that built [`c_plugin`] and [`c_fixture`]: the one the `cc`
/// crate found (`CC`, else the platform's `cc`), which is gcc on most Linux
/// systems.
pub fn c_compiler() -> Compiler {
    artifacts::C_COMPILER
}

/// The compilers every C example plugin is built with, the default first
/// ([`c_compiler`]), then the other of gcc and clang, whether it was found
/// or not ([`c_plugin_built_by`] says). Never the same compiler twice.
pub fn c_compilers() -> [Compiler; 2] {
    [artifacts::C_COMPILER, artifacts::C_SECOND_COMPILER]
}

/// The compiler that built [`cpp_plugin`] and [`cpp_fixture`], the C++
/// compiler the `cc` crate found (`CXX`, else the platform's `c++`);
/// [`Compiler::Unknown`] when it did not run (see [`cpp_toolchain`]).
pub fn cpp_compiler() -> Compiler {
    cpp_artifacts::CPP_COMPILER
}

/// The compilers every C++ example plugin is built with: [`cpp_compiler`],
/// then the other of g++ and clang++ (clang++ when the default did not
/// run), whether it was found or not.
pub fn cpp_compilers() -> [Compiler; 2] {
    [
        cpp_artifacts::CPP_COMPILER,
        cpp_artifacts::CPP_SECOND_COMPILER,
    ]
}

/// The shared library built from `examples-c/<stem>/<stem>.c` by
/// `compiler`, one of [`c_compilers`]: for [`c_compiler`] the library of
/// [`c_plugin`], for the other the copy in `OUT_DIR/<compiler>/`, e.g.
/// `c_plugin_built_by(Compiler::Clang, "greeter")`.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] (tool `clang` or `gcc`,
/// `toolchain_missing`) when that compiler was not found when this crate
/// was built.
///
/// # Panics
///
/// If there is no C example called `stem`, or if the examples are not
/// built with `compiler` (the message lists those they are built with).
pub fn c_plugin_built_by(compiler: Compiler, stem: &str) -> Result<PathBuf, BuildError> {
    built_by(
        "C example plugin",
        compiler,
        stem,
        [
            (artifacts::C_COMPILER, artifacts::C_PLUGINS, Ok(())),
            (
                artifacts::C_SECOND_COMPILER,
                artifacts::C_SECOND_PLUGINS,
                second_toolchain(
                    artifacts::C_SECOND_COMPILER,
                    false,
                    artifacts::C_SECOND_MISSING,
                ),
            ),
        ],
    )
}

/// The shared library built from the C++ sources in `examples-c/<dir>/` by
/// `compiler`, one of [`cpp_compilers`]: for [`cpp_compiler`] the library
/// of [`cpp_plugin`], for the other the copy in `OUT_DIR/<compiler>/`, e.g.
/// `cpp_plugin_built_by(Compiler::Clang, "kv-cpp")`.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] when that compiler was not found (tool
/// `c++` for the default one, as [`cpp_toolchain`] says; `clang++` or `g++`
/// for the other).
///
/// # Panics
///
/// If there is no C++ example directory called `dir`, or if the examples are
/// not built with `compiler`.
pub fn cpp_plugin_built_by(compiler: Compiler, dir: &str) -> Result<PathBuf, BuildError> {
    built_by(
        "C++ example plugin",
        compiler,
        dir,
        [
            (
                cpp_artifacts::CPP_COMPILER,
                cpp_artifacts::CPP_PLUGINS,
                cpp_toolchain(),
            ),
            (
                cpp_artifacts::CPP_SECOND_COMPILER,
                cpp_artifacts::CPP_SECOND_PLUGINS,
                second_toolchain(
                    cpp_artifacts::CPP_SECOND_COMPILER,
                    true,
                    cpp_artifacts::CPP_SECOND_MISSING,
                ),
            ),
        ],
    )
}

/// One build of the example plugins of a language: by which compiler,
/// the table of its libraries, and whether it was made.
type CompilerBuild = (
    Compiler,
    &'static [(&'static str, &'static str)],
    Result<(), BuildError>,
);

/// The library of `stem` in the build by `compiler` among `builds`.
fn built_by(
    what: &str,
    compiler: Compiler,
    stem: &str,
    builds: [CompilerBuild; 2],
) -> Result<PathBuf, BuildError> {
    let built_with: Vec<&str> = builds.iter().map(|(by, ..)| by.label()).collect();
    let Some((_, table, toolchain)) = builds.into_iter().find(|(by, ..)| *by == compiler) else {
        panic!(
            "the {what}s are not built by {compiler}, only by {}",
            built_with.join(" and ")
        );
    };
    let path = lookup(what, table, stem);
    toolchain.map(|()| path)
}

/// Whether the second build (by `compiler`) was made: the
/// `toolchain_missing` error for `missing` otherwise.
fn second_toolchain(
    compiler: Compiler,
    cpp: bool,
    missing: Option<&str>,
) -> Result<(), BuildError> {
    match missing {
        None => Ok(()),
        Some(message) => Err(BuildError::ToolchainMissing {
            tool: compiler.command(cpp).to_owned(),
            message: message.to_owned(),
        }),
    }
}

/// Whether the build script built the C++ plugins and fixtures: `Ok`, or
/// [`BuildError::ToolchainMissing`] (tool `c++`, `toolchain_missing`) when
/// no C++ compiler ran, so callers can skip what needs them, loudly, as for
/// a missing Zig. (With `TENON_REQUIRE_TOOLCHAINS=1` the build script fails
/// instead, so this is then always `Ok`.)
pub fn cpp_toolchain() -> Result<(), BuildError> {
    match cpp_artifacts::CPP_TOOLCHAIN_MISSING {
        None => Ok(()),
        Some(message) => Err(BuildError::ToolchainMissing {
            tool: "c++".to_owned(),
            message: message.to_owned(),
        }),
    }
}

/// The shared library built from the C++ sources in `examples-c/<dir>/`,
/// named after the directory: `cpp_plugin("greeter-cpp")` or
/// `cpp_plugin("kv-cpp")`.
///
/// # Panics
///
/// If there is no C++ example directory called `dir` (the message lists
/// those there are), or if no C++ compiler was found (check
/// [`cpp_toolchain`] first). Otherwise the file exists: the build script
/// made it.
pub fn cpp_plugin(dir: &str) -> PathBuf {
    cpp_lookup("C++ example plugin", cpp_artifacts::CPP_PLUGINS, dir)
}

/// The shared library built from the C++ test fixture
/// `tests/fixtures/<stem>.cpp`, e.g. `cpp_fixture("throwing_cpp")`.
///
/// # Panics
///
/// If there is no C++ fixture called `stem` (the message lists those there
/// are), or if no C++ compiler was found (check [`cpp_toolchain`] first).
pub fn cpp_fixture(stem: &str) -> PathBuf {
    cpp_lookup("C++ fixture", cpp_artifacts::CPP_FIXTURES, stem)
}

/// [`lookup`] in a C++ table, which panics too when nothing was built.
fn cpp_lookup(what: &str, table: &[(&str, &str)], stem: &str) -> PathBuf {
    let path = lookup(what, table, stem);
    if let Err(error) = cpp_toolchain() {
        panic!("{what} {stem:?} was not built: {error}");
    }
    path
}

/// The names [`cpp_plugin`] accepts, sorted.
pub fn cpp_plugin_stems() -> Vec<&'static str> {
    cpp_artifacts::CPP_PLUGINS
        .iter()
        .map(|(stem, _)| *stem)
        .collect()
}

/// The stems [`cpp_fixture`] accepts, sorted.
pub fn cpp_fixture_stems() -> Vec<&'static str> {
    cpp_artifacts::CPP_FIXTURES
        .iter()
        .map(|(stem, _)| *stem)
        .collect()
}

fn lookup(what: &str, table: &[(&str, &str)], stem: &str) -> PathBuf {
    match table.iter().find(|(name, _)| *name == stem) {
        Some((_, path)) => PathBuf::from(path),
        None => {
            let known: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
            panic!("no {what} called {stem:?}; known: {}", known.join(", "))
        }
    }
}

/// The languages example plugins are written in, as
/// [`ExamplePlugin::language`] spells them.
pub const LANGUAGES: [&str; 4] = ["c", "cpp", "zig", "rust"];

/// One example plugin: which language it is written in, which compiler
/// built it (C and C++), what it is called, which interface it implements,
/// and where its shared library is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamplePlugin {
    /// `"c"`, `"cpp"`, `"zig"` or `"rust"` (see [`LANGUAGES`]).
    pub language: &'static str,
    /// For C and C++, the compiler that built this library (one of
    /// [`c_compilers`] or [`cpp_compilers`]); `None` for Zig and Rust, whose
    /// plugins are built by their own toolchain.
    pub compiler: Option<Compiler>,
    /// The plugin's name, as its descriptor states it, e.g. `"greeter-c"`.
    pub name: &'static str,
    /// The id of the interface it implements, e.g. `"org.tenon.example.greeter"`.
    pub interface: &'static str,
    /// The shared library to load.
    pub path: PathBuf,
}

impl ExamplePlugin {
    /// The language and, for C and C++, the compiler: `"c/gcc"`,
    /// `"cpp/clang"`, `"rust"`.
    pub fn label(&self) -> String {
        label(self.language, self.compiler)
    }
}

impl MissingExample {
    /// As [`ExamplePlugin::label`].
    pub fn label(&self) -> String {
        label(self.language, self.compiler)
    }
}

fn label(language: &str, compiler: Option<Compiler>) -> String {
    match compiler {
        Some(compiler) => format!("{language}/{compiler}"),
        None => language.to_owned(),
    }
}

/// An example plugin that was not built because a toolchain it needs is
/// not installed (for instance `zig` for the Zig examples, a C++ compiler
/// for the C++ ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingExample {
    /// As in [`ExamplePlugin::language`].
    pub language: &'static str,
    /// As in [`ExamplePlugin::compiler`]: the compiler that was not found,
    /// or, for the default C++ build, [`Compiler::Unknown`].
    pub compiler: Option<Compiler>,
    /// As in [`ExamplePlugin::name`].
    pub name: &'static str,
    /// As in [`ExamplePlugin::interface`].
    pub interface: &'static str,
    /// The build error that says which toolchain is missing.
    pub error: BuildError,
}

impl fmt::Display for MissingExample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TOOLCHAIN MISSING: example plugin {} ({}, {}) was not built: {}",
            self.name,
            self.label(),
            self.interface,
            self.error
        )
    }
}

/// What [`try_examples`] (or [`try_examples_by_every_compiler`]) found: the
/// example plugins that were built, in listing order, and those skipped
/// because their toolchain is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examples {
    /// The examples that were built.
    pub built: Vec<ExamplePlugin>,
    /// The examples whose toolchain is not installed.
    pub missing: Vec<MissingExample>,
}

/// How a listed example is built, which also says its language.
#[derive(Debug, Clone, Copy)]
enum Build {
    /// By the build script, from `examples-c/<stem>/<stem>.c` ([`c_plugin`]).
    C(&'static str),
    /// By the build script, from `examples-c/<dir>/*.cpp` ([`cpp_plugin`]).
    Cpp(&'static str),
    /// By `zig build` in `examples-zig/<example>/` ([`zig_plugin`]).
    Zig(&'static str),
    /// By cargo, from a `cdylib` package of the workspace ([`rust_plugin`]).
    Rust(&'static str),
}

impl Build {
    fn language(self) -> &'static str {
        match self {
            Build::C(_) => "c",
            Build::Cpp(_) => "cpp",
            Build::Zig(_) => "zig",
            Build::Rust(_) => "rust",
        }
    }

    /// The compilers this example is listed with: for C and C++ the default
    /// one or, with `every_compiler`, each of [`c_compilers`] or
    /// [`cpp_compilers`]; for Zig and Rust none.
    fn compilers(self, every_compiler: bool) -> Vec<Option<Compiler>> {
        match (self, every_compiler) {
            (Build::C(_), false) => vec![Some(c_compiler())],
            (Build::C(_), true) => c_compilers().map(Some).to_vec(),
            (Build::Cpp(_), false) => vec![Some(cpp_compiler())],
            (Build::Cpp(_), true) => cpp_compilers().map(Some).to_vec(),
            (Build::Zig(_) | Build::Rust(_), _) => vec![None],
        }
    }

    /// The library, built by `compiler` for C and C++ (`None`: the default
    /// build).
    fn run(self, compiler: Option<Compiler>) -> Result<PathBuf, BuildError> {
        match self {
            Build::C(stem) => c_plugin_built_by(compiler.unwrap_or_else(c_compiler), stem),
            Build::Cpp(dir) => cpp_plugin_built_by(compiler.unwrap_or_else(cpp_compiler), dir),
            Build::Zig(example) => zig_plugin(example),
            Build::Rust(package) => rust_plugin(package),
        }
    }
}

/// One row of the list of examples: the plugin's name (as its descriptor
/// states it), the interface it implements, and how to build it.
type Listed = (&'static str, &'static str, Build);

/// The list of examples. Every implementation of every example interface,
/// in every language, is one row here, in the order of [`all_examples`]; the
/// demo and the conformance suite take them from this list (the suite each
/// C and C++ row once per compiler, see
/// [`try_all_examples_by_every_compiler`]).
const EXAMPLES: &[Listed] = &[
    ("greeter-c", GREETER, Build::C("greeter")),
    ("processor-c", PROCESSOR, Build::C("processor")),
    ("greeter-cpp", GREETER, Build::Cpp("greeter-cpp")),
    ("kv-cpp", KV, Build::Cpp("kv-cpp")),
    ("greeter-zig", GREETER, Build::Zig("greeter")),
    ("processor-zig", PROCESSOR, Build::Zig("processor")),
    ("greeter-rust", GREETER, Build::Rust("greeter-rust")),
    ("kv-rust", KV, Build::Rust("kv-rust")),
    ("processor-rust", PROCESSOR, Build::Rust("processor-rust")),
];

const GREETER: &str = "org.tenon.example.greeter";
const KV: &str = "org.tenon.example.kv";
const PROCESSOR: &str = "org.tenon.example.processor";

/// Every example plugin, built: C, C++, Zig and Rust implementations of the
/// greeter, key-value store and processor interfaces, listed by language
/// (C, C++, Zig, Rust) and then by interface. Builds those that need it
/// (see [`rust_plugin`]).
///
/// An example whose toolchain is not installed (see [`try_examples`]) is
/// reported on stderr as `TOOLCHAIN MISSING: ...` (once per process) and
/// left out, unless the environment variable `TENON_REQUIRE_TOOLCHAINS` is
/// `1`, which makes it an error.
///
/// # Panics
///
/// If an example does not build; [`try_all_examples`] returns the error
/// instead.
pub fn all_examples() -> Vec<ExamplePlugin> {
    try_all_examples().unwrap_or_else(|error| panic!("{error}"))
}

/// [`all_examples`], returning the first build error instead of panicking
/// (and, when `TENON_REQUIRE_TOOLCHAINS=1`, the first missing toolchain).
pub fn try_all_examples() -> Result<Vec<ExamplePlugin>, BuildError> {
    report_missing(try_examples()?)
}

/// Every example plugin of [`all_examples`], building each, and the ones
/// skipped because their toolchain is missing; prints nothing. Fails on the
/// first other build error.
pub fn try_examples() -> Result<Examples, BuildError> {
    list(false)
}

/// The implementations the conformance suite runs: [`try_all_examples`],
/// but with every C and C++ example once per compiler it is built with
/// ([`c_compilers`], [`cpp_compilers`]: gcc and clang), the default build
/// first, each telling its [`compiler`](ExamplePlugin::compiler). A
/// compiler that was not found is reported like any missing toolchain
/// (`TOOLCHAIN MISSING` on stderr, an error when
/// `TENON_REQUIRE_TOOLCHAINS=1`).
///
/// The demo uses [`try_all_examples`] instead, which shows each plugin once.
pub fn try_all_examples_by_every_compiler() -> Result<Vec<ExamplePlugin>, BuildError> {
    report_missing(try_examples_by_every_compiler()?)
}

/// [`try_examples`], but with every C and C++ example once per compiler,
/// as [`try_all_examples_by_every_compiler`] lists them; prints nothing.
pub fn try_examples_by_every_compiler() -> Result<Examples, BuildError> {
    list(true)
}

/// Reports every missing example on stderr as `TOOLCHAIN MISSING: ...`
/// (each message once per process), and returns the built ones, or, when
/// `TENON_REQUIRE_TOOLCHAINS=1`, the first missing toolchain as an error.
fn report_missing(examples: Examples) -> Result<Vec<ExamplePlugin>, BuildError> {
    static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let required = env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1");
    let consequence = if required {
        "an error, as TENON_REQUIRE_TOOLCHAINS=1"
    } else {
        "skipped (TENON_REQUIRE_TOOLCHAINS=1 makes this an error)"
    };
    {
        let mut reported = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
        for missing in &examples.missing {
            let message = format!("\n*** {missing}; {consequence} ***\n\n");
            if !reported.contains(&message) {
                // Straight to stderr: not through eprintln!, which test
                // harnesses capture and hide for passing tests.
                let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
                reported.push(message);
            }
        }
    }
    match examples.missing.into_iter().next() {
        Some(missing) if required => Err(missing.error),
        _ => Ok(examples.built),
    }
}

/// Builds every listed example, C and C++ ones by their default compiler
/// or, with `every_compiler`, by each of theirs.
fn list(every_compiler: bool) -> Result<Examples, BuildError> {
    let mut examples = Examples {
        built: Vec::new(),
        missing: Vec::new(),
    };
    for &(name, interface, build) in EXAMPLES {
        let language = build.language();
        for compiler in build.compilers(every_compiler) {
            match build.run(compiler) {
                Ok(path) => examples.built.push(ExamplePlugin {
                    language,
                    compiler,
                    name,
                    interface,
                    path,
                }),
                Err(error) if is_toolchain_missing(&error) => {
                    examples.missing.push(MissingExample {
                        language,
                        compiler,
                        name,
                        interface,
                        error,
                    });
                }
                Err(error) => return Err(error),
            }
        }
    }
    Ok(examples)
}

/// Whether `error` says that a toolchain is not installed (rather than that
/// a build failed).
fn is_toolchain_missing(error: &BuildError) -> bool {
    matches!(error, BuildError::ToolchainMissing { .. })
}

/// Why [`rust_plugin`] could not produce a library.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// cargo could not be started.
    Spawn {
        /// The program that was run.
        cargo: PathBuf,
        /// The operating system's error.
        message: String,
    },
    /// cargo ran and failed: a compile error, an unknown package, ...
    Cargo {
        /// The package asked for.
        package: String,
        /// The command line that was run.
        command: String,
        /// cargo's exit code, if it exited normally.
        code: Option<i32>,
        /// What cargo printed on stderr (the rendered diagnostics).
        stderr: String,
    },
    /// cargo succeeded but reported no cdylib of the package (is its
    /// `crate-type` missing `"cdylib"`?).
    NoCdylib {
        /// The package asked for.
        package: String,
        /// The command line that was run.
        command: String,
    },
    /// A toolchain the plugin needs is not installed (no Zig compiler for a
    /// Zig example, no C++ compiler for a C++ one). Tests skip what needs
    /// it, loudly, unless `TENON_REQUIRE_TOOLCHAINS=1`.
    ToolchainMissing {
        /// The missing tool, e.g. `"zig"`.
        tool: String,
        /// What was tried, and how to install it.
        message: String,
    },
    /// `zig build` failed (a compile error), could not be run, or the
    /// example does not exist.
    Zig {
        /// The example asked for (its directory under `examples-zig/`).
        example: String,
        /// The command line that was run (empty if none was).
        command: String,
        /// zig's exit code, if it exited normally.
        code: Option<i32>,
        /// What zig printed on stderr, or why it did not run.
        stderr: String,
    },
    /// `zig build` succeeded but did not install the expected library.
    NoLibrary {
        /// The example asked for.
        example: String,
        /// Where the library was expected.
        expected: PathBuf,
    },
}

impl BuildError {
    /// A stable, machine-readable name for the kind of failure:
    /// `spawn_failed`, `cargo_failed`, `no_cdylib`, `toolchain_missing`,
    /// `zig_failed` or `no_library`.
    pub fn name(&self) -> &'static str {
        match self {
            BuildError::Spawn { .. } => "spawn_failed",
            BuildError::Cargo { .. } => "cargo_failed",
            BuildError::NoCdylib { .. } => "no_cdylib",
            BuildError::ToolchainMissing { .. } => "toolchain_missing",
            BuildError::Zig { .. } => "zig_failed",
            BuildError::NoLibrary { .. } => "no_library",
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Spawn { cargo, message } => {
                write!(f, "could not run cargo ({}): {message}", cargo.display())
            }
            BuildError::Cargo {
                package,
                command,
                code,
                stderr,
            } => {
                let code = code.map_or_else(|| "a signal".to_owned(), |code| code.to_string());
                write!(
                    f,
                    "building Rust plugin {package} failed (exit {code}): {command}\n{stderr}"
                )
            }
            BuildError::NoCdylib { package, command } => write!(
                f,
                "cargo built {package} but reported no cdylib for it \
                 (is crate-type = [\"cdylib\"] set?): {command}"
            ),
            BuildError::ToolchainMissing { tool, message } => {
                write!(f, "toolchain missing: {tool}: {message}")
            }
            BuildError::Zig {
                example,
                command,
                code,
                stderr,
            } => {
                let code = code.map_or_else(|| "none".to_owned(), |code| code.to_string());
                write!(
                    f,
                    "building Zig plugin {example} failed (exit {code}): {command}\n{stderr}"
                )
            }
            BuildError::NoLibrary { example, expected } => write!(
                f,
                "zig build of {example} succeeded but installed no {}",
                expected.display()
            ),
        }
    }
}

impl std::error::Error for BuildError {}

type Cache = Mutex<HashMap<String, Result<PathBuf, BuildError>>>;

/// Builds the `cdylib` of workspace package `package` (e.g. `"greeter-rust"`)
/// and returns the path of the shared library.
///
/// Runs `cargo build -p <package> --message-format=json-render-diagnostics`
/// in the workspace root, with the profile and target directory of the
/// running binary (see below), and takes the library from cargo's
/// `compiler-artifact` message. The first call for a package builds it (a
/// no-op when it is up to date); later calls in the same process return the
/// same result, success or failure, without running cargo again. Calls from
/// several threads are serialized.
///
/// - **cargo**: the `CARGO` environment variable (set by `cargo run` and
///   `cargo test`), else the cargo that compiled this crate, else `cargo`.
/// - **Target directory and profile**: taken from the path of the running
///   executable (`<target-dir>/[<triple>/]<profile>/[deps/]<exe>`) when it
///   lies in a cargo target directory; otherwise `CARGO_TARGET_DIR` and a
///   debug or release profile matching how this crate was compiled; otherwise
///   the target directory this crate was compiled into.
///
/// It does not deadlock under `cargo test` or `cargo run`: cargo releases
/// its lock on the target directory before it runs test binaries or the
/// program.
pub fn rust_plugin(package: &str) -> Result<PathBuf, BuildError> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = cache.get(package) {
        return result.clone();
    }
    let result = build_rust_plugin(package);
    cache.insert(package.to_owned(), result.clone());
    result
}

fn build_rust_plugin(package: &str) -> Result<PathBuf, BuildError> {
    let cargo = cargo_program();
    let layout = Layout::detect();
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace_root())
        .args([
            "build",
            "-p",
            package,
            "--message-format=json-render-diagnostics",
        ])
        .arg("--target-dir")
        .arg(&layout.target_dir)
        .args(layout.profile_args())
        .stdin(Stdio::null());
    if let Some(triple) = &layout.triple {
        command.args(["--target", triple]);
    }
    let described = format!("{command:?}");
    let output = command.output().map_err(|error| BuildError::Spawn {
        cargo: cargo.clone(),
        message: error.to_string(),
    })?;
    if !output.status.success() {
        return Err(BuildError::Cargo {
            package: package.to_owned(),
            command: described,
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    find_cdylib(&stdout, package, env::consts::DLL_SUFFIX).ok_or(BuildError::NoCdylib {
        package: package.to_owned(),
        command: described,
    })
}

/// The cargo to run: `$CARGO`, else the one that compiled this crate if it
/// still exists, else `cargo` from `PATH`.
fn cargo_program() -> PathBuf {
    if let Some(cargo) = env::var_os("CARGO").filter(|cargo| !cargo.is_empty()) {
        return PathBuf::from(cargo);
    }
    let compiled_with = Path::new(env!("CARGO"));
    if compiled_with.is_file() {
        return compiled_with.to_path_buf();
    }
    PathBuf::from("cargo")
}

/// Where and how the running binary was built.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    target_dir: PathBuf,
    /// The name of the profile directory: `debug`, `release` or a custom
    /// profile's name.
    profile_dir: String,
    /// `Some` when built with an explicit `--target`.
    triple: Option<String>,
}

impl Layout {
    fn detect() -> Layout {
        if let Some(layout) = env::current_exe()
            .ok()
            .and_then(|exe| Layout::from_exe(&exe, TARGET))
        {
            return layout;
        }
        let default_profile = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        if let Some(dir) = env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
            let dir = PathBuf::from(dir);
            let target_dir = if dir.is_absolute() {
                dir
            } else {
                env::current_dir().unwrap_or_default().join(dir)
            };
            return Layout {
                target_dir,
                profile_dir: default_profile.to_owned(),
                triple: None,
            };
        }
        // OUT_DIR is <profile dir>/build/<package>-<hash>/out.
        let out_dir = Path::new(env!("OUT_DIR"));
        out_dir
            .ancestors()
            .nth(3)
            .and_then(|profile_dir| Layout::from_profile_dir(profile_dir, TARGET))
            .unwrap_or_else(|| Layout {
                target_dir: workspace_root().join("target"),
                profile_dir: default_profile.to_owned(),
                triple: None,
            })
    }

    /// The layout of `exe` if it lies in a cargo target directory:
    /// `<target-dir>/[<triple>/]<profile>/[deps|examples/]<exe>`.
    fn from_exe(exe: &Path, triple: &str) -> Option<Layout> {
        let mut dir = exe.parent()?;
        if matches!(dir.file_name()?.to_str()?, "deps" | "examples") {
            dir = dir.parent()?;
        }
        Layout::from_profile_dir(dir, triple)
    }

    /// The layout whose profile directory is `profile_dir`, if that is
    /// `<target-dir>/[<triple>/]<profile>` of a cargo target directory
    /// (recognized by the `CACHEDIR.TAG` cargo writes into it).
    fn from_profile_dir(profile_dir: &Path, triple: &str) -> Option<Layout> {
        let profile = profile_dir.file_name()?.to_str()?.to_owned();
        let parent = profile_dir.parent()?;
        let (target_dir, triple) = if parent.file_name()?.to_str()? == triple {
            (parent.parent()?, Some(triple.to_owned()))
        } else {
            (parent, None)
        };
        if !target_dir.join("CACHEDIR.TAG").is_file() {
            return None;
        }
        Some(Layout {
            target_dir: target_dir.to_path_buf(),
            profile_dir: profile,
            triple,
        })
    }

    /// The cargo arguments that select this layout's profile.
    fn profile_args(&self) -> Vec<String> {
        match self.profile_dir.as_str() {
            "debug" => Vec::new(),
            "release" => vec!["--release".to_owned()],
            custom => vec!["--profile".to_owned(), custom.to_owned()],
        }
    }
}

/// The path of the cdylib of `package` in cargo's JSON messages `stdout`:
/// a `compiler-artifact` of that package whose target kind includes
/// `cdylib`, and its file name ending in `suffix` (`.so`, `.dylib`, `.dll`).
fn find_cdylib(stdout: &str, package: &str, suffix: &str) -> Option<PathBuf> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| {
            message["package_id"]
                .as_str()
                .is_some_and(|id| package_name_of(id) == Some(package))
        })
        .filter(|message| {
            message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "cdylib"))
        })
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .find(|file| file.to_string_lossy().ends_with(suffix))
}

/// The package name in a cargo package id, in either of its formats:
/// `name 0.1.0 (path+file:///...)` (cargo before 1.77) or a package id spec
/// `path+file:///.../dir#name@0.1.0`, where `#0.1.0` alone means the name is
/// the directory's.
fn package_name_of(id: &str) -> Option<&str> {
    if let Some((url, fragment)) = id.rsplit_once('#') {
        return match fragment.split_once('@') {
            Some((name, _version)) => Some(name),
            None => url.rsplit('/').next().filter(|name| !name.is_empty()),
        };
    }
    id.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_list_covers_every_language_and_interface_twice() {
        let mut names: Vec<&str> = EXAMPLES.iter().map(|(name, _, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EXAMPLES.len(), "a plugin is listed twice");
        for language in LANGUAGES {
            assert!(
                EXAMPLES
                    .iter()
                    .any(|(_, _, build)| build.language() == language),
                "no example in {language}"
            );
        }
        for interface in [GREETER, KV, PROCESSOR] {
            let mut languages: Vec<&str> = EXAMPLES
                .iter()
                .filter(|(_, listed, _)| *listed == interface)
                .map(|(_, _, build)| build.language())
                .collect();
            languages.dedup();
            assert!(languages.len() >= 2, "{interface}: only {languages:?}");
        }
    }

    #[test]
    fn c_plugins_exist() {
        assert_eq!(c_plugin_stems(), ["greeter", "processor"]);
        for stem in c_plugin_stems() {
            let path = c_plugin(stem);
            assert!(path.is_file(), "{}", path.display());
            assert!(path.is_absolute(), "{}", path.display());
        }
        let name = c_plugin("greeter");
        let name = name.file_name().unwrap().to_str().unwrap();
        assert!(
            name == "libgreeter.so" || name == "libgreeter.dylib" || name == "greeter.dll",
            "{name}"
        );
    }

    #[test]
    fn c_fixtures_exist() {
        for stem in [
            "no_entry",
            "abi_v2",
            "create_fails",
            "null_slot",
            "not_a_library",
        ] {
            let path = c_fixture(stem);
            assert!(path.is_file(), "{stem}: {}", path.display());
        }
        assert!(c_fixture("not_a_library").ends_with("tests/fixtures/not_a_library.txt"));
    }

    #[test]
    #[should_panic(expected = "no C example plugin called \"nope\"; known: greeter, processor")]
    fn unknown_stem_panics_with_the_known_ones() {
        c_plugin("nope");
    }

    #[test]
    fn cpp_plugins_and_fixtures_exist() {
        assert_eq!(cpp_plugin_stems(), ["greeter-cpp", "kv-cpp"]);
        assert_eq!(cpp_fixture_stems(), ["throwing_cpp"]);
        if let Err(error) = cpp_toolchain() {
            // (Under TENON_REQUIRE_TOOLCHAINS=1 the build script failed instead.)
            assert_eq!(error.name(), "toolchain_missing");
            let listed = Build::Cpp("kv-cpp").run(None).unwrap_err();
            assert_eq!(listed, error, "the C++ examples are listed as missing");
            let message = format!(
                "\n*** TOOLCHAIN MISSING: the C++ plugins and fixtures were not built: \
                 {error}; skipping what needs them ***\n\n"
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
            return;
        }
        for path in [
            cpp_plugin("greeter-cpp"),
            cpp_plugin("kv-cpp"),
            cpp_fixture("throwing_cpp"),
        ] {
            assert!(path.is_file(), "{}", path.display());
            assert!(path.is_absolute(), "{}", path.display());
        }
        let name = cpp_plugin("kv-cpp");
        let name = name.file_name().unwrap().to_str().unwrap();
        assert!(
            name == "libkv-cpp.so" || name == "libkv-cpp.dylib" || name == "kv-cpp.dll",
            "{name}"
        );
    }

    #[test]
    #[should_panic(
        expected = "no C++ example plugin called \"greeter\"; known: greeter-cpp, kv-cpp"
    )]
    fn unknown_cpp_plugin_panics_with_the_known_ones() {
        cpp_plugin("greeter");
    }

    #[test]
    fn c_and_cpp_examples_are_built_by_two_compilers_one_of_them_clang() {
        for (language, compilers, default) in [
            ("C", c_compilers(), c_compiler()),
            ("C++", cpp_compilers(), cpp_compiler()),
        ] {
            assert_eq!(compilers[0], default, "{language}: the default build first");
            assert_ne!(
                compilers[0], compilers[1],
                "{language}: the same compiler twice"
            );
            assert!(
                compilers.contains(&Compiler::Clang),
                "{language}: {compilers:?}"
            );
            if cfg!(not(target_env = "msvc")) && default != Compiler::Unknown {
                assert!(
                    compilers.contains(&Compiler::Gcc),
                    "{language}: {compilers:?}"
                );
            }
        }
        for stem in c_plugin_stems() {
            let default = c_plugin(stem);
            assert_eq!(c_plugin_built_by(c_compiler(), stem), Ok(default.clone()));
            let second = c_compilers()[1];
            check_second_build(c_plugin_built_by(second, stem), &default, second, false);
        }
        for dir in cpp_plugin_stems() {
            let default = cpp_toolchain().map(|()| cpp_plugin(dir));
            assert_eq!(cpp_plugin_built_by(cpp_compiler(), dir), default);
            let default = cpp_artifacts::CPP_PLUGINS
                .iter()
                .find(|(name, _)| *name == dir)
                .map(|(_, path)| PathBuf::from(path))
                .unwrap();
            let second = cpp_compilers()[1];
            check_second_build(cpp_plugin_built_by(second, dir), &default, second, true);
        }
    }

    /// The second build of a plugin whose default build is `default`: the
    /// same file name in `OUT_DIR/<compiler>/`, or a missing toolchain that
    /// names the compiler's command.
    fn check_second_build(
        second: Result<PathBuf, BuildError>,
        default: &Path,
        compiler: Compiler,
        cpp: bool,
    ) {
        match second {
            Ok(path) => {
                assert!(path.is_file(), "{}", path.display());
                assert_ne!(path, default);
                assert_eq!(path.file_name(), default.file_name());
                assert_eq!(
                    path.parent().unwrap(),
                    default.with_file_name(compiler.label())
                );
            }
            Err(error) => {
                // (Under TENON_REQUIRE_TOOLCHAINS=1 the build script failed instead.)
                assert_eq!(error.name(), "toolchain_missing");
                let BuildError::ToolchainMissing { tool, .. } = &error else {
                    unreachable!()
                };
                assert_eq!(tool, compiler.command(cpp));
                let message = format!(
                    "\n*** TOOLCHAIN MISSING: the {compiler} build of {} was not made: \
                     {error}; skipping it ***\n\n",
                    default.display()
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
            }
        }
    }

    #[test]
    fn the_listing_by_every_compiler_has_c_and_cpp_once_per_compiler() {
        for &(name, _, build) in EXAMPLES {
            let once = build.compilers(false);
            let every = build.compilers(true);
            assert_eq!(once.len(), 1, "{name}");
            assert_eq!(every[0], once[0], "{name}: the default build first");
            match build {
                Build::C(_) => assert_eq!(every, c_compilers().map(Some)),
                Build::Cpp(_) => assert_eq!(every, cpp_compilers().map(Some)),
                Build::Zig(_) | Build::Rust(_) => assert_eq!(every, [None]),
            }
        }
        let plugin = ExamplePlugin {
            language: "c",
            compiler: Some(Compiler::Clang),
            name: "greeter-c",
            interface: GREETER,
            path: PathBuf::new(),
        };
        assert_eq!(plugin.label(), "c/clang");
        let plugin = ExamplePlugin {
            language: "rust",
            compiler: None,
            ..plugin
        };
        assert_eq!(plugin.label(), "rust");
    }

    #[test]
    #[cfg(not(target_env = "msvc"))]
    #[should_panic(expected = "the C example plugins are not built by msvc, only by")]
    fn a_compiler_that_builds_nothing_panics() {
        let _ = c_plugin_built_by(Compiler::Msvc, "greeter");
    }

    #[test]
    fn workspace_root_holds_the_contract() {
        assert!(workspace_root().join("include/tenon/plugin.h").is_file());
        assert!(!workspace_root().to_string_lossy().contains(".."));
    }

    #[test]
    fn package_ids_in_both_formats() {
        assert_eq!(
            package_name_of("greeter-rust 0.1.0 (path+file:///w/examples-rust/greeter)"),
            Some("greeter-rust")
        );
        assert_eq!(
            package_name_of("path+file:///w/examples-rust/greeter#greeter-rust@0.1.0"),
            Some("greeter-rust")
        );
        assert_eq!(
            package_name_of("path+file:///w/examples-rust/kv-rust#0.1.0"),
            Some("kv-rust")
        );
        assert_eq!(
            package_name_of("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0"),
            Some("serde")
        );
    }

    #[test]
    fn finds_the_cdylib_of_the_package() {
        let stdout = [
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/sdk-rust/tenon-plugin#0.1.0","target":{"kind":["lib"],"name":"tenon_plugin"},"filenames":["/t/debug/deps/libtenon_plugin-1.rlib"],"fresh":true}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/examples-rust/greeter#greeter-rust@0.1.0","target":{"kind":["cdylib","rlib"],"name":"greeter_rust"},"filenames":["/t/debug/libgreeter_rust.so","/t/debug/libgreeter_rust.rlib"],"fresh":false}"#,
            "not json",
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            find_cdylib(&stdout, "greeter-rust", ".so"),
            Some(PathBuf::from("/t/debug/libgreeter_rust.so"))
        );
        assert_eq!(find_cdylib(&stdout, "tenon-plugin", ".so"), None);
        assert_eq!(find_cdylib(&stdout, "kv-rust", ".so"), None);
    }

    #[test]
    fn layout_of_this_test_binary() {
        let exe = env::current_exe().unwrap();
        let layout = Layout::from_exe(&exe, TARGET).expect("test binaries live in a target dir");
        assert!(exe.starts_with(&layout.target_dir));
        assert_eq!(layout, Layout::detect());
        if cfg!(debug_assertions) {
            assert_eq!(layout.profile_dir, "debug");
            assert!(layout.profile_args().is_empty());
        }
    }

    #[test]
    fn layout_from_paths() {
        let dir = env::temp_dir().join(format!("tenon-layout-{}", std::process::id()));
        let triple = "x86_64-unknown-linux-gnu";
        std::fs::create_dir_all(dir.join(triple).join("custom/deps")).unwrap();
        std::fs::write(dir.join("CACHEDIR.TAG"), "").unwrap();

        let plain = Layout::from_exe(&dir.join("release/deps/t-123"), triple).unwrap();
        assert_eq!(plain.target_dir, dir);
        assert_eq!(plain.triple, None);
        assert_eq!(plain.profile_args(), ["--release"]);

        let direct = Layout::from_exe(&dir.join("debug/demo"), triple).unwrap();
        assert_eq!(direct.profile_dir, "debug");

        let cross = Layout::from_exe(&dir.join(triple).join("custom/deps/t-1"), triple).unwrap();
        assert_eq!(cross.target_dir, dir);
        assert_eq!(cross.triple.as_deref(), Some(triple));
        assert_eq!(cross.profile_args(), ["--profile", "custom"]);

        assert_eq!(Layout::from_exe(Path::new("/usr/bin/demo"), triple), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn build_errors_have_stable_names() {
        let error = BuildError::NoCdylib {
            package: "p".to_owned(),
            command: "cargo build -p p".to_owned(),
        };
        assert_eq!(error.name(), "no_cdylib");
        assert!(error.to_string().contains("no cdylib"));
    }
}
