//! Code examples of the guides that no other test builds, built and run:
//!
//! 1. `docs/guide-zig.md`: the project of section 1 (its `build.zig.zon`,
//!    `build.zig`, `src/tenon.h` and `src/greeter.zig`) builds with `zig
//!    build` and greets; with "Host services"' relay plugin as its
//!    `src/greeter.zig` instead, it relays to the greeter its Rust host
//!    offers (in process and isolated) and refuses to be created without
//!    one; with "Reading the host's answer, under a lock"'s counting
//!    greeter instead, it reads the host's answer from a `tenon.Buffer` and
//!    numbers greetings from eight threads at once without repeating one
//!    under its `tenon.Mutex` (in process and isolated), and a plugin of
//!    the test's own whose count a pause makes racy loses no increment
//!    under `tenon.Mutex`, as the guide's pitfalls promise; with "Per-instance state"'s create, destroy and method lines
//!    in place of its stateless create, it greets from instances of its
//!    own; with "State for hot reload"'s functions and entry added (and
//!    `tenon/state.h` to `src/tenon.h`, as it says), it offers
//!    `org.tenon.state`, saves nothing and refuses a state it cannot read;
//! 2. `docs/guide-c.md`, "State for hot reload": the snippet, completed
//!    with the create, destroy and `TENON_PLUGIN` its comment describes,
//!    compiles with gcc and clang (C99, warnings as errors) and its state
//!    survives a save and restore, while bytes of another format are refused
//!    with `invalid_argument`;
//! 3. `docs/guide-c-host.md`, "Host services": its two snippets, the offer
//!    (in `main`) and the offered method, in a C host built with gcc and
//!    clang against libtenon, which loads the C guide's relay plugin with
//!    the offer and prints what the plugin relays;
//! 4. `docs/guide-cpp.md`: the complete plugin compiles with g++ and
//!    clang++ (C++17, warnings as errors) and greets; the fragments (the kv
//!    store's class, `tenon::method` in `TENON_VTABLE`, the state
//!    interface's vtable) each compile (`-c`) inside the includes and
//!    declarations they leave out; "Host services"' relay plugin, built with
//!    both, relays to the greeter its Rust host offers (in process and
//!    isolated), passes on the host's errors and refuses to be created
//!    without one.
//!
//! 5. `docs/guide-c-host.md`, "An interface that grew: revisions": the
//!    snippet, in a function that declares what it uses, compiles with gcc
//!    and clang (C99, warnings as errors) against the revision-2
//!    `acme/greeter.h` docs/guide-your-interface.md writes;
//! 6. `docs/static.md`, "Linking them into a C or C++ host": the C snippet
//!    (its entry's declaration at file scope, the rest in `main`) in a host
//!    built with gcc and clang together with the C greeter compiled with
//!    `-DTENON_STATIC_PLUGIN=greeter_c`, which loads it and prints its path
//!    (`static:greeter-c`); the C++ snippet compiles (`-c`) with g++ and
//!    clang++;
//! 7. the header excerpts (`greeter.h` in README.md, docs/ABI.md and
//!    docs/guide-c.md, `state.h` in docs/reload.md, the entry's declaration
//!    in docs/ABI.md) are, comments and spacing aside, in the header they
//!    quote;
//! 8. every Cargo dependency a ```toml block of README.md or docs/ gives
//!    by path into a Tenon tree (`/path/to/tenon/DIR`) is the package of
//!    that name at DIR, and README.md and docs/guide-rust.md show a host's
//!    dependency (`tenon`) as well as a plugin's (`tenon-plugin`);
//! 9. docs/static.md's shell commands for a static C greeter and a C host
//!    linking it run as written outside the repository against an
//!    installed SDK, and that host loads the greeter.
//!
//! A missing toolchain is reported as `TOOLCHAIN MISSING: ...` and skipped,
//! unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::docs::{
    check_relay, check_relay_without_offer, doc_blocks, load_offering_a_greeter, the_block,
};
use support::example_hosts::{self, Linking};
use support::{
    available, c_api, compile_plugin, have, have_all, library_name, relative, repo_root, run,
    scratch, toolchain_missing,
};
use tenon::{Handle, Instance, Plugin, State, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{zig_command, BuildError};

/// Builds, with `zig build`, the project docs/guide-zig.md's section 1
/// shows (its `build.zig.zon`, `build.zig` and `src/tenon.h`, the SDK's
/// path made relative to the scratch copy) with `greeter_zig` as
/// `src/greeter.zig`; the library, or `None` after reporting a missing zig.
fn zig_guide_project(name: &str, what: &str, greeter_zig: &str) -> Option<PathBuf> {
    zig_guide_project_with(name, what, greeter_zig, None)
}

/// [`zig_guide_project`], with `more_headers` appended to `src/tenon.h`.
fn zig_guide_project_with(
    name: &str,
    what: &str,
    greeter_zig: &str,
    more_headers: Option<&str>,
) -> Option<PathBuf> {
    let guide = "docs/guide-zig.md";
    let zig = match zig_command() {
        Ok(zig) => zig,
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &format!("{what} was not checked: {error}"));
            return None;
        }
        Err(error) => panic!("finding zig: {error}"),
    };
    let dir = scratch(name);
    let project = dir.join("project");
    fs::create_dir_all(project.join("src")).unwrap();
    let sdk = relative(
        &fs::canonicalize(&project).unwrap(),
        &fs::canonicalize(repo_root().join("sdk-zig")).unwrap(),
    );
    let manifest = the_block(guide, "zig", ".fingerprint");
    assert!(manifest.contains("\"../../sdk-zig\""), "{manifest}");
    let files = [
        (
            "build.zig.zon",
            manifest.replace("\"../../sdk-zig\"", &format!("\"{}\"", sdk.display())),
        ),
        ("build.zig", the_block(guide, "zig", "tenon.addPlugin(b")),
        (
            "src/tenon.h",
            the_block(guide, "c", "tenon_examples/greeter.h") + more_headers.unwrap_or(""),
        ),
        ("src/greeter.zig", greeter_zig.to_owned()),
    ];
    for (file, text) in &files {
        fs::write(project.join(file), text).unwrap();
    }
    let out = dir.join("out");
    run(
        &format!("{what}: zig build"),
        Command::new(&zig[0])
            .args(&zig[1..])
            .arg("build")
            .arg("--prefix")
            .arg(&out)
            .arg("--cache-dir")
            .arg(dir.join("cache"))
            .current_dir(&project)
            .stdin(Stdio::null()),
    )
    .unwrap_or_else(|message| {
        let sources: Vec<String> = files
            .iter()
            .map(|(file, text)| format!("--- {file}:\n{text}"))
            .collect();
        panic!("{message}\n{}", sources.join("\n"))
    });
    let library = ["lib", "bin"]
        .iter()
        .map(|sub| out.join(sub).join(library_name("greeter-zig")))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("no library under {}", out.display()));
    Some(library)
}

#[test]
fn the_zig_guide_project_builds_and_greets() {
    let what = "docs/guide-zig.md, A complete plugin";
    let source = the_block("docs/guide-zig.md", "zig", "greeter-zig instance created");
    let Some(library) = zig_guide_project("guide_zig_greeter", what, &source) else {
        return;
    };
    let plugin = Plugin::load(&library).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(plugin.info().name, "greeter-zig");
    let instance = plugin.instantiate("").unwrap();
    support::check_greets(&instance, "world").unwrap_or_else(|e| panic!("{what}: {e}"));
}

#[test]
fn the_zig_guide_host_services_plugin_relays_to_the_greeter_its_host_offers() {
    let what = "docs/guide-zig.md, Host services";
    let source = the_block(
        "docs/guide-zig.md",
        "zig",
        "relay: found the host's greeter",
    );
    // As the guide says: src/greeter.zig of the project of section 1.
    let Some(library) = zig_guide_project("guide_zig_host_services", what, &source) else {
        return;
    };
    let mut failures = Vec::new();
    let mut modes = vec![false];
    if cfg!(target_os = "linux") {
        modes.push(true);
    }
    for isolated in modes {
        if let Err(message) = check_relay(&library, isolated) {
            failures.push(format!("{what} (isolated: {isolated}): {message}"));
        }
    }
    if let Err(message) = check_relay_without_offer(&library) {
        failures.push(format!("{what}: {message}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_zig_guide_counting_greeter_reads_the_host_answer_under_a_lock() {
    let what = "docs/guide-zig.md, Reading the host's answer, under a lock";
    let source = the_block("docs/guide-zig.md", "zig", "tenon.Buffer = .{}");
    // As the guide says: src/greeter.zig of the project of section 1.
    let Some(library) = zig_guide_project("guide_zig_counting", what, &source) else {
        return;
    };
    let mut failures = Vec::new();
    let mut modes = vec![false];
    if cfg!(target_os = "linux") {
        modes.push(true);
    }
    for isolated in modes {
        if let Err(message) = check_counting_greeter(&library, isolated) {
            failures.push(format!("{what} (isolated: {isolated}): {message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Calls the Zig guide's counting greeter from several threads at once:
/// every greeting carries the host's answer, read from the plugin's own
/// `tenon.Buffer` (grown past its first allocation by a long name), and a
/// number its `tenon.Mutex` makes unique; a failure of the host's greeter
/// reaches the caller with its status and message.
fn check_counting_greeter(library: &std::path::Path, isolated: bool) -> Result<(), String> {
    const THREADS: u64 = 8;
    const CALLS: u64 = 200;
    let plugin = load_offering_a_greeter(library, isolated)?;
    let shared = plugin.instantiate_shared("").map_err(|e| e.to_string())?;
    let results: Vec<Result<Vec<u64>, String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let greeter = shared
                        .interface::<dyn Greeter>()
                        .map_err(|e| e.to_string())?;
                    let mut numbers = Vec::new();
                    for _ in 0..CALLS {
                        let greeting = greeter.greet("Zoë").map_err(|e| e.to_string())?;
                        let number = greeting
                            .strip_prefix("host says hello to Zoë #")
                            .and_then(|n| n.parse::<u64>().ok())
                            .ok_or_else(|| format!("greet(\"Zoë\") = {greeting:?}"))?;
                        numbers.push(number);
                    }
                    Ok(numbers)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut numbers = Vec::new();
    for result in results {
        numbers.extend(result?);
    }
    numbers.sort_unstable();
    if numbers != (1..=THREADS * CALLS).collect::<Vec<_>>() {
        let repeated = numbers.windows(2).filter(|w| w[0] == w[1]).count();
        return Err(format!(
            "{} greetings from {THREADS} threads were not numbered 1 to {} ({repeated} numbers repeated)",
            numbers.len(),
            THREADS * CALLS
        ));
    }
    let greeter = shared
        .interface::<dyn Greeter>()
        .map_err(|e| e.to_string())?;
    let long = "ß".repeat(50_000);
    let greeting = greeter.greet(&long).map_err(|e| e.to_string())?;
    let expected = format!("host says hello to {long} #{}", THREADS * CALLS + 1);
    if greeting != expected {
        return Err(format!(
            "a 100 kB name gave a greeting of {} bytes, want {}",
            greeting.len(),
            expected.len()
        ));
    }
    let error = greeter.greet("nobody").unwrap_err();
    if error.status() != Status::NOT_FOUND || error.message() != "the host knows nobody" {
        return Err(format!("greet(\"nobody\") failed with {error}"));
    }
    Ok(())
}

/// A greeter whose count is read, then written back one higher after a
/// pause, under the `tenon.Mutex` the guide's pitfalls recommend: without
/// the lock, threads calling at once lose increments.
const ZIG_MUTEX_STRESS: &str = r#"
const std = @import("std");
const c = @import("c");
const tenon = @import("tenon");

const Counter = struct {
    lock: tenon.Mutex = .{},
    count: u64 = 0,
};

var counter: Counter = .{};

fn greet(instance: ?*anyopaque, name: c.tenon_str, out: [*c]c.tenon_buffer, @"error": [*c]c.tenon_buffer) callconv(.c) c.tenon_status {
    _ = .{ instance, name };
    counter.lock.lock();
    const before = @atomicLoad(u64, &counter.count, .monotonic);
    var spins: u32 = 0;
    while (spins < 2000) : (spins += 1) std.atomic.spinLoopHint();
    @atomicStore(u64, &counter.count, before + 1, .monotonic);
    counter.lock.unlock();
    var digits: [20]u8 = undefined;
    const number = std.fmt.bufPrint(&digits, "{d}", .{before + 1}) catch unreachable;
    const status = tenon.append(out, number);
    if (status != c.TENON_OK) return tenon.fail(@"error", status, "greet: out of memory");
    return c.TENON_OK;
}

comptime {
    tenon.exportPlugin(.{
        .name = "mutex-stress",
        .version = "1.0.0",
        .description = "Counts greetings under a tenon.Mutex",
        .flags = c.TENON_PLUGIN_THREAD_SAFE,
        .interfaces = &.{
            tenon.interface(c.EXAMPLE_GREETER_ID, c.EXAMPLE_GREETER_VERSION, c.example_greeter_v1, .{ .greet = greet }),
        },
    });
}
"#;

#[test]
fn a_tenon_mutex_serializes_the_threads_of_a_zig_plugin() {
    const THREADS: u64 = 8;
    const CALLS: u64 = 300;
    let what = "sdk-zig's tenon.Mutex";
    let Some(library) = zig_guide_project("zig_mutex_stress", what, ZIG_MUTEX_STRESS) else {
        return;
    };
    let plugin = Plugin::load(&library).unwrap_or_else(|e| panic!("{what}: {e}"));
    let shared = plugin.instantiate_shared("").unwrap();
    let mut numbers: Vec<u64> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let greeter = shared.interface::<dyn Greeter>().unwrap();
                    (0..CALLS)
                        .map(|_| greeter.greet("").unwrap().parse::<u64>().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    numbers.sort_unstable();
    let repeated = numbers.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(repeated, 0, "{what}: increments were lost");
    assert_eq!(numbers, (1..=THREADS * CALLS).collect::<Vec<_>>(), "{what}");
}

#[test]
fn the_zig_guide_per_instance_state_joins_the_plugin() {
    let what = "docs/guide-zig.md, Per-instance state";
    let guide = "docs/guide-zig.md";
    let plugin_source = the_block(guide, "zig", "greeter-zig instance created");
    let state = the_block(guide, "zig", "const State = struct {");
    // The snippet: declarations for the file, then the lines a method
    // starts with instead of `_ = instance;`.
    let (declarations, method) = state
        .split_once("// in a method, instead of `_ = instance;`:\n")
        .unwrap_or_else(|| panic!("{what}: no method part in\n{state}"));
    // The guide's stateless create gives way to the snippet's.
    let start = plugin_source
        .find("fn create(")
        .expect("the plugin's create");
    let end = start + plugin_source[start..].find("\n}\n").expect("its end") + 3;
    let indented: String = method.lines().map(|line| format!("    {line}\n")).collect();
    let source = format!(
        "{}{}{declarations}",
        &plugin_source[..start],
        &plugin_source[end..]
    )
    .replacen("    _ = instance;\n", &indented, 1)
    .replacen(
        "        .create = create,\n",
        "        .create = create,\n        .destroy = destroy,\n",
        1,
    );
    assert!(source.contains(".destroy = destroy"), "{source}");
    let Some(library) = zig_guide_project("guide_zig_instance_state", what, &source) else {
        return;
    };
    let plugin = Plugin::load(&library).unwrap_or_else(|e| panic!("{what}: {e}"));
    for _ in 0..3 {
        let instance = plugin.instantiate("").unwrap();
        support::check_greets(&instance, "world").unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

#[test]
fn the_zig_guide_state_entry_joins_the_plugin_and_refuses_a_foreign_state() {
    let what = "docs/guide-zig.md, State for hot reload";
    let guide = "docs/guide-zig.md";
    let plugin_source = the_block(guide, "zig", "greeter-zig instance created");
    let state = the_block(guide, "zig", "fn save(instance: ?*anyopaque");
    // The snippet is the two functions, then the entry for the plugin's
    // list of interfaces.
    let (functions, entry) = state
        .split_once("\ntenon.interface(")
        .unwrap_or_else(|| panic!("{what}: no tenon.interface( entry in\n{state}"));
    let list_end = "            }),\n        },\n";
    assert!(plugin_source.contains(list_end), "{plugin_source}");
    let source = format!("{plugin_source}\n{functions}\n").replace(
        list_end,
        &format!(
            "            }}),\n            tenon.interface({}),\n        }},\n",
            entry.trim().trim_end_matches(')')
        ),
    );
    let Some(library) = zig_guide_project_with(
        "guide_zig_state",
        what,
        &source,
        Some("#include <tenon/state.h>\n"),
    ) else {
        return;
    };
    let plugin = Plugin::load(&library).unwrap_or_else(|e| panic!("{what}: {e}"));
    let instance = plugin.instantiate("").unwrap();
    let state = state_of(&instance).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(state.save().unwrap(), Vec::<u8>::new());
    let error = state.restore(b"cnt1").unwrap_err();
    assert_eq!(error.status(), Status::INVALID_ARGUMENT, "{error}");
    assert_eq!(error.message(), "not my state");
}

/// What `docs/guide-c.md`'s state snippet leaves to the plugin around it:
/// an instance to allocate and free, and the `TENON_PLUGIN` its last
/// comment names the entry for.
const STATE_PLUGIN_REST: &str = r#"
#include <stdlib.h>

static tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                           tenon_buffer *error) {
    my_instance *self = (my_instance *)calloc(1, sizeof *self);
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    if (self == NULL) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "create: out of memory");
    }
    *out_instance = self;
    return TENON_OK;
}

static void destroy(void *instance) {
    free(instance);
}

TENON_PLUGIN("state-snippet", "1.0.0", "docs/guide-c.md's state snippet in a plugin",
             TENON_PLUGIN_THREAD_SAFE, create, destroy,
             TENON_INTERFACE_ENTRY(TENON_STATE_ID, TENON_STATE_VERSION, &my_state));
"#;

fn state_of(instance: &Instance) -> Result<Handle<'_, dyn State>, String> {
    instance.interface::<dyn State>().map_err(|e| e.to_string())
}

/// Saves from, and restores into, instances of the state snippet's plugin.
fn check_state_round_trip(plugin: &Plugin) -> Result<(), String> {
    let first = plugin.instantiate("").map_err(|e| e.to_string())?;
    let fresh = state_of(&first)?.save().map_err(|e| e.to_string())?;
    let mut expected = b"cnt1".to_vec();
    expected.extend(0u64.to_ne_bytes());
    if fresh != expected {
        return Err(format!(
            "a fresh instance saved {fresh:?}, want {expected:?}"
        ));
    }
    let mut counted = b"cnt1".to_vec();
    counted.extend(42u64.to_ne_bytes());
    let second = plugin.instantiate("").map_err(|e| e.to_string())?;
    state_of(&second)?
        .restore(&counted)
        .map_err(|e| format!("restore: {e}"))?;
    let saved = state_of(&second)?.save().map_err(|e| e.to_string())?;
    if saved != counted {
        return Err(format!("restored {counted:?}, then saved {saved:?}"));
    }
    let error = state_of(&first)?
        .restore(b"tkv1")
        .err()
        .ok_or("restore accepted another format")?;
    if error.status() != Status::INVALID_ARGUMENT || !error.message().contains("cnt1") {
        return Err(format!("restoring another format failed with {error}"));
    }
    Ok(())
}

#[test]
fn the_c_guide_state_snippet_saves_and_restores_in_a_plugin() {
    let what = "docs/guide-c.md, State for hot reload";
    let snippet = the_block("docs/guide-c.md", "c", "tenon/state.h");
    let entry = "TENON_INTERFACE_ENTRY(TENON_STATE_ID, TENON_STATE_VERSION, &my_state)";
    assert!(
        snippet.contains(entry),
        "{what}: the snippet no longer names the entry {entry}"
    );
    let source_text = snippet + STATE_PLUGIN_REST;
    let dir = scratch("guide_c_state");
    let source = dir.join("plugin.c");
    fs::write(&source, &source_text).unwrap();
    let mut failures = Vec::new();
    let mut built = 0;
    for compiler in ["gcc", "clang"].into_iter().filter(|c| have(c)) {
        let library = dir.join(library_name(&format!("state_{compiler}")));
        if let Err(message) = compile_plugin(compiler, "c99", &source, &library, &[]) {
            failures.push(format!(
                "{what}, {compiler}: does not compile: {message}\n--- source:\n{source_text}"
            ));
            continue;
        }
        built += 1;
        let result = Plugin::load(&library)
            .map_err(|e| e.to_string())
            .and_then(|plugin| check_state_round_trip(&plugin));
        if let Err(message) = result {
            failures.push(format!("{what}, {compiler}: {message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    if built == 0 {
        toolchain_missing("gcc or clang", &format!("{what} was not checked"));
    }
}

/// The C host around `docs/guide-c-host.md`'s "Host services" snippets:
/// `{method}` is the offered method (the second snippet), `{offer}` the
/// offer (the first), run inside `main` with the state it names; the host
/// loads the plugin `argv[1]` with those options and prints its greeting of
/// "Ada".
const HOST_SERVICES_PROGRAM: &str = r#"#include <stdio.h>
#include <stdlib.h>
#include <tenon/host.h>
#include <tenon_examples/greeter.h>

{method}
static void free_state(void *state) {
    free(state);
}

int main(int argc, char **argv) {
    void *my_state = malloc(1);
    if (argc != 2 || my_state == NULL) {
        return 2;
    }
{offer}
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    const void *vtable = NULL;
    void *self = NULL;
    tenon_error *error = tenon_plugin_load(argv[1], options, &plugin);
    if (error == NULL) {
        error = tenon_instance_create(plugin, "", &instance);
    }
    if (error == NULL) {
        error = tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                         sizeof(example_greeter_v1), &vtable, &self);
    }
    tenon_options_free(options);
    tenon_services_free(services);
    int code = 1;
    if (error != NULL) {
        fprintf(stderr, "[%s] %s\n", tenon_error_kind(error), tenon_error_message(error));
        tenon_error_free(error);
    } else {
        const example_greeter_v1 *greeter = vtable;
        tenon_buffer *out = tenon_buffer_new(), *message = tenon_buffer_new();
        tenon_str name = {"Ada", 3};
        if (greeter->greet(self, name, out, message) == TENON_OK) {
            printf("%.*s\n", (int)out->len, (const char *)out->data);
            code = 0;
        }
        tenon_buffer_free(message);
        tenon_buffer_free(out);
    }
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
    return code;
}
"#;

#[test]
fn the_c_host_guide_host_services_snippets_offer_a_greeter_a_plugin_relays_to() {
    let what = "docs/guide-c-host.md, Host services";
    let offer = the_block("docs/guide-c-host.md", "c", "tenon_services_offer(");
    let method = the_block(
        "docs/guide-c-host.md",
        "c",
        "static tenon_status host_greet(",
    );
    let indented: String = offer.lines().map(|line| format!("    {line}\n")).collect();
    let program = HOST_SERVICES_PROGRAM
        .replace("{method}", &method)
        .replace("{offer}", &indented);
    let relay = the_block("docs/guide-c.md", "c", "get_interface(");
    let dir = scratch("guide_c_host_services");
    let relay_source = dir.join("relay.c");
    fs::write(&relay_source, &relay).unwrap();
    let source = dir.join("host.c");
    fs::write(&source, &program).unwrap();
    let compilers = available(&["gcc", "clang"]);
    if compilers.is_empty() {
        toolchain_missing("gcc or clang", &format!("{what} was not checked"));
    }
    for compiler in &compilers {
        let plugin = dir.join(library_name(&format!("relay_{compiler}")));
        compile_plugin(compiler, "c99", &relay_source, &plugin, &[])
            .unwrap_or_else(|message| panic!("{what}: the relay plugin: {message}"));
        let exe = dir.join(format!("host-{compiler}"));
        c_api::build_source(
            compiler,
            "c99",
            &source,
            &["sdk-c/include", "examples-c/interfaces"],
            &[],
            &exe,
        );
        let stdout = run(
            &format!("{what}, {compiler}: the host"),
            Command::new(&exe).arg(&plugin),
        )
        .unwrap_or_else(|message| panic!("{message}\n--- source:\n{program}"));
        assert_eq!(
            stdout.trim_end(),
            "relayed: the host greets Ada",
            "{what}, {compiler}"
        );
    }
}

/// The C host around `docs/guide-c-host.md`'s unloading snippet, which
/// frees `instance` and unloads `plugin` into `outcome`; it prints the
/// outcome.
#[cfg(target_os = "linux")]
const UNLOADING_PROGRAM: &str = r#"#include <stdio.h>
#include <string.h>
#include <tenon/host.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        return 2;
    }
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    tenon_error *error = tenon_plugin_load(argv[1], NULL, &plugin);
    if (error == NULL) {
        error = tenon_instance_create(plugin, "", &instance);
    }
    if (error != NULL) {
        fprintf(stderr, "[%s] %s\n", tenon_error_kind(error), tenon_error_message(error));
        tenon_error_free(error);
        return 1;
    }
{snippet}
    printf("%s\n", outcome != NULL ? outcome : "(null)");
    return 0;
}
"#;

/// `docs/guide-c-host.md`, "Unloading: did the library leave?": the snippet
/// builds with gcc and clang, warnings as errors, and the example C greeter
/// it unloads after its instance is `unloaded`.
#[cfg(target_os = "linux")]
#[test]
fn the_c_host_guide_unloading_snippet_says_the_greeter_left() {
    let what = "docs/guide-c-host.md, Unloading";
    let snippet = the_block("docs/guide-c-host.md", "c", "tenon_plugin_unload(plugin)");
    let indented: String = snippet
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    let program = UNLOADING_PROGRAM.replace("{snippet}", &indented);
    let dir = scratch("guide_c_host_unloading");
    let source = dir.join("host.c");
    fs::write(&source, &program).unwrap();
    let compilers = available(&["gcc", "clang"]);
    if compilers.is_empty() {
        toolchain_missing("gcc or clang", &format!("{what} was not checked"));
    }
    let greeter = tenon_test_plugins::c_plugin("greeter");
    for compiler in &compilers {
        let exe = dir.join(format!("host-{compiler}"));
        c_api::build_source(compiler, "c99", &source, &[], &[], &exe);
        let stdout = run(
            &format!("{what}, {compiler}: the host"),
            Command::new(&exe).arg(&greeter),
        )
        .unwrap_or_else(|message| panic!("{message}\n--- source:\n{program}"));
        assert_eq!(stdout.trim_end(), "unloaded", "{what}, {compiler}");
    }
}

/// The ```cpp blocks of docs/guide-cpp.md, each with its marker, what it
/// leaves out and the vtable it defines: the complete plugin needs nothing;
/// each fragment needs the headers and the declarations its surroundings
/// give it, and its vtable is used, as the plugin's entry would use it.
const CPP_GUIDE_BLOCKS: &[(&str, &str, &str)] = &[
    ("TENON_CPP_PLUGIN(Greeter", "", ""),
    (
        "class Store {\npublic:\n    void get(",
        "#include <tenon/plugin.hpp>\n#include <tenon_examples/kv.h>\n#include <map>\n\
         #include <mutex>\n#include <string>\n#include <vector>\n",
        "kv_vtable",
    ),
    (
        "tenon::method<&Store::get>, my_c_put",
        "#include <tenon/plugin.hpp>\n#include <tenon_examples/kv.h>\n#include <cstdint>\n\
         class Store {\npublic:\n    void get(std::string_view key, tenon::writer value) const;\n\
         \x20   void remove(std::string_view key);\n    std::uint64_t len() const;\n};\n\
         tenon_status my_c_put(void *instance, tenon_str key, tenon_bytes value, tenon_buffer *error);\n",
        "kv_vtable",
    ),
    (
        "tenon_state_v1 state_vtable",
        "#include <tenon/plugin.hpp>\n",
        "state_vtable",
    ),
];

#[test]
fn the_cpp_guide_plugin_greets_and_its_fragments_compile() {
    let what = "docs/guide-cpp.md";
    let compilers = available(&["g++", "clang++"]);
    if compilers.is_empty() {
        toolchain_missing("g++ or clang++", &format!("{what} was not checked"));
        return;
    }
    let all = support::docs::doc_blocks(what, "cpp");
    let dir = scratch("guide_cpp");
    let mut failures = Vec::new();
    let mut used = 0;
    for (index, (marker, prelude, vtable)) in CPP_GUIDE_BLOCKS.iter().enumerate() {
        let block = the_block(what, "cpp", marker);
        used += 1;
        let source = dir.join(format!("block{index}.cpp"));
        let mut text = format!("{prelude}{block}");
        if !vtable.is_empty() {
            text += &format!("const void *fragment_vtable() {{ return &{vtable}; }}\n");
        }
        fs::write(&source, &text).unwrap();
        for compiler in &compilers {
            let result = if prelude.is_empty() {
                // The complete plugin: a library that greets.
                let library = dir.join(library_name(&format!("block{index}_{compiler}")));
                compile_plugin(compiler, "c++17", &source, &library, &[]).and_then(|()| {
                    let plugin = Plugin::load(&library).map_err(|e| e.to_string())?;
                    let instance = plugin.instantiate("").map_err(|e| e.to_string())?;
                    support::check_greets(&instance, "world")
                })
            } else {
                let mut args: Vec<String> =
                    support::WARNINGS.iter().map(|w| w.to_string()).collect();
                args.extend(support::include_args());
                args.extend([
                    "-c".into(),
                    source.display().to_string(),
                    "-o".into(),
                    source
                        .with_extension(format!("{compiler}.o"))
                        .display()
                        .to_string(),
                ]);
                support::compile(compiler, "c++17", &source, &args)
            };
            if let Err(message) = result {
                failures.push(format!(
                    "{what}, block {index} ({marker:?}), {compiler}: {message}\n--- source:\n{text}"
                ));
            }
        }
    }
    // The relay has a test of its own, below.
    let relays = all
        .iter()
        .filter(|block| block.contains(CPP_GUIDE_RELAY))
        .count();
    assert_eq!(
        used + relays,
        all.len(),
        "{what}: a ```cpp block this test does not know; add it to CPP_GUIDE_BLOCKS"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What marks docs/guide-cpp.md's "Host services" relay plugin.
const CPP_GUIDE_RELAY: &str = "host.interface<example_greeter_v1>(";

#[test]
fn the_cpp_guide_host_services_plugin_relays_to_the_greeter_its_host_offers() {
    let what = "docs/guide-cpp.md, Host services";
    let compilers = available(&["g++", "clang++"]);
    if compilers.is_empty() {
        toolchain_missing("g++ or clang++", &format!("{what} was not checked"));
        return;
    }
    let relay = the_block("docs/guide-cpp.md", "cpp", CPP_GUIDE_RELAY);
    let dir = scratch("guide_cpp_host_services");
    let source = dir.join("relay.cpp");
    fs::write(&source, &relay).unwrap();
    let mut failures = Vec::new();
    for compiler in compilers {
        let library = dir.join(library_name(&format!("relay_{compiler}")));
        if let Err(message) = compile_plugin(compiler, "c++17", &source, &library, &[]) {
            failures.push(format!("{what}, {compiler}: {message}"));
            continue;
        }
        let mut modes = vec![false];
        if cfg!(target_os = "linux") {
            modes.push(true);
        }
        for isolated in modes {
            if let Err(message) = check_relay(&library, isolated) {
                failures.push(format!(
                    "{what}, {compiler} (isolated: {isolated}): {message}"
                ));
            }
        }
        // Without an offer, create refuses with not_found and says why in
        // the host's log too.
        if let Err(message) = check_relay_without_offer(&library) {
            failures.push(format!("{what}, {compiler}: {message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `c` without its `/* ... */` comments, every run of white space one
/// space.
fn c_tokens(c: &str) -> String {
    let mut text = String::new();
    let mut rest = c;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        text.push(' ');
        let end = rest[start..].find("*/").expect("a closed comment");
        rest = &rest[start + end + 2..];
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn header_excerpts_are_in_the_headers_they_quote() {
    let greeter_h = "examples-c/interfaces/tenon_examples/greeter.h";
    let excerpts = [
        ("README.md", "#define EXAMPLE_GREETER_ID", greeter_h),
        ("docs/ABI.md", "#define EXAMPLE_GREETER_ID", greeter_h),
        ("docs/guide-c.md", "#define EXAMPLE_GREETER_ID", greeter_h),
        (
            "docs/reload.md",
            "#define TENON_STATE_ID",
            "include/tenon/state.h",
        ),
        (
            "docs/ABI.md",
            "TENON_EXPORT const tenon_plugin_descriptor *tenon_plugin_v1(void);",
            "include/tenon/plugin.h",
        ),
    ];
    let mut failures = Vec::new();
    for (document, marker, header) in excerpts {
        let excerpt = the_block(document, "c", marker);
        let text = fs::read_to_string(repo_root().join(header)).unwrap();
        if !c_tokens(&text).contains(&c_tokens(&excerpt)) {
            failures.push(format!(
                "{document}: the excerpt of {header} is not in it:\n{excerpt}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn c_tokens_drop_comments_and_spacing() {
    assert_eq!(
        c_tokens("int a; /* why */\n\n  int  b;/**/"),
        "int a; int b;"
    );
}

/// The function around `docs/guide-c-host.md`'s revisions snippet: the
/// snippet's `#include` lines first, then its statements with the
/// variables they use.
const REVISIONS_WRAPPER: &str = r#"#include <tenon/host.h>
{includes}
tenon_status farewell_if_any(const tenon_instance *instance, tenon_str name, tenon_buffer *out,
                             tenon_buffer *message);

tenon_status farewell_if_any(const tenon_instance *instance, tenon_str name, tenon_buffer *out,
                             tenon_buffer *message) {
    tenon_error *error;
    const void *vtable = NULL;
    void *self = NULL;
    tenon_status status = TENON_UNSUPPORTED;
{statements}
    tenon_error_free(error);
    return status;
}
"#;

#[test]
fn the_c_host_guide_revisions_snippet_compiles_against_the_grown_header() {
    let what = "docs/guide-c-host.md, An interface that grew";
    let tutorial = "docs/guide-your-interface.md";
    // acme/greeter.h as the tutorial writes it, then grows it.
    let header = the_block(tutorial, "c", "#define ACME_GREETER_ID");
    let farewell = the_block(tutorial, "c", "[revision 2]");
    let end = "} acme_greeter_v1;";
    assert!(header.contains(end), "{header}");
    let header = header.replacen(end, &format!("{farewell}{end}"), 1);
    let dir = scratch("guide_c_host_revisions");
    fs::create_dir_all(dir.join("include/acme")).unwrap();
    fs::write(dir.join("include/acme/greeter.h"), header).unwrap();

    let snippet = the_block("docs/guide-c-host.md", "c", "TENON_HAS_FIELD(greeter");
    let (includes, statements): (Vec<&str>, Vec<&str>) = snippet
        .lines()
        .partition(|line| line.starts_with("#include"));
    let statements: String = statements
        .iter()
        .map(|line| format!("    {line}\n"))
        .collect();
    let program = REVISIONS_WRAPPER
        .replace("{includes}", &includes.join("\n"))
        .replace("{statements}", &statements);
    let source = dir.join("revisions.c");
    fs::write(&source, &program).unwrap();
    let compilers = available(&["gcc", "clang"]);
    if compilers.is_empty() {
        toolchain_missing("gcc or clang", &format!("{what} was not checked"));
    }
    for compiler in compilers {
        let mut args: Vec<String> = support::WARNINGS.iter().map(|w| w.to_string()).collect();
        args.extend(support::include_args());
        args.extend([
            format!("-I{}", dir.join("include").display()),
            "-c".into(),
            source.display().to_string(),
            "-o".into(),
            dir.join(format!("revisions-{compiler}.o"))
                .display()
                .to_string(),
        ]);
        support::compile(compiler, "c99", &source, &args)
            .unwrap_or_else(|message| panic!("{what}: {message}\n--- source:\n{program}"));
    }
}

/// Splits a host snippet of docs/static.md into its first line, the
/// entry's declaration for file scope, and the rest, indented for `main`.
fn entry_and_statements(snippet: &str) -> (&str, String) {
    let (entry, rest) = snippet.split_once('\n').expect("more than one line");
    let statements = rest.lines().map(|line| format!("    {line}\n")).collect();
    (entry, statements)
}

const STATIC_C_HOST: &str = r#"#include <stdio.h>
#include <tenon/host.h>

{entry}

int main(void) {
    tenon_options *options = tenon_options_new();
{statements}
    tenon_options_free(options);
    if (error != NULL) {
        fprintf(stderr, "[%s] %s\n", tenon_error_kind(error), tenon_error_message(error));
        tenon_error_free(error);
        return 1;
    }
    printf("%s\n", tenon_plugin_path(plugin));
    tenon_plugin_free(plugin);
    return 0;
}
"#;

const STATIC_CPP_HOST: &str = r#"#include <tenon/host.hpp>

{entry}

int main() {
{statements}
    return 0;
}
"#;

#[test]
fn the_static_guide_c_and_cpp_host_snippets_load_a_linked_in_plugin() {
    let what = "docs/static.md, Linking them into a C or C++ host";
    let dir = scratch("static_guide_hosts");
    let c = the_block("docs/static.md", "c", "tenon_plugin_load_static(");
    let (entry, statements) = entry_and_statements(&c);
    let program = STATIC_C_HOST
        .replace("{entry}", entry)
        .replace("{statements}", &statements);
    let source = dir.join("host.c");
    fs::write(&source, &program).unwrap();
    let greeter = repo_root().join("examples-c/greeter/greeter.c");
    let compilers = available(&["gcc", "clang"]);
    if compilers.is_empty() {
        toolchain_missing("gcc or clang", &format!("{what} was not checked"));
    }
    for compiler in compilers {
        let exe = dir.join(format!("host-{compiler}"));
        c_api::build_source(
            compiler,
            "c99",
            &source,
            &["sdk-c/include", "examples-c/interfaces"],
            &["-DTENON_STATIC_PLUGIN=greeter_c", greeter.to_str().unwrap()],
            &exe,
        );
        let stdout = run(&format!("{what}, {compiler}"), &mut Command::new(&exe))
            .unwrap_or_else(|message| panic!("{message}\n--- source:\n{program}"));
        assert_eq!(stdout.trim_end(), "static:greeter-c", "{what}, {compiler}");
    }

    let cpp = the_block("docs/static.md", "cpp", "load_static(");
    let (entry, statements) = entry_and_statements(&cpp);
    let program = STATIC_CPP_HOST
        .replace("{entry}", entry)
        .replace("{statements}", &statements);
    let source = dir.join("host.cpp");
    fs::write(&source, &program).unwrap();
    let root = repo_root();
    for compiler in available(&["g++", "clang++"]) {
        let mut args: Vec<String> = support::WARNINGS.iter().map(|w| w.to_string()).collect();
        args.extend([
            format!("-I{}", root.join("include").display()),
            format!("-I{}", root.join("sdk-c/host/include").display()),
            "-c".into(),
            source.display().to_string(),
            "-o".into(),
            dir.join(format!("host-{compiler}.o")).display().to_string(),
        ]);
        support::compile(compiler, "c++17", &source, &args)
            .unwrap_or_else(|message| panic!("{what}: {message}\n--- source:\n{program}"));
    }
}

/// docs/static.md's commands for the C greeter, the static build and the C
/// host it is linked into, run as written (`sh -e`) in a directory outside
/// the repository holding only the example `greeter.c` and a `host.c` made
/// of the section's C snippet, against the SDK installed with its host part
/// and found through `PKG_CONFIG_PATH`: the archive is made, and the host
/// loads the greeter linked into it. Then the block that adds the C++
/// greeter and the Zig greeter's archive (built as the page says, with
/// `zig build -Dstatic=greeter_zig`) links a host that loads all three.
#[test]
fn the_static_guide_c_commands_run_against_an_installed_sdk() {
    // Linux commands (`cc`, `ar`, an rpath); no cmake or cc under Wine.
    if !cfg!(target_os = "linux") || !have_all(&["cmake", "pkg-config", "cc", "ar"]) {
        return;
    }
    let prefix = example_hosts::install_sdk("static_guide_sdk", Linking::Shared);
    let dir = scratch("static_guide_commands");
    fs::copy(
        repo_root().join("examples-c/greeter/greeter.c"),
        dir.join("greeter.c"),
    )
    .unwrap();
    let c = the_block("docs/static.md", "c", "tenon_plugin_load_static(");
    let (entry, statements) = entry_and_statements(&c);
    let program = STATIC_C_HOST
        .replace("{entry}", entry)
        .replace("{statements}", &statements);
    fs::write(dir.join("host.c"), &program).unwrap();
    for marker in ["ar rcs libgreeter_c.a", "greeter_c.o -o host"] {
        let script = the_block("docs/static.md", "sh", marker);
        run(
            &format!("docs/static.md's commands:\n{script}"),
            Command::new("sh")
                .arg("-ec")
                .arg(&script)
                .current_dir(&dir)
                .env("PKG_CONFIG_PATH", prefix.join("share/pkgconfig")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(dir.join("libgreeter_c.a").is_file(), "no libgreeter_c.a");
    let stdout = run(
        "the host docs/static.md's commands built",
        &mut Command::new(dir.join("host")),
    )
    .unwrap_or_else(|e| panic!("{e}\n--- host.c:\n{program}"));
    assert_eq!(stdout.trim_end(), "static:greeter-c");

    let what = "docs/static.md's C++ and Zig commands";
    let zig = match zig_command() {
        Ok(zig) => zig,
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain_missing("zig", &format!("{what} were not run: {error}"));
            return;
        }
        Err(error) => panic!("finding zig: {error}"),
    };
    if !have_all(&["c++"]) {
        toolchain_missing("c++", &format!("{what} were not run"));
        return;
    }
    fs::copy(
        repo_root().join("examples-c/greeter-cpp/greeter.cpp"),
        dir.join("greeter.cpp"),
    )
    .unwrap();
    // The Zig greeter's project is built where it is, its output and cache
    // put where the block expects them (`greeter-zig/zig-out`), so nothing
    // is written into the repository.
    run(
        &format!("{what}: zig build -Dstatic=greeter_zig"),
        Command::new(&zig[0])
            .args(&zig[1..])
            .args(["build", "-Dstatic=greeter_zig", "-Doptimize=ReleaseSafe"])
            .arg("--prefix")
            .arg(dir.join("greeter-zig/zig-out"))
            .arg("--cache-dir")
            .arg(dir.join("zig-cache"))
            .current_dir(repo_root().join("examples-zig/greeter")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::write(dir.join("host.c"), STATIC_THREE_HOST).unwrap();
    let script = the_block("docs/static.md", "sh", "greeter_cpp.o");
    run(
        &format!("{what}:\n{script}"),
        Command::new("sh")
            .arg("-ec")
            .arg(&script)
            .current_dir(&dir)
            .env("PKG_CONFIG_PATH", prefix.join("share/pkgconfig")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let stdout = run(
        "the host docs/static.md's C++ and Zig commands built",
        &mut Command::new(dir.join("host")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "static:greeter-c",
            "static:greeter-cpp",
            "static:greeter-zig",
        ]
    );
}

/// A C host of the three greeters docs/static.md links in (C, C++ and
/// Zig): it loads each by its entry, which verifies the descriptor the
/// entry returns, so every object on the block's command line is linked in
/// and its references (the C++ standard library's among them) resolved.
const STATIC_THREE_HOST: &str = r#"#include <stdio.h>
#include <tenon/host.h>

const tenon_plugin_descriptor *tenon_plugin_v1_greeter_c(void);
const tenon_plugin_descriptor *tenon_plugin_v1_greeter_cpp(void);
const tenon_plugin_descriptor *tenon_plugin_v1_greeter_zig(void);

static int load(const char *name, tenon_plugin_entry_v1 entry) {
    tenon_options *options = tenon_options_new();
    tenon_plugin *plugin = NULL;
    tenon_error *error = tenon_plugin_load_static(name, entry, options, &plugin);
    tenon_options_free(options);
    if (error != NULL) {
        fprintf(stderr, "%s: [%s] %s\n", name, tenon_error_kind(error), tenon_error_message(error));
        tenon_error_free(error);
        return 1;
    }
    printf("%s\n", tenon_plugin_path(plugin));
    tenon_plugin_free(plugin);
    return 0;
}

int main(void) {
    int failed = load("greeter-c", tenon_plugin_v1_greeter_c);
    failed |= load("greeter-cpp", tenon_plugin_v1_greeter_cpp);
    failed |= load("greeter-zig", tenon_plugin_v1_greeter_zig);
    return failed;
}
"#;

/// The `[package]` name of the crate in `dir` (under the repository root).
fn package_name(dir: &str) -> Result<String, String> {
    let manifest = repo_root().join(dir).join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("no crate at /path/to/tenon/{dir}: {e}"))?;
    text.lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("name")?.trim_start();
            Some(value.strip_prefix('=')?.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| format!("{} names no package", manifest.display()))
}

/// The `(name, DIR)` of each `name = { path = "/path/to/tenon/DIR" ... }`
/// line of the ```toml blocks of `document`.
fn path_dependencies(document: &str) -> Vec<(String, String)> {
    doc_blocks(document, "toml")
        .iter()
        .flat_map(|block| block.lines())
        .filter_map(|line| {
            let (name, rest) = line.split_once('=')?;
            let dir = rest
                .split_once("path = \"/path/to/tenon/")?
                .1
                .split_once('"')?
                .0;
            Some((name.trim().to_owned(), dir.to_owned()))
        })
        .collect()
}

#[test]
fn the_docs_path_dependencies_name_the_crates_at_those_paths() {
    let mut documents = vec!["README.md".to_owned()];
    for entry in fs::read_dir(repo_root().join("docs")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            documents.push(format!("docs/{name}"));
        }
    }
    let mut failures = Vec::new();
    let mut seen = 0;
    for document in &documents {
        for (name, dir) in path_dependencies(document) {
            seen += 1;
            match package_name(&dir) {
                Ok(package) if package == name => {}
                Ok(package) => failures.push(format!(
                    "{document}: {name} by path /path/to/tenon/{dir}, whose package is {package}"
                )),
                Err(message) => failures.push(format!("{document}: {name}: {message}")),
            }
        }
    }
    assert!(seen > 0, "no path dependency found in the docs");
    // A newcomer writes a host and a plugin in projects of their own: the
    // pages that show both say how each depends on the SDK.
    for document in ["README.md", "docs/guide-rust.md"] {
        let names: Vec<String> = path_dependencies(document)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        for wanted in ["tenon", "tenon-plugin"] {
            if !names.iter().any(|name| name == wanted) {
                failures.push(format!(
                    "{document}: no ```toml block depends on {wanted} by path"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
