//! `tenon inspect`.

use crate::json;
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;
use tenon::{Plugin, PluginInfo};

/// Loads the plugin at `path` and prints what it says about itself.
pub fn run(path: &Path, as_json: bool) -> ExitCode {
    match Plugin::load(path) {
        Ok(plugin) => {
            if as_json {
                json::print(&json::plugin(plugin.info()));
            } else {
                print!("{}", describe(plugin.info()));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if as_json {
                json::print(&json!({"error": json::error(&error)}));
            } else {
                eprintln!("error[{}]: {error}", error.kind());
            }
            ExitCode::from(crate::FAILURE)
        }
    }
}

/// The text `tenon inspect` prints for a plugin.
pub fn describe(info: &PluginInfo) -> String {
    let mut text = format!("{} {}\n", info.name, info.version);
    if let Some(description) = &info.description {
        text += &format!("  {description}\n");
    }
    text += &format!("  path:        {}\n", info.path.display());
    text += &format!("  ABI:         {}\n", info.abi);
    text += &format!(
        "  thread-safe: {}\n",
        if info.thread_safe() { "yes" } else { "no" }
    );
    text += &format!("  flags:       {}\n", flags(info.flags));
    text += &format!("  interfaces:  {}\n", info.interfaces.len());
    let width = info
        .interfaces
        .iter()
        .map(|i| i.id.len())
        .max()
        .unwrap_or(0);
    for interface in &info.interfaces {
        text += &format!(
            "    {:width$}  version {}  vtable {} bytes\n",
            interface.id, interface.version, interface.vtable_size
        );
    }
    text
}

/// `0x1 (TENON_PLUGIN_THREAD_SAFE)`, naming the known bits.
fn flags(flags: u64) -> String {
    let mut names = Vec::new();
    if flags & tenon::sys::TENON_PLUGIN_THREAD_SAFE != 0 {
        names.push("TENON_PLUGIN_THREAD_SAFE".to_owned());
    }
    let unknown = flags & !tenon::sys::TENON_PLUGIN_THREAD_SAFE;
    if unknown != 0 {
        names.push(format!("unknown bits {unknown:#x}, ignored"));
    }
    if names.is_empty() {
        format!("{flags:#x}")
    } else {
        format!("{flags:#x} ({})", names.join(", "))
    }
}
