//! A Rust plugin that panics returns an error; the host goes on. The panic
//! goes to the host's log, not to its standard error.

mod support;

use std::process::Command;
use support::capture_events;
use tenon::{Error, Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::rust_plugin;

fn fragile() -> Plugin {
    Plugin::load(rust_plugin("panicking-rust").expect("fixture builds")).unwrap()
}

#[test]
fn a_panicking_method_returns_a_panic_status_and_the_instance_goes_on() {
    let plugin = fragile();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();

    let error = greeter.greet("panic").unwrap_err();
    assert_eq!(error.status(), Status::PANIC);
    assert_eq!(error.kind_name(), "panic");
    assert_eq!(error.message(), "panic: asked to greet \"panic\"");

    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");
}

#[test]
fn a_panicking_create_is_a_create_failure_with_the_panic_message() {
    let plugin = fragile();
    match plugin
        .instantiate("panic in create")
        .expect_err("create panics")
    {
        Error::CreateFailed {
            status, message, ..
        } => {
            assert_eq!(status, Status::PANIC);
            assert_eq!(message, "panic: create was told to panic");
        }
        other => panic!("expected CreateFailed, got {other:?}"),
    }
    assert!(plugin.instantiate("").is_ok());
}

/// Set in the copy of this test binary that `a_panic_goes_to_the_hosts_log_not_its_stderr`
/// runs, whose standard error it reads.
const CHILD: &str = "TENON_TEST_PANIC_CHILD";

#[test]
fn a_panic_goes_to_the_hosts_log_not_its_stderr() {
    if std::env::var_os(CHILD).is_some() {
        // The child: panic in a method and in create, and check the log.
        let plugin = fragile();
        let events = capture_events(|| {
            let instance = plugin.instantiate("").unwrap();
            let greeter = instance.interface::<dyn Greeter>().unwrap();
            let error = greeter.greet("panic").unwrap_err();
            assert_eq!(error.message(), "panic: asked to greet \"panic\"");
            assert!(plugin.instantiate("panic in create").is_err());
        });
        let logged: Vec<_> = events
            .iter()
            .filter(|event| event.target == "tenon::plugin" && event.plugin == "panicking-rust")
            .collect();
        assert_eq!(logged.len(), 2, "{events:?}");
        assert_eq!(logged[0].level, tracing::Level::ERROR);
        assert!(
            logged[0].message.starts_with("panicked at ")
                && logged[0].message.ends_with(": asked to greet \"panic\""),
            "{:?}",
            logged[0]
        );
        assert!(logged[0].message.contains("lib.rs:"), "{:?}", logged[0]);
        assert!(
            logged[1].message.ends_with(": create was told to panic"),
            "{:?}",
            logged[1]
        );
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_panic_goes_to_the_hosts_log_not_its_stderr",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran the test: {stdout}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("asked to greet"),
        "the plugin printed its panic on the host's stderr:\n{stderr}"
    );
}
