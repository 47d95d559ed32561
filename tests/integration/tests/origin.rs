//! Linux: a plugin finds the libraries it ships beside it through the run
//! path `$ORIGIN` in every load mode (docs/ABI.md, "Where a plugin's own
//! libraries are found"), also when what the loader maps is a private copy
//! or a descriptor, `/proc/self/fd/N` (`Loader::sha256`, every build of a
//! reloadable, an isolated plugin), whose `$ORIGIN` the host takes from the
//! original file (`sdk-rust/tenon/src/library/origin.rs`).
//!
//! The fixture is the plugin of `tests/windows`, which needs a library of
//! its own, which needs another: the three in a directory the loader does
//! not search otherwise. Isolated plugins load here, so this file is not
//! one of those CI runs under valgrind.
#![cfg(target_os = "linux")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{compile_plugin, repo_root, scratch};
use tenon::isolation::Isolation;
use tenon::{Plugin, ReloadOptions, Reloadable, UnloadOutcome};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_compiler, isolation_runner};

const ANSWER: &str = "Hello, world! (from the DLL beside the plugin)";

/// How the fixture's libraries are linked.
#[derive(Clone, Copy, PartialEq)]
enum Linked {
    /// `$ORIGIN` as `DT_RUNPATH` (the linker's default) in the plugin and
    /// its library, each library with its SONAME.
    Runpath,
    /// `$ORIGIN` as `DT_RPATH` in the plugin only, which then serves the
    /// library's needs too.
    Rpath,
    /// As `Runpath`, but the libraries have no SONAME.
    NoSoname,
}

/// The plugin and its two libraries, built into one directory.
struct Fixture {
    plugin: PathBuf,
    /// The library the plugin needs.
    middle: PathBuf,
    /// The library `middle` needs.
    inner: PathBuf,
}

/// Builds the plugin and its two libraries into a fresh directory `name`.
/// The libraries' names are the test's own (`lib<name>_middle.so`): a
/// library loaded by another test of this process under the same SONAME
/// would be the one the loader gives.
fn fixture(name: &str, linked: Linked) -> Fixture {
    let dir = scratch(&format!("origin-{name}"));
    let (middle, inner) = (format!("{name}_middle"), format!("{name}_inner"));
    let (middle_file, inner_file) = (format!("lib{middle}.so"), format!("lib{inner}.so"));
    let sources = repo_root().join("tests/windows");
    let compiler = c_compiler().label();
    let soname = |library: &str| match linked {
        Linked::NoSoname => Vec::new(),
        _ => vec![format!("-Wl,-soname,{library}")],
    };
    let linking = |library: &str, run_path: bool| {
        let mut args = vec![
            format!("-L{}", dir.display()),
            // Kept even where the linker drops what looks unused.
            "-Wl,--no-as-needed".to_owned(),
            format!("-l{library}"),
        ];
        if run_path {
            args.push("-Wl,-rpath,$ORIGIN".to_owned());
        }
        if linked == Linked::Rpath {
            args.push("-Wl,--disable-new-dtags".to_owned());
        }
        args
    };
    for (source, library, extra) in [
        (
            "beside_dependency_inner.c",
            inner_file.as_str(),
            soname(&inner_file),
        ),
        (
            "beside_dependency.c",
            middle_file.as_str(),
            [
                soname(&middle_file),
                linking(&inner, linked != Linked::Rpath),
            ]
            .concat(),
        ),
        (
            "greeter_with_dependency.c",
            "greeter_with_dependency.so",
            linking(&middle, true),
        ),
    ] {
        compile_plugin(
            compiler,
            "c99",
            &sources.join(source),
            &dir.join(library),
            &extra,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    Fixture {
        plugin: dir.join("greeter_with_dependency.so"),
        middle: dir.join(middle_file),
        inner: dir.join(inner_file),
    }
}

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "sha256sum failed");
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

fn isolated() -> Isolation {
    Isolation::new().runner(isolation_runner().expect("the test runner builds"))
}

fn greet(plugin: &Plugin) -> String {
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    greeter.greet("world").unwrap()
}

/// Whether this process maps the file at `path`.
fn mapped(path: &Path) -> bool {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let path = path.display().to_string();
    maps.lines().any(|line| line.ends_with(&path))
}

/// A private copy, loaded from `/proc/self/fd/N`, finds the libraries
/// beside the original (the plugin in place too, as ever), loaded from
/// there; they leave the process with the plugin.
#[test]
fn a_private_copy_finds_its_libraries_beside_the_original() {
    let fixture = fixture("copy", Linked::Runpath);
    let plugin_path = &fixture.plugin;
    let in_place = Plugin::load(plugin_path).unwrap();
    assert_eq!(greet(&in_place), ANSWER);
    assert!(matches!(in_place.unload(), UnloadOutcome::Unloaded));
    assert!(!mapped(&fixture.middle));

    let copy = Plugin::loader()
        .sha256(sha256sum(plugin_path))
        .load(plugin_path)
        .unwrap();
    assert_eq!(greet(&copy), ANSWER);
    assert!(mapped(&fixture.middle));
    assert!(mapped(&fixture.inner));
    let outcome = copy.unload();
    assert!(matches!(outcome, UnloadOutcome::Unloaded), "{outcome}");
    assert!(!mapped(&fixture.middle), "the library outlived the plugin");
    assert!(!mapped(&fixture.inner), "the library outlived the plugin");
}

/// A `DT_RPATH` of `$ORIGIN` also serves the libraries the plugin's
/// library needs, as the loader does for a plugin loaded in place.
#[test]
fn an_rpath_serves_the_libraries_of_a_private_copy_too() {
    let plugin_path = fixture("rpath", Linked::Rpath).plugin;
    let in_place = Plugin::load(&plugin_path).unwrap();
    assert_eq!(greet(&in_place), ANSWER);
    drop(in_place);
    let copy = Plugin::loader()
        .sha256(sha256sum(&plugin_path))
        .load(&plugin_path)
        .unwrap();
    assert_eq!(greet(&copy), ANSWER);
}

/// Every build of a reloadable is a private copy: the first and a reload
/// find the libraries beside the file.
#[test]
fn a_reloadable_finds_its_libraries_in_every_build() {
    let plugin_path = fixture("reload", Linked::Runpath).plugin;
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&plugin_path, "", ReloadOptions::stateless())
        .unwrap();
    assert_eq!(greeter.with(|g| g.greet("world")).unwrap(), ANSWER);
    let reloaded = greeter.reload().unwrap();
    assert_eq!(reloaded.generation, 2);
    assert_eq!(greeter.with(|g| g.greet("world")).unwrap(), ANSWER);
}

/// An isolated plugin is loaded from a descriptor in its process, with or
/// without a copy, and reloadable too.
#[test]
fn an_isolated_plugin_finds_its_libraries_beside_it() {
    let plugin_path = fixture("isolated", Linked::Runpath).plugin;
    let plain = Plugin::loader()
        .isolated(isolated())
        .load(&plugin_path)
        .unwrap();
    assert_eq!(greet(&plain), ANSWER);
    let copy = Plugin::loader()
        .isolated(isolated())
        .sha256(sha256sum(&plugin_path))
        .load(&plugin_path)
        .unwrap();
    assert_eq!(greet(&copy), ANSWER);
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .isolated(isolated())
        .reloadable(&plugin_path, "", ReloadOptions::stateless())
        .unwrap();
    assert_eq!(greeter.with(|g| g.greet("world")).unwrap(), ANSWER);
    greeter.reload().unwrap();
    assert_eq!(greeter.with(|g| g.greet("world")).unwrap(), ANSWER);
}

/// A library missing from the directory fails a copy's load with
/// `not_a_library` naming it (the one missing, not the one that needs it).
#[test]
fn a_missing_library_beside_a_copy_is_named() {
    let fixture = fixture("missing", Linked::Runpath);
    let plugin_path = &fixture.plugin;
    std::fs::remove_file(&fixture.inner).unwrap();
    let inner = fixture.inner.file_name().unwrap().to_str().unwrap();
    for loader in [
        Plugin::loader().sha256(sha256sum(plugin_path)),
        Plugin::loader().isolated(isolated()),
    ] {
        let Err(error) = loader.load(plugin_path) else {
            panic!("loaded without its library");
        };
        assert_eq!(error.kind(), "not_a_library", "{error}");
        let message = error.to_string();
        assert!(message.contains(inner), "{message}");
        assert!(
            message.contains("cannot open shared object file"),
            "{message}"
        );
    }
}

/// glibc recognises a library loaded by its path as the one a plugin needs
/// by its SONAME: a library without one is refused, saying so, when it
/// would be loaded for a copy.
#[test]
fn a_library_without_a_soname_is_refused_for_a_copy_with_the_reason() {
    let fixture = fixture("no_soname", Linked::NoSoname);
    let plugin_path = &fixture.plugin;
    let middle = fixture.middle.file_name().unwrap().to_str().unwrap();
    // In place the loader finds it by itself.
    assert_eq!(greet(&Plugin::load(plugin_path).unwrap()), ANSWER);
    let Err(error) = Plugin::loader()
        .sha256(sha256sum(plugin_path))
        .load(plugin_path)
    else {
        panic!("loaded a library the loader cannot recognise");
    };
    assert_eq!(error.kind(), "not_a_library", "{error}");
    let message = error.to_string();
    assert!(message.contains("has no SONAME"), "{message}");
    assert!(
        message.contains(&format!("-Wl,-soname,{middle}")),
        "{message}"
    );
}
