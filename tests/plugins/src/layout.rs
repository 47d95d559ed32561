//! Where things are: the Tenon workspace, and the cargo target directory
//! and profile of the running binary (where plugins built on demand go).

use std::env;
use std::path::{Path, PathBuf};

/// The target triple this crate was compiled for: the running binary's.
pub(crate) const BUILT_FOR: &str = env!("TENON_TEST_PLUGINS_TARGET");

/// The environment variable naming another target triple to build the
/// plugins for than the running binary's, e.g. `x86_64-pc-windows-gnu`
/// (`scripts/test-windows.sh` builds the Windows plugins this way on Linux,
/// see [`crate::prebuild`]).
pub const TARGET_ENV: &str = "TENON_TEST_PLUGINS_TARGET";

/// The target triple the plugins are built for: [`TARGET_ENV`] if set,
/// else the running binary's ([`BUILT_FOR`]).
pub(crate) fn target() -> &'static str {
    static TARGET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TARGET.get_or_init(|| {
        env::var(TARGET_ENV)
            .ok()
            .filter(|target| !target.is_empty())
            .unwrap_or_else(|| BUILT_FOR.to_owned())
    })
}

/// Whether the plugins are built for a different target than the running
/// binary's.
pub(crate) fn cross() -> bool {
    target() != BUILT_FOR
}

/// The root of the Tenon workspace (the directory of its `Cargo.toml`), as
/// known when this crate was compiled.
pub fn workspace_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <root>/tests/plugins.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir);
    // Under Wine the compile-time path is a Unix one, `/work/...`, which
    // Windows reads as relative to the current drive: made absolute it is
    // `Z:\work\...`. Elsewhere the path is absolute already.
    std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf())
}

/// Where and how the running binary was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) target_dir: PathBuf,
    /// The name of the profile directory: `debug`, `release` or a custom
    /// profile's name.
    profile_dir: String,
    /// `Some` when built with an explicit `--target`.
    pub(crate) triple: Option<String>,
}

impl Layout {
    /// The layout of the running binary, found as [`crate::rust_plugin`]
    /// describes.
    /// When the plugins are built for another target ([`TARGET_ENV`]),
    /// the triple is that target's.
    pub(crate) fn detect() -> Layout {
        let mut layout = Layout::detect_running();
        if cross() {
            layout.triple = Some(target().to_owned());
        }
        layout
    }

    /// Where the C, C++ and Zig libraries go: `<target-dir>/tenon-plugins/`,
    /// and below it `<triple>/` for a target given with `--target` or
    /// [`TARGET_ENV`], so that Linux and Windows builds never share a file.
    pub(crate) fn plugins_dir(&self) -> PathBuf {
        let dir = self.target_dir.join("tenon-plugins");
        match &self.triple {
            Some(triple) => dir.join(triple),
            None => dir,
        }
    }

    fn detect_running() -> Layout {
        if let Some(layout) = env::current_exe()
            .ok()
            .and_then(|exe| Layout::from_exe(&exe, BUILT_FOR))
        {
            return layout;
        }
        let default_profile = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        if let Some(dir) = env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
            let dir = PathBuf::from(dir);
            let target_dir = if dir.is_absolute() {
                dir
            } else {
                env::current_dir().unwrap_or_default().join(dir)
            };
            return Layout {
                target_dir,
                profile_dir: default_profile.to_owned(),
                triple: None,
            };
        }
        // OUT_DIR is <profile dir>/build/<package>-<hash>/out.
        let out_dir = Path::new(env!("OUT_DIR"));
        out_dir
            .ancestors()
            .nth(3)
            .and_then(|profile_dir| Layout::from_profile_dir(profile_dir, BUILT_FOR))
            .unwrap_or_else(|| Layout {
                target_dir: workspace_root().join("target"),
                profile_dir: default_profile.to_owned(),
                triple: None,
            })
    }

    /// The layout of `exe` if it lies in a cargo target directory:
    /// `<target-dir>/[<triple>/]<profile>/[deps|examples/]<exe>`.
    fn from_exe(exe: &Path, triple: &str) -> Option<Layout> {
        let mut dir = exe.parent()?;
        if matches!(dir.file_name()?.to_str()?, "deps" | "examples") {
            dir = dir.parent()?;
        }
        Layout::from_profile_dir(dir, triple)
    }

    /// The layout whose profile directory is `profile_dir`, if that is
    /// `<target-dir>/[<triple>/]<profile>` of a cargo target directory
    /// (recognized by the `CACHEDIR.TAG` cargo writes into it).
    fn from_profile_dir(profile_dir: &Path, triple: &str) -> Option<Layout> {
        let profile = profile_dir.file_name()?.to_str()?.to_owned();
        let parent = profile_dir.parent()?;
        let (target_dir, triple) = if parent.file_name()?.to_str()? == triple {
            (parent.parent()?, Some(triple.to_owned()))
        } else {
            (parent, None)
        };
        if !target_dir.join("CACHEDIR.TAG").is_file() {
            return None;
        }
        Some(Layout {
            target_dir: target_dir.to_path_buf(),
            profile_dir: profile,
            triple,
        })
    }

    /// The cargo arguments that select this layout's profile.
    pub(crate) fn profile_args(&self) -> Vec<String> {
        match self.profile_dir.as_str() {
            "debug" => Vec::new(),
            "release" => vec!["--release".to_owned()],
            custom => vec!["--profile".to_owned(), custom.to_owned()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_holds_the_contract() {
        assert!(workspace_root().join("include/tenon/plugin.h").is_file());
        assert!(!workspace_root().to_string_lossy().contains(".."));
    }

    #[test]
    fn layout_of_this_test_binary() {
        let exe = env::current_exe().unwrap();
        let layout = Layout::from_exe(&exe, BUILT_FOR).expect("test binaries live in a target dir");
        assert!(exe.starts_with(&layout.target_dir));
        if !cross() {
            assert_eq!(layout, Layout::detect());
        }
        if cfg!(debug_assertions) {
            assert_eq!(layout.profile_dir, "debug");
            assert!(layout.profile_args().is_empty());
        }
    }

    #[test]
    fn layout_from_paths() {
        let dir = env::temp_dir().join(format!("tenon-layout-{}", std::process::id()));
        let triple = "x86_64-unknown-linux-gnu";
        std::fs::create_dir_all(dir.join(triple).join("custom/deps")).unwrap();
        std::fs::write(dir.join("CACHEDIR.TAG"), "").unwrap();

        let plain = Layout::from_exe(&dir.join("release/deps/t-123"), triple).unwrap();
        assert_eq!(plain.target_dir, dir);
        assert_eq!(plain.triple, None);
        assert_eq!(plain.profile_args(), ["--release"]);

        let direct = Layout::from_exe(&dir.join("debug/demo"), triple).unwrap();
        assert_eq!(direct.profile_dir, "debug");

        let cross = Layout::from_exe(&dir.join(triple).join("custom/deps/t-1"), triple).unwrap();
        assert_eq!(cross.target_dir, dir);
        assert_eq!(cross.triple.as_deref(), Some(triple));
        assert_eq!(cross.profile_args(), ["--profile", "custom"]);

        assert_eq!(Layout::from_exe(Path::new("/usr/bin/demo"), triple), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
