//! An isolated plugin's process writes the log lines and lookup records its
//! host would keep, and only those, as the host's interest changes after
//! the plugin was loaded.
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
use tracing_subscriber::layer::SubscriberExt;

#[test]
fn a_child_writes_the_records_its_host_would_keep_as_that_changes() {
    let runner = isolation_runner().expect("the test runner builds");
    let (filter, level) = tracing_subscriber::reload::Layer::new(LevelFilter::OFF);
    let captured = support::Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(filter)
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
    // The records travel on the children's standard error, beside the
    // replies: give the readers a moment (and time to read any extra).
    std::thread::sleep(std::time::Duration::from_millis(1000));
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
