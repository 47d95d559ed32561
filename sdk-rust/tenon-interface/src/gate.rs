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
use std::cell::Cell;
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

/// One call through a guard that this thread is inside.
struct Entry {
    guard: *const CallGuard,
    outer: *mut Entry,
}

thread_local! {
    /// The calls through guards this thread is inside, innermost first:
    /// `close` called from within such a call (a host service that destroys
    /// the instance calling it) must not wait for the call it is part of.
    ///
    /// A list of heap entries under a raw pointer rather than a `Vec`:
    /// a thread-local that needs dropping registers a destructor with the C
    /// runtime, and glibc then keeps the library that registered it mapped
    /// until the thread exits. A Rust plugin links its own copy of this
    /// code, so a `Vec` here would make every Rust plugin that is destroyed
    /// on a host thread impossible to unload.
    static ENTERED: Cell<*mut Entry> = const { Cell::new(core::ptr::null_mut()) };
}

/// Records that this thread entered a call through `guard`.
fn push_entered(guard: *const CallGuard) {
    ENTERED.with(|head| {
        let entry = Box::into_raw(Box::new(Entry {
            guard,
            outer: head.get(),
        }));
        head.set(entry);
    });
}

/// Forgets the innermost call through `guard` this thread is inside.
fn pop_entered(guard: *const CallGuard) {
    ENTERED.with(|head| {
        let mut link: *mut *mut Entry = core::ptr::null_mut();
        let mut entry = head.get();
        while !entry.is_null() {
            // SAFETY: every entry in the list came from `Box::into_raw` in
            // `push_entered` on this thread and is freed only here, after
            // being unlinked; the list is never shared between threads.
            let current = unsafe { &mut *entry };
            if core::ptr::eq(current.guard, guard) {
                if link.is_null() {
                    head.set(current.outer);
                } else {
                    // SAFETY: `link` points at the `outer` field of a live
                    // entry of this list (set in the previous iteration).
                    unsafe { *link = current.outer };
                }
                // SAFETY: unlinked just above; nothing else points to it.
                drop(unsafe { Box::from_raw(entry) });
                return;
            }
            link = &mut current.outer;
            entry = current.outer;
        }
    });
}

/// How many calls through `guard` this thread is inside.
fn count_entered(guard: *const CallGuard) -> usize {
    ENTERED.with(|head| {
        let mut count = 0;
        let mut entry = head.get();
        while !entry.is_null() {
            // SAFETY: as in `pop_entered`: a live entry of this thread's list.
            let current = unsafe { &*entry };
            if core::ptr::eq(current.guard, guard) {
                count += 1;
            }
            entry = current.outer;
        }
        count
    })
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
        push_entered(self);
        Ok(())
    }

    /// Ends a call started by a successful [`CallGuard::enter`].
    pub fn leave(&self) {
        pop_entered(self);
        let mut state = self.lock();
        state.in_flight -= 1;
        if state.closed {
            self.drained.notify_all();
        }
    }

    /// Refuses every later call and waits until the calls in flight have
    /// returned, except those this thread is itself inside.
    pub fn close(&self) {
        let own = count_entered(self);
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
    fn nested_calls_through_several_guards_are_counted_per_guard() {
        let (outer, inner) = (CallGuard::new(), CallGuard::new());
        outer.enter().unwrap();
        inner.enter().unwrap();
        outer.enter().unwrap();
        assert_eq!(count_entered(&*outer), 2);
        assert_eq!(count_entered(&*inner), 1);
        outer.leave();
        assert_eq!(count_entered(&*outer), 1);
        inner.leave();
        assert_eq!(count_entered(&*inner), 0);
        // Closed from inside its own call: does not wait for that call.
        outer.close();
        outer.leave();
        assert_eq!(count_entered(&*outer), 0);
        assert!(ENTERED.with(|head| head.get().is_null()));
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
