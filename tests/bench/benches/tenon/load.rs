//! Load + verify + instantiate + resolve one interface, against what a C
//! host does by hand with the same file: warm (repeated in this process)
//! and cold (the first load in a fresh process).

use crate::c_host;
use crate::harness::{run_group, Case, Row, Settings};
use crate::installed::Installed;
use std::ffi::{CStr, CString};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tenon::{Interface, Plugin};
use tenon_example_interfaces::{Greeter, Kv, Processor};

/// A plugin to load and the interface to resolve in it.
#[derive(Clone)]
pub struct Subject {
    /// Short name for the case names (`greeter-c`).
    pub label: String,
    /// The library.
    pub path: PathBuf,
    /// Which example interface to resolve: `greeter`, `kv` or `processor`.
    pub interface: &'static str,
}

/// What `Plugin::load` and friends do for a host that uses one interface,
/// calling `ready` once the handle is resolved, before everything is
/// dropped (destroy, `dlclose`).
fn tenon_once(path: &Path, interface: &str, ready: impl FnOnce()) {
    fn with<I: ?Sized + Interface>(path: &Path, ready: impl FnOnce()) {
        let plugin = Plugin::load(path).expect("the plugin loads");
        let instance = plugin.instantiate("").expect("the plugin instantiates");
        let handle = instance.interface::<I>().expect("the interface resolves");
        black_box(&handle);
        ready();
    }
    match interface {
        "greeter" => with::<dyn Greeter>(path, ready),
        "kv" => with::<dyn Kv>(path, ready),
        "processor" => with::<dyn Processor>(path, ready),
        other => panic!("unknown interface {other}"),
    }
}

fn interface_id(interface: &str) -> &'static CStr {
    match interface {
        "greeter" => <dyn Greeter as Interface>::C_ID,
        "kv" => <dyn Kv as Interface>::C_ID,
        "processor" => <dyn Processor as Interface>::C_ID,
        other => panic!("unknown interface {other}"),
    }
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL in the path")
}

/// Warm loads: each sample loads, uses and unloads the library once.
pub fn warm(settings: &Settings, subjects: &[Subject]) -> Vec<Row> {
    let mut cases = Vec::new();
    for subject in subjects {
        let raw = format!("load-warm/{}/raw-dlopen", subject.label);
        let path = c_path(&subject.path);
        let id = interface_id(subject.interface);
        cases.push(Case::once(raw.clone(), move || {
            let start = Instant::now();
            c_host::load_use_unload(&path, id, || ());
            start.elapsed()
        }));
        let path = subject.path.clone();
        let interface = subject.interface;
        cases.push(
            Case::once(format!("load-warm/{}/tenon", subject.label), move || {
                let start = Instant::now();
                tenon_once(&path, interface, || ());
                start.elapsed()
            })
            .against(&raw),
        );
    }
    let rows = run_group(
        settings,
        "load + verify + instantiate + resolve, repeated in one process",
        cases,
    );
    for subject in subjects {
        if still_mapped(&subject.path) {
            println!(
                "  NOTE: {} stays mapped after its last dlclose, so its warm loads measure a \
                 reference count, not a load (a thread-local destructor registered by the \
                 plugin keeps it until the thread exits)",
                subject.label
            );
        }
    }
    rows
}

/// Whether the library at `path` is still mapped into this process
/// (Linux: `/proc/self/maps`; elsewhere unknown, reported as not).
fn still_mapped(path: &Path) -> bool {
    let Ok(path) = std::fs::canonicalize(path) else {
        return false;
    };
    let Some(path) = path.to_str() else {
        return false;
    };
    std::fs::read_to_string("/proc/self/maps")
        .map(|maps| maps.lines().any(|line| line.ends_with(path)))
        .unwrap_or(false)
}

/// The environment variable that makes the bench binary a child that
/// performs one load and prints its time in nanoseconds.
const CHILD: &str = "TENON_BENCH_LOAD_CHILD";

/// If this process is a cold-load child, performs the load, prints the
/// nanoseconds it took, and returns true. Its mode says whose load (`raw`,
/// `tenon`) and when the clock stops: after the unload, or with `-ready`
/// once the instance is usable (the unload follows, untimed).
pub fn child() -> bool {
    let Some(spec) = std::env::var_os(CHILD) else {
        return false;
    };
    let spec = spec.into_string().expect("UTF-8 child spec");
    let mut parts = spec.splitn(3, ':');
    let (Some(mode), Some(interface), Some(path)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("bad {CHILD}: {spec}");
    };
    let path = Path::new(path);
    let (who, until_ready) = match mode.strip_suffix("-ready") {
        Some(who) => (who, true),
        None => (mode, false),
    };
    // What a C host is given: the path as a C string, the id.
    let (c, id) = (c_path(path), interface_id(interface));
    let mut ready_at = None;
    let start = Instant::now();
    match who {
        "raw" => c_host::load_use_unload(&c, id, || ready_at = Some(start.elapsed())),
        "tenon" => tenon_once(path, interface, || ready_at = Some(start.elapsed())),
        other => panic!("bad child mode {other}"),
    }
    let elapsed = if until_ready {
        ready_at.expect("the load got ready")
    } else {
        start.elapsed()
    };
    println!("{}", elapsed.as_nanos());
    true
}

/// How one cold sample runs: which executable is the child, which file it
/// loads, and its mode (see [`child`]).
#[derive(Clone)]
struct ColdRun {
    exe: PathBuf,
    plugin: PathBuf,
    interface: &'static str,
    mode: String,
}

/// Runs one cold load in a fresh process and returns the time the child
/// measured around the load alone (the process start is not included).
fn in_child(run: &ColdRun) -> Duration {
    let output = Command::new(&run.exe)
        .env(
            CHILD,
            format!("{}:{}:{}", run.mode, run.interface, run.plugin.display()),
        )
        .output()
        .expect("the bench can run itself");
    assert!(
        output.status.success(),
        "cold-load child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let ns: u64 = text
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("cold-load child printed {text:?}"));
    Duration::from_nanos(ns)
}

/// Cold loads: each sample is the first load in a fresh process. The
/// child is an installed copy of this benchmark loading an installed copy
/// of the plugin (`installed.rs` says why); the `-as-linked` cases run the
/// files as the build left them. The `-ready` cases stop the clock once the
/// instance is usable, as Go's `plugin.Open` (which cannot unload) is timed.
pub fn cold(settings: &Settings, subjects: &[Subject]) -> Vec<Row> {
    let linked_exe = std::env::current_exe().expect("the bench knows its path");
    let mut installed = Installed::new("cold");
    let installed_exe = installed.copy(&linked_exe);
    let mut cases = Vec::new();
    for subject in subjects {
        let installed_plugin = installed.copy(&subject.path);
        let variants = [
            ("", "", &installed_exe, &installed_plugin),
            ("-ready", "-ready", &installed_exe, &installed_plugin),
            ("", "-as-linked", &linked_exe, &subject.path),
        ];
        for (mode_suffix, name_suffix, exe, plugin) in variants {
            let raw = format!("load-cold/{}/raw-dlopen{name_suffix}", subject.label);
            let run = |who: &str| ColdRun {
                exe: exe.clone(),
                plugin: plugin.clone(),
                interface: subject.interface,
                mode: format!("{who}{mode_suffix}"),
            };
            let raw_run = run("raw");
            cases.push(Case::once(raw.clone(), move || in_child(&raw_run)));
            let tenon_run = run("tenon");
            cases.push(
                Case::once(
                    format!("load-cold/{}/tenon{name_suffix}", subject.label),
                    move || in_child(&tenon_run),
                )
                .against(&raw),
            );
        }
    }
    let settings = Settings {
        samples: settings.samples.min(51),
        ..*settings
    };
    run_group(
        &settings,
        "load + verify + instantiate + resolve, first load in a fresh process",
        cases,
    )
}
