//! Waiting on a slot's state word: spin first (a wake-up of a sleeping
//! process costs 6–25 µs, a spin sees the change in well under one), then
//! sleep until the deadline (a futex on the word on Linux, the slot's event
//! on Windows: `platform::sleep`).

use super::platform;
use super::shm::{Slot, CHILD_ASLEEP, HOST_ASLEEP};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How long a spin runs before it starts yielding its core.
const YIELD_AFTER: Duration = Duration::from_micros(4);

/// Sets the slot's state word and wakes the other side if it sleeps on it.
/// `other` is the other side's sleeper bit.
pub(crate) fn publish(slot: &Slot<'_>, other: u32, state: u32) {
    let header = slot.header;
    header.state.store(state, Ordering::SeqCst);
    // Paired with the sleeper's SeqCst `fetch_or` then re-read of the word:
    // either it sees the new state and does not sleep, or we see its bit.
    if header.sleepers.load(Ordering::SeqCst) & other != 0 {
        platform::wake(&header.state, slot.wake, other);
    }
}

/// Wakes the other side (`other`, its sleeper bit) after a state change
/// made without [`publish`] (a compare-and-swap).
pub(crate) fn wake(slot: &Slot<'_>, other: u32) {
    platform::wake(&slot.header.state, slot.wake, other);
}

/// Wakes whoever sleeps on the slot, whatever its state (used once the
/// host has written a state the child could not have).
pub(crate) fn wake_all(slot: &Slot<'_>) {
    platform::wake(&slot.header.state, slot.wake, HOST_ASLEEP | CHILD_ASLEEP);
}

/// Waits while `busy(state)` holds: spins for `spin`, then sleeps, until
/// the state changes to one that is not busy (returned) or `deadline`
/// passes (`None`). `me` is this side's sleeper bit.
pub(crate) fn wait_while(
    slot: &Slot<'_>,
    me: u32,
    busy: impl Fn(u32) -> bool,
    spin: Duration,
    deadline: Option<Instant>,
) -> Option<u32> {
    let word = &slot.header.state;
    let sleepers = &slot.header.sleepers;
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
        platform::sleep(word, state, slot.wake, me, timeout);
        sleepers.fetch_and(!me, Ordering::SeqCst);
        let state = word.load(Ordering::Acquire);
        if !busy(state) {
            return Some(state);
        }
    }
}
