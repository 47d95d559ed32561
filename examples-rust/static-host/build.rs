//! Links the C, C++ and Zig greeters into this crate, each built from its
//! unchanged source with its SDK's static setting: `-DTENON_STATIC_PLUGIN=<id>`
//! for C and C++ (the `cc` crate), `zig build -Dstatic=<id>` for Zig. Each
//! becomes a static library whose only entry is the hidden
//! `tenon_plugin_v1_<id>`, which src/lib.rs registers by name.
//!
//! The Zig greeter needs Zig (`ZIG`, else `zig`, else `python3 -m ziglang`),
//! the C++ one a C++ compiler. Without one the crate builds without that
//! greeter and says `TOOLCHAIN MISSING`, unless `TENON_REQUIRE_TOOLCHAINS=1`
//! (CI), which makes it an error.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let includes = [
        root.join("include"),
        root.join("sdk-c/include"),
        root.join("examples-c/interfaces"),
    ];
    for watched in [
        "include",
        "sdk-c/include",
        "examples-c/interfaces",
        "examples-c/greeter",
        "examples-c/greeter-cpp",
        "examples-zig/greeter/src",
        "examples-zig/greeter/build.zig",
        "sdk-zig",
        "tests/fixtures",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=ZIG");
    println!("cargo:rerun-if-env-changed=TENON_REQUIRE_TOOLCHAINS");
    println!("cargo::rustc-check-cfg=cfg(tenon_static_zig)");
    println!("cargo::rustc-check-cfg=cfg(tenon_static_cpp)");

    strict(cc::Build::new())
        .includes(&includes)
        .flag("-std=c99")
        .define("TENON_STATIC_PLUGIN", "greeter_c")
        .file(root.join("examples-c/greeter/greeter.c"))
        .compile("tenon_static_greeter_c");

    // Without a C++ compiler the demo, which links this crate, still
    // builds with only Rust and a C compiler (as the README promises).
    let cpp = strict(cc::Build::new())
        .cpp(true)
        .includes(&includes)
        .flag("-std=c++17")
        .define("TENON_STATIC_PLUGIN", "greeter_cpp")
        .file(root.join("examples-c/greeter-cpp/greeter.cpp"))
        .try_compile("tenon_static_greeter_cpp");
    match cpp {
        Ok(()) => println!("cargo:rustc-cfg=tenon_static_cpp"),
        Err(error) => missing("c++", &error.to_string()),
    }

    // A broken plugin for the tests (create is NULL), written by hand with
    // the plain entry name, renamed here as a static build would name it.
    // Nothing but the tests references it, so the example binary does not
    // contain it.
    strict(cc::Build::new())
        .includes(&includes)
        .include(root.join("tests/fixtures"))
        .flag("-std=c99")
        .define("tenon_plugin_v1", "tenon_plugin_v1_null_create")
        .file(root.join("tests/fixtures/null_create.c"))
        .compile("tenon_static_fixtures");

    match zig_greeter(&root, &out) {
        Ok(lib_dir) => {
            println!("cargo:rustc-link-search=native={}", lib_dir.display());
            println!("cargo:rustc-link-lib=static=greeter-zig");
            println!("cargo:rustc-cfg=tenon_static_zig");
        }
        Err(why) => missing("zig", &why),
    }
}

/// Leaves a greeter out, loudly, unless `TENON_REQUIRE_TOOLCHAINS=1`.
fn missing(tool: &str, why: &str) {
    if env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!("TOOLCHAIN MISSING: {tool}: {why}");
    }
    println!("cargo:warning=TOOLCHAIN MISSING: {tool} ({why}); its greeter is not linked in");
}

/// The project's warning rules for C and C++ (`-Wall -Wextra -Wpedantic
/// -Werror`).
fn strict(mut build: cc::Build) -> cc::Build {
    build
        .warnings(true)
        .extra_warnings(true)
        .flag("-Wpedantic")
        .warnings_into_errors(true);
    build
}

/// `-Dtarget=` for the target cargo builds for when it is not the host
/// (Zig builds for the machine it runs on by default): a Windows build on
/// Linux, for instance.
fn zig_target() -> Option<String> {
    let target = env::var("TARGET").ok()?;
    if env::var("HOST").ok()? == target {
        return None;
    }
    let arch = target.split('-').next()?;
    let os = if target.contains("windows") {
        "windows-gnu"
    } else if target.contains("apple") {
        "macos"
    } else if target.contains("linux-musl") {
        "linux-musl"
    } else if target.contains("linux") {
        "linux-gnu"
    } else {
        return None;
    };
    Some(format!("-Dtarget={arch}-{os}"))
}

/// Builds the Zig greeter as a static library with `zig build
/// -Dstatic=greeter_zig` and returns the directory holding it.
fn zig_greeter(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let prefix = out.join("zig");
    let mut candidates: Vec<Vec<String>> = Vec::new();
    if let Ok(zig) = env::var("ZIG") {
        candidates.push(vec![zig]);
    }
    candidates.push(vec!["zig".to_owned()]);
    candidates.push(vec!["python3".into(), "-m".into(), "ziglang".into()]);
    let mut tried = Vec::new();
    for zig in candidates {
        let answers = Command::new(&zig[0])
            .args(&zig[1..])
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !answers {
            tried.push(zig.join(" "));
            continue;
        }
        // A library left by a build for another target would be linked
        // instead (zig names it libgreeter-zig.a or greeter-zig.lib).
        let _ = std::fs::remove_dir_all(&prefix);
        let output = Command::new(&zig[0])
            .args(&zig[1..])
            .args(["build", "-Dstatic=greeter_zig", "-Doptimize=ReleaseSafe"])
            .args(zig_target())
            .arg("--prefix")
            .arg(&prefix)
            .arg("--cache-dir")
            .arg(out.join("zig-cache"))
            .current_dir(root.join("examples-zig/greeter"))
            .output()
            .map_err(|e| format!("{}: {e}", zig.join(" ")))?;
        if !output.status.success() {
            // A compiler that answers but fails is an error, not a missing
            // toolchain.
            panic!(
                "zig build -Dstatic=greeter_zig failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let lib = prefix.join("lib");
        // For Windows Zig names the archive greeter-zig.lib; rustc looks
        // for libgreeter-zig.a with a GNU target (the format is the same).
        let zig_named = lib.join("greeter-zig.lib");
        if zig_named.is_file() && env::var("TARGET").is_ok_and(|t| t.ends_with("windows-gnu")) {
            std::fs::copy(&zig_named, lib.join("libgreeter-zig.a"))
                .map_err(|e| format!("copy {}: {e}", zig_named.display()))?;
        }
        return Ok(lib);
    }
    Err(format!("none of {} answers `version`", tried.join(", ")))
}
