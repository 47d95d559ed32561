//! What a plugin tells its host while a step runs: its `tenon_host.log`
//! lines, its printed lines when it is isolated (the isolation machinery
//! forwards them), and the host services it looked up
//! (`tenon_host.get_interface`). The `tenon` crate reports all of them as
//! `tracing` events (targets `tenon::plugin` and `tenon::host`); a
//! subscriber collects them here, and each step takes what arrived during
//! it.

use std::fmt::{Debug, Write as _};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// The most log lines one step keeps: a plugin that logs on every call
/// (thousands in `threads`) must not bury the report.
const LINES_KEPT: usize = 40;

/// One host-service lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The interface id the plugin asked for.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// Whether the check offered it.
    pub offered: bool,
}

/// What arrived during one step.
#[derive(Default)]
pub struct Captured {
    /// `plugin log | LEVEL: …` and, isolated, `plugin stdout | …` lines.
    pub lines: Vec<String>,
    /// Lines past [`LINES_KEPT`], counted only.
    pub dropped: usize,
    /// Every distinct lookup, in the order first made.
    pub lookups: Vec<Lookup>,
}

static CAPTURED: Mutex<Option<Captured>> = Mutex::new(None);

/// Starts collecting in this process (once; later calls do nothing). An
/// application's checker that set its own global subscriber first keeps
/// it, and its reports then show no plugin log lines.
pub fn start() {
    *CAPTURED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Captured::default());
    let _ = tracing::subscriber::set_global_default(Collector);
}

/// Everything collected since the last call.
pub fn take() -> Captured {
    CAPTURED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_mut()
        .map(std::mem::take)
        .unwrap_or_default()
}

struct Collector;

impl Subscriber for Collector {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.is_event() && matches!(metadata.target(), "tenon::plugin" | "tenon::host") {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        matches!(metadata.target(), "tenon::plugin" | "tenon::host")
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut captured = CAPTURED.lock().unwrap_or_else(|e| e.into_inner());
        let Some(captured) = captured.as_mut() else {
            return;
        };
        if event.metadata().target() == "tenon::host" {
            let (Some(id), Some(version)) = (fields.interface, fields.version) else {
                return;
            };
            let lookup = Lookup {
                id,
                version,
                offered: fields.offered.unwrap_or(false),
            };
            if !captured.lookups.contains(&lookup) {
                captured.lookups.push(lookup);
            }
            return;
        }
        let line = match fields.stream.as_deref() {
            Some(stream) => format!("plugin {stream} | {}", fields.message),
            None => format!(
                "plugin log | {}: {}",
                level_name(event.metadata().level()),
                fields.message
            ),
        };
        if captured.lines.len() < LINES_KEPT {
            captured.lines.push(line);
        } else {
            captured.dropped += 1;
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// `error`, `warn`, `info`, `debug`, `trace`: plugin.h's level names.
fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    stream: Option<String>,
    interface: Option<String>,
    version: Option<u32>,
    offered: Option<bool>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message.push_str(value),
            "stream" => self.stream = Some(value.to_owned()),
            "interface" => self.interface = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "version" {
            self.version = u32::try_from(value).ok();
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "offered" {
            self.offered = Some(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        }
    }
}
