//! A Rust plugin that panics returns an error; the host goes on.

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
