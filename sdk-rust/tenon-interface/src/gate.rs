//! Who may call through a [`Client`](crate::Client) right now: the check
//! made before every call, for the two kinds of callee whose rules the type
//! system cannot keep alone.
//!
//! - An instance that is not thread-safe must not be re-entered from the
//!   thread already calling it (a host service calling back into it, say):
//!   a busy flag, checked and set around each call, refuses that with a
//!   `reentrant_call` error. `!Sync` already stops other threads.
//! - A host table kept by a plugin must not be called once its instance is
//!   destroyed: a [`CallGuard`] counts the calls in flight, refuses new ones
//!   after [`CallGuard::close`] with an `instance_destroyed` error, and
//!   `close` waits for those in flight.
//!
//! A thread-safe instance needs neither and pays nothing but one branch.

use crate::CallError;
use std::cell::{Cell, RefCell};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The check a client makes around each call.
pub(crate) enum Gate {
    /// Nothing to check (a thread-safe instance).
    Open,
    /// A non-thread-safe instance's busy flag, owned by the host's instance,
    /// which outlives the client.
    Exclusive(*const Cell<bool>),
    /// The guard of a host table a plugin kept.
    Guarded(Arc<CallGuard>),
}

impl Gate {
    #[inline]
    pub(crate) fn enter(&self) -> Result<Entered<'_>, CallError> {
        match self {
            Gate::Open => {}
            Gate::Exclusive(busy) => {
                // SAFETY: the flag outlives the client (`Client::exclusive`),
                // and a `Cell` is only used from the one thread the client
                // is confined to.
                let busy = unsafe { &**busy };
                if busy.replace(true) {
                    return Err(CallError::reentrant_call(
                        "the instance is not thread-safe and is already in a call on this thread (a re-entrant call)",
                    ));
                }
            }
            Gate::Guarded(guard) => guard.enter()?,
        }
        Ok(Entered { gate: self })
    }
}

/// A call in progress; leaving the gate when dropped.
pub struct Entered<'a> {
    gate: &'a Gate,
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        match self.gate {
            Gate::Open => {}
            // SAFETY: as in `Gate::enter`.
            Gate::Exclusive(busy) => unsafe { (**busy).set(false) },
            Gate::Guarded(guard) => guard.leave(),
        }
    }
}

/// Counts the calls made through a host table a plugin kept, so that the
/// instance's destroy can refuse new ones and wait for those in flight.
///
/// Shared (in an `Arc`) by everything a plugin keeps from its host.
#[derive(Debug, Default)]
pub struct CallGuard {
    state: Mutex<State>,
    drained: Condvar,
}

#[derive(Debug, Default)]
struct State {
    closed: bool,
    in_flight: usize,
}

thread_local! {
    /// The guards this thread is inside a call of, innermost last: `close`
    /// called from within such a call (a host service that destroys the
    /// instance calling it) must not wait for the call it is part of.
    static ENTERED: RefCell<Vec<*const CallGuard>> = const { RefCell::new(Vec::new()) };
}

impl CallGuard {
    /// A guard that lets calls through until it is closed.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the lock is held; a poisoned lock still has a
        // consistent state.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a call; fails once the guard is closed.
    pub fn enter(&self) -> Result<(), CallError> {
        let mut state = self.lock();
        if state.closed {
            return Err(CallError::instance_destroyed(
                "the instance this host table was given to has been destroyed",
            ));
        }
        state.in_flight += 1;
        drop(state);
        ENTERED.with(|entered| entered.borrow_mut().push(self));
        Ok(())
    }

    /// Ends a call started by a successful [`CallGuard::enter`].
    pub fn leave(&self) {
        ENTERED.with(|entered| {
            let mut entered = entered.borrow_mut();
            if let Some(at) = entered.iter().rposition(|&g| core::ptr::eq(g, self)) {
                entered.remove(at);
            }
        });
        let mut state = self.lock();
        state.in_flight -= 1;
        if state.closed {
            self.drained.notify_all();
        }
    }

    /// Refuses every later call and waits until the calls in flight have
    /// returned, except those this thread is itself inside.
    pub fn close(&self) {
        let own = ENTERED.with(|entered| {
            entered
                .borrow()
                .iter()
                .filter(|&&g| core::ptr::eq(g, self))
                .count()
        });
        let mut state = self.lock();
        state.closed = true;
        while state.in_flight > own {
            state = self
                .drained
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Whether [`CallGuard::close`] has been called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn close_refuses_new_calls_and_waits_for_those_in_flight() {
        let guard = CallGuard::new();
        guard.enter().unwrap();
        let (started, wait) = mpsc::channel();
        let worker = {
            let guard = Arc::clone(&guard);
            thread::spawn(move || {
                guard.enter().unwrap();
                started.send(()).unwrap();
                thread::sleep(Duration::from_millis(50));
                guard.leave();
            })
        };
        wait.recv().unwrap();
        guard.leave();
        guard.close();
        // `close` returned, so the worker's call has returned too.
        assert_eq!(guard.lock().in_flight, 0);
        assert!(guard.enter().unwrap_err().kind_name() == "instance_destroyed");
        worker.join().unwrap();
    }

    #[test]
    fn close_from_inside_a_call_does_not_wait_for_itself() {
        let guard = CallGuard::new();
        guard.enter().unwrap();
        guard.close();
        guard.leave();
        assert!(guard.is_closed());
    }

    #[test]
    fn the_busy_flag_refuses_reentry() {
        let busy = Cell::new(false);
        let gate = Gate::Exclusive(&busy);
        let outer = gate.enter().unwrap();
        let error = gate.enter().err().unwrap();
        assert_eq!(error.kind_name(), "reentrant_call");
        drop(outer);
        assert!(gate.enter().is_ok());
    }
}
