//! The C++ and Zig plugins: the examples behave as their interfaces say,
//! exceptions never cross the boundary, and each plugin exports only
//! `tenon_plugin_v1`.
//!
//! - C++: `examples-c/greeter-cpp`, `examples-c/kv-cpp` and the fixture
//!   `tests/fixtures/throwing_cpp.cpp`, as built by `tenon-example-plugins`
//!   (the C++ compiler `cc` finds), and again with both g++ and clang++ as
//!   C++17 and C++20 with `-Wall -Wextra -Wpedantic -Werror`, each build
//!   loaded and called;
//! - Zig: `examples-zig/greeter` and `examples-zig/processor`, built with
//!   `zig build`, also from a copy outside the repository, against headers
//!   laid out as an installed SDK (`-Dtenon-include=<prefix>/include`).
//!
//! A tool that is not installed (a compiler, `nm`, zig; the C++ compiler
//! `tenon-example-plugins` builds with, see its `cpp_toolchain`) is reported
//! on stderr as `TOOLCHAIN MISSING: <tool> ...` and what needs it is
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

use std::env;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use tenon::{Error, Plugin, Status};
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_example_plugins::{
    c_plugin, cpp_fixture, cpp_plugin, cpp_toolchain, rust_plugin, zig_command, zig_plugin,
    BuildError,
};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

// ---------------------------------------------------------------------------
// Missing toolchains
// ---------------------------------------------------------------------------

/// Reports a missing tool: a loud line on stderr, or a panic when
/// `TENON_REQUIRE_TOOLCHAINS=1`.
fn toolchain_missing(tool: &str, why: &str) {
    let message = format!("TOOLCHAIN MISSING: {tool} ({why}); skipping what needs it");
    if env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!("{message}, but TENON_REQUIRE_TOOLCHAINS=1 requires every toolchain");
    }
    loud(&message);
}

/// Prints to the real stderr: not through eprintln!, which the test harness
/// captures and hides for passing tests.
fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** {message} ***\n");
}

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

/// Whether the C++ example plugins and fixtures were built; if not (no C++
/// compiler), reports it.
fn have_cpp() -> bool {
    match cpp_toolchain() {
        Ok(()) => true,
        Err(error) => {
            toolchain_missing("c++", &error.to_string());
            false
        }
    }
}

/// The tools of `candidates` that can be run (`<tool> --version`).
fn available(candidates: &[&'static str]) -> Vec<&'static str> {
    candidates
        .iter()
        .copied()
        .filter(|tool| match Command::new(tool).arg("--version").output() {
            Ok(output) if output.status.success() => true,
            Ok(output) => {
                toolchain_missing(tool, &format!("`{tool} --version`: {}", output.status));
                false
            }
            Err(error) => {
                toolchain_missing(tool, &format!("cannot run it: {error}"));
                false
            }
        })
        .collect()
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
fn cpp_and_zig_greeters_greet_by_name() {
    for (language, path) in greeters() {
        let plugin = Plugin::load(&path).unwrap_or_else(|e| panic!("{language}: {e}"));
        check_greetings(language, &plugin);
    }
}

#[test]
fn cpp_and_zig_greeter_metadata() {
    for (language, path) in greeters() {
        let plugin = Plugin::load(&path).unwrap();
        let info = plugin.info();
        assert_eq!(info.name, format!("greeter-{language}"));
        assert_eq!(info.version, tenon::semver::Version::new(1, 0, 0));
        assert_eq!(info.abi, tenon::AbiVersion::HOST);
        assert!(info.thread_safe(), "{language}");
        assert_eq!(info.interfaces.len(), 1, "{language}");
        assert_eq!(info.interfaces[0].id, "org.tenon.example.greeter");
        assert_eq!(info.interfaces[0].version, 1);
        assert!(
            info.description.as_deref().is_some_and(|d| !d.is_empty()),
            "{language}"
        );
    }
}

#[test]
fn cpp_and_zig_greeters_are_called_from_many_threads_at_once() {
    for (language, path) in greeters() {
        let plugin = Plugin::load(&path).unwrap();
        let instance = plugin.instantiate_shared("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let greeter = &greeter;
                scope.spawn(move || {
                    for i in 0..200 {
                        let name = format!("{t}/{i}");
                        assert_eq!(
                            greeter.greet(&name).unwrap(),
                            format!("Hello, {name}!"),
                            "{language}"
                        );
                    }
                });
            }
        });
    }
}

/// One log event as the host's subscriber saw it.
#[derive(Debug)]
struct Event {
    target: String,
    level: tracing::Level,
    plugin: String,
    message: String,
}

#[derive(Default, Clone)]
struct Captured(Arc<Mutex<Vec<Event>>>);

struct Fields {
    plugin: String,
    message: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "plugin" => self.plugin = value.to_owned(),
            "message" => self.message = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "plugin" => self.plugin = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields {
            plugin: String::new(),
            message: String::new(),
        };
        event.record(&mut fields);
        let meta = event.metadata();
        self.0.lock().unwrap().push(Event {
            target: meta.target().to_owned(),
            level: *meta.level(),
            plugin: fields.plugin,
            message: fields.message,
        });
    }
}

#[test]
fn cpp_and_zig_greeters_log_their_creation_at_debug_level() {
    let greeters = greeters();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    tracing::subscriber::with_default(subscriber, || {
        for (_, path) in &greeters {
            let plugin = Plugin::load(path).unwrap();
            drop(plugin.instantiate("").unwrap());
        }
    });
    let events = captured.0.lock().unwrap();
    for (language, _) in &greeters {
        let name = format!("greeter-{language}");
        let event = events
            .iter()
            .find(|event| event.target == "tenon::plugin" && event.plugin == name)
            .unwrap_or_else(|| panic!("no log event from {name}: {events:?}"));
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

#[test]
fn cpp_kv_instances_are_independent() {
    if !have_cpp() {
        return;
    }
    let plugin = Plugin::load(cpp_plugin("kv-cpp")).unwrap();
    let first = plugin.instantiate("").unwrap();
    let second = plugin.instantiate("").unwrap();
    first.interface::<dyn Kv>().unwrap().put("k", b"1").unwrap();
    assert_eq!(second.interface::<dyn Kv>().unwrap().len().unwrap(), 0);
    assert_eq!(first.interface::<dyn Kv>().unwrap().len().unwrap(), 1);
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
fn a_non_std_exception_is_a_panic_status_with_a_fixed_message() {
    let Some(plugin) = throwing() else {
        return;
    };
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();

    let error = greeter.greet("throw int").unwrap_err();
    assert_eq!(error.status(), Status::PANIC);
    assert_eq!(error.message(), "unknown C++ exception");

    assert_eq!(greeter.greet("after").unwrap(), "Hello, after!");
    let error = greeter.greet("throw int").unwrap_err();
    assert_eq!(error.message(), "unknown C++ exception");
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

/// How to list the symbols a shared library exports on this platform;
/// `None` after reporting why not.
fn symbol_lister() -> Option<Vec<&'static str>> {
    let args: Vec<&'static str> = if cfg!(target_os = "linux") {
        vec!["nm", "-D", "--defined-only"]
    } else if cfg!(target_os = "macos") {
        vec!["nm", "-gU"]
    } else {
        loud("export check skipped: no nm-based check for this platform");
        return None;
    };
    if available(&["nm"]).is_empty() {
        return None;
    }
    Some(args)
}

/// The symbols `library` defines and exports, less the few that linkers
/// define in every shared library on older toolchains.
fn exported_symbols(lister: &[&str], library: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(lister[0])
        .args(&lister[1..])
        .arg(library)
        .output()
        .map_err(|error| format!("{}: cannot run nm: {error}", library.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{}: nm failed: {}\n{}",
            library.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    const LINKER_DEFINED: &[&str] = &["_init", "_fini", "_edata", "_end", "__bss_start"];
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .map(|name| {
            if cfg!(target_os = "macos") {
                name.strip_prefix('_').unwrap_or(name).to_owned()
            } else {
                name.to_owned()
            }
        })
        .filter(|name| !LINKER_DEFINED.contains(&name.as_str()))
        .collect())
}

/// `Err` naming `what` unless `library` exports exactly `tenon_plugin_v1`.
fn check_only_entry(lister: &[&str], what: &str, library: &Path) -> Result<(), String> {
    let symbols = exported_symbols(lister, library)?;
    if symbols == ["tenon_plugin_v1"] {
        Ok(())
    } else {
        Err(format!(
            "{what} ({}) must export exactly [\"tenon_plugin_v1\"], exports {symbols:?}",
            library.display()
        ))
    }
}

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
        .filter_map(|(what, path)| check_only_entry(&lister, what, path).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Both C++ compilers
// ---------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <root>/tests/integration.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("repository root above tests/integration")
        .to_path_buf()
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cpp_zig")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn shared_library_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        env::consts::DLL_PREFIX,
        env::consts::DLL_SUFFIX
    )
}

/// Builds `source` as a plugin with `compiler` and `-std=<std>`, with the
/// flags the SDK documents; `Err` names compiler, standard and file.
fn build_cpp_plugin(
    compiler: &str,
    std: &str,
    source: &Path,
    library: &Path,
) -> Result<(), String> {
    let root = repo_root();
    let mut command = Command::new(compiler);
    command
        .arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Wpedantic", "-Werror"])
        .args([
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
            "-fvisibility-inlines-hidden",
        ]);
    if cfg!(target_os = "macos") {
        command.arg("-Wl,-exported_symbol,_tenon_plugin_v1");
    } else if !cfg!(windows) {
        command.arg(format!(
            "-Wl,--version-script={}",
            root.join("sdk-c/share/tenon/tenon-plugin.version")
                .display()
        ));
    }
    for dir in ["include", "sdk-c/include", "examples-c/interfaces"] {
        command.arg(format!("-I{}", root.join(dir).display()));
    }
    command.arg(source).arg("-o").arg(library);
    let output = command.output().map_err(|error| {
        format!(
            "{compiler} -std={std} {}: cannot run: {error}",
            source.display()
        )
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{compiler} -std={std} {}: {}\n  command: {command:?}\n{}{}",
            source.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Loads a C++ build of `stem` and makes one call that shows it works.
fn smoke_test(stem: &str, library: &Path) -> Result<(), String> {
    let plugin = Plugin::load(library).map_err(|e| e.to_string())?;
    let instance = plugin.instantiate("").map_err(|e| e.to_string())?;
    let result = match stem {
        "greeter" => instance
            .interface::<dyn Greeter>()
            .map_err(|e| e.to_string())?
            .greet("Zoë")
            .map(|greeting| greeting == "Hello, Zoë!"),
        "kv" => {
            let kv = instance.interface::<dyn Kv>().map_err(|e| e.to_string())?;
            kv.put("k", b"v").and_then(|()| kv.get("k")).map(|value| {
                value == b"v" && kv.get("x").is_err_and(|e| e.status() == Status::NOT_FOUND)
            })
        }
        "throwing_cpp" => {
            let greeter = instance
                .interface::<dyn Greeter>()
                .map_err(|e| e.to_string())?;
            let thrown = greeter.greet("throw").unwrap_err();
            greeter.greet("ok").map(|greeting| {
                greeting == "Hello, ok!"
                    && thrown.status() == Status::PANIC
                    && thrown.message() == "asked to greet \"throw\""
            })
        }
        other => return Err(format!("no smoke test for {other}")),
    };
    match result {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("{}: wrong result", library.display())),
        Err(error) => Err(format!("{}: {error}", library.display())),
    }
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
    let mut failures = Vec::new();
    for compiler in available(&["g++", "clang++"]) {
        for std in ["c++17", "c++20"] {
            for source in &sources {
                let stem = source.file_stem().unwrap().to_string_lossy();
                let library = dir.join(shared_library_name(&format!("{stem}-{compiler}-{std}")));
                if let Err(message) = build_cpp_plugin(compiler, std, source, &library) {
                    failures.push(message);
                    continue;
                }
                let what = format!("{compiler} -std={std} {}", source.display());
                if let Some(lister) = &lister {
                    if let Err(message) = check_only_entry(lister, &what, &library) {
                        failures.push(message);
                    }
                }
                if let Err(message) = smoke_test(&stem, &library) {
                    failures.push(format!("{what}: {message}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
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
    let mut command = Command::new(&zig[0]);
    command.args(&zig[1..]).args(args).current_dir(dir);
    let output = command
        .output()
        .map_err(|error| format!("{command:?}: {error}"))?;
    if output.status.success() {
        Ok(Some(()))
    } else {
        Err(format!(
            "{command:?}: {}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[test]
fn a_zig_example_builds_outside_the_repository_against_an_installed_sdk() {
    let dir = scratch("zig_outside");
    let root = repo_root();
    let project = dir.join("greeter");
    fs::create_dir_all(project.join("src")).unwrap();
    for file in ["build.zig", "src/greeter.zig", "src/tenon.h"] {
        fs::copy(
            root.join("examples-zig/greeter").join(file),
            project.join(file),
        )
        .unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    // An installed SDK: every header under one include directory.
    let include = dir.join("installed/include");
    for (from, to) in [
        ("include/tenon/plugin.h", "tenon/plugin.h"),
        ("sdk-c/include/tenon/sdk.h", "tenon/sdk.h"),
        (
            "examples-c/interfaces/tenon_examples/greeter.h",
            "tenon_examples/greeter.h",
        ),
    ] {
        fs::create_dir_all(include.join(to).parent().unwrap()).unwrap();
        fs::copy(root.join(from), include.join(to)).unwrap_or_else(|e| panic!("copy {from}: {e}"));
    }
    let prefix = dir.join("out");
    let args = vec![
        "build".to_owned(),
        "--prefix".to_owned(),
        prefix.display().to_string(),
        "--cache-dir".to_owned(),
        dir.join("cache").display().to_string(),
        format!("-Dtenon-include={}", include.display()),
    ];
    match run_zig(&project, &args) {
        Ok(Some(())) => {}
        Ok(None) => return,
        Err(message) => panic!("zig build outside the repository failed: {message}"),
    }
    let library = ["lib", "bin"]
        .iter()
        .map(|sub| prefix.join(sub).join(shared_library_name("greeter-zig")))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("no greeter-zig library under {}", prefix.display()));
    let plugin = Plugin::load(&library).unwrap();
    check_greetings("zig (outside the repository)", &plugin);
}

#[test]
fn zig_sources_are_formatted() {
    let root = repo_root();
    let args = vec![
        "fmt".to_owned(),
        "--check".to_owned(),
        root.join("examples-zig").display().to_string(),
    ];
    if let Err(message) = run_zig(&root, &args) {
        panic!("`zig fmt --check examples-zig` lists unformatted files: {message}");
    }
}
