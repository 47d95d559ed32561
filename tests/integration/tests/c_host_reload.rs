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

use std::path::PathBuf;

use support::{c_api, have_cpp};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_plugin};

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

/// `tests/capi/reload_state.c` on its five plugins.
fn reload_state() -> c_api::Program {
    c_api::Program {
        file: "reload_state.c",
        std: "c99",
        include_dirs: &["examples-c/interfaces"],
        args: reload_state_args(),
    }
}

/// `tests/capi/reload_state.cpp` on its three plugins.
fn reload_state_cpp() -> c_api::Program {
    let mut args = reload_state_args();
    args.truncate(3);
    c_api::Program {
        file: "reload_state.cpp",
        std: "c++17",
        include_dirs: &["examples-c/interfaces"],
        args,
    }
}

#[test]
fn a_c_host_hands_state_over() {
    reload_state().passes_with(&["gcc", "clang"]);
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn hand_over_under_address_sanitizer() {
    reload_state().passes_under_address_sanitizer();
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn hand_over_under_valgrind() {
    reload_state().passes_under_valgrind();
}

#[test]
fn a_cpp_host_hands_state_over() {
    reload_state_cpp().passes_with(&["g++", "clang++"]);
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn cpp_hand_over_under_address_sanitizer() {
    reload_state_cpp().passes_under_address_sanitizer();
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_reload -- --ignored"]
fn cpp_hand_over_under_valgrind() {
    reload_state_cpp().passes_under_valgrind();
}

#[test]
fn the_guide_example_compiles() {
    c_api::guide_example_compiles(
        "Reload with state hand-over",
        "c",
        &["examples-c/interfaces"],
    );
}
