//! A C host's calls into an isolated plugin that dies or hangs during the
//! call: `tests/capi/isolated_faults.c`, built with gcc and with clang (C11,
//! warnings as errors) against the debug libtenon, loads the fixtures
//! `crash_in_greet` and `hang_in_greet` isolated and checks the statuses
//! (`TENON_CRASHED`, `TENON_INSTANCE_LOST`, `TENON_TIMED_OUT`) and the
//! reasons in the calls' error buffers, what a restart policy changes and
//! what happens once its restarts are used up, `tenon_plugin_ping`, and the
//! isolation limits (slots, memory, start timeout, with the C greeter and
//! the fixtures `fault_allocation` and `hang_in_initializer`); it must
//! report `0 failed`.
//!
//! It is not run under AddressSanitizer or valgrind: the fixture's crash
//! happens in the child, which is this same program (ASan would report the
//! plugin's deliberate `SIGSEGV` as its own), and valgrind cannot run the
//! child. `error_paths`, `log_handler` and `reload_state` cover libtenon's
//! memory safety under both.
//!
//! A missing compiler is reported as `TOOLCHAIN MISSING` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use support::c_api;
use tenon_test_plugins::{c_fixture, c_plugin};

#[test]
fn a_c_host_gets_crashes_and_timeouts_as_statuses_with_reasons() {
    c_api::Program {
        file: "isolated_faults.c",
        std: "c11",
        include_dirs: &["examples-c/interfaces"],
        args: vec![
            c_fixture("crash_in_greet"),
            c_fixture("hang_in_greet"),
            c_plugin("greeter"),
            c_fixture("fault_allocation"),
            c_fixture("hang_in_initializer"),
        ],
    }
    .passes_with(&["gcc", "clang"]);
}

/// `tests/capi/isolated_services.c`: the host services of a C host reach
/// its isolated plugins for interfaces libtenon declares, and for any other
/// the isolated plugin's `get_interface` returns NULL, with a warning and
/// the lookup event saying `offered=false` (docs/guide-c-host.md, "Host
/// services").
#[test]
fn isolated_plugins_get_only_host_services_libtenon_declares() {
    c_api::Program {
        file: "isolated_services.c",
        std: "c11",
        include_dirs: &["examples-c/interfaces", "sdk-c/include"],
        args: vec![c_fixture("relay_c"), c_fixture("relay_undeclared")],
    }
    .passes_with(&["gcc", "clang"]);
}
