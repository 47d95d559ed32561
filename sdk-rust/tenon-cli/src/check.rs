//! `tenon check`: a validator for plugin authors.
//!
//! The parent process never loads the plugin. Each check is a *step* that
//! runs in a child process (this same executable, `tenon __check-step STEP
//! PATH`), which prints its result as one JSON line; a child that crashes,
//! aborts, exits without a result or outlives the timeout fails its check
//! with that said, and the validator goes on with the next one.
//!
//! Steps, in order:
//!
//! - `load`: load-time verification, as `Plugin::load` does it; its result
//!   carries the plugin's metadata, from which the parent plans the rest.
//! - `interfaces`: every declared interface known to this command resolves
//!   at its version with a large enough vtable and no NULL slot.
//! - `lifecycle`: create and destroy, repeatedly and many at once.
//! - `probe:<id>`: every method of a known interface, with edge cases and
//!   documented error statuses.
//! - `threads`: concurrent calls on one shared instance for a plugin that
//!   declares thread safety; otherwise one instance handed from thread to
//!   thread. Either way, instances created and destroyed on several
//!   threads at once.
//! - `reload`: load, use and unload the library repeatedly.

use crate::json;
use crate::known::{self, Known};
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use tenon::{Plugin, PluginInfo};

/// How `tenon check` runs.
pub struct Options {
    /// Print the JSON report.
    pub json: bool,
    /// Print the details of passing checks too.
    pub verbose: bool,
    /// How long one step may take.
    pub timeout: Duration,
    /// Run the steps in this process instead of children.
    pub in_process: bool,
}

const LIFECYCLE_CYCLES: usize = 100;
const LIFECYCLE_ALIVE: usize = 16;
const THREADS: usize = 8;
const THREAD_ROUNDS: usize = 200;
const RELOAD_CYCLES: usize = 10;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }

    fn from_name(name: &str) -> Option<Status> {
        match name {
            "pass" => Some(Status::Pass),
            "fail" => Some(Status::Fail),
            "skip" => Some(Status::Skip),
            _ => None,
        }
    }
}

/// The result of one step.
#[derive(Clone, Debug)]
pub struct Outcome {
    status: Status,
    /// One line for the report.
    summary: String,
    /// More lines: what was checked, or what went wrong.
    details: Vec<String>,
    /// For a Tenon error: `{"kind","message"}`.
    error: Option<Value>,
    /// Step-specific data for the parent (the plugin's metadata from
    /// `load`, the failed interface ids from `interfaces`).
    data: Value,
}

impl Outcome {
    fn new(status: Status, summary: impl Into<String>) -> Self {
        Outcome {
            status,
            summary: summary.into(),
            details: Vec::new(),
            error: None,
            data: Value::Null,
        }
    }

    fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }

    fn fail(summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, summary)
    }

    fn skip(summary: impl Into<String>) -> Self {
        Self::new(Status::Skip, summary)
    }

    fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// A failure from a Tenon error, with its kind.
    fn from_error(summary: &str, error: &tenon::Error) -> Self {
        let mut outcome = Self::fail(format!("{summary}: {error}"));
        outcome.error = Some(json::error(error));
        outcome
    }

    fn to_json(&self) -> Value {
        let mut value = json!({
            "status": self.status.name(),
            "summary": self.summary,
            "details": self.details,
        });
        if let Some(error) = &self.error {
            value["error"] = error.clone();
        }
        if !self.data.is_null() {
            value["data"] = self.data.clone();
        }
        value
    }

    fn from_json(value: &Value) -> Option<Self> {
        Some(Outcome {
            status: Status::from_name(value["status"].as_str()?)?,
            summary: value["summary"].as_str()?.to_owned(),
            details: value["details"]
                .as_array()?
                .iter()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            error: value.get("error").cloned(),
            data: value.get("data").cloned().unwrap_or(Value::Null),
        })
    }
}

/// One check in the report.
struct Check {
    name: String,
    outcome: Outcome,
}

/// `tenon check PATH`.
pub fn run(path: &Path, options: &Options) -> ExitCode {
    let checks = run_checks(path, options);
    let failed = checks
        .iter()
        .filter(|c| c.outcome.status == Status::Fail)
        .count();
    if options.json {
        json::print(&report_json(path, &checks));
    } else {
        print!("{}", report_text(path, &checks, options.verbose));
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::FAILURE)
    }
}

/// Runs every step that applies, in order.
fn run_checks(path: &Path, options: &Options) -> Vec<Check> {
    let mut checks = Vec::new();
    let load = run_step("load", path, options);
    let info = if load.status == Status::Pass {
        Some(load.data.clone())
    } else {
        None
    };
    checks.push(Check {
        name: "load".to_owned(),
        outcome: load,
    });
    let Some(info) = info else {
        for name in ["interfaces", "lifecycle", "threads", "reload"] {
            checks.push(Check {
                name: name.to_owned(),
                outcome: Outcome::skip("the plugin did not load"),
            });
        }
        return checks;
    };

    let interfaces = run_step("interfaces", path, options);
    let unusable: Vec<String> = match interfaces.status {
        Status::Fail => interfaces.data["failed"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().map(str::to_owned))
                    .collect()
            })
            // A crashed step said nothing: trust no interface.
            .unwrap_or_else(|| known::KNOWN.iter().map(|k| k.id.to_owned()).collect()),
        _ => Vec::new(),
    };
    checks.push(Check {
        name: "interfaces".to_owned(),
        outcome: interfaces,
    });
    checks.push(Check {
        name: "lifecycle".to_owned(),
        outcome: run_step("lifecycle", path, options),
    });
    for known in probed(&info) {
        let name = format!("probe:{}", known.id);
        let outcome = if unusable.iter().any(|id| id == known.id) {
            Outcome::skip("the interface failed the interfaces check")
        } else {
            run_step(&name, path, options)
        };
        checks.push(Check { name, outcome });
    }
    checks.push(Check {
        name: "threads".to_owned(),
        outcome: run_step("threads", path, options),
    });
    checks.push(Check {
        name: "reload".to_owned(),
        outcome: run_step("reload", path, options),
    });
    checks
}

/// The known interfaces the plugin (as `load` described it) offers at the
/// known version.
fn probed(info: &Value) -> Vec<&'static Known> {
    info["interfaces"]
        .as_array()
        .map(|interfaces| {
            interfaces
                .iter()
                .filter_map(|i| {
                    let known = known::by_id(i["id"].as_str()?)?;
                    (i["version"].as_u64()? == u64::from(known.version)).then_some(known)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one step, in a child process unless `options.in_process`.
fn run_step(step: &str, path: &Path, options: &Options) -> Outcome {
    if options.in_process {
        return step_outcome(step, path);
    }
    run_child(step, path, options.timeout)
}

/// Runs `tenon __check-step STEP PATH` and reads its result; a crash, a
/// hang or a missing result is a failed check that says so.
fn run_child(step: &str, path: &Path, timeout: Duration) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            return Outcome::fail(format!(
                "cannot find this executable to run the check in a child process ({e}); \
                 use --in-process"
            ))
        }
    };
    let spawned = Command::new(exe)
        .arg("__check-step")
        .arg(step)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return Outcome::fail(format!("cannot start the check's child process: {e}")),
    };
    // Read both pipes on threads so that a chatty plugin cannot block on a
    // full pipe while we wait for it.
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                let _ = child.kill();
                return Outcome::fail(format!("cannot wait for the check: {e}"));
            }
        }
    };
    let stdout = stdout.map(joined).unwrap_or_default();
    let stderr = stderr.map(joined).unwrap_or_default();
    let result = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .and_then(|value| Outcome::from_json(&value));
    let Some(status) = status else {
        return Outcome::fail(format!(
            "timed out after {} s{}: the plugin hangs (or is very slow); \
             raise --timeout if it is only slow",
            timeout.as_secs(),
            last_call(&stderr)
        ))
        .details(tail("stderr", &tail_without_trace(&stderr)));
    };
    match result {
        Some(outcome) if status.success() => outcome,
        _ => Outcome::fail(format!(
            "the plugin crashed the check: {}{}",
            describe_exit(&status),
            last_call(&stderr)
        ))
        .details(tail("stderr", &tail_without_trace(&stderr))),
    }
}

/// `" in greet(<a 64 KiB name>)"`: the last call the child announced.
fn last_call(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(known::TRACE_PREFIX))
        .map(|call| format!(" in {call}"))
        .unwrap_or_default()
}

/// The last lines of a child's output, as details, less the trace lines.
fn tail_without_trace(text: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with(known::TRACE_PREFIX))
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_in_background<R: Read + Send + 'static>(mut reader: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn joined(handle: std::thread::JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// The last lines of a child's output, as details.
fn tail(what: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let start = lines.len().saturating_sub(10);
    std::iter::once(format!("last lines of the check's {what}:"))
        .chain(lines[start..].iter().map(|l| format!("  {l}")))
        .collect()
}

/// "killed by signal 11 (SIGSEGV, a segmentation fault)" or "exited with
/// status 3 without a result".
fn describe_exit(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL, an illegal instruction)",
                6 => " (SIGABRT: abort() or a Rust panic with panic = \"abort\")",
                7 => " (SIGBUS, a bus error)",
                8 => " (SIGFPE, an arithmetic error)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV, a segmentation fault)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        #[cfg(windows)]
        Some(code) if code as u32 == 0xC000_0005 => {
            "ended by an access violation (0xC0000005)".to_owned()
        }
        Some(code) => format!("the check's process exited with status {code} without a result"),
        None => "the check's process ended without a result".to_owned(),
    }
}

/// `tenon __check-step STEP PATH`: runs one step here and prints its
/// result as one JSON line.
pub fn run_step_in_child(step: &str, path: &Path) -> ExitCode {
    known::TRACE.store(true, std::sync::atomic::Ordering::Relaxed);
    let outcome = step_outcome(step, path);
    json::print(&outcome.to_json());
    ExitCode::SUCCESS
}

/// Runs one step in this process.
fn step_outcome(step: &str, path: &Path) -> Outcome {
    match step {
        "load" => step_load(path),
        "interfaces" => with_plugin(path, step_interfaces),
        "lifecycle" => with_plugin(path, step_lifecycle),
        "threads" => with_plugin(path, step_threads),
        "reload" => step_reload(path),
        _ => match step.strip_prefix("probe:").and_then(known::by_id) {
            Some(known) => with_plugin(path, |plugin| step_probe(plugin, known)),
            None => Outcome::fail(format!("unknown check {step:?}")),
        },
    }
}

fn with_plugin(path: &Path, step: impl FnOnce(&Plugin) -> Outcome) -> Outcome {
    match Plugin::load(path) {
        Ok(plugin) => step(&plugin),
        Err(error) => Outcome::from_error("the plugin did not load", &error),
    }
}

fn step_load(path: &Path) -> Outcome {
    known::calling("the library's initializers and tenon_plugin_v1 (loading)");
    match Plugin::load(path) {
        Ok(plugin) => {
            let info = plugin.info();
            let mut outcome = Outcome::pass(format!(
                "{} {}, ABI {}, {}, {} interface{}",
                info.name,
                info.version,
                info.abi,
                if info.thread_safe() {
                    "thread-safe"
                } else {
                    "not thread-safe"
                },
                info.interfaces.len(),
                if info.interfaces.len() == 1 { "" } else { "s" }
            ))
            .details(load_details(info));
            outcome.data = json::plugin(info);
            outcome
        }
        Err(error) => {
            let mut outcome = Outcome::from_error("refused at load", &error);
            outcome.details = vec![hint(&error)];
            outcome
        }
    }
}

fn load_details(info: &PluginInfo) -> Vec<String> {
    let mut details = vec![
        "file header, entry symbol, ABI major, descriptor size, metadata, version and \
         interface table verified"
            .to_owned(),
    ];
    if info.abi.minor > tenon::AbiVersion::HOST.minor {
        details.push(format!(
            "built against ABI {}, newer than this host's {}: fields past {} are ignored",
            info.abi,
            tenon::AbiVersion::HOST,
            tenon::AbiVersion::HOST
        ));
    }
    if info.description.is_none() {
        details.push("no description (allowed; hosts show nothing)".to_owned());
    }
    details
}

/// What to do about a load error, in one line.
fn hint(error: &tenon::Error) -> String {
    let hint = match error.kind() {
        "file_not_found" => "check the path",
        "not_a_library" => {
            "build the plugin as a shared library (-shared, crate-type = [\"cdylib\"])"
        }
        "wrong_architecture" => "build the plugin for this machine's platform and architecture",
        "missing_entry" => {
            "export tenon_plugin_v1 (TENON_PLUGIN in C/C++, tenon_plugin::export! in Rust), \
             with TENON_EXPORT visibility"
        }
        "null_descriptor" => "tenon_plugin_v1 must return the address of a static descriptor",
        "abi_mismatch" => "rebuild the plugin against this host's tenon/plugin.h",
        "descriptor_too_small" => "set struct_size = sizeof(tenon_plugin_descriptor)",
        "invalid_metadata" => "name must be non-empty UTF-8; create and destroy must be set",
        "invalid_version" => "use a semantic version such as \"1.0.0\"",
        "invalid_interface_table" => {
            "list each interface once, with an id and a vtable, end the table with NULL and set \
             interface_count to the number of entries (TENON_PLUGIN does all of this)"
        }
        _ => "see docs/ABI.md, \"What a host verifies at load\"",
    };
    format!("hint: {hint}")
}

fn step_interfaces(plugin: &Plugin) -> Outcome {
    let info = plugin.info();
    if info.interfaces.is_empty() {
        return Outcome::skip("the plugin offers no interfaces");
    }
    let mut details = Vec::new();
    let mut failed = Vec::new();
    let mut verified = 0;
    for interface in &info.interfaces {
        let label = format!("{} v{}", interface.id, interface.version);
        match known::by_id(&interface.id) {
            Some(known) if known.version == interface.version => match (known.require)(plugin) {
                Ok(()) => {
                    verified += 1;
                    details.push(format!(
                        "{label}: vtable of {} bytes, {} present",
                        interface.vtable_size,
                        known
                            .methods
                            .iter()
                            .map(|m| m.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Err(error) => {
                    failed.push(interface.id.clone());
                    details.push(format!("{label}: [{}] {error}", error.kind()));
                }
            },
            Some(known) => details.push(format!(
                "{label}: this command knows version {} only; its table entry was verified \
                 (id, version, vtable of {} bytes)",
                known.version, interface.vtable_size
            )),
            None => details.push(format!(
                "{label}: not known to this command; its table entry was verified (id, version, \
                 vtable of {} bytes) but its methods cannot be",
                interface.vtable_size
            )),
        }
    }
    let mut outcome = if !failed.is_empty() {
        Outcome::fail(format!(
            "{} of {} interfaces unusable: {}",
            failed.len(),
            info.interfaces.len(),
            failed.join(", ")
        ))
    } else if verified == 0 {
        Outcome::skip(
            "no interface this command can call (other ids or versions); their table entries \
             were verified at load",
        )
    } else {
        Outcome::pass(format!(
            "{verified} of {} interfaces resolved with every method present",
            info.interfaces.len()
        ))
    };
    outcome.details = details;
    outcome.data = json!({ "failed": failed });
    outcome
}

fn step_lifecycle(plugin: &Plugin) -> Outcome {
    known::calling(&format!("create and destroy, {LIFECYCLE_CYCLES} times"));
    for cycle in 0..LIFECYCLE_CYCLES {
        match plugin.instantiate("") {
            Ok(instance) => drop(instance),
            Err(error) => {
                return Outcome::from_error(&format!("create #{} failed", cycle + 1), &error)
            }
        }
    }
    known::calling(&format!(
        "create {LIFECYCLE_ALIVE} instances, then destroy them"
    ));
    let mut alive = Vec::new();
    for index in 0..LIFECYCLE_ALIVE {
        match plugin.instantiate("") {
            Ok(instance) => alive.push(instance),
            Err(error) => {
                return Outcome::from_error(
                    &format!("create failed with {index} instances alive"),
                    &error,
                )
            }
        }
    }
    // Destroy out of creation order: every other one first.
    let mut odd = Vec::new();
    for (index, instance) in alive.into_iter().enumerate() {
        if index % 2 == 0 {
            drop(instance);
        } else {
            odd.push(instance);
        }
    }
    drop(odd);
    let mut details = vec![
        format!("{LIFECYCLE_CYCLES} create/destroy cycles with config \"\""),
        format!("{LIFECYCLE_ALIVE} instances alive at once, destroyed out of creation order"),
    ];
    if plugin.info().thread_safe() {
        match plugin.instantiate_shared("") {
            Ok(shared) => drop(shared),
            Err(error) => return Outcome::from_error("a shared instance failed", &error),
        }
        details.push("a shared (thread-safe) instance created and destroyed".to_owned());
    }
    Outcome::pass(format!(
        "{LIFECYCLE_CYCLES} create/destroy cycles, {LIFECYCLE_ALIVE} instances alive at once"
    ))
    .details(details)
}

fn step_probe(plugin: &Plugin, known: &Known) -> Outcome {
    let instance = match plugin.instantiate("") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    match (known.probe)(&instance) {
        Ok(details) => Outcome::pass(format!(
            "{}: every method called, edge cases included",
            known.short
        ))
        .details(details),
        Err(problem) => Outcome::fail(format!("{}: {problem}", known.short)),
    }
}

/// Known interfaces the loaded plugin offers at the known version and
/// that resolve.
fn usable(plugin: &Plugin) -> Vec<&'static Known> {
    known::KNOWN
        .iter()
        .filter(|known| {
            plugin
                .info()
                .interfaces
                .iter()
                .any(|i| i.id == known.id && i.version == known.version)
                && (known.require)(plugin).is_ok()
        })
        .collect()
}

fn step_threads(plugin: &Plugin) -> Outcome {
    let mut details = Vec::new();
    // Every plugin: instances created and destroyed on several threads at
    // once ([lifecycle] calls never overlap on one instance, but different
    // instances may be created concurrently).
    known::calling("create and destroy on 4 threads at once");
    let created = on_threads(4, |_| {
        for _ in 0..25 {
            plugin
                .instantiate("")
                .map_err(|e| format!("[{}] {e}", e.kind()))?;
        }
        Ok(())
    });
    if let Err(problem) = created {
        return Outcome::fail(format!(
            "creating instances on 4 threads at once failed: {problem}"
        ));
    }
    details.push("100 instances created and destroyed on 4 threads at once".to_owned());

    let usable = usable(plugin);
    if plugin.info().thread_safe() {
        let shared = match plugin.instantiate_shared("") {
            Ok(shared) => shared,
            Err(error) => return Outcome::from_error("a shared instance failed", &error),
        };
        let shared = &shared;
        known::calling(&format!(
            "{} from {THREADS} threads at once on one shared instance",
            names(&usable)
        ));
        let results = on_threads(THREADS, |thread| {
            for known in usable.iter() {
                (known.concurrent)(shared, thread, THREAD_ROUNDS)
                    .map_err(|e| format!("{}: {e}", known.short))?;
            }
            Ok(())
        });
        if let Err(problem) = results {
            return Outcome::fail(format!(
                "concurrent calls on one shared instance failed: {problem}"
            ))
            .details(details);
        }
        if usable.is_empty() {
            details.push(
                "declares thread safety, but offers no interface known to this command to call \
                 concurrently"
                    .to_owned(),
            );
        } else {
            details.push(format!(
                "{THREADS} threads x {THREAD_ROUNDS} rounds of {} calls on one shared instance",
                names(&usable)
            ));
        }
        Outcome::pass(if usable.is_empty() {
            "instances created on several threads at once".to_owned()
        } else {
            format!("{THREADS} threads calling one shared instance at once")
        })
        .details(details)
    } else {
        // Not thread-safe: one instance, called from one thread after
        // another, as plugin.h allows for every plugin.
        let instance = match plugin.instantiate("") {
            Ok(instance) => instance,
            Err(error) => return Outcome::from_error("create failed", &error),
        };
        known::calling(&format!("{} from one thread after another", names(&usable)));
        let mut instance = Some(instance);
        for hop in 0..3 {
            let moved = instance.take().expect("the instance comes back each hop");
            let usable = &usable;
            let result = std::thread::scope(|scope| {
                scope
                    .spawn(move || {
                        for known in usable.iter() {
                            if let Err(problem) = (known.quick)(&moved) {
                                return (moved, Err(format!("{}: {problem}", known.short)));
                            }
                        }
                        (moved, Ok(()))
                    })
                    .join()
            });
            match result {
                Ok((back, Ok(()))) => instance = Some(back),
                Ok((_, Err(problem))) => {
                    return Outcome::fail(format!(
                        "a call from thread #{} after calls from another thread failed: {problem}",
                        hop + 1
                    ))
                    .details(details)
                }
                Err(_) => return Outcome::fail("a thread panicked").details(details),
            }
        }
        // Destroyed on yet another thread.
        let last = instance.take();
        let _ = std::thread::spawn(move || drop(last)).join();
        details.push(format!(
            "not thread-safe: one instance called from 3 threads one after another{}, then \
             destroyed on a fourth",
            if usable.is_empty() {
                String::new()
            } else {
                format!(" ({})", names(&usable))
            }
        ));
        Outcome::pass("an instance handed from thread to thread").details(details)
    }
}

fn names(known: &[&Known]) -> String {
    known.iter().map(|k| k.short).collect::<Vec<_>>().join(", ")
}

fn step_reload(path: &Path) -> Outcome {
    let mut first: Option<(String, String)> = None;
    for cycle in 0..RELOAD_CYCLES {
        known::calling(&format!(
            "load #{}, create, call, destroy, unload",
            cycle + 1
        ));
        let plugin = match Plugin::load(path) {
            Ok(plugin) => plugin,
            Err(error) => {
                return Outcome::from_error(&format!("load #{} failed", cycle + 1), &error)
            }
        };
        let identity = (
            plugin.info().name.clone(),
            plugin.info().version.to_string(),
        );
        match &first {
            None => first = Some(identity),
            Some(first) if *first != identity => {
                return Outcome::fail(format!(
                    "load #{} describes the plugin as {} {}, the first load as {} {}",
                    cycle + 1,
                    identity.0,
                    identity.1,
                    first.0,
                    first.1
                ))
            }
            Some(_) => {}
        }
        let usable = usable(&plugin);
        let instance = match plugin.instantiate("") {
            Ok(instance) => instance,
            Err(error) => {
                return Outcome::from_error(&format!("create after load #{}", cycle + 1), &error)
            }
        };
        for known in &usable {
            if let Err(problem) = (known.quick)(&instance) {
                return Outcome::fail(format!(
                    "after load #{}: {}: {problem}",
                    cycle + 1,
                    known.short
                ));
            }
        }
        drop(instance);
        drop(plugin);
    }
    Outcome::pass(format!(
        "{RELOAD_CYCLES} load, use and unload cycles in one process"
    ))
}

fn report_json(path: &Path, checks: &[Check]) -> Value {
    let count = |status| checks.iter().filter(|c| c.outcome.status == status).count();
    let plugin = checks
        .iter()
        .find(|c| c.name == "load" && c.outcome.status == Status::Pass)
        .map(|c| c.outcome.data.clone())
        .unwrap_or(Value::Null);
    json!({
        "path": path.display().to_string(),
        "passed": count(Status::Fail) == 0,
        "plugin": plugin,
        "summary": {
            "passed": count(Status::Pass),
            "failed": count(Status::Fail),
            "skipped": count(Status::Skip),
        },
        "checks": checks.iter().map(|c| {
            let mut check = serde_json::Map::new();
            check.insert("name".to_owned(), json!(c.name));
            if let Value::Object(fields) = c.outcome.to_json() {
                check.extend(fields.into_iter().filter(|(key, _)| key != "data"));
            }
            Value::Object(check)
        }).collect::<Vec<_>>(),
    })
}

fn report_text(path: &Path, checks: &[Check], verbose: bool) -> String {
    let mut text = format!("Checking {}\n", path.display());
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for check in checks {
        let label = match check.outcome.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        };
        let kind = check
            .outcome
            .error
            .as_ref()
            .and_then(|e| e["kind"].as_str())
            .map(|kind| format!("[{kind}] "))
            .unwrap_or_default();
        text += &format!(
            "  {label}  {:width$}  {kind}{}\n",
            check.name, check.outcome.summary
        );
        if verbose || check.outcome.status == Status::Fail {
            for detail in &check.outcome.details {
                text += &format!("  {:4}  {:width$}    {detail}\n", "", "");
            }
        }
    }
    let failed = checks
        .iter()
        .filter(|c| c.outcome.status == Status::Fail)
        .count();
    let skipped = checks
        .iter()
        .filter(|c| c.outcome.status == Status::Skip)
        .count();
    let skipped = if skipped == 0 {
        String::new()
    } else {
        format!(", {skipped} skipped")
    };
    if failed == 0 {
        text += &format!(
            "OK: every check passed ({} run{skipped})\n",
            checks.len()
                - checks
                    .iter()
                    .filter(|c| c.outcome.status == Status::Skip)
                    .count()
        );
    } else {
        text += &format!(
            "FAILED: {failed} of {} checks failed{skipped}\n",
            checks.len()
        );
    }
    text
}

/// Runs `work(thread_index)` on `threads` threads at once and returns the
/// first failure, a panicking thread counting as one.
fn on_threads(
    threads: usize,
    work: impl Fn(usize) -> Result<(), String> + Sync,
) -> Result<(), String> {
    std::thread::scope(|scope| {
        let work = &work;
        let workers: Vec<_> = (0..threads)
            .map(|thread| scope.spawn(move || work(thread)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err("a thread panicked".to_owned()))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .find_map(Result::err)
            .map_or(Ok(()), Err)
    })
}
