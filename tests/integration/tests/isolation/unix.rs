//! The isolation tests of Linux and macOS: how the fault fixtures crash
//! here (by signal), the plugins' processes watched through `/proc` or `ps`
//! (each plugin runs in one child, which ends with it and is reaped), and
//! what only these platforms test (restart policies, a per-call deadline,
//! corrupted ELF headers, checksums, a SIGKILLed host, the memory limit).
//! The rest is in `shared.rs`.

use crate::crash::{assert_crashed, Crash, ABORT, SEGFAULT};
use crate::processes::{self, children_of, is_running, zombies_after};
use crate::shared::{
    self, always_restart, assert_times_out, greeter_of, start_hanging_host, Faults,
};
use crate::support::scratch;
use crate::{isolated, load_isolated};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tenon::isolation::{Isolation, Restart};
use tenon::{CallError, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_interface::Fault;
use tenon_test_plugins::{c_fixture, c_plugin};

/// Live (not zombie) children of this process: the isolated plugins'
/// processes, since this test starts no other long-lived child.
fn live_children() -> BTreeSet<u32> {
    children_of(std::process::id())
        .into_iter()
        .filter(|(_, state)| *state != 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

pub fn healthy() {
    let before = live_children();
    let mut ours = Vec::new();
    shared::healthy(|_| {
        ours = live_children().difference(&before).copied().collect();
        assert_eq!(ours.len(), 1, "one child process runs the plugin: {ours:?}");
    });
    // The child ended with its plugin, and is reaped.
    let until = Instant::now() + Duration::from_secs(2);
    while is_running(ours[0]) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!is_running(ours[0]), "the child outlived its plugin");
    assert!(zombies_after(Duration::from_secs(1)).is_empty());
}

/// SIGBUS's number: macOS reports some bad accesses with it.
#[cfg(target_os = "macos")]
const SIGBUS: i32 = 10;
#[cfg(not(target_os = "macos"))]
const SIGBUS: i32 = 7;

const FAULTS: &[(&str, Crash)] = &[
    ("fault_segfault", Crash::Signal(&[11, SIGBUS])),
    ("fault_abort", ABORT),
    ("fault_exit", Crash::Exit(&[3])),
    // The guard page below the stack: SIGSEGV (SIGBUS on some kernels),
    // which the child's Rust runtime (the child is a Rust program) catches,
    // says "has overflowed its stack" and aborts: SIGABRT.
    ("fault_stack_overflow", Crash::Signal(&[11, SIGBUS, 6])),
    // With a memory limit malloc fails and the fixture aborts; if the
    // kernel's OOM killer got there first, SIGKILL.
    ("fault_allocation", Crash::Signal(&[6, 9])),
];

/// What each fault fixture is loaded with: a memory limit, on Linux.
fn fault_isolation() -> Isolation {
    if cfg!(target_os = "linux") {
        isolated().memory_limit(256 << 20)
    } else {
        isolated()
    }
}

/// A stack overflow the child's Rust runtime caught ends it with SIGABRT.
fn fault_checks(stem: &str, error: &CallError, last_words: &str) {
    if stem == "fault_stack_overflow" && last_words.contains("overflowed") {
        assert!(
            matches!(
                error.fault(),
                Some(Fault::Crashed {
                    signal: Some(6),
                    ..
                })
            ),
            "{stem}: {error}"
        );
    }
}

pub fn each_fault() {
    // macOS refuses a memory limit (see `memory_limit`), and the
    // allocation fault needs one.
    let limit = cfg!(target_os = "linux");
    let cases: Vec<(&str, Crash)> = FAULTS
        .iter()
        .filter(|(stem, _)| limit || *stem != "fault_allocation")
        .copied()
        .collect();
    shared::each_fault(&Faults {
        cases: &cases,
        may_hang: &[],
        isolation: fault_isolation,
        noticed_within: Duration::from_secs(4),
        more_checks: fault_checks,
    });
}

pub fn restart() {
    let before = live_children();
    let plugin = load_isolated("fault_segfault", isolated().restart(always_restart()));
    let old = plugin.instantiate("").unwrap();
    let old_greeter = greeter_of(&old);
    let first_child: Vec<u32> = live_children().difference(&before).copied().collect();
    assert_crashed("greet", &old_greeter.greet("crash").unwrap_err(), SEGFAULT);
    // The old instance is not silently replaced by a fresh one.
    assert_eq!(
        old_greeter.greet("world").unwrap_err().kind_name(),
        "instance_lost"
    );
    let fresh = plugin
        .instantiate("")
        .unwrap_or_else(|error| panic!("after a restart: {error} [{}]", error.kind()));
    assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
    let second_child: Vec<u32> = live_children().difference(&before).copied().collect();
    assert_eq!(first_child.len(), 1, "{first_child:?}");
    assert_eq!(second_child.len(), 1, "{second_child:?}");
    assert_ne!(first_child, second_child, "a fresh child serves the plugin");
    // And again: a policy that always restarts keeps doing it.
    assert_crashed(
        "greet",
        &greeter_of(&fresh).greet("crash").unwrap_err(),
        SEGFAULT,
    );
    let third = plugin.instantiate("").unwrap();
    assert_eq!(greeter_of(&third).greet("three").unwrap(), "Hello, three!");
}

pub fn no_restart() {
    let plugin = load_isolated("fault_abort", isolated().restart(Restart::Never));
    let instance = plugin.instantiate("").unwrap();
    assert_crashed(
        "greet",
        &greeter_of(&instance).greet("crash").unwrap_err(),
        ABORT,
    );
    let error = plugin
        .instantiate("")
        .expect_err("a plugin whose child died, without a restart policy, stays down");
    println!("instantiate after the crash: {error} [{}]", error.kind());
    assert!(
        ["crashed", "isolation_failed"].contains(&error.kind()),
        "{error} [{}]",
        error.kind()
    );
    assert!(plugin.ping(Duration::from_millis(500)).is_err());
}

pub fn endless_loop() {
    let before = live_children();
    let deadline = Duration::from_millis(300);
    let plugin = load_isolated("fault_endless_loop", isolated().call_timeout(deadline));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    let child: Vec<u32> = live_children().difference(&before).copied().collect();
    assert_times_out(&greeter, deadline);
    // The looping process was killed, not left spinning.
    assert_eq!(child.len(), 1, "{child:?}");
    let until = Instant::now() + Duration::from_secs(1);
    while is_running(child[0]) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!is_running(child[0]), "the hung child still runs");
    // The plugin has no restart policy: it stays down.
    assert!(plugin.instantiate("").is_err());

    // With one, the next instance works on a fresh child.
    shared::endless_loop_restarted(deadline);
}

/// A per-call deadline (`tenon::isolation::with_deadline`) on a plugin
/// with no default deadline.
pub fn per_call_deadline() {
    let plugin = Plugin::loader()
        .isolated(tenon::isolation::Isolation::new())
        .load(c_fixture("fault_endless_loop"))
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    let deadline = Duration::from_millis(200);
    let greeting = tenon::isolation::with_deadline(deadline, || greeter.greet("quick"));
    assert_eq!(greeting.unwrap(), "Hello, quick!");
    let started = Instant::now();
    let error = tenon::isolation::with_deadline(deadline, || greeter.greet("crash"))
        .expect_err("an endless loop");
    let took = started.elapsed();
    assert_eq!(error.kind_name(), "timed_out", "{error}");
    assert!(
        matches!(error.fault(), Some(Fault::TimedOut { .. })),
        "{:?}",
        error.fault()
    );
    assert!(
        took >= deadline && took < deadline + Duration::from_secs(1),
        "timed out after {took:?} for a deadline of {deadline:?}"
    );
}

pub fn initializers() {
    shared::initializers(Duration::from_millis(500), Duration::from_secs(3));
    assert!(zombies_after(Duration::from_secs(1)).is_empty());
}

#[cfg(target_os = "linux")]
pub fn corrupted_headers() {
    let dir = scratch("corrupted");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for path in tenon_test_plugins::corrupted_elf_copies(&dir, 40) {
        let loaded = Plugin::loader()
            .isolated(isolated().start_timeout(Duration::from_secs(2)))
            .load(&path);
        let kind = match loaded {
            Ok(plugin) => {
                assert_eq!(plugin.info().name, "greeter-c", "{}", path.display());
                "loaded".to_owned()
            }
            Err(error) => error.kind().to_owned(),
        };
        *kinds.entry(kind).or_default() += 1;
    }
    println!("corrupted headers, by outcome: {kinds:?}");
    assert!(
        kinds.len() > 1,
        "the corruptions made a difference: {kinds:?}"
    );
    assert!(
        kinds.contains_key("loaded") && !kinds.contains_key("isolation_unsupported"),
        "some copies load isolated, and isolation itself works: {kinds:?}"
    );
    assert!(zombies_after(Duration::from_secs(1)).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SHA-256 of a file, in hex, as `sha256sum` prints it.
fn sha256_of(path: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()[..64].to_owned()
}

pub fn checksum() {
    // An initializer that aborts: had any of its code run, in process,
    // this test would be dead.
    let aborting = c_fixture("abort_in_initializer");
    let wrong = "0".repeat(64);
    let error = Plugin::loader()
        .sha256(&wrong)
        .load(&aborting)
        .expect_err("a mismatch in process");
    assert_eq!(error.kind(), "checksum_mismatch", "{error}");
    let error = Plugin::loader()
        .isolated(isolated())
        .sha256(&wrong)
        .load(&aborting)
        .expect_err("a mismatch isolated");
    assert_eq!(error.kind(), "checksum_mismatch", "{error}");

    // The right digest loads, in both modes, upper or lower case.
    let greeter = c_plugin("greeter");
    let digest = sha256_of(&greeter);
    Plugin::loader()
        .sha256(&digest)
        .load(&greeter)
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    let isolated_plugin = Plugin::loader()
        .isolated(isolated())
        .sha256(digest.to_uppercase())
        .load(&greeter)
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    let instance = isolated_plugin.instantiate("").unwrap();
    assert_eq!(greeter_of(&instance).greet("sum").unwrap(), "Hello, sum!");

    // One flipped bit in a copy: refused, and nothing ran.
    let dir = scratch("checksum");
    let mut bytes = std::fs::read(&greeter).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let changed = dir.join("changed.so");
    std::fs::write(&changed, bytes).unwrap();
    let error = Plugin::loader()
        .sha256(&digest)
        .load(&changed)
        .expect_err("a changed file");
    assert_eq!(error.kind(), "checksum_mismatch", "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

pub fn sigkilled_host() {
    processes::become_subreaper();
    let mut host = start_hanging_host();
    let host_pid = host.id();
    let children: Vec<u32> = children_of(host_pid)
        .into_iter()
        .filter(|(_, state)| *state != 'Z')
        .map(|(pid, _)| pid)
        .collect();
    assert_eq!(children.len(), 1, "the host runs one child: {children:?}");
    let child = children[0];
    assert!(is_running(child));

    host.kill().expect("SIGKILL the host");
    host.wait().expect("reap the host");
    let killed = Instant::now();
    // The child, orphaned, is re-parented to this process (a subreaper),
    // which reaps it once it is dead.
    while !processes::reap(child) && killed.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        processes::reap(child),
        "the child {child} outlived its SIGKILLed host by more than a second ({:?})",
        processes::state_and_parent(child)
    );
    println!("the child was gone {:?} after its host", killed.elapsed());
}

pub fn no_zombies() {
    let before = live_children();
    {
        let plugins: Vec<Plugin> = ["fault_segfault", "fault_exit", "fault_abort"]
            .iter()
            .map(|stem| load_isolated(stem, isolated()))
            .collect();
        for plugin in &plugins {
            let instance = plugin.instantiate("").unwrap();
            let _ = greeter_of(&instance).greet("crash");
        }
        let healthy = load_isolated("fault_segfault", isolated());
        let instance = healthy.instantiate("").unwrap();
        greeter_of(&instance).greet("fine").unwrap();
    }
    let zombies = zombies_after(Duration::from_secs(2));
    assert!(zombies.is_empty(), "zombie children: {zombies:?}");
    // Dropping a plugin kills its child without waiting for the kernel to
    // finish it: on a loaded machine one may still run for a moment.
    let until = Instant::now() + Duration::from_secs(10);
    let left = loop {
        let left: Vec<u32> = live_children().difference(&before).copied().collect();
        if left.is_empty() || Instant::now() >= until {
            break left;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(left.is_empty(), "children outlived their plugins: {left:?}");
    assert!(zombies_after(Duration::from_secs(2)).is_empty());
}

/// A memory limit is applied on Linux (the allocation fault then crashes
/// in `each_fault`); macOS cannot cap a process's memory, so there it is
/// refused, by kind, before any process starts.
pub fn memory_limit() {
    let loaded = Plugin::loader()
        .isolated(isolated().memory_limit(256 << 20))
        .load(c_fixture("fault_allocation"));
    if cfg!(target_os = "macos") {
        let error = loaded.expect_err("macOS cannot enforce a memory limit");
        assert_eq!(error.kind(), "isolation_unsupported", "{error}");
        assert!(error.to_string().contains("memory_limit"), "{error}");
    } else {
        let plugin = loaded.unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
        let instance = plugin.instantiate("").expect("instantiate");
        assert_eq!(
            greeter_of(&instance).greet("world").unwrap(),
            "Hello, world!"
        );
    }
}
