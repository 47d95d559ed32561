//! A host that listens to plugins through a `log` logger only (no `tracing`
//! subscriber; `tracing`'s `log` feature forwards its events to `log` while
//! none was ever set) gets an isolated plugin's log lines as it gets an
//! in-process plugin's, at the `log` level it sets, also one set after the
//! plugin was loaded; the child writes none the level drops.
//!
//! One test in this file on purpose: the `log` logger and its level are
//! process-wide, and no `tracing` subscriber may ever be set here.
// Where process isolation is implemented (docs/isolation.md).
#![cfg(any(target_os = "linux", target_os = "windows"))]

use std::sync::Mutex;
use tenon::isolation::{records_read, Isolation};
use tenon::Plugin;
use tenon_test_plugins::{c_plugin, isolation_runner};

/// The records the logger got: level, target, message.
static RECORDS: Mutex<Vec<(log::Level, String, String)>> = Mutex::new(Vec::new());

struct Collect;

impl log::Log for Collect {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }

    fn flush(&self) {}
}

/// The records of the greeter's create ("instance created", at debug).
fn created() -> usize {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|(level, target, message)| {
            *level == log::Level::Debug
                && target == "tenon::plugin"
                && message.contains("instance created")
        })
        .count()
}

#[test]
fn a_log_only_host_gets_an_isolated_plugins_lines_at_its_log_level() {
    static LOGGER: Collect = Collect;
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    let runner = isolation_runner().expect("the test runner builds");
    let path = c_plugin("greeter");
    let before = records_read();

    // Below the level: not even written by the child.
    let plugin = Plugin::loader()
        .isolated(Isolation::new().runner(&runner))
        .load(&path)
        .unwrap();
    drop(plugin.instantiate("").unwrap());
    // A level set after the load reaches the child before its next create.
    log::set_max_level(log::LevelFilter::Debug);
    drop(plugin.instantiate("").unwrap());
    // Dropping the plugin delivers its lines: no sleep.
    drop(plugin);
    assert_eq!(records_read() - before, 1);
    assert_eq!(created(), 1, "{:?}", RECORDS.lock().unwrap());

    // Loaded at debug from the start.
    let plugin = Plugin::loader()
        .isolated(Isolation::new().runner(&runner))
        .load(&path)
        .unwrap();
    drop(plugin.instantiate("").unwrap());
    drop(plugin);
    assert_eq!(created(), 2, "{:?}", RECORDS.lock().unwrap());

    // In process too, after isolated loads (whose reading threads must not
    // have set a `tracing` default, which would end the forwarding).
    let plugin = Plugin::load(&path).unwrap();
    drop(plugin.instantiate("").unwrap());
    assert_eq!(created(), 3, "{:?}", RECORDS.lock().unwrap());
    assert!(!tracing::dispatcher::has_been_set());
}
