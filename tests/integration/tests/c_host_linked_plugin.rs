//! A C host with a plugin linked into it (`tenon_plugin_load_static`):
//! `tests/capi/static_plugin.c` is built with gcc and with clang (C99,
//! warnings as errors) together with the example C greeter compiled with
//! `-DTENON_STATIC_PLUGIN=greeter_c`, as `docs/static.md` tells a C host
//! to, against the debug libtenon; it checks the linked-in greeter and the
//! refusals, and must report `0 failed`. Then under valgrind, which
//! `.ci/run` runs (`-- --ignored`).
//!
//! A missing compiler or valgrind is reported as `TOOLCHAIN MISSING` and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{available, c_api, repo_root, scratch};

/// Builds the program with `compiler` and `extra` flags, the greeter
/// compiled into it.
fn build(compiler: &str, extra: &[&str]) -> PathBuf {
    let dir = scratch(&format!("static_plugin_{compiler}"));
    let exe = dir.join("static_plugin");
    let greeter = repo_root().join("examples-c/greeter/greeter.c");
    let mut flags = vec!["-DTENON_STATIC_PLUGIN=greeter_c"];
    flags.extend_from_slice(extra);
    flags.push(greeter.to_str().unwrap());
    c_api::build_source(
        compiler,
        "c99",
        &repo_root().join("tests/capi/static_plugin.c"),
        &["sdk-c/include", "examples-c/interfaces"],
        &flags,
        &exe,
    );
    exe
}

#[test]
fn a_c_host_verifies_and_calls_a_plugin_linked_into_it() {
    for compiler in available(&["gcc", "clang"]) {
        let exe = build(compiler, &[]);
        c_api::expect_all_passed(
            &format!("static_plugin.c ({compiler})"),
            &mut Command::new(exe),
        );
    }
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host_linked_plugin -- --ignored"]
fn a_c_host_with_a_linked_in_plugin_under_valgrind() {
    if !support::have("valgrind") {
        return;
    }
    let exe = build("cc", &["-g"]);
    c_api::expect_all_passed(
        "static_plugin.c under valgrind",
        &mut c_api::under_valgrind(&exe),
    );
}
