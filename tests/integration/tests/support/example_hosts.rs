//! The example C and C++ hosts (`examples-c/hosts`) built against an SDK
//! installed into a fresh prefix, the way `c_host.rs` (linking
//! `libtenon.so`) and `c_host_static.rs` (linking `libtenon.a`) build them:
//! with CMake, and with make under gcc/g++ and clang/clang++, warnings as
//! errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{c_api, have_all, install_sdk_c, repo_root, run, scratch};

use tenon_test_plugins::c_fixture;

/// How the hosts link libtenon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Linking {
    /// `libtenon.so`: `Tenon::host`, `tenon-host.pc`.
    Shared,
    /// `libtenon.a`, the whole archive: `Tenon::host_static`,
    /// `tenon-host-static.pc`. The prefix has no `libtenon.so`, so a host
    /// that still needed it would not start.
    Static,
}

/// The SDK with its host part (`-DTENON_HOST_LIBRARY_DIR` naming the debug
/// libtenon), installed into a fresh prefix under the scratch directory
/// `name`, with the files `linking` needs.
pub fn install_sdk(name: &str, linking: Linking) -> PathBuf {
    let libtenon = c_api::libtenon_dir();
    if linking == Linking::Static {
        assert!(
            libtenon.join("libtenon.a").is_file(),
            "cargo built no libtenon.a in {}",
            libtenon.display()
        );
    }
    let prefix = install_sdk_c(
        &scratch(name),
        &[
            format!("-DTENON_HOST_LIBRARY_DIR={}", libtenon.display()),
            "-DTENON_INSTALL_EXAMPLE_INTERFACES=ON".into(),
        ],
    );
    let files: &[&str] = match linking {
        Linking::Shared => &[
            "lib/libtenon.so",
            "share/cmake/Tenon/TenonHostTargets.cmake",
            "share/pkgconfig/tenon-host.pc",
        ],
        Linking::Static => &[
            "lib/libtenon.a",
            "share/cmake/Tenon/TenonHostStaticTargets.cmake",
            "share/pkgconfig/tenon-host-static.pc",
        ],
    };
    for file in ["include/tenon/host.h", "include/tenon/host.hpp"]
        .iter()
        .chain(files)
    {
        assert!(prefix.join(file).is_file(), "the install lacks {file}");
    }
    if linking == Linking::Static {
        std::fs::remove_file(prefix.join("lib/libtenon.so")).expect("the install has libtenon.so");
    }
    prefix
}

/// Builds the example hosts against `prefix` with CMake, and with make
/// under each of gcc/g++ and clang/clang++ that is installed, and calls
/// `check(what, exe)` on the C and the C++ host of each build. No build
/// writes into the source tree. The caller has checked that cmake, make,
/// pkg-config, cc and c++ are installed ([`have_all`]).
pub fn build_each(prefix: &Path, linking: Linking, check: impl Fn(&str, &Path)) {
    let source = repo_root().join("examples-c/hosts");
    let (label, cmake_option, make_option) = match linking {
        Linking::Shared => ("", None, None),
        Linking::Static => (
            "static ",
            Some("-DTENON_EXAMPLE_HOSTS_STATIC=ON"),
            Some("TENON_HOST_PC=tenon-host-static"),
        ),
    };

    let build = scratch(&format!("hosts-{label}cmake").replace(' ', "-"));
    run(
        &format!("configuring examples-c/hosts, {label}CMake"),
        Command::new("cmake")
            .arg("-S")
            .arg(&source)
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            .arg("-DCMAKE_COMPILE_WARNING_AS_ERROR=ON")
            .args(cmake_option),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run(
        &format!("building examples-c/hosts, {label}CMake"),
        Command::new("cmake").arg("--build").arg(&build),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check(&format!("cmake: {label}C host"), &build.join("host"));
    check(&format!("cmake: {label}C++ host"), &build.join("host-cpp"));

    for (cc, cxx) in [("gcc", "g++"), ("clang", "clang++")] {
        if !have_all(&[cc, cxx]) {
            continue;
        }
        let out = scratch(&format!("hosts-{label}make-{cc}").replace(' ', "-"));
        run(
            &format!("make -C examples-c/hosts, {label}{cc}"),
            Command::new("make")
                .arg("-C")
                .arg(&source)
                .arg(format!("O={}", out.display()))
                .arg(format!("CC={cc}"))
                .arg(format!("CXX={cxx}"))
                .args(make_option)
                .env("PKG_CONFIG_PATH", prefix.join("share/pkgconfig")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        check(&format!("make {cc}: {label}C host"), &out.join("host"));
        check(
            &format!("make {cxx}: {label}C++ host"),
            &out.join("host-cpp"),
        );
    }
    assert!(
        !source.join("host").exists() && !source.join("host-cpp").exists(),
        "a build wrote into the source tree"
    );
}

/// A host given a file that is not a plugin says `[not_a_library]` on
/// stderr and exits with 1.
pub fn refuses_a_bad_plugin(what: &str, exe: &Path) {
    let output = Command::new(exe)
        .arg(c_fixture("not_a_library"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{what}, bad plugin: {stderr}"
    );
    assert!(
        stderr.contains("[not_a_library]"),
        "{what}, bad plugin: {stderr}"
    );
}
