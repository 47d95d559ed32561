//! The steps of `tenon check`: what each one does to the plugin.
//!
//! A step runs in a child process (see [`crate::supervisor`]) or, with
//! `--in-process`, in `tenon` itself. Before every call that runs plugin
//! code it announces the call ([`calling`]), so that a crash or a hang is
//! blamed on that call — `destroy` and unloading included.

use super::described::Described;
use super::dyncall;
use super::outcome::{Outcome, Problem};
use super::vtable;
use super::{capture, offer, Cases};
use crate::json;
use crate::known::{self, Known};
use crate::supervisor::child::enter as calling;
use crate::supervisor::{LOADING, UNLOADING};
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use tenon::isolation::Isolation;
use tenon::{HostServices, Instance, Interface, Plugin, PluginInfo, State, UnloadOutcome};

const LIFECYCLE_CYCLES: usize = 100;
const LIFECYCLE_ALIVE: usize = 16;
const THREADS: usize = 8;
const THREAD_ROUNDS: usize = 200;
/// Rounds of every method a header declares on each thread: fewer than of
/// the known interfaces' calls, since each goes through libffi with
/// arguments made for it.
const HEADER_ROUNDS: usize = 50;
const RELOAD_CYCLES: usize = 10;

/// How a step loads the plugin.
pub enum Mode {
    /// In this process, as `Plugin::load` does.
    InProcess,
    /// Isolated, in a child process of this one, every call (and the load)
    /// given `deadline`.
    Isolated {
        /// Each call's deadline, and the load's.
        deadline: Duration,
    },
}

/// What a run knows beyond the plugin: the interfaces headers describe,
/// the cases an application registered, and what its host gives each
/// instance.
pub struct Context<'a> {
    /// From `--interface`.
    pub described: &'a [Described],
    /// From [`Cases::case`].
    pub cases: &'a Cases,
    /// The config every `create` gets (`--config`, `--config-file`).
    pub config: &'a str,
    /// Whether the user gave that config (else it is tenon check's "").
    pub config_given: bool,
    /// The host services offered (`--offer`).
    pub services: &'a HostServices,
}

/// Runs one step in this process, loading the plugin as `mode` says; what
/// the plugin logged and the host services it looked up meanwhile are
/// added to the outcome ([`capture`]).
pub fn run(step: &str, path: &Path, mode: &Mode, context: &Context) -> Outcome {
    // Whatever arrived since the last step (late lines of an isolated
    // plugin's process) is not this step's.
    drop(capture::take());
    // An isolated plugin's lines and lookups come through its process's
    // standard error, read on another thread; the step has dropped the
    // plugin, and dropping it waits until all of them were delivered.
    let mut outcome = run_step(step, path, mode, context);
    explain(&mut outcome, capture::take(), context);
    outcome
}

fn run_step(step: &str, path: &Path, mode: &Mode, context: &Context) -> Outcome {
    let loader = Loader {
        path,
        mode,
        services: context.services,
    };
    let config = context.config;
    match step {
        "load" => step_load(&loader),
        "interfaces" => with_plugin(&loader, |plugin| step_interfaces(plugin, context, mode)),
        "lifecycle" => with_plugin(&loader, |plugin| step_lifecycle(plugin, config)),
        "threads" => with_plugin(&loader, |plugin| {
            step_threads(plugin, config, context.described)
        }),
        "reload" => step_reload(&loader, config),
        _ => {
            if let Some(known) = step.strip_prefix("probe:").and_then(known::by_id) {
                return with_plugin(&loader, |plugin| step_probe(plugin, known, config));
            }
            if let Some(named) = step.strip_prefix("methods:") {
                // `methods:ID` for an id the plugin offers at one version,
                // `methods:ID@vN` for one it offers at several (see
                // `check::methods_step`).
                let (id, version) = match named.rsplit_once("@v") {
                    Some((id, version)) => (id, version.parse::<u32>().ok()),
                    None => (named, None),
                };
                if context.described.iter().any(|d| d.model.id == id) {
                    return with_plugin(&loader, |plugin| {
                        // Headers of several versions of the id may be
                        // given; the step is for the version named, or
                        // the one the plugin offers.
                        let offered = plugin
                            .info()
                            .interfaces
                            .iter()
                            .find(|i| i.id == id && version.is_none_or(|v| v == i.version))
                            .map(|i| i.version);
                        match context
                            .described
                            .iter()
                            .find(|d| d.model.id == id && Some(d.model.version) == offered)
                        {
                            Some(described) => super::methods::step(plugin, described, config),
                            None => Outcome::skip(format!(
                                "the plugin does not offer {id} at a version an --interface \
                                 header describes"
                            )),
                        }
                    });
                }
            }
            if let Some(case) = step
                .strip_prefix("case:")
                .and_then(|name| context.cases.find(name))
            {
                return with_plugin(&loader, |plugin| step_case(plugin, case, config));
            }
            Outcome::fail(format!("unknown check {step:?}"))
        }
    }
}

/// Adds to `outcome` what the plugin said while it ran: its log lines (and
/// an isolated plugin's printed lines) and the host services it looked up
/// as details; when `create` failed, why it may have, as far as the check
/// can tell: a host service it asked for and was not offered, or the empty
/// config.
fn explain(outcome: &mut Outcome, captured: capture::Captured, context: &Context) {
    let create_failed = outcome
        .error
        .as_ref()
        .is_some_and(|e| e["kind"] == "create_failed");
    if create_failed {
        for lookup in captured.lookups.iter().filter(|l| !l.offered) {
            let remedy = match offer::by_interface(&lookup.id, lookup.version) {
                Some(offerable) => format!(
                    "pass --offer {} to offer tenon check's own implementation",
                    offerable.short
                ),
                None => format!(
                    "tenon check can offer only {}",
                    offer::OFFERABLE
                        .iter()
                        .map(|o| format!("{} v{}", o.id, o.version))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            outcome.summary += &format!(
                "; the plugin asked the host for interface `{}` v{}, which tenon check did not \
                 offer; {remedy}",
                lookup.id, lookup.version
            );
        }
        if !context.config_given {
            outcome.details.push(
                "hint: every create was given the config \"\" (tenon check's default); pass \
                 --config TEXT or --config-file PATH if the plugin needs one"
                    .to_owned(),
            );
        }
    }
    if !captured.lookups.is_empty() {
        outcome.details.push(format!(
            "host services looked up: {}",
            captured
                .lookups
                .iter()
                .map(|l| format!(
                    "{} v{} ({})",
                    l.id,
                    l.version,
                    if l.offered { "offered" } else { "not offered" }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    outcome.details.extend(captured.lines);
    if captured.dropped > 0 {
        outcome.details.push(format!(
            "plugin log | ({} more lines not shown)",
            captured.dropped
        ));
    }
}

fn step_case(plugin: &Plugin, case: &super::cases::Case, config: &str) -> Outcome {
    let instance = match create(plugin, config, "") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    calling(&format!("the case {}", case.name));
    let outcome = match (case.run)(&instance) {
        Ok(()) => Outcome::pass(format!(
            "{} v{}: the application's case passed",
            case.id, case.version
        )),
        Err(problem) => Outcome::from_problem(&format!("case {}", case.name), problem),
    };
    destroy(instance, "");
    outcome
}

/// Loads the plugin at `path` as `mode` says, offering `services`.
struct Loader<'a> {
    path: &'a Path,
    mode: &'a Mode,
    services: &'a HostServices,
}

fn with_plugin(loader: &Loader, step: impl FnOnce(&Plugin) -> Outcome) -> Outcome {
    match load(loader) {
        Ok(plugin) => {
            let outcome = step(&plugin);
            unload(plugin);
            outcome
        }
        Err(error) => Outcome::from_error("the plugin did not load", &error),
    }
}

fn load(loader: &Loader) -> Result<Plugin, tenon::Error> {
    calling(LOADING);
    let with_services = Plugin::loader().services(loader.services.clone());
    match loader.mode {
        Mode::InProcess => with_services.load(loader.path),
        Mode::Isolated { deadline } => with_services
            .isolated(
                Isolation::new()
                    .call_timeout(*deadline)
                    .start_timeout(*deadline),
            )
            .load(loader.path),
    }
}

/// Unloads `plugin` (its last owner) and says whether it left the process.
fn unload(plugin: Plugin) -> UnloadOutcome {
    calling(UNLOADING);
    plugin.unload()
}

/// What the report says about an unload: a warning with the reasons and
/// the build advice when the library stays in the process, a detail line
/// otherwise.
fn unload_verdict(outcome: &UnloadOutcome, outcome_of_step: &mut Outcome) {
    match outcome {
        UnloadOutcome::StillMapped(still) => {
            for reason in still.reasons() {
                let note = match still.main_thread_note() {
                    Some(note) if *reason == tenon::PinReason::ThreadLocalDestructors => {
                        format!("; {note}")
                    }
                    _ => String::new(),
                };
                outcome_of_step.warnings.push(format!(
                    "the library cannot be unloaded: {reason} [{}]; to fix: {}{note}",
                    reason.name(),
                    reason.advice()
                ));
            }
        }
        UnloadOutcome::Unloaded => outcome_of_step
            .details
            .push("every unload verified: the library left the process".to_owned()),
        UnloadOutcome::ProcessEnded => outcome_of_step.details.push(
            "every unload ended the plugin's process, and everything it had loaded with it"
                .to_owned(),
        ),
        other => outcome_of_step.details.push(format!("unload: {other}")),
    }
}

/// `create` with `config`, announced as `create` + `what`.
pub(super) fn create(plugin: &Plugin, config: &str, what: &str) -> Result<Instance, tenon::Error> {
    calling(&format!("create{what}"));
    plugin.instantiate(config)
}

/// `destroy`, announced as `destroy` + `what`.
pub(super) fn destroy(instance: Instance, what: &str) {
    calling(&format!("destroy{what}"));
    drop(instance);
}

fn step_load(loader: &Loader) -> Outcome {
    let path = loader.path;
    match load(loader) {
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
            outcome.warnings = extra_exports(path);
            outcome.data = json::plugin(info);
            unload(plugin);
            outcome
        }
        Err(error) => {
            let mut outcome = Outcome::from_error("refused at load", &error);
            outcome.details = vec![hint(&error, path)];
            outcome
        }
    }
}

/// A warning for each symbol the library exports besides its entry: hosts
/// ignore them, but they can clash with the host's symbols or another
/// plugin's (`plugin.h`, "The symbol a plugin exports").
fn extra_exports(path: &Path) -> Vec<String> {
    let entry: &[u8] = tenon::sys::TENON_ENTRY_SYMBOL_V1;
    let entry = entry.strip_suffix(b"\0").unwrap_or(entry);
    let file = match tenon::LibraryFile::read(path) {
        Ok(file) => file,
        Err(error) => return vec![format!("could not list the library's exports: {error}")],
    };
    file.exports()
        .iter()
        .filter(|symbol| symbol.name().as_bytes() != entry)
        .map(|symbol| {
            format!(
                "exports `{}` besides tenon_plugin_v1: build with hidden visibility \
                 (-fvisibility=hidden; for C++ also the SDK's linker version script) so that \
                 nothing else is exported",
                symbol.name()
            )
        })
        .collect()
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

/// What to do about a load error, in one line. `not_a_library` also covers
/// a path that is no file, one this user cannot read, and a file whose
/// headers are a library's but that the dynamic loader refused (most often
/// for a library it needs), where rebuilding it as a shared library would
/// not help: those are told apart by looking at `path`.
fn hint(error: &tenon::Error, path: &Path) -> String {
    let unreadable = || {
        std::fs::File::open(path).is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
    };
    let hint = match error.kind() {
        "file_not_found" => "check the path",
        "not_a_library" if path.is_dir() => {
            "give the path of the plugin's library file, not of a directory"
        }
        "not_a_library" if unreadable() => {
            "make the file readable by the user that loads it (its permissions deny reading)"
        }
        "not_a_library" if tenon::LibraryFile::read(path).is_ok() => {
            "the file's headers are a shared library's, but the dynamic loader refused it \
             (the message says why): most often a library it needs is missing or not on the \
             loader's search path (ldd lists them on Linux; on Windows, os error 126, \
             objdump -p or dumpbin /dependents lists them, and they are looked for in the \
             plugin's directory, beside the host program, in the system directories and on \
             PATH); or it is an executable"
        }
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
        "invalid_metadata" => {
            "name and version must be non-empty UTF-8 of at most 255 bytes, the description at \
             most 4096, none with control characters; create and destroy must be set"
        }
        "entry_not_a_function" => {
            "tenon_plugin_v1 must be a function returning the descriptor's address, not the \
             descriptor itself"
        }
        "misaligned" => {
            "define the descriptor, the interface table and the vtables as ordinary static \
             const objects of their types (not inside byte arrays or packed structs)"
        }
        "invalid_version" => "use a semantic version such as \"1.0.0\"",
        "invalid_interface_table" => {
            "list each interface once, with an id and a vtable, end the table with NULL and set \
             interface_count to the number of entries (TENON_PLUGIN does all of this)"
        }
        "crashed" => {
            "the dynamic loader, an initializer of the library (or of a library it needs) or \
             tenon_plugin_v1 crashed or ended the process while loading"
        }
        "timed_out" => {
            "an initializer of the library (or of a library it needs) or tenon_plugin_v1 hangs \
             while loading; raise --timeout if it is only slow"
        }
        _ => "see docs/ABI.md, \"What a host verifies at load\"",
    };
    format!("hint: {hint}")
}

fn step_interfaces(plugin: &Plugin, context: &Context, mode: &Mode) -> Outcome {
    // Where methods known only from a header can be called: the advice of
    // a line about an interface the command does not know.
    let (remedy, remedy_short) = if matches!(mode, Mode::Isolated { .. }) {
        (
            "methods known only from a header are not called with --isolated; run tenon check \
             without --isolated, with --interface HEADER, to call them",
            "not called with --isolated",
        )
    } else if !super::dyncall::SUPPORTED {
        (
            "methods known only from a header are called on Linux only (through libffi)",
            "not called on this platform",
        )
    } else {
        (
            "no header given; pass --interface HEADER to call them",
            "no header given (pass --interface)",
        )
    };
    let info = plugin.info();
    let mut warnings: Vec<String> = context
        .described
        .iter()
        .filter(|d| !info.interfaces.iter().any(|i| i.id == d.model.id))
        .map(|d| {
            format!(
                "--interface {} describes {}, which the plugin does not offer",
                d.header.display(),
                d.model.id
            )
        })
        .collect();
    if info.interfaces.is_empty() {
        let mut outcome = Outcome::skip("the plugin offers no interfaces");
        outcome.warnings = warnings;
        return outcome;
    }
    let mut details = Vec::new();
    let mut failed = Vec::new();
    let mut first_error = None;
    let mut not_exercised = 0;
    let mut earlier_revision = 0;
    // Notes, not failures: a header older than the plugin's vtable.
    let mut later_revision = Vec::new();
    for interface in &info.interfaces {
        let label = format!("{} v{}", interface.id, interface.version);
        calling(&format!("reading the vtable of {label}"));
        let mut fail = |error: serde_json::Value, detail: String| {
            failed.push((interface.id.clone(), interface.version));
            details.push(detail);
            first_error.get_or_insert(error);
        };
        let described = context
            .described
            .iter()
            .find(|d| d.model.id == interface.id && d.model.version == interface.version);
        match known::by_id(&interface.id) {
            Some(known) if known.version == interface.version => match (known.require)(plugin) {
                Ok(()) => details.push(format!(
                    "{label}: vtable of {} bytes, {} present",
                    interface.vtable_size,
                    known
                        .methods
                        .iter()
                        .map(|m| m.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                Err(error) => fail(
                    json::error(&error),
                    format!("{label}: [{}] {error}", error.kind()),
                ),
            },
            known => {
                match vtable::check(plugin, interface, described) {
                    Ok(checked) => {
                        earlier_revision += usize::from(checked.earlier_revision);
                        if let (Some(d), 1..) = (described, checked.later_slots) {
                            later_revision.push(format!(
                                "{label}: the plugin's vtable is of a later revision than {}, \
                                 with {} slot{} the header does not know",
                                d.header.display(),
                                checked.later_slots,
                                if checked.later_slots == 1 { "" } else { "s" }
                            ));
                        }
                        details.push(format!("{label}: {}", checked.detail));
                    }
                    Err(problem) => fail(
                        problem.error.clone().unwrap_or(serde_json::Value::Null),
                        format!("{label}: {}", problem.message),
                    ),
                }
                if let Some(known) = known {
                    warnings.push(format!(
                        "{label}: offered at a version this command does not know (it knows \
                         version {}), so its methods were not called",
                        known.version
                    ));
                } else if let Some(d) = context.described.iter().find(|d| {
                    // A header of a version the plugin also offers is
                    // called through that version's entry.
                    described.is_none()
                        && d.model.id == interface.id
                        && d.model.version != interface.version
                        && info.interface(&d.model.id, d.model.version).is_none()
                }) {
                    warnings.push(format!(
                        "{label}: --interface {} describes version {}, so its methods were not \
                         called",
                        d.header.display(),
                        d.model.version
                    ));
                } else if described.is_none() {
                    not_exercised += 1;
                    details.push(format!("{label}: methods not exercised: {remedy}"));
                }
            }
        }
    }
    let count = info.interfaces.len();
    let mut outcome = if !failed.is_empty() {
        Outcome::fail(format!(
            "{} of {count} interfaces unusable: {}",
            failed.len(),
            failed
                .iter()
                .map(|(id, version)| label(&info.interfaces, id, *version))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else if not_exercised > 0 {
        Outcome::pass(format!(
            "{count} of {count} interfaces verified; methods not exercised for {not_exercised}: \
             {remedy_short}"
        ))
    } else if earlier_revision > 0 {
        // Not a failure: hosts load such a plugin and refuse only the calls
        // to the methods it lacks (`not_provided`).
        Outcome::pass(format!(
            "{count} of {count} interfaces resolved; {earlier_revision} built against an \
             earlier revision than its header, without the methods added since"
        ))
    } else if later_revision.is_empty() {
        Outcome::pass(format!(
            "{count} of {count} interfaces resolved with every method present"
        ))
    } else {
        // Every method the header declares is there, but the header is not
        // the whole of what the plugin offers.
        Outcome::pass(format!(
            "{count} of {count} interfaces resolved with every method their headers declare \
             present"
        ))
    };
    if failed.is_empty() {
        for note in &later_revision {
            outcome.summary += "; ";
            outcome.summary += note;
        }
    }
    outcome.details = details;
    outcome.warnings = warnings;
    // Several interfaces may fail; the details list each, `error` carries
    // the first one's kind.
    outcome.error = first_error;
    outcome.data = json!({
        "failed": failed
            .iter()
            .map(|(id, version)| json!({ "id": id, "version": version }))
            .collect::<Vec<_>>(),
    });
    outcome
}

/// `id`, or `id vN` when the plugin offers `id` at several versions.
fn label(offered: &[tenon::InterfaceInfo], id: &str, version: u32) -> String {
    if offered.iter().filter(|i| i.id == id).count() > 1 {
        format!("{id} v{version}")
    } else {
        id.to_owned()
    }
}

fn step_lifecycle(plugin: &Plugin, config: &str) -> Outcome {
    for cycle in 1..=LIFECYCLE_CYCLES {
        let what = format!(" (cycle {cycle} of {LIFECYCLE_CYCLES})");
        match create(plugin, config, &what) {
            Ok(instance) => destroy(instance, &what),
            Err(error) => return Outcome::from_error(&format!("create #{cycle} failed"), &error),
        }
    }
    let mut alive = Vec::new();
    for index in 0..LIFECYCLE_ALIVE {
        match create(plugin, config, &format!(" (with {index} instances alive)")) {
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
            destroy(
                instance,
                &format!(" (instance #{} of {LIFECYCLE_ALIVE} alive)", index + 1),
            );
        } else {
            odd.push((index, instance));
        }
    }
    for (index, instance) in odd {
        destroy(
            instance,
            &format!(" (instance #{} of {LIFECYCLE_ALIVE} alive)", index + 1),
        );
    }
    let mut details = vec![
        format!("{LIFECYCLE_CYCLES} create/destroy cycles with config {config:?}"),
        format!("{LIFECYCLE_ALIVE} instances alive at once, destroyed out of creation order"),
    ];
    if plugin.info().thread_safe() {
        calling("create (a shared instance)");
        match plugin.instantiate_shared(config) {
            Ok(shared) => {
                calling("destroy (a shared instance)");
                drop(shared);
            }
            Err(error) => return Outcome::from_error("a shared instance failed", &error),
        }
        details.push("a shared (thread-safe) instance created and destroyed".to_owned());
    }
    Outcome::pass(format!(
        "{LIFECYCLE_CYCLES} create/destroy cycles, {LIFECYCLE_ALIVE} instances alive at once"
    ))
    .details(details)
}

fn step_probe(plugin: &Plugin, known: &Known, config: &str) -> Outcome {
    if known.id == <dyn State as Interface>::ID {
        return step_state(plugin, config);
    }
    let instance = match create(plugin, config, "") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    let outcome = match (known.probe)(&instance) {
        Ok(details) => Outcome::pass(format!(
            "{}: every method called, edge cases included",
            known.short
        ))
        .details(details),
        Err(problem) => Outcome::from_problem(known.short, problem),
    };
    destroy(instance, "");
    outcome
}

/// `probe:org.tenon.state`: the round trip a reload with state hand-over
/// makes (docs/reload.md). An instance exercised through the other known
/// interfaces saves its state; a fresh instance must restore it (else the
/// check fails with the plugin's error) and then serve; and its own save
/// should give the same bytes. Bytes that differ are a warning, not a
/// failure: a format need not be canonical (a hash map's order, a
/// timestamp), so the check cannot tell lost state from another encoding
/// of the same state; the plugin's author can.
fn step_state(plugin: &Plugin, config: &str) -> Outcome {
    let others: Vec<&Known> = usable(plugin)
        .into_iter()
        .filter(|known| known.id != <dyn State as Interface>::ID)
        .collect();
    let first = match create(plugin, config, " (the instance to save)") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    let (exercised, mut notes) = exercise(&first, &others);
    let saved = save(&first, "save() (of an exercised instance)");
    destroy(first, " (the saved instance)");
    let saved = match saved {
        Ok(saved) => saved,
        Err(problem) => return Outcome::from_problem("state", problem),
    };
    let second = match create(plugin, config, " (the instance to restore into)") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    let restored = restore_and_save(&second, &saved, &exercised);
    destroy(second, " (the restored instance)");
    let (resaved, mut details) = match restored {
        Ok(restored) => restored,
        Err(problem) => return Outcome::from_problem("state", problem),
    };
    notes.push(format!(
        "save() of an instance after {} wrote {} bytes",
        if exercised.is_empty() {
            "no calls (no other interface known to this command that works)".to_owned()
        } else {
            format!("{} calls", names(&exercised))
        },
        saved.len()
    ));
    notes.append(&mut details);
    let details = notes;
    let mut outcome = Outcome::pass(format!(
        "state: save() of an exercised instance ({} bytes) restored into a fresh instance",
        saved.len()
    ))
    .details(details);
    if resaved != saved {
        outcome.warnings.push(format!(
            "restore(save()) does not round-trip: the restored instance's save() wrote {} bytes \
             that differ from the {} bytes it restored (first difference at byte {}); a reload \
             with state hand-over may lose or change state, unless the format merely is not \
             canonical (a hash map's order, a timestamp)",
            resaved.len(),
            saved.len(),
            resaved
                .iter()
                .zip(&saved)
                .position(|(a, b)| a != b)
                .unwrap_or(resaved.len().min(saved.len()))
        ));
    } else {
        outcome
            .details
            .push("the restored instance's save() wrote the same bytes".to_owned());
    }
    outcome
}

/// Calls the quick probe of each of `others` on `instance`, so that it
/// has state to save: those that worked, and a note for each that did not
/// (its own probe fails for it; the round trip goes on without it).
fn exercise<'k>(instance: &Instance, others: &[&'k Known]) -> (Vec<&'k Known>, Vec<String>) {
    let mut worked = Vec::new();
    let mut notes = Vec::new();
    for known in others {
        match (known.quick)(instance) {
            Ok(()) => worked.push(*known),
            Err(problem) => notes.push(format!(
                "{} calls failed before save() ({}); the round trip goes on without them",
                known.short, problem.message
            )),
        }
    }
    (worked, notes)
}

/// `save()` on `instance`, announced as `what`.
fn save(instance: &Instance, what: &str) -> Result<Vec<u8>, Problem> {
    let state = instance
        .interface::<dyn State>()
        .map_err(|e| Problem::from(&e))?;
    calling(what);
    state.save().map_err(|e| Problem::call(what, &e))
}

/// Restores `saved` into the fresh `instance`, saves it again and checks
/// that it then serves through `others`: the bytes and the details.
fn restore_and_save(
    instance: &Instance,
    saved: &[u8],
    others: &[&Known],
) -> Result<(Vec<u8>, Vec<String>), Problem> {
    let state = instance
        .interface::<dyn State>()
        .map_err(|e| Problem::from(&e))?;
    let what = format!(
        "restore(<the {} bytes save() wrote>) on a fresh instance",
        saved.len()
    );
    calling(&what);
    state.restore(saved).map_err(|e| Problem::call(&what, &e))?;
    let mut details = vec![format!("{what} succeeded")];
    // Saved before any other call, which could change the state.
    let resaved = save(instance, "save() (of the restored instance)")?;
    for known in others {
        (known.quick)(instance)
            .map_err(|e| e.context(&format!("{} after restore", known.short)))?;
    }
    if !others.is_empty() {
        details.push(format!(
            "the restored instance serves {} calls",
            names(others)
        ));
    }
    Ok((resaved, details))
}

/// Known interfaces the loaded plugin offers at the known version and
/// that resolve.
fn usable(plugin: &Plugin) -> Vec<&'static Known> {
    known::KNOWN
        .iter()
        .filter(|known| {
            plugin.info().interface(known.id, known.version).is_some()
                && (known.require)(plugin).is_ok()
        })
        .collect()
}

fn step_threads(plugin: &Plugin, config: &str, described: &[Described]) -> Outcome {
    let mut details = Vec::new();
    // Every plugin: instances created and destroyed on several threads at
    // once ([lifecycle] calls never overlap on one instance, but different
    // instances may be created concurrently).
    calling("create and destroy on 4 threads at once");
    let created = on_threads(4, |_| {
        for _ in 0..25 {
            plugin.instantiate(config).map_err(|e| Problem::from(&e))?;
        }
        Ok(())
    });
    if let Err(problem) = created {
        return Outcome::from_problem("creating instances on 4 threads at once failed", problem);
    }
    details.push("100 instances created and destroyed on 4 threads at once".to_owned());

    let usable = usable(plugin);
    // Interfaces known from an --interface header: their methods with the
    // ordinary arguments, through libffi, in process only.
    let info = plugin.info();
    let headers: Vec<&Described> = if dyncall::SUPPORTED && !plugin.is_isolated() {
        described
            .iter()
            .filter(|d| info.interface(&d.model.id, d.model.version).is_some())
            .collect()
    } else {
        Vec::new()
    };
    let header_names = headers
        .iter()
        .map(|d| {
            let methods: Vec<&str> = d.model.methods.iter().map(|m| m.name.as_str()).collect();
            format!("{} ({})", d.model.id, methods.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    if plugin.info().thread_safe() {
        // Only interfaces whose calls may overlap on one instance.
        let usable: Vec<&Known> = usable
            .into_iter()
            .filter(|known| known.concurrent.is_some())
            .collect();
        calling("create (a shared instance)");
        let shared = match plugin.instantiate_shared(config) {
            Ok(shared) => shared,
            Err(error) => return Outcome::from_error("a shared instance failed", &error),
        };
        calling(&format!(
            "{} from {THREADS} threads at once on one shared instance",
            names(&usable)
        ));
        let results = on_threads(THREADS, |thread| {
            for known in usable.iter() {
                if let Some(concurrent) = known.concurrent {
                    concurrent(&shared, thread, THREAD_ROUNDS)
                        .map_err(|e| e.context(known.short))?;
                }
            }
            Ok(())
        });
        let mut from_headers = Vec::new();
        let results = results.and_then(|()| {
            if headers.is_empty() {
                return Ok(());
            }
            // The calls of several threads cannot each be announced: the
            // announcement names the methods, so that a crash names them.
            calling(&format!(
                "{header_names} from {THREADS} threads at once on one shared instance"
            ));
            let calls = std::sync::atomic::AtomicUsize::new(0);
            on_threads(THREADS, |_| {
                for header in &headers {
                    let raw = shared
                        .raw_interface(&header.model.id, header.model.version)
                        .map_err(|e| Problem::from(&e))?;
                    let made = super::methods::call_ordinary(&raw, header, HEADER_ROUNDS)
                        .map_err(|p| p.context(&header.model.id))?;
                    calls.fetch_add(made, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(())
            })?;
            from_headers.push(format!(
                "{THREADS} threads x {HEADER_ROUNDS} rounds of the methods {} declares \
                 (ordinary arguments), {} calls on one shared instance",
                headers
                    .iter()
                    .map(|d| d.header.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                calls.into_inner()
            ));
            Ok(())
        });
        calling("destroy (the shared instance)");
        drop(shared);
        if let Err(problem) = results {
            return Outcome::from_problem(
                "concurrent calls on one shared instance failed",
                problem,
            )
            .details(details);
        }
        let called_headers = !from_headers.is_empty();
        details.extend(from_headers);
        if usable.is_empty() && !called_headers {
            details.push(
                "declares thread safety, but offers no interface known to this command to call \
                 concurrently"
                    .to_owned(),
            );
        } else if !usable.is_empty() {
            details.push(format!(
                "{THREADS} threads x {THREAD_ROUNDS} rounds of {} calls on one shared instance",
                names(&usable)
            ));
        }
        Outcome::pass(if usable.is_empty() && !called_headers {
            "instances created on several threads at once".to_owned()
        } else {
            format!("{THREADS} threads calling one shared instance at once")
        })
        .details(details)
    } else {
        // Not thread-safe: one instance, called from one thread after
        // another, as plugin.h allows for every plugin.
        let instance = match create(plugin, config, "") {
            Ok(instance) => instance,
            Err(error) => return Outcome::from_error("create failed", &error),
        };
        let called = [names(&usable), header_names.clone()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        calling(&format!("{called} from one thread after another"));
        let mut instance = Some(instance);
        for hop in 0..3 {
            let moved = instance.take().expect("the instance comes back each hop");
            let usable = &usable;
            let headers = &headers;
            let result = std::thread::scope(|scope| {
                scope
                    .spawn(move || {
                        for known in usable.iter() {
                            if let Err(problem) = (known.quick)(&moved) {
                                return (moved, Err(problem.context(known.short)));
                            }
                        }
                        for header in headers.iter() {
                            let called = moved
                                .raw_interface(&header.model.id, header.model.version)
                                .map_err(|e| Problem::from(&e))
                                .and_then(|raw| super::methods::call_ordinary(&raw, header, 1));
                            if let Err(problem) = called {
                                return (moved, Err(problem.context(&header.model.id)));
                            }
                        }
                        (moved, Ok(()))
                    })
                    .join()
            });
            match result {
                Ok((back, Ok(()))) => instance = Some(back),
                Ok((back, Err(problem))) => {
                    destroy(back, "");
                    return Outcome::from_problem(
                        &format!(
                            "a call from thread #{} after calls from another thread failed",
                            hop + 1
                        ),
                        problem,
                    )
                    .details(details);
                }
                Err(_) => return Outcome::fail("a thread panicked").details(details),
            }
        }
        // Destroyed on yet another thread.
        if let Some(last) = instance.take() {
            let _ = std::thread::spawn(move || destroy(last, " (on a fourth thread)")).join();
        }
        details.push(format!(
            "not thread-safe: one instance called from 3 threads one after another{}, then \
             destroyed on a fourth",
            if called.is_empty() {
                String::new()
            } else {
                format!(" ({called})")
            }
        ));
        Outcome::pass("an instance handed from thread to thread").details(details)
    }
}

fn names(known: &[&Known]) -> String {
    known.iter().map(|k| k.short).collect::<Vec<_>>().join(", ")
}

fn step_reload(loader: &Loader, config: &str) -> Outcome {
    let mut first: Option<(String, String)> = None;
    // The first unload that did not leave the process, else `Unloaded`.
    let mut verdict: Option<UnloadOutcome> = None;
    for cycle in 1..=RELOAD_CYCLES {
        let plugin = match load(loader) {
            Ok(plugin) => plugin,
            Err(error) => return Outcome::from_error(&format!("load #{cycle} failed"), &error),
        };
        let identity = (
            plugin.info().name.clone(),
            plugin.info().version.to_string(),
        );
        match &first {
            None => first = Some(identity),
            Some(first) if *first != identity => {
                let outcome = Outcome::fail(format!(
                    "load #{cycle} describes the plugin as {} {}, the first load as {} {}",
                    identity.0, identity.1, first.0, first.1
                ));
                unload(plugin);
                return outcome;
            }
            Some(_) => {}
        }
        let usable = usable(&plugin);
        let what = format!(" (after load #{cycle})");
        let instance = match create(&plugin, config, &what) {
            Ok(instance) => instance,
            Err(error) => {
                let outcome = Outcome::from_error(&format!("create after load #{cycle}"), &error);
                unload(plugin);
                return outcome;
            }
        };
        for known in &usable {
            if let Err(problem) = (known.quick)(&instance) {
                destroy(instance, &what);
                unload(plugin);
                return Outcome::from_problem(
                    &format!("after load #{cycle}: {}", known.short),
                    problem,
                );
            }
        }
        destroy(instance, &what);
        let unloaded = unload(plugin);
        if verdict
            .as_ref()
            .is_none_or(|v| matches!(v, UnloadOutcome::Unloaded))
        {
            verdict = Some(unloaded);
        }
    }
    // Isolated, every load starts a plugin process and every unload ends
    // it: "in one process" would claim what the in-process cycles test.
    let mut outcome = Outcome::pass(match loader.mode {
        Mode::InProcess => format!("{RELOAD_CYCLES} load, use and unload cycles in one process"),
        Mode::Isolated { .. } => format!(
            "{RELOAD_CYCLES} load, use and unload cycles, each in a plugin process of its own"
        ),
    });
    if let Some(verdict) = &verdict {
        unload_verdict(verdict, &mut outcome);
    }
    outcome
}

/// Runs `work(thread_index)` on `threads` threads at once and returns the
/// first failure, a panicking thread counting as one.
fn on_threads(
    threads: usize,
    work: impl Fn(usize) -> Result<(), Problem> + Sync,
) -> Result<(), Problem> {
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
                    .unwrap_or_else(|_| Err(Problem::new("a thread panicked")))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .find_map(Result::err)
            .map_or(Ok(()), Err)
    })
}
