//! Where an isolated plugin's process died outside a method call, as
//! `Error::Crashed::site` and its message say it (docs/isolation.md,
//! "Where a process died"): while the host looked an interface up in it,
//! and while it answered a health check. (Loading, create and a process
//! found dead are checked in `isolated_basics.rs` and `isolation.rs`.)
// Linux: the health check's death is a SIGKILL sent from here, at a moment
// read from /proc.
#![cfg(target_os = "linux")]

// Only part of it is used here.
#[allow(dead_code)]
#[path = "isolation/processes.rs"]
mod processes;

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tenon::isolation::Isolation;
use tenon::{CrashSite, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, c_plugin, isolation_runner};

/// The health check's test tells its plugin's process from the others by
/// the children this process has: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn isolated() -> Isolation {
    Isolation::new()
        .runner(isolation_runner().expect("the test runner builds"))
        .call_timeout(Duration::from_secs(30))
}

/// The fixture's create makes its vtable unreadable: the child faults
/// reading it for the host's first lookup of the interface, and nowhere
/// before.
#[test]
fn a_process_that_dies_answering_an_interface_lookup_says_so() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("vtable_unreadable_after_create"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let error = instance.interface::<dyn Greeter>().unwrap_err();
    match &error {
        tenon::Error::Crashed { site, signal, .. } => {
            assert_eq!(*site, CrashSite::InterfaceLookup, "{error}");
            assert_eq!(*signal, Some(libc::SIGSEGV), "{error}");
        }
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "died from signal {} while the host looked up an interface in it",
            libc::SIGSEGV
        )),
        "{message}"
    );
    // A second lookup finds the process dead (no restart policy).
    match instance.interface::<dyn Greeter>().unwrap_err() {
        tenon::Error::Crashed { site, .. } => assert_eq!(site, CrashSite::FoundDead),
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
}

/// A health check never runs plugin code in the child, so a process dies
/// while answering one only when it is ended from outside at that moment
/// (the OOM killer, an operator's kill) or by a thread of the plugin's
/// own: here it is stopped, pinged, and killed once the ping is waiting
/// for its answer.
#[test]
fn a_process_that_dies_answering_a_health_check_says_so() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Built (if need be) before the children are counted.
    let (isolation, path) = (isolated(), c_plugin("greeter"));
    let before = children();
    let plugin = Plugin::loader().isolated(isolation).load(path).unwrap();
    let started: Vec<i32> = children()
        .into_iter()
        .filter(|pid| !before.contains(pid))
        .collect();
    let [child] = started[..] else {
        panic!("one new child expected, found {started:?}");
    };
    // SAFETY: kill(2) with a pid this process started and has not reaped
    // (the plugin holds it), touching no memory.
    assert_eq!(unsafe { libc::kill(child, libc::SIGSTOP) }, 0);
    wait_for(|| state(child) == Some('T'), "the child to stop");
    let pinger_tid = AtomicI32::new(0);
    let error = std::thread::scope(|scope| {
        let pinger = scope.spawn(|| {
            // SAFETY: gettid(2) has no arguments and cannot fail.
            pinger_tid.store(unsafe { libc::gettid() }, Ordering::SeqCst);
            plugin.ping(Duration::from_secs(30))
        });
        // The ping has been sent once its thread sleeps waiting for the
        // answer: nothing before the request blocks.
        wait_for(
            || {
                let tid = pinger_tid.load(Ordering::SeqCst);
                tid != 0 && in_wait(tid)
            },
            "the ping to wait for its answer",
        );
        // SAFETY: as above.
        assert_eq!(unsafe { libc::kill(child, libc::SIGKILL) }, 0);
        pinger.join().unwrap().unwrap_err()
    });
    match &error {
        tenon::Error::Crashed { site, signal, .. } => {
            assert_eq!(*site, CrashSite::HealthCheck, "{error}");
            assert_eq!(*signal, Some(libc::SIGKILL), "{error}");
        }
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("died from signal 9 while answering a health check (ping)"),
        "{message}"
    );
}

/// This process's children.
fn children() -> Vec<i32> {
    processes::children_of(std::process::id())
        .into_iter()
        .map(|(pid, _)| pid as i32)
        .collect()
}

/// The state letter of process `pid`.
fn state(pid: i32) -> Option<char> {
    processes::state_and_parent(pid as u32).map(|(state, _)| state)
}

/// Whether thread `tid` of this process is blocked waiting for the child:
/// in futex(2), or in poll(2) or ppoll(2) under the macOS transport
/// (`--features macos-transport`), which sleeps on a socket pair.
fn in_wait(tid: i32) -> bool {
    let Ok(syscall) = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")) else {
        return false;
    };
    let waits = [
        libc::SYS_futex,
        libc::SYS_ppoll,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll,
    ];
    syscall
        .split_whitespace()
        .next()
        .and_then(|number| number.parse::<libc::c_long>().ok())
        .is_some_and(|number| waits.contains(&number))
}

fn wait_for(condition: impl Fn() -> bool, what: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}
