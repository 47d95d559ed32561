//! Plugin log messages reach the host's `tracing` subscriber with the
//! plugin's name.

mod support;

use support::{capture_events, plugin_event};
use tenon::Plugin;
use tenon_test_plugins::{c_fixture, c_plugin, rust_plugin};

#[test]
fn create_logs_reach_tracing_with_the_plugin_name() {
    let c_path = c_plugin("greeter");
    let rust_path = rust_plugin("greeter-rust").unwrap();
    let events = capture_events(|| {
        for path in [&c_path, &rust_path] {
            let plugin = Plugin::load(path).unwrap();
            drop(plugin.instantiate("").unwrap());
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

#[test]
fn a_log_message_that_is_not_utf8_arrives_with_the_byte_replaced() {
    let plugin = Plugin::load(c_fixture("log_invalid_utf8")).unwrap();
    let events = capture_events(|| drop(plugin.instantiate("").unwrap()));
    let event = plugin_event(&events, "fixture-log-invalid-utf8");
    assert_eq!(event.level, tracing::Level::WARN);
    assert_eq!(event.message, "before \u{FFFD} after");
}
