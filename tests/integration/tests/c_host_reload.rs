//! A C host reloads a stateful plugin with state hand-over
//! (`tenon_options_reload`, `TENON_RELOAD_HAND_OVER`):
//!
//! 1. `tests/capi/reload_state.c`, built with gcc and with clang (C99,
//!    warnings as errors) against the debug libtenon, fills the C kv, reloads
//!    it into the C++ kv and back, in process and isolated, and checks that
//!    the entries survive, the generations and the bytes handed over; then
//!    that each failure (a build without `org.tenon.state`, a failing
//!    restore, a failing save, a call outlasting the drain timeout) is a
//!    typed error with the old build serving its state. It must report
//!    `0 failed`. The ignored tests run it again built with AddressSanitizer
//!    (and UBSan) and under valgrind, which `.ci/run` runs (`-- --ignored`);
//! 2. `tests/capi/reload_state.cpp`, built with g++ and clang++, does the
//!    same through `tenon/host.hpp` (`options::hand_over`, `stateless`,
//!    `reloadable::with`, `reload_report`, a failure as a thrown
//!    `tenon::hosting::error`), also under AddressSanitizer and valgrind;
//! 3. the example of `docs/guide-c-host.md`'s "Reload with state hand-over"
//!    section compiles, with gcc and clang, warnings as errors.
//!
//! A missing compiler or valgrind is reported as `TOOLCHAIN MISSING` and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{available, c_api, have, have_cpp, repo_root, run, scratch, WARNINGS};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_plugin};

const COMPILERS: &[&str] = &["gcc", "clang"];

/// Compiles `tests/capi/reload_state.c` with `compiler` and `extra` flags
/// into `dir`.
fn build_reload_state(compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("reload_state-{compiler}"));
    c_api::build(
        compiler,
        "c99",
        "reload_state",
        &["examples-c/interfaces"],
        extra,
        &exe,
    );
    exe
}

/// The plugins `reload_state` takes, in order: two kv builds sharing their
/// state format (C, then C++; C twice without a C++ compiler), and the three
/// failing fixtures. (`reload_state.cpp` takes the first three.)
fn reload_state_args() -> Vec<PathBuf> {
    let other = if have_cpp() {
        cpp_plugin("kv-cpp")
    } else {
        c_plugin("kv")
    };
    vec![
        c_plugin("kv"),
        other,
        c_fixture("kv_restore_fails"),
        c_fixture("kv_save_fails"),
        c_fixture("kv_without_state"),
    ]
}

/// Runs `command` (reload_state) on its arguments and checks it passed
/// every check.
fn expect_all_passed(what: &str, command: &mut Command) {
    c_api::expect_all_passed(what, command.args(reload_state_args()));
}

#[test]
fn a_c_host_hands_state_over() {
    let dir = scratch("reload_state");
    for compiler in available(COMPILERS) {
        let exe = build_reload_state(compiler, &dir, &[]);
        expect_all_passed(
            &format!("reload_state ({compiler})"),
            &mut Command::new(exe),
        );
    }
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn hand_over_under_address_sanitizer() {
    let dir = scratch("reload_state_asan");
    let exe = build_reload_state("cc", &dir, c_api::SANITIZERS);
    expect_all_passed(
        "reload_state under AddressSanitizer",
        &mut c_api::under_address_sanitizer(&exe),
    );
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn hand_over_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let dir = scratch("reload_state_valgrind");
    let exe = build_reload_state("cc", &dir, &["-g"]);
    expect_all_passed(
        "reload_state under valgrind",
        &mut c_api::under_valgrind(&exe),
    );
}

/// Compiles `tests/capi/reload_state.cpp` with `compiler` and `extra`
/// flags into `dir`.
fn build_reload_state_cpp(compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("reload_state_cpp-{compiler}"));
    let interfaces = format!("-I{}", repo_root().join("examples-c/interfaces").display());
    let flags: Vec<&str> = extra.iter().copied().chain([interfaces.as_str()]).collect();
    c_api::build_cpp(compiler, "reload_state", &flags, &exe);
    exe
}

/// Runs `command` (reload_state_cpp) on its three plugins and checks it
/// passed every check.
fn expect_all_passed_cpp(what: &str, command: &mut Command) {
    let args = reload_state_args();
    c_api::expect_all_passed(what, command.args(&args[..3]));
}

#[test]
fn a_cpp_host_hands_state_over() {
    let dir = scratch("reload_state_cpp");
    for compiler in available(&["g++", "clang++"]) {
        let exe = build_reload_state_cpp(compiler, &dir, &[]);
        expect_all_passed_cpp(
            &format!("reload_state.cpp ({compiler})"),
            &mut Command::new(exe),
        );
    }
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn cpp_hand_over_under_address_sanitizer() {
    let dir = scratch("reload_state_cpp_asan");
    let exe = build_reload_state_cpp("c++", &dir, c_api::SANITIZERS);
    expect_all_passed_cpp(
        "reload_state.cpp under AddressSanitizer",
        &mut c_api::under_address_sanitizer(&exe),
    );
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn cpp_hand_over_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let dir = scratch("reload_state_cpp_valgrind");
    let exe = build_reload_state_cpp("c++", &dir, &["-g"]);
    expect_all_passed_cpp(
        "reload_state.cpp under valgrind",
        &mut c_api::under_valgrind(&exe),
    );
}

#[test]
fn the_guide_example_compiles() {
    let source = scratch("reload_guide").join("reload_example.c");
    fs::write(
        &source,
        c_api::guide_example("Reload with state hand-over", "c"),
    )
    .unwrap();
    let root = repo_root();
    for compiler in available(COMPILERS) {
        run(
            &format!("compiling the guide's hand-over example with {compiler}"),
            Command::new(compiler)
                .arg("-std=c99")
                .args(WARNINGS)
                .arg("-c")
                .arg(format!("-I{}", root.join("include").display()))
                .arg(format!(
                    "-I{}",
                    root.join("examples-c/interfaces").display()
                ))
                .arg(&source)
                .arg("-o")
                .arg(source.with_extension(format!("{compiler}.o"))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
