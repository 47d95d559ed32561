//! Plugins that try to crash, hang or fool `tenon inspect` and `tenon check`.
//!
//! Each fixture (tests/fixtures/*.c) misbehaves in one way: an initializer
//! that aborts, hangs, exits with status 0 or prints; a method that prints
//! a passing verdict and exits with status 0; a destroy that crashes. Files
//! with corrupted headers are made from a valid plugin
//! (`tenon_test_plugins::corrupted_elf_copies`). The tests require that
//! `inspect` always prints exactly one JSON document with `--json` and
//! exits 0 only for a plugin it could read, that `check` passes no such
//! plugin, that failures carry their error kind, that a crash is blamed on
//! the call it happened in, and that a hang is cut short in well under a
//! minute with the default options.
//!
//! Unix and Windows (`scripts/test-windows.sh` runs it under Wine).
#![cfg(any(unix, windows))]

mod support;

use std::time::{Duration, Instant};
use support::*;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
use tenon_test_plugins::corrupted_elf_copies;
use tenon_test_plugins::{c_fixture, c_plugin};

/// How the report names a child ended by `abort()`.
#[cfg(unix)]
const ABORTED: &str = "SIGABRT";
#[cfg(windows)]
const ABORTED: &str = "exited with status 3 (abort()";

/// How the report names a child ended by a null-pointer write.
#[cfg(unix)]
const SEGFAULT: &str = "SIGSEGV";
#[cfg(windows)]
const SEGFAULT: &str = "access violation";

/// Where this file's tests make their scratch directories.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const SCRATCH: &str = "tenon-cli-hostile";

// ---------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------

#[test]
fn inspect_survives_initializers_that_abort_exit_or_hang() {
    let cases = [
        ("abort_in_initializer", "crashed", ABORTED),
        ("exit_in_initializer", "crashed", "exited with status 0"),
        ("hang_in_initializer", "timed_out", "timed out after 2 s"),
    ];
    for (fixture, kind, words) in cases {
        let path = c_fixture(fixture);
        let started = Instant::now();
        let output = run_path(&["inspect", "--json", "--timeout", "2"], &path);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{fixture}: inspect took {:?}",
            started.elapsed()
        );
        assert_eq!(output.status.code(), Some(1), "{fixture}: {output:?}");
        let value = one_json_document(&output);
        assert_eq!(value["error"]["kind"], kind, "{fixture}: {value}");
        let message = value["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{fixture}: {message}");
        assert!(message.contains("initializers"), "{fixture}: {message}");

        let output = run_path(&["inspect", "--timeout", "2"], &path);
        assert_eq!(output.status.code(), Some(1), "{fixture}");
        assert!(stdout(&output).is_empty(), "{fixture}: {}", stdout(&output));
        assert!(
            stderr(&output).contains(&format!("error[{kind}]")),
            "{fixture}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn inspect_keeps_what_a_plugin_prints_off_its_stdout() {
    let path = c_fixture("print_in_initializer");
    let output = run_path(&["inspect", "--json"], &path);
    assert!(output.status.success(), "{}", stderr(&output));
    let value = one_json_document(&output);
    assert_eq!(value["name"], "fixture-print-in-initializer", "{value}");
    let errors = stderr(&output);
    assert!(
        errors.contains("plugin stdout | {\"path\":\"/fake\""),
        "the plugin's stdout is shown on stderr, labelled:\n{errors}"
    );
    assert!(
        errors.contains("plugin stderr | the initializer of print_in_initializer"),
        "{errors}"
    );

    let output = run_path(&["inspect"], &path);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.starts_with("fixture-print-in-initializer 1.0.0\n"),
        "{text}"
    );
    assert!(!text.contains("printed-by-the-plugin"), "{text}");
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn inspect_and_check_survive_files_with_corrupted_headers() {
    let dir = scratch(SCRATCH, "corrupted");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for (index, path) in corrupted_elf_copies(&dir, 40).iter().enumerate() {
        let output = run_path(&["inspect", "--json", "--timeout", "5"], path);
        let value = one_json_document(&output);
        match output.status.code() {
            Some(0) => {
                // Only a flip that does not matter lets it be read.
                assert_eq!(value["name"], "greeter-c", "{}: {value}", path.display());
                *kinds.entry("readable".to_owned()).or_default() += 1;
            }
            Some(1) => {
                let kind = value["error"]["kind"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: no error kind in {value}", path.display()));
                assert!(!kind.is_empty());
                *kinds.entry(kind.to_owned()).or_default() += 1;
            }
            other => panic!("{}: inspect ended with {other:?}", path.display()),
        }
        // check too, on some of them: one report, never a pass by accident.
        if index % 4 == 0 {
            let output = run_path(&["check", "--json", "--timeout", "5"], path);
            let report = one_json_document(&output);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{}: {output:?}",
                path.display()
            );
            if output.status.success() {
                assert_eq!(report["passed"], true);
                assert_eq!(report["plugin"]["name"], "greeter-c");
            } else {
                let load = check(&report, "load");
                if load["status"] == "fail" {
                    assert!(load["error"]["kind"].is_string(), "{load}");
                }
            }
        }
    }
    // Say what the corruptions did (seen with --nocapture).
    println!("corrupted headers, by outcome: {kinds:?}");
    assert!(
        kinds.len() > 1,
        "the corruptions made a difference: {kinds:?}"
    );
}

// ---------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------

#[test]
fn check_cannot_be_fooled_by_a_printed_verdict_and_exit_0() {
    let path = c_fixture("fake_verdict_in_greet");
    let output = run_path(&["check", "--json"], &path);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report = one_json_document(&output);
    assert_eq!(report["passed"], false, "{report}");
    for name in ["probe:org.tenon.example.greeter", "threads", "reload"] {
        let failed = check(&report, name);
        assert_eq!(failed["status"], "fail", "{failed}");
        assert_eq!(failed["error"]["kind"], "crashed", "{failed}");
        let summary = failed["summary"].as_str().unwrap();
        assert!(
            summary.contains("exited with status 0") && summary.contains("without delivering"),
            "{summary}"
        );
        // What the plugin printed is shown, labelled, as a detail.
        let details = failed["details"].to_string();
        assert!(details.contains("plugin stdout |"), "{details}");
    }
    let probe = check(&report, "probe:org.tenon.example.greeter");
    assert!(
        probe["summary"]
            .as_str()
            .unwrap()
            .contains("greet(\"world\")"),
        "the crash is blamed on the first greet: {probe}"
    );

    let output = run_path(&["check"], &path);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("FAILED: 3 of 6 checks failed"), "{text}");
    assert!(!text.contains("\nOK: every check passed"), "{text}");
}

#[test]
fn check_fails_load_when_an_initializer_aborts_exits_or_hangs() {
    let cases = [
        ("abort_in_initializer", "crashed"),
        ("exit_in_initializer", "crashed"),
        ("hang_in_initializer", "timed_out"),
    ];
    for (fixture, kind) in cases {
        let output = run_path(&["check", "--json", "--timeout", "2"], &c_fixture(fixture));
        assert_eq!(output.status.code(), Some(1), "{fixture}");
        let report = one_json_document(&output);
        let load = check(&report, "load");
        assert_eq!(load["status"], "fail", "{fixture}: {load}");
        assert_eq!(load["error"]["kind"], kind, "{fixture}: {load}");
        assert!(
            load["summary"].as_str().unwrap().contains("in load"),
            "{fixture}: {load}"
        );
        assert_eq!(report["summary"]["skipped"], 4, "{fixture}: {report}");
    }
    // Printing is allowed: the plugin is valid.
    let output = run_path(&["check", "--json"], &c_fixture("print_in_initializer"));
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(one_json_document(&output)["passed"], true);
}

#[test]
fn a_crash_in_destroy_is_blamed_on_destroy() {
    let output = run_path(&["check", "--json"], &c_fixture("crash_in_destroy"));
    assert_eq!(output.status.code(), Some(1));
    let report = one_json_document(&output);
    for name in ["lifecycle", "probe:org.tenon.example.greeter", "reload"] {
        let failed = check(&report, name);
        assert_eq!(failed["error"]["kind"], "crashed", "{failed}");
        let summary = failed["summary"].as_str().unwrap();
        assert!(summary.contains("crashed in destroy"), "{name}: {summary}");
        assert!(summary.contains(SEGFAULT), "{name}: {summary}");
        assert!(!summary.contains("greet"), "{name}: {summary}");
    }
    assert!(
        check(&report, "lifecycle")["summary"]
            .as_str()
            .unwrap()
            .contains("destroy (cycle 1 of 100)"),
        "{report}"
    );
}

#[test]
fn a_hanging_plugin_is_cut_short_with_the_default_options() {
    let started = Instant::now();
    let output = run_path(&["check", "--json"], &c_fixture("hang_in_initializer"));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "check took {took:?}");
    let report = one_json_document(&output);
    let load = check(&report, "load");
    assert_eq!(load["error"]["kind"], "timed_out", "{load}");
    assert!(
        load["summary"].as_str().unwrap().contains("after 10 s"),
        "{load}"
    );

    let help = stdout(&tenon().args(["check", "--help"]).output().unwrap());
    assert!(help.contains("[default: 10]"), "{help}");
    assert!(help.contains("[default: 30]"), "{help}");
    let help = stdout(&tenon().args(["inspect", "--help"]).output().unwrap());
    assert!(help.contains("[default: 10]"), "{help}");
}

#[test]
fn the_whole_run_is_bounded_by_total_timeout() {
    // Only greet with a long name hangs: the probe times out, cut short by
    // the total, and the checks after it are not run.
    let started = Instant::now();
    let output = run_path(
        &["check", "--json", "--timeout", "20", "--total-timeout", "3"],
        &c_fixture("hang_in_greet"),
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let report = one_json_document(&output);
    let probe = check(&report, "probe:org.tenon.example.greeter");
    assert_eq!(probe["error"]["kind"], "timed_out", "{probe}");
    assert!(
        probe["summary"]
            .as_str()
            .unwrap()
            .contains("--total-timeout"),
        "{probe}"
    );
    for name in ["threads", "reload"] {
        let skipped = check(&report, name);
        assert_eq!(skipped["status"], "fail", "{skipped}");
        assert_eq!(skipped["error"]["kind"], "timed_out", "{skipped}");
        assert!(
            skipped["summary"].as_str().unwrap().starts_with("not run"),
            "{skipped}"
        );
    }
}

#[test]
fn the_child_commands_refuse_to_run_without_a_supervisor() {
    // Run by hand, the hidden commands have no private channel: they say
    // so instead of loading the plugin.
    for args in [&["__check-step", "load"][..], &["__inspect"][..]] {
        let output = tenon()
            .args(args)
            .arg(c_plugin("greeter"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn failing_checks_carry_their_error_kind() {
    let cases = [
        ("null_slot", "interfaces", "null_slot"),
        ("vtable_too_small", "interfaces", "vtable_too_small"),
        (
            "greet_fails",
            "probe:org.tenon.example.greeter",
            "unsupported",
        ),
        ("greet_fails", "threads", "unsupported"),
        ("greet_fails", "reload", "unsupported"),
        ("create_fails_off_main_thread", "threads", "create_failed"),
        (
            "crash_in_greet",
            "probe:org.tenon.example.greeter",
            "crashed",
        ),
        ("no_entry", "load", "missing_entry"),
    ];
    for (fixture, name, kind) in cases {
        let output = run_path(&["check", "--json"], &c_fixture(fixture));
        assert_eq!(output.status.code(), Some(1), "{fixture}");
        let report = one_json_document(&output);
        let failed = check(&report, name);
        assert_eq!(failed["status"], "fail", "{fixture}: {failed}");
        assert_eq!(failed["error"]["kind"], kind, "{fixture}: {failed}");
        assert!(
            !failed["error"]["message"].as_str().unwrap().is_empty(),
            "{fixture}: {failed}"
        );
        // Every failed check of these fixtures stems from an error.
        for other in report["checks"].as_array().unwrap() {
            if other["status"] == "fail" {
                assert!(other["error"]["kind"].is_string(), "{fixture}: {other}");
            }
        }
    }
}

#[test]
fn inspect_does_not_wait_for_processes_the_plugin_left_behind() {
    // The initializer forks a process that holds the child's pipes for 20 s.
    let started = Instant::now();
    let output = run_path(&["inspect", "--json"], &c_fixture("fork_in_initializer"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "inspect waited {:?}",
        started.elapsed()
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        one_json_document(&output)["name"],
        "fixture-fork-in-initializer"
    );
}
