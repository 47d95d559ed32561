//! Plugins' log lines reach a C host (`tenon_log_set_handler`):
//!
//! 1. `tests/capi/log_handler.c`, built with gcc and with clang (C11,
//!    warnings as errors) against the debug libtenon, loads the example C
//!    greeter in process and isolated and checks what its handler gets
//!    (level, plugin name, filtering by level, removal, a handler calling
//!    back into libtenon); it must report `0 failed`. The ignored tests run
//!    it again built with AddressSanitizer (and UBSan) and under valgrind,
//!    which `.ci/run` runs (`-- --ignored`);
//! 2. the example of `docs/guide-c-host.md`'s "Log messages" section
//!    compiles, with gcc and clang, warnings as errors.
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

/// Compiles `tests/capi/log_handler.c` with `compiler` and `extra` flags
/// into `dir`.
fn build_log_handler(compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("log_handler-{compiler}"));
    c_api::build(compiler, "c11", "log_handler", &[], extra, &exe);
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

/// The first ```c block after the heading `## Log messages` of the C host
/// guide.
fn guide_example() -> String {
    let guide = fs::read_to_string(repo_root().join("docs/guide-c-host.md")).unwrap();
    let section = guide
        .split_once("\n## Log messages\n")
        .expect("docs/guide-c-host.md has a section \"## Log messages\"")
        .1;
    let block = section
        .split_once("\n```c\n")
        .expect("the section has a ```c block")
        .1;
    block
        .split_once("\n```\n")
        .expect("the ```c block is closed")
        .0
        .to_owned()
        + "\n"
}

#[test]
fn the_guide_example_compiles() {
    let source = scratch("log_guide").join("log_example.c");
    fs::write(&source, guide_example()).unwrap();
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
