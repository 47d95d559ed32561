//! The `tenon` command, run as a user runs it.
//!
//! - `tenon inspect --json` and `tenon check` on every example plugin of
//!   every language whose toolchain is installed
//!   (`tenon_test_plugins::try_all_examples`);
//! - `tenon inspect` and `tenon check` on malformed fixtures: exit status 1,
//!   the error's kind, and a report that says what is wrong;
//! - `tenon new` in every language, for every example interface: the
//!   project builds with the language's usual tool and passes `tenon check`,
//!   and the C and C++ projects also build against an installed SDK once
//!   their copies of its headers are deleted, and a Zig project made with
//!   `--sdk PREFIX` builds with the installed Zig package.
//!
//! A tool a test needs that is not installed (make, a C or C++ compiler,
//! cmake, zig) is reported on stderr as `TOOLCHAIN MISSING: ...` and that
//! part is skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a
//! failure. Under Wine (`scripts/test-windows.sh`) every compiler is
//! missing: the `tenon new` builds are skipped, the rest runs.

// The tests that build with toolchains run on Linux only; elsewhere the
// helpers they share are unused.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;
use tenon_test_plugins::toolchain::missing as toolchain_missing;
use tenon_test_plugins::{c_fixture, c_plugin, rust_plugin, try_all_examples};

/// Where this file's tests make their scratch directories.
const SCRATCH: &str = "tenon-cli";

/// How a report says a child crashed: by a signal, or on Windows by an
/// exception.
#[cfg(not(windows))]
const CRASH: &str = "signal";
#[cfg(windows)]
const CRASH: &str = "exception";

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

// ---------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------

#[test]
fn help_names_every_command_and_the_exit_statuses() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    for word in ["inspect", "check", "new", "Exit status"] {
        assert!(help.contains(word), "{word:?} not in:\n{help}");
    }
    assert!(
        !help.contains("__check-step"),
        "the internal step is hidden"
    );
    for command in ["inspect", "check", "new"] {
        let output = run(&[command, "--help"]);
        assert!(output.status.success(), "{command} --help");
        assert!(stdout(&output).contains("Usage: tenon"), "{command} --help");
    }
    assert!(stdout(&run(&["new", "--help"])).contains("greeter"));
}

#[test]
fn usage_errors_exit_with_status_2() {
    for args in [
        &[][..],
        &["inspect"],
        &["frobnicate"],
        &["check", "--no-such-flag", "x"],
        &["new", "p"],
        &["new", "p", "--lang", "cobol"],
        &["new", "p", "--lang", "c", "--interface", "nope"],
        &["new", "Not-A-Name", "--lang", "c"],
        // A deadline of 0 s cannot be met: refused rather than read as 1 s.
        &["inspect", "--timeout", "0", "x"],
        &["check", "--timeout", "0", "x"],
        &["check", "--total-timeout", "0", "x"],
        &["check", "--timeout", "1.5", "x"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "tenon {args:?}");
        assert!(!stderr(&output).is_empty(), "tenon {args:?} says why");
    }
}

/// A reader that goes away (`tenon check PATH | head -1`) neither panics
/// `tenon` nor changes its exit status: the output has nowhere to go, the
/// verdict still does.
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_no_panic_and_keeps_the_exit_status() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;

    let dir = scratch(SCRATCH, "closed-stdout");
    let missing = dir.join("missing.so").display().to_string();
    let project = dir.join("p").display().to_string();
    let cases: [(&[&str], i32); 5] = [
        (&["check", &missing], 1),
        (&["check", "--json", &missing], 1),
        (&["inspect", "--json", &missing], 1),
        (&["new", "p", "--lang", "c", "--dir", &project], 0),
        (&["--version"], 0),
    ];
    for (args, status) in cases {
        // The reader is closed before `tenon` starts, so every write to
        // stdout fails with EPIPE, deterministically.
        let (writer, reader) = UnixStream::pair().unwrap();
        drop(reader);
        let output = tenon()
            .args(args)
            .stdout(Stdio::from(OwnedFd::from(writer)))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let message = stderr(&output);
        assert!(!message.contains("panicked"), "tenon {args:?}: {message}");
        assert_eq!(
            output.status.code(),
            Some(status),
            "tenon {args:?}: {message}"
        );
    }
    assert!(
        dir.join("p/src/plugin.c").is_file(),
        "the project is written"
    );
}

/// A closed stderr (its reader gone) neither panics `tenon` nor changes its
/// exit status: the error message has nowhere to go, the status still says
/// what happened.
#[cfg(unix)]
#[test]
fn a_closed_stderr_is_no_panic_and_keeps_the_exit_status() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;

    let dir = scratch(SCRATCH, "closed-stderr");
    let missing = dir.join("missing.so").display().to_string();
    let header = dir.join("missing.h").display().to_string();
    let output = dir.join("out.rs").display().to_string();
    let cases: [(&[&str], i32); 4] = [
        (&["inspect", &missing], 1),
        (&["new", "bad name", "--lang", "c"], 2),
        (&["bindgen", &header, "-o", &output], 2),
        (&["no-such-command"], 2),
    ];
    for (args, status) in cases {
        // The reader is closed before `tenon` starts, so every write to
        // stderr fails with EPIPE, deterministically.
        let (writer, reader) = UnixStream::pair().unwrap();
        drop(reader);
        let output = tenon()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(OwnedFd::from(writer)))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(status), "tenon {args:?}");
    }
}

// ---------------------------------------------------------------------------
// inspect and check on every example plugin
// ---------------------------------------------------------------------------

#[test]
fn inspect_json_describes_every_example_plugin() {
    let examples = try_all_examples().expect("the example plugins build");
    assert!(examples.len() >= 4, "{examples:?}");
    for example in examples {
        let output = run_path(&["inspect", "--json"], &example.path);
        assert!(output.status.success(), "{example:?}: {}", stderr(&output));
        let value = json(&output);
        assert_eq!(
            keys(&value),
            [
                "path",
                "name",
                "version",
                "description",
                "abi",
                "thread_safe",
                "interfaces"
            ],
            "{example:?}"
        );
        assert_eq!(keys(&value["abi"]), ["major", "minor"]);
        assert_eq!(value["abi"]["major"], 1);
        assert_eq!(value["name"], example.name, "{example:?}");
        let plugin = tenon::Plugin::load(&example.path).unwrap();
        let info = plugin.info();
        assert_eq!(value["path"], info.path.display().to_string());
        assert_eq!(value["version"], info.version.to_string());
        assert_eq!(value["thread_safe"], info.thread_safe());
        let interfaces = value["interfaces"].as_array().unwrap();
        assert_eq!(interfaces.len(), info.interfaces.len());
        for (json, info) in interfaces.iter().zip(&info.interfaces) {
            assert_eq!(
                keys(json),
                ["id", "version", "vtable_size", "slots", "revision"]
            );
            assert_eq!(json["id"], info.id);
            assert_eq!(json["version"], info.version);
            assert_eq!(json["vtable_size"], info.vtable_size);
            // ABI.md: `uint32_t struct_size`, then pointers from the first
            // pointer-aligned offset.
            let pointer = std::mem::size_of::<usize>();
            let slots = (info.vtable_size as usize - pointer) / pointer;
            assert!(slots >= 1, "{example:?}: {json}");
            assert_eq!(json["slots"], slots, "{example:?}");
            // Every example interface (and org.tenon.state) is known here,
            // and has only revision 1 so far.
            assert_eq!(json["revision"], 1, "{example:?}: {json}");
        }
        assert!(
            interfaces.iter().any(|i| i["id"] == example.interface),
            "{example:?} offers its interface: {value}"
        );
    }
}

#[test]
fn inspect_text_shows_the_metadata() {
    let output = run_path(&["inspect"], &c_plugin("greeter"));
    assert!(output.status.success());
    let text = stdout(&output);
    for expected in [
        "greeter-c 1.0.0",
        "ABI:         1.0",
        "thread-safe: yes",
        "TENON_PLUGIN_THREAD_SAFE",
        "org.tenon.example.greeter  version 1  vtable 16 bytes (1 method slot)  revision 1\n",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

/// docs/cli.md, `tenon inspect`: the slots a vtable holds are counted for
/// any interface; the revision is named only for an interface known here at
/// the version known here, whose vtable holds revision 1.
#[test]
fn inspect_counts_slots_and_names_a_known_interfaces_revision() {
    let pointer = std::mem::size_of::<usize>();
    for (stem, id, slots, text) in [
        // Not known here: two slots (greet and revision 2's farewell), no
        // revision.
        ("evolve_r2", "org.tenon.test.evolve", 2, "(2 method slots)"),
        ("evolve_r1", "org.tenon.test.evolve", 1, "(1 method slot)"),
        // Known, at a version not known here.
        (
            "greeter_v2",
            "org.tenon.example.greeter",
            1,
            "(1 method slot)",
        ),
        // Known, but short of revision 1 (a host refuses it with
        // vtable_too_small).
        (
            "vtable_too_small",
            "org.tenon.example.greeter",
            0,
            "(0 method slots)",
        ),
    ] {
        let path = c_fixture(stem);
        let output = run_path(&["inspect", "--json"], &path);
        assert!(output.status.success(), "{stem}: {}", stderr(&output));
        let value = json(&output);
        let interface = &value["interfaces"][0];
        assert_eq!(interface["id"], id, "{stem}");
        assert_eq!(interface["slots"], slots, "{stem}: {interface}");
        assert!(interface["revision"].is_null(), "{stem}: {interface}");
        let size = interface["vtable_size"].as_u64().unwrap() as usize;
        assert_eq!(size.saturating_sub(pointer) / pointer, slots, "{stem}");

        let output = run_path(&["inspect"], &path);
        assert!(output.status.success(), "{stem}");
        let shown = stdout(&output);
        let line = shown
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("{id}  version")))
            .unwrap_or_else(|| panic!("{stem}: no line for {id}:\n{shown}"));
        assert!(line.ends_with(text), "{text:?} does not end {line:?}");
        assert!(!line.contains("revision"), "{stem}: {line}");
    }
}

#[test]
fn check_passes_on_every_example_plugin() {
    let examples = try_all_examples().expect("the example plugins build");
    for example in examples {
        let output = run_path(&["check"], &example.path);
        assert!(
            output.status.success(),
            "{example:?}:\n{}{}",
            stdout(&output),
            stderr(&output)
        );
        let text = stdout(&output);
        let probe = format!("PASS  probe:{}", example.interface);
        assert!(text.contains(&probe), "{probe:?} not in:\n{text}");
        assert!(text.contains("OK: every check passed"), "{text}");

        let output = run_path(&["check", "--json"], &example.path);
        assert!(output.status.success());
        let report = json(&output);
        assert_eq!(report["passed"], true, "{report}");
        assert_eq!(report["summary"]["failed"], 0);
        assert_eq!(report["plugin"]["name"], example.name);
        let names: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        for expected in ["load", "interfaces", "lifecycle", "threads", "reload"] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Bad plugins
// ---------------------------------------------------------------------------

#[test]
fn inspect_on_a_bad_plugin_exits_1_with_the_error_kind() {
    let cases: [(PathBuf, &str); 6] = [
        (PathBuf::from("/nonexistent/libx.so"), "file_not_found"),
        (c_fixture("not_a_library"), "not_a_library"),
        (c_fixture("no_entry"), "missing_entry"),
        (c_fixture("abi_v2"), "abi_mismatch"),
        (c_fixture("not_semver"), "invalid_version"),
        (
            c_fixture("interface_duplicate_id"),
            "invalid_interface_table",
        ),
    ];
    for (path, kind) in cases {
        let output = run_path(&["inspect", "--json"], &path);
        assert_eq!(output.status.code(), Some(1), "{}", path.display());
        let value = json(&output);
        assert_eq!(keys(&value), ["error"]);
        assert_eq!(keys(&value["error"]), ["kind", "message"]);
        assert_eq!(value["error"]["kind"], kind, "{}", path.display());
        assert!(!value["error"]["message"].as_str().unwrap().is_empty());

        let output = run_path(&["inspect"], &path);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains(&format!("error[{kind}]")),
            "{}",
            stderr(&output)
        );
    }
}

/// A fixture `tenon check` must fail: the check that fails, words its
/// report line must contain, and the error kind it reports, if any.
struct Failing {
    path: PathBuf,
    check: &'static str,
    words: &'static [&'static str],
    kind: Option<&'static str>,
    extra_args: &'static [&'static str],
}

fn failing(
    path: PathBuf,
    check: &'static str,
    words: &'static [&'static str],
    kind: Option<&'static str>,
) -> Failing {
    Failing {
        path,
        check,
        words,
        kind,
        extra_args: &[],
    }
}

#[test]
fn check_fails_with_a_useful_report_on_bad_plugins() {
    let cases = [
        failing(
            c_fixture("no_entry"),
            "load",
            &["tenon_plugin_v1", "hint:"],
            Some("missing_entry"),
        ),
        failing(
            c_fixture("abi_v2"),
            "load",
            &["ABI 2.x"],
            Some("abi_mismatch"),
        ),
        failing(
            c_fixture("not_a_library"),
            "load",
            &["text file"],
            Some("not_a_library"),
        ),
        failing(
            c_fixture("interface_count_too_small"),
            "load",
            &["NULL terminator"],
            Some("invalid_interface_table"),
        ),
        failing(
            c_fixture("null_name"),
            "load",
            &["`name` is NULL"],
            Some("invalid_metadata"),
        ),
        failing(
            c_fixture("null_slot"),
            "interfaces",
            &["[null_slot]", "greet"],
            Some("null_slot"),
        ),
        failing(
            c_fixture("vtable_too_small"),
            "interfaces",
            &["[vtable_too_small]"],
            Some("vtable_too_small"),
        ),
        failing(
            c_fixture("crash_in_greet"),
            "probe:org.tenon.example.greeter",
            &["crashed", CRASH, "greet(<a 64 KiB name>)"],
            Some("crashed"),
        ),
        Failing {
            extra_args: &["--timeout", "2"],
            ..failing(
                c_fixture("hang_in_greet"),
                "probe:org.tenon.example.greeter",
                &["timed out after 2 s", "greet(<a 64 KiB name>)"],
                Some("timed_out"),
            )
        },
    ];
    for case in &cases {
        let path = case.path.display();
        // Text: the failing check's line says what is wrong.
        let output = tenon()
            .arg("check")
            .args(case.extra_args)
            .arg(&case.path)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{path}:\n{}",
            stdout(&output)
        );
        let text = stdout(&output);
        let line = text
            .lines()
            .find(|l| l.contains("FAIL") && l.contains(&format!(" {} ", case.check)))
            .unwrap_or_else(|| panic!("{path}: no FAIL line for {}:\n{text}", case.check));
        let report_from_line = &text[text.find(line).unwrap()..];
        for word in case.words {
            assert!(
                report_from_line.contains(word),
                "{path}: {word:?} not in the report:\n{text}"
            );
        }
        if let Some(kind) = case.kind {
            assert!(line.contains(&format!("[{kind}]")), "{path}: {line}");
        }
        assert!(text.contains("FAILED:"), "{text}");
        // JSON: the same, for machines.
        let output = tenon()
            .args(["check", "--json"])
            .args(case.extra_args)
            .arg(&case.path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let report = json(&output);
        assert_eq!(report["passed"], false);
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == case.check)
            .unwrap_or_else(|| panic!("{path}: no check {} in {report}", case.check));
        assert_eq!(check["status"], "fail", "{path}: {check}");
        if let Some(kind) = case.kind {
            assert_eq!(check["error"]["kind"], kind, "{path}: {check}");
        }
    }
}

/// `not_a_library` covers a directory too, where the usual hint (build a
/// shared library) would send the user the wrong way: the hint says to give
/// the library's file.
#[test]
fn check_on_a_directory_hints_at_the_path_not_at_the_build() {
    let dir = scratch(SCRATCH, "a-directory");
    let output = run_path(&["check", "--json"], &dir);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let load = &report["checks"][0];
    assert_eq!(load["name"], "load", "{report}");
    assert_eq!(load["error"]["kind"], "not_a_library", "{report}");
    let hint = load["details"][0].as_str().unwrap_or_default();
    assert!(
        hint.contains("not of a directory") && !hint.contains("-shared"),
        "{report}"
    );
}

/// A library whose own headers are fine but which needs a library that is
/// gone is `not_a_library` too; the hint names the dependency, not the
/// build of the plugin as a shared library, which it already is.
#[cfg(target_os = "linux")]
#[test]
fn check_on_a_library_missing_a_dependency_hints_at_the_dependency() {
    let cc = compiler_from_env("CC", "cc");
    if !have(
        &[&cc],
        "a C compiler builds the library and the one it needs",
    ) {
        return;
    }
    let dir = scratch(SCRATCH, "missing-dependency");
    std::fs::write(dir.join("dep.c"), "int dep(void) { return 2; }\n").unwrap();
    std::fs::write(dir.join("lib.c"), "int f(void) { return 1; }\n").unwrap();
    let dep = dir.join("libtenon_gone_dep.so");
    build(
        &dir,
        &cc,
        &["-shared", "-fPIC", "dep.c", "-o", dep.to_str().unwrap()],
        &[],
    );
    build(
        &dir,
        &cc,
        &[
            "-shared",
            "-fPIC",
            "lib.c",
            "-Wl,--no-as-needed",
            "-L.",
            "-ltenon_gone_dep",
            "-o",
            "libneeds_dep.so",
        ],
        &[],
    );
    std::fs::remove_file(&dep).unwrap();
    for args in [&["check", "--json"][..], &["check", "--json", "--isolated"]] {
        let output = run_path(args, &dir.join("libneeds_dep.so"));
        assert_eq!(output.status.code(), Some(1), "tenon {args:?}");
        let report = json(&output);
        let load = &report["checks"][0];
        assert_eq!(load["error"]["kind"], "not_a_library", "{report}");
        let message = load["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("libtenon_gone_dep.so"), "{message}");
        let hint = load["details"][0].as_str().unwrap_or_default();
        assert!(
            hint.contains("a library it needs") && !hint.contains("-shared"),
            "tenon {args:?}: {hint}"
        );
    }
}

/// The dynamic loader's refusal of an executable names the file once, and
/// never by the private `/proc/self/fd/N` name an isolated load opens it
/// under. `tenon` itself is the executable (a PIE, which glibc refuses).
#[cfg(target_os = "linux")]
#[test]
fn a_refused_executable_is_named_once_by_its_own_path() {
    let exe = Path::new(env!("CARGO_BIN_EXE_tenon"));
    for args in [
        &["inspect", "--json"][..],
        &["check", "--json"],
        &["check", "--json", "--isolated"],
    ] {
        let output = run_path(args, exe);
        assert_eq!(output.status.code(), Some(1), "tenon {args:?}");
        let report = json(&output);
        let error = if args[0] == "inspect" {
            &report["error"]
        } else {
            &report["checks"][0]["error"]
        };
        assert_eq!(error["kind"], "not_a_library", "tenon {args:?}: {report}");
        let message = error["message"].as_str().unwrap_or_default();
        let reason = message
            .split_once("not a loadable shared library: ")
            .map(|(_, reason)| reason);
        assert_eq!(
            reason.map(|r| r.starts_with("cannot dynamically load")),
            Some(true),
            "tenon {args:?}: {message}"
        );
    }
}

/// A build that offers one id at two versions (`evolve_v1_v2.c`,
/// `evolve-v1-v2-rust`, `evolve_v1_v2_cpp.cpp`, the Zig `evolve_v1_v2`), checked with the header of each version: each
/// version has a methods step of its own, `methods:ID@vN`, that calls its
/// own methods (version 1's two, version 2's one); `tenon inspect` lists
/// both entries with the revision its header names.
#[cfg(target_os = "linux")]
#[test]
fn check_and_inspect_take_each_version_a_build_offers() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/include");
    let version_1 = include.join("tenon_test/evolve.h");
    let version_2 = include.join("tenon_test/evolve_v2.h");
    let (version_1, version_2) = (version_1.to_str().unwrap(), version_2.to_str().unwrap());
    let headers = ["--interface", version_1, "--interface", version_2];
    let mut libraries = vec![
        c_fixture("evolve_v1_v2"),
        rust_plugin("evolve-v1-v2-rust").expect("the Rust fixture builds"),
    ];
    match tenon_test_plugins::cpp_toolchain() {
        Ok(()) => libraries.push(tenon_test_plugins::cpp_fixture("evolve_v1_v2_cpp")),
        Err(error) => toolchain_missing("c++", &error.to_string()),
    }
    match tenon_test_plugins::zig_fixture("evolve_v1_v2") {
        Ok(path) => libraries.push(path),
        Err(error @ tenon_test_plugins::BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &error.to_string())
        }
        Err(error) => panic!("the Zig fixture does not build: {error}"),
    }
    for library in libraries {
        let what = library.display().to_string();
        let output = run_path(&[&["check", "--json"][..], &headers].concat(), &library);
        let report = json(&output);
        assert_eq!(output.status.code(), Some(0), "{what}: {report}");
        let step = |name: &str| {
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
                .unwrap_or_else(|| panic!("{what}: no check {name} in {report}"))
                .clone()
        };
        for (name, calls) in [
            ("methods:org.tenon.test.evolve@v1", "2 methods called"),
            ("methods:org.tenon.test.evolve@v2", "1 method called"),
        ] {
            let step = step(name);
            assert_eq!(step["status"], "pass", "{what}: {step}");
            assert!(
                step["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(calls),
                "{what}: {step}"
            );
        }
        let interfaces = step("interfaces");
        assert_eq!(
            interfaces["summary"], "2 of 2 interfaces resolved with every method present",
            "{what}: {interfaces}"
        );
        assert_eq!(interfaces["warnings"].as_array().map_or(0, Vec::len), 0);

        let output = run_path(&[&["inspect", "--json"][..], &headers].concat(), &library);
        assert_eq!(output.status.code(), Some(0), "{what}");
        let plugin = json(&output);
        let mut offered: Vec<(String, u64)> = plugin["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["id"].as_str().unwrap().to_owned(),
                    i["version"].as_u64().unwrap(),
                )
            })
            .collect();
        // In the table's order, which differs between the fixtures.
        offered.sort_unstable();
        assert_eq!(
            offered,
            [
                ("org.tenon.test.evolve".to_owned(), 1),
                ("org.tenon.test.evolve".to_owned(), 2)
            ],
            "{what}: {plugin}"
        );
    }
}

/// A two-version build whose version 1 has a NULL slot: `interfaces`
/// fails for version 1 only, so `methods:…@v1` is skipped while
/// `methods:…@v2` still calls version 2's methods (cli.md: a probe or
/// methods check is skipped when its interface, at that version, failed).
#[cfg(target_os = "linux")]
#[test]
fn check_goes_on_with_the_version_that_passed() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/include");
    let version_1 = include.join("tenon_test/evolve.h");
    let version_2 = include.join("tenon_test/evolve_v2.h");
    let library = tenon_test_plugins::c_fixture_variant(
        "evolve_v1_v2",
        &tenon_test_plugins::Variant::new().flag("-DEVOLVE_NULL_V1_FAREWELL"),
    )
    .expect("the variant builds");
    let output = run_path(
        &[
            "check",
            "--json",
            "--interface",
            version_1.to_str().unwrap(),
            "--interface",
            version_2.to_str().unwrap(),
        ],
        &library,
    );
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    let status = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name} in {report}"))
            .clone()
    };
    let interfaces = status("interfaces");
    assert_eq!(interfaces["status"], "fail", "{interfaces}");
    assert_eq!(interfaces["error"]["kind"], "null_slot", "{interfaces}");
    assert!(
        interfaces["summary"]
            .as_str()
            .unwrap_or_default()
            .ends_with("unusable: org.tenon.test.evolve v1"),
        "{interfaces}"
    );
    assert_eq!(status("methods:org.tenon.test.evolve@v1")["status"], "skip");
    let v2 = status("methods:org.tenon.test.evolve@v2");
    assert_eq!(v2["status"], "pass", "{v2}");
}

/// docs/cli.md with its line breaks and indentation folded into single
/// spaces, to look for a phrase that may be wrapped.
fn cli_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `tenon check --interface HEADER` on the widget fixtures: each failure
/// carries its kind in `error`, and every such kind is one docs/cli.md
/// names for scripts to branch on. A header describing an interface the
/// plugin does not offer is a documented warning.
#[cfg(target_os = "linux")]
#[test]
fn check_with_a_header_reports_documented_kinds_and_warnings() {
    let docs = cli_md();
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/acme_widget.h");
    let header = header.to_str().unwrap();
    for (fixture, check, kind) in [
        ("widget", "methods:com.acme.widget", None),
        (
            "widget_unknown_status",
            "methods:com.acme.widget",
            Some("unknown_status"),
        ),
        (
            "widget_invalid_utf8",
            "methods:com.acme.widget",
            Some("invalid_output"),
        ),
        (
            "widget_crash_on_empty",
            "methods:com.acme.widget",
            Some("crashed"),
        ),
        ("widget_null_slot", "interfaces", Some("null_slot")),
    ] {
        let output = run_path(
            &["check", "--json", "--interface", header],
            &c_fixture(fixture),
        );
        let report = json(&output);
        let step = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == check)
            .unwrap_or_else(|| panic!("{fixture}: no check {check} in {report}"));
        match kind {
            None => {
                assert_eq!(output.status.code(), Some(0), "{fixture}: {report}");
                assert_eq!(step["status"], "pass", "{fixture}: {step}");
            }
            Some(kind) => {
                assert_eq!(output.status.code(), Some(1), "{fixture}: {report}");
                assert_eq!(step["status"], "fail", "{fixture}: {step}");
                assert_eq!(step["error"]["kind"], kind, "{fixture}: {step}");
                assert!(
                    docs.contains(&format!("`{kind}`")),
                    "docs/cli.md does not name the kind {kind}"
                );
            }
        }
    }

    let output = run_path(
        &["check", "--json", "--interface", header],
        &c_plugin("greeter"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    let warnings = report["checks"][1]["warnings"].to_string();
    assert!(
        warnings.contains("describes com.acme.widget, which the plugin does not offer"),
        "{report}"
    );
    assert!(
        docs.contains("header that describes an interface the plugin does not offer"),
        "docs/cli.md does not list the warning"
    );
}

#[test]
fn after_a_crash_check_goes_on_with_the_next_checks() {
    let output = run_path(&["check", "--json"], &c_fixture("crash_in_greet"));
    let report = json(&output);
    let statuses: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("load", "pass"),
            ("interfaces", "pass"),
            ("lifecycle", "pass"),
            ("probe:org.tenon.example.greeter", "fail"),
            ("threads", "pass"),
            ("reload", "pass"),
        ]
    );
}

#[test]
fn check_passes_on_plugins_that_are_odd_but_valid() {
    for fixture in ["newer_minor", "no_interfaces", "greeter_v2", "create_fails"] {
        let output = run_path(&["check"], &c_fixture(fixture));
        assert!(output.status.success(), "{fixture}:\n{}", stdout(&output));
    }
    // Not thread-safe: its instance is handed from thread to thread.
    let fragile = rust_plugin("panicking-rust").unwrap();
    let output = run_path(&["check", "--verbose"], &fragile);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("one instance called from 3 threads"),
        "{}",
        stdout(&output)
    );
}

/// The warnings of each check of `tenon check --json` on `library`, which
/// must pass.
fn warnings_by_check(library: &Path) -> Vec<(String, Vec<String>)> {
    let output = run_path(&["check", "--json"], library);
    assert!(output.status.success(), "{}", stdout(&output));
    let report = json(&output);
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|check| {
            let warnings = check["warnings"]
                .as_array()
                .expect("every check has warnings")
                .iter()
                .map(|w| w.as_str().expect("a warning is text").to_owned())
                .collect();
            (check["name"].as_str().expect("a name").to_owned(), warnings)
        })
        .collect()
}

#[test]
fn check_warns_about_extra_exports_and_unknown_interface_versions() {
    let clean = warnings_by_check(&c_plugin("greeter"));
    assert!(
        clean.iter().all(|(_, warnings)| warnings.is_empty()),
        "{clean:?}"
    );

    let exporting = warnings_by_check(&c_fixture("extra_exports"));
    let load = &exporting.iter().find(|(name, _)| name == "load").unwrap().1;
    assert_eq!(load.len(), 2, "{load:?}");
    for symbol in [
        "tenon_fixture_extra_function",
        "tenon_fixture_extra_variable",
    ] {
        assert!(
            load.iter()
                .any(|w| w.contains(symbol) && w.contains("hidden")),
            "{symbol} not warned about: {load:?}"
        );
    }

    let newer = warnings_by_check(&c_fixture("greeter_v2"));
    let interfaces = &newer
        .iter()
        .find(|(name, _)| name == "interfaces")
        .unwrap()
        .1;
    assert!(
        interfaces
            .iter()
            .any(|w| w.contains("org.tenon.example.greeter v2") && w.contains("version 1")),
        "{interfaces:?}"
    );
}

/// A library that, built as `variant`, stays mapped after unloading.
fn pinned(result: Result<PathBuf, tenon_test_plugins::BuildError>, tool: &str) -> Option<PathBuf> {
    match result {
        Ok(path) => Some(path),
        Err(error) if error.name() == "toolchain_missing" => {
            toolchain_missing(tool, &error.to_string());
            None
        }
        Err(error) => panic!("{error}"),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn check_warns_when_a_plugin_cannot_be_unloaded_with_the_reason_and_the_fix() {
    use tenon_test_plugins::{Compiler, Variant};

    let reload_warnings = |library: &Path| {
        warnings_by_check(library)
            .into_iter()
            .find(|(name, _)| name == "reload")
            .expect("a reload check")
            .1
    };
    assert_eq!(reload_warnings(&c_plugin("greeter")), Vec::<String>::new());

    if let Some(unique) = pinned(
        tenon_test_plugins::cpp_fixture_variant(
            "unique_static_cpp",
            &Variant::new()
                .without_version_script()
                .compiler(Compiler::Gcc),
        ),
        "g++",
    ) {
        let output = run_path(&["check"], &unique);
        let text = stdout(&output);
        assert!(output.status.success(), "a warning, not a failure:\n{text}");
        let warning = text
            .lines()
            .find(|line| line.contains("warning: the library cannot be unloaded"))
            .unwrap_or_else(|| panic!("no unload warning:\n{text}"));
        for words in [
            "STB_GNU_UNIQUE",
            "_ZZ9greetingsvE5count",
            "[unique_symbols]",
            "-fno-gnu-unique",
            "clang",
        ] {
            assert!(warning.contains(words), "{words:?} missing: {warning}");
        }
        assert!(
            text.contains("warnings)"),
            "counted in the verdict:\n{text}"
        );
    }

    if let Some(nodelete) = pinned(
        tenon_test_plugins::c_fixture_variant(
            "plain_greeter",
            &Variant::new().flag("-Wl,-z,nodelete"),
        ),
        "cc",
    ) {
        let warnings = reload_warnings(&nodelete);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("[nodelete]")
                && warnings[0].contains("do not link with -z nodelete"),
            "{warnings:?}"
        );
    }

    let tls = rust_plugin("tls-destructor-rust").unwrap();
    let warnings = reload_warnings(&tls);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("[thread_local_destructors]") && warnings[0].contains("thread_local!"),
        "{warnings:?}"
    );
    // A plugin with no thread_local! of its own is pinned the same way by a
    // thread it starts in create: the advice says so, or its author has
    // nothing to look for.
    assert!(warnings[0].contains("std::thread::spawn"), "{warnings:?}");
    // tenon check calls and unloads the plugin on its main thread: the
    // warning says that retry() cannot succeed before the process exits.
    assert!(
        warnings[0].contains(
            "this unload ran on the process's main thread, which exits only with the process"
        ) && warnings[0].contains("retry() cannot unload it before then"),
        "{warnings:?}"
    );
}

/// With `--isolated`, every load of the `reload` check starts a plugin
/// process and every unload ends it: the report says so rather than "in one
/// process", and its detail says what ending the process means.
#[cfg(target_os = "linux")]
#[test]
fn check_isolated_reload_says_each_cycle_had_a_process_of_its_own() {
    let output = run_path(&["check", "--json", "--isolated"], &c_plugin("greeter"));
    assert!(output.status.success(), "{}", stdout(&output));
    let report = json(&output);
    let reload = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "reload")
        .unwrap_or_else(|| panic!("a reload check: {report}"));
    let summary = reload["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("each in a plugin process of its own") && !summary.contains("one process"),
        "{summary}"
    );
    assert_eq!(
        reload["details"][0],
        "every unload ended the plugin's process, and everything it had loaded with it",
        "{reload}"
    );
}

#[test]
fn check_in_process_gives_the_same_verdicts() {
    let good = run_path(&["check", "--in-process"], &c_plugin("processor"));
    assert!(good.status.success(), "{}", stdout(&good));
    let bad = run_path(&["check", "--in-process"], &c_fixture("null_slot"));
    assert_eq!(bad.status.code(), Some(1));
}

// ---------------------------------------------------------------------------
// tenon new
// ---------------------------------------------------------------------------

const INTERFACES: [&str; 3] = ["greeter", "kv", "processor"];

/// Whether `program --version` runs; if not, reports it as missing.
fn have(program: &[&str], why: &str) -> bool {
    let ok = Command::new(program[0])
        .args(&program[1..])
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        toolchain_missing(program[0], why);
    }
    ok
}

/// Runs a build command in `dir`, failing the test with its output.
fn build(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &Path)]) {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "`{program} {}` failed in {}:\n{}{}",
        args.join(" "),
        dir.display(),
        stdout(&output),
        stderr(&output)
    );
}

/// `tenon new <lang>-<interface> --lang <lang> --interface <interface>` in
/// `parent`; returns the project's directory and the library `tenon new`
/// says the build makes.
fn new_project(parent: &Path, lang: &str, interface: &str) -> (PathBuf, String) {
    let name = format!("my-{lang}-{interface}");
    let output = tenon()
        .args(["new", &name, "--lang", lang, "--interface", interface])
        .current_dir(parent)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "tenon new {name}: {}",
        stderr(&output)
    );
    let text = stdout(&output);
    let library = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("tenon check "))
        .unwrap_or_else(|| panic!("tenon new says how to check:\n{text}"))
        .to_owned();
    (parent.join(&name), library)
}

/// Runs `tenon check` on `library` and requires every check, the
/// interface's probe included, to pass; a kv must also hand its state over
/// for hot reload (`probe:org.tenon.state`), as the kv examples do.
fn assert_check_passes(library: &Path, interface: &str) {
    assert!(library.is_file(), "{} was not built", library.display());
    let output = run_path(&["check"], library);
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "{}:\n{text}{}",
        library.display(),
        stderr(&output)
    );
    assert!(
        text.contains(&format!("PASS  probe:org.tenon.example.{interface}")),
        "{text}"
    );
    if interface == "kv" {
        assert!(
            text.contains("PASS  probe:org.tenon.state"),
            "a kv project offers org.tenon.state for hot reload:\n{text}"
        );
    }
}

/// The compiler named by the environment variable `var` (`CC`, `CXX`), as
/// make and cmake pick it, else `default`.
fn compiler_from_env(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|compiler| !compiler.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

#[test]
fn new_c_projects_build_with_make_and_pass_check() {
    let cc = compiler_from_env("CC", "cc");
    if !have(&["make"], "builds `tenon new --lang c` projects") || !have(&[&cc], "C compiler") {
        return;
    }
    let dir = scratch(SCRATCH, "new_c");
    for interface in INTERFACES {
        let (project, library) = new_project(&dir, "c", interface);
        build(&project, "make", &[], &[]);
        assert_check_passes(&project.join(library), interface);
    }
}

/// A C project cross-compiled for Windows on Linux
/// (`make CC=x86_64-w64-mingw32-gcc`) builds `build/<name>.dll`, a PE file
/// (before, its Makefile named the DLL `build/lib<name>.so`).
#[cfg(target_os = "linux")]
#[test]
fn new_c_project_cross_compiles_to_a_dll_with_mingw() {
    let cc = "x86_64-w64-mingw32-gcc";
    if !have(&["make"], "builds `tenon new --lang c` projects")
        || !have(
            &[cc],
            "cross-compiles `tenon new --lang c` projects for Windows",
        )
    {
        return;
    }
    let dir = scratch(SCRATCH, "new_c_mingw");
    let (project, _) = new_project(&dir, "c", "greeter");
    build(&project, "make", &[&format!("CC={cc}")], &[]);
    let dll = project.join("build/my-c-greeter.dll");
    let bytes = std::fs::read(&dll).unwrap_or_else(|e| panic!("no {}: {e}", dll.display()));
    assert!(
        bytes.starts_with(b"MZ"),
        "{} is not a PE file",
        dll.display()
    );
    assert!(!project.join("build/libmy-c-greeter.so").exists());
}

/// A C project cross-compiled for macOS on Linux (`make CC="zig cc -target
/// aarch64-macos"`) builds `build/lib<name>.dylib`, a Mach-O file of that
/// architecture (before, its Makefile took macOS from `uname`, the system
/// make runs on, and named it `.so`).
#[cfg(target_os = "linux")]
#[test]
fn new_c_project_cross_compiles_to_a_dylib_with_zig_cc() {
    let Some(zig) = zig() else {
        toolchain_missing(
            "zig",
            "cross-compiles `tenon new --lang c` projects for macOS; `pip install ziglang` \
             provides it",
        );
        return;
    };
    if !have(&["make"], "builds `tenon new --lang c` projects") {
        return;
    }
    let dir = scratch(SCRATCH, "new_c_macos");
    let (project, _) = new_project(&dir, "c", "greeter");
    // Mach-O 64-bit magic, then the CPU type (little-endian).
    for (target, cpu) in [
        ("aarch64-macos", 0x0100_000c_u32),
        ("x86_64-macos", 0x0100_0007),
    ] {
        let cc = format!("{} cc -target {target}", zig.join(" "));
        build(&project, "make", &["clean"], &[]);
        build(&project, "make", &[&format!("CC={cc}")], &[]);
        let dylib = project.join("build/libmy-c-greeter.dylib");
        let bytes = std::fs::read(&dylib)
            .unwrap_or_else(|e| panic!("{target}: no {}: {e}", dylib.display()));
        assert!(
            bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) && bytes[4..8] == cpu.to_le_bytes(),
            "{target}: {} is not a Mach-O library of that CPU",
            dylib.display()
        );
        assert!(
            !project.join("build/libmy-c-greeter.so").exists(),
            "{target}"
        );
    }
}

/// A C++ project cross-compiled for Windows on Linux with MinGW's g++ (a
/// CMake toolchain file, as guide-c.md shows) builds a DLL that imports
/// no DLL of the C++ runtime: Windows would look for those beside the host
/// program, not beside the plugin (before, it imported libstdc++-6.dll and
/// libgcc_s_seh-1.dll).
#[cfg(target_os = "linux")]
#[test]
fn new_cpp_project_cross_compiled_with_mingw_links_the_cpp_runtime_in() {
    let (cc, cxx, objdump) = (
        "x86_64-w64-mingw32-gcc",
        "x86_64-w64-mingw32-g++",
        "x86_64-w64-mingw32-objdump",
    );
    let why = "cross-compiles `tenon new --lang cpp` projects for Windows";
    if !have(&["cmake"], why) || !have(&[cxx], why) || !have(&[objdump], why) {
        return;
    }
    let dir = scratch(SCRATCH, "new_cpp_mingw");
    let (project, _) = new_project(&dir, "cpp", "greeter");
    let toolchain = dir.join("mingw-w64.cmake");
    std::fs::write(
        &toolchain,
        format!(
            "set(CMAKE_SYSTEM_NAME Windows)\nset(CMAKE_C_COMPILER {cc})\n\
             set(CMAKE_CXX_COMPILER {cxx})\n"
        ),
    )
    .unwrap();
    build(
        &project,
        "cmake",
        &[
            "-S",
            ".",
            "-B",
            "build-windows",
            &format!("-DCMAKE_TOOLCHAIN_FILE={}", toolchain.display()),
        ],
        &[],
    );
    build(&project, "cmake", &["--build", "build-windows"], &[]);
    // MinGW's CMake names it lib*.dll (cli.md).
    let dll = project.join("build-windows/libmy-cpp-greeter.dll");
    let output = Command::new(objdump).arg("-p").arg(&dll).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let dump = stdout(&output);
    let imports: Vec<String> = dump
        .lines()
        .filter_map(|line| line.trim().strip_prefix("DLL Name:"))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    assert!(
        imports.iter().any(|name| name == "kernel32.dll"),
        "{imports:?}"
    );
    assert!(
        !imports
            .iter()
            .any(|name| ["libstdc++", "libgcc", "libwinpthread"]
                .iter()
                .any(|runtime| name.starts_with(runtime))),
        "{} imports MinGW's C++ runtime: {imports:?}",
        dll.display()
    );
}

#[test]
fn new_rust_projects_build_with_cargo_and_pass_check() {
    let dir = scratch(SCRATCH, "new_rust");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Under Wine, cargo is a Linux program this test cannot start.
    if !have(&[&cargo], "builds `tenon new --lang rust` projects") {
        return;
    }
    // One target directory for the three, so the SDK crates build once.
    let target = dir.join("target");
    for interface in INTERFACES {
        let (project, library) = new_project(&dir, "rust", interface);
        build(
            &project,
            &cargo,
            &["build", "--quiet"],
            &[("CARGO_TARGET_DIR", &target)],
        );
        let library = library
            .strip_prefix("target/")
            .expect("a Rust library is under target/");
        assert_check_passes(&target.join(library), interface);
    }
}

#[test]
fn new_cpp_projects_build_with_cmake_and_pass_check() {
    let cxx = compiler_from_env("CXX", "c++");
    if !have(&["cmake"], "builds `tenon new --lang cpp` projects") || !have(&[&cxx], "C++ compiler")
    {
        return;
    }
    let dir = scratch(SCRATCH, "new_cpp");
    for interface in INTERFACES {
        let (project, library) = new_project(&dir, "cpp", interface);
        build(&project, "cmake", &["-S", ".", "-B", "build"], &[]);
        build(&project, "cmake", &["--build", "build"], &[]);
        assert_check_passes(&project.join(library), interface);
    }
}

/// Generated C and C++ projects whose copies of the SDK headers
/// (`include/tenon/`) are deleted build against an SDK installed from
/// `sdk-c/` into a fresh prefix (without the example interfaces, so the
/// interface header still comes from the project's `include/`), found by
/// pkg-config (`PKG_CONFIG_PATH`) and CMake (`CMAKE_PREFIX_PATH`), and pass
/// `tenon check`; a Zig project made with `--sdk PREFIX` carries no
/// `sdk-zig/`, builds with the prefix's Zig package and passes too.
#[test]
fn new_projects_build_against_an_installed_sdk() {
    let cc = compiler_from_env("CC", "cc");
    let cxx = compiler_from_env("CXX", "c++");
    let why = "builds `tenon new` projects against an installed SDK";
    if !have(&["cmake"], why)
        || !have(&["make"], why)
        || !have(&["pkg-config"], why)
        || !have(&[&cc], "C compiler")
        || !have(&[&cxx], "C++ compiler")
    {
        return;
    }
    let dir = scratch(SCRATCH, "new_installed_sdk");
    let prefix = dir.join("prefix");
    let sdk_c = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sdk-c");
    let sdk_build = dir.join("sdk-build");
    build(
        &dir,
        "cmake",
        &[
            "-S",
            sdk_c.to_str().unwrap(),
            "-B",
            sdk_build.to_str().unwrap(),
        ],
        &[],
    );
    build(
        &dir,
        "cmake",
        &[
            "--install",
            sdk_build.to_str().unwrap(),
            "--prefix",
            prefix.to_str().unwrap(),
        ],
        &[],
    );
    let pkg_config_path = prefix.join("share/pkgconfig");
    for (lang, interface) in [("c", "kv"), ("c", "greeter"), ("cpp", "processor")] {
        let (project, library) = new_project(&dir, lang, interface);
        let copies = project.join("include/tenon");
        assert!(copies.join("plugin.h").is_file(), "{}", copies.display());
        std::fs::remove_dir_all(&copies).unwrap();
        if lang == "c" {
            build(
                &project,
                "make",
                &[],
                &[("PKG_CONFIG_PATH", &pkg_config_path)],
            );
        } else {
            build(
                &project,
                "cmake",
                &["-S", ".", "-B", "build"],
                &[("CMAKE_PREFIX_PATH", &prefix)],
            );
            build(&project, "cmake", &["--build", "build"], &[]);
        }
        assert_check_passes(&project.join(library), interface);
    }
    // Zig: `--sdk PREFIX` makes the project depend on the installed Zig
    // package instead of carrying a copy in sdk-zig/.
    let Some(zig) = zig() else {
        toolchain_missing(
            "zig",
            "`zig` is not on PATH and `python3 -m ziglang` failed",
        );
        return;
    };
    let name = "my-zig-installed";
    let output = tenon()
        .args(["new", name, "--lang", "zig", "--interface", "kv", "--sdk"])
        .arg(&prefix)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let project = dir.join(name);
    assert!(!project.join("sdk-zig").exists());
    let manifest = std::fs::read_to_string(project.join("build.zig.zon")).unwrap();
    // Zig takes only paths relative to the project: ../prefix/... here.
    assert!(
        manifest.contains(".path = \"../prefix/share/tenon/sdk-zig\""),
        "{manifest}"
    );
    let mut args: Vec<&str> = zig[1..].to_vec();
    args.push("build");
    build(&project, zig[0], &args, &[]);
    let library = stdout(&output)
        .lines()
        .find_map(|line| line.trim().strip_prefix("tenon check ").map(str::to_owned))
        .unwrap();
    assert_check_passes(&project.join(library), "kv");
}

/// How to run zig: `zig` on PATH, else `python3 -m ziglang` (`pip install
/// ziglang`).
fn zig() -> Option<Vec<&'static str>> {
    let candidates: [&[&'static str]; 2] = [&["zig"], &["python3", "-m", "ziglang"]];
    candidates.into_iter().find_map(|candidate| {
        Command::new(candidate[0])
            .args(&candidate[1..])
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
            .then(|| candidate.to_vec())
    })
}

#[test]
fn new_zig_projects_build_with_zig_and_pass_check() {
    let Some(zig) = zig() else {
        toolchain_missing(
            "zig",
            "`zig` is not on PATH and `python3 -m ziglang` failed; `pip install ziglang` \
             provides it",
        );
        return;
    };
    let dir = scratch(SCRATCH, "new_zig");
    for interface in INTERFACES {
        let (project, library) = new_project(&dir, "zig", interface);
        let mut args: Vec<&str> = zig[1..].to_vec();
        args.push("build");
        build(&project, zig[0], &args, &[]);
        assert_check_passes(&project.join(library), interface);
    }
}

/// Zig from `pip install ziglang` (the way the top README installs it)
/// has no `zig` command: a Zig project's README says how to build with it,
/// for an example interface and for a header alike.
#[test]
fn new_zig_projects_say_how_to_build_with_zig_from_pip() {
    let dir = scratch(SCRATCH, "new_zig_readme");
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/acme_widget.h");
    for (name, interface) in [("ex", "greeter"), ("hdr", header.to_str().unwrap())] {
        let project = dir.join(name);
        let output = run(&[
            "new",
            name,
            "--lang",
            "zig",
            "--dir",
            project.to_str().unwrap(),
            "--interface",
            interface,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
        assert!(readme.contains("`python3 -m ziglang build`"), "{readme}");
    }
}

#[test]
fn new_refuses_a_directory_that_is_not_empty() {
    let dir = scratch(SCRATCH, "new_existing");
    std::fs::create_dir_all(dir.join("taken")).unwrap();
    std::fs::write(dir.join("taken/file"), "mine").unwrap();
    let output = tenon()
        .args(["new", "taken", "--lang", "c"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not empty"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.join("taken/file")).unwrap(),
        "mine"
    );
    // --dir puts it elsewhere.
    let output = tenon()
        .args(["new", "taken", "--lang", "c", "--dir", "elsewhere"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.join("elsewhere/src/plugin.c").is_file());
    assert!(dir.join("elsewhere/include/tenon/plugin.h").is_file());
}

// ---------------------------------------------------------------------------
// Libraries of other platforms
// ---------------------------------------------------------------------------

/// The C greeter cross-compiled by Zig for macOS (arm64 and x86-64, Mach-O
/// dylibs) and Windows (a PE DLL) is read as what it is: `tenon inspect`
/// refuses it as `wrong_architecture`, naming its format, processor and
/// word as its header states them, and the platform this host loads.
#[test]
#[cfg(target_os = "linux")]
fn inspect_reads_macos_and_windows_libraries_as_foreign() {
    let Some(zig) = zig() else {
        toolchain_missing(
            "zig",
            "`zig` is not on PATH and `python3 -m ziglang` failed; `pip install ziglang` \
             provides it",
        );
        return;
    };
    let root = tenon_test_plugins::workspace_root();
    let dir = scratch(SCRATCH, "foreign");
    let cases = [
        (
            "aarch64-macos",
            "libgreeter.dylib",
            "a Mach-O library (macOS, iOS) for arm64, 64-bit little-endian",
        ),
        (
            "x86_64-macos",
            "libgreeter.dylib",
            "a Mach-O library (macOS, iOS) for x86-64, 64-bit little-endian",
        ),
        (
            "x86_64-windows-gnu",
            "greeter.dll",
            "a PE DLL (Windows) for x86-64, 64-bit little-endian",
        ),
    ];
    for (target, file, described) in cases {
        let library = dir.join(target).join(file);
        std::fs::create_dir_all(library.parent().unwrap()).unwrap();
        let mut args: Vec<String> = zig[1..].iter().map(|arg| arg.to_string()).collect();
        args.extend(
            [
                "cc",
                "-target",
                target,
                "-shared",
                "-fvisibility=hidden",
                "-std=c99",
            ]
            .map(str::to_owned),
        );
        args.extend(["-Wall", "-Wextra", "-Wpedantic", "-Werror"].map(str::to_owned));
        for include in ["include", "sdk-c/include", "examples-c/interfaces"] {
            args.push("-I".to_owned());
            args.push(root.join(include).display().to_string());
        }
        args.push(
            root.join("examples-c/greeter/greeter.c")
                .display()
                .to_string(),
        );
        args.push("-o".to_owned());
        args.push(library.display().to_string());
        let output = Command::new(zig[0]).args(&args).output().unwrap();
        assert!(
            output.status.success(),
            "zig cc -target {target}: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        let output = run_path(&["inspect", "--json"], &library);
        assert_eq!(output.status.code(), Some(1), "{target}");
        let value = json(&output);
        assert_eq!(
            value["error"]["kind"], "wrong_architecture",
            "{target}: {value}"
        );
        let message = value["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("the file is {described}, but")),
            "{target}: {message}"
        );
        assert!(
            message.contains("this host loads an ELF shared library"),
            "{message}"
        );
    }
}

/// The `tenon new` docs/guide-cpp.md and docs/guide-rust.md show (a ```text
/// block starting `$ tenon new`), run in an empty directory: it succeeds
/// and prints exactly the lines the guide shows. Linux only: the library's
/// name in the output is the Linux one.
#[cfg(target_os = "linux")]
#[test]
fn the_cpp_and_rust_guides_show_what_tenon_new_prints() {
    let guides = [
        ("guide-cpp", include_str!("../../../docs/guide-cpp.md")),
        ("guide-rust", include_str!("../../../docs/guide-rust.md")),
    ];
    for (guide, text) in guides {
        let shown: Vec<&str> = text
            .split("```text\n")
            .skip(1)
            .filter_map(|block| block.split("\n```").next())
            .filter(|block| block.starts_with("$ tenon new "))
            .collect();
        assert_eq!(shown.len(), 1, "docs/{guide}.md: one `$ tenon new` block");
        let mut lines = shown[0].lines();
        let command = lines.next().unwrap().strip_prefix("$ tenon ").unwrap();
        let args: Vec<&str> = command.split_whitespace().collect();
        let dir = scratch(SCRATCH, &format!("{guide}_new"));
        let output = tenon().args(&args).current_dir(&dir).output().unwrap();
        assert!(
            output.status.success(),
            "docs/{guide}.md: `tenon {command}` failed: {}",
            stderr(&output)
        );
        let printed = stdout(&output);
        let expected: Vec<&str> = lines.map(str::trim_end).collect();
        let actual: Vec<&str> = printed.lines().map(str::trim_end).collect();
        assert_eq!(
            actual, expected,
            "docs/{guide}.md shows what `tenon {command}` prints"
        );
    }
}
