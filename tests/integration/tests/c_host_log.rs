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
//!    runs, also while other threads log), and a throwing handler;
//! 3. the C and C++ examples of `docs/guide-c-host.md`'s "Log messages"
//!    section compile, with gcc and clang, warnings as errors.
//!
//! A missing compiler or valgrind is reported as `TOOLCHAIN MISSING` and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{available, c_api, have, repo_root, run, scratch, WARNINGS};
use tenon_test_plugins::{c_fixture, c_plugin};

const COMPILERS: &[&str] = &["gcc", "clang"];
const CPP_COMPILERS: &[&str] = &["g++", "clang++"];

/// Compiles `tests/capi/log_handler.c` with `compiler` and `extra` flags
/// into `dir`.
fn build_log_handler(compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("log_handler-{compiler}"));
    c_api::build(compiler, "c11", "log_handler", &[], extra, &exe);
    exe
}

/// Compiles `tests/capi/log_handler.cpp` with `compiler` and `extra` flags
/// into `dir`.
fn build_log_handler_cpp(compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("log_handler_cpp-{compiler}"));
    c_api::build_cpp(compiler, "log_handler", extra, &exe);
    exe
}

/// Runs `command` (log_handler or log_handler_cpp) on the C greeter and
/// the fixture that logs from its own thread, and checks it passed every
/// check.
fn expect_all_passed(what: &str, command: &mut Command) {
    c_api::expect_all_passed(
        what,
        command
            .arg(c_plugin("greeter"))
            .arg(c_fixture("log_from_own_thread")),
    );
}

#[test]
fn a_c_handler_gets_plugin_log_lines() {
    let dir = scratch("log_handler");
    for compiler in available(COMPILERS) {
        let exe = build_log_handler(compiler, &dir, &[]);
        expect_all_passed(&format!("log_handler ({compiler})"), &mut Command::new(exe));
    }
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_c_handler_under_address_sanitizer() {
    let dir = scratch("log_handler_asan");
    let exe = build_log_handler("cc", &dir, c_api::SANITIZERS);
    expect_all_passed(
        "log_handler under AddressSanitizer",
        &mut c_api::under_address_sanitizer(&exe),
    );
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_c_handler_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let dir = scratch("log_handler_valgrind");
    let exe = build_log_handler("cc", &dir, &["-g"]);
    expect_all_passed(
        "log_handler under valgrind",
        &mut c_api::under_valgrind(&exe),
    );
}

#[test]
fn a_cpp_handler_gets_plugin_log_lines() {
    let dir = scratch("log_handler_cpp");
    for compiler in available(CPP_COMPILERS) {
        let exe = build_log_handler_cpp(compiler, &dir, &[]);
        expect_all_passed(
            &format!("log_handler.cpp ({compiler})"),
            &mut Command::new(exe),
        );
    }
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_cpp_handler_under_address_sanitizer() {
    let dir = scratch("log_handler_cpp_asan");
    let exe = build_log_handler_cpp("c++", &dir, c_api::SANITIZERS);
    expect_all_passed(
        "log_handler.cpp under AddressSanitizer",
        &mut c_api::under_address_sanitizer(&exe),
    );
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_log -- --ignored"]
fn a_cpp_handler_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let dir = scratch("log_handler_cpp_valgrind");
    let exe = build_log_handler_cpp("c++", &dir, &["-g"]);
    expect_all_passed(
        "log_handler.cpp under valgrind",
        &mut c_api::under_valgrind(&exe),
    );
}

#[test]
fn the_guide_example_compiles() {
    let source = scratch("log_guide").join("log_example.c");
    fs::write(&source, c_api::guide_example("Log messages", "c")).unwrap();
    for compiler in available(COMPILERS) {
        run(
            &format!("compiling the guide's log example with {compiler}"),
            Command::new(compiler)
                .arg("-std=c99")
                .args(WARNINGS)
                .arg("-c")
                .arg(format!("-I{}", repo_root().join("include").display()))
                .arg(&source)
                .arg("-o")
                .arg(source.with_extension(format!("{compiler}.o"))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn the_guide_cpp_example_compiles() {
    let source = scratch("log_guide_cpp").join("log_example.cpp");
    fs::write(&source, c_api::guide_example("Log messages", "cpp")).unwrap();
    for compiler in available(CPP_COMPILERS) {
        run(
            &format!("compiling the guide's C++ log example with {compiler}"),
            Command::new(compiler)
                .arg("-std=c++17")
                .args(WARNINGS)
                .arg("-c")
                .arg(format!("-I{}", repo_root().join("include").display()))
                .arg(format!(
                    "-I{}",
                    repo_root().join("sdk-c/host/include").display()
                ))
                .arg(&source)
                .arg("-o")
                .arg(source.with_extension(format!("{compiler}.o"))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
