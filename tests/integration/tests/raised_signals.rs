//! A SIGSEGV or SIGBUS the plugin raises itself is not a fault
//! (docs/isolation.md, "The fault model"): a Rust program, the host and the
//! isolation child alike, has the standard library's handler for both
//! signals, which looks for a stack overflow, finds none, puts the default
//! action back and returns. So the first `raise(SIGSEGV)` returns into the
//! plugin and its call succeeds; only the next one kills the child
//! (`crashed`). `abort()` ends it the first time. The fixture is
//! `tests/fixtures/fault_raise_segv.c`.
//!
//! The in-process test leaves this test binary's SIGSEGV action at its
//! default, which no other test here depends on.

#![cfg(target_os = "linux")]

use tenon::isolation::Isolation;
use tenon::{Fault, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, isolation_runner};

const SIGBUS: i32 = 7;
const SIGSEGV: i32 = 11;
const SIGABRT: i32 = 6;

fn isolated_greeter_instance() -> tenon::Instance {
    let plugin = Plugin::loader()
        .isolated(Isolation::new().runner(isolation_runner().expect("the test runner builds")))
        .load(c_fixture("fault_raise_segv"))
        .unwrap();
    plugin.instantiate("").unwrap()
}

fn crash_signal(error: &tenon::CallError) -> Option<i32> {
    match error.fault() {
        Some(Fault::Crashed { signal, .. }) => *signal,
        _ => None,
    }
}

#[test]
fn isolated_a_raised_segv_or_bus_returns_the_first_time_and_kills_the_second() {
    for (name, signal) in [("segv", SIGSEGV), ("bus", SIGBUS)] {
        let instance = isolated_greeter_instance();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        let survived = greeter.greet(name).unwrap_or_else(|error| {
            panic!("the first raise of {name} was expected to return, but: {error}")
        });
        assert_eq!(survived, format!("survived SIG{}", name.to_uppercase()));
        let error = greeter.greet(name).unwrap_err();
        assert_eq!(error.kind_name(), "crashed", "{error}");
        assert_eq!(crash_signal(&error), Some(signal), "{error}");
    }
}

#[test]
fn isolated_abort_crashes_the_first_time() {
    let instance = isolated_greeter_instance();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("abort").unwrap_err();
    assert_eq!(error.kind_name(), "crashed", "{error}");
    assert_eq!(crash_signal(&error), Some(SIGABRT), "{error}");
}

#[test]
fn in_process_a_raised_segv_returns_into_the_plugin() {
    let plugin = Plugin::load(c_fixture("fault_raise_segv")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    // Only once: the second would kill this test process.
    assert_eq!(greeter.greet("segv").unwrap(), "survived SIGSEGV");
}
