//! `tenon check` as the host a plugin meets: the config every `create`
//! gets (`--config`, `--config-file`), the host services it offers
//! (`--offer`) and records the plugin asking for, what the plugin logs
//! (shown with `-v`), Tenon's own `org.tenon.state` (a round trip), and
//! advice that fits the mode it is printed in. Each in every mode: the
//! checks in child processes (the default), `--in-process`, and (Linux)
//! `--isolated`.

mod support;

use serde_json::Value;
use std::path::Path;
use support::*;
use tenon_test_plugins::{c_fixture, c_plugin, rust_plugin};

/// Where this file's tests make their scratch directories.
const SCRATCH: &str = "check_host";
/// The steps of a check of a greeter that each call the plugin's `create`:
/// a plugin whose `create` fails fails each of them.
const CREATING_STEPS: [&str; 4] = [
    "lifecycle",
    "probe:org.tenon.example.greeter",
    "threads",
    "reload",
];

/// The options of each mode the checks run in.
fn modes() -> Vec<&'static [&'static str]> {
    let mut modes: Vec<&'static [&'static str]> = vec![&[], &["--in-process"]];
    if cfg!(target_os = "linux") {
        modes.push(&["--isolated"]);
    }
    modes
}

/// `tenon check --json <options> <mode> PATH`: the exit status and the
/// report.
fn check_json(options: &[&str], mode: &[&str], path: &Path) -> (Option<i32>, Value) {
    let mut args = vec!["check", "--json"];
    args.extend(options);
    args.extend(mode);
    let output = run_path(&args, path);
    (output.status.code(), one_json_document(&output))
}

/// docs/cli.md with its line breaks and indentation folded into single
/// spaces, to look for a phrase that may be wrapped.
fn cli_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A check's details, as one string.
fn details(entry: &Value) -> String {
    entry["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {entry}"))
        .iter()
        .map(|d| d.as_str().expect("a detail is text"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// --config
// ---------------------------------------------------------------------------

#[test]
fn the_config_reaches_every_create_in_every_mode() {
    // create_fails refuses any config but "".
    let plugin = c_fixture("create_fails");
    let file = scratch(SCRATCH, "config").join("config.txt");
    std::fs::write(&file, "from a file").unwrap();
    let file = file.to_str().unwrap();
    for mode in modes() {
        for options in [&["--config", "x"][..], &["--config-file", file]] {
            let (code, report) = check_json(options, mode, &plugin);
            assert_eq!(code, Some(1), "{options:?} {mode:?}: {report}");
            for name in CREATING_STEPS {
                let entry = check(&report, name);
                assert_eq!(entry["status"], "fail", "{mode:?} {name}: {entry}");
                assert_eq!(entry["error"]["kind"], "create_failed", "{entry}");
                assert!(
                    entry["summary"]
                        .as_str()
                        .unwrap()
                        .contains("config must be empty"),
                    "{entry}"
                );
                // The user gave a config: no advice to give one.
                assert!(!details(entry).contains("--config"), "{entry}");
            }
        }
        // The default is "", which it accepts; so is "" given.
        for options in [&[][..], &["--config", ""]] {
            let (code, report) = check_json(options, mode, &plugin);
            assert_eq!(code, Some(0), "{options:?} {mode:?}: {report}");
        }
    }
}

#[test]
fn config_options_are_checked_and_documented() {
    let plugin = c_fixture("create_fails");
    let both = run_path(
        &["check", "--config", "a", "--config-file", "b.txt"],
        &plugin,
    );
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    let missing = run_path(&["check", "--config-file", "/no/such/config"], &plugin);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    assert!(
        stderr(&missing).contains("--config-file /no/such/config"),
        "{}",
        stderr(&missing)
    );
    let docs = cli_md();
    for phrase in [
        "[--config TEXT \\| --config-file PATH] [--offer INTERFACE]...",
        "hint: every create was given the config \"\" (tenon check's default); pass --config TEXT \
         or --config-file PATH if the plugin needs one",
    ] {
        assert!(docs.contains(phrase), "docs/cli.md lacks {phrase:?}");
    }
    let help = stdout(&run(&["check", "--help"]));
    for word in [
        "--config <TEXT>",
        "--config-file <PATH>",
        "--offer <INTERFACE>",
        "\"\"",
    ] {
        assert!(help.contains(word), "{word:?} not in:\n{help}");
    }
}

// ---------------------------------------------------------------------------
// --offer and the lookups
// ---------------------------------------------------------------------------

#[test]
fn a_plugin_that_needs_a_host_service_is_told_so_and_can_be_offered_one() {
    let relays = [
        c_fixture("relay_c"),
        rust_plugin("relay-rust").expect("relay-rust builds"),
    ];
    for relay in &relays {
        for mode in modes() {
            let (code, report) = check_json(&[], mode, relay);
            assert_eq!(code, Some(1), "{mode:?}: {report}");
            for name in CREATING_STEPS {
                let entry = check(&report, name);
                assert_eq!(entry["error"]["kind"], "create_failed", "{mode:?}: {entry}");
                let summary = entry["summary"].as_str().unwrap();
                let told = "the plugin asked the host for interface `org.tenon.example.greeter` \
                            v1, which tenon check did not offer; pass --offer greeter";
                assert!(summary.contains(told), "{mode:?} {name}: {summary}");
                assert!(cli_md().contains(told), "docs/cli.md lacks {told:?}");
                // No config was given either: that is said too.
                assert!(
                    details(entry).contains("hint: every create was given the config \"\""),
                    "{entry}"
                );
            }

            for offer in ["greeter", "org.tenon.example.greeter"] {
                let (code, report) = check_json(&["--offer", offer], mode, relay);
                assert_eq!(code, Some(0), "{offer} {mode:?}: {report:#}");
                let probe = check(&report, "probe:org.tenon.example.greeter");
                let probe_details = details(probe);
                assert!(
                    probe_details.contains("relayed: Hello from tenon check, world!"),
                    "{probe_details}"
                );
                assert!(
                    probe_details.contains(
                        "host services looked up: org.tenon.example.greeter v1 (offered)"
                    ),
                    "{mode:?}: {probe_details}"
                );
            }
        }
    }
    let unknown = run_path(&["check", "--offer", "org.acme.widget"], &relays[0]);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    assert!(
        stderr(&unknown).contains("greeter, kv, processor"),
        "{}",
        stderr(&unknown)
    );
}

// ---------------------------------------------------------------------------
// org.tenon.state
// ---------------------------------------------------------------------------

#[test]
fn state_is_known_and_must_round_trip() {
    for mode in modes() {
        // The example kv saves, restores and saves the same bytes again.
        let (code, report) = check_json(&[], mode, &c_plugin("kv"));
        assert_eq!(code, Some(0), "{mode:?}: {report:#}");
        let state = check(&report, "probe:org.tenon.state");
        assert_eq!(state["status"], "pass", "{state}");
        assert_eq!(state["warnings"], serde_json::json!([]), "{state}");
        let state_details = details(state);
        for line in [
            "save() of an instance after kv calls wrote",
            "on a fresh instance succeeded",
            "the restored instance serves kv calls",
            "the restored instance's save() wrote the same bytes",
        ] {
            assert!(state_details.contains(line), "{line:?}:\n{state_details}");
        }
        let interfaces = details(check(&report, "interfaces"));
        assert!(
            interfaces.contains("org.tenon.state v1: vtable of"),
            "{interfaces}"
        );
        assert!(!interfaces.contains("--interface"), "{interfaces}");

        // A restore that fails fails the check, with the plugin's message.
        let (code, report) = check_json(&[], mode, &c_fixture("kv_restore_fails"));
        assert_eq!(code, Some(1), "{mode:?}: {report}");
        let state = check(&report, "probe:org.tenon.state");
        assert_eq!(state["status"], "fail", "{state}");
        assert_eq!(state["error"]["kind"], "invalid_argument", "{state}");
        assert!(
            state["summary"]
                .as_str()
                .unwrap()
                .contains("this build reads no saved state"),
            "{state}"
        );

        // A restore that keeps nothing: the bytes differ, a warning.
        let (code, report) = check_json(&[], mode, &c_fixture("state_forgets"));
        assert_eq!(code, Some(0), "{mode:?}: {report:#}");
        let state = check(&report, "probe:org.tenon.state");
        assert_eq!(state["status"], "pass", "{state}");
        let warnings = state["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{state}");
        let warning = warnings[0].as_str().unwrap();
        assert!(
            cli_md().contains("`probe:org.tenon.state`: `restore(save())` does not round-trip"),
            "docs/cli.md does not list the warning"
        );
        assert!(
            warning.starts_with(
                "restore(save()) does not round-trip: the restored instance's save() wrote 8 \
                 bytes that differ from the 8 bytes it restored (first difference at byte 7)"
            ),
            "{warning}"
        );
    }
}

// ---------------------------------------------------------------------------
// Advice for the mode
// ---------------------------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn the_advice_about_unknown_interfaces_fits_the_mode() {
    let widget = c_fixture("widget");
    let (code, report) = check_json(&[], &[], &widget);
    assert_eq!(code, Some(0), "{report}");
    let interfaces = check(&report, "interfaces");
    assert!(
        interfaces["summary"]
            .as_str()
            .unwrap()
            .ends_with("no header given (pass --interface)"),
        "{interfaces}"
    );

    let (code, report) = check_json(&[], &["--isolated"], &widget);
    assert_eq!(code, Some(0), "{report}");
    let interfaces = check(&report, "interfaces");
    let summary = interfaces["summary"].as_str().unwrap();
    assert!(
        summary.ends_with("methods not exercised for 1: not called with --isolated"),
        "{summary}"
    );
    let text = format!("{summary}\n{}", details(interfaces));
    assert!(!text.contains("pass --interface"), "{text}");
    assert!(
        text.contains("run tenon check without --isolated, with --interface HEADER"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Plugin logs
// ---------------------------------------------------------------------------

#[test]
fn what_the_plugin_logs_is_shown_with_verbose() {
    // The C greeter logs "greeter-c instance created" (debug) in create.
    let greeter = c_plugin("greeter");
    for mode in modes() {
        let mut args = vec!["check", "-v"];
        args.extend(mode);
        let output = run_path(&args, &greeter);
        assert!(output.status.success(), "{mode:?}: {output:?}");
        let text = stdout(&output);
        let lifecycle: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.contains("PASS  lifecycle"))
            .skip(1)
            .take_while(|line| !line.contains("PASS  "))
            .collect();
        assert!(
            lifecycle
                .iter()
                .any(|line| line.trim() == "plugin log | debug: greeter-c instance created"),
            "{mode:?}:\n{text}"
        );
        // At most 40 lines of a check's log, then a count of the rest
        // (lifecycle creates over a hundred instances).
        let logged = lifecycle
            .iter()
            .filter(|line| line.contains("plugin log | debug:"))
            .count();
        assert_eq!(logged, 40, "{mode:?}:\n{text}");
        assert!(
            lifecycle
                .iter()
                .any(|line| line.contains("plugin log | (")
                    && line.contains("more lines not shown)")),
            "{mode:?}:\n{text}"
        );

        assert!(cli_md().contains("`plugin log | LEVEL: MESSAGE`"));
        let mut quiet = vec!["check"];
        quiet.extend(mode);
        let output = run_path(&quiet, &greeter);
        assert!(
            !stdout(&output).contains("plugin log"),
            "{}",
            stdout(&output)
        );
    }
}

/// The C guide's relay plugin (docs/guide-c.md, "Interfaces the host
/// implements"), built as written: `tenon check --offer greeter` passes it
/// and shows its log lines with their levels; without the offer, the check
/// says what it asked for, and the plugin's warning shows.
#[cfg(target_os = "linux")]
#[test]
fn the_c_guide_relay_passes_with_the_offer_and_its_log_shows() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guide-c.md"),
    )
    .unwrap();
    let source = guide
        .split("```c\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("get_interface("))
        .expect("docs/guide-c.md has the relay plugin");
    let dir = scratch(SCRATCH, "guide_c_relay");
    std::fs::write(dir.join("relay.c"), source).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let library = dir.join("librelay.so");
    let built = std::process::Command::new("cc")
        .args([
            "-std=c99", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o",
        ])
        .arg(&library)
        .arg(dir.join("relay.c"))
        .arg("-I")
        .arg(root.join("include"))
        .arg("-I")
        .arg(root.join("sdk-c/include"))
        .arg("-I")
        .arg(root.join("examples-c/interfaces"))
        .status();
    match built {
        Ok(status) => assert!(status.success(), "cc failed on the guide's relay"),
        Err(_) => {
            tenon_test_plugins::toolchain::missing("cc", "builds the C guide's relay plugin");
            return;
        }
    }
    for mode in modes() {
        let mut args = vec!["check", "-v", "--offer", "greeter"];
        args.extend(mode);
        let output = run_path(&args, &library);
        let text = stdout(&output);
        assert!(output.status.success(), "{mode:?}:\n{text}");
        assert!(
            text.contains("plugin log | info: relay: found the host's greeter"),
            "{mode:?}:\n{text}"
        );

        let mut args = vec!["check"];
        args.extend(mode);
        let output = run_path(&args, &library);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{mode:?}:\n{text}");
        assert!(
            text.contains("plugin log | warn: relay: the host offers no greeter"),
            "{mode:?}:\n{text}"
        );
        assert!(
            text.contains("which tenon check did not offer; pass --offer greeter"),
            "{mode:?}:\n{text}"
        );
    }
}
