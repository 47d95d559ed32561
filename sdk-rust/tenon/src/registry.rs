//! One list of the plugins a host has: linked in statically, or found as
//! files.

use crate::sys::tenon_plugin_descriptor;
use crate::{Error, Loader, Plugin};
use std::fmt;
use std::path::{Path, PathBuf};

/// The entry function of a plugin linked into the host: `tenon_plugin_v1_<id>`
/// of a C, C++ or Zig plugin built statically (declare it with
/// [`static_entry!`](crate::static_entry)), or `<crate>::tenon_plugin_v1` of
/// a Rust plugin crate built with its own feature `static` (`export!` reads
/// it; `tenon-plugin` has no such feature: `docs/static.md`).
pub type StaticEntry = unsafe extern "C" fn() -> *const tenon_plugin_descriptor;

/// Declares the entry of a C, C++ or Zig plugin linked into the host and
/// gives it as a [`StaticEntry`]:
///
/// ```no_run
/// let registry = tenon::Registry::new()
///     .with_static("greeter-c", tenon::static_entry!(tenon_plugin_v1_greeter_c));
/// ```
///
/// The symbol is `tenon_plugin_v1_<id>` for a plugin compiled with
/// `-DTENON_STATIC_PLUGIN=<id>` (C, C++) or built by `zig build -Dstatic=<id>`.
#[macro_export]
macro_rules! static_entry {
    ($symbol:ident) => {{
        extern "C" {
            fn $symbol() -> *const $crate::sys::tenon_plugin_descriptor;
        }
        $symbol as $crate::StaticEntry
    }};
}

/// Where a plugin of a [`Registry`] comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Linked into the host, registered under this name.
    Static(String),
    /// Loaded from this file.
    File(PathBuf),
}

impl Origin {
    /// Whether the plugin is linked into the host.
    pub fn is_static(&self) -> bool {
        matches!(self, Origin::Static(_))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Static(name) => write!(f, "static:{name}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Which build of a plugin [`Registry::get`] returns when the registry has
/// it both linked in and as a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prefer {
    /// The file: an application ships plugins built in and lets users
    /// override them with files (the default).
    #[default]
    File,
    /// The plugin linked into the host.
    Static,
}

/// One plugin a [`Registry`] knows of: where it comes from, and the
/// verified plugin or why it was refused.
#[derive(Debug)]
pub struct Entry {
    origin: Origin,
    plugin: Result<Plugin, Error>,
}

impl Entry {
    /// Where it comes from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The verified plugin, or the error that refused it (the same kinds
    /// for a static plugin as for a file, except the file-only ones).
    pub fn plugin(&self) -> Result<&Plugin, &Error> {
        self.plugin.as_ref()
    }
}

/// The plugins available to a host: plugins linked into it, registered by
/// name, and plugins found as shared libraries in directories. Every one
/// goes through the same verification (ABI, descriptor, interface table)
/// and gives the same [`Plugin`], instances and handles; only
/// [`Entry::origin`] (and [`Plugin::is_static`]) tell them apart.
///
/// ```no_run
/// # fn main() -> Result<(), tenon::Error> {
/// let registry = tenon::Registry::new()
///     .with_static("greeter-c", tenon::static_entry!(tenon_plugin_v1_greeter_c))
///     .scan("/usr/lib/myapp/plugins")?;
/// for entry in registry.entries() {
///     println!("{}: {:?}", entry.origin(), entry.plugin().map(|p| p.name()));
/// }
/// let greeter = registry.get("greeter-c").expect("built in");
/// # Ok(())
/// # }
/// ```
///
/// Plugins are registered explicitly, in the order given, rather than
/// collected by a link-time registration crate (`inventory`, `linkme`):
/// the host names each plugin it links, the order is the host's, and
/// nothing depends on linker sections that a static library's unreferenced
/// objects would be dropped from (`docs/static.md`).
#[derive(Debug, Default)]
pub struct Registry {
    loader: Loader,
    entries: Vec<Entry>,
    prefer: Prefer,
}

impl Registry {
    /// An empty registry loading files in process, offering no services.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty registry whose files are loaded with `loader`'s options,
    /// and whose static plugins are offered its services. A static plugin
    /// always runs in process: with an isolating loader it is refused
    /// (`isolation_unsupported`).
    pub fn with_loader(loader: Loader) -> Self {
        Registry {
            loader,
            ..Self::default()
        }
    }

    /// Which build [`get`](Self::get) prefers when a plugin is both linked
    /// in and found as a file.
    pub fn prefer(mut self, prefer: Prefer) -> Self {
        self.prefer = prefer;
        self
    }

    /// Registers and verifies the plugin linked into the host whose entry
    /// is `entry`, under `name` (its origin: `static:<name>`, also the path
    /// its errors and [`PluginInfo::path`](crate::PluginInfo::path) name).
    /// A plugin that fails verification is listed with its error.
    ///
    /// The entry runs now, as a library's entry runs when it is loaded:
    /// register only functions that are Tenon entries (their type says so
    /// to the compiler, not their behaviour). The plugin is made by
    /// [`Loader::load_static`] with the registry's loader.
    pub fn with_static(mut self, name: &str, entry: StaticEntry) -> Self {
        let plugin = self.loader.load_static(name, entry);
        self.entries.push(Entry {
            origin: Origin::Static(name.to_owned()),
            plugin,
        });
        self
    }

    /// Loads every shared library (`*.so`, `*.dylib` or `*.dll`, the
    /// platform's suffix) directly in `dir`, in name order, with the
    /// registry's loader; a file that fails is listed with its error. Fails
    /// only when the directory cannot be read: [`Error::FileNotFound`],
    /// naming `dir` as given, when it is missing, else
    /// [`Error::NotALibrary`] naming its canonical path (the rule of
    /// [`Error`]).
    pub fn scan(mut self, dir: impl AsRef<Path>) -> Result<Self, Error> {
        let dir = dir.as_ref();
        // Named as a load error names a file: by its canonical path when
        // it exists (a file that is no directory, a directory this user
        // cannot list), as given only when it is missing.
        let unreadable = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => Error::FileNotFound {
                path: dir.to_path_buf(),
            },
            _ => Error::NotALibrary {
                path: crate::integrity::canonical_or_given(dir),
                reason: format!("cannot read the directory: {e}"),
            },
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.is_file()
                    && path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(std::env::consts::DLL_SUFFIX))
            })
            .collect();
        files.sort();
        for path in files {
            self = self.with_file(path);
        }
        Ok(self)
    }

    /// Loads and verifies one file with the registry's loader; a file that
    /// fails is listed with its error.
    pub fn with_file(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let plugin = self.loader.load(path);
        let origin = Origin::File(
            plugin
                .as_ref()
                .map(|p| p.info().path.clone())
                .unwrap_or_else(|_| path.to_path_buf()),
        );
        self.entries.push(Entry { origin, plugin });
        self
    }

    /// Every plugin registered or found, in order, with its origin, those
    /// refused included.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The plugins that passed verification, in order.
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.entries.iter().filter_map(|e| e.plugin.as_ref().ok())
    }

    /// The plugin named `name` (the name in its descriptor). When several
    /// builds have that name, the first of the preferred kind
    /// ([`prefer`](Self::prefer)), else the first.
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        let mut named = self.plugins().filter(|p| p.name() == name);
        let first = named.next()?;
        let wanted = self.prefer == Prefer::Static;
        if first.is_static() == wanted {
            return Some(first);
        }
        Some(named.find(|p| p.is_static() == wanted).unwrap_or(first))
    }

    /// The plugin named `name` from the given origin kind only: linked in
    /// (`linked_in == true`) or from a file.
    pub fn get_from(&self, name: &str, linked_in: bool) -> Option<&Plugin> {
        self.plugins()
            .find(|p| p.name() == name && p.is_static() == linked_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern "C" fn no_descriptor() -> *const tenon_plugin_descriptor {
        core::ptr::null()
    }

    #[test]
    fn a_static_entry_returning_null_is_listed_with_the_file_error_kind() {
        let registry = Registry::new().with_static("empty", no_descriptor);
        let [entry] = registry.entries() else {
            panic!("one entry expected")
        };
        assert_eq!(entry.origin(), &Origin::Static("empty".to_owned()));
        assert_eq!(entry.origin().to_string(), "static:empty");
        let error = entry.plugin().expect_err("no descriptor");
        assert_eq!(error.kind(), "null_descriptor");
        assert!(error.to_string().contains("static:empty"), "{error}");
        assert_eq!(registry.plugins().count(), 0);
        assert!(registry.get("empty").is_none());
    }

    #[test]
    fn scanning_a_missing_directory_fails_and_an_empty_one_adds_nothing() {
        let missing = std::env::temp_dir().join("tenon-registry-no-such-directory");
        let error = Registry::new().scan(&missing).expect_err("missing");
        assert_eq!(error.kind(), "file_not_found");
        let empty =
            std::env::temp_dir().join(format!("tenon-registry-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).expect("a temporary directory");
        std::fs::write(empty.join("notes.txt"), "not a library").expect("a file");
        let registry = Registry::new().scan(&empty).expect("readable");
        std::fs::remove_dir_all(&empty).expect("cleanup");
        assert!(registry.entries().is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_plugin_is_listed_with_its_error() {
        let dir = std::env::temp_dir().join(format!("tenon-registry-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let file = dir.join(format!("libbad{}", std::env::consts::DLL_SUFFIX));
        std::fs::write(&file, "not a library").expect("a file");
        let registry = Registry::new().scan(&dir).expect("readable");
        std::fs::remove_dir_all(&dir).expect("cleanup");
        let [entry] = registry.entries() else {
            panic!("one entry expected")
        };
        assert!(matches!(entry.origin(), Origin::File(path) if path == &file));
        assert_eq!(entry.plugin().expect_err("text").kind(), "not_a_library");
    }
}
