//! `PluginInfo::path` is the canonical path of the file loaded, however the
//! host spelled it: absolute or relative, through symbolic links, with `.`,
//! `..` or doubled slashes. On Linux a path that is canonical as written is
//! taken as written (the open proves it has no symbolic link), and any
//! other is resolved; both must give the same answer.
//!
//! One test in its own binary: it changes the working directory.

mod support;

use std::path::{Path, PathBuf};
use support::{library_name, scratch};
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
    let canonical = std::fs::canonicalize(&file).unwrap();
    // Symbolic links are added on Unix only.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut spellings = vec![
        file.clone(),
        canonical.clone(),
        real.join("..").join("real").join(&name),
        real.join(".").join(&name),
        PathBuf::from(format!("{}//{name}", real.display())),
    ];
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
