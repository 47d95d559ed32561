//! Load → instantiate → call → unload, over and over: every cycle really
//! unloads, the process's mappings return to where they were, and resident
//! memory stays within a stated bound. Alone in its test binary, so that no
//! other test maps or allocates meanwhile; `.ci/run` also runs the short
//! test under valgrind with leak checking.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use tenon::{Plugin, UnloadOutcome};
use tenon_example_interfaces::Greeter;

/// The cycles of the long test.
const CYCLES: usize = 1_000;

/// How far resident memory may grow over the long test, in KiB. Measured
/// here (glibc 2.36, debug build, after one warm-up cycle): +4 KiB over
/// 1,000 cycles of both plugins. 512 KiB leaves room for allocator noise on
/// other machines and still fails for a leak of 512 bytes a cycle; smaller
/// leaks are for the valgrind run of the short test.
const RSS_GROWTH_BOUND_KIB: u64 = 512;

/// A greeter in C, and the Rust example greeter: a Rust plugin carries its
/// own standard library, whose statics must let go of what they allocated
/// before the library goes (a panic hook, a list of live instances).
fn plugin_paths() -> [PathBuf; 2] {
    let rust = tenon_test_plugins::rust_plugin("greeter-rust").expect("building greeter-rust");
    [tenon_test_plugins::c_fixture("plain_greeter"), rust]
        .map(|path| std::fs::canonicalize(path).unwrap())
}

/// One cycle, checked: the library is unloaded at its end.
fn cycle(path: &Path) {
    let plugin = Plugin::load(path).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("cycle").unwrap(), "Hello, cycle!");
    drop(greeter);
    drop(instance);
    let outcome = plugin.unload();
    assert!(
        matches!(outcome, UnloadOutcome::Unloaded),
        "{}: {outcome}",
        outcome.name()
    );
}

/// The file-backed mappings of `/proc/self/maps` (device, inode, file;
/// sorted), and how many name `path`. Anonymous mappings are left out:
/// thread stacks and malloc's arenas come and go with the test harness's
/// threads, not with plugins.
fn mappings(path: &Path) -> (Vec<String>, usize) {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let name = path.to_str().unwrap();
    let mut files: Vec<String> = maps
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() >= 6 && fields[4] != "0").then(|| fields[3..].join(" "))
        })
        .collect();
    files.sort();
    let plugin = maps.lines().filter(|line| line.ends_with(name)).count();
    (files, plugin)
}

/// `VmRSS` of `/proc/self/status`, in KiB.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The mappings after `cycles` cycles are those from before: nothing of the
/// library, nothing new besides.
fn cycles_return_to_baseline(cycles: usize) -> (u64, u64) {
    // The tests of this binary run on threads of one process: one at a
    // time, or each would see the other's mappings.
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let paths = plugin_paths();
    // The first load brings in what stays for good (the loader's caches,
    // malloc's arena for this thread): not a leak of unloading.
    for path in &paths {
        cycle(path);
    }
    let before: Vec<_> = paths.iter().map(|path| mappings(path)).collect();
    assert!(before.iter().all(|&(_, plugin)| plugin == 0));
    let rss_before = resident_kib();
    for _ in 0..cycles {
        for path in &paths {
            cycle(path);
        }
    }
    let rss_after = resident_kib();
    for (path, (maps_before, _)) in paths.iter().zip(before) {
        let (maps_after, plugin_after) = mappings(path);
        assert_eq!(plugin_after, 0, "no mapping of {} is left", path.display());
        assert_eq!(
            maps_after, maps_before,
            "the process's file mappings are back to those before the cycles"
        );
    }
    (rss_before, rss_after)
}

#[test]
fn a_thousand_cycles_return_to_baseline_within_the_memory_bound() {
    let (before, after) = cycles_return_to_baseline(CYCLES);
    let growth = after.saturating_sub(before);
    eprintln!("VmRSS {before} KiB -> {after} KiB over {CYCLES} cycles (+{growth} KiB)");
    assert!(
        growth <= RSS_GROWTH_BOUND_KIB,
        "resident memory grew by {growth} KiB over {CYCLES} cycles (bound: \
         {RSS_GROWTH_BOUND_KIB} KiB)"
    );
}

/// The short run `.ci/run` gives valgrind (`--leak-check=full`): each cycle
/// unloads, and no memory is definitely lost.
#[test]
fn load_call_unload_cycles_leave_nothing_behind() {
    cycles_return_to_baseline(20);
}
