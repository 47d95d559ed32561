//! The list of example plugins, in every language, and building them all.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::thread;

use crate::toolchain;
use crate::{
    c_compiler, c_compilers, c_plugin_built_by, cpp_compiler, cpp_compilers, cpp_plugin_built_by,
    rust_plugin, zig_plugin, BuildError, Compiler,
};

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
pub(crate) enum Build {
    /// From `examples-c/<stem>/<stem>.c` ([`c_plugin`](crate::c_plugin)).
    C(&'static str),
    /// From `examples-c/<dir>/*.cpp`
    /// ([`cpp_plugin`](crate::cpp_plugin)).
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
    pub(crate) fn run(self, compiler: Option<Compiler>) -> Result<PathBuf, BuildError> {
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
    ("kv-c", KV, Build::C("kv")),
    ("processor-c", PROCESSOR, Build::C("processor")),
    ("greeter-cpp", GREETER, Build::Cpp("greeter-cpp")),
    ("kv-cpp", KV, Build::Cpp("kv-cpp")),
    ("greeter-zig", GREETER, Build::Zig("greeter")),
    ("processor-zig", PROCESSOR, Build::Zig("processor")),
    ("greeter-rust", GREETER, Build::Rust("greeter-rust")),
    ("kv-rust", KV, Build::Rust("kv-rust")),
    ("processor-rust", PROCESSOR, Build::Rust("processor-rust")),
];

/// The packages of the Rust examples, in the order of the list.
pub(crate) fn rust_packages() -> Vec<&'static str> {
    EXAMPLES
        .iter()
        .filter_map(|(_, _, build)| match build {
            Build::Rust(package) => Some(*package),
            _ => None,
        })
        .collect()
}

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

/// Builds every listed example, C and C++ ones by their default compiler
/// or, with `every_compiler`, by each of theirs; all at once, each on a
/// thread of its own.
fn list(every_compiler: bool) -> Result<Examples, BuildError> {
    let jobs: Vec<(Listed, Option<Compiler>)> = EXAMPLES
        .iter()
        .flat_map(|&listed| {
            let (_, _, build) = listed;
            build
                .compilers(every_compiler)
                .into_iter()
                .map(move |compiler| (listed, compiler))
        })
        .collect();
    let results: Vec<Result<PathBuf, BuildError>> = thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|&((_, _, build), compiler)| scope.spawn(move || build.run(compiler)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut examples = Examples {
        built: Vec::new(),
        missing: Vec::new(),
    };
    for (((name, interface, build), compiler), result) in jobs.into_iter().zip(results) {
        let language = build.language();
        match result {
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
    Ok(examples)
}

/// Reports every missing example on stderr as `TOOLCHAIN MISSING: ...`
/// (each message once per process), and returns the built ones, or, when
/// toolchains are [required](toolchain::required), the first missing one
/// as an error.
fn report_missing(examples: Examples) -> Result<Vec<ExamplePlugin>, BuildError> {
    static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let required = toolchain::required();
    let consequence = if required {
        format!("an error, as {}=1", toolchain::REQUIRE_TOOLCHAINS_ENV)
    } else {
        format!(
            "skipped ({}=1 makes this an error)",
            toolchain::REQUIRE_TOOLCHAINS_ENV
        )
    };
    {
        let mut reported = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
        for missing in &examples.missing {
            let message = format!("{missing}; {consequence}");
            if !reported.contains(&message) {
                toolchain::loud(&message);
                reported.push(message);
            }
        }
    }
    match examples.missing.into_iter().next() {
        Some(missing) if required => Err(missing.error),
        _ => Ok(examples.built),
    }
}

/// Whether `error` says that a toolchain is not installed (rather than that
/// a build failed).
fn is_toolchain_missing(error: &BuildError) -> bool {
    matches!(error, BuildError::ToolchainMissing { .. })
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
}
