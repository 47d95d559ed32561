//! An isolated plugin's process writes the log lines and lookup records its
//! host would keep, and only those, as the host's interest changes after
//! the plugin was loaded; dropping the plugin delivers all of them.
//!
//! One test in this file on purpose: which records a host would keep is
//! process-wide (every subscriber counts), so no other test may set one
//! meanwhile.
// Where process isolation is implemented (docs/isolation.md).
#![cfg(any(target_os = "linux", target_os = "windows"))]

mod support;

use tenon::isolation::{records_read, Isolation};
use tenon::Plugin;
use tenon_test_plugins::{c_fixture, c_plugin, isolation_runner};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// A subscriber slow to take the plugins' events, so that they are still
/// being read when the plugins are dropped.
struct Slow;

impl<S: tracing::Subscriber> Layer<S> for Slow {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if matches!(event.metadata().target(), "tenon::plugin" | "tenon::host") {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

#[test]
fn a_child_writes_the_records_its_host_would_keep_as_that_changes() {
    let runner = isolation_runner().expect("the test runner builds");
    let (filter, level) = tracing_subscriber::reload::Layer::new(LevelFilter::OFF);
    let captured = support::Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(filter)
        .with(Slow)
        .with(captured.clone());
    let _default = tracing::subscriber::set_default(subscriber);
    let load = |path| {
        Plugin::loader()
            .services(support::hostile::host_greeter())
            .isolated(Isolation::new().runner(&runner))
            .load(path)
            .unwrap()
    };
    // Each create: the greeter logs a debug line, the relay looks the
    // host's greeter up (a debug event in the host), the last one logs a
    // warning from a thread of its own, with no call in flight.
    let plugins = [
        load(c_plugin("greeter")),
        load(c_fixture("relay_c")),
        load(c_fixture("log_from_own_thread")),
    ];
    let create = |times: usize| {
        for _ in 0..times {
            for plugin in &plugins {
                drop(plugin.instantiate("").unwrap());
            }
        }
    };
    let before = records_read();
    // Nothing wants them: none is written.
    create(5);
    // A level set after the plugins were loaded: the warnings are written
    // from now on, the debug lines still not.
    level.reload(LevelFilter::INFO).unwrap();
    create(2);
    level.reload(LevelFilter::DEBUG).unwrap();
    create(3);
    // Dropping them waits for the rest of their output: no sleep.
    drop(plugins);
    assert_eq!(records_read() - before, 2 + 3 * 3);
    let events = captured.take();
    let count =
        |wanted: &dyn Fn(&support::Event) -> bool| events.iter().filter(|e| wanted(e)).count();
    let created = count(&|e| e.plugin == "greeter-c" && e.message.contains("instance created"));
    let lookups = count(&|e| e.target == "tenon::host");
    let own_thread = count(&|e| e.message.contains("logged from the plugin's own thread"));
    assert_eq!((created, lookups, own_thread), (3, 3, 5), "{events:#?}");
}
