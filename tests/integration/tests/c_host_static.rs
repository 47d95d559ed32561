//! C and C++ hosts linking libtenon statically (`libtenon.a`):
//!
//! 1. the SDK is installed with its host part into a fresh prefix from the
//!    debug build of libtenon, which cargo builds as `libtenon.a` too; the
//!    install has `lib/libtenon.a`, `Tenon::host_static` and
//!    `tenon-host-static.pc`, and its `libtenon.so` is then deleted, so a
//!    host that still needed it would not start;
//! 2. the example hosts (`examples-c/hosts`, C and C++) build against it
//!    with CMake (`-DTENON_EXAMPLE_HOSTS_STATIC=ON`) and with make
//!    (`TENON_HOST_PC=tenon-host-static`, gcc and clang), warnings as
//!    errors;
//! 3. every host built runs C and Rust plugins in process, one C and one
//!    Rust plugin isolated (the child process is the static host itself,
//!    re-executed), and a reloadable one reloaded once; a bad plugin fails
//!    with its error kind and exit status 1;
//! 4. linked without `--whole-archive`, the same host still runs plugins
//!    in process, but an isolated lookup fails with `isolation_failed`
//!    ("not declared"): the linker left out the interface declarations,
//!    which is why `Tenon::host_static` and `tenon-host-static.pc` link the
//!    whole archive (docs/guide-c-host.md, "Linking libtenon statically").
//!
//! A missing cmake, make, pkg-config or compiler is reported as
//! `TOOLCHAIN MISSING` and skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::example_hosts::{self, Linking};
use support::{have_all, repo_root, run, scratch, WARNINGS};
use tenon_test_plugins::{c_plugin, rust_plugin};

/// The SDK installed with libtenon.a into a fresh prefix, without
/// libtenon.so; once for both tests.
fn installed_static_sdk() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| example_hosts::install_sdk("sdk", Linking::Static))
}

/// The arguments of a host run: plugins in process, isolated and
/// reloadable.
fn host_args() -> Vec<PathBuf> {
    vec![
        c_plugin("greeter"),
        c_plugin("kv"),
        rust_plugin("processor-rust").expect("building processor-rust"),
        "--isolated".into(),
        c_plugin("processor"),
        rust_plugin("greeter-rust").expect("building greeter-rust"),
        "--reloadable".into(),
        c_plugin("greeter"),
    ]
}

/// Runs a host on [`host_args`] and checks what it printed, then on a bad
/// plugin.
fn check_host(what: &str, exe: &Path) {
    let stdout = run(what, Command::new(exe).args(host_args())).unwrap_or_else(|e| panic!("{e}"));
    for expected in [
        "greeter-c 1.0.0\n  greet(\"world\") = \"Hello, world!\"\n",
        "  kv put/get \"tenon\" = \"mortise\"\n",
        "processor-rust 1.0.0\n",
        // The isolated ones, each answered by its child process.
        "processor-c 1.0.0 (isolated)\n  processor name = ",
        "  process(\"123456789\") = cb f4 39 26\n",
        "greeter-rust 1.0.0 (isolated)\n  greet(\"world\") = \"Hello, world!\"\n",
        "  reloadable greet(\"world\") = \"Hello, world!\"\n  reloaded: generation 2\n",
    ] {
        assert!(
            stdout.contains(expected),
            "{what}: no {expected:?} in:\n{stdout}"
        );
    }
    example_hosts::refuses_a_bad_plugin(what, exe);
}

#[test]
fn example_hosts_link_libtenon_statically_with_cmake_and_make() {
    if !have_all(&["cmake", "make", "pkg-config", "cc", "c++"]) {
        return;
    }
    example_hosts::build_each(installed_static_sdk(), Linking::Static, check_host);
}

#[test]
fn without_the_whole_archive_isolated_interfaces_are_missing() {
    if !have_all(&["cmake", "cc"]) {
        return;
    }
    let prefix = installed_static_sdk();
    let root = repo_root();
    let exe = scratch("partial-archive").join("host");
    // The system libraries as the package lists them, after the archive
    // named plainly (only the members something refers to are linked).
    let pc = std::fs::read_to_string(prefix.join("share/pkgconfig/tenon-host-static.pc")).unwrap();
    let system_libs = pc
        .lines()
        .find_map(|line| line.strip_prefix("Libs: "))
        .and_then(|libs| libs.split_once("-Wl,--no-whole-archive"))
        .expect("tenon-host-static.pc's Libs: line links the whole archive")
        .1
        .split_whitespace();
    run(
        "linking the example C host to libtenon.a without --whole-archive",
        Command::new("cc")
            .arg("-std=c99")
            .args(WARNINGS)
            .arg(format!("-I{}", prefix.join("include").display()))
            .arg(format!(
                "-I{}",
                root.join("examples-c/interfaces").display()
            ))
            .arg(root.join("examples-c/hosts/c/host.c"))
            .arg("-o")
            .arg(&exe)
            .arg(prefix.join("lib/libtenon.a"))
            .args(system_libs),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let stdout = run(
        "the partly linked host, in process",
        Command::new(&exe).arg(c_plugin("greeter")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stdout.contains("  greet(\"world\") = \"Hello, world!\"\n"),
        "in process: {stdout}"
    );

    let output = Command::new(&exe)
        .arg("--isolated")
        .arg(c_plugin("greeter"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "isolated: {stderr}");
    assert!(
        stderr.contains("[isolation_failed]") && stderr.contains("is not declared"),
        "isolated, without the declarations: {stderr}"
    );
}
