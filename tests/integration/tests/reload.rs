//! Hot reload (`docs/reload.md`): a reloadable plugin swapped between builds
//! while threads call it, broken builds refused with the old one serving,
//! state handed over by the kv examples (C, C++ and Rust, in process and
//! isolated), files rebuilt in place or still being written.
//!
//! The two builds swapped are `tests/fixtures/reload_build_{a,b}.c`: one
//! thread-safe greeter, `reload-greeter`, answering `a:<name>` or
//! `b:<name>`.
//!
//! On Windows (`scripts/test-windows.sh`, under Wine) every test runs but
//! the isolated ones that read `/proc`, with the same prebuilt builds.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::scratch;
use tenon::{Loader, Plugin, ReloadOptions, Reloadable};
use tenon_example_interfaces::{Greeter, Kv};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_plugin, rust_plugin};

fn build_a() -> PathBuf {
    c_fixture("reload_build_a")
}

fn build_b() -> PathBuf {
    c_fixture("reload_build_b")
}

fn greet(greeter: &Reloadable<dyn Greeter>) -> String {
    greeter.with(|g| g.greet("x")).expect("greet")
}

/// The stress test: four threads call continuously while another
/// reloads 200 times between two builds. No call may fail, and every answer
/// comes whole from one of the two builds.
#[test]
fn four_callers_two_hundred_reloads_no_failed_call() {
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(build_a(), "", ReloadOptions::stateless())
        .unwrap();
    let (a, b) = (build_a(), build_b());
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let greeter = greeter.clone();
            let stop = Arc::clone(&stop);
            let calls = Arc::clone(&calls);
            std::thread::spawn(move || {
                let (mut failed, mut wrong, mut times) = (0u64, Vec::new(), Vec::new());
                let mut seen = BTreeSet::new();
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    let answer = greeter.with(|g| g.greet("x"));
                    times.push(start.elapsed());
                    calls.fetch_add(1, Ordering::Relaxed);
                    match answer {
                        Ok(answer) if answer == "a:x" || answer == "b:x" => {
                            seen.insert(answer);
                        }
                        Ok(answer) => wrong.push(answer),
                        Err(_) => failed += 1,
                    }
                }
                (failed, wrong, times, seen)
            })
        })
        .collect();
    let started = Instant::now();
    let mut slowest_reload = Duration::ZERO;
    for i in 0..200 {
        let next = if i % 2 == 0 { &b } else { &a };
        let reloaded = greeter.reload_from(next).unwrap();
        slowest_reload = slowest_reload.max(reloaded.took);
        assert_eq!(reloaded.generation, i + 2);
    }
    stop.store(true, Ordering::Relaxed);
    let took = started.elapsed();
    let mut times = Vec::new();
    let mut seen = BTreeSet::new();
    for caller in callers {
        let (failed, wrong, caller_times, caller_seen) = caller.join().unwrap();
        assert_eq!(failed, 0, "calls failed during the reloads");
        assert!(wrong.is_empty(), "answers from no build: {wrong:?}");
        times.extend(caller_times);
        seen.extend(caller_seen);
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    assert_eq!(
        seen,
        BTreeSet::from(["a:x".to_owned(), "b:x".to_owned()]),
        "both builds served"
    );
    // 200 reloads alternate a → b → … → a: the last one loaded a.
    assert_eq!(greet(&greeter), "a:x");
    // On a machine with fewer cores than threads the tail is the
    // scheduler's: a caller preempted mid-call waits for a core.
    println!(
        "reload stress: 200 reloads in {took:?} (slowest {slowest_reload:?}), {} calls from 4 threads, 0 failed; call latency during the swaps: median {:?}, p99 {:?}, p99.9 {:?}, worst {:?}",
        calls.load(Ordering::Relaxed),
        at(0.5),
        at(0.99),
        at(0.999),
        times[times.len() - 1],
    );
}

/// Broken builds of every kind are refused with their usual error kind,
/// and the old build keeps serving, unchanged.
#[test]
fn a_broken_build_is_refused_and_the_old_one_keeps_serving() {
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        // create_fails refuses a non-empty config; the other builds ignore it.
        .reloadable(
            build_a(),
            "x",
            ReloadOptions::stateless().settle(Duration::ZERO),
        )
        .unwrap();
    let broken = [
        (c_fixture("no_entry"), "missing_entry"),
        (c_fixture("not_a_library"), "not_a_library"),
        (c_fixture("create_fails"), "create_failed"),
        (c_fixture("null_slot"), "null_slot"),
        (c_plugin("processor"), "interface_not_found"),
        // Another version of the interface: no reload moves to it.
        (c_fixture("greeter_v2"), "interface_version_mismatch"),
        (PathBuf::from("/nonexistent/libplugin.so"), "file_not_found"),
    ];
    for (path, kind) in broken {
        let error = greeter.reload_from(&path).unwrap_err();
        assert_eq!(error.kind(), kind, "{}: {error}", path.display());
        assert_eq!(greet(&greeter), "a:x", "after {}", path.display());
        assert_eq!(greeter.generation(), 1);
        // The next reload still reads the last good file.
        assert_eq!(greeter.path(), build_a());
    }
    let reloaded = greeter.reload_from(build_b()).unwrap();
    assert_eq!(reloaded.generation, 2);
    assert!(reloaded.released_old);
    assert_eq!(greet(&greeter), "b:x");
}

/// A hand-over asks every build for `org.tenon.state`: a plugin without it
/// is refused at load and at reload with `interface_not_found`, whose
/// message says what the state interface is for and that a stateless
/// reload does without it. Another missing interface gets no such hint.
#[test]
fn a_hand_over_without_the_state_interface_says_why_it_is_needed() {
    let hint = |error: &tenon::Error| {
        let message = error.to_string();
        assert_eq!(error.kind(), "interface_not_found", "{message}");
        assert!(
            message.contains("does not implement interface \"org.tenon.state\""),
            "{message}"
        );
        assert!(
            message.contains("needs it of every build")
                && message.contains("saves and restores its state through it")
                && message.contains(
                    "ReloadOptions::stateless() (TENON_RELOAD_STATELESS) reloads without it"
                ),
            "{message}"
        );
    };
    let error = Plugin::loader()
        .reloadable::<dyn Kv>(
            c_fixture("kv_without_state"),
            "",
            ReloadOptions::hand_over(),
        )
        .expect_err("refused at load");
    hint(&error);

    let kv: Reloadable<dyn Kv> = Plugin::loader()
        .reloadable(c_plugin("kv"), "", ReloadOptions::hand_over())
        .unwrap();
    kv_put(&kv, "kept", b"1");
    let error = kv.reload_from(c_fixture("kv_without_state")).unwrap_err();
    hint(&error);
    assert_eq!(kv.generation(), 1);
    assert_eq!(kv_get(&kv, "kept"), b"1", "the old build still serves");

    let error = Plugin::loader()
        .reloadable::<dyn Kv>(build_a(), "", ReloadOptions::stateless())
        .expect_err("a greeter is no kv");
    assert_eq!(error.kind(), "interface_not_found", "{error}");
    assert!(!error.to_string().contains("stateless"), "{error}");
}

/// Rewriting the file in place (same path, same inode) and reloading gives
/// the new build: the loader's cache never serves a stale one. The old
/// build, loaded from a private copy, keeps working while its file is
/// overwritten.
#[test]
fn the_same_path_rebuilt_in_place_reloads_the_new_build() {
    let dir = scratch("in-place");
    let path = dir.join("libplugin.so");
    std::fs::copy(build_a(), &path).unwrap();
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&path, "", ReloadOptions::stateless())
        .unwrap();
    assert_eq!(greet(&greeter), "a:x");
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
    // `fs::copy` onto an existing file truncates and rewrites it in place.
    std::fs::copy(build_b(), &path).unwrap();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap()),
        inode,
        "the file was rewritten in place"
    );
    assert_eq!(greet(&greeter), "a:x", "the old build still serves");
    greeter.reload().unwrap();
    assert_eq!(greet(&greeter), "b:x");
    // Back and forth on the same path, several times.
    for (build, answer) in [(build_a(), "a:x"), (build_b(), "b:x"), (build_a(), "a:x")] {
        std::fs::copy(build, &path).unwrap();
        greeter.reload().unwrap();
        assert_eq!(greet(&greeter), answer);
    }
    // Plain loads of the same path twice share one library (the file is
    // not rewritten meanwhile: a plain load maps the file itself, and
    // rewriting a mapped file in place breaks whoever runs it).
    let first = Plugin::load(&path).unwrap();
    let second = Plugin::load(&path).unwrap();
    assert_eq!(first.name(), second.name());
    drop((first, second));
    let _ = std::fs::remove_dir_all(dir);
}

/// The file a reloadable was loaded from can be deleted, replaced and
/// renamed over while its build serves, since the build runs from a private
/// copy: on Windows, where the file of a loaded DLL is locked, this is what
/// lets a build tool write the plugin again.
#[test]
fn the_loaded_file_can_be_deleted_and_replaced() {
    replace_while_serving(&Plugin::loader(), "replace");
}

/// Deletes, rewrites and renames over the file of a reloadable that
/// `loader` loads while a build serves, reloading after each.
fn replace_while_serving(loader: &Loader, name: &str) {
    let dir = scratch(name);
    let path = dir.join("plugin.dll");
    std::fs::copy(build_a(), &path).unwrap();
    let greeter: Reloadable<dyn Greeter> = loader
        .reloadable(&path, "", ReloadOptions::stateless())
        .unwrap();
    std::fs::remove_file(&path).expect("the loaded build does not lock its file");
    assert_eq!(greet(&greeter), "a:x");
    std::fs::copy(build_b(), &path).unwrap();
    greeter.reload().unwrap();
    assert_eq!(greet(&greeter), "b:x");
    // Written elsewhere and renamed over the loaded one, as build tools do.
    let next = dir.join("next.dll");
    std::fs::copy(build_a(), &next).unwrap();
    std::fs::rename(&next, &path).expect("the loaded build does not lock its file");
    greeter.reload().unwrap();
    assert_eq!(greet(&greeter), "a:x");
    // Rewritten in place (`fs::copy` onto the existing file).
    std::fs::copy(build_b(), &path).expect("the loaded build does not lock its file");
    greeter.reload().unwrap();
    assert_eq!(greet(&greeter), "b:x");
    drop(greeter);
    let _ = std::fs::remove_dir_all(dir);
}

/// A file written in two halves with a pause between them is not loaded
/// half-written: a reload during the pause waits for the rest (the settle
/// time) and loads the whole build; a file that stays incomplete is refused
/// once the settle time has passed, with the old build serving.
#[test]
fn a_half_written_file_is_never_loaded() {
    let dir = scratch("half");
    let path = dir.join("libplugin.so");
    std::fs::copy(build_a(), &path).unwrap();
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&path, "", ReloadOptions::stateless())
        .unwrap();
    let bytes = std::fs::read(build_b()).unwrap();
    let half = bytes.len() / 2;

    // Completed after a pause: the reload in between waits for it.
    std::fs::write(&path, &bytes[..half]).unwrap();
    let writer = {
        let path = path.clone();
        let rest = bytes[half..].to_vec();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            file.write_all(&rest).unwrap();
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let reloaded = greeter.reload().unwrap();
    writer.join().unwrap();
    assert!(
        reloaded.took >= Duration::from_millis(200),
        "the reload waited for the rest ({:?})",
        reloaded.took
    );
    assert_eq!(greet(&greeter), "b:x");

    // Never completed: refused after the settle time, old build serving.
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(
            build_a(),
            "",
            ReloadOptions::stateless().settle(Duration::from_millis(200)),
        )
        .unwrap();
    std::fs::write(&path, &bytes[..half]).unwrap();
    let error = greeter.reload_from(&path).unwrap_err();
    assert_eq!(error.kind(), "not_a_library", "{error}");
    assert_eq!(greet(&greeter), "a:x");
    let _ = std::fs::remove_dir_all(dir);
}

/// Watching: a changed file is reloaded after the debounce, a broken build's
/// error reaches the callback and the old build keeps serving, and both an
/// atomic rename and a rewrite in place are seen.
#[test]
fn a_watched_file_is_reloaded_when_it_changes() {
    let dir = scratch("watch");
    let path = dir.join("libplugin.so");
    std::fs::copy(build_a(), &path).unwrap();
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(
            &path,
            "",
            ReloadOptions::stateless().settle(Duration::from_millis(300)),
        )
        .unwrap();
    let (sender, outcomes) = std::sync::mpsc::channel();
    let sender = Mutex::new(sender);
    let watcher = greeter
        .watch(Duration::from_millis(100), move |outcome| {
            let _ = sender
                .lock()
                .unwrap()
                .send(outcome.map(|r| r.generation).map_err(|e| e.kind()));
        })
        .unwrap();
    let next = || {
        outcomes
            .recv_timeout(Duration::from_secs(10))
            .expect("the watcher reloads within 10 s")
    };
    let replace = |contents: &[u8]| {
        let staged = dir.join(".staged");
        std::fs::write(&staged, contents).unwrap();
        std::fs::rename(&staged, &path).unwrap();
    };

    replace(&std::fs::read(build_b()).unwrap());
    assert_eq!(next(), Ok(2));
    assert_eq!(greet(&greeter), "b:x");

    replace(b"not a library at all\n");
    assert_eq!(next(), Err("not_a_library"));
    assert_eq!(greet(&greeter), "b:x", "the old build keeps serving");

    // Rewritten in place (a copy onto the existing file).
    std::fs::copy(build_a(), &path).unwrap();
    assert_eq!(next(), Ok(3));
    assert_eq!(greet(&greeter), "a:x");

    // After a reload_from another file, a change of the watched file
    // reloads the watched file, not the other one.
    greeter.reload_from(build_b()).unwrap();
    assert_eq!(greet(&greeter), "b:x");
    replace(&std::fs::read(build_a()).unwrap());
    assert_eq!(next(), Ok(5));
    assert_eq!(greet(&greeter), "a:x", "the watched file was reloaded");
    // The same file, whichever spelling each side keeps (on Windows one
    // is the verbatim `\\?\` form).
    assert_eq!(
        std::fs::canonicalize(greeter.path()).unwrap(),
        std::fs::canonicalize(&path).unwrap()
    );
    drop(watcher);
    let _ = std::fs::remove_dir_all(dir);
}

fn kv_put(kv: &Reloadable<dyn Kv>, key: &str, value: &[u8]) {
    kv.with(|kv| kv.put(key, value)).unwrap();
}

fn kv_get(kv: &Reloadable<dyn Kv>, key: &str) -> Vec<u8> {
    kv.with(|kv| kv.get(key))
        .unwrap_or_else(|e| panic!("get({key:?}): {e}"))
}

/// Fills a kv, reloads it through `builds` with state hand-over, and checks
/// after each reload that every entry came along, then that a build whose
/// restore fails is refused with the data intact.
fn hand_over_through(loader: &Loader, builds: &[PathBuf]) {
    let kv: Reloadable<dyn Kv> = loader
        .reloadable(&builds[0], "", ReloadOptions::hand_over())
        .unwrap();
    let large = vec![7u8; 300_000];
    kv_put(&kv, "a", b"1");
    kv_put(&kv, "ключ", b"\0binary\xff");
    kv_put(&kv, "", b"empty key");
    kv_put(&kv, "large", &large);
    for (i, build) in builds.iter().enumerate().skip(1) {
        let reloaded = kv.reload_from(build).unwrap();
        assert_eq!(reloaded.generation, i as u64 + 1);
        assert!(reloaded.state_bytes.unwrap() > large.len());
        assert_eq!(
            kv.with(|kv| kv.len()).unwrap(),
            4,
            "after {}",
            build.display()
        );
        assert_eq!(kv_get(&kv, "a"), b"1");
        assert_eq!(kv_get(&kv, "ключ"), b"\0binary\xff");
        assert_eq!(kv_get(&kv, ""), b"empty key");
        assert_eq!(kv_get(&kv, "large"), large);
        // The new build goes on storing.
        kv_put(&kv, &format!("after {i}"), b"x");
        kv.with(|kv| kv.remove(&format!("after {i}"))).unwrap();
    }
    let name = kv.plugin().name().to_owned();
    let error = kv.reload_from(c_fixture("kv_restore_fails")).unwrap_err();
    assert_eq!(error.kind(), "state_hand_over_failed", "{error}");
    assert!(
        error
            .to_string()
            .contains("this build reads no saved state"),
        "{error}"
    );
    // The message is the new build's, which the error names no plugin of:
    // it says whose step failed.
    assert!(
        error
            .to_string()
            .contains("(the new build's restore failed: "),
        "{error}"
    );
    assert_eq!(kv.plugin().name(), name, "the old build still serves");
    assert_eq!(kv_get(&kv, "large"), large, "its data intact");
    kv_put(&kv, "still", b"writable");
}

fn kv_builds() -> Vec<PathBuf> {
    vec![
        c_plugin("kv"),
        c_plugin("kv"),
        rust_plugin("kv-rust").unwrap(),
        rust_plugin("kv-rust").unwrap(),
        cpp_plugin("kv-cpp"),
        c_plugin("kv"),
    ]
}

/// State hand-over in process: C → C, C → Rust → Rust → C++ → C (the kv
/// examples share their state format).
#[test]
fn kv_state_is_handed_over_in_process() {
    hand_over_through(&Plugin::loader(), &kv_builds());
}

/// Calls made while a hand-over runs wait for it and never fail; writes
/// made before the swap are all in the new build.
#[test]
fn calls_during_a_hand_over_wait_and_never_fail() {
    let kv: Reloadable<dyn Kv> = Plugin::loader()
        .reloadable(
            rust_plugin("kv-rust").unwrap(),
            "",
            ReloadOptions::hand_over(),
        )
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|t| {
            let kv = kv.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                // Bounded, so that the state handed over stays small (the C
                // kv searches linearly).
                let mut written = 0u64;
                while !stop.load(Ordering::Relaxed) && written < 1000 {
                    kv.with(|kv| kv.put(&format!("{t}/{written}"), b"v"))
                        .expect("no call fails during a hand-over");
                    written += 1;
                    std::thread::sleep(Duration::from_micros(200));
                }
                written
            })
        })
        .collect();
    let builds = [c_plugin("kv"), rust_plugin("kv-rust").unwrap()];
    for i in 0..20 {
        kv.reload_from(&builds[i % 2]).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(kv.with(|kv| kv.len()).unwrap(), written, "no write lost");
}

/// A hand-over started from inside a call cannot drain that call: it gives
/// up after the drain timeout with `drain_timed_out` (it does not wait for
/// itself), and the old build goes on serving its data. The C kv is not
/// thread-safe, so the call holds its build's lock throughout.
#[test]
fn a_hand_over_from_inside_a_call_times_out_draining() {
    let kv: Reloadable<dyn Kv> = Plugin::loader()
        .reloadable(
            c_plugin("kv"),
            "",
            ReloadOptions::hand_over().drain_timeout(Duration::from_millis(50)),
        )
        .unwrap();
    kv_put(&kv, "a", b"1");
    let error = kv
        .with(|_| kv.reload())
        .expect_err("the call in flight cannot drain");
    assert_eq!(error.kind(), "drain_timed_out", "{error}");
    assert_eq!(kv.generation(), 1);
    assert_eq!(kv_get(&kv, "a"), b"1");
    assert_eq!(kv.reload().unwrap().generation, 2, "drained from outside");
    assert_eq!(kv_get(&kv, "a"), b"1");
}

/// docs/unload.md, "Reloaded builds": a host learns whether a build's
/// library really left by keeping its `Reloadable::plugin()` and unloading
/// that: the build a reload replaced once the reload is done, the current
/// one once every clone of the reloadable is dropped. (Copy-on-load gives
/// each build a copy of its own, so the two verdicts are independent.)
#[cfg(target_os = "linux")]
#[test]
fn each_builds_unload_verdict_comes_from_its_plugin() {
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(build_a(), "", ReloadOptions::stateless())
        .unwrap();
    let first = greeter.plugin();
    let reloaded = greeter.reload_from(build_b()).unwrap();
    assert!(reloaded.released_old);
    assert_eq!(greet(&greeter), "b:x");
    let outcome = first.unload();
    assert_eq!(outcome.name(), "unloaded", "the replaced build: {outcome}");

    let current = greeter.plugin();
    let clone = greeter.clone();
    drop(greeter);
    let outcome = current.clone().unload();
    assert_eq!(outcome.name(), "still_in_use", "a clone serves: {outcome}");
    drop(clone);
    let outcome = current.unload();
    assert_eq!(outcome.name(), "unloaded", "the last build: {outcome}");
}

/// docs/reload.md, "Per platform" and docs/unload.md: `reload()` creates
/// the new build's instance on the thread that calls it, so a Rust build
/// whose `create` starts a thread (`std::thread::spawn` registers a
/// thread-local destructor on the calling thread) stays mapped while the
/// reloading thread lives, and a later close (`retry()`) unmaps it once
/// that thread has exited: reload from a thread that exits afterwards.
#[cfg(target_os = "linux")]
#[test]
fn a_build_that_starts_a_thread_stays_until_the_reloading_thread_exits() {
    let path = rust_plugin("tls-destructor-rust").expect("building tls-destructor-rust");
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&path, "worker", ReloadOptions::stateless())
        .unwrap();
    let (reloaded, wait_reloaded) = std::sync::mpsc::channel();
    let (exit, wait_exit) = std::sync::mpsc::channel::<()>();
    let reloader = {
        let greeter = greeter.clone();
        std::thread::spawn(move || {
            greeter.reload().unwrap();
            let second = greeter.plugin();
            drop(greeter); // before main drops the last clone
            reloaded.send(second).unwrap();
            wait_exit.recv().unwrap();
        })
    };
    let second = wait_reloaded.recv().unwrap();
    // No greet: it would touch the fixture's own thread-local on this
    // (main) thread, which would keep the build for good.
    assert_eq!(greeter.generation(), 2);
    drop(greeter); // the second build's instance is destroyed here
    let still = match second.unload() {
        tenon::UnloadOutcome::StillMapped(still) => still,
        other => panic!("the reloading thread lives, so the build stays: {other}"),
    };
    assert_eq!(still.reasons(), [tenon::PinReason::ThreadLocalDestructors]);
    exit.send(()).unwrap();
    reloader.join().unwrap();
    let outcome = still.retry();
    assert_eq!(
        outcome.name(),
        "unloaded",
        "after the reloading thread: {outcome}"
    );
}

/// Isolated reload where isolation is implemented; which processes come and
/// go is read from `/proc`, so that part is checked on Linux only.
#[cfg(any(target_os = "linux", target_os = "windows"))]
mod isolated {
    use super::*;
    use tenon::isolation::Isolation;

    /// Isolated tests look at this process's children: one at a time.
    static CHILDREN: Mutex<()> = Mutex::new(());

    fn loader() -> Loader {
        let runner = tenon_test_plugins::isolation_runner()
            .unwrap_or_else(|error| panic!("the isolation runner does not build: {error}"));
        Plugin::loader().isolated(Isolation::new().runner(runner))
    }

    /// The process ids of this process's children.
    #[cfg(target_os = "linux")]
    fn children() -> BTreeSet<u32> {
        let mut pids = BTreeSet::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
            if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
                pids.extend(
                    list.split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                );
            }
        }
        pids
    }

    #[cfg(target_os = "linux")]
    fn wait_gone(pid: u32) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !children().contains(&pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// State hand-over between isolated builds: each reload starts a new
    /// process, which takes the state over, and the old process exits once
    /// drained.
    #[test]
    fn kv_state_is_handed_over_isolated() {
        let _one = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        let builds = kv_builds();
        let loader = loader();
        hand_over_through(&loader, &builds);

        let kv: Reloadable<dyn Kv> = loader
            .reloadable(&builds[0], "", ReloadOptions::hand_over())
            .unwrap();
        kv_put(&kv, "k", b"v");
        #[cfg(target_os = "linux")]
        let before = children();
        let reloaded = kv.reload_from(&builds[2]).unwrap();
        assert!(reloaded.released_old);
        #[cfg(target_os = "linux")]
        {
            let after = children();
            let new: Vec<_> = after.difference(&before).collect();
            assert_eq!(
                new.len(),
                1,
                "a new process took over: {before:?} → {after:?}"
            );
            for pid in before.iter().filter(|p| !after.contains(p)) {
                assert!(wait_gone(*pid));
            }
        }
        assert_eq!(kv_get(&kv, "k"), b"v");
        assert_eq!(kv.plugin().name(), "kv-rust");
        assert!(kv.plugin().is_isolated());
    }

    /// A hand-over reloadable whose serving process died (here killed from
    /// outside) fails its calls with `instance_lost`, as any isolated
    /// instance does; a reload then brings a new process up instead of
    /// failing to save a state that died with the old one, reports that no
    /// state was handed over, and the next reload hands over as usual.
    #[cfg(target_os = "linux")]
    #[test]
    fn hand_over_from_a_dead_process_starts_the_new_build_without_state() {
        let _one = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        let kv_c = c_plugin("kv");
        let before = children();
        let kv: Reloadable<dyn Kv> = loader()
            .reloadable(&kv_c, "", ReloadOptions::hand_over())
            .unwrap();
        kv_put(&kv, "lost", b"with the process");
        let started: Vec<u32> = children().difference(&before).copied().collect();
        assert_eq!(started.len(), 1, "one process serves: {started:?}");
        let status = std::process::Command::new("kill")
            .args(["-KILL", &started[0].to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(wait_gone(started[0]));

        // The first call may still find the death unnoticed and meet it
        // (`crashed`); from then on the instance is lost.
        let error = kv.with(|kv| kv.len()).unwrap_err();
        assert!(
            ["crashed", "instance_lost"].contains(&error.kind_name()),
            "{error}"
        );
        let error = kv.with(|kv| kv.len()).unwrap_err();
        assert_eq!(error.kind_name(), "instance_lost", "{error}");
        assert!(error.fault().is_some(), "{error:?}");

        let reloaded = kv.reload().expect("a dead build is replaced");
        assert_eq!(reloaded.generation, 2);
        assert_eq!(reloaded.state_bytes, None, "nothing was handed over");
        assert_eq!(
            kv.with(|kv| kv.len()).unwrap(),
            0,
            "the new build starts empty"
        );
        let error = kv.with(|kv| kv.get("lost")).unwrap_err();
        assert_eq!(error.kind_name(), "not_found", "{error}");

        kv_put(&kv, "kept", b"by the next hand-over");
        let reloaded = kv.reload().unwrap();
        assert_eq!(reloaded.generation, 3);
        assert!(reloaded.state_bytes.unwrap() > 0);
        assert_eq!(kv_get(&kv, "kept"), b"by the next hand-over");
    }

    /// Isolated, the file stays free too: the child loads the host's
    /// private copy (on Windows by the copy's path; before, the child
    /// loaded the original there and locked it against the rebuild).
    #[test]
    fn the_loaded_file_can_be_deleted_and_replaced_isolated() {
        let _one = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        replace_while_serving(&loader(), "replace-isolated");
    }

    /// The stress test's swap, isolated and shorter: callers never fail.
    #[test]
    fn isolated_reloads_never_fail_a_call() {
        let _one = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        let greeter: Reloadable<dyn Greeter> = loader()
            .reloadable(build_a(), "", ReloadOptions::stateless())
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let callers: Vec<_> = (0..2)
            .map(|_| {
                let greeter = greeter.clone();
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut calls = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let answer = greeter.with(|g| g.greet("x")).expect("no failed call");
                        assert!(answer == "a:x" || answer == "b:x", "{answer}");
                        calls += 1;
                    }
                    calls
                })
            })
            .collect();
        for i in 0..10 {
            greeter
                .reload_from(if i % 2 == 0 { build_b() } else { build_a() })
                .unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        let calls: u64 = callers.into_iter().map(|c| c.join().unwrap()).sum();
        assert!(calls > 0);
        assert_eq!(greet(&greeter), "a:x");
        let error = greeter.reload_from(c_fixture("no_entry")).unwrap_err();
        assert_eq!(error.kind(), "missing_entry", "{error}");
        assert_eq!(greet(&greeter), "a:x");
    }
}
