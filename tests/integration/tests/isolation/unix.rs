//! The isolation tests proper (Linux and macOS).

use crate::processes::{self, children_of, is_running, zombies_after};
use crate::{isolated, load_isolated};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenon::isolation::Restart;
use tenon::{CallError, CallResult, HostServices, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_interface::Fault;
use tenon_test_plugins::{c_fixture, c_plugin, corrupted_elf_copies};

/// The environment variable that makes this executable play a host that
/// the test kills (see [`sigkilled_host`]).
const ROLE: &str = "TENON_ISOLATION_TEST_ROLE";

/// When this executable was started to play a role, plays it.
pub fn role() -> Option<ExitCode> {
    match std::env::var(ROLE).ok()?.as_str() {
        "hanging-host" => Some(hanging_host()),
        other => panic!("unknown role {other:?}"),
    }
}

/// Live (not zombie) children of this process: the isolated plugins'
/// processes, since this test starts no other long-lived child.
fn live_children() -> BTreeSet<u32> {
    children_of(std::process::id())
        .into_iter()
        .filter(|(_, state)| *state != 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

fn greeter_of(instance: &tenon::Instance) -> tenon::Handle<'_, dyn Greeter> {
    instance
        .interface::<dyn Greeter>()
        .unwrap_or_else(|error| panic!("interface: {error} [{}]", error.kind()))
}

/// How a fault must show.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Crashed, killed by one of these signals.
    Signal(&'static [i32]),
    /// Crashed, exited with this status.
    Exit(i32),
}

pub fn healthy() {
    let before = live_children();
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_plugin("greeter"))
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    assert_eq!(plugin.info().name, "greeter-c");
    let instance = plugin.instantiate("").expect("instantiate");
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    assert_eq!(greeter.greet("Zoë 👋").unwrap(), "Hello, Zoë 👋!");
    let big = "x".repeat(1 << 20);
    assert_eq!(greeter.greet(&big).unwrap().len(), big.len() + 8);
    plugin
        .ping(Duration::from_secs(1))
        .unwrap_or_else(|error| panic!("ping: {error} [{}]", error.kind()));
    let ours: Vec<u32> = live_children().difference(&before).copied().collect();
    assert_eq!(ours.len(), 1, "one child process runs the plugin: {ours:?}");
    drop(greeter);
    drop(instance);
    // Unloading the last handle ends the child, and it is reaped.
    let outcome = plugin.unload();
    assert_eq!(outcome.name(), "process_ended", "{outcome}");
    assert!(outcome.is_unloaded());
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

const FAULTS: &[(&str, Expect)] = &[
    ("fault_segfault", Expect::Signal(&[11, SIGBUS])),
    ("fault_abort", Expect::Signal(&[6])),
    ("fault_exit", Expect::Exit(3)),
    // The guard page below the stack: SIGSEGV (SIGBUS on some kernels),
    // which the child's Rust runtime (the child is a Rust program) catches,
    // says "has overflowed its stack" and aborts: SIGABRT.
    ("fault_stack_overflow", Expect::Signal(&[11, SIGBUS, 6])),
    // With a memory limit malloc fails and the fixture aborts; if the
    // kernel's OOM killer got there first, SIGKILL.
    ("fault_allocation", Expect::Signal(&[6, 9])),
];

/// Checks that `error` is a crash as `expect` says, and returns its last
/// words.
fn assert_crashed(what: &str, error: &CallError, expect: Expect) -> String {
    assert_eq!(error.kind_name(), "crashed", "{what}: {error}");
    match (error.fault(), expect) {
        (
            Some(Fault::Crashed {
                signal: Some(signal),
                last_words,
                ..
            }),
            Expect::Signal(signals),
        ) => {
            assert!(
                signals.contains(signal),
                "{what}: killed by signal {signal}, expected one of {signals:?}: {error}"
            );
            last_words.clone()
        }
        (
            Some(Fault::Crashed {
                exit_code: Some(code),
                last_words,
                ..
            }),
            Expect::Exit(expected),
        ) => {
            assert_eq!(*code, expected, "{what}: {error}");
            last_words.clone()
        }
        (fault, _) => panic!("{what}: expected {expect:?}, got {fault:?}: {error}"),
    }
}

/// Arguments larger than half a slot are refused before anything is sent,
/// with `invalid_argument`, and the plugin carries on; a larger slot
/// carries them.
pub fn oversized_arguments() {
    let plugin = load_isolated("fault_segfault", isolated().slot_size(1 << 20));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    let big = "x".repeat(1 << 20);
    let error = greeter.greet(&big).expect_err("1 MiB in a 1 MiB slot");
    assert_eq!(error.kind_name(), "invalid_argument", "{error}");
    assert!(error.message().contains("slot_size"), "{error}");
    assert_eq!(greeter.greet("after").unwrap(), "Hello, after!");
    let roomy = load_isolated("fault_segfault", isolated().slot_size(4 << 20));
    let instance = roomy.instantiate("").unwrap();
    assert_eq!(
        greeter_of(&instance).greet(&big).unwrap().len(),
        big.len() + 8
    );
}

pub fn each_fault() {
    // macOS refuses a memory limit (see `memory_limit`), and the
    // allocation fault needs one.
    let limit = cfg!(target_os = "linux");
    for (stem, expect) in FAULTS {
        if !limit && *stem == "fault_allocation" {
            continue;
        }
        let mut options = isolated().restart(Restart::Always {
            backoff: Duration::from_millis(10),
        });
        if limit {
            options = options.memory_limit(256 << 20);
        }
        let plugin = load_isolated(stem, options);
        let instance = plugin.instantiate("").expect("instantiate");
        let greeter = greeter_of(&instance);
        assert_eq!(greeter.greet("world").unwrap(), "Hello, world!", "{stem}");
        let started = Instant::now();
        let error = greeter.greet("crash").expect_err(stem);
        let last_words = assert_crashed(stem, &error, *expect);
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{stem}: the crash was noticed after {:?}, not at once",
            started.elapsed()
        );
        println!("{stem}: {error} (last words {last_words:?})");
        if *stem == "fault_stack_overflow" && last_words.contains("overflowed") {
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
        if *stem == "fault_abort" {
            assert!(
                last_words.contains("an invariant does not hold"),
                "{stem}: what the plugin wrote last reaches the error: {last_words:?}"
            );
        }
        // With a restart policy, the next instance works, on a fresh child.
        assert_eq!(
            greeter.greet("world").unwrap_err().kind_name(),
            "instance_lost",
            "{stem}"
        );
        let fresh = plugin
            .instantiate("")
            .unwrap_or_else(|error| panic!("{stem}: after a restart: {error}"));
        assert_eq!(
            greeter_of(&fresh).greet("again").unwrap(),
            "Hello, again!",
            "{stem}"
        );
        // The host carries on: another plugin loads and works.
        let fine = Plugin::load(c_plugin("greeter")).expect("the host still loads plugins");
        let greeting = greeter_of(&fine.instantiate("").unwrap())
            .greet("after")
            .unwrap();
        assert_eq!(greeting, "Hello, after!");
    }
}

pub fn instances_lost() {
    let plugin = load_isolated("fault_segfault", isolated());
    let first = plugin.instantiate("").unwrap();
    let second = plugin.instantiate("").unwrap();
    let (a, b) = (greeter_of(&first), greeter_of(&second));
    assert_eq!(b.greet("b").unwrap(), "Hello, b!");
    assert_crashed(
        "greet",
        &a.greet("crash").unwrap_err(),
        Expect::Signal(&[11]),
    );
    for (which, greeter) in [("the crashed instance", &a), ("its sibling", &b)] {
        let error = greeter.greet("world").expect_err(which);
        assert_eq!(error.kind_name(), "instance_lost", "{which}: {error}");
        assert!(
            matches!(error.fault(), Some(Fault::InstanceLost)),
            "{which}: {:?}",
            error.fault()
        );
    }
}

pub fn restart() {
    let before = live_children();
    let plugin = load_isolated(
        "fault_segfault",
        isolated().restart(Restart::Always {
            backoff: Duration::from_millis(10),
        }),
    );
    let old = plugin.instantiate("").unwrap();
    let old_greeter = greeter_of(&old);
    let first_child: Vec<u32> = live_children().difference(&before).copied().collect();
    assert_crashed(
        "greet",
        &old_greeter.greet("crash").unwrap_err(),
        Expect::Signal(&[11]),
    );
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
        Expect::Signal(&[11]),
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
        Expect::Signal(&[6]),
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

/// The host's greeter: slow for "crash during", so the plugin's process
/// dies while this callback is in flight.
struct SlowHostGreeter {
    calls: Arc<AtomicUsize>,
}

impl Greeter for SlowHostGreeter {
    fn greet(&self, name: &str) -> CallResult<String> {
        if name == "crash during" {
            std::thread::sleep(Duration::from_millis(300));
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(format!("host greets {name}"))
    }
}

pub fn host_callback() {
    let calls = Arc::new(AtomicUsize::new(0));
    let services = HostServices::new().offer::<dyn Greeter, _>(SlowHostGreeter {
        calls: Arc::clone(&calls),
    });
    let plugin = Plugin::loader()
        .services(services)
        .isolated(isolated().restart(Restart::Always {
            backoff: Duration::from_millis(10),
        }))
        .load(c_fixture("crash_in_host_callback"))
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    for trigger in ["crash after", "crash during"] {
        let instance = plugin.instantiate("").unwrap();
        let greeter = greeter_of(&instance);
        assert_eq!(
            greeter.greet("world").unwrap(),
            "relayed: host greets world",
            "the callback works across the boundary"
        );
        let before = calls.load(Ordering::SeqCst);
        let error = greeter.greet(trigger).expect_err(trigger);
        assert_crashed(trigger, &error, Expect::Signal(&[11]));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            before + 1,
            "{trigger}: the host callback ran to its end"
        );
    }
    let instance = plugin.instantiate("").unwrap();
    assert_eq!(
        greeter_of(&instance).greet("still").unwrap(),
        "relayed: host greets still"
    );
}

pub fn endless_loop() {
    let before = live_children();
    let deadline = Duration::from_millis(300);
    let plugin = load_isolated("fault_endless_loop", isolated().call_timeout(deadline));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    let child: Vec<u32> = live_children().difference(&before).copied().collect();
    let started = Instant::now();
    let error = greeter.greet("crash").expect_err("an endless loop");
    let took = started.elapsed();
    assert_eq!(error.kind_name(), "timed_out", "{error}");
    assert!(
        matches!(error.fault(), Some(Fault::TimedOut { deadline: d }) if *d == deadline),
        "{:?}",
        error.fault()
    );
    assert!(
        took >= deadline && took < deadline + Duration::from_secs(1),
        "timed out after {took:?} for a deadline of {deadline:?}"
    );
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
    let plugin = load_isolated(
        "fault_endless_loop",
        isolated().call_timeout(deadline).restart(Restart::Always {
            backoff: Duration::from_millis(10),
        }),
    );
    let instance = plugin.instantiate("").unwrap();
    let error = greeter_of(&instance).greet("crash").unwrap_err();
    assert_eq!(error.kind_name(), "timed_out", "{error}");
    let fresh = plugin.instantiate("").unwrap();
    assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
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
    for (stem, kinds) in [
        ("abort_in_initializer", &["crashed"][..]),
        ("exit_in_initializer", &["crashed"][..]),
        ("hang_in_initializer", &["timed_out"][..]),
    ] {
        let started = Instant::now();
        let error = Plugin::loader()
            .isolated(isolated().start_timeout(Duration::from_millis(500)))
            .load(c_fixture(stem))
            .expect_err(stem);
        println!("{stem}: {error} [{}]", error.kind());
        assert!(
            kinds.contains(&error.kind()),
            "{stem}: {error} [{}]",
            error.kind()
        );
        assert!(started.elapsed() < Duration::from_secs(3), "{stem}");
    }
    assert!(zombies_after(Duration::from_secs(1)).is_empty());
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenon-isolation-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn corrupted_headers() {
    let dir = scratch("corrupted");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for path in corrupted_elf_copies(&dir, 40) {
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

/// The role a child of [`sigkilled_host`] plays: a host that loads the
/// endless-loop fixture isolated, says `ready <pid>` on stdout, and then
/// hangs in a call with a deadline far away, until it is killed.
fn hanging_host() -> ExitCode {
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(Duration::from_secs(600)))
        .load(c_fixture("fault_endless_loop"))
        .expect("load");
    let instance = plugin.instantiate("").expect("instantiate");
    let greeter = greeter_of(&instance);
    greeter.greet("warm").expect("a first call");
    println!("ready {}", std::process::id());
    let _ = greeter.greet("crash");
    println!("the call returned: it should have hung");
    ExitCode::FAILURE
}

pub fn sigkilled_host() {
    processes::become_subreaper();
    let mut host = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "hanging-host")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the host");
    let host_pid = host.id();
    let mut line = String::new();
    BufReader::new(host.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ready"), "the host said {line:?}");
    // The host is now inside a call the child spins in.
    std::thread::sleep(Duration::from_millis(100));
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
    let left: Vec<u32> = live_children().difference(&before).copied().collect();
    assert!(left.is_empty(), "children outlived their plugins: {left:?}");
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
