//! Example plugin: `org.tenon.example.greeter` in Rust.
//!
//! Greets in the language named by its configuration text: `en` (the
//! default, also for an empty config) or `fr`.

use tenon_example_interfaces::Greeter;
use tenon_plugin::{CallError, CallResult, Host, Plugin};

/// One greeter instance: which language it greets in.
struct Greeting {
    salutation: &'static str,
}

impl Plugin for Greeting {
    fn create(host: Host<'_>, config: &str) -> CallResult<Self> {
        let salutation = match config.trim() {
            "" | "en" => "Hello",
            "fr" => "Bonjour",
            other => {
                return Err(CallError::invalid_argument(format!(
                    "unknown language {other:?}; expected \"en\" or \"fr\""
                )))
            }
        };
        host.debug(&format!("greeter-rust instance created ({salutation})"));
        Ok(Greeting { salutation })
    }
}

impl Greeter for Greeting {
    fn greet(&self, name: &str) -> CallResult<String> {
        Ok(format!("{}, {name}!", self.salutation))
    }
}

tenon_plugin::export! {
    plugin: Greeting,
    name: "greeter-rust",
    version: env!("CARGO_PKG_VERSION"),
    description: "Greets by name, in English or French",
    thread_safe: true,
    interfaces: [dyn Greeter],
}
