//! Building the Zig example plugins (`examples-zig/<example>/`) on demand.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::builder::{build as build_library, Library};
use crate::layout::{cross, target};
use crate::native::library_file_name;
use crate::{workspace_root, BuildError};

/// The directory holding the Zig examples, one `build.zig` project each.
fn examples_dir() -> PathBuf {
    workspace_root().join("examples-zig")
}

/// The names [`zig_plugin`] accepts: the directories of `examples-zig/` that
/// hold a `build.zig`, sorted (`["greeter", "processor"]`).
pub fn zig_examples() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(examples_dir())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|dir| dir.join("build.zig").is_file())
        .filter_map(|dir| dir.file_name()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Builds the Zig example `examples-zig/<example>/` (e.g. `"greeter"` or
/// `"processor"`) with `zig build` and returns the path of its shared
/// library (`lib<example>-zig.so`, `.dylib`, or `<example>-zig.dll`).
///
/// - **zig**: the program named by the `ZIG` environment variable if set,
///   else `zig` from `PATH`, else `python3 -m ziglang` (the compiler from
///   PyPI: `pip install ziglang`), whichever answers `version` first. When
///   none does the error is [`BuildError::ToolchainMissing`]
///   (`toolchain_missing`), so callers can skip rather than fail.
/// - **Where**: runs in the example's directory with
///   `--prefix <target-dir>/tenon-plugins/zig/<example>/out` and
///   `--cache-dir <target-dir>/tenon-plugins/zig/<example>/cache`, so nothing is
///   written into the source tree; `<target-dir>` is the cargo target
///   directory of the running binary (as for [`crate::rust_plugin`]). Zig's
///   global cache (its standard library and runtime builds) stays where zig
///   keeps it (`ZIG_GLOBAL_CACHE_DIR` moves it); filling it the first time
///   takes minutes, later builds seconds.
/// - **Caching**: the first call for an example builds it (quick when
///   nothing changed); later calls in the same process return the same
///   result, success or failure, without running zig again (as for every
///   library of this crate).
pub fn zig_plugin(example: &str) -> Result<PathBuf, BuildError> {
    build_library(&Library::Zig(example.to_owned()))
}

/// Runs `zig build` for `example` with prefix and cache in `work` (called
/// once per process and example by the builder).
pub(crate) fn build(example: &str, work: &Path) -> Result<PathBuf, BuildError> {
    let project = examples_dir().join(example);
    if !project.join("build.zig").is_file() {
        return Err(BuildError::Zig {
            example: example.to_owned(),
            command: String::new(),
            code: None,
            stderr: format!(
                "no Zig example called {example:?} (no {}); known: {}",
                project.join("build.zig").display(),
                zig_examples().join(", ")
            ),
        });
    }
    build_project(example, &project, &[], work)
}

/// Builds the Zig fixture `tests/fixtures/zig/<name>/` (a `zig build`
/// project like the examples, whose library is `<name>-zig`) and returns
/// the path of its shared library. Its interface headers are the test
/// interfaces' (`tests/fixtures/include`), unless its `src/tenon.h`
/// includes an example interface (`tenon_examples/...`): then the
/// examples' (the SDK's default), since `addPlugin` takes one interface
/// directory. Cached and reported as [`zig_plugin`] is.
pub fn zig_fixture(name: &str) -> Result<PathBuf, BuildError> {
    build_library(&Library::ZigFixture(name.to_owned()))
}

/// Runs `zig build` for the fixture `name` (called once per process and
/// fixture by the builder).
pub(crate) fn build_fixture(name: &str, work: &Path) -> Result<PathBuf, BuildError> {
    let project = workspace_root().join("tests/fixtures/zig").join(name);
    if !project.join("build.zig").is_file() {
        return Err(BuildError::Zig {
            example: name.to_owned(),
            command: String::new(),
            code: None,
            stderr: format!(
                "no Zig fixture called {name:?} (no {})",
                project.join("build.zig").display()
            ),
        });
    }
    let header = fs::read_to_string(project.join("src/tenon.h")).unwrap_or_default();
    let mut args: Vec<OsString> = Vec::new();
    if !header.contains("<tenon_examples/") {
        args.push(
            format!(
                "-Dtenon-interfaces={}",
                workspace_root().join("tests/fixtures/include").display()
            )
            .into(),
        );
    }
    build_project(name, &project, &args, work)
}

/// Runs `zig build` in `project`, whose library is `<name>-zig`, with
/// `args` after the prefix and cache options.
fn build_project(
    name: &str,
    project: &Path,
    args: &[OsString],
    work: &Path,
) -> Result<PathBuf, BuildError> {
    let example = name;
    let zig = zig_program()?;
    let prefix = work.join("out");
    let mut command = Command::new(&zig[0]);
    command
        .args(&zig[1..])
        .arg("build")
        .arg("--prefix")
        .arg(&prefix)
        .arg("--cache-dir")
        .arg(work.join("cache"))
        .args(args)
        .args(zig_target_args()?)
        .current_dir(project)
        .stdin(Stdio::null());
    let described = format!("{command:?}");
    let output = command.output().map_err(|error| BuildError::Zig {
        example: example.to_owned(),
        command: described.clone(),
        code: None,
        stderr: format!("could not run zig: {error}"),
    })?;
    if !output.status.success() {
        return Err(BuildError::Zig {
            example: example.to_owned(),
            command: described,
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let file = library_file_name(&format!("{example}-zig"));
    // Zig installs shared libraries in lib/, and DLLs in bin/.
    let candidates = [
        prefix.join("lib").join(&file),
        prefix.join("bin").join(&file),
    ];
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| BuildError::NoLibrary {
            example: example.to_owned(),
            expected: candidates[0].clone(),
        })
}

/// `-Dtarget=<zig triple>` when the plugins are built for another target
/// than the running binary's (Zig needs no SDK for Windows or macOS);
/// nothing for a native build, which Zig targets by default.
fn zig_target_args() -> Result<Vec<String>, BuildError> {
    if !cross() {
        return Ok(Vec::new());
    }
    let triple = target();
    let zig = match triple {
        "x86_64-pc-windows-gnu" | "x86_64-pc-windows-msvc" => "x86_64-windows-gnu",
        "aarch64-pc-windows-gnullvm" | "aarch64-pc-windows-msvc" => "aarch64-windows-gnu",
        "x86_64-apple-darwin" => "x86_64-macos",
        "aarch64-apple-darwin" => "aarch64-macos",
        "x86_64-unknown-linux-gnu" => "x86_64-linux-gnu",
        "aarch64-unknown-linux-gnu" => "aarch64-linux-gnu",
        other => {
            return Err(BuildError::Zig {
                example: String::new(),
                command: String::new(),
                code: None,
                stderr: format!("no Zig target known for the Rust target {other}"),
            })
        }
    };
    Ok(vec![format!("-Dtarget={zig}")])
}

/// The command that runs zig, as program and leading arguments
/// (`["zig"]` or `["python3", "-m", "ziglang"]`), found as [`zig_plugin`]
/// describes, once per process; [`BuildError::ToolchainMissing`] when there
/// is none. For running zig on other projects (`zig build` of a copy of an
/// example, `zig fmt --check`).
pub fn zig_command() -> Result<Vec<OsString>, BuildError> {
    zig_program()
}

/// The command that runs zig (program and leading arguments), found once
/// per process.
fn zig_program() -> Result<Vec<OsString>, BuildError> {
    static ZIG: OnceLock<Result<Vec<OsString>, BuildError>> = OnceLock::new();
    ZIG.get_or_init(find_zig).clone()
}

fn find_zig() -> Result<Vec<OsString>, BuildError> {
    let mut candidates: Vec<Vec<OsString>> = Vec::new();
    if let Some(zig) = env::var_os("ZIG").filter(|zig| !zig.is_empty()) {
        candidates.push(vec![zig]);
    }
    candidates.push(vec!["zig".into()]);
    for python in ["python3", "python"] {
        candidates.push(vec![python.into(), "-m".into(), "ziglang".into()]);
    }
    let mut tried = Vec::new();
    for candidate in candidates {
        let described = candidate
            .iter()
            .map(|part| part.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        match answers_version(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(why) => tried.push(format!("`{described} version`: {why}")),
        }
    }
    Err(BuildError::ToolchainMissing {
        tool: "zig".to_owned(),
        message: format!(
            "no Zig compiler found (install one on PATH, or `pip install ziglang`; \
             or set ZIG); tried {}",
            tried.join("; ")
        ),
    })
}

/// Runs `<command> version`: `Ok` when it exits successfully.
fn answers_version(command: &[OsString]) -> Result<(), String> {
    let output = Command::new(&command[0])
        .args(&command[1..])
        .arg("version")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| error.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "{} ({})",
            output.status,
            stderr.lines().last().unwrap_or("").trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zig_examples_are_listed() {
        assert_eq!(zig_examples(), ["greeter", "processor"]);
        assert!(examples_dir().join("greeter/src/greeter.zig").is_file());
    }

    #[test]
    fn an_unknown_example_is_an_error_naming_the_known_ones() {
        let error = zig_plugin("nope").unwrap_err();
        assert_eq!(error.name(), "zig_failed");
        let text = error.to_string();
        assert!(text.contains("no Zig example called \"nope\""), "{text}");
        assert!(text.contains("greeter, processor"), "{text}");
    }

    #[test]
    fn a_missing_program_is_not_a_zig() {
        let missing = [OsString::from("tenon-no-such-zig-program")];
        assert!(answers_version(&missing).is_err());
    }

    #[test]
    fn missing_toolchains_have_their_own_name() {
        let error = BuildError::ToolchainMissing {
            tool: "zig".to_owned(),
            message: "not installed".to_owned(),
        };
        assert_eq!(error.name(), "toolchain_missing");
        assert!(error.to_string().contains("zig"));
    }
}
