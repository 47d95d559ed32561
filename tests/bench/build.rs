//! Builds the benchmark's own C plugin (`echo/echo.c`) into a shared library
//! in `OUT_DIR`, with the flags every example plugin is held to, and tells
//! the bench where it is (`TENON_BENCH_ECHO_PLUGIN`).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let source = manifest.join("echo/echo.c");
    let library = out.join(format!(
        "{}echo_c{}",
        env::consts::DLL_PREFIX,
        env::consts::DLL_SUFFIX
    ));
    println!("cargo:rerun-if-changed={}", source.display());
    for dir in ["include", "sdk-c/include", "examples-c/interfaces"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }

    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let mut command: Command = compiler.to_command();
    command.args([
        "-std=c99",
        "-O2",
        "-shared",
        "-fPIC",
        "-fvisibility=hidden",
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Werror",
    ]);
    for dir in ["include", "sdk-c/include", "examples-c/interfaces"] {
        command.arg("-I").arg(root.join(dir));
    }
    command.arg("-o").arg(&library).arg(&source);
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("could not run the C compiler ({command:?}): {e}"));
    assert!(status.success(), "building echo.c failed: {command:?}");
    println!(
        "cargo:rustc-env=TENON_BENCH_ECHO_PLUGIN={}",
        library.display()
    );
}
