//! The C and C++ compilers: the default one the `cc` crate finds, and the
//! other of gcc and clang, so that every C and C++ example is built by both.

use std::fmt;
use std::sync::OnceLock;

use crate::layout::{target, BUILT_FOR};
use crate::native::Language;
use crate::BuildError;

/// A C or C++ compiler example plugins are built with.
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

    /// The compiler whose [`label`](Compiler::label) is `label`.
    pub(crate) fn from_label(label: &str) -> Option<Compiler> {
        [
            Compiler::Gcc,
            Compiler::Clang,
            Compiler::Msvc,
            Compiler::Unknown,
        ]
        .into_iter()
        .find(|compiler| compiler.label() == label)
    }

    /// The family of `tool`, as cc detected it (by preprocessing a probe
    /// file with it). clang-cl counts as MSVC: it takes cl.exe's flags.
    fn of(tool: &cc::Tool) -> Compiler {
        if tool.is_like_msvc() {
            Compiler::Msvc
        } else if tool.is_like_clang() {
            Compiler::Clang
        } else if tool.is_like_gnu() {
            Compiler::Gcc
        } else {
            Compiler::Unknown
        }
    }

    /// The compiler of the second build when this one makes the default
    /// build: the other of gcc and clang.
    fn second(self) -> Compiler {
        if self == Compiler::Clang {
            Compiler::Gcc
        } else {
            Compiler::Clang
        }
    }

    /// The command of this compiler for `language`, as a missing toolchain
    /// names it.
    pub(crate) fn command(self, language: Language) -> &'static str {
        match (self, language) {
            (Compiler::Gcc, Language::C) => "gcc",
            (Compiler::Gcc, Language::Cpp) => "g++",
            (Compiler::Clang, Language::C) => "clang",
            (Compiler::Clang, Language::Cpp) => "clang++",
            (Compiler::Msvc, _) => "cl",
            (Compiler::Unknown, Language::C) => "cc",
            (Compiler::Unknown, Language::Cpp) => "c++",
        }
    }

    /// How to get this compiler for `language`.
    fn install(self, language: Language) -> &'static str {
        match (self, language) {
            (Compiler::Gcc, Language::C) => "install gcc",
            (Compiler::Gcc, Language::Cpp) => "install g++",
            (Compiler::Clang, Language::C) => "install clang",
            (Compiler::Clang, Language::Cpp) => "install clang (which provides clang++)",
            (_, Language::C) => "install gcc or clang, or set CC to a C compiler",
            (_, Language::Cpp) => "install g++ or clang++, or set CXX to a C++ compiler",
        }
    }
}

impl fmt::Display for Compiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A compiler looked for: which one, and the tool to run or why it cannot;
/// `Ok(None)` when its libraries were built ahead of time
/// ([`crate::prebuild`]) and nothing is compiled in this process.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) compiler: Compiler,
    pub(crate) tool: Result<Option<cc::Tool>, BuildError>,
}

/// The two compilers of `language`, looked for once per process: the
/// default one (`CC` or `CXX`, else the platform's `cc` or `c++`, as the
/// `cc` crate finds it), then the other of gcc and clang. When the default
/// does not run it is [`Compiler::Unknown`] and the second is clang.
pub(crate) fn compilers(language: Language) -> &'static [Found; 2] {
    static C: OnceLock<[Found; 2]> = OnceLock::new();
    static CPP: OnceLock<[Found; 2]> = OnceLock::new();
    let cell = match language {
        Language::C => &C,
        Language::Cpp => &CPP,
    };
    cell.get_or_init(|| {
        if let Some(manifest) = crate::prebuilt::manifest() {
            return manifest.compilers(language).map(|compiler| Found {
                compiler,
                tool: Ok(None),
            });
        }
        let default = find_default(language);
        let second = find_second(default.compiler.second(), language);
        [default, second]
    })
}

/// The `cc` configuration for building plugins of this crate's target at
/// run time (outside a build script, where cargo's variables are unset).
fn cc_build(language: Language) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .cpp(language == Language::Cpp)
        .target(target())
        .host(BUILT_FOR)
        .opt_level(0)
        .debug(false)
        .cargo_metadata(false)
        .cargo_warnings(false);
    build
}

fn find_default(language: Language) -> Found {
    let tool = cc_build(language)
        .try_get_compiler()
        .map_err(|error| error.to_string())
        .and_then(|tool| runs(&tool, language).map(|()| tool));
    match tool {
        Ok(tool) => Found {
            compiler: Compiler::of(&tool),
            tool: Ok(Some(tool)),
        },
        Err(why) => Found {
            compiler: Compiler::Unknown,
            tool: Err(missing(Compiler::Unknown, language, &why)),
        },
    }
}

/// `compiler` (gcc or clang) for `language`, if it runs and really is
/// `compiler` (`gcc` is Clang on macOS, and a second build by the same
/// compiler would repeat the first).
fn find_second(compiler: Compiler, language: Language) -> Found {
    let command = compiler.command(language);
    if compiler == Compiler::Clang
        && language == Language::Cpp
        && crate::layout::target().ends_with("windows-gnu")
    {
        // Debian's clang finds MinGW's C runtime when told where (see
        // native.rs), but its C++ DLLs need libstdc++ with POSIX threads
        // linked statically, which its MinGW driver cannot order.
        return Found {
            compiler,
            tool: Err(BuildError::ToolchainMissing {
                tool: command.to_owned(),
                message: "Debian's clang++ cannot link MinGW C++ DLLs with libstdc++'s \
                          std::mutex statically; the C++ examples are built by MinGW g++ only"
                    .to_owned(),
            }),
        };
    }
    let tool = cc_build(language)
        .compiler(command)
        .try_get_compiler()
        .map_err(|error| error.to_string())
        .and_then(|tool| runs(&tool, language).map(|()| tool))
        .and_then(|tool| match Compiler::of(&tool) {
            found if found == compiler => Ok(tool),
            found => Err(format!(
                "`{command}` is {found}, not {compiler}, so its build would repeat the first one"
            )),
        });
    Found {
        compiler,
        tool: tool
            .map(Some)
            .map_err(|why| missing(compiler, language, &why)),
    }
}

/// The error saying that `compiler` for `language` is missing.
fn missing(compiler: Compiler, language: Language, why: &str) -> BuildError {
    BuildError::ToolchainMissing {
        tool: compiler.command(language).to_owned(),
        message: format!("{why}; {}", compiler.install(language)),
    }
}

/// `Ok` when `tool --version` runs and succeeds; otherwise why not, naming
/// the command.
fn runs(tool: &cc::Tool, language: Language) -> Result<(), String> {
    // With the environment and default flags cc gives it, like a compile.
    let mut command = tool.to_command();
    let mut described = tool.path().display().to_string();
    if !tool.is_like_msvc() {
        // cl.exe has no --version; without arguments it prints its banner.
        command.arg("--version");
        described.push_str(" --version");
    }
    let why = match command.output() {
        Ok(output) if output.status.success() => return Ok(()),
        Ok(output) => format!(
            "{} ({})",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .trim()
        ),
        Err(error) => error.to_string(),
    };
    Err(format!(
        "the {} compiler does not run: `{described}`: {why}",
        language.name()
    ))
}
