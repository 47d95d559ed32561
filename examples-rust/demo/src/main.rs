//! The Tenon demo host: loads each plugin file it is given, prints what the
//! plugin says about itself, and calls every example interface it offers
//! (greeter, key-value store, processor).
//!
//! ```text
//! tenon-demo path/to/libgreeter.so path/to/libkv_rust.so ...
//! ```
//!
//! Without arguments it loads the example plugins of this repository, in C,
//! C++, Zig and Rust, building them first (`src/examples.rs`):
//! `cargo run -p tenon-demo`. With `--static` first, it also lists and
//! calls the greeters linked into it (C, C++, Zig, Rust, through
//! `tenon::Registry`; see docs/static.md), beside the files:
//! `cargo run -p tenon-demo -- --static`. It exits with 1 if any plugin fails to load or
//! to answer. Plugin log messages are printed (set `RUST_LOG=tenon=debug` to
//! also see the host's own events).

mod examples;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tenon::{Plugin, PluginInfo};
use tenon_example_interfaces::{Greeter, Kv, Processor};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("tenon::plugin=debug")),
        )
        .without_time()
        .with_target(true)
        .init();

    let mut given: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if given
        .first()
        .is_some_and(|arg| arg.as_os_str() == "--static")
    {
        given.remove(0);
        return static_mode(given);
    }
    let (paths, what, languages) = if given.is_empty() {
        match examples::build() {
            Ok((paths, languages)) => (paths, "example plugins", format!(", in {languages}")),
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        (given, "plugins", String::new())
    };

    let mut failures = 0;
    for path in &paths {
        println!();
        if let Err(error) = run(path) {
            failures += 1;
            println!("{}\n  FAILED [{}]: {error}", path.display(), error.kind());
        }
    }
    println!();
    if failures == 0 {
        println!("all {} {what} loaded and answered{languages}", paths.len());
        ExitCode::SUCCESS
    } else {
        println!("{failures} of {} {what} failed", paths.len());
        ExitCode::FAILURE
    }
}

/// `--static`: the greeters linked into the demo (C, C++, Zig, Rust;
/// examples-rust/static-host) and the plugin files (given, else the
/// examples, built), through one registry; each is listed with where it
/// comes from and called the same way.
fn static_mode(given: Vec<PathBuf>) -> ExitCode {
    let files = if given.is_empty() {
        match examples::build() {
            Ok((paths, _)) => paths,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        given
    };
    let mut registry = tenon_static_host::built_in(tenon::Registry::new());
    for file in files {
        registry = registry.with_file(file);
    }
    let mut failures = 0;
    for entry in registry.entries() {
        println!();
        println!("[{}]", entry.origin());
        let refused = match entry.plugin() {
            Ok(plugin) => call(plugin).err().map(|e| (e.kind(), e.to_string())),
            Err(error) => Some((error.kind(), error.to_string())),
        };
        if let Some((kind, message)) = refused {
            failures += 1;
            println!("  FAILED [{kind}]: {message}");
        }
    }
    println!();
    let linked = registry
        .entries()
        .iter()
        .filter(|e| e.origin().is_static())
        .count();
    let total = registry.entries().len();
    if failures == 0 {
        println!(
            "all {total} plugins answered ({linked} linked in, {} files)",
            total - linked
        );
        ExitCode::SUCCESS
    } else {
        println!("{failures} of {total} plugins failed");
        ExitCode::FAILURE
    }
}

/// Loads the plugin at `path`, describes it, and calls every interface it
/// offers that the demo knows.
fn run(path: &Path) -> Result<(), tenon::Error> {
    call(&Plugin::load(path)?)
}

/// Describes `plugin` and calls every interface it offers that the demo
/// knows.
fn call(plugin: &Plugin) -> Result<(), tenon::Error> {
    describe(plugin.info());
    let instance = plugin.instantiate("")?;
    for offered in &plugin.info().interfaces {
        match offered.id.as_str() {
            id if id == <dyn Greeter as tenon::Interface>::ID => {
                let greeter = instance.interface::<dyn Greeter>()?;
                for name in ["world", "Zoë"] {
                    println!("  greet({name:?}) -> {:?}", greeter.greet(name)?);
                }
            }
            id if id == <dyn Processor as tenon::Interface>::ID => {
                let processor = instance.interface::<dyn Processor>()?;
                let input = b"123456789";
                let output = processor.process(input)?;
                println!(
                    "  {}({:?}) -> {}",
                    processor.name()?,
                    String::from_utf8_lossy(input),
                    hex(&output)
                );
            }
            id if id == <dyn Kv as tenon::Interface>::ID => {
                let kv = instance.interface::<dyn Kv>()?;
                kv.put("plugin", plugin.info().name.as_bytes())?;
                println!(
                    "  put(\"plugin\", {:?}); get -> {:?}",
                    plugin.info().name,
                    String::from_utf8_lossy(&kv.get("plugin")?)
                );
                match kv.get("missing") {
                    Err(error) => println!(
                        "  get(\"missing\") -> {} ({})",
                        error.kind_name(),
                        error.message()
                    ),
                    Ok(value) => println!("  get(\"missing\") -> unexpectedly {value:?}"),
                }
                println!("  len -> {}", kv.len()?);
            }
            other => println!("  (no demo for interface {other})"),
        }
    }
    Ok(())
}

fn describe(info: &PluginInfo) {
    println!(
        "{} {} — {} [ABI {}, {}]",
        info.name,
        info.version,
        info.description.as_deref().unwrap_or("(no description)"),
        info.abi,
        if info.thread_safe() {
            "thread-safe"
        } else {
            "one thread at a time"
        }
    );
    println!("  from {}", info.path.display());
    for interface in &info.interfaces {
        println!(
            "  offers {} v{} ({}-byte vtable)",
            interface.id, interface.version, interface.vtable_size
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
