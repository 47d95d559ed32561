//! Waiting on a slot's state word: spin first (a wake-up of a sleeping
//! process costs 6–25 µs, a spin sees the change in well under one), then
//! sleep in `FUTEX_WAIT` until the deadline.

use rustix::thread::futex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long a spin runs before it starts yielding its core.
const YIELD_AFTER: Duration = Duration::from_micros(4);

/// Sets the state word and wakes the other side if it sleeps on it.
/// `other` is the other side's sleeper bit.
pub(crate) fn publish(word: &AtomicU32, sleepers: &AtomicU32, other: u32, state: u32) {
    word.store(state, Ordering::SeqCst);
    // Paired with the sleeper's SeqCst `fetch_or` then re-read of the word:
    // either it sees the new state and does not sleep, or we see its bit.
    if sleepers.load(Ordering::SeqCst) & other != 0 {
        let _ = futex::wake(word, futex::Flags::empty(), u32::MAX);
    }
}

/// Wakes whoever sleeps on the word, whatever its value (used once the
/// host has written a state the child could not have).
pub(crate) fn wake_all(word: &AtomicU32) {
    let _ = futex::wake(word, futex::Flags::empty(), u32::MAX);
}

/// Waits while `busy(state)` holds: spins for `spin`, then sleeps, until
/// the state changes to one that is not busy (returned) or `deadline`
/// passes (`None`). `me` is this side's sleeper bit.
pub(crate) fn wait_while(
    word: &AtomicU32,
    sleepers: &AtomicU32,
    me: u32,
    busy: impl Fn(u32) -> bool,
    spin: Duration,
    deadline: Option<Instant>,
) -> Option<u32> {
    let state = word.load(Ordering::Acquire);
    if !busy(state) {
        return Some(state);
    }
    let start = Instant::now();
    let mut round: u32 = 0;
    loop {
        for _ in 0..64 {
            core::hint::spin_loop();
            let state = word.load(Ordering::Acquire);
            if !busy(state) {
                return Some(state);
            }
        }
        round += 1;
        if round % 4 == 0 {
            let spun = start.elapsed();
            if spun >= spin {
                break;
            }
            // After a few microseconds without an answer, the other side
            // may be waiting for this very core (fewer free cores than
            // spinning threads): let it run. Sooner would cost the common
            // case, where both sides have a core, a system call per check.
            if spun >= YIELD_AFTER {
                std::thread::yield_now();
            }
        }
    }
    loop {
        let timeout = match deadline {
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    let state = word.load(Ordering::Acquire);
                    return if busy(state) { None } else { Some(state) };
                }
                Some(deadline - now)
            }
            None => None,
        };
        sleepers.fetch_or(me, Ordering::SeqCst);
        let state = word.load(Ordering::SeqCst);
        if !busy(state) {
            sleepers.fetch_and(!me, Ordering::SeqCst);
            return Some(state);
        }
        let spec = timeout.map(|t| rustix::time::Timespec {
            tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        // EAGAIN (the word changed), EINTR and ETIMEDOUT all lead back to
        // the checks above.
        let _ = futex::wait(word, futex::Flags::empty(), state, spec.as_ref());
        sleepers.fetch_and(!me, Ordering::SeqCst);
        let state = word.load(Ordering::Acquire);
        if !busy(state) {
            return Some(state);
        }
    }
}
