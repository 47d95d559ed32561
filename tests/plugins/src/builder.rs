//! The one builder: every plugin and fixture, in every language, is built
//! through [`build`], on first use, once per process.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::layout::Layout;
use crate::native::{self, Kind, Language, Variant};
use crate::{rust, zig, BuildError, Compiler};

/// One shared library to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Library {
    /// A C or C++ example plugin (`kind` [`Kind::Plugin`]: the directory
    /// `examples-c/<name>/`) or fixture (`tests/fixtures/<name>.c[pp]`),
    /// compiled by `compiler`, the default way or as `variant` says.
    Native {
        language: Language,
        kind: Kind,
        compiler: Compiler,
        name: String,
        variant: Variant,
    },
    /// A Zig example, `examples-zig/<name>/`, built by `zig build`.
    Zig(String),
    /// A Zig fixture, `tests/fixtures/zig/<name>/`, built by `zig build`.
    ZigFixture(String),
    /// A `cdylib` package of the workspace, built by cargo.
    Rust(String),
    /// The C plugin `tests/windows/greeter_with_dependency.c` with the
    /// DLLs it imports beside it, compiled by `compiler` (Windows only).
    WithDependencies(Compiler),
}

impl Library {
    /// What the cache knows this library by, also the directory below
    /// [`output_root`] that C, C++ and Zig builds write into.
    pub(crate) fn key(&self) -> String {
        match self {
            Library::Native {
                language,
                kind,
                compiler,
                name,
                variant,
            } => format!(
                "{}/{}/{}/{name}{}",
                language.dir(),
                compiler.label(),
                kind.dir(),
                variant.suffix()
            ),
            Library::Zig(name) => format!("zig/{name}"),
            Library::ZigFixture(name) => format!("zig-fixture/{name}"),
            Library::Rust(package) => format!("rust/{package}"),
            Library::WithDependencies(compiler) => {
                format!(
                    "c/{}/with-dependencies/greeter_with_dependency",
                    compiler.label()
                )
            }
        }
    }
}

/// The library's path, building it the first time this process asks for it.
/// Later calls return the first call's result, success or failure, without
/// building again. Different libraries build concurrently when asked for
/// from several threads; one library is built by one thread while the
/// others asking for it wait.
pub(crate) fn build(library: &Library) -> Result<PathBuf, BuildError> {
    type Cell = Arc<OnceLock<Result<PathBuf, BuildError>>>;
    static BUILT: Mutex<BTreeMap<String, Cell>> = Mutex::new(BTreeMap::new());
    let key = library.key();
    let cell: Cell = BUILT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key.clone())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        if let Some(manifest) = crate::prebuilt::manifest() {
            return manifest.library(&key);
        }
        let dir = output_root().join(&key);
        match library {
            Library::Native {
                language,
                kind,
                compiler,
                name,
                variant,
            } => native::build(*language, *kind, *compiler, name, variant, &dir),
            Library::Zig(example) => zig::build(example, &dir),
            Library::ZigFixture(name) => zig::build_fixture(name, &dir),
            Library::Rust(package) => rust::build(package),
            Library::WithDependencies(compiler) => native::build_with_dependencies(*compiler, &dir),
        }
    })
    .clone()
}

/// Where the C, C++ and Zig libraries go: `<target-dir>/tenon-plugins/`, in
/// the cargo target directory of the running binary (see
/// [`rust_plugin`](crate::rust_plugin)), so that nothing is written into the
/// source tree and `cargo clean` removes them; a cross build's go into a
/// directory of its triple below it.
pub(crate) fn output_root() -> PathBuf {
    Layout::detect().plugins_dir()
}
