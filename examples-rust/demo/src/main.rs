//! The Tenon demo host: loads every example plugin, in every language (C,
//! C++, Zig and Rust), prints its language and metadata, and calls each
//! interface it offers.
//!
//! The plugins come from one list, `tenon_test_plugins::all_examples`.
//! An example whose toolchain is not installed (Zig without `zig`, C++
//! without a C++ compiler) is reported as `TOOLCHAIN MISSING` on stderr and
//! skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes the demo fail.
//!
//! Run it with `cargo run -p tenon-demo`. Plugin log messages are printed
//! (set `RUST_LOG=tenon=debug` to also see the host's own events).

use std::process::ExitCode;
use tenon::{Plugin, PluginInfo};
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_test_plugins::ExamplePlugin;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("tenon::plugin=debug")),
        )
        .without_time()
        .with_target(true)
        .init();

    let examples = match tenon_test_plugins::try_all_examples() {
        Ok(examples) => examples,
        Err(error) => {
            eprintln!("could not build the example plugins: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failures = 0;
    let mut languages: Vec<&str> = Vec::new();
    for example in &examples {
        println!();
        if !languages.contains(&example.language) {
            languages.push(example.language);
        }
        if let Err(error) = run(example) {
            failures += 1;
            println!("  FAILED [{}]: {error}", error.kind());
        }
    }
    println!();
    if failures == 0 {
        let names: Vec<&str> = languages.iter().map(|l| language_name(l)).collect();
        println!(
            "all {} example plugins loaded and answered, in {}",
            examples.len(),
            names.join(", ")
        );
        let absent: Vec<&str> = tenon_test_plugins::LANGUAGES
            .iter()
            .filter(|language| !languages.contains(language))
            .map(|language| language_name(language))
            .collect();
        if !absent.is_empty() {
            println!("no example plugin in {}", absent.join(", "));
        }
        ExitCode::SUCCESS
    } else {
        println!("{failures} example plugin(s) failed");
        ExitCode::FAILURE
    }
}

fn run(example: &ExamplePlugin) -> Result<(), tenon::Error> {
    let plugin = Plugin::load(&example.path)?;
    describe(example.language, plugin.info());
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
                let language = language_name(example.language);
                kv.put("language", language.as_bytes())?;
                println!(
                    "  put(\"language\", {language:?}); get -> {:?}",
                    String::from_utf8_lossy(&kv.get("language")?)
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

/// The human name of a language as the example list spells it.
fn language_name(language: &str) -> &str {
    match language {
        "c" => "C",
        "cpp" => "C++",
        "zig" => "Zig",
        "rust" => "Rust",
        other => other,
    }
}

fn describe(language: &str, info: &PluginInfo) {
    println!(
        "[{}] {} {} — {} [ABI {}, {}]",
        language_name(language),
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
