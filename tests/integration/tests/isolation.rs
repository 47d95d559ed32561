//! Isolation: plugins that crash, abort, exit, overflow their stack, eat
//! memory or loop forever, loaded isolated, each give the call in flight a
//! typed error while the host carries on.
//!
//! Every fault fixture (`tests/fixtures/fault_*.c`, `crash_in_host_callback.c`)
//! greets normally and faults when greeted with `"crash"`. The tests check
//! the error kind and its detail (the signal, the exit status, the
//! deadline), that the host survives and can still use other plugins, that
//! instances of a dead child are reported lost, that with a restart policy
//! the next instance works on a fresh child, that a corrupt file or an
//! aborting initializer is a typed load error, that a checksum mismatch is
//! refused before any plugin code runs, that a SIGKILLed host takes its
//! child along, and that no zombie is ever left.
//!
//! This test has its own `main` (see `isolation/runner.rs`): an isolating
//! host calls `tenon::isolation::init()` first thing, because the child it
//! spawns is this executable. The tests every platform with isolation
//! runs are in `isolation/shared.rs`, told how a crash shows there
//! (`isolation/crash.rs`: a signal on Unix, an exit or exception code on
//! Windows); `isolation/unix.rs` (Linux and macOS; on macOS without the
//! memory limit, which it refuses) and `isolation/windows.rs` (run under
//! Wine by `scripts/test-windows.sh`) have the rest. On Linux
//! `--features macos-transport` runs them through the macOS backend.
//! Elsewhere isolation is refused with `isolation_unsupported`, which is
//! tested instead.

#[path = "isolation/processes.rs"]
#[cfg(any(target_os = "linux", target_os = "macos"))]
mod processes;
#[path = "isolation/runner.rs"]
mod runner;
mod support;

use std::process::ExitCode;
use std::time::Duration;
use tenon::isolation::Isolation;
use tenon::Plugin;
use tenon_test_plugins::c_fixture;

fn main() -> ExitCode {
    tenon::isolation::init();
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    if let Some(role) = shared::role() {
        return role;
    }
    // `--features macos-transport` runs these tests through the macOS
    // backend on Linux: make sure the build really has it.
    println!("isolation transport: {}", tenon::isolation::TRANSPORT);
    if cfg!(feature = "macos-transport") {
        assert_eq!(tenon::isolation::TRANSPORT, "macos");
    }
    runner::run(TESTS)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
const TESTS: &[runner::Test] = &[(
    "isolation_is_refused_cleanly_where_unsupported",
    unsupported_platform,
)];

#[cfg(windows)]
const TESTS: &[runner::Test] = &[
    ("the_interface_registry_is_filled", windows::registry),
    ("a_healthy_plugin_works_isolated", windows::healthy),
    (
        "oversized_arguments_are_refused_cleanly",
        shared::oversized_arguments,
    ),
    (
        "each_fault_gives_its_typed_error_and_the_host_carries_on",
        windows::each_fault,
    ),
    (
        "the_memory_limit_is_applied_or_refused",
        windows::memory_limit,
    ),
    (
        "instances_of_a_crashed_child_are_reported_lost",
        shared::instances_lost,
    ),
    (
        "a_crash_around_a_host_callback_is_a_crash_of_the_call",
        shared::host_callback,
    ),
    (
        "an_endless_loop_times_out_at_its_deadline",
        windows::endless_loop,
    ),
    (
        "initializers_that_abort_exit_or_hang_are_typed_load_errors",
        windows::initializers,
    ),
    ("a_killed_host_takes_its_child_along", windows::killed_host),
];

#[cfg(any(target_os = "linux", target_os = "macos"))]
const TESTS: &[runner::Test] = &[
    ("a_healthy_plugin_works_isolated", unix::healthy),
    (
        "oversized_arguments_are_refused_cleanly",
        shared::oversized_arguments,
    ),
    (
        "each_fault_gives_its_typed_error_and_the_host_carries_on",
        unix::each_fault,
    ),
    (
        "instances_of_a_crashed_child_are_reported_lost",
        shared::instances_lost,
    ),
    (
        "with_a_restart_policy_the_next_call_succeeds_on_a_fresh_child",
        unix::restart,
    ),
    (
        "without_a_restart_policy_the_plugin_stays_down",
        unix::no_restart,
    ),
    (
        "a_crash_around_a_host_callback_is_a_crash_of_the_call",
        shared::host_callback,
    ),
    (
        "an_endless_loop_times_out_at_its_deadline",
        unix::endless_loop,
    ),
    (
        "a_per_call_deadline_times_out_a_call",
        unix::per_call_deadline,
    ),
    (
        "initializers_that_abort_exit_or_hang_are_typed_load_errors",
        unix::initializers,
    ),
    // The corruptions are of ELF headers: the plugins of a Mac are Mach-O.
    #[cfg(target_os = "linux")]
    (
        "files_with_corrupted_headers_are_load_errors_never_the_hosts_death",
        unix::corrupted_headers,
    ),
    (
        "a_checksum_mismatch_is_refused_before_any_plugin_code_runs",
        unix::checksum,
    ),
    (
        "a_sigkilled_host_takes_its_child_along",
        unix::sigkilled_host,
    ),
    ("no_zombie_is_left", unix::no_zombies),
    ("the_memory_limit_is_applied_or_refused", unix::memory_limit),
];

/// What every test loads with: isolated, a short default deadline.
fn isolated() -> Isolation {
    Isolation::new().call_timeout(Duration::from_secs(5))
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn load_isolated(stem: &str, isolation: Isolation) -> Plugin {
    Plugin::loader()
        .isolated(isolation)
        .load(c_fixture(stem))
        .unwrap_or_else(|error| panic!("{stem}: {error} [{}]", error.kind()))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn unsupported_platform() {
    let error = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("fault_segfault"))
        .expect_err("isolation is Linux and Windows only for now");
    assert_eq!(error.kind(), "isolation_unsupported", "{error}");
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
#[path = "isolation/crash.rs"]
mod crash;
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
#[path = "isolation/shared.rs"]
mod shared;

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[path = "isolation/unix.rs"]
mod unix;

#[cfg(windows)]
#[path = "isolation/windows.rs"]
mod windows;
