//! What the `tenon` command's test files share: running the command as a
//! user does and reading what it printed.
#![allow(dead_code)] // each test file uses its own part of it

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `tenon` command built for these tests.
pub fn tenon() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tenon"))
}

/// Runs `tenon <args>`.
pub fn run(args: &[&str]) -> Output {
    tenon().args(args).output().expect("run tenon")
}

/// Runs `tenon <args> <path>`.
pub fn run_path(args: &[&str], path: &Path) -> Output {
    tenon().args(args).arg(path).output().expect("run tenon")
}

/// What the command printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Stdout as one JSON value, or a panic that shows it.
pub fn json(output: &Output) -> Value {
    serde_json::from_str(stdout(output).trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON value ({e}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// Stdout as exactly one JSON document on one line, or a panic that shows
/// it.
pub fn one_json_document(output: &Output) -> Value {
    let text = stdout(output);
    assert_eq!(
        text.lines().count(),
        1,
        "stdout is not one line:\n{text}\nstderr:\n{}",
        stderr(output)
    );
    serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{text}\nstderr:\n{}",
            stderr(output)
        )
    })
}

/// The check named `name` in a `check --json` report.
pub fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))
}

/// A fresh scratch directory for one test, under a directory named after
/// the test file (`dir` for `tests/<dir>.rs`).
pub fn scratch(dir: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
