//! Running a plugin in a child process (`docs/isolation.md`).
//!
//! The child is a program whose `main` starts with [`init`]: the host
//! binary itself (re-executed: `/proc/self/exe` on Linux,
//! `std::env::current_exe()` on macOS and Windows), or a runner named
//! with [`Isolation::runner`]. It must link the crates that declare the
//! interfaces the host uses (their `interface!` declarations register
//! themselves, and the child dispatches calls through them). It receives
//! the plugin file's descriptor (the sealed copy when a checksum was
//! required), loads and verifies it as [`Plugin::load`](crate::Plugin::load)
//! does, and serves calls through shared memory; the host's typed handles
//! reach it through the proxy vtables `interface!` generates for every
//! interface, so code using a handle does not know where the plugin runs.
//!
//! The channel is private to the pair: on Linux a socket pair (the child's
//! end is its standard input) carries the plugin and a sealed `memfd` of
//! call slots; on macOS the same socket carries an unlinked `shm_open`
//! object instead; on Windows anonymous pipes carry the values of handles
//! duplicated into the child (the plugin file, an unnamed section of slots,
//! a pair of unnamed events per slot). Each slot has a state word (`IDLE →
//! REQUEST → (CALLBACK ↔ CALLBACK_REPLY)* → REPLY → IDLE`), slept on
//! through a futex (Linux), `os_sync_wait_on_address` or a socket pair
//! (macOS), or the slot's events (Windows); what differs
//! per platform is in `platform/`. Both sides spin briefly before
//! sleeping, and the child keeps spinning on a slot for
//! [`Isolation::linger`] after each reply, so calls in quick succession cost
//! a few microseconds instead of a process wake-up each.
//!
//! The child dies with the host (on Linux a parent-death signal and a parent
//! check, on Windows a job object that kills it when the host's handle
//! closes, and on all three a watchdog that ends it when the host's end of
//! the channel closes; on macOS the watchdog alone). Its
//! standard output and error, and its `tenon_host.log` messages, become
//! `tracing` events with target `tenon::plugin` and the plugin's name.

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod callback;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod child;
#[cfg(unix)]
mod control;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod frame;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod interest;
mod options;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod platform;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod process;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod shm;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod wait;

pub use options::{Isolation, Restart};

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Set by [`init`]: this program can be a plugin's child process.
static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// The environment variable that marks a process started as a plugin's
/// child.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) const CHILD_ENV: &str = "TENON_ISOLATION_CHILD";
/// The host's process id, which the child checks is its parent.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) const PARENT_ENV: &str = "TENON_ISOLATION_PARENT";
/// What the host and the child must both be besides the protocol's
/// version: tenon's version, marked when a test build swapped the
/// transport (`__macos-transport`), so that a runner built without the swap
/// is refused by name instead of misunderstanding the setup.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
#[cfg(not(all(target_os = "linux", feature = "__macos-transport")))]
pub(crate) const BUILD: &str = env!("CARGO_PKG_VERSION");
#[cfg(all(target_os = "linux", feature = "__macos-transport"))]
pub(crate) const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+macos-transport");

/// Which backend carries this build's isolated calls: `"linux"` (memfd and
/// futex), `"macos"` (also on Linux with the internal `__macos-transport`
/// feature), `"windows"`, or `"none"`. For tenon's own tests.
#[doc(hidden)]
pub const TRANSPORT: &str = if cfg!(any(
    target_os = "macos",
    all(target_os = "linux", feature = "__macos-transport")
)) {
    "macos"
} else if cfg!(target_os = "linux") {
    "linux"
} else if cfg!(windows) {
    "windows"
} else {
    "none"
};

/// The name of the metadata of the callsites an isolating host registers
/// with `tracing` to learn which of its plugins' log lines it would keep:
/// a subscriber whose `register_callsite` answers `sometimes` for all of
/// Tenon's events and decides in `enabled` (libtenon's, for C hosts)
/// answers these by level, so that a child writes no line nothing wants.
#[doc(hidden)]
pub const INTEREST_PROBE: &str = "tenon isolation interest probe";

/// Registers the [`INTEREST_PROBE`] callsites with `tracing`, once per
/// process; the first isolated load does it otherwise. Registering asks the
/// subscribers for the probes' interest outside any lock a subscriber's own
/// rebuild of interests takes, so a rebuild running meanwhile could be
/// overwritten by the older answer (see `interest`). libtenon calls this
/// before each of its rebuilds can start, so that they all come after the
/// registration: a call while another thread registers the probes waits
/// for it to end.
#[doc(hidden)]
pub fn register_interest_probes() {
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    interest::register();
}

/// The interest word the host would push to an isolated child now. For
/// tenon's own tests.
#[doc(hidden)]
pub fn interest_word() -> u32 {
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    return interest::word();
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    0
}

/// How many log and lookup records this host has read from isolated
/// plugins' processes. For tenon's own tests, which check that a child
/// writes none its host would drop.
#[doc(hidden)]
pub fn records_read() -> u64 {
    RECORDS_READ.load(Ordering::Relaxed)
}

#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) static RECORDS_READ: AtomicU64 = AtomicU64::new(0);

/// The version of the host–child protocol, checked at the handshake.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) const PROTOCOL: u32 = 1;

/// Call first thing in `main` of a host that isolates plugins without a
/// separate runner (and in a runner's `main`).
///
/// In the host it returns at once, having noted that the binary can serve
/// as a plugin's child. In a process started as a plugin's child (the
/// environment says so) it never returns: it loads the plugin, serves its
/// calls and exits when the host goes away.
pub fn init() {
    INITIALIZED.store(true, Ordering::Relaxed);
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    if std::env::var_os(CHILD_ENV).is_some() {
        child::main();
    }
}

/// Whether [`init`] has been called in this process.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) fn initialized() -> bool {
    INITIALIZED.load(Ordering::Relaxed)
}

thread_local! {
    /// The deadline of calls made on this thread, set by [`with_deadline`].
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `body` with a deadline on every isolated call it makes on this
/// thread (nested scopes keep the earlier deadline). A call still running
/// at the deadline kills the plugin's process and fails with a
/// [`CallError`](crate::CallError) of kind `timed_out`. Calls to in-process
/// plugins ignore it.
///
/// ```no_run
/// # tenon::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = Vtable;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
/// # #[repr(C)] #[derive(Clone, Copy)] pub struct Vtable { pub struct_size: u32, pub greet: Option<unsafe extern "C" fn(*mut core::ffi::c_void, tenon::sys::tenon_str, *mut tenon::sys::tenon_buffer, *mut tenon::sys::tenon_buffer) -> tenon::sys::tenon_status> }
/// # fn f(greeter: &tenon::Client<dyn Greeter>) {
/// use std::time::Duration;
/// let greeting = tenon::isolation::with_deadline(Duration::from_millis(50), || greeter.greet("x"));
/// # }
/// ```
pub fn with_deadline<R>(timeout: Duration, body: impl FnOnce() -> R) -> R {
    let wanted = Instant::now() + timeout;
    let previous = DEADLINE.with(|d| d.get());
    let effective = match previous {
        Some(earlier) if earlier < wanted => earlier,
        _ => wanted,
    };
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(previous);
    DEADLINE.with(|d| d.set(Some(effective)));
    body()
}

/// The deadline [`with_deadline`] set on this thread, if any.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) fn scoped_deadline() -> Option<Instant> {
    DEADLINE.with(|d| d.get())
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod host;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
pub(crate) use host::{Host, RemoteInstance};
#[cfg(all(test, any(target_os = "linux", target_os = "macos", windows)))]
mod tests;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod unsupported;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub(crate) use unsupported::{Host, RemoteInstance};
