//! What `Plugin::unload` reports, for libraries that unload and for each
//! reason a library stays: GNU unique symbols (g++), `-z nodelete`, and
//! Rust thread-local destructors owed by a live thread. Each test loads its
//! own file, so the tests of this binary cannot hold each other's library.
//!
//! On Windows (`scripts/test-windows.sh`, under Wine) the tests that do not
//! depend on ELF run: a DLL unloads, clones and instances keep it, a second
//! load of the file keeps it, static plugins, and every example plugin; the
//! check of this file asks the Windows loader for the module by its path,
//! a probe independent of the one `tenon` uses (by address).

#![cfg(any(target_os = "linux", windows))]

use std::path::Path;
use tenon::{PinReason, Plugin, UnloadOutcome};
use tenon_example_interfaces::Greeter;
#[cfg(target_os = "linux")]
use {
    std::path::PathBuf,
    std::sync::mpsc,
    tenon_test_plugins::{toolchain, Compiler, Variant},
};

/// Whether the file at `path` is loaded into this process, as the Windows
/// loader answers by its full path.
#[cfg(windows)]
fn mapped(path: &Path) -> bool {
    use std::os::windows::ffi::OsStrExt;
    extern "system" {
        fn GetModuleHandleW(name: *const u16) -> *mut std::ffi::c_void;
    }
    // The loader knows modules by their plain path, not the `\\?\` form
    // `canonicalize` gives.
    let plain = path.to_str().unwrap();
    let plain = plain.strip_prefix(r"\\?\").unwrap_or(plain);
    let wide: Vec<u16> = std::ffi::OsStr::new(plain)
        .encode_wide()
        .chain(Some(0))
        .collect();
    // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the
    // call; GetModuleHandleW takes no reference on the module.
    !unsafe { GetModuleHandleW(wide.as_ptr()) }.is_null()
}

/// Whether the file at `path` is mapped into this process, by device and
/// inode (`/proc/self/maps` shows the inode in its fifth column).
#[cfg(target_os = "linux")]
fn mapped(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(path).unwrap().ino().to_string();
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .any(|line| {
            line.split_whitespace().nth(4) == Some(inode.as_str())
                && line.ends_with(path.to_str().unwrap())
        })
}

/// Loads `path`, creates an instance, greets once on this thread, destroys it.
fn load_and_greet(path: &Path) -> Plugin {
    let plugin = Plugin::load(path).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("you").unwrap(), "Hello, you!");
    plugin
}

/// Held by every test here, which run one at a time: two loads of one file
/// share one mapped copy, and glibc's close of any library also unmaps
/// every other that nothing holds any more, such as one whose last
/// thread-local destructor has just run, so one test's close would change
/// what another sees mapped.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn still_mapped(outcome: UnloadOutcome) -> tenon::StillMapped {
    match outcome {
        UnloadOutcome::StillMapped(still) => still,
        other => panic!("expected still_mapped, got {}: {other}", other.name()),
    }
}

#[cfg(target_os = "linux")]
fn built(result: Result<PathBuf, tenon_test_plugins::BuildError>, what: &str) -> Option<PathBuf> {
    match result {
        Ok(path) => Some(std::fs::canonicalize(path).unwrap()),
        Err(error) if error.name() == "toolchain_missing" => {
            toolchain::missing(what, &error.to_string());
            None
        }
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn a_c_plugin_is_unloaded_and_the_verdict_says_so() {
    let _alone = alone();
    let path = std::fs::canonicalize(tenon_test_plugins::c_fixture("plain_greeter")).unwrap();
    let plugin = load_and_greet(&path);
    assert!(mapped(&path));
    let outcome = plugin.unload();
    assert!(
        matches!(outcome, UnloadOutcome::Unloaded),
        "{}: {outcome}",
        outcome.name()
    );
    assert!(outcome.is_unloaded());
    assert!(!mapped(&path));
}

#[test]
fn unload_waits_for_every_clone_and_instance() {
    let _alone = alone();
    let path = std::fs::canonicalize(tenon_test_plugins::c_plugin("processor")).unwrap();
    let plugin = Plugin::load(&path).unwrap();
    let clone = plugin.clone();
    let instance = plugin.instantiate("").unwrap();
    match plugin.unload() {
        UnloadOutcome::StillInUse { owners } => assert_eq!(owners, 2),
        other => panic!("{}: {other}", other.name()),
    }
    assert!(mapped(&path), "nothing is closed while an instance lives");
    drop(instance);
    assert!(mapped(&path), "the clone keeps it");
    assert_eq!(clone.unload().name(), "unloaded");
    assert!(!mapped(&path));
}

#[test]
fn two_loads_of_one_file_share_it_and_the_verdict_names_the_other() {
    let _alone = alone();
    let path = std::fs::canonicalize(tenon_test_plugins::c_plugin("greeter")).unwrap();
    let first = Plugin::load(&path).unwrap();
    let second = Plugin::load(&path).unwrap();
    let still = still_mapped(first.unload());
    assert_eq!(still.reasons(), [PinReason::OpenedAgain { plugins: 1 }]);
    assert!(
        still.retry().name() == "still_mapped",
        "the other load still holds it"
    );
    assert_eq!(second.unload().name(), "unloaded");
    assert!(!mapped(&path));
}

#[cfg(target_os = "linux")]
#[test]
fn a_library_linked_with_z_nodelete_stays_and_the_verdict_says_why() {
    let _alone = alone();
    let Some(path) = built(
        tenon_test_plugins::c_fixture_variant(
            "plain_greeter",
            &Variant::new().flag("-Wl,-z,nodelete"),
        ),
        "cc",
    ) else {
        return;
    };
    let plugin = load_and_greet(&path);
    let still = still_mapped(plugin.unload());
    assert_eq!(still.reasons(), [PinReason::NoDelete]);
    assert_eq!(still.reasons()[0].name(), "nodelete");
    assert!(still.reasons()[0].advice().contains("-z nodelete"));
    assert_eq!(still.retry().name(), "still_mapped");
    assert!(mapped(&path), "for the rest of the process");
}

/// The C++ fixture without the SDK's version script, so that its inline
/// function's static is exported: by g++ it is `STB_GNU_UNIQUE`.
#[cfg(target_os = "linux")]
#[test]
fn a_gcc_cpp_plugin_with_a_unique_symbol_stays_and_the_verdict_names_it() {
    let _alone = alone();
    let plain = Variant::new().without_version_script();
    let Some(path) = built(
        tenon_test_plugins::cpp_fixture_variant(
            "unique_static_cpp",
            &plain.clone().compiler(Compiler::Gcc),
        ),
        "g++",
    ) else {
        return;
    };
    let plugin = load_and_greet(&path);
    let still = still_mapped(plugin.unload());
    match still.reasons() {
        [PinReason::UniqueSymbols { count, examples }] => {
            assert!(*count >= 1);
            assert!(
                examples.iter().any(|name| name.contains("greetings")),
                "{examples:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(still.reasons()[0].advice().contains("-fno-gnu-unique"));
    assert!(still.to_string().contains("STB_GNU_UNIQUE"), "{still}");
    assert_eq!(still.retry().name(), "still_mapped");
    assert!(mapped(&path));
}

#[cfg(target_os = "linux")]
#[test]
fn the_same_cpp_source_unloads_with_fno_gnu_unique_with_clang_and_with_the_version_script() {
    let _alone = alone();
    let plain = Variant::new().without_version_script();
    let builds = [
        (
            "g++ -fno-gnu-unique",
            plain
                .clone()
                .compiler(Compiler::Gcc)
                .flag("-fno-gnu-unique"),
            "g++",
        ),
        (
            "clang++",
            plain.clone().compiler(Compiler::Clang),
            "clang++",
        ),
        (
            "g++ with the SDK's version script",
            Variant::new().compiler(Compiler::Gcc),
            "g++",
        ),
    ];
    for (what, variant, tool) in builds {
        let Some(path) = built(
            tenon_test_plugins::cpp_fixture_variant("unique_static_cpp", &variant),
            tool,
        ) else {
            continue;
        };
        let plugin = load_and_greet(&path);
        let outcome = plugin.unload();
        assert_eq!(outcome.name(), "unloaded", "{what}: {outcome}");
        assert!(!mapped(&path), "{what}");
    }
}

/// A Rust plugin whose `greet` touches a `thread_local!` that needs Drop,
/// called on a host thread that stays alive: glibc keeps the library until
/// that thread has run the destructor. What happens after the thread exits
/// was measured here (glibc 2.36) and is asserted as it is: the library
/// stays mapped until a library is closed once more (no other test here
/// closes one meanwhile: they run one at a time), which `retry` does.
#[cfg(target_os = "linux")]
#[test]
fn a_rust_plugin_with_a_tls_destructor_stays_while_the_thread_lives() {
    let _alone = alone();
    let path = match tenon_test_plugins::rust_plugin("tls-destructor-rust") {
        Ok(path) => std::fs::canonicalize(path).unwrap(),
        Err(error) => panic!("{error}"),
    };
    let plugin = Plugin::load(&path).unwrap();
    let (greeted, wait_greeted) = mpsc::channel();
    let (exit, wait_exit) = mpsc::channel::<()>();
    let worker = {
        let plugin = plugin.clone();
        std::thread::spawn(move || {
            let instance = plugin.instantiate("").unwrap();
            let greeter = instance.interface::<dyn Greeter>().unwrap();
            assert_eq!(greeter.greet("thread").unwrap(), "Hello, thread!");
            drop(greeter);
            drop(instance);
            drop(plugin);
            greeted.send(()).unwrap();
            wait_exit.recv().unwrap();
        })
    };
    wait_greeted.recv().unwrap();
    let still = still_mapped(plugin.unload());
    assert_eq!(still.reasons(), [PinReason::ThreadLocalDestructors]);
    assert!(still.reasons()[0].advice().contains("thread_local!"));
    // The note that retry() cannot succeed before exit is for an unload on
    // the process's main thread only (libtest runs a test on a thread of
    // its own, named after the test, unless it runs it on `main`).
    assert_eq!(
        still.main_thread_note().is_some(),
        std::thread::current().name() == Some("main"),
        "{still}"
    );
    assert_eq!(
        still.retry().name(),
        "still_mapped",
        "the thread that owes the destructor is alive"
    );

    exit.send(()).unwrap();
    worker.join().unwrap();
    assert!(
        mapped(&path),
        "glibc runs the destructor when the thread exits but does not unmap the library then"
    );
    let outcome = still.retry();
    assert_eq!(outcome.name(), "unloaded", "{outcome}");
    assert!(!mapped(&path));
}

/// A Rust plugin with no `thread_local!` of its own that starts a worker
/// thread in `create` and joins it when the instance is dropped, as the
/// docs ask: `std::thread::spawn` registers a thread-local destructor on
/// the thread that calls it (std's spawn hooks), so the library stays while
/// the host thread that created the instance lives, and the advice says why.
#[cfg(target_os = "linux")]
#[test]
fn a_rust_plugin_that_starts_a_thread_in_create_stays_while_the_creating_thread_lives() {
    let _alone = alone();
    let built = match tenon_test_plugins::rust_plugin("tls-destructor-rust") {
        Ok(path) => path,
        Err(error) => panic!("{error}"),
    };
    // A copy of its own (another inode), so that the test above, which
    // loads the same build, cannot hold this one's library.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("unload_verdict_worker");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("libtls_destructor_worker.so");
    let _ = std::fs::remove_file(&path);
    std::fs::copy(&built, &path).unwrap();
    let plugin = Plugin::load(&path).unwrap();
    let (created, wait_created) = mpsc::channel();
    let (exit, wait_exit) = mpsc::channel::<()>();
    let host_thread = {
        let plugin = plugin.clone();
        std::thread::spawn(move || {
            // Created and destroyed here; no greet, so the fixture's own
            // thread-local is never touched.
            drop(plugin.instantiate("worker").unwrap());
            drop(plugin);
            created.send(()).unwrap();
            wait_exit.recv().unwrap();
        })
    };
    wait_created.recv().unwrap();
    let still = still_mapped(plugin.unload());
    assert_eq!(still.reasons(), [PinReason::ThreadLocalDestructors]);
    assert!(
        still.reasons()[0].advice().contains("std::thread::spawn"),
        "the advice names what pinned it: {}",
        still.reasons()[0].advice()
    );

    exit.send(()).unwrap();
    host_thread.join().unwrap();
    let outcome = still.retry();
    assert_eq!(outcome.name(), "unloaded", "{outcome}");
    assert!(!mapped(&path));
}

#[test]
fn a_static_plugin_is_never_unloaded_and_says_so() {
    let _alone = alone();
    let registry =
        tenon::Registry::new().with_static("greeter-rust", greeter_rust_static::tenon_plugin_v1);
    let plugin = registry.get("greeter-rust").unwrap().clone();
    drop(registry);
    assert!(plugin.is_static());
    let outcome = plugin.unload();
    assert_eq!(outcome.name(), "static");
    assert!(!outcome.is_unloaded());
}

/// A static plugin is `static` even while the registry (or another clone,
/// or an instance) still holds it: nothing of it could ever be closed, so
/// `still_in_use`, which promises a close when the last owner goes, would
/// be wrong.
#[test]
fn a_static_plugin_held_by_its_registry_says_static_not_still_in_use() {
    let _alone = alone();
    let registry =
        tenon::Registry::new().with_static("greeter-rust", greeter_rust_static::tenon_plugin_v1);
    let plugin = registry.get("greeter-rust").unwrap().clone();
    let instance = plugin.instantiate("").unwrap();
    let outcome = plugin.clone().unload();
    assert_eq!(outcome.name(), "static", "{outcome}");
    drop(instance);
    assert_eq!(plugin.unload().name(), "static");
    assert!(registry.get("greeter-rust").unwrap().is_static());
}

/// Every example plugin, in every language and by every compiler installed,
/// created, called when it is a greeter, and destroyed on this (host)
/// thread, which is still alive when it is unloaded: each is `unloaded`.
/// This is what docs/unload.md promises for plugins built the SDKs' way.
#[test]
fn every_example_plugin_unloads_after_use_on_a_live_host_thread() {
    let _alone = alone();
    let examples = tenon_test_plugins::try_all_examples_by_every_compiler().unwrap();
    assert!(examples.iter().any(|e| e.language == "rust"));
    for example in examples {
        let what = format!("{} {}", example.label(), example.name);
        let plugin = Plugin::load(&example.path).unwrap_or_else(|e| panic!("{what}: {e}"));
        let instance = plugin
            .instantiate("")
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        if example.interface == "org.tenon.example.greeter" {
            let greeter = instance.interface::<dyn Greeter>().unwrap();
            assert_eq!(greeter.greet("you").unwrap(), "Hello, you!", "{what}");
        }
        drop(instance);
        let outcome = plugin.unload();
        assert!(outcome.is_unloaded(), "{what}: {outcome}");
    }
}
