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

/// Reading names a file that exists by its canonical path, as loading
/// does (the rule stated on `tenon::Error`), however it was spelled; a
/// missing one as given. `LibraryFile::path` stays the path as given.
#[test]
fn reading_names_a_file_by_its_canonical_path_a_missing_one_as_given() {
    let dir = support::scratch("read-paths");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    let text = real.join(format!("libtext{}", std::env::consts::DLL_SUFFIX));
    std::fs::copy(c_fixture("not_a_library"), &text).unwrap();
    let library = real.join(format!("libgood{}", std::env::consts::DLL_SUFFIX));
    std::fs::copy(c_plugin("greeter"), &library).unwrap();
    let canonical =
        |path: &std::path::Path| support::canonical_as_shown(std::fs::canonicalize(path).unwrap());
    let respell = |path: &std::path::Path| {
        dir.join("real")
            .join("..")
            .join("real")
            .join(path.file_name().unwrap())
    };
    // A directory, and a file that is not a library: both exist.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut cases = vec![
        (real.join("..").join("real"), canonical(&real)),
        (respell(&text), canonical(&text)),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&text, dir.join("link")).unwrap();
        cases.push((dir.join("link"), canonical(&text)));
    }
    for (spelling, canonical) in cases {
        match LibraryFile::read(&spelling) {
            Err(tenon::Error::NotALibrary { path, .. }) => {
                assert_eq!(path, canonical, "{}", spelling.display());
            }
            other => panic!(
                "{}: expected NotALibrary, got {other:?}",
                spelling.display()
            ),
        }
    }
    let missing = respell(&real.join("libmissing.so"));
    match LibraryFile::read(&missing) {
        Err(tenon::Error::FileNotFound { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected FileNotFound, got {other:?}"),
    }
    let spelled = respell(&library);
    let read = LibraryFile::read(&spelled).expect("a library");
    assert_eq!(read.path(), spelled.as_path());
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
