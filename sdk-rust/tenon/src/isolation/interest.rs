//! Which of an isolated child's records the host would keep: a word in the
//! shared memory ([`Shm::interest`]) the child reads before it writes a
//! log line or a lookup to its standard error, so that a plugin logging or
//! looking a service up on every call pays no write(2) for records the
//! host would drop.
//!
//! The host's interest can change at any time (a subscriber set after the
//! plugin was loaded, a C host's `tenon_log_set_handler`, a reloaded
//! filter), also while the plugin logs from its own threads with no call
//! in flight, so the word is pushed when it changes rather than refreshed
//! at each call. `tracing` tells every registered callsite its new interest
//! whenever it recomputes them (a dispatcher registered, or
//! `rebuild_interest_cache`), so this module registers one probe callsite
//! per kind of record, with the target, level and fields of the events the
//! host makes of it, and its `set_interest` republishes the word to every
//! live child. `LevelFilter::current()`, which the in-process path reads,
//! cannot serve: `tracing` updates it only after the callsites, so it is
//! stale exactly when the probes learn of a change. A probe that is never
//! enabled is one the forwarding thread's own callsites are never enabled
//! for either; one that may be (`sometimes`, `always`) is written, and the
//! host's subscriber has the last word, as in process.
//!
//! Registering a probe is a rebuild of its interest alone, which races
//! any other rebuild: `tracing_core::callsite::register` adds the probe to
//! the list that rebuilds walk, then asks the subscribers and calls
//! `set_interest` with their answer, taking no lock a rebuild takes. A
//! rebuild (`rebuild_interest_cache` after the subscriber changed its
//! mind) that starts after the probe joined the list, and after the
//! registering thread read the subscriber's old state, sets the new
//! interest first; the registration's older answer lands last and stays
//! until the next rebuild: a level the host wants is not written by any
//! child, or one it dropped is written for nothing. Only the first
//! isolated load registers the probes, so only a change racing it can do
//! that. libtenon registers them before its first rebuild
//! ([`register`] waits for a registration in progress, so every later
//! rebuild comes after it and has the last word). A Rust host that
//! changes its subscriber's interest from another thread while its first
//! isolated plugin loads keeps the race, which `tracing`'s own callsites
//! have as well when they are first hit during a rebuild: Tenon cannot
//! take the lock such a host's rebuild may be under.
//!
//! A host whose `tracing` has its `log` feature and that never set a
//! `tracing` dispatcher gets the events as `log` records instead: `tracing`
//! forwards an event to the `log` logger while
//! `tracing::dispatcher::has_been_set()` is false, if its level is at most
//! `log::max_level()` (and `log::STATIC_MAX_LEVEL`) and the logger's
//! `enabled` says yes. No probe learns of that, so the word also has the
//! bits of the levels `log::max_level()` lets through while no dispatcher
//! was ever set, as the in-process path (`host_table::log`) asks the same.
//! `log` says nothing when its level changes: the host reads it again
//! before every request it makes to a child ([`follow_log`], two atomic
//! loads), at load and when the probes' interest changes, so a plugin
//! learns of a `log::set_max_level` at its next call (a plugin logging
//! from its own thread between calls, at the host's next request to it).
//! The reading threads set no default dispatcher when none was ever set,
//! which would end that forwarding for the whole process. Which features
//! `tracing` was built with cannot be seen from here: a host with a `log`
//! logger whose `tracing` lacks `log` gets these lines written and then
//! dropped, as the in-process path decodes them for nothing; `log-always`
//! (forwarding with a dispatcher set too) is followed by neither.

use super::shm::Shm;
use crate::sys;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Once, Weak};
use tracing_core::callsite::{self, Callsite};
use tracing_core::field::FieldSet;
use tracing_core::metadata::Kind;
use tracing_core::subscriber::Interest;
use tracing_core::{Level, Metadata};

/// The bit of a log record at `level` (a raw `tenon_log_level`, mapped as
/// the host maps it: an unknown level is logged as info).
pub(crate) fn log_bit(level: i64) -> u32 {
    let level = match level {
        l if l == i64::from(sys::TENON_LOG_ERROR) => sys::TENON_LOG_ERROR,
        l if l == i64::from(sys::TENON_LOG_WARN) => sys::TENON_LOG_WARN,
        l if l == i64::from(sys::TENON_LOG_DEBUG) => sys::TENON_LOG_DEBUG,
        l if l == i64::from(sys::TENON_LOG_TRACE) => sys::TENON_LOG_TRACE,
        _ => sys::TENON_LOG_INFO,
    };
    1 << level
}

/// The bit of `get_interface` lookup records.
pub(crate) const LOOKUPS: u32 = 1 << 8;

/// The bits of the probes `tracing` last said may be enabled.
static WANTED: AtomicU32 = AtomicU32::new(0);

/// The bits of the records a `log` logger would get, as last pushed.
static LOG_WANTED: AtomicU32 = AtomicU32::new(0);

/// The live children's regions, to push the word to.
static LIVE: Mutex<Vec<Weak<Shm>>> = Mutex::new(Vec::new());

/// The bits of the records `tracing` would forward to the `log` logger (its
/// `log` feature): none once a dispatcher was set.
fn log_wanted() -> u32 {
    if tracing::dispatcher::has_been_set() {
        return 0;
    }
    let max = log::max_level().min(log::STATIC_MAX_LEVEL);
    [
        (log::Level::Error, 1 << sys::TENON_LOG_ERROR),
        (log::Level::Warn, 1 << sys::TENON_LOG_WARN),
        (log::Level::Info, 1 << sys::TENON_LOG_INFO),
        // Lookups are `debug` events.
        (log::Level::Debug, (1 << sys::TENON_LOG_DEBUG) | LOOKUPS),
        (log::Level::Trace, 1 << sys::TENON_LOG_TRACE),
    ]
    .into_iter()
    .filter(|(level, _)| *level <= max)
    .fold(0, |bits, (_, bit)| bits | bit)
}

/// Pushes the word to every live child, `live` being [`LIVE`] locked: read
/// under the lock, so that of two changes made meanwhile the last store is
/// right.
fn push(live: &mut Vec<Weak<Shm>>) {
    LOG_WANTED.store(log_wanted(), Ordering::SeqCst);
    let word = WANTED.load(Ordering::SeqCst) | LOG_WANTED.load(Ordering::SeqCst);
    live.retain(|shm| match shm.upgrade() {
        Some(shm) => {
            shm.set_interest(word);
            true
        }
        None => false,
    });
}

/// Pushes the word again if what the `log` logger would get changed since
/// it was last pushed (`log::set_max_level`, or a dispatcher set): called
/// before every request to a child, so cheap when nothing changed.
pub(crate) fn follow_log() {
    if log_wanted() != LOG_WANTED.load(Ordering::Relaxed) {
        push(&mut LIVE.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

struct Probe {
    bit: u32,
    metadata: &'static Metadata<'static>,
}

impl Callsite for Probe {
    fn set_interest(&self, interest: Interest) {
        if interest.is_never() {
            WANTED.fetch_and(!self.bit, Ordering::SeqCst);
        } else {
            WANTED.fetch_or(self.bit, Ordering::SeqCst);
        }
        push(&mut LIVE.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn metadata(&self) -> &Metadata<'_> {
        self.metadata
    }
}

/// A probe and its metadata: `$target`, `$level` and `$fields` are those of
/// the events the host makes of the records (`process::forward`,
/// `host_table::lookup`).
macro_rules! probe {
    ($probe:ident, $meta:ident, $bit:expr, $target:literal, $level:expr, $fields:expr) => {
        static $probe: Probe = Probe {
            bit: $bit,
            metadata: &$meta,
        };
        static $meta: Metadata<'static> = Metadata::new(
            super::INTEREST_PROBE,
            $target,
            $level,
            Some(file!()),
            Some(line!()),
            Some(module_path!()),
            FieldSet::new($fields, tracing_core::identify_callsite!(&$probe)),
            Kind::EVENT,
        );
    };
}

/// A log record's fields, and `stream`, which a printed line's event has
/// besides: a filter that asks for either field may want the probe, which
/// also keeps a drop waiting for the printed lines such a filter keeps.
const LOG_FIELDS: &[&str] = &["message", "plugin", "stream"];
probe!(
    ERROR,
    ERROR_META,
    1 << sys::TENON_LOG_ERROR,
    "tenon::plugin",
    Level::ERROR,
    LOG_FIELDS
);
probe!(
    WARN,
    WARN_META,
    1 << sys::TENON_LOG_WARN,
    "tenon::plugin",
    Level::WARN,
    LOG_FIELDS
);
probe!(
    INFO,
    INFO_META,
    1 << sys::TENON_LOG_INFO,
    "tenon::plugin",
    Level::INFO,
    LOG_FIELDS
);
probe!(
    DEBUG,
    DEBUG_META,
    1 << sys::TENON_LOG_DEBUG,
    "tenon::plugin",
    Level::DEBUG,
    LOG_FIELDS
);
probe!(
    TRACE,
    TRACE_META,
    1 << sys::TENON_LOG_TRACE,
    "tenon::plugin",
    Level::TRACE,
    LOG_FIELDS
);
probe!(
    LOOKUP,
    LOOKUP_META,
    LOOKUPS,
    "tenon::host",
    Level::DEBUG,
    &["message", "plugin", "interface", "version", "offered"]
);

/// Registers the probes, once; a call while another registers them waits
/// for it to end, which is what makes a rebuild that follows it the last
/// word (module docs).
pub(crate) fn register() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        for probe in [&ERROR, &WARN, &INFO, &DEBUG, &TRACE, &LOOKUP] {
            callsite::register(probe);
        }
    });
}

/// The word as it would be pushed now.
pub(crate) fn word() -> u32 {
    WANTED.load(Ordering::SeqCst) | log_wanted()
}

/// Keeps `shm`'s word up to date from now on, starting with the present
/// interest. Called on the thread that loads the plugin: with a single
/// dispatcher, `tracing` asks the current thread's, which there is the one
/// the child's output is forwarded to (unless libtenon registered the
/// probes first, on its own thread, whose default is the global one its
/// children's output goes to anyway).
pub(crate) fn watch(shm: &Arc<Shm>) {
    register();
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    live.push(Arc::downgrade(shm));
    push(&mut live);
}
