//! What a plugin says about itself, read from its descriptor at load time.

use std::path::PathBuf;

/// The metadata of a loaded plugin. Reading it runs no plugin code.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PluginInfo {
    /// The file the plugin was loaded from (canonical path), or
    /// `static:<name>` for a plugin linked into the host and registered
    /// under that name ([`crate::Registry::with_static`]). On Windows the
    /// canonical path is in the plain form (`C:\…`, `\\server\share\…`),
    /// and in the verbatim form (`\\?\C:\…`, as `std::fs::canonicalize`
    /// gives it) only when no plain path names the file: longer than
    /// `MAX_PATH`, or with a name such as `NUL` or one ending in a dot.
    /// Where canonicalization fails for a file that opens (under Wine, a
    /// path longer than `MAX_PATH`), it is the absolute verbatim path, with
    /// no symbolic link resolved ([`crate::Error`] says more).
    pub path: PathBuf,
    /// The plugin's name.
    pub name: String,
    /// The plugin's version.
    pub version: semver::Version,
    /// The one-line description, if the plugin has one.
    pub description: Option<String>,
    /// The ABI the plugin was compiled against.
    pub abi: AbiVersion,
    /// The raw `TENON_PLUGIN_*` flags.
    pub flags: u64,
    /// The interfaces the plugin offers, in its table's order. An id may
    /// appear more than once, at different versions (one build serving
    /// hosts of each); an id and version appear at most once.
    pub interfaces: Vec<InterfaceInfo>,
}

impl PluginInfo {
    /// Whether the plugin declares `TENON_PLUGIN_THREAD_SAFE`: its instances
    /// may be called from several threads at once.
    pub fn thread_safe(&self) -> bool {
        self.flags & crate::sys::TENON_PLUGIN_THREAD_SAFE != 0
    }

    /// The entry of interface `id` at `version` in [`PluginInfo::interfaces`],
    /// if the plugin offers it (an entry of the id at another version does
    /// not serve).
    pub fn interface(&self, id: &str, version: u32) -> Option<&InterfaceInfo> {
        self.interfaces
            .iter()
            .find(|i| i.id == id && i.version == version)
    }
}

/// An ABI version: `TENON_ABI_MAJOR.TENON_ABI_MINOR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbiVersion {
    /// Hosts load only plugins of their own major.
    pub major: u16,
    /// Minor versions only add fields at the end of structs.
    pub minor: u16,
}

impl AbiVersion {
    /// The ABI this host was compiled against.
    pub const HOST: AbiVersion = AbiVersion {
        major: crate::sys::TENON_ABI_MAJOR,
        minor: crate::sys::TENON_ABI_MINOR,
    };
}

impl std::fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// One interface a plugin offers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceInfo {
    /// The reverse-DNS id.
    pub id: String,
    /// The interface version.
    pub version: u32,
    /// The vtable's `struct_size`.
    pub vtable_size: u32,
}
