//! C and C++ hosts through libtenon (`include/tenon/host.h`):
//!
//! 1. `tests/capi/error_paths.c` drives every error path of the C API
//!    against the debug libtenon, and must report `0 failed`; the ignored
//!    tests run it again built with AddressSanitizer (and UBSan) and under
//!    valgrind, which `.ci/run` runs (`-- --ignored`);
//! 2. the SDK is installed with its host part into a fresh prefix
//!    (`cmake -S sdk-c -DTENON_HOST_LIBRARY_DIR=...`), and the example hosts
//!    (`examples-c/hosts`, in C and C++) build against it with CMake and with
//!    make (gcc and clang), warnings as errors;
//! 3. the program of `docs/guide-c-host.md`'s "A host in C" builds (gcc
//!    and clang, warnings as errors) and greets through the C greeter, and
//!    its C++ version there compiles (g++ and clang++); with the guide's
//!    CMake lines, in a project outside the repository, it builds against
//!    the installed SDK and, installed into a prefix of its own, still
//!    finds libtenon and greets;
//! 4. every host built loads the example plugins of all four languages,
//!    calls them, runs one plugin isolated and one reloadable (reloaded once),
//!    and reports a bad plugin with its error kind and exit status 1;
//! 5. the host part installs from a Windows build (`bin/tenon.dll`,
//!    `lib/libtenon.dll.a`), and `Tenon::host` and `tenon-host.pc` name
//!    them (the programs built against it run under Wine in
//!    `scripts/test-windows.sh`);
//! 6. a debug libtenon's complaint about a pointer that is not a live
//!    handle names the function called (`tenon_plugin_unload`, not only
//!    `tenon_plugin_free`).
//!
//! A missing cmake, make, pkg-config, compiler or valgrind is reported as
//! `TOOLCHAIN MISSING` and skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::docs::the_block;
use support::example_hosts::{self, Linking};
use support::{c_api, have_all, run, scratch};
use tenon_test_plugins::{c_fixture, c_plugin, rust_plugin, toolchain, try_examples};

/// `tests/capi/error_paths.c` on the plugins it takes, in order.
fn error_paths() -> c_api::Program {
    c_api::Program {
        file: "error_paths.c",
        std: "c99",
        include_dirs: &["examples-c/interfaces"],
        args: vec![
            c_plugin("greeter"),
            c_fixture("relay_c"),
            c_fixture("greeter_v2"),
            c_fixture("not_a_library"),
            c_fixture("null_slot"),
            c_fixture("reload_build_a"),
            c_fixture("reload_build_b"),
            c_fixture("buffer_abuse"),
        ],
    }
}

#[test]
fn every_error_path_of_the_c_api() {
    error_paths().passes_with(&["cc"]);
}

/// A debug libtenon given a pointer that is not a live plugin ignores it
/// and says so on stderr, naming the function the host called:
/// `tenon_plugin_unload` as well as `tenon_plugin_free`.
#[test]
fn a_stale_handle_is_reported_under_the_function_called() {
    if !have_all(&["cc"]) {
        return;
    }
    let dir = scratch("stale_handle");
    let source = dir.join("stale.c");
    fs::write(
        &source,
        "#include <stdio.h>\n#include <tenon/host.h>\n\
         int main(void) {\n\
             int not_a_plugin = 0;\n\
             const char *outcome = tenon_plugin_unload((tenon_plugin *)&not_a_plugin);\n\
             tenon_plugin_free((tenon_plugin *)&not_a_plugin);\n\
             printf(\"%s\\n\", outcome == NULL ? \"null\" : outcome);\n\
             return 0;\n\
         }\n",
    )
    .unwrap();
    let exe = dir.join("stale");
    c_api::build_source("cc", "c99", &source, &[], &[], &exe);
    let output = Command::new(&exe).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "null", "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("tenon: tenon_plugin_unload: ")
            && lines[0].contains("is not a live tenon_plugin"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("tenon: tenon_plugin_free: ")
            && lines[1].contains("is not a live tenon_plugin"),
        "{stderr}"
    );
}

/// The program of the guide's "A host in C" builds with gcc and clang,
/// warnings as errors, greets through the example C greeter, and reports a
/// file that is not a plugin with its error kind and exit status 1.
#[test]
fn the_guide_example_builds_and_runs() {
    for (compiler, exe) in c_api::guide_program_built("A host in C", &["examples-c/interfaces"]) {
        let greeting = run(
            &format!("the guide's C host ({compiler})"),
            Command::new(&exe).arg(c_plugin("greeter")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(greeting, "Hello, world!\n", "{compiler}");
        let refused = Command::new(&exe)
            .arg(c_fixture("not_a_library"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{compiler}: {stderr}");
        assert!(
            stderr.starts_with("[not_a_library] "),
            "{compiler}: {stderr}"
        );
    }
}

/// The C++ version of that program, after it in the guide, compiles with
/// g++ and clang++, warnings as errors.
#[test]
fn the_guide_cpp_example_compiles() {
    c_api::guide_example_compiles("A host in C", "cpp", &["examples-c/interfaces"]);
}

/// The guide's CMake lines for a host ("Building and installing"), in a
/// project of their own outside the repository with the program of "A host
/// in C" as `main.c`, build against the installed SDK and install the
/// program into a prefix of its own, where it starts (no `LD_LIBRARY_PATH`:
/// it finds libtenon through the rpath `INSTALL_RPATH_USE_LINK_PATH` keeps,
/// which `cmake --install` otherwise drops) and greets.
#[test]
fn the_guide_cmake_host_starts_once_installed() {
    if !have_all(&["cmake", "cc"]) {
        return;
    }
    let sdk = example_hosts::install_sdk("sdk_for_the_guide_cmake_host", Linking::Shared);
    let dir = scratch("guide_cmake_host");
    let project = dir.join("my_app");
    fs::create_dir_all(&project).unwrap();
    let lines = the_block("docs/guide-c-host.md", "cmake", "COMPONENTS host)");
    fs::write(
        project.join("CMakeLists.txt"),
        format!("cmake_minimum_required(VERSION 3.15)\nproject(my_app LANGUAGES C)\n{lines}"),
    )
    .unwrap();
    fs::write(
        project.join("main.c"),
        c_api::guide_example("A host in C", "c"),
    )
    .unwrap();
    let build = dir.join("build");
    let installed = dir.join("installed");
    for (what, command) in [
        (
            "configuring",
            Command::new("cmake")
                .arg("-S")
                .arg(&project)
                .arg("-B")
                .arg(&build)
                .arg(format!("-DCMAKE_PREFIX_PATH={}", sdk.display())),
        ),
        ("building", Command::new("cmake").arg("--build").arg(&build)),
        (
            "installing",
            Command::new("cmake")
                .arg("--install")
                .arg(&build)
                .arg("--prefix")
                .arg(&installed),
        ),
    ] {
        run(&format!("{what} the guide's CMake host"), command).unwrap_or_else(|e| panic!("{e}"));
    }
    let greeting = run(
        "the guide's CMake host, installed",
        Command::new(installed.join("bin/my_app"))
            .arg(c_plugin("greeter"))
            .env_remove("LD_LIBRARY_PATH"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(greeting, "Hello, world!\n");
}

/// The host part installed from a Windows build of libtenon (the files
/// cargo writes for x86_64-pc-windows-gnu, stand-ins here: installing only
/// copies them): `bin/tenon.dll` and `lib/libtenon.dll.a`, no `libtenon.so`
/// and no static part; `Tenon::host` is the DLL linked through its import
/// library, as a CMake project sees it after `find_package`; `tenon-host.pc`
/// links `-ltenon` and names the DLL to ship beside the program. A
/// directory with the DLL but no import library is refused, saying so.
/// (`scripts/test-windows.sh` installs the real build and builds and runs
/// hosts against it under Wine.)
#[test]
fn the_host_part_installs_from_a_windows_build() {
    if !have_all(&["cmake", "pkg-config"]) {
        return;
    }
    let dir = scratch("windows_host_part");
    let build = dir.join("x86_64-pc-windows-gnu-release");
    fs::create_dir_all(&build).unwrap();
    for file in ["tenon.dll", "libtenon.dll.a", "libtenon.a"] {
        fs::write(build.join(file), format!("stand-in for {file}")).unwrap();
    }
    let prefix = support::install_sdk_c(
        &dir,
        &[format!("-DTENON_HOST_LIBRARY_DIR={}", build.display())],
    );
    assert_eq!(
        fs::read_to_string(prefix.join("bin/tenon.dll")).unwrap(),
        "stand-in for tenon.dll"
    );
    for file in [
        "lib/libtenon.dll.a",
        "include/tenon/host.h",
        "include/tenon/host.hpp",
    ] {
        assert!(prefix.join(file).is_file(), "the install lacks {file}");
    }
    for file in [
        "lib/libtenon.so",
        "lib/libtenon.a",
        "share/cmake/Tenon/TenonHostStaticTargets.cmake",
        "share/pkgconfig/tenon-host-static.pc",
    ] {
        assert!(!prefix.join(file).exists(), "a Windows install has {file}");
    }

    let project = dir.join("finds_the_host");
    fs::create_dir_all(&project).unwrap();
    fs::write(
        project.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.15)\nproject(finds_the_host LANGUAGES NONE)\n\
         find_package(Tenon 1 CONFIG REQUIRED COMPONENTS host)\n\
         foreach(property IN ITEMS IMPORTED_LOCATION IMPORTED_IMPLIB IMPORTED_SONAME)\n\
         get_target_property(value Tenon::host ${property})\n\
         message(STATUS \"${property}=${value}\")\nendforeach()\n",
    )
    .unwrap();
    let configured = run(
        "configuring a project that finds the Windows host part",
        Command::new("cmake")
            .arg("-S")
            .arg(&project)
            .arg("-B")
            .arg(dir.join("finds_the_host_build"))
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let real = |path: &str| fs::canonicalize(prefix.join(path)).unwrap();
    let seen = |property: &str| -> PathBuf {
        let line = configured
            .lines()
            .find_map(|line| line.strip_prefix(&format!("-- {property}=")))
            .unwrap_or_else(|| panic!("no {property} in: {configured}"));
        fs::canonicalize(line).unwrap_or_else(|e| panic!("{property}={line}: {e}"))
    };
    assert_eq!(seen("IMPORTED_LOCATION"), real("bin/tenon.dll"));
    assert_eq!(seen("IMPORTED_IMPLIB"), real("lib/libtenon.dll.a"));
    assert!(
        configured.contains("-- IMPORTED_SONAME=value-NOTFOUND"),
        "{configured}"
    );

    let pkg_config = |args: &[&str]| {
        run(
            "pkg-config on the Windows tenon-host.pc",
            Command::new("pkg-config")
                .args(args)
                .arg("tenon-host")
                .env("PKG_CONFIG_PATH", prefix.join("share/pkgconfig")),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let libs = pkg_config(&["--libs"]);
    assert!(
        libs.split_whitespace().any(|flag| flag == "-ltenon"),
        "{libs}"
    );
    assert!(!libs.contains("rpath"), "{libs}");
    let dll = pkg_config(&["--variable=dll"]);
    assert_eq!(
        fs::canonicalize(dll.trim()).unwrap(),
        real("bin/tenon.dll"),
        "{dll}"
    );

    fs::remove_file(build.join("libtenon.dll.a")).unwrap();
    let refused = run(
        "configuring sdk-c with tenon.dll but no import library",
        Command::new("cmake")
            .arg("-S")
            .arg(support::repo_root().join("sdk-c"))
            .arg("-B")
            .arg(dir.join("without_import_library"))
            .arg(format!("-DTENON_HOST_LIBRARY_DIR={}", build.display())),
    )
    .expect_err("sdk-c accepted tenon.dll without its import library");
    assert!(
        refused.contains("holds tenon.dll but not its import library"),
        "{refused}"
    );
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host -- --ignored"]
fn every_error_path_under_address_sanitizer() {
    error_paths().passes_under_address_sanitizer();
}

#[test]
#[ignore = "run by .ci/run: cargo test --test c_host -- --ignored"]
fn every_error_path_under_valgrind() {
    error_paths().passes_under_valgrind();
}

/// What a host run must print for the plugins it was given.
struct Run {
    args: Vec<PathBuf>,
    /// Lines of stdout that must appear.
    expect: Vec<String>,
}

/// The example plugins of every language, in process, then one isolated.
fn example_run() -> Run {
    let examples = try_examples().expect("building the example plugins");
    for missing in &examples.missing {
        toolchain::missing(missing.language, &missing.to_string());
    }
    let mut args = Vec::new();
    let mut expect = Vec::new();
    let mut names = Vec::new();
    for example in &examples.built {
        // One build of each plugin (the first compiler's) is enough here.
        if names.contains(&example.name) {
            continue;
        }
        names.push(example.name);
        args.push(example.path.clone());
        expect.push(format!("{} 1.0.0", example.name));
    }
    let languages: Vec<&str> = examples.built.iter().map(|e| e.language).collect();
    for language in tenon_test_plugins::LANGUAGES {
        if !languages.contains(&language) {
            toolchain::missing(language, "no example plugin of this language was built");
        }
    }
    args.push("--isolated".into());
    args.push(rust_plugin("greeter-rust").expect("building greeter-rust"));
    expect.push("greeter-rust 1.0.0 (isolated)".to_owned());
    args.push("--reloadable".into());
    args.push(c_plugin("greeter"));
    expect.push("  reloadable greet(\"world\") = \"Hello, world!\"".to_owned());
    expect.push("  reloaded: generation 2".to_owned());
    expect.push("  greet(\"world\") = \"Hello, world!\"".to_owned());
    expect.push("  process(\"123456789\") = cb f4 39 26".to_owned());
    expect.push("  kv put/get \"tenon\" = \"mortise\"".to_owned());
    Run { args, expect }
}

/// Runs one built host on the examples, then on a bad plugin.
fn check_host(what: &str, exe: &Path, examples: &Run) {
    let stdout =
        run(what, Command::new(exe).args(&examples.args)).unwrap_or_else(|e| panic!("{e}"));
    for line in &examples.expect {
        assert!(
            stdout.lines().any(|l| l == line),
            "{what}: no line {line:?} in:\n{stdout}"
        );
    }
    example_hosts::refuses_a_bad_plugin(what, exe);
}

#[test]
fn example_hosts_build_with_cmake_and_make_and_run() {
    if !have_all(&["cmake", "make", "pkg-config", "cc", "c++"]) {
        return;
    }
    let prefix = example_hosts::install_sdk("sdk", Linking::Shared);
    let examples = example_run();
    example_hosts::build_each(&prefix, Linking::Shared, |what, exe| {
        check_host(what, exe, &examples)
    });
}
