//! The error of building an example plugin.

use std::fmt;
use std::path::PathBuf;

/// Why a plugin or fixture could not be built.
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
    /// A C or C++ compiler failed on a plugin or fixture (a compile error or
    /// warning: every warning is an error), or could not be run.
    Compile {
        /// The library, e.g. `C fixture no_entry (gcc)`.
        library: String,
        /// The command line and what the compiler printed.
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
    /// The libraries were built ahead of time ([`crate::prebuild`]) and this
    /// one is not among them, or their list cannot be read.
    NotPrebuilt {
        /// What the library is known by, e.g. `c/gcc/plugins/greeter`.
        library: String,
        /// The list of prebuilt libraries, and what is wrong.
        message: String,
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
    /// `compile_failed`, `zig_failed`, `not_prebuilt` or `no_library`.
    pub fn name(&self) -> &'static str {
        match self {
            BuildError::Spawn { .. } => "spawn_failed",
            BuildError::Cargo { .. } => "cargo_failed",
            BuildError::NoCdylib { .. } => "no_cdylib",
            BuildError::ToolchainMissing { .. } => "toolchain_missing",
            BuildError::Compile { .. } => "compile_failed",
            BuildError::Zig { .. } => "zig_failed",
            BuildError::NotPrebuilt { .. } => "not_prebuilt",
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
            BuildError::Compile { library, message } => {
                write!(f, "building {library} failed: {message}")
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
            BuildError::NotPrebuilt { library, message } => {
                write!(f, "{library} was not built ahead of time: {message}")
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

#[cfg(test)]
mod tests {
    use super::*;

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
