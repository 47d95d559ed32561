//! The isolation tests of Windows (run under Wine by
//! `scripts/test-windows.sh`): how the fault fixtures crash here (by the
//! exit code of an exception or of `abort()`), a run of quick calls, and
//! what only Windows tests (the interface registry, the memory limit of a
//! job object, a killed host's child ended by its job). The rest is in
//! `shared.rs`.

use crate::crash::{assert_crashed, Crash, ABORT, ACCESS_VIOLATION, FAIL_FAST, STACK_OVERFLOW};
use crate::isolated;
use crate::shared::{self, greeter_of, start_hanging_host, Faults};
use std::time::{Duration, Instant};
use tenon::isolation::Isolation;
use tenon::{CallError, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::c_fixture;

/// The registry the child dispatches through is filled in a MinGW build.
pub fn registry() {
    assert!(tenon_interface::registry_supported());
    let found = tenon_interface::declared("org.tenon.example.greeter", 1)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(found.id(), "org.tenon.example.greeter");
}

pub fn healthy() {
    shared::healthy(|greeter| {
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
    });
}

/// Each fault fixture and the exit codes its crash may give.
const FAULTS: &[(&str, Crash)] = &[
    ("fault_segfault", Crash::Exit(&[ACCESS_VIOLATION])),
    ("fault_abort", ABORT),
    ("fault_exit", Crash::Exit(&[3])),
    (
        "fault_stack_overflow",
        Crash::Exit(&[STACK_OVERFLOW, ACCESS_VIOLATION, FAIL_FAST]),
    ),
];

/// The deadline of each fault fixture's call: a crash is noticed before it.
const FAULT_DEADLINE: Duration = Duration::from_secs(2);

fn fault_isolation() -> Isolation {
    isolated().call_timeout(FAULT_DEADLINE)
}

/// The access violation is named in the crash's last words.
fn fault_checks(stem: &str, _: &CallError, last_words: &str) {
    if stem == "fault_segfault" {
        assert!(
            last_words.contains("STATUS_ACCESS_VIOLATION"),
            "{stem}: the exception is named: {last_words:?}"
        );
    }
}

pub fn each_fault() {
    shared::each_fault(&Faults {
        cases: FAULTS,
        // Windows raises STATUS_STACK_OVERFLOW on the guard page and ends
        // the process. Wine 8 does not (measured): the overflowing thread
        // never comes back and the process lives on, so there the call's
        // deadline ends it, as `timed_out`.
        may_hang: &["fault_stack_overflow"],
        isolation: fault_isolation,
        noticed_within: FAULT_DEADLINE,
        more_checks: fault_checks,
    });
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
    let last_words = assert_crashed("fault_allocation", &error, ABORT);
    println!("fault_allocation: {error} (last words {last_words:?})");
}

pub fn endless_loop() {
    shared::endless_loop_restarted(Duration::from_millis(300));
}

pub fn initializers() {
    shared::initializers(Duration::from_secs(2), Duration::from_secs(6));
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
    use windows_sys::Win32::Foundation::{CloseHandle, WAIT_OBJECT_0};
    use windows_sys::Win32::System::Threading::{
        OpenProcess, WaitForSingleObject, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE,
    };
    let mut host = start_hanging_host();
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
