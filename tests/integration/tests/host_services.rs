//! Plugins call back into interfaces their host offers (`HostServices`), in
//! C and in Rust.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tenon::{CallError, CallResult, HostServices, Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, rust_plugin};

/// The host's own greeter, counting its calls.
struct HostGreeter {
    calls: Arc<AtomicUsize>,
}

impl Greeter for HostGreeter {
    fn greet(&self, name: &str) -> CallResult<String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if name == "nobody" {
            return Err(CallError::not_found("the host knows nobody"));
        }
        Ok(format!("host says hello to {name}"))
    }
}

/// The relay fixtures, each loaded offering `services`.
fn relays(services: &HostServices) -> Vec<Plugin> {
    [c_fixture("relay_c"), rust_plugin("relay-rust").unwrap()]
        .into_iter()
        .map(|path| {
            Plugin::loader()
                .services(services.clone())
                .load(path)
                .unwrap()
        })
        .collect()
}

#[test]
fn a_plugin_calls_the_greeter_its_host_offers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let services = HostServices::new().offer::<dyn Greeter, _>(HostGreeter {
        calls: Arc::clone(&calls),
    });
    for plugin in relays(&services) {
        calls.store(0, Ordering::SeqCst);
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        assert_eq!(
            greeter.greet("Zoë").unwrap(),
            "relayed: host says hello to Zoë",
            "{}",
            plugin.name()
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{}", plugin.name());

        let error = greeter.greet("nobody").unwrap_err();
        assert_eq!(error.status(), Status::NOT_FOUND, "{}", plugin.name());
        assert_eq!(
            error.message(),
            "the host knows nobody",
            "{}",
            plugin.name()
        );
    }
}

#[test]
fn without_an_offer_the_plugin_is_told_not_found() {
    for plugin in relays(&HostServices::new()) {
        match plugin.instantiate("").unwrap_err() {
            tenon::Error::CreateFailed {
                status, message, ..
            } => {
                assert_eq!(status, Status::NOT_FOUND, "{}", plugin.name());
                assert!(message.contains("greeter"), "{}: {message}", plugin.name());
            }
            other => panic!("{}: expected CreateFailed, got {other:?}", plugin.name()),
        }
    }
}

#[test]
fn services_list_what_they_offer_and_replace_same_id_offers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let services = HostServices::new()
        .offer::<dyn Greeter, _>(HostGreeter {
            calls: Arc::clone(&calls),
        })
        .offer::<dyn Greeter, _>(HostGreeter { calls });
    assert_eq!(
        services.offered().collect::<Vec<_>>(),
        [("org.tenon.example.greeter", 1)]
    );
}

/// The plugin is the caller of the host's interface, so it may lend buffers
/// of its own (isolated: `isolated_basics.rs`, which valgrind cannot run).
#[test]
fn a_plugin_lends_the_host_service_buffers_of_its_own() {
    let plugin = Plugin::loader()
        .services(support::hostile::host_greeter())
        .load(c_fixture("relay_own_buffer"))
        .unwrap();
    support::hostile::check_relay_own_buffer(&plugin);
}
