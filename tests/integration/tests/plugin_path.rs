//! `PluginInfo::path` is the canonical path of the file loaded, however the
//! host spelled it: absolute or relative, through symbolic links, with `.`,
//! `..` or doubled slashes. On Linux a path that is canonical as written is
//! taken as written (the open proves it has no symbolic link), and any
//! other is resolved; both must give the same answer.
//!
//! On Windows the path reported is the plain one (`C:\…`), not the verbatim
//! `\\?\C:\…` that `std::fs::canonicalize` gives. When only the verbatim
//! form names the file, it is kept: the unit tests of
//! `sdk-rust/tenon/src/integrity/plain_path.rs` check which paths those are,
//! and a plugin past `MAX_PATH` is loaded here, under Wine too, whose
//! `canonicalize` fails on such a path with `ERROR_MORE_DATA` (the host
//! then takes the verbatim absolute path). Wine drops a directory name's
//! trailing dot, so that case is left to the unit tests.
//!
//! The spellings test changes the working directory; the other test in this
//! binary name their files by absolute paths only.

mod support;

use std::path::{Path, PathBuf};
use support::{canonical_as_shown as shown, library_name, scratch};
use tenon::Plugin;
use tenon_test_plugins::c_plugin;

fn loaded_path(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    let plugin = Plugin::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plugin.info().path.clone()
}

#[test]
fn every_spelling_of_a_plugin_path_reports_its_canonical_path() {
    let dir = scratch("spellings");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    let name = library_name("greeter");
    let file = real.join(&name);
    std::fs::copy(c_plugin("greeter"), &file).unwrap();
    let canonical = shown(std::fs::canonicalize(&file).unwrap());
    // Symbolic links are added on Unix only.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut spellings = vec![
        file.clone(),
        canonical.clone(),
        real.join("..").join("real").join(&name),
        real.join(".").join(&name),
        PathBuf::from(format!("{}//{name}", real.display())),
    ];
    // Windows also takes forward slashes, and the verbatim form itself.
    #[cfg(windows)]
    {
        spellings.push(PathBuf::from(file.display().to_string().replace('\\', "/")));
        spellings.push(std::fs::canonicalize(&file).unwrap());
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&real, dir.join("link")).unwrap();
        std::os::unix::fs::symlink(&file, dir.join("file-link")).unwrap();
        spellings.push(dir.join("link").join(&name));
        spellings.push(dir.join("file-link"));
    }
    for spelling in &spellings {
        assert_eq!(loaded_path(spelling), canonical, "{}", spelling.display());
    }
    std::env::set_current_dir(&dir).unwrap();
    for relative in [
        PathBuf::from("real").join(&name),
        PathBuf::from(".").join("real").join(&name),
    ] {
        assert_eq!(loaded_path(&relative), canonical, "{}", relative.display());
    }
}

/// An error names the file by the same plain path.
#[cfg(windows)]
#[test]
fn an_error_names_the_file_by_its_plain_path() {
    let dir = scratch("error-path");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(library_name("not-a-plugin"));
    std::fs::write(&file, b"MZ but not much else").unwrap();
    let error = match Plugin::load(&file) {
        Ok(_) => panic!("{} loaded", file.display()),
        Err(error) => error,
    };
    let plain = shown(std::fs::canonicalize(&file).unwrap());
    let message = error.to_string();
    assert!(message.contains(plain.to_str().unwrap()), "{message}");
    assert!(!message.contains(r"\\?\"), "{message}");
}

/// A plugin whose path is longer than `MAX_PATH` loads, by its plain path
/// (which std passes on in the verbatim form) and by the verbatim one, and
/// is named by the verbatim form, the only one that names it. Under Wine,
/// `std::fs::canonicalize` fails on such a path (`ERROR_MORE_DATA`, os
/// error 234); the file must still load, not be refused as
/// `not_a_library`.
#[cfg(windows)]
#[test]
fn a_plugin_past_max_path_loads_and_is_named_by_its_verbatim_path() {
    let mut dir = scratch("past-max-path");
    while dir.as_os_str().len() < 300 {
        dir = dir.join("a-directory-with-a-rather-long-name");
    }
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(library_name("greeter"));
    std::fs::copy(c_plugin("greeter"), &file).unwrap();
    let verbatim = PathBuf::from(format!(
        r"\\?\{}",
        std::path::absolute(&file).unwrap().display()
    ));
    let expected = std::fs::canonicalize(&file).unwrap_or_else(|_| verbatim.clone());
    assert!(
        expected.to_str().unwrap().starts_with(r"\\?\"),
        "{}",
        expected.display()
    );
    for spelling in [&file, &verbatim] {
        assert_eq!(loaded_path(spelling), expected, "{}", spelling.display());
    }
}
