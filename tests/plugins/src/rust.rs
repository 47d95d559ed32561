//! Building the Rust example plugins (`cdylib` packages of the workspace)
//! on demand.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::builder::{build as build_library, Library};
use crate::layout::Layout;
use crate::native::library_file_name;
use crate::{workspace_root, BuildError};

/// Builds the `cdylib` of workspace package `package` (e.g. `"greeter-rust"`)
/// and returns the path of the shared library.
///
/// Runs `cargo build -p <package> --message-format=json-render-diagnostics`
/// in the workspace root, with the profile and target directory of the
/// running binary (see below), and takes the library from cargo's
/// `compiler-artifact` message. The first call for a package builds it (a
/// no-op when it is up to date); later calls in the same process return the
/// same result, success or failure, without running cargo again (as for
/// every library of this crate).
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
    build_library(&Library::Rust(package.to_owned()))
}

/// Runs cargo for `package` (called once per process and package by the
/// builder).
pub(crate) fn build(package: &str) -> Result<PathBuf, BuildError> {
    let (stdout, described) = cargo_build(package, &[])?;
    let suffix = library_file_name("");
    find_cdylib(&stdout, package, suffix.trim_start_matches("lib")).ok_or(BuildError::NoCdylib {
        package: package.to_owned(),
        command: described,
    })
}

/// Runs `cargo build -p <package> <extra>` with JSON messages, in the
/// workspace root, with the profile and target directory of the running
/// binary (see [`rust_plugin`]); returns cargo's messages and the command
/// as it is described in errors.
pub(crate) fn cargo_build(package: &str, extra: &[&str]) -> Result<(String, String), BuildError> {
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
        .args(extra)
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
    Ok((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        described,
    ))
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
}
