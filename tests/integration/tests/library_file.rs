//! `tenon::LibraryFile`: what a library exports, read from the file without
//! loading it, for tools such as `tenon check` to warn about extra exports.
//!
//! The fixture `tests/fixtures/extra_exports.c` is a good plugin that also
//! exports a function and a variable. Every C and C++ example plugin and
//! every C fixture is also read and compared with what `nm` lists (where `nm` is installed: it
//! is part of binutils on Linux and of the developer tools on macOS).

mod support;

use std::collections::BTreeSet;
use support::{exported_symbols, have_cpp, load_error, symbol_lister};
use tenon::{LibraryFile, Plugin, SymbolKind};
use tenon_test_plugins::{
    c_fixture, c_fixture_stems, c_plugin, c_plugin_stems, cpp_plugin, cpp_plugin_stems, rust_plugin,
};

/// `(name, kind)` of every export of `path`, sorted by name.
fn exports(path: impl AsRef<std::path::Path>) -> Vec<(String, SymbolKind)> {
    let file = LibraryFile::read(path).expect("a readable library");
    let mut exports: Vec<(String, SymbolKind)> = file
        .exports()
        .iter()
        .map(|e| (e.name().to_owned(), e.kind()))
        .collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    exports
}

#[test]
fn a_plugin_built_with_hidden_visibility_exports_only_its_entry() {
    let entry_only = vec![("tenon_plugin_v1".to_owned(), SymbolKind::Function)];
    assert_eq!(exports(c_plugin("greeter")), entry_only, "C greeter");
    assert_eq!(
        exports(rust_plugin("kv-rust").expect("the Rust kv builds")),
        entry_only,
        "Rust kv"
    );
}

#[test]
fn extra_exports_are_listed_with_their_kind_and_the_plugin_still_loads() {
    let path = c_fixture("extra_exports");
    assert_eq!(
        exports(&path),
        [
            (
                "tenon_fixture_extra_function".to_owned(),
                SymbolKind::Function
            ),
            ("tenon_fixture_extra_variable".to_owned(), SymbolKind::Data),
            ("tenon_plugin_v1".to_owned(), SymbolKind::Function),
        ]
    );
    let file = LibraryFile::read(&path).unwrap();
    assert_eq!(file.path(), path.as_path());
    assert!(file.export("tenon_fixture_extra_variable").is_some());
    assert!(file.export("not_there").is_none());
    let plugin = Plugin::load(&path).expect("extra exports are allowed");
    assert_eq!(plugin.info().name, "fixture-extra-exports");
}

#[test]
fn reading_refuses_what_loading_refuses_with_the_same_kinds() {
    for path in [
        std::path::PathBuf::from("/nonexistent/tenon/libnothing.so"),
        c_fixture("not_a_library"),
        std::env::temp_dir(),
    ] {
        let read = LibraryFile::read(&path).expect_err("not a library");
        assert_eq!(read.kind(), load_error(&path).kind(), "{}", path.display());
    }
}

/// The reader against an independent one: for every C and C++ example
/// plugin and every C fixture, the exported names are those `nm` lists.
#[test]
fn every_native_library_exports_what_nm_says() {
    let Some(lister) = symbol_lister() else {
        return;
    };
    let mut libraries: Vec<_> = c_plugin_stems().into_iter().map(c_plugin).collect();
    libraries.extend(
        c_fixture_stems()
            .into_iter()
            .filter(|stem| *stem != "not_a_library")
            .map(c_fixture),
    );
    if have_cpp() {
        libraries.extend(cpp_plugin_stems().into_iter().map(cpp_plugin));
    }
    assert!(libraries.len() > 30, "{libraries:?}");
    let mut failures = Vec::new();
    for library in &libraries {
        let ours: BTreeSet<String> = exports(library).into_iter().map(|(n, _)| n).collect();
        let nm: BTreeSet<String> = exported_symbols(&lister, library)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .collect();
        if ours != nm {
            failures.push(format!(
                "{}: LibraryFile says {ours:?}, nm says {nm:?}",
                library.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
