//! A Zig plugin that panics (docs/guide-zig.md, "No panic boundary"): Zig
//! does not unwind, so in process the panic aborts the whole host, after
//! the panic message on its stderr; isolated, it is a `crashed` call (the
//! plugin's process killed by `SIGABRT`), the message reaches the host's
//! log, and the host carries on.
//!
//! The fixture is `tests/fixtures/zig/panicking`, built as the Zig tests
//! build every Zig fixture (`zig build`, Debug): `greet("panic")` calls
//! `@panic`, `greet("index")` indexes past the end of the name (a safety
//! check), `create` with the config `"panic"` calls `@panic`. The aborting
//! cases run in a child process (this test binary again), whose end and
//! stderr the test reads. `tests/fixtures/zig/panicking_heard` panics the
//! same way with the SDK's handler (`pub const panic = tenon.panic;`),
//! which writes the message once more after the trace: isolated, the
//! error's last words then end with it.
//!
//! No Zig compiler: `TOOLCHAIN MISSING: zig` on stderr and the tests do
//! nothing, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{capture_events, toolchain_missing};
use tenon::isolation::{Isolation, Restart};
use tenon::{Error, Fault, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{isolation_runner, zig_fixture, BuildError};

/// The panicking Zig fixture, built; `None` after reporting a missing Zig.
fn panicking() -> Option<PathBuf> {
    match zig_fixture("panicking") {
        Ok(path) => Some(path),
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &error.to_string());
            None
        }
        Err(error) => panic!("the Zig fixture panicking does not build: {error}"),
    }
}

/// The three ways the fixture panics: what triggers it (the name greeted,
/// or `create` for the config) and the message Zig's panic handler prints.
const PANICS: &[(&str, &str)] = &[
    ("panic", "asked to greet \"panic\""),
    ("index", "index out of bounds: index 5, len 5"),
    ("create", "create was told to panic"),
];

/// Set (to a case of [`PANICS`]) in the child process that
/// `in_process_a_zig_panic_aborts_the_host_after_printing_its_message`
/// runs; [`PLUGIN`] holds the fixture's path.
const CHILD: &str = "TENON_TEST_ZIG_PANIC_CHILD";
const PLUGIN: &str = "TENON_TEST_ZIG_PANIC_PLUGIN";

/// What the child prints if it is still running after the panic.
const SURVIVED: &str = "the host survived the Zig panic";

/// The child: loads the fixture in process and makes it panic as `case`
/// says. The process must not get past that call.
fn panic_in_process(case: &str, plugin: &str) {
    let plugin = Plugin::load(plugin).unwrap();
    if case == "create" {
        let outcome = plugin.instantiate("panic");
        eprintln!("{SURVIVED}: create gave {:?}", outcome.err());
        return;
    }
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    let outcome = greeter.greet(case);
    eprintln!("{SURVIVED}: greet({case:?}) gave {outcome:?}");
}

/// Runs this test binary again as a host that loads `plugin` in process
/// and panics it as `case` says; checks that the host died of Zig's abort
/// and returns what it wrote on stderr.
fn abort_in_child(plugin: &Path, case: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "in_process_a_zig_panic_aborts_the_host_after_printing_its_message",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, case)
        .env(PLUGIN, plugin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains(SURVIVED), "{case}: {stderr}");
    // Zig's abort: SIGABRT on Unix; on Windows it ends the process with
    // exit code 3.
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            output.status.signal(),
            Some(6),
            "{case}: the host must die of SIGABRT, ended with {}:\n{stderr}",
            output.status
        );
    }
    #[cfg(windows)]
    assert_eq!(output.status.code(), Some(3), "{case}:\n{stderr}");
    stderr
}

/// Whether `stderr` has Zig's first line of a panic with `message`:
/// `thread <id> panic: <message>` (the stack trace follows).
fn has_panic_line(stderr: &str, message: &str) -> bool {
    stderr
        .lines()
        .any(|line| line.starts_with("thread ") && line.ends_with(&format!(" panic: {message}")))
}

#[test]
fn in_process_a_zig_panic_aborts_the_host_after_printing_its_message() {
    if let (Some(case), Some(plugin)) = (std::env::var_os(CHILD), std::env::var_os(PLUGIN)) {
        panic_in_process(&case.to_string_lossy(), &plugin.to_string_lossy());
        return;
    }
    let Some(path) = panicking() else {
        return;
    };
    for &(case, message) in PANICS {
        let stderr = abort_in_child(&path, case);
        assert!(
            has_panic_line(&stderr, message),
            "{case}: no panic message on the host's stderr:\n{stderr}"
        );
    }
}

/// Isolated with a restart policy, and a deadline long enough for a Debug
/// build's panic to print its stack trace (seconds: it reads the debug
/// information of the plugin and of the runner).
fn isolated() -> Isolation {
    Isolation::new()
        .runner(isolation_runner().expect("the test runner builds"))
        .call_timeout(Duration::from_secs(120))
        .restart(Restart::Always {
            backoff: Duration::from_millis(10),
        })
}

#[test]
fn isolated_a_zig_panic_is_a_crash_with_its_message_and_the_host_carries_on() {
    let Some(path) = panicking() else {
        return;
    };
    for &(case, message) in PANICS {
        // Loaded inside the capture: the threads that forward the
        // process's output to the log take the subscriber of the load.
        let events = capture_events(|| {
            let plugin = Plugin::loader().isolated(isolated()).load(&path).unwrap();
            // (signal, last words, the error as text)
            let (signal, last_words, error) = if case == "create" {
                // Creating an instance is no method call: its process's
                // death is the load-time error `Error::Crashed`.
                let error = plugin.instantiate("panic").expect_err("create panics");
                match &error {
                    Error::Crashed {
                        signal, last_words, ..
                    } => (*signal, last_words.clone(), error.to_string()),
                    other => panic!("create: expected Error::Crashed, got {other:?}"),
                }
            } else {
                let instance = plugin.instantiate("").unwrap();
                let greeter = instance.interface::<dyn Greeter>().unwrap();
                assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
                let error = greeter.greet(case).expect_err(case);
                assert_eq!(error.kind_name(), "crashed", "{case}: {error}");
                let Some(Fault::Crashed {
                    signal, last_words, ..
                }) = error.fault()
                else {
                    panic!("{case}: expected Fault::Crashed, got {error:?}");
                };
                // Its process died: the instance is lost.
                assert_eq!(
                    greeter.greet("world").unwrap_err().kind_name(),
                    "instance_lost",
                    "{case}"
                );
                (*signal, last_words.clone(), error.to_string())
            };
            #[cfg(unix)]
            assert_eq!(signal, Some(6), "{case}: {error}");
            #[cfg(not(unix))]
            let _ = signal;
            // The last words are the last lines of the process's stderr:
            // for a Debug build, the end of the stack trace Zig prints
            // after the message (the frames of the runner's thread), not
            // the message itself, which is in the log (below).
            assert!(
                last_words.contains(" in ") && !last_words.contains(message),
                "{case}: the last words are no longer the end of a stack trace \
                 (update docs/guide-zig.md, \"No panic boundary\"): {error}"
            );
            // The host carries on, and so does the plugin, on a fresh
            // process.
            let instance = plugin.instantiate("").unwrap();
            let greeter = instance.interface::<dyn Greeter>().unwrap();
            assert_eq!(greeter.greet("again").unwrap(), "Hello, again!", "{case}");
        });
        // Every line the plugin wrote on stderr reaches the host's log.
        assert!(
            events.iter().any(|event| event.plugin == "panicking-zig"
                && event.message.ends_with(&format!(" panic: {message}"))),
            "{case}: the panic message is not in the host's log: {events:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// The SDK's panic handler: `pub const panic = tenon.panic;`
// ---------------------------------------------------------------------------

/// The fixture with the SDK's panic handler, built; `None` after reporting
/// a missing Zig.
fn heard() -> Option<PathBuf> {
    match zig_fixture("panicking_heard") {
        Ok(path) => Some(path),
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &error.to_string());
            None
        }
        Err(error) => panic!("the Zig fixture panicking_heard does not build: {error}"),
    }
}

/// The line the SDK's handler writes last.
const LAST_LINE: &str = "panic: asked to greet \"panic\"";

#[test]
fn in_process_the_sdks_panic_handler_aborts_after_the_trace_and_the_message_again() {
    let Some(path) = heard() else {
        return;
    };
    let stderr = abort_in_child(&path, "panic");
    assert!(
        has_panic_line(&stderr, "asked to greet \"panic\""),
        "no panic message first:\n{stderr}"
    );
    // On Windows (Wine here) Zig finds no symbols for the frames (`??? in
    // ???`), but names each frame's module: one is the plugin's DLL.
    #[cfg(not(windows))]
    let through_greet = stderr.contains("in greet");
    #[cfg(windows)]
    let through_greet = {
        let dll = path.file_name().unwrap().to_string_lossy();
        stderr
            .lines()
            .any(|line| line.ends_with(&format!(" ({dll})")))
    };
    assert!(through_greet, "no stack trace through greet:\n{stderr}");
    assert_eq!(
        stderr.lines().rev().find(|line| !line.is_empty()),
        Some(LAST_LINE),
        "the message is not the last line:\n{stderr}"
    );
}

#[test]
fn isolated_the_sdks_panic_handler_puts_the_message_in_the_last_words() {
    let Some(path) = heard() else {
        return;
    };
    let plugin = Plugin::loader().isolated(isolated()).load(&path).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    let error = greeter.greet("panic").expect_err("greet panics");
    assert_eq!(error.kind_name(), "crashed", "{error}");
    let Some(Fault::Crashed {
        signal, last_words, ..
    }) = error.fault()
    else {
        panic!("expected Fault::Crashed, got {error:?}");
    };
    #[cfg(unix)]
    assert_eq!(*signal, Some(6), "{error}");
    #[cfg(not(unix))]
    let _ = signal;
    assert!(last_words.ends_with(LAST_LINE), "{error}");
    let fresh = plugin.instantiate("").unwrap();
    let greeter = fresh.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");
}
