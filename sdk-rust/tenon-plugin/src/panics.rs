//! Where a panic caught at the plugin's boundary is reported.
//!
//! The boundary turns the panic into `TENON_PANIC` with its message, which
//! the host's caller receives. Rust's default panic hook would also print
//! it on the process's standard error — the host's — where a host that
//! logs elsewhere does not look. So the first `create` installs a hook
//! that, for a panic on a thread inside a Tenon boundary
//! ([`boundary::inside`]), sends "panicked at `file:line:col`: `message`"
//! to the host's log (level error, through a live instance's host table)
//! instead of printing it, and hands every other panic to the hook that
//! was there before. A plugin built as a shared library has its own copy
//! of the standard library, so the hook is the plugin's alone and goes
//! away with the library; in a static build (linked into the host) it
//! chains to the host's own hook, which still sees every panic of the
//! host's own code.

use crate::host::{KeptHost, Level};
use std::cell::RefCell;
use std::sync::{Mutex, Once};
use tenon_interface::boundary;

/// The host tables of the live instances: any of them reaches the host's
/// log, with this plugin's name.
static HOSTS: Mutex<Vec<KeptHost>> = Mutex::new(Vec::new());

thread_local! {
    /// The host of the `create` running on this thread, which has no
    /// instance yet.
    static CREATING: RefCell<Option<KeptHost>> = const { RefCell::new(None) };
}

/// Installs the hook, once per copy of the plugin's code.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if boundary::inside() {
                let message = boundary::panic_message(info.payload());
                report(&match info.location() {
                    Some(location) => format!("panicked at {location}: {message}"),
                    None => format!("panicked: {message}"),
                });
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs a `create` with `host` as the one its panic is reported to.
pub(crate) fn creating<R>(host: &KeptHost, body: impl FnOnce() -> R) -> R {
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            CREATING.with(|creating| creating.borrow_mut().take());
        }
    }
    CREATING.with(|creating| *creating.borrow_mut() = Some(host.clone()));
    let _done = Done;
    body()
}

/// Remembers the host of a live instance.
pub(crate) fn instance_created(host: KeptHost) {
    let mut hosts = HOSTS.lock().unwrap_or_else(|e| e.into_inner());
    hosts.retain(|kept| !kept.is_gone());
    hosts.push(host);
}

/// Forgets the hosts of destroyed instances.
pub(crate) fn instance_destroyed() {
    let mut hosts = HOSTS.lock().unwrap_or_else(|e| e.into_inner());
    hosts.retain(|kept| !kept.is_gone());
}

/// Sends `text` to the host's log.
fn report(text: &str) {
    let creating = CREATING.with(|creating| creating.try_borrow().ok().and_then(|c| c.clone()));
    if let Some(host) = creating {
        host.log(Level::Error, text);
        return;
    }
    // `try_lock`: never wait in a panic hook (a panic with the lock held
    // on this thread would otherwise hang).
    let host = HOSTS
        .try_lock()
        .ok()
        .and_then(|hosts| hosts.iter().find(|kept| !kept.is_gone()).cloned());
    if let Some(host) = host {
        host.log(Level::Error, text);
    }
}
