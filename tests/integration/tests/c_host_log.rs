//! Plugins' log lines reach a C host (`tenon_log_set_handler`):
//!
//! 1. `tests/capi/log_handler.c`, built with gcc and with clang (C11,
//!    warnings as errors) against the debug libtenon, loads the example C
//!    greeter and the fixture `log_from_own_thread` (which logs from a
//!    thread it starts) in process and isolated and checks what its handler
//!    gets (level, plugin name, filtering by level, removal, a handler
//!    calling back into libtenon, the thread it runs on); it must report
//!    `0 failed`. The ignored tests run it again built with AddressSanitizer
//!    (and UBSan) and under valgrind, which `.ci/run` runs (`-- --ignored`);
//! 2. `tests/capi/log_handler.cpp` does the same for the C++ handler of
//!    `tenon/host.hpp` (`tenon::hosting::set_log_handler`): built with g++
//!    and clang++ (C++17, warnings as errors), and for `.ci/run` with
//!    AddressSanitizer and under valgrind, it checks lambdas with captures
//!    as handlers, when a replaced handler is destroyed (never while it
//!    runs, also while other threads log), a throwing handler, and the
//!    lines of isolated plugins (the greeter's, and the one the fixture logs
//!    from its own thread in its child process);
//! 3. the C and C++ examples of `docs/guide-c-host.md`'s "Log messages"
//!    section compile, with gcc and clang (g++ and clang++), warnings as
//!    errors.
//!
//! A missing compiler or valgrind is reported as `TOOLCHAIN MISSING` and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use support::c_api;
use tenon_test_plugins::{c_fixture, c_plugin};

/// `tests/capi/log_handler.c` or `.cpp`, run on the C greeter and the
/// fixture that logs from its own thread.
fn log_handler(file: &'static str) -> c_api::Program {
    c_api::Program {
        file,
        std: "c11",
        include_dirs: &[],
        args: vec![c_plugin("greeter"), c_fixture("log_from_own_thread")],
    }
}

#[test]
fn a_c_handler_gets_plugin_log_lines() {
    log_handler("log_handler.c").passes_with(&["gcc", "clang"]);
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_c_handler_under_address_sanitizer() {
    log_handler("log_handler.c").passes_under_address_sanitizer();
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_c_handler_under_valgrind() {
    log_handler("log_handler.c").passes_under_valgrind();
}

#[test]
fn a_cpp_handler_gets_plugin_log_lines() {
    log_handler("log_handler.cpp").passes_with(&["g++", "clang++"]);
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_cpp_handler_under_address_sanitizer() {
    log_handler("log_handler.cpp").passes_under_address_sanitizer();
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_cpp_handler_under_valgrind() {
    log_handler("log_handler.cpp").passes_under_valgrind();
}

#[test]
fn the_guide_example_compiles() {
    c_api::guide_example_compiles("Log messages", "c", &[]);
}

#[test]
fn the_guide_cpp_example_compiles() {
    c_api::guide_example_compiles("Log messages", "cpp", &[]);
}
