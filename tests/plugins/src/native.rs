//! The C and C++ example plugins and fixtures, as the build script compiled
//! them: their paths, and the compilers that built them.

use std::fmt;
use std::path::PathBuf;

use crate::BuildError;

mod c_artifacts {
    include!(concat!(env!("OUT_DIR"), "/c_artifacts.rs"));
}

mod cpp_artifacts {
    include!(concat!(env!("OUT_DIR"), "/cpp_artifacts.rs"));
}

/// The shared library built from `examples-c/<stem>/<stem>.c`, e.g.
/// `c_plugin("greeter")` or `c_plugin("processor")`.
///
/// # Panics
///
/// If there is no C example called `stem` (the message lists those there
/// are). The file itself exists: the build script made it.
pub fn c_plugin(stem: &str) -> PathBuf {
    C.plugin(stem)
}

/// A test fixture from `tests/fixtures/`: for `<stem>.c` the shared library
/// compiled from it (`no_entry`, `abi_v2`, `create_fails`, `null_slot`), for
/// `<stem>.txt` the text file itself (`not_a_library`).
///
/// # Panics
///
/// If there is no fixture called `stem` (the message lists those there are).
pub fn c_fixture(stem: &str) -> PathBuf {
    C.fixture(stem)
}

/// The stems [`c_plugin`] accepts, sorted.
pub fn c_plugin_stems() -> Vec<&'static str> {
    stems(C.default.plugins)
}

/// The stems [`c_fixture`] accepts, sorted.
pub fn c_fixture_stems() -> Vec<&'static str> {
    stems(C.fixtures)
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
    /// [`ExamplePlugin::label`](crate::ExamplePlugin::label) and the
    /// conformance suite's failures spell it.
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
    C.default.compiler
}

/// The compilers every C example plugin is built with, the default first
/// ([`c_compiler`]), then the other of gcc and clang, whether it was found
/// or not ([`c_plugin_built_by`] says). Never the same compiler twice.
pub fn c_compilers() -> [Compiler; 2] {
    C.compilers()
}

/// The compiler that built [`cpp_plugin`] and [`cpp_fixture`], the C++
/// compiler the `cc` crate found (`CXX`, else the platform's `c++`);
/// [`Compiler::Unknown`] when it did not run (see [`cpp_toolchain`]).
pub fn cpp_compiler() -> Compiler {
    CPP.default.compiler
}

/// The compilers every C++ example plugin is built with: [`cpp_compiler`],
/// then the other of g++ and clang++ (clang++ when the default did not
/// run), whether it was found or not.
pub fn cpp_compilers() -> [Compiler; 2] {
    CPP.compilers()
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
    C.plugin_built_by(compiler, stem)
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
    CPP.plugin_built_by(compiler, dir)
}

/// Whether the build script built the C++ plugins and fixtures: `Ok`, or
/// [`BuildError::ToolchainMissing`] (tool `c++`, `toolchain_missing`) when
/// no C++ compiler ran, so callers can skip what needs them, loudly, as for
/// a missing Zig. (With `TENON_REQUIRE_TOOLCHAINS=1` the build script fails
/// instead, so this is then always `Ok`.)
pub fn cpp_toolchain() -> Result<(), BuildError> {
    CPP.toolchain()
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
    CPP.plugin(dir)
}

/// The shared library built from the C++ test fixture
/// `tests/fixtures/<stem>.cpp`, e.g. `cpp_fixture("throwing_cpp")`.
///
/// # Panics
///
/// If there is no C++ fixture called `stem` (the message lists those there
/// are), or if no C++ compiler was found (check [`cpp_toolchain`] first).
pub fn cpp_fixture(stem: &str) -> PathBuf {
    CPP.fixture(stem)
}

/// The names [`cpp_plugin`] accepts, sorted.
pub fn cpp_plugin_stems() -> Vec<&'static str> {
    stems(CPP.default.plugins)
}

/// The stems [`cpp_fixture`] accepts, sorted.
pub fn cpp_fixture_stems() -> Vec<&'static str> {
    stems(CPP.fixtures)
}

/// A table of the build script: (stem, absolute path) of each library.
type Table = &'static [(&'static str, &'static str)];

/// What the build script built for one language.
struct Artifacts {
    /// What a plugin is called in messages: `C example plugin`.
    plugin: &'static str,
    /// What a fixture is called in messages: `C fixture`.
    fixture: &'static str,
    cpp: bool,
    /// The build of the plugins and fixtures by the default compiler.
    default: CompilerBuild,
    /// The fixtures, built (or not) like `default.plugins`.
    fixtures: Table,
    /// The build of the plugins by the other of gcc and clang.
    second: CompilerBuild,
}

/// One build of the example plugins of a language.
struct CompilerBuild {
    /// Its compiler; [`Compiler::Unknown`] when a default compiler did not
    /// run.
    compiler: Compiler,
    /// Why it was not made (`None`: it was).
    missing: Option<&'static str>,
    plugins: Table,
}

/// The C libraries. The C compiler is required (the build script fails
/// without one), so its default build is always made.
const C: Artifacts = Artifacts {
    plugin: "C example plugin",
    fixture: "C fixture",
    cpp: false,
    default: CompilerBuild {
        compiler: c_artifacts::C_COMPILER,
        missing: c_artifacts::C_MISSING,
        plugins: c_artifacts::C_PLUGINS,
    },
    fixtures: c_artifacts::C_FIXTURES,
    second: CompilerBuild {
        compiler: c_artifacts::C_SECOND_COMPILER,
        missing: c_artifacts::C_SECOND_MISSING,
        plugins: c_artifacts::C_SECOND_PLUGINS,
    },
};

/// The C++ libraries, none of which is built without a C++ compiler.
const CPP: Artifacts = Artifacts {
    plugin: "C++ example plugin",
    fixture: "C++ fixture",
    cpp: true,
    default: CompilerBuild {
        compiler: cpp_artifacts::CPP_COMPILER,
        missing: cpp_artifacts::CPP_MISSING,
        plugins: cpp_artifacts::CPP_PLUGINS,
    },
    fixtures: cpp_artifacts::CPP_FIXTURES,
    second: CompilerBuild {
        compiler: cpp_artifacts::CPP_SECOND_COMPILER,
        missing: cpp_artifacts::CPP_SECOND_MISSING,
        plugins: cpp_artifacts::CPP_SECOND_PLUGINS,
    },
};

impl Artifacts {
    /// The default build of the plugin `stem`.
    fn plugin(&self, stem: &str) -> PathBuf {
        self.built(self.plugin, self.default.plugins, stem)
    }

    /// The default build of the fixture `stem`.
    fn fixture(&self, stem: &str) -> PathBuf {
        self.built(self.fixture, self.fixtures, stem)
    }

    /// [`lookup`] in a table of the default build, which panics too when
    /// that build was not made.
    fn built(&self, what: &str, table: Table, stem: &str) -> PathBuf {
        let path = lookup(what, table, stem);
        if let Err(error) = self.toolchain() {
            panic!("{what} {stem:?} was not built: {error}");
        }
        path
    }

    /// Whether the default build was made (see [`CompilerBuild::toolchain`]).
    fn toolchain(&self) -> Result<(), BuildError> {
        self.default.toolchain(self.cpp)
    }

    /// The compilers of the default and the second build.
    fn compilers(&self) -> [Compiler; 2] {
        [self.default.compiler, self.second.compiler]
    }

    /// The plugin `stem` built by `compiler`.
    fn plugin_built_by(&self, compiler: Compiler, stem: &str) -> Result<PathBuf, BuildError> {
        let Some(build) = [&self.default, &self.second]
            .into_iter()
            .find(|build| build.compiler == compiler)
        else {
            let [default, second] = self.compilers();
            panic!(
                "the {}s are not built by {compiler}, only by {default} and {second}",
                self.plugin
            );
        };
        let path = lookup(self.plugin, build.plugins, stem);
        build.toolchain(self.cpp).map(|()| path)
    }
}

impl CompilerBuild {
    /// Whether this build was made: `Ok`, or the `toolchain_missing` error
    /// naming its compiler's command (for a default build that did not run,
    /// [`Compiler::Unknown`]'s: `cc` or `c++`).
    fn toolchain(&self, cpp: bool) -> Result<(), BuildError> {
        match self.missing {
            None => Ok(()),
            Some(message) => Err(BuildError::ToolchainMissing {
                tool: self.compiler.command(cpp).to_owned(),
                message: message.to_owned(),
            }),
        }
    }
}

/// The stems of a table, in its order.
fn stems(table: Table) -> Vec<&'static str> {
    table.iter().map(|(stem, _)| *stem).collect()
}

/// The path of `stem` in `table`; panics naming the known stems if none.
fn lookup(what: &str, table: &[(&str, &str)], stem: &str) -> PathBuf {
    match table.iter().find(|(name, _)| *name == stem) {
        Some((_, path)) => PathBuf::from(path),
        None => {
            let known: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
            panic!("no {what} called {stem:?}; known: {}", known.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::examples::Build;
    use crate::toolchain::to_stderr;

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
            to_stderr(&message);
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
                to_stderr(&message);
            }
        }
    }

    #[test]
    #[cfg(not(target_env = "msvc"))]
    #[should_panic(expected = "the C example plugins are not built by msvc, only by")]
    fn a_compiler_that_builds_nothing_panics() {
        let _ = c_plugin_built_by(Compiler::Msvc, "greeter");
    }
}
