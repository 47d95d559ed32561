//! The isolation tests on Windows (run under Wine by
//! `scripts/test-windows.sh`): the same faults as on Linux, reported from
//! the child's exit code instead of a signal, and a killed host's child
//! ended by its job object.

use crate::{isolated, load_isolated};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenon::isolation::Restart;
use tenon::{CallError, CallResult, HostServices, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_interface::Fault;
use tenon_test_plugins::{c_fixture, c_plugin};

/// A crash with an access violation.
const ACCESS_VIOLATION: i32 = 0xC000_0005_u32 as i32;
/// A stack overflow.
const STACK_OVERFLOW: i32 = 0xC000_00FD_u32 as i32;
/// A fail-fast (`__fastfail`, what Rust's `abort` raises).
const FAIL_FAST: i32 = 0xC000_0409_u32 as i32;
/// What the C runtime's `abort()` exits with (MinGW's msvcrt).
const C_ABORT: i32 = 3;

fn greeter_of(instance: &tenon::Instance) -> tenon::Handle<'_, dyn Greeter> {
    instance
        .interface::<dyn Greeter>()
        .unwrap_or_else(|error| panic!("interface: {error} [{}]", error.kind()))
}

/// Checks that `error` is a crash with one of `codes` as exit code, and
/// returns its last words.
fn assert_crashed(what: &str, error: &CallError, codes: &[i32]) -> String {
    assert_eq!(error.kind_name(), "crashed", "{what}: {error}");
    match error.fault() {
        Some(Fault::Crashed {
            signal: None,
            exit_code: Some(code),
            last_words,
        }) => {
            assert!(
                codes.contains(code),
                "{what}: exit code {code:#x}, expected one of {codes:x?}: {error}"
            );
            last_words.clone()
        }
        other => panic!("{what}: expected a crash with an exit code, got {other:?}: {error}"),
    }
}

/// The registry the child dispatches through is filled in a MinGW build.
pub fn registry() {
    assert!(tenon_interface::registry_supported());
    let found = tenon_interface::declared("org.tenon.example.greeter", 1)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(found.id(), "org.tenon.example.greeter");
}

pub fn healthy() {
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
    // Calls in quick succession, through the slot's events and spins.
    let started = Instant::now();
    for i in 0..200 {
        assert_eq!(
            greeter.greet(&i.to_string()).unwrap(),
            format!("Hello, {i}!")
        );
    }
    println!(
        "200 isolated calls under this Windows (Wine when run by scripts/test-windows.sh): {:?} each",
        started.elapsed() / 200
    );
    drop(greeter);
    drop(instance);
    let outcome = plugin.unload();
    assert_eq!(outcome.name(), "process_ended", "{outcome}");
}

pub fn oversized_arguments() {
    let plugin = load_isolated("fault_segfault", isolated().slot_size(1 << 20));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    let big = "x".repeat(1 << 20);
    let error = greeter.greet(&big).expect_err("1 MiB in a 1 MiB slot");
    assert_eq!(error.kind_name(), "invalid_argument", "{error}");
    assert!(error.message().contains("slot_size"), "{error}");
    assert_eq!(greeter.greet("after").unwrap(), "Hello, after!");
}

/// Each fault fixture, the exit codes its crash may give, and whether the
/// call may instead outlive its deadline.
const FAULTS: &[(&str, &[i32], bool)] = &[
    ("fault_segfault", &[ACCESS_VIOLATION], false),
    ("fault_abort", &[C_ABORT, FAIL_FAST], false),
    ("fault_exit", &[3], false),
    // Windows raises STATUS_STACK_OVERFLOW on the guard page and ends the
    // process. Wine 8 does not (measured): the overflowing thread never
    // comes back and the process lives on, so there the call's deadline
    // ends it, as `timed_out`.
    (
        "fault_stack_overflow",
        &[STACK_OVERFLOW, ACCESS_VIOLATION, FAIL_FAST],
        true,
    ),
];

pub fn each_fault() {
    for (stem, codes, may_hang) in FAULTS {
        let deadline = Duration::from_secs(2);
        let plugin = load_isolated(
            stem,
            isolated().call_timeout(deadline).restart(Restart::Always {
                backoff: Duration::from_millis(10),
            }),
        );
        let instance = plugin.instantiate("").expect("instantiate");
        let greeter = greeter_of(&instance);
        assert_eq!(greeter.greet("world").unwrap(), "Hello, world!", "{stem}");
        let started = Instant::now();
        let error = greeter.greet("crash").expect_err(stem);
        if *may_hang && error.kind_name() == "timed_out" {
            println!("{stem}: {error} (this system did not end the process)");
            let fresh = plugin.instantiate("").unwrap();
            assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
            continue;
        }
        let last_words = assert_crashed(stem, &error, codes);
        assert!(
            started.elapsed() < deadline,
            "{stem}: the crash was noticed after {:?}, not at once",
            started.elapsed()
        );
        println!("{stem}: {error}");
        if *stem == "fault_segfault" {
            assert!(
                last_words.contains("STATUS_ACCESS_VIOLATION"),
                "{stem}: the exception is named: {last_words:?}"
            );
        }
        if *stem == "fault_abort" {
            assert!(
                last_words.contains("an invariant does not hold"),
                "{stem}: what the plugin wrote last reaches the error: {last_words:?}"
            );
        }
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
        let fine = Plugin::load(c_plugin("greeter")).expect("the host still loads plugins");
        let greeting = greeter_of(&fine.instantiate("").unwrap())
            .greet("after")
            .unwrap();
        assert_eq!(greeting, "Hello, after!");
    }
}

/// The memory limit is the job's per-process limit: an allocation past it
/// fails and the fixture aborts. Where the job does not apply the limit
/// (Wine 8 accepts it and applies none), loading is refused with
/// `isolation_unsupported` instead of running the plugin unbounded.
pub fn memory_limit() {
    let loaded = Plugin::loader()
        .isolated(isolated().memory_limit(256 << 20))
        .load(c_fixture("fault_allocation"));
    let plugin = match loaded {
        Ok(plugin) => plugin,
        Err(error) => {
            println!("memory limit refused: {error} [{}]", error.kind());
            assert_eq!(error.kind(), "isolation_unsupported", "{error}");
            assert!(error.to_string().contains("memory limit"), "{error}");
            return;
        }
    };
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    let error = greeter.greet("crash").expect_err("past the memory limit");
    let last_words = assert_crashed("fault_allocation", &error, &[C_ABORT, FAIL_FAST]);
    println!("fault_allocation: {error} (last words {last_words:?})");
}

pub fn instances_lost() {
    let plugin = load_isolated("fault_segfault", isolated());
    let first = plugin.instantiate("").unwrap();
    let second = plugin.instantiate("").unwrap();
    let (a, b) = (greeter_of(&first), greeter_of(&second));
    assert_eq!(b.greet("b").unwrap(), "Hello, b!");
    assert_crashed("greet", &a.greet("crash").unwrap_err(), &[ACCESS_VIOLATION]);
    for (which, greeter) in [("the crashed instance", &a), ("its sibling", &b)] {
        let error = greeter.greet("world").expect_err(which);
        assert_eq!(error.kind_name(), "instance_lost", "{which}: {error}");
    }
    // Without a restart policy the plugin stays down.
    assert!(plugin.instantiate("").is_err());
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
        assert_crashed(trigger, &error, &[ACCESS_VIOLATION]);
        assert_eq!(calls.load(Ordering::SeqCst), before + 1, "{trigger}");
    }
}

pub fn endless_loop() {
    let deadline = Duration::from_millis(300);
    let plugin = load_isolated(
        "fault_endless_loop",
        isolated().call_timeout(deadline).restart(Restart::Always {
            backoff: Duration::from_millis(10),
        }),
    );
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
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
    // The hung process was terminated; a fresh one serves the next instance.
    let fresh = plugin.instantiate("").unwrap();
    assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
}

pub fn initializers() {
    for (stem, kinds) in [
        ("abort_in_initializer", &["crashed"][..]),
        ("exit_in_initializer", &["crashed"][..]),
        ("hang_in_initializer", &["timed_out"][..]),
    ] {
        let started = Instant::now();
        let error = Plugin::loader()
            .isolated(isolated().start_timeout(Duration::from_secs(2)))
            .load(c_fixture(stem))
            .expect_err(stem);
        println!("{stem}: {error} [{}]", error.kind());
        assert!(
            kinds.contains(&error.kind()),
            "{stem}: {error} [{}]",
            error.kind()
        );
        assert!(started.elapsed() < Duration::from_secs(6), "{stem}");
    }
}

/// The environment variable that makes this executable play a host that
/// the test kills (see [`killed_host`]).
const ROLE: &str = "TENON_ISOLATION_TEST_ROLE";

/// When this executable was started to play a role, plays it.
pub fn role() -> Option<std::process::ExitCode> {
    match std::env::var(ROLE).ok()?.as_str() {
        "hanging-host" => Some(hanging_host()),
        other => panic!("unknown role {other:?}"),
    }
}

/// A host that loads the endless-loop fixture isolated, says `ready` on
/// stdout, and hangs in a call with a deadline far away until it is killed.
fn hanging_host() -> std::process::ExitCode {
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(Duration::from_secs(600)))
        .load(c_fixture("fault_endless_loop"))
        .expect("load");
    let instance = plugin.instantiate("").expect("instantiate");
    let greeter = greeter_of(&instance);
    greeter.greet("warm").expect("a first call");
    println!("ready");
    let _ = greeter.greet("crash");
    println!("the call returned: it should have hung");
    std::process::ExitCode::FAILURE
}

/// The processes whose parent is `parent` (a Toolhelp snapshot).
fn children_of(parent: u32) -> Vec<u32> {
    use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, PROCESSENTRY32W,
        TH32CS_SNAPPROCESS,
    };
    // SAFETY: a snapshot of every process; no pointers in.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    assert!(!std::ptr::eq(snapshot, INVALID_HANDLE_VALUE), "no snapshot");
    // SAFETY: plain data, zeroes are valid; the size is set as the API asks.
    let mut entry: PROCESSENTRY32W = unsafe { std::mem::zeroed() };
    entry.dwSize = size_of::<PROCESSENTRY32W>() as u32;
    let mut children = Vec::new();
    // SAFETY: the snapshot we hold and an entry with its size set.
    let mut more = unsafe { Process32FirstW(snapshot, &mut entry) } != 0;
    while more {
        if entry.th32ParentProcessID == parent {
            children.push(entry.th32ProcessID);
        }
        // SAFETY: as above.
        more = unsafe { Process32NextW(snapshot, &mut entry) } != 0;
    }
    // SAFETY: the snapshot handle, closed once.
    unsafe { CloseHandle(snapshot) };
    children
}

/// The plugin's process ends with its host, however the host ends: a
/// killed host's job handle closes, and the job kills its process.
pub fn killed_host() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use windows_sys::Win32::Foundation::{CloseHandle, WAIT_OBJECT_0};
    use windows_sys::Win32::System::Threading::{
        OpenProcess, WaitForSingleObject, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE,
    };
    let mut host = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "hanging-host")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the host");
    let mut line = String::new();
    BufReader::new(host.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ready"), "the host said {line:?}");
    std::thread::sleep(Duration::from_millis(100));
    let children = children_of(host.id());
    assert_eq!(children.len(), 1, "the host runs one child: {children:?}");
    // SAFETY: opens the child by id, only to wait for it.
    let child = unsafe {
        OpenProcess(
            PROCESS_SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
            0,
            children[0],
        )
    };
    assert!(!child.is_null(), "the child {} is not running", children[0]);
    host.kill().expect("terminate the host");
    host.wait().expect("wait for the host");
    let killed = Instant::now();
    // SAFETY: the process handle opened above.
    let ended = unsafe { WaitForSingleObject(child, 2000) } == WAIT_OBJECT_0;
    // SAFETY: as above, closed once.
    unsafe { CloseHandle(child) };
    assert!(
        ended,
        "the child {} outlived its killed host by more than 2 s",
        children[0]
    );
    println!("the child was gone {:?} after its host", killed.elapsed());
}
