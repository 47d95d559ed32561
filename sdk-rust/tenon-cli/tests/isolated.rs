//! `tenon check --isolated`: every check with the plugin loaded isolated.
//!
//! Every example plugin of every language whose toolchain is installed
//! passes every check isolated, as it does in process. A plugin that
//! crashes or hangs in a method fails the check it was in with the
//! isolation machinery's error kind (`crashed`, `timed_out`) and the run
//! carries on; one that crashes while loading fails `load`. A killed
//! `tenon check --isolated` takes its plugin's process along.
//!
//! Linux only: elsewhere isolation is refused (`isolation_unsupported`).
#![cfg(target_os = "linux")]

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};
use support::*;
use tenon_test_plugins::{c_fixture, try_all_examples};

#[test]
fn every_example_passes_every_check_isolated() {
    let examples = try_all_examples().expect("the examples build");
    assert!(!examples.is_empty());
    for example in examples {
        let output = run_path(&["check", "--isolated", "--json"], &example.path);
        let report = one_json_document(&output);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{} ({}): {report:#}\nstderr:\n{}",
            example.name,
            example.label(),
            stderr(&output)
        );
        assert_eq!(report["passed"], true, "{}: {report}", example.name);
        assert_eq!(report["plugin"]["name"], example.name, "{report}");
        for entry in report["checks"].as_array().unwrap() {
            assert_ne!(entry["status"], "fail", "{}: {entry}", example.name);
        }
    }
}

#[test]
fn a_crash_or_a_hang_in_a_method_fails_its_check_with_the_kind() {
    let probe = "probe:org.tenon.example.greeter";
    for (fixture, kind) in [
        ("crash_in_greet", "crashed"),
        ("hang_in_greet", "timed_out"),
    ] {
        let started = Instant::now();
        let output = run_path(
            &["check", "--isolated", "--json", "--timeout", "2"],
            &c_fixture(fixture),
        );
        assert_eq!(output.status.code(), Some(1), "{fixture}: {output:?}");
        let report = one_json_document(&output);
        assert_eq!(
            check(&report, "load")["status"],
            "pass",
            "{fixture}: {report}"
        );
        let failed = check(&report, probe);
        assert_eq!(failed["status"], "fail", "{fixture}: {failed}");
        assert_eq!(failed["error"]["kind"], kind, "{fixture}: {failed}");
        // The run carried on past the fault.
        assert_eq!(check(&report, "lifecycle")["status"], "pass", "{report}");
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "{fixture}: took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_plugin_that_crashes_while_loading_fails_load_isolated() {
    for fixture in ["abort_in_initializer", "exit_in_initializer"] {
        let output = run_path(&["check", "--isolated", "--json"], &c_fixture(fixture));
        assert_eq!(output.status.code(), Some(1), "{fixture}: {output:?}");
        let report = one_json_document(&output);
        let load = check(&report, "load");
        assert_eq!(load["status"], "fail", "{fixture}: {load}");
        assert_eq!(load["error"]["kind"], "crashed", "{fixture}: {load}");
    }
}

#[test]
fn the_reports_say_how_the_plugin_was_loaded() {
    let greeter = try_all_examples()
        .expect("the examples build")
        .into_iter()
        .find(|example| example.name == "greeter-c")
        .expect("the C greeter");
    for (flags, mode, header) in [
        (&[][..], "child", String::new()),
        (
            &["--in-process"][..],
            "in_process",
            " (in process)".to_owned(),
        ),
        (&["--isolated"][..], "isolated", " (isolated)".to_owned()),
    ] {
        let args: Vec<&str> = ["check", "--json"].iter().chain(flags).copied().collect();
        let output = run_path(&args, &greeter.path);
        let report = one_json_document(&output);
        assert_eq!(report["mode"], mode, "{flags:?}: {report}");
        let args: Vec<&str> = ["check"].iter().chain(flags).copied().collect();
        let output = run_path(&args, &greeter.path);
        assert_eq!(output.status.code(), Some(0), "{flags:?}: {output:?}");
        let first = stdout(&output)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            first,
            format!("Checking {}{header}", greeter.path.display()),
            "{flags:?}"
        );
    }
}

#[test]
fn isolated_and_in_process_are_exclusive() {
    let output = run_path(
        &["check", "--isolated", "--in-process"],
        &c_fixture("crash_in_greet"),
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

/// The children of process `parent` that are not zombies.
fn live_children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            let Some(end) = stat.rfind(')') else {
                return false;
            };
            let mut fields = stat[end + 2..].split(' ');
            let state = fields.next().unwrap_or("X");
            let ppid = fields.next().and_then(|p| p.parse::<u32>().ok());
            ppid == Some(parent) && state != "Z" && state != "X"
        })
        .collect()
}

fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let end = stat.rfind(')')?;
            let state = stat[end + 2..].chars().next()?;
            Some(state != 'Z' && state != 'X')
        })
        .unwrap_or(false)
}

/// `tenon check --isolated` on a plugin that hangs, SIGKILLed while the
/// plugin spins: its plugin's process dies within a second (the
/// parent-death signal and the watchdog), so nothing is left running.
#[test]
fn a_sigkilled_check_takes_the_plugins_process_along() {
    let mut tenon = tenon()
        .args([
            "check",
            "--isolated",
            "--timeout",
            "60",
            "--total-timeout",
            "120",
        ])
        .arg(c_fixture("hang_in_greet"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run tenon");
    let pid = tenon.id();
    // Wait for the probe to be spinning in its child (the load, interfaces
    // and lifecycle checks come first).
    let until = Instant::now() + Duration::from_secs(20);
    let mut child = None;
    while Instant::now() < until {
        if let [only] = live_children_of(pid)[..] {
            child = Some(only);
            // Give the child time to reach the probe's hanging call.
            std::thread::sleep(Duration::from_millis(300));
            if live_children_of(pid) == [only] {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let child = child.expect("tenon check --isolated runs the plugin in a child");
    tenon.kill().expect("SIGKILL tenon");
    tenon.wait().expect("reap tenon");
    let killed = Instant::now();
    while is_running(child) && killed.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        !is_running(child),
        "the plugin's process {child} outlived its SIGKILLed host by a second"
    );
}
