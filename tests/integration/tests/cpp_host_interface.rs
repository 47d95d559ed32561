//! `tenon/plugin.hpp`'s way to call an interface the host offers,
//! `tenon::host::interface` and `tenon::host_interface::call`, checked
//! against a host made up in C++ (`cpp_host_interface/check.cpp`): results
//! as strings, byte vectors and scalars, arguments from string literals,
//! strings, views, byte vectors and a forwarded `tenon::writer`, a result
//! that grows the SDK's buffer, the host's status and message (or, without
//! a message, one naming the interface) thrown as `tenon::error`, a
//! `reserve` that refuses a buffer it did not lend, a method past the end of
//! an earlier revision's vtable or NULL (`TENON_UNSUPPORTED`), a vtable too
//! small for a method, an interface not offered and a host without
//! `get_interface` (`TENON_NOT_FOUND`), and `tenon::error`'s helpers. The
//! program is built with g++ and clang++, as C++17 and C++20, under
//! `-Wall -Wextra -Wpedantic -Werror` and the stricter warnings the C++
//! guide says the SDK's headers are clean under.
//!
//! The same helper in a real plugin, relaying to a Rust host's greeter in
//! process and isolated, is docs/guide-cpp.md's "Host services" snippet
//! (`doc_examples.rs`).
//!
//! A compiler that is not installed is reported as `TOOLCHAIN MISSING: ...`
//! and skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a
//! failure.

mod support;

use std::process::Command;

use support::{
    available, compile, include_args, repo_root, run, scratch, toolchain_missing, Failures,
    STRICT_CXX_WARNINGS, WARNINGS,
};

/// How many checks `check.cpp` prints, each `ok: ...` or `FAIL: ...`.
const CHECKS: usize = 20;

#[test]
fn host_interface_calls_the_hosts_methods_and_throws_its_failures() {
    let source = repo_root().join("tests/integration/tests/cpp_host_interface/check.cpp");
    let compilers = available(&["g++", "clang++"]);
    if compilers.is_empty() {
        toolchain_missing("g++ or clang++", "tenon::host_interface was not checked");
        return;
    }
    let dir = scratch("cpp_host_interface");
    let mut failures = Failures::default();
    for compiler in compilers {
        for std in ["c++17", "c++20"] {
            let exe = dir.join(format!("check-{compiler}-{std}"));
            let mut args: Vec<String> = WARNINGS
                .iter()
                .chain(STRICT_CXX_WARNINGS)
                .map(|w| w.to_string())
                .collect();
            args.extend(include_args());
            args.extend([
                source.display().to_string(),
                "-o".into(),
                exe.display().to_string(),
            ]);
            if let Err(message) = compile(compiler, std, &source, &args) {
                failures.push(message);
                continue;
            }
            let what = format!("{compiler} -std={std}: check.cpp");
            let result = run(&what, &mut Command::new(&exe)).and_then(|stdout| {
                let passed = stdout.lines().filter(|l| l.starts_with("ok: ")).count();
                if passed == CHECKS && !stdout.contains("FAIL") {
                    Ok(())
                } else {
                    Err(format!(
                        "{what}: {passed} of {CHECKS} checks passed:\n{stdout}"
                    ))
                }
            });
            failures.check(result);
        }
    }
    failures.assert_none();
}
