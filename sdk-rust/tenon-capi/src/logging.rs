//! Log messages for C hosts: plugins log through `tenon_host.log`, which the
//! Rust host turns into `tracing` events; libtenon installs a `tracing`
//! subscriber of its own, the global default of its copy of `tracing`, that
//! hands those events to the handler the C host set.
//!
//! The subscriber tells `tracing` the most verbose level the handler wants
//! (`max_level_hint`), so a plugin's line above it is dropped by
//! `tenon_host.log`'s atomic level check before it is even decoded, and with
//! no handler every line is: the cheap path stays cheap. An isolated
//! plugin's process learns the same through the interest of Tenon's probe
//! callsites (`register_callsite`), and does not even write such a line.

use crate::boundary::infallible;
use core::ffi::{c_char, c_void};
use std::cell::Cell;
use std::ffi::CString;
use std::fmt::{Debug, Write as _};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;
use tenon::sys::{
    tenon_log_level, TENON_LOG_DEBUG, TENON_LOG_ERROR, TENON_LOG_INFO, TENON_LOG_TRACE,
    TENON_LOG_WARN,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// Receives one log message (`tenon_log_set_handler`).
///
/// `level` is the message's `TENON_LOG_*` level. `plugin` is the name of
/// the plugin that logged it (its metadata name, e.g. `"greeter-c"`), or
/// NULL for a message of libtenon itself (such as the restart of an
/// isolated plugin's process), whose text then names the plugin it is
/// about as `plugin=<name>`. `message` is one message, without a trailing
/// newline. Both strings are NUL-terminated UTF-8 (invalid UTF-8 from a
/// plugin is replaced by U+FFFD, and so is a NUL byte inside a message),
/// borrowed: valid only until the handler returns.
pub type tenon_log_handler = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: tenon_log_level,
        plugin: *const c_char,
        message: *const c_char,
    ),
>;

/// The handler set, with what it was set with.
struct Sink {
    handler: unsafe extern "C" fn(*mut c_void, tenon_log_level, *const c_char, *const c_char),
    user_data: *mut c_void,
    max_level: tenon_log_level,
}

// SAFETY: `user_data` is only handed back to the handler, which the host
// promised may be called on any thread, concurrently
// (`tenon_log_set_handler`).
unsafe impl Send for Sink {}
// SAFETY: as above; nothing in a `Sink` changes after it was made.
unsafe impl Sync for Sink {}

/// The current handler. Locked only to swap it or to take a reference to
/// it, never during a call: each delivery holds its own `Arc`, which is
/// how a change of handler knows when the old one's calls have returned.
static SINK: Mutex<Option<Arc<Sink>>> = Mutex::new(None);

/// The current handler's `max_level` (0 without a handler), what the
/// subscriber answers `tracing`'s level checks with, without a lock.
static MAX_LEVEL: AtomicI32 = AtomicI32::new(0);

thread_local! {
    /// Whether this thread is inside a handler: a message its own calls
    /// into libtenon cause is dropped rather than delivered recursively.
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
}

/// Sets the process-wide log handler: from now on, every message a plugin
/// logs (`tenon_host.log`, in process or from an isolated plugin's child
/// process, including what an isolated plugin writes to its standard
/// output and error, at `TENON_LOG_INFO` and `TENON_LOG_WARN`) and every
/// message of libtenon itself, at `max_level` or more severe, is passed to
/// `handler` with `user_data` (which libtenon never reads). Messages less
/// severe than `max_level` (a greater number) are not delivered, and a
/// plugin in process does not even decode them: without a handler, logging
/// costs it one atomic read (an isolated plugin's process does not write
/// them either, and learns of a new handler at once). A `max_level` below
/// `TENON_LOG_ERROR` delivers nothing; one above `TENON_LOG_TRACE` counts
/// as `TENON_LOG_TRACE`. NULL `handler` removes the handler (the default:
/// messages are dropped). The last call wins.
///
/// The handler may be called from any thread, concurrently: the
/// thread that called into the plugin, threads the plugin started, and
/// libtenon's own threads (which read isolated plugins' output). It may
/// call any libtenon function, including this one; a message logged on the
/// handler's thread while it runs (by a plugin it calls, say) is dropped,
/// never delivered recursively. It must not unwind (a C++ exception or a
/// `longjmp` out of it is undefined behaviour).
///
/// This function may be called from any thread at any time, also while
/// messages are being delivered. When it returns, the previous handler is
/// no longer called, and the calls of it that were in progress have
/// returned, so its `user_data` may be freed - unless it was called from
/// inside a handler, where it does not wait for calls in progress on other
/// threads (they may still be finishing). Because it waits, do not call it
/// while holding a lock that the handler takes.
///
/// Messages reach the handler through a `tracing` subscriber that libtenon
/// makes the global default of the `tracing` it is built with. libtenon as
/// built (`libtenon.so`, `tenon.dll`) has its own; a Rust program that links
/// the `tenon-capi` crate and sets a global subscriber of its own first
/// gets the messages there, and the handler receives none.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_log_set_handler(
    handler: tenon_log_handler,
    user_data: *mut c_void,
    max_level: tenon_log_level,
) {
    infallible((), || set_handler(handler, user_data, max_level));
}

fn set_handler(handler: tenon_log_handler, user_data: *mut c_void, max_level: tenon_log_level) {
    install();
    let max_level = max_level.min(TENON_LOG_TRACE);
    let sink = handler.map(|handler| {
        Arc::new(Sink {
            handler,
            user_data,
            max_level,
        })
    });
    let previous = {
        let mut current = SINK.lock().unwrap_or_else(PoisonError::into_inner);
        MAX_LEVEL.store(
            sink.as_ref().map_or(0, |sink| sink.max_level.max(0)),
            Ordering::Relaxed,
        );
        let previous = std::mem::replace(&mut *current, sink);
        // Recomputes `tracing`'s global maximum level from
        // `max_level_hint`, and tells isolated plugins' processes what to
        // write from now on. Under the lock, with the store: a rebuild
        // reads the level before it walks the callsites and stores
        // `tracing`'s maximum after, so of two concurrent calls the one
        // that stored first could otherwise finish last and leave its
        // level in force (and the interests of whatever callsites it read
        // it for), while the other's handler stays.
        tracing::callsite::rebuild_interest_cache();
        previous
    };
    let Some(previous) = previous else {
        return;
    };
    // Inside a handler, waiting could deadlock: two handlers waiting for
    // each other, or this thread for its own call.
    if DELIVERING.try_with(Cell::get).unwrap_or(true) {
        return;
    }
    // Every delivery in progress holds a clone; new ones can no longer
    // take one. Changing the handler is rare: polling is enough.
    while Arc::strong_count(&previous) > 1 {
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Makes the subscriber libtenon's global default, and registers Tenon's
/// interest probes with it, once. Called before anything is loaded, too:
/// an isolated plugin's output is logged to the subscriber that was the
/// default when it was loaded.
pub(crate) fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Fails only if something else in this copy of `tracing` set one
        // first (libtenon linked into a Rust program that did): then that
        // subscriber gets the events, as in a Rust host.
        let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(Forwarder));
        // Here rather than at the first isolated load, which would ask for
        // their interest outside `SINK`'s lock: a `set_handler` rebuilding
        // meanwhile could set a probe's new interest before the load
        // stored the one it had read before, which would stay until the
        // next change, and isolated children would write (or not) by a
        // handler that is gone. Every `set_handler` passes here before its
        // rebuild, and a registration in progress on another thread holds
        // it here until it ends.
        tenon::isolation::register_interest_probes();
    });
}

/// The `TENON_LOG_*` level of a `tracing` level.
fn tenon_level(level: &Level) -> tenon_log_level {
    match *level {
        Level::ERROR => TENON_LOG_ERROR,
        Level::WARN => TENON_LOG_WARN,
        Level::INFO => TENON_LOG_INFO,
        Level::DEBUG => TENON_LOG_DEBUG,
        _ => TENON_LOG_TRACE,
    }
}

/// The subscriber: forwards Tenon's events (targets `tenon` and
/// `tenon::...`) to the handler, ignores everything else. Tenon makes no
/// spans, so spans are accepted and forgotten.
struct Forwarder;

impl Forwarder {
    /// What `register_callsite` answers.
    fn interest(&self, metadata: &'static Metadata<'static>) -> Interest {
        let target = metadata.target();
        if metadata.name() == tenon::isolation::INTEREST_PROBE {
            // Isolated children ask before writing a line: what the handler
            // does not want now is never written; `set_handler` rebuilds
            // the interests, which asks again.
            if self.enabled(metadata) {
                Interest::sometimes()
            } else {
                Interest::never()
            }
        } else if metadata.is_event() && (target == "tenon" || target.starts_with("tenon::")) {
            // Asked again on every event (`enabled`), as the handler's
            // level changes.
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }
}

impl Subscriber for Forwarder {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        let interest = self.interest(metadata);
        // Between the answer and `tracing` storing it, where a concurrent
        // change of handler could slip in.
        #[cfg(test)]
        tests::gate(metadata);
        interest
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        tenon_level(metadata.level()) <= MAX_LEVEL.load(Ordering::Relaxed)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        use tracing::level_filters::LevelFilter;
        Some(match MAX_LEVEL.load(Ordering::Relaxed) {
            TENON_LOG_ERROR => LevelFilter::ERROR,
            TENON_LOG_WARN => LevelFilter::WARN,
            TENON_LOG_INFO => LevelFilter::INFO,
            TENON_LOG_DEBUG => LevelFilter::DEBUG,
            TENON_LOG_TRACE => LevelFilter::TRACE,
            _ => LevelFilter::OFF,
        })
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        // Events come from plugins' calls and from libtenon's threads: a
        // panic here must reach neither.
        let _ = catch_unwind(AssertUnwindSafe(|| deliver(event)));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// Marks this thread as inside a handler until dropped.
struct Delivering;

impl Delivering {
    /// `None` if this thread already is (or is being torn down).
    fn enter() -> Option<Self> {
        match DELIVERING.try_with(|flag| flag.replace(true)) {
            Ok(false) => Some(Delivering),
            _ => None,
        }
    }
}

impl Drop for Delivering {
    fn drop(&mut self) {
        let _ = DELIVERING.try_with(|flag| flag.set(false));
    }
}

/// Hands one event to the current handler, if it wants its level.
fn deliver(event: &Event<'_>) {
    let metadata = event.metadata();
    let level = tenon_level(metadata.level());
    let Some(_delivering) = Delivering::enter() else {
        return;
    };
    let sink = SINK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(Arc::clone);
    let Some(sink) = sink else {
        return;
    };
    if level > sink.max_level {
        return;
    }
    let mut fields = Fields::default();
    event.record(&mut fields);
    let (plugin, message) = if metadata.target() == "tenon::plugin" {
        // A plugin's own line: its text alone (the `stream` an isolated
        // plugin's raw output came from is its level already).
        (fields.plugin, fields.message)
    } else {
        let mut message = fields.message;
        if let Some(plugin) = fields.plugin {
            let _ = write!(message, " plugin={plugin}");
        }
        message.push_str(&fields.rest);
        (None, message)
    };
    let plugin = plugin.map(c_string);
    let message = c_string(message);
    let plugin_ptr = plugin.as_ref().map_or(core::ptr::null(), |p| p.as_ptr());
    // SAFETY: the host set this function for exactly this signature, to be
    // called from any thread with its `user_data` (`tenon_log_set_handler`);
    // both strings are NUL-terminated and outlive the call.
    unsafe { (sink.handler)(sink.user_data, level, plugin_ptr, message.as_ptr()) };
}

/// `text` as a C string, a NUL inside it replaced by U+FFFD.
fn c_string(text: String) -> CString {
    let text = if text.contains('\0') {
        text.replace('\0', "\u{fffd}")
    } else {
        text
    };
    CString::new(text).unwrap_or_default()
}

/// An event's fields: its message, the plugin it names, and the others as
/// ` name=value`.
#[derive(Default)]
struct Fields {
    message: String,
    plugin: Option<String>,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message.push_str(value),
            "plugin" => self.plugin = Some(value.to_owned()),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            "plugin" => self.plugin = Some(format!("{value:?}")),
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use tracing::level_filters::LevelFilter;

    /// The handler is process-wide: one test at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    /// What a test handler saw.
    #[derive(Default)]
    struct Seen {
        lines: Mutex<Vec<(tenon_log_level, Option<String>, String)>>,
        calls: AtomicUsize,
        in_call: AtomicUsize,
        /// Set once the handler was replaced: a call after that is a bug.
        removed: AtomicBool,
        late_calls: AtomicUsize,
    }

    unsafe extern "C" fn record(
        user_data: *mut c_void,
        level: tenon_log_level,
        plugin: *const c_char,
        message: *const c_char,
    ) {
        // SAFETY: the tests pass a `Seen` that outlives the handler.
        let seen = unsafe { &*user_data.cast::<Seen>() };
        seen.in_call.fetch_add(1, Ordering::SeqCst);
        if seen.removed.load(Ordering::SeqCst) {
            seen.late_calls.fetch_add(1, Ordering::SeqCst);
        }
        seen.calls.fetch_add(1, Ordering::SeqCst);
        let plugin = (!plugin.is_null()).then(|| {
            // SAFETY: libtenon passes NUL-terminated strings, valid for the
            // call.
            unsafe { CStr::from_ptr(plugin) }
                .to_string_lossy()
                .into_owned()
        });
        // SAFETY: as above; never NULL.
        let message = unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        if let Ok(mut lines) = seen.lines.try_lock() {
            if lines.len() < 100 {
                lines.push((level, plugin, message));
            }
        }
        std::thread::yield_now();
        seen.in_call.fetch_sub(1, Ordering::SeqCst);
    }

    fn user_data(seen: &Seen) -> *mut c_void {
        (seen as *const Seen).cast_mut().cast()
    }

    #[test]
    fn delivers_at_the_level_set_and_tells_tracing_that_level() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = Seen::default();
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        // The level `tenon_host.log` checks before decoding anything.
        assert_eq!(LevelFilter::current(), LevelFilter::OFF);
        tracing::error!(target: "tenon::plugin", plugin = "p", "dropped");

        tenon_log_set_handler(Some(record), user_data(&seen), TENON_LOG_INFO);
        assert_eq!(LevelFilter::current(), LevelFilter::INFO);
        tracing::debug!(target: "tenon::plugin", plugin = "p", "too verbose");
        tracing::info!(target: "tenon::plugin", plugin = "p", "a\0line");
        tracing::warn!(target: "tenon", plugin = %"p", code = 3, "restarted");
        tracing::error!(target: "elsewhere", "not Tenon's");
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        assert_eq!(LevelFilter::current(), LevelFilter::OFF);
        tracing::info!(target: "tenon::plugin", plugin = "p", "after removal");

        let lines = seen.lines.lock().unwrap();
        assert_eq!(
            *lines,
            [
                (
                    TENON_LOG_INFO,
                    Some("p".to_owned()),
                    "a\u{fffd}line".to_owned()
                ),
                (TENON_LOG_WARN, None, "restarted plugin=p code=3".to_owned()),
            ]
        );
    }

    /// The thread [`gate`] stops, once, while `tracing` rebuilds interests.
    const GATED: &str = "tenon-log-gated";
    /// Set by the gated thread when it stops; cleared to let it go on.
    static STOPPED: Mutex<Option<bool>> = Mutex::new(None);
    static STOPS: std::sync::Condvar = std::sync::Condvar::new();

    /// The thread [`gate`] stops, once, while it registers an interest
    /// probe.
    const PROBE_GATED: &str = "tenon-log-probe-gated";

    /// Stops the thread named [`GATED`] at the callsite of target
    /// `tenon::gate`, in the middle of a rebuild of interests, or the one
    /// named [`PROBE_GATED`] at an interest probe, until [`STOPPED`] is
    /// cleared: after the subscriber answered, before `tracing` stored the
    /// answer.
    pub(super) fn gate(metadata: &Metadata<'_>) {
        let gated = match std::thread::current().name() {
            Some(GATED) => metadata.target() == "tenon::gate",
            Some(PROBE_GATED) => metadata.name() == tenon::isolation::INTEREST_PROBE,
            _ => false,
        };
        if !gated {
            return;
        }
        let mut stopped = STOPPED.lock().unwrap_or_else(PoisonError::into_inner);
        if stopped.is_some() {
            return;
        }
        *stopped = Some(true);
        STOPS.notify_all();
        while *stopped == Some(true) {
            stopped = STOPS.wait(stopped).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Two calls at once: the first is stopped in its rebuild of interests
    /// (after it read its level), the second runs meanwhile as far as it
    /// can. `tracing`'s maximum level must end as the handler that stays
    /// wants, not as the first call read it.
    #[test]
    fn of_two_racing_calls_the_level_in_force_is_the_last_handlers() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = Seen::default();
        // Registers the gate's callsite, which each rebuild asks again
        // (`tracing` registers a callsite when it is first enabled).
        tenon_log_set_handler(Some(record), user_data(&seen), TENON_LOG_TRACE);
        tracing::info!(target: "tenon::gate", "gate");
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        *STOPPED.lock().unwrap() = None;
        std::thread::scope(|scope| {
            let first = std::thread::Builder::new()
                .name(GATED.to_owned())
                .spawn_scoped(scope, || {
                    tenon_log_set_handler(Some(record), user_data(&seen), TENON_LOG_TRACE)
                })
                .unwrap();
            let mut stopped = STOPPED.lock().unwrap();
            while stopped.is_none() {
                stopped = STOPS.wait(stopped).unwrap();
            }
            drop(stopped);
            let second = scope
                .spawn(|| tenon_log_set_handler(Some(record), user_data(&seen), TENON_LOG_ERROR));
            // Unfixed, the second call ends meanwhile; fixed, it waits for
            // the first.
            let until = std::time::Instant::now() + Duration::from_millis(500);
            while !second.is_finished() && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            *STOPPED.lock().unwrap() = Some(false);
            STOPS.notify_all();
            first.join().unwrap();
            second.join().unwrap();
        });
        let (level, current) = (MAX_LEVEL.load(Ordering::SeqCst), LevelFilter::current());
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        assert_eq!(level, TENON_LOG_ERROR);
        assert_eq!(current, LevelFilter::ERROR);
    }

    /// The first isolated load registers the interest probes while a
    /// handler is set: the registering thread is stopped after it read
    /// that no handler wants anything, the handler is set meanwhile. The
    /// word children follow must end as the handler wants, not as the
    /// registration read it. Nothing else in this process loads an
    /// isolated plugin, so without libtenon's own registration the
    /// stopped thread is the one that registers the probes.
    #[test]
    fn a_handler_set_while_the_interest_probes_register_is_the_one_children_follow() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = Seen::default();
        assert_eq!(MAX_LEVEL.load(Ordering::SeqCst), 0);
        *STOPPED.lock().unwrap() = None;
        std::thread::scope(|scope| {
            // What `tenon_plugin_load` of an isolated plugin does first.
            let load = std::thread::Builder::new()
                .name(PROBE_GATED.to_owned())
                .spawn_scoped(scope, || {
                    install();
                    tenon::isolation::register_interest_probes();
                })
                .unwrap();
            // It stops if it is the one that registers (unless this
            // process registered them before, in another test).
            let mut stopped = STOPPED.lock().unwrap();
            while stopped.is_none() && !load.is_finished() {
                stopped = STOPS
                    .wait_timeout(stopped, Duration::from_millis(1))
                    .unwrap()
                    .0;
            }
            drop(stopped);
            let set = scope
                .spawn(|| tenon_log_set_handler(Some(record), user_data(&seen), TENON_LOG_TRACE));
            // Unfixed, the handler is set and its interests rebuilt
            // meanwhile; fixed, it waits for the registration to end.
            let until = std::time::Instant::now() + Duration::from_millis(500);
            while !set.is_finished() && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            *STOPPED.lock().unwrap() = Some(false);
            STOPS.notify_all();
            load.join().unwrap();
            set.join().unwrap();
        });
        let word = tenon::isolation::interest_word();
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        let levels = [
            TENON_LOG_ERROR,
            TENON_LOG_WARN,
            TENON_LOG_INFO,
            TENON_LOG_DEBUG,
            TENON_LOG_TRACE,
        ];
        // Every level, and lookups (`debug` events).
        let everything = levels.iter().fold(1 << 8, |bits, level| bits | 1 << level);
        assert_eq!(word, everything, "{word:#b}");
        // And removing the handler reaches the probes.
        assert_eq!(tenon::isolation::interest_word(), 0);
    }

    #[test]
    fn levels_out_of_range_are_clamped() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = Seen::default();
        tenon_log_set_handler(Some(record), user_data(&seen), 0);
        assert_eq!(LevelFilter::current(), LevelFilter::OFF);
        tracing::error!(target: "tenon::plugin", plugin = "p", "nothing wanted");
        tenon_log_set_handler(Some(record), user_data(&seen), 99);
        assert_eq!(LevelFilter::current(), LevelFilter::TRACE);
        tracing::trace!(target: "tenon::plugin", plugin = "p", "everything wanted");
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_replaced_handler_is_neither_running_nor_called_again() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let first = Seen::default();
        let second = Seen::default();
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    while !stop.load(Ordering::SeqCst) {
                        tracing::info!(target: "tenon::plugin", plugin = "p", "line");
                    }
                });
            }
            // Stops the loggers also when an assertion below fails.
            struct Stop<'a>(&'a AtomicBool);
            impl Drop for Stop<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::SeqCst);
                }
            }
            let _stop = Stop(&stop);
            for round in 0..200 {
                first.removed.store(false, Ordering::SeqCst);
                tenon_log_set_handler(Some(record), user_data(&first), TENON_LOG_INFO);
                std::thread::yield_now();
                let next = if round % 2 == 0 {
                    Some(record as _)
                } else {
                    None
                };
                tenon_log_set_handler(next, user_data(&second), TENON_LOG_INFO);
                // Returned: no call of the first handler is in progress,
                // and none may start.
                assert_eq!(first.in_call.load(Ordering::SeqCst), 0);
                first.removed.store(true, Ordering::SeqCst);
                std::thread::yield_now();
            }
        });
        tenon_log_set_handler(None, core::ptr::null_mut(), TENON_LOG_TRACE);
        assert_eq!(first.late_calls.load(Ordering::SeqCst), 0);
        assert!(first.calls.load(Ordering::SeqCst) > 0);
        assert!(second.calls.load(Ordering::SeqCst) > 0);
    }
}
