//! The owning wrappers of `tenon/host.hpp` as objects: `tests/capi/wrappers.cpp`,
//! built with g++ and clang++ (C++17, warnings as errors) against the debug
//! libtenon, checks on the example C greeter what moved-from plugins,
//! instances and reloadables do (empty getters, `null_argument` from calls),
//! that an interface outlives its plugin object and a move of its instance,
//! that a buffer lent twice without `clear()` holds both calls' bytes, and
//! that `reloadable::with` takes a named callable; it must report `0 failed`.
//!
//! A missing compiler is reported as `TOOLCHAIN MISSING` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use support::c_api;
use tenon_test_plugins::c_plugin;

fn wrappers() -> c_api::Program {
    c_api::Program {
        file: "wrappers.cpp",
        std: "c++17",
        include_dirs: &["examples-c/interfaces"],
        args: vec![c_plugin("greeter")],
    }
}

#[test]
fn the_cpp_wrappers_keep_their_promises_as_objects() {
    wrappers().passes_with(&["g++", "clang++"]);
}

/// `tests/capi/null_error_text.cpp`: a `tenon::hosting::error` built while
/// `tenon_error_message` and `tenon_error_kind` return NULL (the program
/// defines them itself, which replaces libtenon's on ELF) has an empty
/// message and kind and the right code, instead of undefined behaviour.
#[cfg(target_os = "linux")]
#[test]
fn a_cpp_error_without_message_or_kind_is_empty_not_undefined() {
    c_api::Program {
        file: "null_error_text.cpp",
        std: "c++17",
        include_dirs: &[],
        args: Vec::new(),
    }
    .passes_with(&["g++", "clang++"]);
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_wrappers -- --ignored"]
fn the_cpp_wrappers_under_address_sanitizer() {
    wrappers().passes_under_address_sanitizer();
}
