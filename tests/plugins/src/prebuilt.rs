//! Plugins built ahead of time, for test binaries that cannot run the build
//! tools themselves: Windows test binaries running under Wine on Linux
//! (`scripts/test-windows.sh`), where gcc, zig and cargo are Linux programs.
//!
//! [`prebuild`] runs natively, with [`TARGET_ENV`](crate::layout::TARGET_ENV)
//! naming the other target: it builds every example plugin, fixture and the
//! isolation runner for that target into the same directories a test binary
//! of that target would use, and writes their list, `prebuilt.json`, beside
//! them. A test binary started with [`PREBUILT_ENV`] set to `1` then builds
//! nothing: every library, and the compilers' names, come from that list, and
//! one missing from it is a [`BuildError::NotPrebuilt`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::builder::{build, output_root, Library};
use crate::layout::{target, workspace_root};
use crate::native::{Kind, Language, Variant};
use crate::{
    c_fixture_stems, c_plugin_stems, cpp_fixture_stems, cpp_plugin_stems, zig_examples, BuildError,
    Compiler,
};

/// The environment variable that makes every library come from the list
/// [`prebuild`] wrote: set it to `1`.
pub const PREBUILT_ENV: &str = "TENON_TEST_PLUGINS_PREBUILT";

/// The list of prebuilt libraries, read once per process when
/// [`PREBUILT_ENV`] is `1`.
#[derive(Debug)]
pub(crate) struct Manifest {
    path: PathBuf,
    /// The C and C++ compilers, default first, as [`crate::c_compilers`]
    /// returns them.
    compilers: BTreeMap<String, [Compiler; 2]>,
    /// Every library by its builder key, and the runner by
    /// [`RUNNER_KEY`](crate::runner::RUNNER_KEY).
    libraries: BTreeMap<String, PathBuf>,
    /// The libraries that did not build for the target: the name of the
    /// error, and why.
    failed: BTreeMap<String, (String, String)>,
}

impl Manifest {
    /// The path of library `key`.
    pub(crate) fn library(&self, key: &str) -> Result<PathBuf, BuildError> {
        if let Some(path) = self.libraries.get(key) {
            return Ok(path.clone());
        }
        Err(match self.failed.get(key) {
            // Skipped loudly like any missing toolchain.
            Some((error, why)) if error == "toolchain_missing" => BuildError::ToolchainMissing {
                tool: key.to_owned(),
                message: why.clone(),
            },
            Some((_, why)) => BuildError::NotPrebuilt {
                library: key.to_owned(),
                message: format!("it did not build for this target: {why}"),
            },
            None => BuildError::NotPrebuilt {
                library: key.to_owned(),
                message: format!("not listed in {}", self.path.display()),
            },
        })
    }

    /// The compilers of `language`, default first.
    pub(crate) fn compilers(&self, language: Language) -> [Compiler; 2] {
        self.compilers
            .get(language.dir())
            .copied()
            .unwrap_or([Compiler::Unknown, Compiler::Clang])
    }
}

/// The prebuilt libraries when [`PREBUILT_ENV`] is `1`, else `None`.
///
/// # Panics
///
/// When the variable is set and the list cannot be read: every library
/// would be missing, so nothing could be tested.
pub(crate) fn manifest() -> Option<&'static Manifest> {
    static MANIFEST: OnceLock<Option<Manifest>> = OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            if std::env::var(PREBUILT_ENV).as_deref() != Ok("1") {
                return None;
            }
            let path = output_root().join(MANIFEST_FILE);
            Some(read(&path).unwrap_or_else(|why| {
                panic!(
                    "{PREBUILT_ENV}=1 but {} cannot be read: {why}",
                    path.display()
                )
            }))
        })
        .as_ref()
}

const MANIFEST_FILE: &str = "prebuilt.json";

fn read(path: &Path) -> Result<Manifest, String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut compilers = BTreeMap::new();
    for (language, names) in json["compilers"].as_object().into_iter().flatten() {
        let names: Vec<Compiler> = names
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|name| Compiler::from_label(name.as_str()?))
            .collect();
        let pair: [Compiler; 2] = names
            .try_into()
            .map_err(|names| format!("{language}: not two compilers: {names:?}"))?;
        compilers.insert(language.clone(), pair);
    }
    let mut failed = BTreeMap::new();
    for (key, why) in json["failed"].as_object().into_iter().flatten() {
        let text = |field: &str| why[field].as_str().unwrap_or_default().to_owned();
        failed.insert(key.clone(), (text("error"), text("why")));
    }
    let mut libraries = BTreeMap::new();
    for (key, file) in json["libraries"].as_object().into_iter().flatten() {
        let file = file
            .as_str()
            .ok_or_else(|| format!("{key}: not a path: {file}"))?;
        // The list is written on Linux: under Wine `/work/...` is relative to
        // the current drive until made absolute (`Z:\work\...`).
        let file = Path::new(file);
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        libraries.insert(key.clone(), file);
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        compilers,
        libraries,
        failed,
    })
}

/// Builds every example plugin (C and C++ by both compilers, Zig, Rust),
/// every C, C++ and Rust fixture and the isolation runner for the target
/// the plugins are built for (set [`TARGET_ENV`](crate::layout::TARGET_ENV)
/// to build for another one), and writes their list for test binaries run
/// with [`PREBUILT_ENV`]`=1`. Returns the list's path.
///
/// # Errors
///
/// The first library that does not build, a missing toolchain included:
/// a prebuilt list is all of them or nothing.
pub fn prebuild() -> Result<PathBuf, BuildError> {
    let mut libraries: Vec<Library> = Vec::new();
    let mut compilers = serde_json::Map::new();
    for (language, plugins, fixtures) in [
        (Language::C, c_plugin_stems(), c_fixture_stems()),
        (Language::Cpp, cpp_plugin_stems(), cpp_fixture_stems()),
    ] {
        let pair = match language {
            Language::C => crate::c_compilers(),
            Language::Cpp => crate::cpp_compilers(),
        };
        compilers.insert(
            language.dir().to_owned(),
            pair.map(|compiler| compiler.label()).to_vec().into(),
        );
        for compiler in pair {
            for name in &plugins {
                libraries.push(Library::Native {
                    language,
                    kind: Kind::Plugin,
                    compiler,
                    name: (*name).to_owned(),
                    variant: Variant::default(),
                });
            }
        }
        let source_dir = workspace_root().join("tests/fixtures");
        for name in fixtures {
            // Text fixtures are files as they are, not libraries.
            if source_dir
                .join(format!("{name}.{}", language.dir()))
                .is_file()
            {
                libraries.push(Library::Native {
                    language,
                    kind: Kind::Fixture,
                    compiler: pair[0],
                    name: name.to_owned(),
                    variant: Variant::default(),
                });
            }
        }
    }
    libraries.extend(zig_examples().into_iter().map(Library::Zig));
    libraries.extend(zig_fixtures().into_iter().map(Library::ZigFixture));
    libraries.extend(rust_packages().into_iter().map(Library::Rust));
    if target().contains("windows") {
        libraries.push(Library::WithDependencies(crate::c_compilers()[0]));
    }

    let mut listed = serde_json::Map::new();
    let mut failed = serde_json::Map::new();
    // Each reason once, with the libraries it kept from building.
    let mut not_built: Vec<(String, Vec<String>)> = Vec::new();
    for library in &libraries {
        match build(library) {
            Ok(path) => {
                listed.insert(library.key(), path.display().to_string().into());
            }
            // Some fixtures are for one platform only (the isolation faults
            // use POSIX threads and signals): the tests that load them are
            // not compiled for the others, and the list says why they are
            // missing should one ask.
            Err(error) if is_fixture(library) || error.name() == "toolchain_missing" => {
                let why = first_lines(&error);
                match not_built.iter_mut().find(|(known, _)| *known == why) {
                    Some((_, keys)) => keys.push(library.key()),
                    None => not_built.push((why, vec![library.key()])),
                }
                failed.insert(
                    library.key(),
                    serde_json::json!({"error": error.name(), "why": first_lines(&error)}),
                );
            }
            Err(error) => return Err(error),
        }
    }
    for (why, keys) in &not_built {
        eprintln!(
            "prebuild: not built for {} ({}): {why}",
            target(),
            keys.join(", ")
        );
    }
    let runner = crate::runner::build()?;
    listed.insert(
        crate::runner::RUNNER_KEY.to_owned(),
        runner.display().to_string().into(),
    );
    let manifest = serde_json::json!({
        "target": target(),
        "compilers": compilers,
        "libraries": listed,
        "failed": failed,
    });
    let path = output_root().join(MANIFEST_FILE);
    let written = fs::create_dir_all(output_root()).and_then(|()| {
        fs::write(
            &path,
            serde_json::to_string_pretty(&manifest).expect("JSON values serialize"),
        )
    });
    written.map_err(|error| BuildError::NotPrebuilt {
        library: MANIFEST_FILE.to_owned(),
        message: format!("cannot write {}: {error}", path.display()),
    })?;
    Ok(path)
}

/// The Zig fixtures: every project below `tests/fixtures/zig/`.
fn zig_fixtures() -> Vec<String> {
    let dir = workspace_root().join("tests/fixtures/zig");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("build.zig").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The Rust plugins tests load: the Rust examples' packages and every
/// package below `tests/fixtures/` that builds a `cdylib` (the others are
/// libraries those plugins share, such as an interface's declaration).
fn rust_packages() -> Vec<String> {
    let mut packages: Vec<String> = crate::examples::rust_packages()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let fixtures = workspace_root().join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&fixtures)
        .into_iter()
        .flatten()
        .filter_map(|entry| Some(entry.ok()?.path().join("Cargo.toml")))
        .filter(|manifest| manifest.is_file())
        .collect();
    dirs.sort();
    for manifest in dirs {
        let text = fs::read_to_string(&manifest).unwrap_or_default();
        if !text.contains("\"cdylib\"") {
            continue;
        }
        let name = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("name"))
            .filter_map(|rest| rest.trim().strip_prefix('='))
            .map(|value| value.trim().trim_matches('"').to_owned())
            .next();
        packages.extend(name);
    }
    packages
}

/// Whether `library` is a test fixture, which may be for one platform only.
fn is_fixture(library: &Library) -> bool {
    match library {
        Library::Native { kind, .. } => *kind == Kind::Fixture,
        Library::Rust(package) => !crate::examples::rust_packages().contains(&package.as_str()),
        Library::ZigFixture(_) => true,
        Library::Zig(_) | Library::WithDependencies(_) => false,
    }
}

/// The compiler's first complaints, enough to say why.
fn first_lines(error: &BuildError) -> String {
    let text = error.to_string();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("error") || line.contains("undefined"))
        .take(3)
        .collect();
    if lines.is_empty() {
        text.lines().next().unwrap_or_default().to_owned()
    } else {
        lines.join(" / ")
    }
}
