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
//!
//! A library can be unloaded while its statics still point at memory it
//! allocated, which is then lost for good (each load of a new build would
//! lose it again). So nothing here stays allocated once the last instance
//! is destroyed: the hook captures nothing (a `Box` of it allocates
//! nothing), the hook it chains to is kept in a static as `take_hook` gave
//! it (the standard library's default hook, a type of no size, unless the
//! plugin's own code set another first), and the list of live instances'
//! hosts gives its storage back when it empties.

use crate::host::{KeptHost, Level};
use std::cell::Cell;
use std::panic::PanicHookInfo;
use std::sync::{Mutex, OnceLock};
use tenon_interface::boundary;

/// The host tables of the live instances: any of them reaches the host's
/// log, with this plugin's name.
static HOSTS: Mutex<Vec<KeptHost>> = Mutex::new(Vec::new());

thread_local! {
    /// The host of the `create` running on this thread, which has no
    /// instance yet: borrowed from that `create`'s frame ([`creating`]).
    /// A raw pointer and not an owned `KeptHost` because a thread-local
    /// that needs dropping registers a destructor with the C runtime, and
    /// that destructor keeps the plugin's library mapped until the host's
    /// thread exits (docs/unload.md).
    static CREATING: Cell<*const KeptHost> = const { Cell::new(core::ptr::null()) };
}

/// The hook that was there before this plugin's: every panic outside a
/// Tenon boundary goes to it.
type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;
static PREVIOUS: OnceLock<Hook> = OnceLock::new();

/// Installs the hook, once per copy of the plugin's code.
pub(crate) fn install() {
    PREVIOUS.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(hook));
        previous
    });
}

/// The installed hook. A function, not a capturing closure, so that the
/// `Box` `set_hook` keeps is not an allocation the unloaded library would
/// leave behind.
fn hook(info: &PanicHookInfo<'_>) {
    if boundary::inside() {
        let message = boundary::panic_message(info.payload());
        report(&match info.location() {
            Some(location) => format!("panicked at {location}: {message}"),
            None => format!("panicked: {message}"),
        });
    } else if let Some(previous) = PREVIOUS.get() {
        previous(info);
    }
}

/// Runs a `create` with `host` as the one its panic is reported to.
pub(crate) fn creating<R>(host: &KeptHost, body: impl FnOnce() -> R) -> R {
    /// Puts back what was there before (a `create` nested in another one,
    /// through a host service, restores the outer one's host).
    struct Restore(*const KeptHost);
    impl Drop for Restore {
        fn drop(&mut self) {
            CREATING.with(|creating| creating.set(self.0));
        }
    }
    let _restore = Restore(CREATING.with(|creating| creating.replace(host)));
    body()
}

/// Remembers the host of a live instance.
pub(crate) fn instance_created(host: KeptHost) {
    let mut hosts = HOSTS.lock().unwrap_or_else(|e| e.into_inner());
    hosts.retain(|kept| !kept.is_gone());
    hosts.push(host);
}

/// Forgets the hosts of destroyed instances; once none is live, frees the
/// list's storage too: the library may be unloaded next.
pub(crate) fn instance_destroyed() {
    let mut hosts = HOSTS.lock().unwrap_or_else(|e| e.into_inner());
    hosts.retain(|kept| !kept.is_gone());
    if hosts.is_empty() {
        *hosts = Vec::new();
    }
}

/// Sends `text` to the host's log.
fn report(text: &str) {
    let creating = CREATING.with(Cell::get);
    // SAFETY: a non-null pointer was set by `creating` from a reference
    // that outlives its `body`, and is reset before `creating` returns or
    // unwinds; the hook runs on this thread, inside that `body`.
    if let Some(host) = unsafe { creating.as_ref() } {
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tenon_interface::boundary;

    /// The panics the hook that was there before saw.
    static BEFORE_SAW: AtomicUsize = AtomicUsize::new(0);

    // The only test of this crate's unit tests that touches the process's
    // panic hook (there is one hook per process).
    #[test]
    fn only_panics_outside_a_boundary_reach_the_hook_that_was_there_before() {
        std::panic::set_hook(Box::new(|_| {
            BEFORE_SAW.fetch_add(1, Ordering::SeqCst);
        }));
        super::install();
        super::install();
        let outside = std::thread::spawn(|| panic!("outside a boundary")).join();
        assert!(outside.is_err());
        assert_eq!(BEFORE_SAW.load(Ordering::SeqCst), 1);
        let inside = boundary::catch(|| panic!("inside a boundary"));
        assert_eq!(inside, Err::<(), _>("inside a boundary".to_owned()));
        assert_eq!(BEFORE_SAW.load(Ordering::SeqCst), 1);
        drop(std::panic::take_hook());
    }
}
