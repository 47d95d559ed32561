//! The C++ and Zig plugins: the examples behave as their interfaces say,
//! exceptions never cross the boundary, and each plugin exports only
//! `tenon_plugin_v1`.
//!
//! - C++: `examples-c/greeter-cpp`, `examples-c/kv-cpp` and the fixture
//!   `tests/fixtures/throwing_cpp.cpp`, as built by `tenon-test-plugins`
//!   (the C++ compiler `cc` finds), and again with both g++ and clang++ as
//!   C++17 and C++20 with `-Wall -Wextra -Wpedantic -Werror`, each build
//!   loaded and called;
//! - Zig: `examples-zig/greeter` and `examples-zig/processor`, built with
//!   `zig build`, also from a copy outside the repository, against headers
//!   laid out as an installed SDK (`-Dtenon-include=<prefix>/include`) and a
//!   copy of `sdk-zig` named in its `build.zig.zon`.
//!
//! What every greeter, kv store and processor must do, whatever its
//! language (greetings, instance independence, concurrent calls, exceptions
//! turned into `TENON_PANIC` and the instance going on), the conformance
//! suite (`conformance.rs`) checks for these plugins too; this file checks
//! what is particular to them.
//!
//! A tool that is not installed (a compiler, `nm`, zig; the C++ compiler
//! `tenon-test-plugins` builds with, see its `cpp_toolchain`) is reported
//! on stderr as `TOOLCHAIN MISSING: <tool> ...` and what needs it is
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{
    available, build_name, capture_events, check_exports_only_entry, check_greeter_metadata,
    check_greets, compile_plugin, have_cpp, install_sdk_c, library_name, plugin_event, repo_root,
    run, scratch, symbol_lister, toolchain_missing, Failures,
};
use tenon::{Error, Plugin, Status};
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_test_plugins::{
    c_plugin, cpp_fixture, cpp_plugin, rust_plugin, zig_command, zig_plugin, BuildError,
};

// ---------------------------------------------------------------------------
// Missing toolchains
// ---------------------------------------------------------------------------

/// The Zig example `example`, built; `None` (after reporting it) when no
/// Zig compiler is installed. Any other build failure fails the test.
fn zig(example: &str) -> Option<PathBuf> {
    match zig_plugin(example) {
        Ok(path) => Some(path),
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &error.to_string());
            None
        }
        Err(error) => panic!("Zig example {example} does not build: {error}"),
    }
}

// ---------------------------------------------------------------------------
// Greeters
// ---------------------------------------------------------------------------

/// The C++ and Zig greeters that could be built, by language.
fn greeters() -> Vec<(&'static str, PathBuf)> {
    let mut greeters = Vec::new();
    if have_cpp() {
        greeters.push(("cpp", cpp_plugin("greeter-cpp")));
    }
    if let Some(path) = zig("greeter") {
        greeters.push(("zig", path));
    }
    greeters
}

/// The greeter of `plugin` greets as every Tenon greeter must.
fn check_greetings(language: &str, plugin: &Plugin) {
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(
        greeter.greet("world").unwrap(),
        "Hello, world!",
        "{language}"
    );
    assert_eq!(
        greeter.greet("").unwrap(),
        "Hello, !",
        "{language}: empty name"
    );
    assert_eq!(
        greeter.greet("Zoë 👋 世界").unwrap(),
        "Hello, Zoë 👋 世界!",
        "{language}: non-ASCII"
    );
    let long = "x".repeat(1 << 20);
    assert_eq!(
        greeter.greet(&long).unwrap(),
        format!("Hello, {long}!"),
        "{language}: 1 MiB name"
    );
}

#[test]
fn cpp_and_zig_greeter_metadata() {
    for (language, path) in greeters() {
        check_greeter_metadata(language, &Plugin::load(&path).unwrap());
    }
}

#[test]
fn cpp_and_zig_greeters_log_their_creation_at_debug_level() {
    let greeters = greeters();
    let events = capture_events(|| {
        for (_, path) in &greeters {
            let plugin = Plugin::load(path).unwrap();
            drop(plugin.instantiate("").unwrap());
        }
    });
    for (language, _) in &greeters {
        let name = format!("greeter-{language}");
        let event = plugin_event(&events, &name);
        assert_eq!(event.level, tracing::Level::DEBUG, "{name}");
        assert!(
            event.message.contains(&format!("{name} instance created")),
            "{name}: {event:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// The C++ key-value store
// ---------------------------------------------------------------------------

#[test]
fn the_cpp_kv_stores_and_reports_missing_keys_distinctly() {
    if !have_cpp() {
        return;
    }
    let plugin = Plugin::load(cpp_plugin("kv-cpp")).unwrap();
    assert_eq!(plugin.info().name, "kv-cpp");
    assert!(plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();

    assert_eq!(kv.len().unwrap(), 0);
    let missing = kv.get("absent").unwrap_err();
    assert_eq!(missing.status(), Status::NOT_FOUND);
    assert_eq!(missing.message(), "no value stored under \"absent\"");

    kv.put("ключ", b"value").unwrap();
    kv.put("empty", b"").unwrap();
    let large: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    kv.put("large", &large).unwrap();
    assert_eq!(kv.get("ключ").unwrap(), b"value");
    assert_eq!(kv.get("empty").unwrap(), b"");
    assert_eq!(kv.get("large").unwrap(), large);
    assert_eq!(kv.len().unwrap(), 3);

    kv.put("ключ", b"replaced").unwrap();
    assert_eq!(kv.get("ключ").unwrap(), b"replaced");
    assert_eq!(kv.len().unwrap(), 3);
    kv.remove("ключ").unwrap();
    let removed = kv.remove("ключ").unwrap_err();
    assert_eq!(removed.status(), Status::NOT_FOUND);
    assert_eq!(removed.message(), "no value stored under \"ключ\"");
    assert_eq!(kv.get("ключ").unwrap_err().status(), Status::NOT_FOUND);
    assert_eq!(kv.len().unwrap(), 2);

    // An empty key is a key like any other.
    kv.put("", b"nothing").unwrap();
    assert_eq!(kv.get("").unwrap(), b"nothing");
    assert_eq!(kv.len().unwrap(), 3);
}

#[test]
fn the_cpp_and_rust_kv_word_missing_keys_identically() {
    if !have_cpp() {
        return;
    }
    let cpp = Plugin::load(cpp_plugin("kv-cpp")).unwrap();
    let rust = Plugin::load(rust_plugin("kv-rust").expect("kv-rust builds")).unwrap();
    let cpp = cpp.instantiate("").unwrap();
    let rust = rust.instantiate("").unwrap();
    let (cpp, rust) = (
        cpp.interface::<dyn Kv>().unwrap(),
        rust.interface::<dyn Kv>().unwrap(),
    );
    for key in [
        "absent",
        "",
        "ключ 👋",
        "say \"hi\"",
        "back\\slash",
        "tab\tnew\nline\r",
        "nul\0byte",
        "bell\u{7} escape\u{1b} delete\u{7f}",
        "it's",
    ] {
        let (from_cpp, from_rust) = (cpp.get(key).unwrap_err(), rust.get(key).unwrap_err());
        assert_eq!(from_cpp.status(), from_rust.status(), "get {key:?}");
        assert_eq!(from_cpp.message(), from_rust.message(), "get {key:?}");
        let (from_cpp, from_rust) = (cpp.remove(key).unwrap_err(), rust.remove(key).unwrap_err());
        assert_eq!(from_cpp.status(), Status::NOT_FOUND, "remove {key:?}");
        assert_eq!(from_cpp.message(), from_rust.message(), "remove {key:?}");
    }
}

#[test]
fn a_shared_cpp_kv_takes_concurrent_writers_and_readers() {
    if !have_cpp() {
        return;
    }
    let plugin = Plugin::load(cpp_plugin("kv-cpp")).unwrap();
    let instance = plugin.instantiate_shared("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let kv = &kv;
            scope.spawn(move || {
                for i in 0..250 {
                    let key = format!("{t}/{i}");
                    kv.put(&key, &[t; 3]).unwrap();
                    assert_eq!(kv.get(&key).unwrap(), [t; 3]);
                    // Another thread's key: either not there yet or whole.
                    match kv.get(&format!("{}/{i}", (t + 1) % 4)) {
                        Ok(value) => assert_eq!(value, [(t + 1) % 4; 3]),
                        Err(error) => assert_eq!(error.status(), Status::NOT_FOUND),
                    }
                }
            });
        }
    });
    assert_eq!(kv.len().unwrap(), 1000);
    assert_eq!(kv.get("3/249").unwrap(), [3, 3, 3]);
}

// ---------------------------------------------------------------------------
// The Zig processor
// ---------------------------------------------------------------------------

/// A bitwise reference CRC-32 (reflected, polynomial 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_zig_processor_computes_crc32_like_the_c_one() {
    let Some(path) = zig("processor") else {
        return;
    };
    let plugin = Plugin::load(path).unwrap();
    assert_eq!(plugin.info().name, "processor-zig");
    assert!(plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    let processor = instance.interface::<dyn Processor>().unwrap();
    let c_plugin = Plugin::load(c_plugin("processor")).unwrap();
    let c_instance = c_plugin.instantiate("").unwrap();
    let c_processor = c_instance.interface::<dyn Processor>().unwrap();

    assert_eq!(processor.name().unwrap(), "crc32");
    // The check value of CRC-32/ISO-HDLC (zlib's crc32).
    assert_eq!(
        processor.process(b"123456789").unwrap(),
        [0xCB, 0xF4, 0x39, 0x26]
    );
    assert_eq!(processor.process(b"").unwrap(), 0u32.to_be_bytes());
    let large: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 % 256) as u8).collect();
    for input in [&b"123456789"[..], b"", "Zoë 👋".as_bytes(), &large] {
        let digest = processor.process(input).unwrap();
        assert_eq!(digest, crc32(input).to_be_bytes(), "{} bytes", input.len());
        assert_eq!(digest, c_processor.process(input).unwrap());
    }
}

// ---------------------------------------------------------------------------
// Exceptions at the C++ boundary
// ---------------------------------------------------------------------------

/// The throwing C++ fixture, loaded; `None` (after reporting it) when no
/// C++ compiler built it.
fn throwing() -> Option<Plugin> {
    have_cpp().then(|| Plugin::load(cpp_fixture("throwing_cpp")).unwrap())
}

#[test]
fn a_std_exception_is_a_panic_status_with_what_and_the_instance_goes_on() {
    let Some(plugin) = throwing() else {
        return;
    };
    assert!(!plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();

    let error = greeter.greet("throw").unwrap_err();
    assert_eq!(error.status(), Status::PANIC);
    assert_eq!(error.kind_name(), "panic");
    assert_eq!(error.message(), "asked to greet \"throw\"");

    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");
}

#[test]
fn bad_alloc_and_tenon_errors_keep_their_status() {
    let Some(plugin) = throwing() else {
        return;
    };
    let instance = plugin.instantiate("").unwrap();
    let processor = instance.interface::<dyn Processor>().unwrap();

    assert_eq!(processor.name().unwrap(), "reverse");
    assert_eq!(processor.process(b"abc").unwrap(), b"cba");
    assert_eq!(processor.process(b"").unwrap(), b"");

    let error = processor.process(b"bad_alloc").unwrap_err();
    assert_eq!(error.status(), Status::OUT_OF_MEMORY);
    assert_eq!(error.message(), "out of memory");

    let error = processor.process(b"invalid").unwrap_err();
    assert_eq!(error.status(), Status::INVALID_ARGUMENT);
    assert_eq!(error.message(), "process: \"invalid\" is not accepted");

    let error = processor.process(b"status 1234").unwrap_err();
    assert_eq!(error.status(), Status(1234));
    assert_eq!(error.message(), "an interface-defined status");

    let large = [1u8, 2, 3].repeat(1 << 18);
    let mut reversed = large.clone();
    reversed.reverse();
    assert_eq!(processor.process(&large).unwrap(), reversed);
}

#[test]
fn an_exception_in_a_constructor_is_a_create_failure() {
    let Some(plugin) = throwing() else {
        return;
    };
    match plugin.instantiate("throw").expect_err("create throws") {
        Error::CreateFailed {
            status, message, ..
        } => {
            assert_eq!(status, Status::PANIC);
            assert_eq!(message, "create was told to throw");
        }
        other => panic!("expected CreateFailed, got {other:?}"),
    }
    assert!(plugin.instantiate("").is_ok());
}

// ---------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------

#[test]
fn cpp_and_zig_plugins_export_only_the_entry() {
    let mut libraries = Vec::new();
    if have_cpp() {
        libraries.extend([
            ("greeter-cpp".to_owned(), cpp_plugin("greeter-cpp")),
            ("kv-cpp".to_owned(), cpp_plugin("kv-cpp")),
            ("throwing_cpp".to_owned(), cpp_fixture("throwing_cpp")),
        ]);
    }
    for example in ["greeter", "processor"] {
        if let Some(path) = zig(example) {
            libraries.push((format!("{example}-zig"), path));
        }
    }
    let Some(lister) = symbol_lister() else {
        return;
    };
    let failures: Vec<String> = libraries
        .iter()
        .filter_map(|(what, path)| check_exports_only_entry(&lister, what, path).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Both C++ compilers
// ---------------------------------------------------------------------------

/// Builds `source` as a plugin with `compiler` and `-std=<std>`, with the
/// flags the SDK documents; `Err` names compiler, standard and file.
fn build_cpp_plugin(
    compiler: &str,
    std: &str,
    source: &Path,
    library: &Path,
) -> Result<(), String> {
    let mut extra = vec!["-fvisibility-inlines-hidden".to_owned()];
    if cfg!(target_os = "macos") {
        extra.push("-Wl,-exported_symbol,_tenon_plugin_v1".to_owned());
    } else if !cfg!(windows) {
        extra.push(format!(
            "-Wl,--version-script={}",
            repo_root()
                .join("sdk-c/share/tenon/tenon-plugin.version")
                .display()
        ));
    }
    compile_plugin(compiler, std, source, library, &extra)
}

/// Loads a C++ build of `stem` and makes one call that shows it works.
fn smoke_test(stem: &str, library: &Path) -> Result<(), String> {
    let plugin = Plugin::load(library).map_err(|e| e.to_string())?;
    let instance = plugin.instantiate("").map_err(|e| e.to_string())?;
    let result = match stem {
        "greeter" => check_greets(&instance, "Zoë"),
        "kv" => {
            let kv = instance.interface::<dyn Kv>().map_err(|e| e.to_string())?;
            kv.put("k", b"v")
                .and_then(|()| kv.get("k"))
                .map_err(|e| e.to_string())
                .and_then(|value| {
                    let missing = kv.get("x").map(|_| ()).map_err(|e| e.status());
                    (value == b"v" && missing == Err(Status::NOT_FOUND))
                        .then_some(())
                        .ok_or(format!(
                            "put then get gives {value:?}, get(absent) {missing:?}"
                        ))
                })
        }
        "throwing_cpp" => {
            let greeter = instance
                .interface::<dyn Greeter>()
                .map_err(|e| e.to_string())?;
            let thrown = greeter.greet("throw").unwrap_err();
            if thrown.status() == Status::PANIC && thrown.message() == "asked to greet \"throw\"" {
                check_greets(&instance, "ok")
            } else {
                Err(format!("greet(\"throw\") gives {thrown}"))
            }
        }
        other => return Err(format!("no smoke test for {other}")),
    };
    result.map_err(|error| format!("{}: {error}", library.display()))
}

#[test]
fn cpp_plugins_build_with_gcc_and_clang_and_work() {
    let dir = scratch("compilers");
    let root = repo_root();
    let sources = [
        root.join("examples-c/greeter-cpp/greeter.cpp"),
        root.join("examples-c/kv-cpp/kv.cpp"),
        root.join("tests/fixtures/throwing_cpp.cpp"),
    ];
    let lister = symbol_lister();
    let mut failures = Failures::default();
    for compiler in available(&["g++", "clang++"]) {
        for std in ["c++17", "c++20"] {
            for source in &sources {
                let stem = source.file_stem().unwrap().to_string_lossy();
                let library = dir.join(library_name(&format!("{stem}-{compiler}-{std}")));
                if let Err(message) = build_cpp_plugin(compiler, std, source, &library) {
                    failures.push(message);
                    continue;
                }
                let what = build_name(compiler, std, source);
                if let Some(lister) = &lister {
                    failures.check(check_exports_only_entry(lister, &what, &library));
                }
                if let Err(message) = smoke_test(&stem, &library) {
                    failures.push(format!("{what}: {message}"));
                }
            }
        }
    }
    failures.assert_none();
}

// ---------------------------------------------------------------------------
// Zig outside the repository
// ---------------------------------------------------------------------------

/// Runs zig with `args` in `dir`; `Ok(None)` after reporting a missing zig.
fn run_zig(dir: &Path, args: &[String]) -> Result<Option<()>, String> {
    let zig = match zig_command() {
        Ok(zig) => zig,
        Err(error) => {
            toolchain_missing("zig", &error.to_string());
            return Ok(None);
        }
    };
    run(
        "zig",
        Command::new(&zig[0])
            .args(&zig[1..])
            .args(args)
            .current_dir(dir),
    )
    .map(|_| Some(()))
}

/// A Zig plugin outside the repository, built against the SDK installed
/// by CMake (with the example interfaces): the installed Zig package finds
/// the headers of its prefix, so no -Dtenon-include is given.
#[test]
fn a_zig_example_builds_outside_the_repository_against_an_installed_sdk() {
    let dir = scratch("zig_outside");
    let root = repo_root();
    if let Err(error) = Command::new("cmake").arg("--version").output() {
        toolchain_missing("cmake", &error.to_string());
        return;
    }
    let prefix = install_sdk_c(&dir, &["-DTENON_INSTALL_EXAMPLE_INTERFACES=ON".into()]);
    let project = dir.join("greeter");
    fs::create_dir_all(project.join("src")).unwrap();
    for file in ["build.zig", "src/greeter.zig", "src/tenon.h"] {
        fs::copy(
            root.join("examples-zig/greeter").join(file),
            project.join(file),
        )
        .unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    // The project's build.zig.zon points at the installed Zig package
    // instead of the repository's sdk-zig.
    let manifest = fs::read_to_string(root.join("examples-zig/greeter/build.zig.zon")).unwrap();
    assert!(manifest.contains("\"../../sdk-zig\""), "{manifest}");
    fs::write(
        project.join("build.zig.zon"),
        manifest.replace(
            "\"../../sdk-zig\"",
            &format!(
                "\"../{}/share/tenon/sdk-zig\"",
                prefix.strip_prefix(&dir).unwrap().display()
            ),
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let args = vec![
        "build".to_owned(),
        "--prefix".to_owned(),
        out.display().to_string(),
        "--cache-dir".to_owned(),
        dir.join("cache").display().to_string(),
    ];
    match run_zig(&project, &args) {
        Ok(Some(())) => {}
        Ok(None) => return,
        Err(message) => panic!("zig build outside the repository failed: {message}"),
    }
    let library = ["lib", "bin"]
        .iter()
        .map(|sub| out.join(sub).join(library_name("greeter-zig")))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("no greeter-zig library under {}", out.display()));
    let plugin = Plugin::load(&library).unwrap();
    check_greetings("zig (outside the repository)", &plugin);
}

/// A Zig static build in the default (Debug) mode, as a C host linking a
/// plugin in builds it: its entry must be hidden as docs/static.md says,
/// and every object must carry `.note.GNU-stack`, or linking the archive
/// gives the host an executable stack. Zig's own x86_64 backend, Debug's
/// default, did neither; the SDK builds static libraries with LLVM.
#[cfg(target_os = "linux")]
#[test]
fn a_debug_zig_static_build_has_a_hidden_entry_and_no_executable_stack() {
    let dir = scratch("zig_static_debug");
    if !support::have("readelf") {
        return;
    }
    let out = dir.join("out");
    let args = vec![
        "build".to_owned(),
        "-Dstatic=greeter_zig_debug".to_owned(),
        "--prefix".to_owned(),
        out.display().to_string(),
        "--cache-dir".to_owned(),
        dir.join("cache").display().to_string(),
    ];
    match run_zig(&repo_root().join("examples-zig/greeter"), &args) {
        Ok(Some(())) => {}
        Ok(None) => return,
        Err(message) => panic!("zig build -Dstatic (Debug) failed: {message}"),
    }
    let archive = out.join("lib/libgreeter-zig.a");
    let symbols = run(
        "readelf -s",
        Command::new("readelf").arg("-sW").arg(&archive),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    let entry: Vec<&str> = symbols
        .lines()
        .filter(|line| line.ends_with(" tenon_plugin_v1_greeter_zig_debug"))
        .collect();
    assert!(
        entry.len() == 1 && entry[0].contains(" HIDDEN "),
        "the entry of a Debug static build is not one hidden symbol: {entry:?}"
    );
    let sections = run(
        "readelf -S",
        Command::new("readelf").arg("-SW").arg(&archive),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    let members = sections
        .lines()
        .filter(|line| line.starts_with("File: "))
        .count();
    let noted = sections.matches(".note.GNU-stack").count();
    assert!(
        members >= 2 && noted == members,
        "{noted} of {members} objects of {} have .note.GNU-stack:\n{sections}",
        archive.display()
    );
}

#[test]
fn zig_sources_are_formatted() {
    let root = repo_root();
    let args = vec![
        "fmt".to_owned(),
        "--check".to_owned(),
        root.join("examples-zig").display().to_string(),
        root.join("sdk-zig").display().to_string(),
        root.join("tests/fixtures/zig").display().to_string(),
    ];
    if let Err(message) = run_zig(&root, &args) {
        panic!(
            "`zig fmt --check examples-zig sdk-zig tests/fixtures/zig` lists unformatted files: \
             {message}"
        );
    }
}
