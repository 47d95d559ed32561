//! Plugin log messages reach the host's `tracing` subscriber with the
//! plugin's name.

use std::sync::{Arc, Mutex};
use tenon::Plugin;
use tenon_example_plugins::{c_plugin, rust_plugin};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// One event as the host's subscriber saw it.
#[derive(Debug)]
struct Event {
    target: String,
    level: tracing::Level,
    plugin: String,
    message: String,
}

#[derive(Default, Clone)]
struct Captured(Arc<Mutex<Vec<Event>>>);

struct Fields {
    plugin: String,
    message: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "plugin" {
            self.plugin = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "plugin" => self.plugin = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields {
            plugin: String::new(),
            message: String::new(),
        };
        event.record(&mut fields);
        let meta = event.metadata();
        self.0.lock().unwrap().push(Event {
            target: meta.target().to_owned(),
            level: *meta.level(),
            plugin: fields.plugin,
            message: fields.message,
        });
    }
}

#[test]
fn create_logs_reach_tracing_with_the_plugin_name() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let c_path = c_plugin("greeter");
    let rust_path = rust_plugin("greeter-rust").unwrap();
    tracing::subscriber::with_default(subscriber, || {
        for path in [&c_path, &rust_path] {
            let plugin = Plugin::load(path).unwrap();
            drop(plugin.instantiate("").unwrap());
        }
    });
    let events = captured.0.lock().unwrap();
    for name in ["greeter-c", "greeter-rust"] {
        let event = events
            .iter()
            .find(|event| event.target == "tenon::plugin" && event.plugin == name)
            .unwrap_or_else(|| panic!("no log event from {name}: {events:?}"));
        assert_eq!(event.level, tracing::Level::DEBUG, "{name}");
        assert!(
            event.message.contains("instance created"),
            "{name}: {event:?}"
        );
    }
}
