//! The native build systems, used the way a plugin author outside this
//! repository uses them:
//!
//! 1. the SDK is installed from `sdk-c/` into a fresh prefix
//!    (`cmake -S sdk-c -B <tmp>/sdk-build && cmake --install <tmp>/sdk-build
//!    --prefix <tmp>/prefix`), and the prefix holds the headers, the CMake
//!    package and the pkg-config file, with the version of `plugin.h`;
//! 2. every example under `examples-c/` builds out of tree with CMake
//!    (`find_package(Tenon)` through `CMAKE_PREFIX_PATH`, warnings as errors)
//!    and with make (`pkg-config` through `PKG_CONFIG_PATH`, output in `O=`),
//!    with gcc/g++ and with clang/clang++, one example at a time and all of
//!    them from `examples-c/`;
//! 3. every plugin built is loaded by the Rust host and answers (greeter:
//!    "Hello, world!", processor: CRC-32 "123456789" = cbf43926, kv: what was
//!    put comes back), and exports `tenon_plugin_v1` alone (`nm`);
//! 4. no build writes into the source tree;
//! 5. the CMake build trees the documentation creates inside a checkout
//!    (`cmake -S sdk-c -B build/sdk`) are ignored by git, so following the
//!    guides leaves `git status` clean;
//! 6. `tenon_add_plugin` includes the SDK's headers with `-I`, not as
//!    system headers (`-isystem`), so `-Werror` covers them (checked in
//!    every CMake build of 2).
//!
//! A missing cmake, make, pkg-config, compiler or nm is reported on stderr as
//! `TOOLCHAIN MISSING: <tool> ...` and what needs it is skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure. Every failure names
//! the build system, the compiler and the example.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::{
    check_exports_only_entry, check_greets, have, have_all, install_sdk_c, library_name, repo_root,
    run, scratch, symbol_lister, Failures,
};
use tenon::{Plugin, State, Status};
use tenon_example_interfaces::{Kv, Processor};

/// A C compiler and the C++ compiler of the same family.
#[derive(Debug, Clone, Copy)]
struct Toolchain {
    cc: &'static str,
    cxx: &'static str,
}

const TOOLCHAINS: &[Toolchain] = &[
    Toolchain {
        cc: "gcc",
        cxx: "g++",
    },
    Toolchain {
        cc: "clang",
        cxx: "clang++",
    },
];

/// The toolchains whose C and C++ compilers both run.
fn available_toolchains() -> Vec<Toolchain> {
    TOOLCHAINS
        .iter()
        .copied()
        .filter(|toolchain| have_all(&[toolchain.cc, toolchain.cxx]))
        .collect()
}

// ---------------------------------------------------------------------------
// The examples and the source tree
// ---------------------------------------------------------------------------

/// One example plugin: a directory of `examples-c/` with C or C++ sources.
#[derive(Debug, Clone)]
struct Example {
    /// The directory name, which is also the plugin's (library) name.
    name: String,
    dir: PathBuf,
}

impl Example {
    /// The file name of the plugin library on this platform.
    fn library(&self) -> String {
        library_name(&self.name)
    }
}

fn is_source(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("c" | "cpp" | "cc" | "cxx")
    )
}

/// Every directory of `examples-c/` that holds a C or C++ source, sorted.
fn examples() -> Vec<Example> {
    let mut examples: Vec<Example> = fs::read_dir(repo_root().join("examples-c"))
        .expect("read examples-c")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|dir| dir.is_dir())
        .filter(|dir| {
            fs::read_dir(dir)
                .map(|entries| entries.flatten().any(|entry| is_source(&entry.path())))
                .unwrap_or(false)
        })
        .map(|dir| Example {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir,
        })
        .collect();
    examples.sort_by(|a, b| a.name.cmp(&b.name));
    examples
}

/// Whether `name` is something a build would leave behind.
fn is_build_artifact(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "CMakeCache.txt",
        "CMakeFiles",
        "cmake_install.cmake",
        "compile_commands.json",
        "install_manifest.txt",
    ];
    const SUFFIXES: &[&str] = &[".so", ".dylib", ".dll", ".o", ".obj", ".a", ".d", ".pc"];
    NAMES.contains(&name) || SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// The build artifacts now present in the parts of the source tree that the
/// builds read (`examples-c/`, `sdk-c/`, `include/`).
fn artifacts_in_source_tree() -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, found: &mut BTreeSet<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if is_build_artifact(&entry.file_name().to_string_lossy()) {
                found.insert(path);
            } else if path.is_dir() {
                walk(&path, found);
            }
        }
    }
    let root = repo_root();
    let mut found = BTreeSet::new();
    for part in ["examples-c", "sdk-c", "include"] {
        walk(&root.join(part), &mut found);
    }
    found
}

/// Fails if a build artifact appeared in the source tree since `before`.
fn check_source_tree_untouched(before: &BTreeSet<PathBuf>) -> Result<(), String> {
    let new: Vec<_> = artifacts_in_source_tree()
        .difference(before)
        .map(|path| path.display().to_string())
        .collect();
    if new.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "builds must not write into the source tree, but these appeared: {new:?}"
        ))
    }
}

// ---------------------------------------------------------------------------
// The installed SDK
// ---------------------------------------------------------------------------

/// `TENON_ABI_MAJOR.TENON_ABI_MINOR` as plugin.h defines them.
fn abi_version_of_the_header() -> String {
    let header = fs::read_to_string(repo_root().join("include/tenon/plugin.h")).unwrap();
    let define = |name: &str| -> String {
        header
            .lines()
            .find_map(|line| {
                let mut words = line.split_whitespace();
                (words.next() == Some("#define") && words.next() == Some(name))
                    .then(|| words.next().map(str::to_owned))
                    .flatten()
            })
            .unwrap_or_else(|| panic!("plugin.h defines {name}"))
    };
    format!(
        "{}.{}",
        define("TENON_ABI_MAJOR"),
        define("TENON_ABI_MINOR")
    )
}

/// The SDK installed from `sdk-c/` into a fresh prefix, once per test
/// binary; `None` (after reporting why) when cmake is missing.
///
/// # Panics
///
/// If configuring or installing fails.
fn installed_sdk() -> Option<&'static Path> {
    static PREFIX: OnceLock<Option<PathBuf>> = OnceLock::new();
    PREFIX
        .get_or_init(|| {
            if !have("cmake") {
                return None;
            }
            let before = artifacts_in_source_tree();
            // The examples below build against the installed example
            // headers, which are not installed by default.
            let prefix = install_sdk_c(
                &scratch("sdk"),
                &["-DTENON_INSTALL_EXAMPLE_INTERFACES=ON".into()],
            );
            check_source_tree_untouched(&before).unwrap_or_else(|message| panic!("{message}"));
            Some(prefix)
        })
        .as_deref()
}

fn pkg_config_path(prefix: &Path) -> PathBuf {
    prefix.join("share/pkgconfig")
}

/// Runs `pkg-config <args> tenon` against `prefix`.
fn pkg_config(prefix: &Path, args: &[&str]) -> Result<String, String> {
    run(
        &format!("pkg-config {}", args.join(" ")),
        Command::new("pkg-config")
            .args(args)
            .arg("tenon")
            .env("PKG_CONFIG_PATH", pkg_config_path(prefix)),
    )
    .map(|out| out.trim().to_owned())
}

#[test]
fn every_example_has_a_makefile_and_a_cmake_project() {
    let root = repo_root().join("examples-c");
    let examples = examples();
    assert!(
        examples.iter().any(|e| e.name == "greeter")
            && examples.iter().any(|e| e.name == "processor"),
        "examples-c holds at least greeter and processor: {examples:?}"
    );
    let mut failures = Failures::default();
    for dir in std::iter::once(root.clone()).chain(examples.iter().map(|e| e.dir.clone())) {
        for file in ["Makefile", "CMakeLists.txt"] {
            if !dir.join(file).is_file() {
                failures.check(Err(format!("{} has no {file}", dir.display())));
            }
        }
    }
    for example in &examples {
        let cmake = fs::read_to_string(example.dir.join("CMakeLists.txt")).unwrap_or_default();
        let make = fs::read_to_string(example.dir.join("Makefile")).unwrap_or_default();
        for (file, text, needed) in [
            ("CMakeLists.txt", &cmake, "find_package(Tenon"),
            ("CMakeLists.txt", &cmake, "tenon_add_plugin("),
            ("Makefile", &make, "--variable=plugin_mk tenon"),
        ] {
            if !text.contains(needed) {
                failures.check(Err(format!(
                    "{}/{file} does not use {needed:?} (examples build against the installed SDK)",
                    example.name
                )));
            }
        }
        let relative = ["-I.", "-I$", "../"];
        if relative.iter().any(|r| make.contains(r)) || cmake.contains("include_directories") {
            failures.check(Err(format!(
                "{}: the build must take include paths from the installed SDK, not the tree",
                example.name
            )));
        }
    }
    failures.assert_none();
}

#[test]
fn the_sdk_installs_headers_the_cmake_package_and_the_pkg_config_file() {
    let Some(prefix) = installed_sdk() else {
        return;
    };
    let root = repo_root();
    let mut failures = Failures::default();

    // Every header, byte for byte.
    let mut headers = vec![(
        root.join("include/tenon/plugin.h"),
        prefix.join("include/tenon/plugin.h"),
    )];
    for (source_dir, installed_dir) in [
        ("sdk-c/include/tenon", "include/tenon"),
        (
            "examples-c/interfaces/tenon_examples",
            "include/tenon_examples",
        ),
    ] {
        for entry in fs::read_dir(root.join(source_dir)).unwrap().flatten() {
            let name = entry.file_name();
            let name_text = name.to_string_lossy();
            if name_text.ends_with(".h") || name_text.ends_with(".hpp") {
                headers.push((entry.path(), prefix.join(installed_dir).join(&name)));
            }
        }
    }
    for (source, installed) in &headers {
        if fs::read(source).ok() != fs::read(installed).ok() {
            failures.check(Err(format!(
                "{} is not installed as {}",
                source.display(),
                installed.display()
            )));
        }
    }
    for file in [
        "share/cmake/Tenon/TenonConfig.cmake",
        "share/cmake/Tenon/TenonConfigVersion.cmake",
        "share/cmake/Tenon/TenonTargets.cmake",
        "share/cmake/Tenon/TenonPlugin.cmake",
        "share/pkgconfig/tenon.pc",
    ] {
        if !prefix.join(file).is_file() {
            failures.check(Err(format!("{file} is not installed")));
        }
    }
    // The version script: installed as it is in the tree, and keeping
    // tenon_plugin_v1 global and everything else local.
    let script_source = root.join("sdk-c/share/tenon/tenon-plugin.version");
    let script = fs::read_to_string(prefix.join("share/tenon/tenon-plugin.version"));
    let script_rules = script.as_deref().map(|text| {
        without_c_comments(text)
            .split_whitespace()
            .collect::<String>()
    });
    if script.as_ref().ok() != fs::read_to_string(&script_source).ok().as_ref()
        || script_rules.as_deref().ok() != Some("{global:tenon_plugin_v1;local:*;};")
    {
        failures.check(Err(format!(
            "share/tenon/tenon-plugin.version must be {} and keep only tenon_plugin_v1: \
             {script:?}",
            script_source.display()
        )));
    }

    let version = abi_version_of_the_header();
    if have("pkg-config") {
        failures.check(pkg_config(prefix, &["--modversion"]).and_then(|found| {
            (found == version).then_some(()).ok_or(format!(
                "pkg-config version {found}, plugin.h says {version}"
            ))
        }));
        failures.check(pkg_config(prefix, &["--cflags"]).and_then(|cflags| {
            let include = cflags
                .split_whitespace()
                .find_map(|flag| flag.strip_prefix("-I"))
                .map(|dir| fs::canonicalize(dir).ok());
            let expected = fs::canonicalize(prefix.join("include")).ok();
            (include == Some(expected) && cflags.contains("-fvisibility=hidden"))
                .then_some(())
                .ok_or(format!(
                    "pkg-config --cflags tenon gives {cflags:?}: want -I<prefix>/include \
                     and -fvisibility=hidden"
                ))
        }));
        failures.check(
            pkg_config(prefix, &["--variable=version_script"]).and_then(|script| {
                Path::new(&script)
                    .is_file()
                    .then_some(())
                    .ok_or(format!("version_script={script:?} is not a file"))
            }),
        );
        // The make fragment: found through pkg-config, installed as it is in
        // the tree.
        let fragment_source = fs::read(root.join("sdk-c/share/tenon/tenon-plugin.mk")).ok();
        failures.check(
            pkg_config(prefix, &["--variable=plugin_mk"]).and_then(|fragment| {
                (fs::read(&fragment).ok() == fragment_source && fragment_source.is_some())
                    .then_some(())
                    .ok_or(format!(
                        "plugin_mk={fragment:?} must be sdk-c/share/tenon/tenon-plugin.mk, installed"
                    ))
            }),
        );
    }

    // The CMake package: found as 1 (and as 1.0), with the header's version,
    // both components; not found as 2.
    let major = version.split('.').next().unwrap().to_owned();
    let next_major = (major.parse::<u32>().unwrap() + 1).to_string();
    for (request, found) in [
        (major.as_str(), true),
        (version.as_str(), true),
        (&next_major, false),
    ] {
        failures.check(probe_cmake_package(prefix, request).and_then(|report| {
            let expected = if found {
                format!(
                    "Tenon_FOUND=1 Tenon_VERSION={version} plugin=1 example_interfaces=1 \
                     add_plugin=1"
                )
            } else {
                "Tenon_FOUND=0".to_owned()
            };
            (report == expected).then_some(()).ok_or(format!(
                "find_package(Tenon {request} CONFIG): got {report:?}, want {expected:?}"
            ))
        }));
    }
    failures.assert_none();
}

/// `text` without its `/* ... */` comments.
fn without_c_comments(text: &str) -> String {
    let mut rest = text;
    let mut kept = String::new();
    while let Some(start) = rest.find("/*") {
        kept.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    kept.push_str(rest);
    kept
}

/// Configures a project that asks for `find_package(Tenon <request> CONFIG)`
/// and reports what it found.
fn probe_cmake_package(prefix: &Path, request: &str) -> Result<String, String> {
    let dir = scratch(&format!("probe-{request}"));
    fs::write(
        dir.join("CMakeLists.txt"),
        format!(
            "cmake_minimum_required(VERSION 3.15)\n\
             project(probe LANGUAGES NONE)\n\
             find_package(Tenon {request} CONFIG COMPONENTS example_interfaces)\n\
             if(Tenon_FOUND)\n\
             \x20 set(report \"Tenon_FOUND=1 Tenon_VERSION=${{Tenon_VERSION}}\")\n\
             \x20 foreach(t plugin example_interfaces)\n\
             \x20   if(TARGET Tenon::${{t}})\n\
             \x20     string(APPEND report \" ${{t}}=1\")\n\
             \x20   endif()\n\
             \x20 endforeach()\n\
             \x20 if(COMMAND tenon_add_plugin)\n\
             \x20   string(APPEND report \" add_plugin=1\")\n\
             \x20 endif()\n\
             else()\n\
             \x20 set(report \"Tenon_FOUND=0\")\n\
             endif()\n\
             file(WRITE \"${{CMAKE_BINARY_DIR}}/report.txt\" \"${{report}}\")\n"
        ),
    )
    .unwrap();
    let build = dir.join("build");
    run(
        &format!("cmake: probe find_package(Tenon {request})"),
        Command::new("cmake")
            .arg("-S")
            .arg(&dir)
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())),
    )?;
    fs::read_to_string(build.join("report.txt")).map_err(|error| error.to_string())
}

// ---------------------------------------------------------------------------
// Checking a built plugin
// ---------------------------------------------------------------------------

/// Loads `library` with the Rust host and checks that every interface it
/// offers answers as the interface says, and that it exports exactly
/// `tenon_plugin_v1`. `what` names the build in messages.
fn check_plugin(what: &str, library: &Path) -> Result<(), String> {
    if !library.is_file() {
        return Err(format!("{what}: {} was not built", library.display()));
    }
    let fail = |message: String| format!("{what}: {}: {message}", library.display());
    let plugin = Plugin::load(library).map_err(|error| fail(format!("load: {error}")))?;
    if plugin.info().interfaces.is_empty() {
        return Err(fail("offers no interface".into()));
    }
    let ids: Vec<String> = plugin
        .info()
        .interfaces
        .iter()
        .map(|interface| interface.id.clone())
        .collect();
    for id in ids {
        let instance = plugin
            .instantiate("")
            .map_err(|error| fail(format!("instantiate: {error}")))?;
        match id.as_str() {
            "org.tenon.example.greeter" => check_greets(&instance, "world").map_err(fail)?,
            "org.tenon.example.processor" => {
                let processor = instance
                    .interface::<dyn Processor>()
                    .map_err(|error| fail(error.to_string()))?;
                let name = processor.name().map_err(|e| fail(e.to_string()))?;
                let digest = processor
                    .process(b"123456789")
                    .map_err(|e| fail(e.to_string()))?;
                if name == "crc32" && digest != [0xCB, 0xF4, 0x39, 0x26] {
                    return Err(fail(format!("crc32(\"123456789\") = {digest:02x?}")));
                }
            }
            "org.tenon.example.kv" => {
                let kv = instance
                    .interface::<dyn Kv>()
                    .map_err(|error| fail(error.to_string()))?;
                kv.put("key", b"value").map_err(|e| fail(e.to_string()))?;
                let value = kv.get("key").map_err(|e| fail(e.to_string()))?;
                let missing = kv.get("absent").map(|_| ()).map_err(|e| e.status());
                let len = kv.len().map_err(|e| fail(e.to_string()))?;
                if value != b"value" || len != 1 || missing != Err(Status::NOT_FOUND) {
                    return Err(fail(format!(
                        "put then get gives {value:?}, len {len}, get(absent) {missing:?}"
                    )));
                }
            }
            "org.tenon.state" => {
                // A saved state restores into a fresh instance (a kv's:
                // what it stored survives).
                let kv = instance
                    .interface::<dyn Kv>()
                    .map_err(|error| fail(error.to_string()))?;
                kv.put("key", b"value").map_err(|e| fail(e.to_string()))?;
                let saved = instance
                    .interface::<dyn State>()
                    .and_then(|state| Ok(state.save()?))
                    .map_err(|e| fail(format!("save: {e}")))?;
                let fresh = plugin
                    .instantiate("")
                    .map_err(|error| fail(format!("instantiate: {error}")))?;
                fresh
                    .interface::<dyn State>()
                    .and_then(|state| Ok(state.restore(&saved)?))
                    .map_err(|e| fail(format!("restore: {e}")))?;
                let value = fresh
                    .interface::<dyn Kv>()
                    .and_then(|kv| Ok(kv.get("key")?))
                    .map_err(|e| fail(format!("get after restore: {e}")))?;
                if value != b"value" {
                    return Err(fail(format!("restored {value:?}")));
                }
            }
            other => return Err(fail(format!("no check for interface {other}"))),
        }
    }
    check_exports(what, library)
}

/// Checks with `nm` that `library` exports `tenon_plugin_v1` and nothing else.
fn check_exports(what: &str, library: &Path) -> Result<(), String> {
    // Looked for once: a missing nm is reported once, not for every plugin.
    static LISTER: OnceLock<Option<Vec<&'static str>>> = OnceLock::new();
    match LISTER.get_or_init(symbol_lister) {
        Some(lister) => check_exports_only_entry(lister, what, library),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// CMake
// ---------------------------------------------------------------------------

/// Configures and builds the CMake project `source` into `build` with
/// `toolchain`, against the SDK in `prefix`, warnings as errors, and checks
/// that the compiler got the flags `tenon_add_plugin` promises.
fn cmake_build(
    what: &str,
    source: &Path,
    build: &Path,
    prefix: &Path,
    toolchain: Toolchain,
) -> Result<(), String> {
    run(
        &format!("{what}: configure"),
        Command::new("cmake")
            .arg("-S")
            .arg(source)
            .arg("-B")
            .arg(build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            // Not CMAKE_COMPILE_WARNING_AS_ERROR: that needs CMake 3.24.
            .arg("-DCMAKE_C_FLAGS=-Werror")
            .arg("-DCMAKE_CXX_FLAGS=-Werror")
            .arg("-DCMAKE_EXPORT_COMPILE_COMMANDS=ON")
            .env("CC", toolchain.cc)
            .env("CXX", toolchain.cxx),
    )?;
    run(
        &format!("{what}: build"),
        Command::new("cmake").arg("--build").arg(build),
    )?;
    // What tenon_add_plugin promises to the compiler.
    let commands = fs::read_to_string(build.join("compile_commands.json")).unwrap_or_default();
    for flag in ["-fvisibility=hidden", "-Wall", "-Wextra", "-Wpedantic"] {
        if !commands.contains(flag) {
            return Err(format!("{what}: compile commands lack {flag}:\n{commands}"));
        }
    }
    // The SDK's headers are the plugin's own, not system headers, so that
    // -Werror covers warnings in them too (TenonConfig.cmake).
    let include = prefix.join("include");
    if commands.contains(&format!("-isystem {}", include.display())) {
        return Err(format!(
            "{what}: the SDK's headers are system headers (-isystem), where warnings are \
             silenced:\n{commands}"
        ));
    }
    if !commands.contains(&format!("-I{}", include.display())) {
        return Err(format!(
            "{what}: compile commands lack -I{}:\n{commands}",
            include.display()
        ));
    }
    Ok(())
}

#[test]
fn cmake_builds_every_example_against_the_installed_package() {
    let Some(prefix) = installed_sdk() else {
        return;
    };
    let before = artifacts_in_source_tree();
    let dir = scratch("cmake");
    let mut failures = Failures::default();
    for toolchain in available_toolchains() {
        for example in examples() {
            let what = format!(
                "cmake, {}/{}, {}",
                toolchain.cc, toolchain.cxx, example.name
            );
            let build = dir.join(toolchain.cc).join(&example.name);
            let result = cmake_build(&what, &example.dir, &build, prefix, toolchain)
                .and_then(|()| check_plugin(&what, &build.join(example.library())));
            failures.check(result);
        }
    }
    failures.check(check_source_tree_untouched(&before));
    failures.assert_none();
}

#[test]
fn cmake_builds_all_examples_from_examples_c() {
    let Some(prefix) = installed_sdk() else {
        return;
    };
    let Some(toolchain) = available_toolchains().first().copied() else {
        return;
    };
    let before = artifacts_in_source_tree();
    let build = scratch("cmake-all");
    let what = format!("cmake, {}/{}, examples-c", toolchain.cc, toolchain.cxx);
    let mut failures = Failures::default();
    let source = repo_root().join("examples-c");
    match cmake_build(&what, &source, &build, prefix, toolchain) {
        Ok(()) => {
            for example in examples() {
                let library = build.join(&example.name).join(example.library());
                failures.check(check_plugin(&format!("{what}/{}", example.name), &library));
            }
        }
        Err(message) => failures.check(Err(message)),
    }
    failures.check(check_source_tree_untouched(&before));
    failures.assert_none();
}

// ---------------------------------------------------------------------------
// make + pkg-config
// ---------------------------------------------------------------------------

/// Runs `make -C <dir> O=<out> CC=.. CXX=..` with `PKG_CONFIG_PATH` pointing
/// at the installed SDK.
fn make(
    what: &str,
    dir: &Path,
    out: &Path,
    prefix: &Path,
    toolchain: Toolchain,
) -> Result<(), String> {
    run(
        what,
        Command::new("make")
            .arg("-C")
            .arg(dir)
            .arg(format!("O={}", out.display()))
            .arg(format!("CC={}", toolchain.cc))
            .arg(format!("CXX={}", toolchain.cxx))
            .env("PKG_CONFIG_PATH", pkg_config_path(prefix))
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS"),
    )
    .map(|_| ())
}

/// The SDK prefix, when make and pkg-config are there too.
fn make_prerequisites() -> Option<&'static Path> {
    let prefix = installed_sdk()?;
    have_all(&["make", "pkg-config"]).then_some(prefix)
}

#[test]
fn make_builds_every_example_with_pkg_config() {
    let Some(prefix) = make_prerequisites() else {
        return;
    };
    let before = artifacts_in_source_tree();
    let dir = scratch("make");
    let mut failures = Failures::default();
    for toolchain in available_toolchains() {
        for example in examples() {
            let what = format!("make, {}/{}, {}", toolchain.cc, toolchain.cxx, example.name);
            let out = dir.join(toolchain.cc).join(&example.name);
            let result = make(&what, &example.dir, &out, prefix, toolchain)
                .and_then(|()| check_plugin(&what, &out.join(example.library())));
            failures.check(result);
        }
    }
    failures.check(check_source_tree_untouched(&before));
    failures.assert_none();
}

#[test]
fn make_builds_all_examples_from_examples_c() {
    let Some(prefix) = make_prerequisites() else {
        return;
    };
    let Some(toolchain) = available_toolchains().last().copied() else {
        return;
    };
    let before = artifacts_in_source_tree();
    let out = scratch("make-all");
    let what = format!("make, {}/{}, examples-c", toolchain.cc, toolchain.cxx);
    let mut failures = Failures::default();
    match make(
        &what,
        &repo_root().join("examples-c"),
        &out,
        prefix,
        toolchain,
    ) {
        Ok(()) => {
            for example in examples() {
                let library = out.join(&example.name).join(example.library());
                failures.check(check_plugin(&format!("{what}/{}", example.name), &library));
            }
        }
        Err(message) => failures.check(Err(message)),
    }
    failures.check(check_source_tree_untouched(&before));
    failures.assert_none();
}

/// The make fragment names the library for the system the compiler builds
/// for, not the one make runs on: MinGW's cross compiler on Linux builds
/// `greeter.dll` with `tenon_plugin_v1` its only export (before, it built a
/// DLL named `libgreeter.so`), and `make clean` removes it.
#[cfg(target_os = "linux")]
#[test]
fn make_with_a_mingw_cross_compiler_builds_a_dll() {
    let Some(prefix) = make_prerequisites() else {
        return;
    };
    let (cc, objdump) = ("x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-objdump");
    if !have_all(&[cc, objdump]) {
        return;
    }
    let out = scratch("make-mingw");
    let make = |goal: &str| {
        run(
            &format!("make {goal} with CC={cc}"),
            Command::new("make")
                .arg("-C")
                .arg(repo_root().join("examples-c/greeter"))
                .arg(format!("O={}", out.display()))
                .arg(format!("CC={cc}"))
                .arg(goal)
                .env("PKG_CONFIG_PATH", pkg_config_path(prefix))
                .env_remove("MAKEFLAGS")
                .env_remove("MFLAGS"),
        )
        .unwrap_or_else(|message| panic!("{message}"))
    };
    make("all");
    let dll = out.join("greeter.dll");
    let bytes = fs::read(&dll).unwrap_or_else(|e| panic!("no {}: {e}", dll.display()));
    assert!(
        bytes.starts_with(b"MZ"),
        "{} is not a PE file",
        dll.display()
    );
    assert!(!out.join("libgreeter.so").exists());
    let dump = run(
        "objdump -p greeter.dll",
        Command::new(objdump).arg("-p").arg(&dll),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    let table = dump
        .split("[Ordinal/Name Pointer] Table")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no export table in: {dump}"));
    let exports: Vec<&str> = table
        .lines()
        .filter_map(|line| line.split_once(']').map(|(_, name)| name.trim()))
        .collect();
    assert_eq!(exports, ["tenon_plugin_v1"], "{dump}");
    make("clean");
    assert!(!dll.exists(), "make clean left {}", dll.display());
}

/// A plugin's own `-I` in `CPPFLAGS` is searched before the installed SDK's
/// include directory, so a plugin built against an older revision of an
/// interface header that the SDK also installs gets its own copy.
#[test]
fn make_searches_cppflags_include_directories_before_the_sdks() {
    let Some(prefix) = make_prerequisites() else {
        return;
    };
    let dir = scratch("make-cppflags");
    let own = dir.join("include/tenon_examples");
    std::fs::create_dir_all(&own).unwrap();
    // The installed greeter.h with a mark: which one the compiler read.
    let installed =
        std::fs::read_to_string(prefix.join("include/tenon_examples/greeter.h")).unwrap();
    std::fs::write(
        own.join("greeter.h"),
        format!("#define PLUGIN_OWN_GREETER_H 1\n{installed}"),
    )
    .unwrap();
    let project = dir.join("plugin");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("plugin.c"),
        "#include <tenon_examples/greeter.h>\n\
         #ifndef PLUGIN_OWN_GREETER_H\n\
         #error the SDK's greeter.h was read before the one CPPFLAGS names\n\
         #endif\n\
         #include \"greeter.c\"\n",
    )
    .unwrap();
    std::fs::write(
        project.join("Makefile"),
        format!(
            "TENON_PLUGIN := own_header\nTENON_SOURCES := plugin.c\n\
             CPPFLAGS += -I{} -I{}\n\
             include $(shell pkg-config --variable=plugin_mk tenon)\n",
            dir.join("include").display(),
            repo_root().join("examples-c/greeter").display(),
        ),
    )
    .unwrap();
    run(
        "make with CPPFLAGS=-I<own include>",
        Command::new("make")
            .arg("-C")
            .arg(&project)
            .env("PKG_CONFIG_PATH", pkg_config_path(prefix))
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS"),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    check_plugin(
        "make with CPPFLAGS",
        &project.join(library_name("own_header")),
    )
    .unwrap_or_else(|message| panic!("{message}"));
}

/// An application's SDK: by default the install holds the contract, the
/// helpers, the build files and the Zig package, and none of Tenon's
/// example interfaces; a project that requires them (or the host part)
/// fails to configure with a message naming the option that installs them.
#[test]
fn the_default_install_leaves_the_example_interfaces_out_and_includes_the_zig_package() {
    if !have("cmake") {
        return;
    }
    let dir = scratch("sdk-default");
    let prefix = install_sdk_c(&dir, &[]);
    assert!(prefix.join("include/tenon/plugin.h").is_file());
    assert!(
        !prefix.join("include/tenon_examples").exists(),
        "the example interfaces are installed by default"
    );
    for file in ["build.zig", "build.zig.zon", "tenon.zig"] {
        assert!(
            prefix.join("share/tenon/sdk-zig").join(file).is_file(),
            "share/tenon/sdk-zig/{file} is not installed"
        );
    }
    // The installed Zig package reads the headers of this prefix.
    let build_zig = fs::read_to_string(prefix.join("share/tenon/sdk-zig/build.zig")).unwrap();
    assert!(
        build_zig.contains("sdk.path(\"../../../include\")")
            && !build_zig.contains("sdk.path(\"../include\")"),
        "{build_zig}"
    );

    // A project that requires what this install left out is told which
    // component is missing and how to install it, not only that the
    // package set Tenon_FOUND to FALSE.
    let project = dir.join("wants-more");
    fs::create_dir_all(&project).unwrap();
    fs::write(
        project.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.15)\n\
         project(wants_more LANGUAGES NONE)\n\
         find_package(Tenon 1 CONFIG REQUIRED COMPONENTS example_interfaces host)\n",
    )
    .unwrap();
    let output = Command::new("cmake")
        .arg("-S")
        .arg(&project)
        .arg("-B")
        .arg(project.join("build"))
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .output()
        .expect("running cmake");
    // CMake wraps the message: compare with the spacing undone.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        !output.status.success(),
        "configured without the components: {message}"
    );
    // (The prefix as CMake names it may differ from ours by a symbolic link.)
    for expected in [
        "component example_interfaces is not in the SDK installed in ",
        "/prefix: install the SDK with -DTENON_INSTALL_EXAMPLE_INTERFACES=ON.",
        "component host is not in the SDK installed in ",
        "/prefix: install the SDK with -DTENON_HOST_LIBRARY_DIR=",
    ] {
        assert!(message.contains(expected), "no {expected:?} in: {message}");
    }
}

/// The build directories of the documentation's `cmake -S sdk-c -B <dir>`
/// and `cmake -S examples-c -B <dir>`, which run from the top of a checkout.
fn checkout_build_dirs() -> Vec<(String, String)> {
    let root = repo_root();
    let mut pages: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .expect("read docs")
        .map(|entry| entry.expect("docs entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.push(root.join("README.md"));
    let mut found = Vec::new();
    for page in pages {
        let text = fs::read_to_string(&page).expect("read page");
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')')
            .collect();
        for window in words.windows(5) {
            if let ["cmake", "-S", "sdk-c" | "examples-c", "-B", dir] = window {
                found.push((page.display().to_string(), (*dir).to_owned()));
            }
        }
    }
    found
}

#[test]
fn the_build_trees_the_guides_make_in_a_checkout_are_ignored_by_git() {
    if !have("git") {
        return;
    }
    let dirs = checkout_build_dirs();
    assert!(
        dirs.iter().any(|(_, dir)| dir == "build/sdk"),
        "docs/guide-c.md's cmake -S sdk-c -B build/sdk not found in {dirs:?}"
    );
    let mut failures = Failures::default();
    for (page, dir) in dirs {
        // A file CMake writes there; check-ignore needs no such file to exist.
        let file = format!("{dir}/CMakeCache.txt");
        let ignored = Command::new("git")
            .arg("-C")
            .arg(repo_root())
            .args(["check-ignore", "-q", "--no-index", &file])
            .status()
            .expect("run git check-ignore");
        if !ignored.success() {
            failures.push(format!(
                "{page}: `cmake ... -B {dir}` leaves {file} untracked: add it to .gitignore"
            ));
        }
    }
    failures.assert_none();
}
