//! `tenon inspect`.
//!
//! Loading a plugin runs its code (the library's initializers, its entry
//! function), and a corrupted file can crash the dynamic loader itself, so
//! the load happens in a child process under the [`crate::supervisor`]
//! (`tenon __inspect PATH`), with a deadline. The child delivers the
//! plugin's metadata, or the load error, on the private channel; whatever
//! the plugin prints goes to `tenon`'s stderr, labelled, never to its
//! stdout.

use crate::check::described::{self, Described};
use crate::json;
use crate::supervisor::{self, Job};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tenon::Plugin;

/// Seconds the load may take by default (`--timeout`).
pub const DEFAULT_TIMEOUT: u64 = 10;

/// Loads the plugin at `path` in a child and prints what it says about
/// itself, naming the revision of each interface one of `headers`
/// describes.
pub fn run(path: &Path, as_json: bool, headers: &[PathBuf], timeout: Duration) -> ExitCode {
    // A header that cannot be read is a usage error, before anything loads.
    let described = match described::read(headers) {
        Ok(described) => described,
        Err(problem) => {
            err_line!("error: {problem}");
            return ExitCode::from(crate::USAGE);
        }
    };
    match load_in_child(path, timeout) {
        Ok((mut plugin, flags)) => {
            name_revisions(&mut plugin, &described);
            if as_json {
                json::print(&plugin);
            } else {
                crate::print_out(&describe(&plugin, flags));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if as_json {
                json::print(&json!({ "error": error }));
            } else {
                err_line!(
                    "error[{}]: {}",
                    error["kind"].as_str().unwrap_or("unknown"),
                    error["message"].as_str().unwrap_or("")
                );
            }
            ExitCode::from(crate::FAILURE)
        }
    }
}

/// Sets the `revision` of each interface of `plugin` (its `--json` object)
/// that a header describes at its version: the latest revision whose
/// methods its vtable holds, left `null` for a vtable short of revision 1
/// (a host refuses it with `vtable_too_small`).
fn name_revisions(plugin: &mut Value, described: &[Described]) {
    let Some(interfaces) = plugin["interfaces"].as_array_mut() else {
        return;
    };
    for interface in interfaces {
        let (Some(id), Some(version), Some(slots)) = (
            interface["id"].as_str(),
            interface["version"].as_u64(),
            interface["slots"].as_u64(),
        ) else {
            continue;
        };
        let Some(header) = described
            .iter()
            .find(|d| d.model.id == id && u64::from(d.model.version) == version)
        else {
            continue;
        };
        let slots = usize::try_from(slots).unwrap_or(usize::MAX);
        if slots >= header.required() {
            interface["revision"] = json!(header.reached(slots));
        }
    }
}

/// The plugin's `tenon inspect --json` object and its flags, or the
/// `{"kind","message"}` of why it could not be read (a load error, or
/// `crashed`, `timed_out`, `internal_error`). Prints the child's output on
/// stderr, labelled.
fn load_in_child(path: &Path, timeout: Duration) -> Result<(Value, u64), Value> {
    let job = Job {
        args: vec!["__inspect".into(), path.as_os_str().to_owned()],
        timeout,
    };
    let finished = supervisor::run(&job)
        .map_err(|message| json!({"kind": "internal_error", "message": message}))?;
    for line in finished.output_lines() {
        err_line!("{line}");
    }
    if let Some(failure) = finished.failure() {
        return Err(failure.to_json());
    }
    let verdict = finished.verdict.unwrap_or(Value::Null);
    if let Some(error) = verdict.get("error") {
        return Err(error.clone());
    }
    match (verdict.get("plugin"), verdict["flags"].as_u64()) {
        (Some(plugin), Some(flags)) => Ok((plugin.clone(), flags)),
        _ => Err(json!({
            "kind": "internal_error",
            "message": format!("the inspecting child sent a malformed verdict: {verdict}"),
        })),
    }
}

/// `tenon __inspect PATH`: loads the plugin here and delivers its metadata
/// (or the load error) to the supervising `tenon inspect`.
pub fn run_in_child(path: &Path) -> ExitCode {
    if let Err(problem) = supervisor::child::connect() {
        err_line!("tenon __inspect is run by `tenon inspect` only: {problem}");
        return ExitCode::from(2);
    }
    supervisor::child::enter(supervisor::LOADING);
    let verdict = match Plugin::load(path) {
        Ok(plugin) => {
            let verdict = json!({
                "plugin": json::plugin(plugin.info()),
                "flags": plugin.info().flags,
            });
            supervisor::child::enter(supervisor::UNLOADING);
            drop(plugin);
            verdict
        }
        Err(error) => json!({ "error": json::error(&error) }),
    };
    supervisor::child::deliver(verdict);
    ExitCode::SUCCESS
}

/// The text `tenon inspect` prints for a plugin, from its `--json` object.
pub fn describe(plugin: &Value, flags: u64) -> String {
    let text_of = |key: &str| plugin[key].as_str().unwrap_or_default().to_owned();
    let mut text = format!("{} {}\n", text_of("name"), text_of("version"));
    if let Some(description) = plugin["description"].as_str() {
        text += &format!("  {description}\n");
    }
    text += &format!("  path:        {}\n", text_of("path"));
    text += &format!(
        "  ABI:         {}.{}\n",
        plugin["abi"]["major"], plugin["abi"]["minor"]
    );
    text += &format!(
        "  thread-safe: {}\n",
        if plugin["thread_safe"] == true {
            "yes"
        } else {
            "no"
        }
    );
    text += &format!("  flags:       {}\n", flag_names(flags));
    let interfaces = plugin["interfaces"].as_array().cloned().unwrap_or_default();
    text += &format!("  interfaces:  {}\n", interfaces.len());
    let width = interfaces
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().len())
        .max()
        .unwrap_or(0);
    for interface in &interfaces {
        let slots = interface["slots"].as_u64().unwrap_or_default();
        let revision = match interface["revision"].as_u64() {
            Some(revision) => format!("  revision {revision}"),
            None => String::new(),
        };
        text += &format!(
            "    {:width$}  version {}  vtable {} bytes ({slots} method slot{}){revision}\n",
            interface["id"].as_str().unwrap_or_default(),
            interface["version"],
            interface["vtable_size"],
            if slots == 1 { "" } else { "s" },
        );
    }
    text
}

/// `0x1 (TENON_PLUGIN_THREAD_SAFE)`, naming the known bits.
fn flag_names(flags: u64) -> String {
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
