//! A C host reloads a stateful plugin with state hand-over
//! (`tenon_options_reload`, `TENON_RELOAD_HAND_OVER`):
//!
//! 1. `tests/capi/reload_state.c`, built with gcc and with clang (C99,
//!    warnings as errors) against the debug libtenon, fills the C kv, reloads
//!    it into the C++ kv, in process and isolated, and checks that the
//!    entries survive, the generations and the bytes handed over; then that
//!    each failure (a build without `org.tenon.state`, a failing restore, a
//!    failing save, a call outlasting the drain timeout) is a typed error
//!    with the old build serving its state; and that the C kv's entries go
//!    over to the Rust kv (`examples-rust/kv`, same state format) and from
//!    it to the C++ kv. It must report `0 failed`. The ignored tests run it again built with AddressSanitizer
//!    (and UBSan) and under valgrind, which `.ci/run` runs (`-- --ignored`);
//! 2. `tests/capi/reload_state.cpp`, built with g++ and clang++, does the
//!    same through `tenon/host.hpp` (`options::hand_over`, `stateless`,
//!    `reloadable::with`, `reload_report`, a failure as a thrown
//!    `tenon::hosting::error`), also under AddressSanitizer and valgrind;
//! 3. the example of `docs/guide-c-host.md`'s "Reload with state hand-over"
//!    section compiles, with gcc and clang, warnings as errors;
//! 4. the program of its "Reload" section (a stateless reload) builds with
//!    gcc and clang, warnings as errors, and greets through one build of a
//!    greeter, reloads and greets through the next; a new build that is not
//!    a plugin is refused and the old one keeps greeting.
//!
//! A missing compiler or valgrind is reported as `TOOLCHAIN MISSING` and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{c_api, have_cpp, run};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_plugin, rust_plugin};

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

/// `tests/capi/reload_state.c` on its five plugins and the Rust kv.
fn reload_state() -> c_api::Program {
    let mut args = reload_state_args();
    args.push(rust_plugin("kv-rust").expect("building kv-rust"));
    c_api::Program {
        file: "reload_state.c",
        std: "c99",
        include_dirs: &["examples-c/interfaces"],
        args,
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

/// The guide's "Reload" program on two builds of the reload fixture, on the
/// C greeter alone (reloaded from its own file), and with a new build that
/// is not a plugin.
#[test]
fn the_guide_reload_example_builds_and_runs() {
    let build_a = c_fixture("reload_build_a");
    let build_b = c_fixture("reload_build_b");
    for (compiler, exe) in c_api::guide_program_built("Reload", &["examples-c/interfaces"]) {
        let swapped = run(
            &format!("the guide's reload program ({compiler})"),
            Command::new(&exe).arg(&build_a).arg(&build_b),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            swapped, "a:world\nreloaded: generation 2\nb:world\n",
            "{compiler}"
        );
        let again = run(
            &format!("the guide's reload program, one file ({compiler})"),
            Command::new(&exe).arg(c_plugin("greeter")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again, "Hello, world!\nreloaded: generation 2\nHello, world!\n",
            "{compiler}"
        );
        let refused = Command::new(&exe)
            .arg(&build_a)
            .arg(c_fixture("not_a_library"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&refused.stdout);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{compiler}: {stderr}");
        assert_eq!(stdout, "a:world\na:world\n", "{compiler}: {stderr}");
        assert!(
            stderr.starts_with("[not_a_library] "),
            "{compiler}: {stderr}"
        );
    }
}
