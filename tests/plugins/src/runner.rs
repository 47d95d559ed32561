//! Building the runner isolated plugins run in (`tests/runner`).

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::BuildError;

/// Builds `tenon-test-runner` (a program whose `main` is
/// `tenon::isolation::init()`, linking the example interfaces) and returns
/// its path, to pass to `tenon::isolation::Isolation::runner`. Test
/// binaries need it: libtest owns their `main`, so they cannot be re-executed
/// as a plugin's child themselves. Built once per process, with the profile
/// and target directory of the running binary, as
/// [`rust_plugin`](crate::rust_plugin) does.
pub fn isolation_runner() -> Result<PathBuf, BuildError> {
    static RUNNER: OnceLock<Result<PathBuf, BuildError>> = OnceLock::new();
    RUNNER
        .get_or_init(|| match crate::prebuilt::manifest() {
            // The prebuilt runner has the default transport.
            Some(manifest) if !cfg!(feature = "macos-transport") => manifest.library(RUNNER_KEY),
            _ => build(),
        })
        .clone()
}

/// What the runner is known by in the list of prebuilt libraries
/// ([`crate::prebuild`]).
pub(crate) const RUNNER_KEY: &str = "runner/tenon-test-runner";

pub(crate) fn build() -> Result<PathBuf, BuildError> {
    const PACKAGE: &str = "tenon-test-runner";
    // The runner's transport must be the host's (the handshake refuses a
    // mismatch by name).
    let transport: &[&str] = if cfg!(feature = "macos-transport") {
        &["--features", "tenon/__macos-transport"]
    } else {
        &[]
    };
    let extra = [&["--bin", PACKAGE][..], transport].concat();
    let (stdout, described) = crate::rust::cargo_build(PACKAGE, &extra)?;
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or(BuildError::NoCdylib {
            package: PACKAGE.to_owned(),
            command: described,
        })
}
