//! Plugin log messages reach the host's `tracing` subscriber with the
//! plugin's name.

mod support;

use support::{capture_events, plugin_event};
use tenon::Plugin;
use tenon_test_plugins::{c_plugin, rust_plugin};

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
