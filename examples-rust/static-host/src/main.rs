//! `tenon-static-host [DIR...]`: lists the greeters linked into this
//! program and the plugin files found in each `DIR`, with where each comes
//! from, and greets "world" with every one that offers the greeter.

use std::process::ExitCode;
use tenon_example_interfaces::Greeter;

fn main() -> ExitCode {
    let mut registry = tenon_static_host::built_in(tenon::Registry::new());
    for dir in std::env::args_os().skip(1) {
        registry = match registry.scan(&dir) {
            Ok(registry) => registry,
            Err(error) => {
                eprintln!("cannot scan {}: {error}", dir.to_string_lossy());
                return ExitCode::FAILURE;
            }
        };
    }
    let mut failed = false;
    for entry in registry.entries() {
        match entry.plugin() {
            Ok(plugin) => match greet(plugin) {
                Ok(Some(greeting)) => {
                    println!("{} ({}): {greeting}", plugin.name(), entry.origin())
                }
                Ok(None) => println!("{} ({}): no greeter", plugin.name(), entry.origin()),
                Err(error) => {
                    failed = true;
                    println!("{} ({}): {error}", plugin.name(), entry.origin());
                }
            },
            Err(error) => {
                failed = true;
                println!("refused ({}): {error} [{}]", entry.origin(), error.kind());
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The plugin's greeting for "world", or `None` when it is not a greeter.
fn greet(plugin: &tenon::Plugin) -> Result<Option<String>, tenon::Error> {
    if plugin.require::<dyn Greeter>().is_err() {
        return Ok(None);
    }
    let instance = plugin.instantiate("")?;
    let greeter = instance.interface::<dyn Greeter>()?;
    Ok(Some(greeter.greet("world")?))
}
