//! An isolated plugin's log messages, and what it prints, reach the host's
//! `tracing` subscriber with the plugin's name.
// Where process isolation is implemented (docs/isolation.md); elsewhere
// `tests/isolation.rs` checks the clean `isolation_unsupported`.
#![cfg(any(target_os = "linux", target_os = "windows"))]

mod support;

use support::{capture_events, plugin_event};
use tenon::isolation::Isolation;
use tenon::Plugin;
use tenon_test_plugins::{c_plugin, isolation_runner, rust_plugin};

#[test]
fn an_isolated_plugins_logs_reach_tracing_with_its_name_and_level() {
    let runner = isolation_runner().expect("the test runner builds");
    let c_path = c_plugin("greeter");
    let rust_path = rust_plugin("greeter-rust").unwrap();
    let events = capture_events(|| {
        for path in [&c_path, &rust_path] {
            let plugin = Plugin::loader()
                .isolated(Isolation::new().runner(&runner))
                .load(path)
                .unwrap();
            drop(plugin.instantiate("").unwrap());
            // The record travels on the child's standard error, beside the
            // reply: give the reader a moment.
            std::thread::sleep(std::time::Duration::from_millis(1000));
        }
    });
    for name in ["greeter-c", "greeter-rust"] {
        let event = plugin_event(&events, name);
        assert_eq!(event.level, tracing::Level::DEBUG, "{name}");
        assert!(
            event.message.contains("instance created"),
            "{name}: {event:?}"
        );
    }
}
