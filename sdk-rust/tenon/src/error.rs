//! Everything that can go wrong between a host and a plugin.

use std::path::PathBuf;
use std::time::Duration;
use tenon_interface::{CallError, Status};

/// An error from loading, verifying or instantiating a plugin.
///
/// Each variant is one kind of failure, with a stable snake_case name from
/// [`Error::kind`] for machines and a message for people that says what to
/// do about it.
///
/// New variants may come, and so may new fields of a variant (each is
/// `#[non_exhaustive]`): match a variant's fields with `..`, and any
/// variant with a `_` arm.
///
/// The `path` of an error from loading a plugin file that exists is the
/// file's canonical path (absolute, symbolic links resolved; on Windows in
/// the plain form where one names the file), the one
/// [`PluginInfo::path`](crate::PluginInfo::path) gives, however the host
/// spelled it; so is that of an error from reading one
/// ([`LibraryFile::read`](crate::LibraryFile::read)) or from listing a
/// directory of them ([`Registry::scan`](crate::Registry::scan)). Only
/// [`Error::FileNotFound`] holds the path as given: a missing file has no
/// canonical path. On Windows, when canonicalization fails for a file
/// that opens (Wine's does for any path longer than `MAX_PATH`, with os
/// error 234), the canonical path is taken to be the file's absolute
/// verbatim path (`\\?\C:\…`, from the current directory, with `.` and
/// `..` resolved but no symbolic link or junction), and the file loads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path names no file.
    #[error("{}: no such file; check the path (relative paths are resolved from the current directory)", path.display())]
    #[non_exhaustive]
    FileNotFound {
        /// The path as given (a missing file has no canonical path).
        path: PathBuf,
    },

    /// The file exists but is not a shared library this host can load:
    /// empty, text, an object file or executable, truncated, a directory,
    /// or refused by the dynamic loader (for instance for a library it
    /// depends on that is missing). The file's header is read before the
    /// loader is asked, so a truncated library is refused here instead of
    /// crashing the host when its missing pages are touched.
    #[error("{}: not a loadable shared library: {reason}", path.display())]
    #[non_exhaustive]
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// What is wrong: read from the file's header, or what the
        /// operating system's loader said.
        reason: String,
    },

    /// The file is a shared library for another processor, word size,
    /// byte order or binary format (an ELF library on macOS, an arm64
    /// library on x86-64). Detected from the file's header before the
    /// dynamic loader is asked.
    #[error("{}: built for another platform: the file is {found}, but this host loads {expected}; build the plugin for this platform", path.display())]
    #[non_exhaustive]
    WrongArchitecture {
        /// The file.
        path: PathBuf,
        /// What the file's header says it is built for.
        found: String,
        /// What this host loads.
        expected: String,
    },

    /// The library exports no `tenon_plugin_v1` (nor any other Tenon entry).
    #[error("{}: not a Tenon plugin: it exports no `tenon_plugin_v1` symbol; plugins must define it with TENON_EXPORT (C/C++/Zig) or tenon_plugin::export! (Rust)", path.display())]
    #[non_exhaustive]
    MissingEntry {
        /// The file.
        path: PathBuf,
    },

    /// The library exports its entry symbol (`tenon_plugin_v1`) as data,
    /// not as a function: typically the descriptor itself instead of a
    /// function returning a pointer to it. Detected from the symbol's type
    /// in the file (ELF `STT_OBJECT`, a Mach-O or PE symbol outside the
    /// code sections) before anything is called, since calling data would
    /// jump into bytes that are not code.
    #[error("{}: `{symbol}` is exported as data, not as a function; the entry must be a function returning a pointer to the descriptor (const tenon_plugin_descriptor *{symbol}(void)), not the descriptor itself", path.display())]
    #[non_exhaustive]
    EntryNotAFunction {
        /// The file.
        path: PathBuf,
        /// The entry symbol's name.
        symbol: String,
    },

    /// The plugin was built for another ABI major than this host.
    #[error("{}: built for Tenon ABI {plugin_major}.x, but this host speaks ABI {host_major}.x; rebuild the plugin against a matching include/tenon/plugin.h", path.display())]
    #[non_exhaustive]
    AbiMismatch {
        /// The file.
        path: PathBuf,
        /// The major the plugin declares (or whose entry symbol it exports).
        plugin_major: u32,
        /// The host's major.
        host_major: u32,
    },

    /// The entry function (`tenon_plugin_v1`, or the entry a static plugin
    /// was registered with) returned NULL.
    #[error("{}: the entry function returned NULL instead of a descriptor", path.display())]
    #[non_exhaustive]
    NullDescriptor {
        /// The file.
        path: PathBuf,
    },

    /// A structure the plugin hands the host (the descriptor, the
    /// interface table, an interface entry, a vtable) is not at an address
    /// its C type's alignment allows: typically one placed in a byte array
    /// or a packed struct. It is refused before anything is read through
    /// it, since reading a misaligned struct is undefined behaviour in
    /// Rust, even on processors that tolerate it.
    #[error("{}: {what} is at address {address:#x}, which is not a multiple of {align} as its C type requires; define it as an ordinary static object of its type, not inside a byte array or a packed struct", path.display())]
    #[non_exhaustive]
    Misaligned {
        /// The file.
        path: PathBuf,
        /// Which structure: "the descriptor", "the interface table",
        /// "interface entry 0", "the vtable of interface entry 0 (\"id\")".
        what: String,
        /// Its address in this process.
        address: usize,
        /// The alignment it needs, in bytes.
        align: usize,
    },

    /// The descriptor is smaller than ABI 1.0's.
    #[error("{}: the descriptor's struct_size is {size} bytes, less than the {minimum} bytes of ABI 1.0; set struct_size = sizeof(tenon_plugin_descriptor)", path.display())]
    #[non_exhaustive]
    DescriptorTooSmall {
        /// The file.
        path: PathBuf,
        /// The size the plugin wrote.
        size: u32,
        /// The smallest size this host accepts.
        minimum: usize,
    },

    /// A metadata field is missing or malformed (NULL, empty, not UTF-8,
    /// or a NULL `create`/`destroy`).
    #[error("{}: invalid plugin metadata: `{field}` {problem}", path.display())]
    #[non_exhaustive]
    InvalidMetadata {
        /// The file.
        path: PathBuf,
        /// The descriptor field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    /// The plugin's version is not a semantic version.
    #[error("{}: the plugin version {version:?} is not a semantic version such as \"1.2.0\": {reason}", path.display())]
    #[non_exhaustive]
    InvalidVersion {
        /// The file.
        path: PathBuf,
        /// The version string.
        version: String,
        /// Why it does not parse.
        reason: String,
    },

    /// The table of interfaces is malformed.
    #[error("{}: invalid interface table: {problem}", path.display())]
    #[non_exhaustive]
    InvalidInterfaceTable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },

    /// The plugin does not offer the interface asked for. When that is
    /// the state interface (`org.tenon.state`, which a reload with
    /// [`ReloadOptions::hand_over`](crate::ReloadOptions::hand_over) asks
    /// of every build), the message also says what it is for and that
    /// [`ReloadOptions::stateless`](crate::ReloadOptions::stateless)
    /// reloads without it.
    #[error(
        "plugin {plugin:?} does not implement interface {id:?}; it offers: {offered}{}",
        state_hint(id)
    )]
    #[non_exhaustive]
    InterfaceNotFound {
        /// The plugin's name.
        plugin: String,
        /// The interface id asked for.
        id: String,
        /// The ids it does offer, comma-separated.
        offered: String,
    },

    /// The plugin offers the interface, but not at the version asked for.
    /// A plugin may offer one id at several versions; the message names
    /// every one, and says what serves both a host that can ask again (for
    /// another version it supports) and one that cannot (a reload, which
    /// keeps the version it was made for).
    #[error("plugin {plugin:?} offers interface {id:?} at {} only, but version {requested} was asked for; a host that also supports {} asks for it instead, and otherwise the plugin must be built to offer version {requested} too (a build may offer several versions of one interface; a reloaded build must offer the version the reloadable was made for)", versions_phrase(versions, *offered), one_of(versions, *offered))]
    #[non_exhaustive]
    InterfaceVersionMismatch {
        /// The plugin's name.
        plugin: String,
        /// The interface id.
        id: String,
        /// The highest version the plugin offers of this id.
        offered: u32,
        /// Every version the plugin offers of this id, ascending (holds
        /// `offered`).
        versions: Vec<u32>,
        /// The version the host asked for.
        requested: u32,
    },

    /// The plugin's vtable ends before the last method of revision 1 of
    /// the host's declaration of it ([`tenon_interface::Interface::MIN_VTABLE_SIZE`]),
    /// or, for a C host, before the `vtable_size` it asked for.
    /// A vtable that ends before a method of a later revision is accepted:
    /// that method's calls return the `CallError` kind `not_provided`.
    #[error("plugin {plugin:?}: the vtable of {id:?} is {size} bytes but the host needs {required} (revision 1 of the interface, or what a C host passed as vtable_size); the plugin was built against a different interface header, or an earlier revision than the host asks for; if the header has gained methods since, each must be declared with the revision that added it ([revision N] in the header, #[revision(N)] in Rust), or it counts as revision 1; a C or C++ host that also takes plugins of an earlier revision passes as vtable_size the size up to the first method a later revision added (offsetof), and tests TENON_HAS_FIELD before calling such a method")]
    #[non_exhaustive]
    VtableTooSmall {
        /// The plugin's name.
        plugin: String,
        /// The interface id.
        id: String,
        /// The vtable's struct_size.
        size: u32,
        /// What the host needs: revision 1 of its declaration, or a C
        /// host's `vtable_size`.
        required: usize,
    },

    /// A method within the plugin's vtable (its `struct_size`) is NULL.
    #[error("plugin {plugin:?}: method `{method}` of interface {id:?} is NULL; every method the vtable holds must be implemented")]
    #[non_exhaustive]
    NullSlot {
        /// The plugin's name.
        plugin: String,
        /// The interface id.
        id: String,
        /// The method's name.
        method: &'static str,
    },

    /// The plugin's `create` failed.
    #[error("plugin {plugin:?} refused to create an instance: {message} ({status})")]
    #[non_exhaustive]
    CreateFailed {
        /// The plugin's name.
        plugin: String,
        /// The status `create` returned.
        status: Status,
        /// The message it wrote.
        message: String,
    },

    /// A shared (concurrently callable) instance was asked of a plugin that
    /// does not declare itself thread-safe.
    #[error("plugin {plugin:?} does not declare TENON_PLUGIN_THREAD_SAFE, so its instances cannot be shared between threads; use Plugin::instantiate and call each instance from one thread at a time")]
    #[non_exhaustive]
    NotThreadSafe {
        /// The plugin's name.
        plugin: String,
    },

    /// The file's SHA-256 digest is not the one the host required
    /// ([`Loader::sha256`](crate::Loader::sha256)). The digest is of the
    /// bytes that would have been mapped (a private copy of the file), and
    /// no code of the file ran.
    #[error("{}: SHA-256 mismatch: the host requires {expected} but the file's digest is {actual}; the file is not the one the host was built to trust", path.display())]
    #[non_exhaustive]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// The digest the host required, as given.
        expected: String,
        /// The file's digest (lowercase hex), or why it could not be compared.
        actual: String,
    },

    /// Isolation was asked for where this build of Tenon cannot provide it
    /// (today: any platform but Linux), or by a host that cannot start a
    /// child (it neither called [`isolation::init`](crate::isolation::init)
    /// at the top of `main` nor named a runner).
    #[error("isolation is not available: {reason}")]
    #[non_exhaustive]
    IsolationUnsupported {
        /// Why, and what to do about it.
        reason: String,
    },

    /// An isolated plugin's process died: while loading the plugin (a
    /// corrupt file, an initializer that aborts), in the plugin's `create`,
    /// while answering a health check or an interface lookup, or earlier,
    /// so that `instantiate`, `ping` or a lookup found it dead and the
    /// restart policy started no new one. `site` says which, and so does
    /// the message. (A process that dies during a method call gives that
    /// call a [`CallError`] of kind `crashed`.)
    ///
    /// A process started under
    /// [`Isolation::memory_limit`](crate::Isolation::memory_limit) may have
    /// died of the limit, wherever it died: while loading (it could not
    /// start its slot threads), in the plugin's `create` or while answering
    /// a health check. Running out of it looks like any other death, so
    /// `memory_limit` holds the limit whenever there was one, and the
    /// message names it.
    #[error("plugin {plugin:?}: its process died{}{} {site}{}{}", signal.map(|s| format!(" from signal {s}")).unwrap_or_default(), exit_code.map(|c| format!(" with exit code {c}")).unwrap_or_default(), if last_words.is_empty() { String::new() } else { format!("; its last words: {last_words}") }, memory_limit.map(|limit| format!("; it ran under a memory limit of {limit} bytes (Isolation::memory_limit), which it may have run out of: the limit counts its whole address space (the program, the plugin, a stack per slot thread, the slots' shared memory)")).unwrap_or_default())]
    #[non_exhaustive]
    Crashed {
        /// The plugin's name (its file name while it was being loaded).
        plugin: String,
        /// The signal that ended it, if one did.
        signal: Option<i32>,
        /// Its exit code, if it exited.
        exit_code: Option<i32>,
        /// The last lines (at most six) it wrote on its standard error,
        /// oldest first, joined with `" | "`; empty if it wrote nothing.
        last_words: String,
        /// The memory limit the process that died was started under, if it
        /// had one (`None` without [`Isolation::memory_limit`](crate::Isolation::memory_limit)).
        memory_limit: Option<u64>,
        /// Where it died, or that it was found dead.
        site: CrashSite,
    },

    /// An isolated plugin did not answer within its deadline (the start
    /// timeout while loading, the deadline of a health check, the call
    /// timeout or [`with_deadline`](crate::isolation::with_deadline)'s for
    /// `instantiate`, whose `create` ran past it); its process was killed.
    #[error("plugin {plugin:?}: no answer within {deadline:?}; its process was killed")]
    #[non_exhaustive]
    TimedOut {
        /// The plugin's name (its file name while it was being loaded).
        plugin: String,
        /// The deadline that passed.
        deadline: Duration,
    },

    /// Starting or talking to an isolated plugin's process failed for a
    /// reason other than its death: the runner could not be spawned, the
    /// handshake was malformed, the shared memory could not be set up, the
    /// memory limit is not above the shared memory, the child broke the
    /// protocol (it was killed then), or the child program cannot serve an
    /// interface looked up (it does not declare it, or declares it
    /// differently from the host).
    #[error("plugin {plugin:?}: isolation failed: {reason}")]
    #[non_exhaustive]
    IsolationFailed {
        /// The plugin's name (its file name while it was being loaded).
        plugin: String,
        /// What went wrong.
        reason: String,
    },

    /// A load error found by an isolated plugin's process (the plugin is
    /// loaded and verified there): `kind` is the [`Error::kind`] the same
    /// failure has in process, `message` its message.
    #[error("{message}")]
    #[non_exhaustive]
    InChild {
        /// The kind the failure has in process, e.g. `missing_entry`.
        kind: &'static str,
        /// The message the child gave.
        message: String,
    },

    /// A reload with state hand-over could not carry the state over: the
    /// old instance's `save` or the new build's `restore` (`org.tenon.state`)
    /// failed. The reload was abandoned and the old build keeps serving,
    /// with its state untouched.
    #[error("plugin {plugin:?}: reload abandoned, the old build keeps serving: the state could not be handed over (the {} failed: {error})", hand_over_step(step))]
    #[non_exhaustive]
    StateHandOver {
        /// The plugin's name (the old build's: the new build, whose
        /// `restore` may be the step that failed, can be another plugin).
        plugin: String,
        /// `"save"` (the old build) or `"restore"` (the new build).
        step: &'static str,
        /// What the plugin said.
        error: CallError,
    },

    /// A reload with state hand-over waited longer than its drain timeout
    /// for the calls in flight on the old build to return. The reload was
    /// abandoned and the old build keeps serving.
    #[error("plugin {plugin:?}: reload abandoned, the old build keeps serving: calls in flight did not return within {waited:?}")]
    #[non_exhaustive]
    DrainTimedOut {
        /// The plugin's name.
        plugin: String,
        /// How long the reload waited.
        waited: Duration,
    },

    /// Watching a reloadable plugin's file could not start (the directory
    /// cannot be watched, too many watches).
    #[error("{}: cannot watch the file: {reason}", path.display())]
    #[non_exhaustive]
    WatchFailed {
        /// The file.
        path: PathBuf,
        /// What the file-watching service said.
        reason: String,
    },

    /// A call into a plugin failed.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// Which build's step of a state hand-over failed, for the message of
/// [`Error::StateHandOver`]: `save` runs in the old build and `restore` in
/// the new one, whose error message is then the new build's words, not
/// those of the plugin the error names.
fn hand_over_step(step: &str) -> &str {
    match step {
        "save" => "old build's save",
        "restore" => "new build's restore",
        other => other,
    }
}

/// What [`Error::InterfaceNotFound`] adds when the interface missing is
/// the state interface: a state hand-over at reload asks every build for
/// it, and a plugin author who never meant to offer it needs to know why
/// it was asked for and how to do without.
fn state_hint(id: &str) -> &'static str {
    if id == <dyn tenon_interface::State as tenon_interface::Interface>::ID {
        "; a reload that hands the instance's state over to the new build \
         (ReloadOptions::hand_over(), TENON_RELOAD_HAND_OVER from C) needs it of every build: \
         the plugin saves and restores its state through it \
         (docs/reload.md, \"State hand-over\"; each language's guide says how to implement it); \
         ReloadOptions::stateless() (TENON_RELOAD_STATELESS) reloads without it"
    } else {
        ""
    }
}

impl Error {
    /// Every name [`Error::kind`] returns for an error of this host (an
    /// [`Error::InChild`] carries one of them too), in the order of the
    /// table on [`Error::kind`]. The names a failed call's
    /// [`CallError`] can have are [`CallError::KIND_NAMES`].
    pub const KIND_NAMES: &'static [&'static str] = &[
        "file_not_found",
        "not_a_library",
        "wrong_architecture",
        "missing_entry",
        "entry_not_a_function",
        "abi_mismatch",
        "null_descriptor",
        "misaligned",
        "descriptor_too_small",
        "invalid_metadata",
        "invalid_version",
        "invalid_interface_table",
        "interface_not_found",
        "interface_version_mismatch",
        "vtable_too_small",
        "null_slot",
        "create_failed",
        "not_thread_safe",
        "checksum_mismatch",
        "isolation_unsupported",
        "crashed",
        "timed_out",
        "isolation_failed",
        "state_hand_over_failed",
        "drain_timed_out",
        "watch_failed",
        "call_failed",
    ];

    /// The stable, machine-readable name of this kind of failure, which
    /// `tenon inspect --json` and `tenon check --json` print. A name is
    /// never reused for another failure.
    ///
    /// | kind | variant |
    /// |---|---|
    /// | `file_not_found` | [`Error::FileNotFound`] |
    /// | `not_a_library` | [`Error::NotALibrary`] (also truncated or corrupt files) |
    /// | `wrong_architecture` | [`Error::WrongArchitecture`] |
    /// | `missing_entry` | [`Error::MissingEntry`] |
    /// | `entry_not_a_function` | [`Error::EntryNotAFunction`] |
    /// | `abi_mismatch` | [`Error::AbiMismatch`] |
    /// | `null_descriptor` | [`Error::NullDescriptor`] |
    /// | `misaligned` | [`Error::Misaligned`] |
    /// | `descriptor_too_small` | [`Error::DescriptorTooSmall`] |
    /// | `invalid_metadata` | [`Error::InvalidMetadata`] |
    /// | `invalid_version` | [`Error::InvalidVersion`] |
    /// | `invalid_interface_table` | [`Error::InvalidInterfaceTable`] |
    /// | `interface_not_found` | [`Error::InterfaceNotFound`] |
    /// | `interface_version_mismatch` | [`Error::InterfaceVersionMismatch`] |
    /// | `vtable_too_small` | [`Error::VtableTooSmall`] |
    /// | `null_slot` | [`Error::NullSlot`] |
    /// | `create_failed` | [`Error::CreateFailed`] |
    /// | `not_thread_safe` | [`Error::NotThreadSafe`] |
    /// | `checksum_mismatch` | [`Error::ChecksumMismatch`] |
    /// | `isolation_unsupported` | [`Error::IsolationUnsupported`] |
    /// | `crashed` | [`Error::Crashed`] |
    /// | `timed_out` | [`Error::TimedOut`] |
    /// | `isolation_failed` | [`Error::IsolationFailed`] (spawn, handshake, protocol) |
    /// | the in-process kind | [`Error::InChild`] (a load error found in an isolated plugin's process) |
    /// | `state_hand_over_failed` | [`Error::StateHandOver`] |
    /// | `drain_timed_out` | [`Error::DrainTimedOut`] |
    /// | `watch_failed` | [`Error::WatchFailed`] |
    /// | `call_failed` | [`Error::Call`] |
    ///
    /// A failed call (every method of a typed handle, and [`Error::Call`])
    /// is a [`CallError`], whose [`CallError::kind_name`] is one of
    /// [`CallError::KIND_NAMES`]:
    ///
    /// | kind | when |
    /// |---|---|
    /// | `error`, `not_found`, `invalid_argument`, `out_of_memory`, `unsupported` | the plugin returned that `TENON_*` status |
    /// | `panic` | a Rust panic or C++ exception caught at the plugin's boundary, with its message |
    /// | `interface_status` | a status of 1000 or more, defined by the interface |
    /// | `unknown_status` | a status `plugin.h` reserves but does not define (10–999), or a negative one |
    /// | `crashed`, `timed_out`, `instance_lost` | an isolated plugin's process died, hung, or lost the instance ([`CallError::fault`]) |
    /// | `invalid_output` | the plugin reported success but its output was rejected (text not UTF-8, a corrupted buffer) |
    /// | `reentrant_call` | refused: a call on a non-thread-safe instance already in a call on this thread |
    /// | `instance_destroyed` | refused (in a plugin): a kept host service whose instance was destroyed |
    /// | `not_provided` | refused: the method was appended in a later revision of the interface than the plugin's vtable holds |
    pub fn kind(&self) -> &'static str {
        match self {
            Error::FileNotFound { .. } => "file_not_found",
            Error::NotALibrary { .. } => "not_a_library",
            Error::WrongArchitecture { .. } => "wrong_architecture",
            Error::MissingEntry { .. } => "missing_entry",
            Error::EntryNotAFunction { .. } => "entry_not_a_function",
            Error::AbiMismatch { .. } => "abi_mismatch",
            Error::NullDescriptor { .. } => "null_descriptor",
            Error::Misaligned { .. } => "misaligned",
            Error::DescriptorTooSmall { .. } => "descriptor_too_small",
            Error::InvalidMetadata { .. } => "invalid_metadata",
            Error::InvalidVersion { .. } => "invalid_version",
            Error::InvalidInterfaceTable { .. } => "invalid_interface_table",
            Error::InterfaceNotFound { .. } => "interface_not_found",
            Error::InterfaceVersionMismatch { .. } => "interface_version_mismatch",
            Error::VtableTooSmall { .. } => "vtable_too_small",
            Error::NullSlot { .. } => "null_slot",
            Error::CreateFailed { .. } => "create_failed",
            Error::NotThreadSafe { .. } => "not_thread_safe",
            Error::ChecksumMismatch { .. } => "checksum_mismatch",
            Error::IsolationUnsupported { .. } => "isolation_unsupported",
            Error::Crashed { .. } => "crashed",
            Error::TimedOut { .. } => "timed_out",
            Error::IsolationFailed { .. } => "isolation_failed",
            Error::InChild { kind, .. } => kind,
            Error::StateHandOver { .. } => "state_hand_over_failed",
            Error::DrainTimedOut { .. } => "drain_timed_out",
            Error::WatchFailed { .. } => "watch_failed",
            Error::Call(_) => "call_failed",
        }
    }
}

/// Where an isolated plugin's process was when it died, as
/// [`Error::Crashed`] reports it; its `Display` is the phrase the error's
/// message uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrashSite {
    /// Loading the plugin: the first load, or the load in a new process
    /// that a restart policy started.
    Loading,
    /// Running the plugin's `create`, for `instantiate`.
    Create,
    /// Answering a health check ([`Plugin::ping`](crate::Plugin::ping)).
    /// The child answers one without running plugin code, so a process
    /// dies here only when something ends it at that moment: the OOM
    /// killer, a signal from outside, or a thread of the plugin's own.
    HealthCheck,
    /// Answering the host's lookup of an interface (the first
    /// `interface` or `require` of it in that process), for which the
    /// child reads the plugin's vtable to verify its methods.
    InterfaceLookup,
    /// Already dead when `instantiate`, `ping` or an interface lookup
    /// needed it: it died earlier (during a call, or outside one), and the
    /// restart policy started no new process (none was set, or its
    /// restarts within the window are used up).
    FoundDead,
}

impl std::fmt::Display for CrashSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CrashSite::Loading => "while loading the plugin",
            CrashSite::Create => "in the plugin's create (instantiate)",
            CrashSite::HealthCheck => "while answering a health check (ping)",
            CrashSite::InterfaceLookup => "while the host looked up an interface in it",
            CrashSite::FoundDead => "earlier and was found dead: no restart policy started a new one (none is set, or its restarts within the window are used up; Isolation::restart, tenon_options_restart in C)",
        })
    }
}

/// Every kind [`Error::kind`] can name, so that a kind sent by an isolated
/// plugin's process maps back to a `'static` name (unknown ones to
/// `isolation_failed`).
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) fn static_kind(kind: &str) -> &'static str {
    Error::KIND_NAMES
        .iter()
        .find(|k| **k == kind)
        .copied()
        .unwrap_or("isolation_failed")
}

/// "version 2" or "versions 1 and 3" or "versions 1, 2 and 3": every
/// version a plugin offers of an id (`offered` alone if the list is empty,
/// as in an error made by hand).
fn versions_phrase(versions: &[u32], offered: u32) -> String {
    match versions {
        [] => format!("version {offered}"),
        [one] => format!("version {one}"),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u32::to_string).collect();
            format!("versions {} and {last}", rest.join(", "))
        }
    }
}

/// "version 2" or "one of versions 1 and 3": what a host may ask for
/// instead.
fn one_of(versions: &[u32], offered: u32) -> String {
    if versions.len() > 1 {
        format!("one of {}", versions_phrase(versions, offered))
    } else {
        versions_phrase(versions, offered)
    }
}
