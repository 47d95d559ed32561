//! `docs/guide-your-interface.md`, run as written: every step of the guide in
//! an empty directory outside the repository, offline.
//!
//! The guide is the script. A fenced block preceded by one of these comments
//! is a step:
//!
//! - `<!-- tutorial: file PATH -->`: the block is written to PATH;
//! - `<!-- tutorial: replace PATH START -->`: in PATH, the function whose
//!   first line starts with START (after its indentation) is replaced by the
//!   block, up to the line that closes it at the same indentation;
//! - `<!-- tutorial: insert-before PATH ANCHOR -->`: the block goes right
//!   before the line of PATH that is ANCHOR (after trimming);
//! - `<!-- tutorial: run -->`: the block runs with `sh -e`, in the tutorial's
//!   directory, with this build's `tenon` first on PATH; it must succeed;
//! - `<!-- tutorial: output -->`: every line of the block must be a line
//!   (trimmed) of the previous run's stdout.
//!
//! `/path/to/tenon` in files and commands is the Tenon tree this test runs in. Cargo
//! projects of the tutorial share one target directory (a `target` symlink,
//! made before each run) so that the SDK crates are compiled once.

// The tests that build with toolchains run on Linux only; elsewhere the
// helpers they share are unused.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::path::{Path, PathBuf};
use std::process::Command;

use tenon_test_plugins::toolchain;

const GUIDE: &str = include_str!("../../../docs/guide-your-interface.md");

/// One step of the guide.
#[derive(Debug)]
enum Step {
    File {
        path: String,
        text: String,
    },
    Replace {
        path: String,
        start: String,
        text: String,
    },
    InsertBefore {
        path: String,
        anchor: String,
        text: String,
    },
    Run {
        script: String,
    },
    Output {
        lines: Vec<String>,
    },
}

/// The steps of `guide`, in order.
fn steps(guide: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(directive) = line
            .trim()
            .strip_prefix("<!-- tutorial:")
            .and_then(|d| d.strip_suffix("-->"))
        else {
            continue;
        };
        let fence = lines
            .next()
            .expect("a fenced block follows a tutorial comment");
        assert!(
            fence.starts_with("```"),
            "a fenced block must follow {line:?}"
        );
        let mut text = String::new();
        for body in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        let directive = directive.trim();
        let (verb, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        let (path, argument) = rest.split_once(' ').unwrap_or((rest, ""));
        let (path, argument) = (path.to_owned(), argument.trim().to_owned());
        steps.push(match verb {
            "file" => Step::File { path, text },
            "replace" => Step::Replace {
                path,
                start: argument,
                text,
            },
            "insert-before" => Step::InsertBefore {
                path,
                anchor: argument,
                text,
            },
            "run" => Step::Run { script: text },
            "output" => Step::Output {
                lines: text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            other => panic!("unknown tutorial step {other:?} in {line:?}"),
        });
    }
    steps
}

/// `source` with the function starting at the line beginning with `start`
/// replaced by `text`.
fn replace_function(source: &str, start: &str, text: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line starting with {start:?} in:\n{source}"));
    let indent = &lines[first][..lines[first].len() - lines[first].trim_start().len()];
    let closing = format!("{indent}}}");
    let last = (first..lines.len())
        .find(|&i| lines[i] == closing)
        .unwrap_or_else(|| panic!("{start:?} is not closed by {closing:?}"));
    let mut out: Vec<String> = lines[..first].iter().map(|l| (*l).to_owned()).collect();
    out.extend(text.lines().map(str::to_owned));
    out.extend(lines[last + 1..].iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

fn sdk_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_guide_parses_into_steps() {
    let steps = steps(GUIDE);
    let runs = steps
        .iter()
        .filter(|s| matches!(s, Step::Run { .. }))
        .count();
    assert!(runs >= 8, "{steps:?}");
    assert!(steps
        .iter()
        .any(|s| matches!(s, Step::Run { script } if script.contains("tenon check --interface"))));
    assert_eq!(
        replace_function(
            "a\n    fn f(x) {\n        old\n    }\n    fn g() {\n    }\n",
            "fn f(",
            "    fn f(y) {\n        new\n    }\n"
        ),
        "a\n    fn f(y) {\n        new\n    }\n    fn g() {\n    }\n"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_guide_runs_outside_the_tree() {
    for tool in ["cc", "make", "cargo", "cmake", "pkg-config"] {
        if !runs(tool) {
            toolchain::missing(
                tool,
                "the tutorial builds a C plugin, a Rust plugin, a Rust host and a C host",
            );
            return;
        }
    }
    if let Err(error) = tenon_bindgen::load_libclang() {
        toolchain::missing("libclang", &error.to_string());
        return;
    }

    let root = std::env::temp_dir().join(format!("tenon-tutorial-{}", std::process::id()));
    if root.exists() {
        std::fs::remove_dir_all(&root).unwrap();
    }
    std::fs::create_dir_all(&root).unwrap();
    assert!(
        !root.starts_with(sdk_root()),
        "the tutorial must run outside the Tenon tree"
    );
    let bin = root.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tenon"), bin.join("tenon")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let shared_target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tutorial-target");
    std::fs::create_dir_all(&shared_target).unwrap();
    let sdk = sdk_root();

    let mut last_stdout = String::new();
    for (index, step) in steps(GUIDE).into_iter().enumerate() {
        match step {
            Step::File { path, text } => {
                let file = root.join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                let text = text.replace("/path/to/tenon", &sdk.display().to_string());
                std::fs::write(file, text).unwrap();
            }
            Step::Replace { path, start, text } => {
                let file = root.join(&path);
                let source = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("step {index}: {path}: {e}"));
                std::fs::write(file, replace_function(&source, &start, &text)).unwrap();
            }
            Step::InsertBefore { path, anchor, text } => {
                let file = root.join(&path);
                let source = std::fs::read_to_string(&file).unwrap();
                let at = source
                    .lines()
                    .position(|l| l.trim() == anchor)
                    .unwrap_or_else(|| panic!("step {index}: no line {anchor:?} in {path}"));
                let mut lines: Vec<&str> = source.lines().collect();
                let inserted: Vec<&str> = text.lines().collect();
                lines.splice(at..at, inserted);
                std::fs::write(file, lines.join("\n") + "\n").unwrap();
            }
            Step::Run { script } => {
                let script = script.replace("/path/to/tenon", &sdk.display().to_string());
                // Cargo projects share one target directory.
                for entry in std::fs::read_dir(&root).unwrap() {
                    let dir = entry.unwrap().path();
                    if dir.join("Cargo.toml").is_file() && !dir.join("target").exists() {
                        std::os::unix::fs::symlink(&shared_target, dir.join("target")).unwrap();
                    }
                }
                let output = Command::new("sh")
                    .args(["-e", "-x", "-c", &script])
                    .current_dir(&root)
                    .env("PATH", &path)
                    .env("CARGO_NET_OFFLINE", "true")
                    .env_remove("TENON_SDK_DIR")
                    .env_remove("CARGO_TARGET_DIR")
                    // cargo test puts this workspace's target directories on
                    // the library path, where the stock libtenon.so would
                    // shadow the one the tutorial builds and links by rpath.
                    .env_remove("LD_LIBRARY_PATH")
                    .output()
                    .unwrap();
                last_stdout = String::from_utf8_lossy(&output.stdout).into_owned();
                assert!(
                    output.status.success(),
                    "step {index} failed ({}):\n{script}\nstdout:\n{last_stdout}\nstderr:\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            Step::Output { lines } => {
                let printed: Vec<&str> = last_stdout.lines().map(str::trim).collect();
                for line in lines {
                    assert!(
                        printed.contains(&line.as_str()),
                        "step {index}: {line:?} was not printed; stdout:\n{last_stdout}"
                    );
                }
            }
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
}
