//! The one entry point that holds the choices made when loading a plugin.

use crate::isolation::Isolation;
use crate::registry::{Origin, StaticEntry};
use crate::reload::{ReloadOptions, Reloadable};
use crate::{Error, HostServices, Interface, Plugin};
use std::path::Path;

/// Loads plugins with options: the host's services, the run mode (in this
/// process, or isolated in a child process) and a required checksum.
///
/// ```no_run
/// use std::time::Duration;
/// use tenon::isolation::{Isolation, Restart};
///
/// # fn main() -> Result<(), tenon::Error> {
/// let plugin = tenon::Plugin::loader()
///     .isolated(
///         Isolation::new()
///             .call_timeout(Duration::from_secs(5))
///             .restart(Restart::Always { backoff: Duration::from_millis(10) }),
///     )
///     .load("target/plugins/libgreeter.so")?;
/// let instance = plugin.instantiate("")?;
/// # Ok(())
/// # }
/// ```
///
/// After loading, the [`Plugin`], its instances, their typed handles and
/// the errors are the same in both modes: code using a handle does not know
/// where the plugin runs.
#[derive(Clone, Debug, Default)]
pub struct Loader {
    pub(crate) services: HostServices,
    pub(crate) isolation: Option<Isolation>,
    pub(crate) sha256: Option<String>,
}

impl Loader {
    /// Loads in process, offering no services, checking no digest.
    pub fn new() -> Self {
        Self::default()
    }

    /// The interfaces the host offers every instance of the plugin (each
    /// instance's `tenon_host.get_interface`). In isolated mode a plugin
    /// reaches them during a call into it, on the thread that made that
    /// call.
    pub fn services(mut self, services: HostServices) -> Self {
        self.services = services;
        self
    }

    /// Runs the plugin in a child process: a crash, an `exit`, a hang or a
    /// runaway allocation there gives the host a typed error instead of
    /// its death. See [`Isolation`] and `docs/isolation.md`. On platforms
    /// other than Linux, Windows and macOS, loading then fails with kind
    /// `isolation_unsupported`.
    pub fn isolated(mut self, isolation: Isolation) -> Self {
        self.isolation = Some(isolation);
        self
    }

    /// Runs the plugin in this process (the default). An [`Isolation`]
    /// given to [`isolated`](Self::isolated) before is dropped: its
    /// settings exist only inside an isolated load, so an in-process load
    /// cannot be handed any (a C host's options can: see
    /// `tenon_options_isolated` for how they are checked).
    pub fn in_process(mut self) -> Self {
        self.isolation = None;
        self
    }

    /// Requires the file's SHA-256 digest (64 hexadecimal digits, either
    /// case). The file is copied into private memory and hashed as it is
    /// copied, and that copy is what is loaded (and sent to an isolated
    /// plugin's process), so the bytes checked are the bytes mapped. A
    /// mismatch fails with [`Error::ChecksumMismatch`] before any of the
    /// file's code runs. So does every load when `hex` is not 64
    /// hexadecimal digits (no file matches it; the error's message says
    /// so). A reloadable ([`Loader::reloadable`]) checks every build it
    /// loads against the same digest: only exactly these bytes reload.
    /// The digest covers the plugin's own file: the shared libraries it
    /// needs, its own beside it included (`docs/ABI.md`, "Where a
    /// plugin's own libraries are found"), are mapped from their files.
    pub fn sha256(mut self, hex: impl Into<String>) -> Self {
        self.sha256 = Some(hex.into());
        self
    }

    /// Loads and verifies the plugin at `path` as [`Plugin::load`]
    /// describes, with these options.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Plugin, Error> {
        Plugin::load_with(self, path.as_ref())
    }

    /// Verifies the plugin linked into the host whose entry is `entry`, as
    /// a loaded library's descriptor is verified, and gives it as a
    /// [`Plugin`] named `name` in errors and in
    /// [`PluginInfo::path`](crate::PluginInfo::path) (`static:<name>`).
    /// It is offered this loader's services. It runs in the host's process
    /// and is never unloaded: a loader that isolates refuses it with
    /// [`Error::IsolationUnsupported`] (isolate a file build instead), and a
    /// required digest does not apply (there is no file; the plugin is part
    /// of the program).
    ///
    /// The entry runs now, as a library's entry runs when it is loaded: pass
    /// only functions that are Tenon entries (their type says so to the
    /// compiler, not their behaviour). [`Registry::with_static`](crate::Registry::with_static)
    /// lists such plugins beside files.
    pub fn load_static(&self, name: &str, entry: StaticEntry) -> Result<Plugin, Error> {
        let label = Origin::Static(name.to_owned()).to_string();
        if self.isolation.is_some() {
            return Err(Error::IsolationUnsupported {
                reason: format!(
                    "{name} is linked into the host and runs in its process; isolate a file build of it"
                ),
            });
        }
        Plugin::from_static(Path::new(&label), entry, &self.services)
    }

    /// Loads the plugin at `path` reloadable (`docs/reload.md`): an
    /// instance made with `config`, seen through interface `I`, whose
    /// build [`Reloadable::reload`] replaces while threads keep calling it.
    /// In process or isolated as this loader says; with
    /// [`Swap::HandOver`](crate::Swap::HandOver) the plugin must offer
    /// `org.tenon.state`. The file is copied into private memory first, so
    /// rebuilding it in place never disturbs the build in use.
    pub fn reloadable<I: ?Sized + Interface>(
        &self,
        path: impl AsRef<Path>,
        config: &str,
        options: ReloadOptions,
    ) -> Result<Reloadable<I>, Error> {
        Reloadable::load(self, path.as_ref(), config, options)
    }
}
