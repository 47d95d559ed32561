//! Bad input gives its own error kind, and the host goes on.

mod support;

use support::{load_error, scratch};
use tenon::{Error, Plugin, Status};
use tenon_example_interfaces::{sys, Greeter, Kv};
use tenon_test_plugins::{c_fixture, c_plugin, rust_plugin};

#[test]
fn a_missing_file_is_file_not_found() {
    let error = load_error("/nonexistent/dir/libnothing.so");
    assert_eq!(error.kind(), "file_not_found");
    assert!(
        error.to_string().contains("/nonexistent/dir/libnothing.so"),
        "{error}"
    );
}

#[test]
fn a_text_file_is_not_a_library() {
    let error = load_error(c_fixture("not_a_library"));
    assert_eq!(error.kind(), "not_a_library", "{error}");
}

#[test]
fn a_directory_is_not_a_library() {
    let error = load_error(std::env::temp_dir());
    assert_eq!(error.kind(), "not_a_library", "{error}");
}

/// A DLL that imports a DLL the loader cannot find is refused as
/// `not_a_library` with the system's reason, not only libloading's
/// `LoadLibraryExW failed`, and the name of the DLL found nowhere: here the C greeter with its C runtime's name,
/// `msvcrt.dll`, changed in its import table to one no system has.
#[cfg(windows)]
#[test]
fn a_dll_whose_import_is_missing_says_why() {
    let mut bytes = std::fs::read(c_plugin("greeter")).unwrap();
    let name = b"msvcrt.dll";
    let at = bytes
        .windows(name.len())
        .position(|window| window.eq_ignore_ascii_case(name))
        .expect("the greeter imports msvcrt.dll");
    bytes[at..at + name.len()].copy_from_slice(b"nonesu.dll");
    let dir = scratch("missing-import");
    let path = dir.join("greeter.dll");
    std::fs::write(&path, bytes).unwrap();
    let error = load_error(&path);
    assert_eq!(error.kind(), "not_a_library", "{error}");
    assert!(error.to_string().contains("os error 126"), "{error}");
    // Windows' words do not say which DLL it did not find; the host's do.
    assert!(
        error
            .to_string()
            .contains("it imports nonesu.dll, found neither"),
        "{error}"
    );
}

/// A file that exists is named by its canonical path, as by every later
/// load error and `PluginInfo::path`; a missing one, which has no canonical
/// path, as given.
#[test]
fn a_directory_is_named_by_its_canonical_path_a_missing_file_as_given() {
    let dir = scratch("paths");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    let canonical = support::canonical_as_shown(std::fs::canonicalize(&real).unwrap());
    // A symbolic link is a second spelling where one can be made freely.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut spellings = vec![real.join("..").join("real")];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&real, dir.join("link")).unwrap();
        spellings.push(dir.join("link"));
    }
    for spelling in spellings {
        match load_error(&spelling) {
            Error::NotALibrary { path, .. } => {
                assert_eq!(path, canonical, "{}", spelling.display());
            }
            other => panic!(
                "{}: expected NotALibrary, got {other:?}",
                spelling.display()
            ),
        }
    }
    let missing = real.join("..").join("real").join("libmissing.so");
    match load_error(&missing) {
        Error::FileNotFound { path, .. } => assert_eq!(path, missing),
        other => panic!("expected FileNotFound, got {other:?}"),
    }
}

/// `Registry::scan` of something that is not a readable directory names
/// it as a load does: by its canonical path when it exists, as given when
/// it is missing.
#[test]
fn scanning_what_is_no_directory_names_it_by_its_canonical_path() {
    let dir = scratch("scan-paths");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    let file = real.join("plugins");
    std::fs::write(&file, "not a directory").unwrap();
    let canonical = support::canonical_as_shown(std::fs::canonicalize(&file).unwrap());
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut spellings = vec![real.join("..").join("real").join("plugins")];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&file, dir.join("link")).unwrap();
        spellings.push(dir.join("link"));
    }
    for spelling in spellings {
        match tenon::Registry::new().scan(&spelling) {
            Err(Error::NotALibrary { path, reason, .. }) => {
                assert_eq!(path, canonical, "{}", spelling.display());
                assert!(reason.contains("cannot read the directory"), "{reason}");
            }
            other => panic!(
                "{}: expected NotALibrary, got {:?}",
                spelling.display(),
                other.map(|r| r.entries().len())
            ),
        }
    }
    let missing = real.join("..").join("real").join("missing");
    match tenon::Registry::new().scan(&missing) {
        Err(Error::FileNotFound { path, .. }) => assert_eq!(path, missing),
        other => panic!(
            "expected FileNotFound, got {:?}",
            other.map(|r| r.entries().len())
        ),
    }
}

#[test]
fn a_library_without_the_entry_symbol_is_missing_entry() {
    let error = load_error(c_fixture("no_entry"));
    assert_eq!(error.kind(), "missing_entry", "{error}");
    assert!(error.to_string().contains("tenon_plugin_v1"), "{error}");
}

#[test]
fn a_plugin_for_another_abi_major_is_abi_mismatch() {
    match load_error(c_fixture("abi_v2")) {
        Error::AbiMismatch {
            plugin_major,
            host_major,
            ..
        } => {
            assert_eq!(plugin_major, 2);
            assert_eq!(host_major, 1);
        }
        other => panic!("expected AbiMismatch, got {other:?}"),
    }
}

#[test]
fn a_failing_create_reports_its_status_and_message() {
    let plugin = Plugin::load(c_fixture("create_fails")).unwrap();
    match plugin.instantiate("not empty").expect_err("create refuses") {
        Error::CreateFailed {
            status, message, ..
        } => {
            assert_eq!(status, Status::INVALID_ARGUMENT);
            assert_eq!(message, "create refused: config must be empty");
        }
        other => panic!("expected CreateFailed, got {other:?}"),
    }
    // The same plugin still works when create succeeds.
    let instance = plugin.instantiate("").unwrap();
    assert!(instance
        .interface::<dyn Greeter>()
        .unwrap()
        .greet("x")
        .is_ok());
}

#[test]
fn a_null_method_slot_is_refused_before_any_call() {
    let plugin = Plugin::load(c_fixture("null_slot")).unwrap();
    assert_eq!(
        plugin.require::<dyn Greeter>().unwrap_err().kind(),
        "null_slot"
    );
    let instance = plugin.instantiate("").unwrap();
    match instance
        .interface::<dyn Greeter>()
        .expect_err("NULL slot refused")
    {
        Error::NullSlot { method, id, .. } => {
            assert_eq!(method, "greet");
            assert_eq!(id, "org.tenon.example.greeter");
        }
        other => panic!("expected NullSlot, got {other:?}"),
    }
}

#[test]
fn an_interface_the_plugin_lacks_is_interface_not_found() {
    let plugin = Plugin::load(c_plugin("greeter")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let error = instance
        .interface::<dyn Kv>()
        .expect_err("greeter is not a kv");
    assert_eq!(error.kind(), "interface_not_found");
    assert!(
        error.to_string().contains("org.tenon.example.greeter"),
        "lists what it offers: {error}"
    );
}

tenon::interface! {
    /// The greeter id at a version no plugin implements.
    pub trait GreeterV2 {
        const ID = c"org.tenon.example.greeter";
        const VERSION = 2;
        type Vtable = sys::example_greeter_v1;
        fn greet(&self, name: &str) -> String;
    }
}

#[test]
fn another_interface_version_is_a_version_mismatch() {
    let plugin = Plugin::load(c_plugin("greeter")).unwrap();
    let error = plugin.require::<dyn GreeterV2>().unwrap_err();
    match &error {
        Error::InterfaceVersionMismatch {
            offered, requested, ..
        } => {
            assert_eq!((*offered, *requested), (1, 2));
        }
        other => panic!("expected InterfaceVersionMismatch, got {other:?}"),
    }
    // A host that supports both versions asks for version 2, then 1: the
    // message names what is offered and tells it to ask for that, not to
    // rebuild.
    let message = error.to_string();
    assert!(
        message.contains("at version 1 only, but version 2 was asked for"),
        "{message}"
    );
    assert!(
        message.contains("also supports version 1 asks for it instead"),
        "{message}"
    );
    assert!(!message.contains("rebuild"), "{message}");
    assert!(plugin.require::<dyn Greeter>().is_ok());
}

#[test]
fn a_plugin_not_declared_thread_safe_gives_no_shared_instance() {
    let plugin = Plugin::load(rust_plugin("panicking-rust").unwrap()).unwrap();
    assert!(!plugin.info().thread_safe());
    assert_eq!(
        plugin.instantiate_shared("").unwrap_err().kind(),
        "not_thread_safe"
    );
}

#[test]
fn a_good_plugin_loads_after_every_bad_one() {
    let bad = ["not_a_library", "no_entry", "abi_v2"];
    for fixture in bad {
        assert!(Plugin::load(c_fixture(fixture)).is_err(), "{fixture}");
    }
    assert!(Plugin::load("/nonexistent").is_err());
    let plugin = Plugin::load(c_plugin("greeter")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    assert_eq!(
        instance
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("after")
            .unwrap(),
        "Hello, after!"
    );
}
