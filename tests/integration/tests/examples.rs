//! Every example plugin, in every language, behaves as its interface says.
//!
//! What every implementation of an interface must do (greetings, CRC-32s,
//! storing and missing keys, instance independence, concurrent calls) the
//! conformance suite (`conformance.rs`) checks for every example plugin;
//! this file checks what the examples' descriptors state and what is
//! particular to one plugin.

mod support;

use support::check_greeter_metadata;
use tenon::{Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_plugin, rust_plugin};

fn greeters() -> Vec<(&'static str, Plugin)> {
    vec![
        (
            "c",
            Plugin::load(c_plugin("greeter")).expect("C greeter loads"),
        ),
        (
            "rust",
            Plugin::load(rust_plugin("greeter-rust").expect("Rust greeter builds"))
                .expect("Rust greeter loads"),
        ),
    ]
}

#[test]
fn greeter_metadata_is_read_from_the_descriptor() {
    for (language, plugin) in greeters() {
        check_greeter_metadata(language, &plugin);
        assert!(plugin.info().interfaces[0].vtable_size >= 16, "{language}");
    }
}

#[test]
fn the_rust_greeter_reads_its_config_and_rejects_unknown_languages() {
    let plugin = Plugin::load(rust_plugin("greeter-rust").unwrap()).unwrap();
    let french = plugin.instantiate("fr").unwrap();
    assert_eq!(
        french
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("monde")
            .unwrap(),
        "Bonjour, monde!"
    );
    let error = plugin
        .instantiate("tlh")
        .expect_err("unknown language is refused");
    assert_eq!(error.kind(), "create_failed");
    match error {
        tenon::Error::CreateFailed {
            status, message, ..
        } => {
            assert_eq!(status, Status::INVALID_ARGUMENT);
            assert!(message.contains("unknown language \"tlh\""), "{message}");
        }
        other => panic!("expected CreateFailed, got {other:?}"),
    }
}

#[test]
fn an_instance_keeps_its_library_loaded_after_the_plugin_is_dropped() {
    let instance = {
        let plugin = Plugin::load(c_plugin("greeter")).unwrap();
        plugin.instantiate("").unwrap()
    };
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("still here").unwrap(), "Hello, still here!");
}
