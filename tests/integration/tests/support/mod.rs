//! Helpers the integration tests share. Each test file includes this module
//! with `mod support;` (it lives in a directory so that cargo does not build
//! it as a test crate of its own).
//!
//! - where things are: the repository root, the include flags of the C
//!   headers, a scratch directory per test, the platform's library names;
//! - missing toolchains: [`toolchain_missing`] says `TOOLCHAIN MISSING: ...`
//!   loudly on stderr and lets the caller skip, or fails when
//!   `TENON_REQUIRE_TOOLCHAINS=1`; [`have`], [`available`] and [`have_cpp`]
//!   find out what is installed and report what is not;
//! - running tools: [`run`], [`compile`], [`compile_plugin`], collecting
//!   [`Failures`];
//! - checking plugins: what they export ([`symbol_lister`],
//!   [`check_exports_only_entry`]), how they greet ([`check_greets`]), how
//!   loading them fails ([`load_error`]), what they log ([`capture_events`]).

// Every test crate includes this module and uses only part of it.
#![allow(dead_code)]

pub mod c_api;
pub mod docs;
pub mod example_hosts;
pub mod hostile;

use std::env;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use tenon::{Error, Instance, Plugin};
use tenon_example_interfaces::Greeter;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

// ---------------------------------------------------------------------------
// Where things are
// ---------------------------------------------------------------------------

/// The root of the repository.
pub fn repo_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <root>/tests/integration.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("repository root above tests/integration")
        .to_path_buf()
}

/// `-I` flags for the contract (`include/`), the C SDK (`sdk-c/include/`),
/// the example interfaces (`examples-c/interfaces/`) and the test
/// interfaces (`tests/fixtures/include/`).
pub fn include_args() -> Vec<String> {
    let root = repo_root();
    [
        "include",
        "sdk-c/include",
        "examples-c/interfaces",
        "tests/fixtures/include",
    ]
    .iter()
    .map(|dir| format!("-I{}", root.join(dir).display()))
    .collect()
}

/// A fresh, empty scratch directory `<name>` of this test binary
/// (`<CARGO_TARGET_TMPDIR>/<test file's stem>/<name>`).
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// `to` relative to the directory `from` (both absolute), as
/// `build.zig.zon` needs it: Zig refuses an absolute dependency path.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in &to[common..] {
        path.push(part);
    }
    path
}

/// The file name of the shared library `stem` on this platform
/// (`lib<stem>.so`, `lib<stem>.dylib`, `<stem>.dll`).
pub fn library_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        env::consts::DLL_PREFIX,
        env::consts::DLL_SUFFIX
    )
}

// ---------------------------------------------------------------------------
// Missing toolchains
// ---------------------------------------------------------------------------

pub use tenon_test_plugins::toolchain::{loud, missing as toolchain_missing};

/// Whether `tool --version` runs; reports the tool as missing if not.
pub fn have(tool: &str) -> bool {
    match Command::new(tool).arg("--version").output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            toolchain_missing(
                tool,
                &format!("`{tool} --version` failed: {}", output.status),
            );
            false
        }
        Err(error) => {
            toolchain_missing(tool, &format!("cannot run it: {error}"));
            false
        }
    }
}

/// Whether every tool of `tools` runs (each missing one is reported).
pub fn have_all(tools: &[&str]) -> bool {
    // Not all(): every missing tool is reported, not only the first.
    tools.iter().filter(|tool| !have(tool)).count() == 0
}

/// The tools of `candidates` that run (each missing one is reported).
pub fn available(candidates: &[&'static str]) -> Vec<&'static str> {
    candidates
        .iter()
        .copied()
        .filter(|tool| have(tool))
        .collect()
}

/// Whether a C++ compiler runs, so that `tenon-test-plugins` can build the
/// C++ example plugins and fixtures; if not, reports it.
pub fn have_cpp() -> bool {
    match tenon_test_plugins::cpp_toolchain() {
        Ok(()) => true,
        Err(error) => {
            toolchain_missing("c++", &error.to_string());
            false
        }
    }
}

// ---------------------------------------------------------------------------
// Running tools
// ---------------------------------------------------------------------------

/// Failures collected over a whole test, reported together at the end.
#[derive(Default)]
pub struct Failures(Vec<String>);

impl Failures {
    /// Records `message`.
    pub fn push(&mut self, message: String) {
        self.0.push(message);
    }

    /// Records the error of `result`, if it is one.
    pub fn check(&mut self, result: Result<(), String>) {
        if let Err(message) = result {
            self.push(message);
        }
    }

    /// Panics with every failure recorded, if there is any.
    pub fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} failure(s):\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        );
    }
}

/// Runs `command` and returns what it printed on stdout; on failure, a
/// message starting with `what` that shows the command line and everything
/// it printed.
pub fn run(what: &str, command: &mut Command) -> Result<String, String> {
    let described = format!("{command:?}");
    let output = command
        .output()
        .map_err(|error| format!("{what}: cannot run {described}: {error}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{what}: {}\n  command: {described}\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The plugin SDK (`sdk-c`) configured with the CMake `options` in
/// `dir/sdk-build` and installed into `dir/prefix`, which it returns: what
/// an author does before building outside the checkout.
///
/// # Panics
///
/// If configuring or installing fails.
pub fn install_sdk_c(dir: &Path, options: &[String]) -> PathBuf {
    let build = dir.join("sdk-build");
    let prefix = dir.join("prefix");
    run(
        "cmake: configure sdk-c",
        Command::new("cmake")
            .arg("-S")
            .arg(repo_root().join("sdk-c"))
            .arg("-B")
            .arg(&build)
            .args(options),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    run(
        "cmake: install sdk-c",
        Command::new("cmake")
            .arg("--install")
            .arg(&build)
            .arg("--prefix")
            .arg(&prefix),
    )
    .unwrap_or_else(|message| panic!("{message}"));
    prefix
}

/// The warnings every C and C++ build here turns on, as errors.
pub const WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Wpedantic", "-Werror"];

/// Warnings beyond [`WARNINGS`] that the SDK's headers (`plugin.h`, `sdk.h`,
/// the example interfaces) stay clean under in C, as the C guide says: a
/// plugin that turns them on sees only its own warnings.
pub const STRICT_C_WARNINGS: &[&str] = &[
    "-Wshadow",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wcast-qual",
    "-Wundef",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
];

/// As [`STRICT_C_WARNINGS`], for C++ (`plugin.hpp` too), as the C++ guide
/// says.
pub const STRICT_CXX_WARNINGS: &[&str] = &[
    "-Wshadow",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wold-style-cast",
    "-Wcast-qual",
    "-Wundef",
    // clang++ defines NULL as 0: a header comparing with NULL warns.
    "-Wzero-as-null-pointer-constant",
];

/// How failures name a compilation: `<compiler> -std=<std> <file>`.
pub fn build_name(compiler: &str, std: &str, file: &Path) -> String {
    format!("{compiler} -std={std} {}", file.display())
}

/// Runs `compiler -std=<std> <args>`, which compiles `file`; on failure, a
/// message naming compiler, standard and file ([`build_name`]), with the
/// command and the compiler's output.
pub fn compile(compiler: &str, std: &str, file: &Path, args: &[String]) -> Result<(), String> {
    run(
        &build_name(compiler, std, file),
        Command::new(compiler).arg(format!("-std={std}")).args(args),
    )
    .map(|_| ())
}

/// Compiles `source` to a plugin, as the SDK documents: a shared library
/// with hidden visibility, built with [`WARNINGS`] against the headers of
/// [`include_args`], with `extra` arguments.
pub fn compile_plugin(
    compiler: &str,
    std: &str,
    source: &Path,
    library: &Path,
    extra: &[String],
) -> Result<(), String> {
    let mut args: Vec<String> = WARNINGS.iter().map(|w| w.to_string()).collect();
    args.extend(
        ["-fPIC", "-shared", "-fvisibility=hidden"]
            .iter()
            .map(|a| a.to_string()),
    );
    args.extend(extra.iter().cloned());
    args.extend(include_args());
    args.extend([
        source.display().to_string(),
        "-o".into(),
        library.display().to_string(),
    ]);
    compile(compiler, std, source, &args)
}

// ---------------------------------------------------------------------------
// What a library exports
// ---------------------------------------------------------------------------

/// How to list the symbols a shared library exports on this platform (the
/// `nm` command line), if we know; `None` after reporting why not.
pub fn symbol_lister() -> Option<Vec<&'static str>> {
    let args: Vec<&'static str> = if cfg!(target_os = "linux") {
        vec!["nm", "-D", "--defined-only"]
    } else if cfg!(target_os = "macos") {
        vec!["nm", "-gU"]
    } else {
        loud("export check skipped: no nm-based check for this platform");
        return None;
    };
    have("nm").then_some(args)
}

/// The symbols `library` defines and exports, as `lister` (from
/// [`symbol_lister`]) lists them, less the few that linkers define in every
/// shared library on older toolchains.
pub fn exported_symbols(lister: &[&str], library: &Path) -> Result<Vec<String>, String> {
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

/// `Err` starting with `what` (the build, for the message) unless `library`
/// exports exactly `tenon_plugin_v1`.
pub fn check_exports_only_entry(lister: &[&str], what: &str, library: &Path) -> Result<(), String> {
    let symbols = exported_symbols(lister, library).map_err(|error| format!("{what}: {error}"))?;
    if symbols == ["tenon_plugin_v1"] {
        Ok(())
    } else {
        Err(format!(
            "{what}: {} must export exactly [\"tenon_plugin_v1\"], exports {symbols:?}",
            library.display()
        ))
    }
}

// ---------------------------------------------------------------------------
// Loading and calling plugins
// ---------------------------------------------------------------------------

/// The error loading `path` gives; panics if it loads.
pub fn load_error(path: impl AsRef<Path>) -> Error {
    let path = path.as_ref();
    match Plugin::load(path) {
        Ok(plugin) => panic!("{} loaded as {plugin:?}, but must fail", path.display()),
        Err(error) => error,
    }
}

/// `Err` unless `instance` offers a greeter that greets `name` with
/// `"Hello, <name>!"`.
pub fn check_greets(instance: &Instance, name: &str) -> Result<(), String> {
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|error| error.to_string())?;
    let greeting = greeter.greet(name).map_err(|error| error.to_string())?;
    if greeting == format!("Hello, {name}!") {
        Ok(())
    } else {
        Err(format!("greet({name:?}) = {greeting:?}"))
    }
}

/// Asserts what the descriptor of the example greeter `greeter-<language>`
/// says: version 1.0.0, the host's ABI, thread-safe, a description, and the
/// greeter interface, version 1, alone.
pub fn check_greeter_metadata(language: &str, plugin: &Plugin) {
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

// ---------------------------------------------------------------------------
// What plugins log
// ---------------------------------------------------------------------------

/// One log event as the host's subscriber saw it.
#[derive(Debug)]
pub struct Event {
    pub target: String,
    pub level: tracing::Level,
    /// The `plugin` field: the name of the plugin that logged.
    pub plugin: String,
    pub message: String,
}

/// A `tracing` layer that keeps every event.
#[derive(Default, Clone)]
pub struct Captured(Arc<Mutex<Vec<Event>>>);

impl Captured {
    /// The events kept so far, taken out.
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

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

/// Runs `body` with a `tracing` subscriber that keeps every event (on this
/// thread) and returns them.
pub fn capture_events(body: impl FnOnce()) -> Vec<Event> {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    tracing::subscriber::with_default(subscriber, body);
    let mut events = captured.0.lock().unwrap();
    std::mem::take(&mut *events)
}

/// The first event the host logged for plugin `name` (target
/// `tenon::plugin`); panics, listing every event, if there is none.
pub fn plugin_event<'a>(events: &'a [Event], name: &str) -> &'a Event {
    events
        .iter()
        .find(|event| event.target == "tenon::plugin" && event.plugin == name)
        .unwrap_or_else(|| panic!("no log event from {name}: {events:?}"))
}

/// The canonical path of a file as tenon reports it (`PluginInfo::path`,
/// the path in errors): on Windows, the verbatim `\\?\C:\…` of
/// `canonicalize` without its prefix (the tests' paths are short, plain
/// drive paths).
pub fn canonical_as_shown(canonical: PathBuf) -> PathBuf {
    #[cfg(windows)]
    {
        let text = canonical.to_str().expect("a UTF-8 test path");
        let plain = text.strip_prefix(r"\\?\").expect("a verbatim path");
        assert!(plain.len() < 260, "{plain}");
        PathBuf::from(plain)
    }
    #[cfg(not(windows))]
    canonical
}
