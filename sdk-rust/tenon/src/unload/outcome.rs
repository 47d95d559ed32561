//! What [`Plugin::unload`](crate::Plugin::unload) found: the verdict and
//! the reasons a closed library can stay in the process.

use std::fmt;
use std::path::{Path, PathBuf};

/// The result of [`Plugin::unload`](crate::Plugin::unload): whether the
/// plugin's code really left the process.
///
/// Only [`Unloaded`](UnloadOutcome::Unloaded) and
/// [`ProcessEnded`](UnloadOutcome::ProcessEnded) mean that nothing of the
/// plugin remains; [`is_unloaded`](UnloadOutcome::is_unloaded) says so.
/// Every variant has a stable machine-readable [`name`](UnloadOutcome::name).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UnloadOutcome {
    /// The library was closed and the operating system no longer maps it
    /// into this process: checked after closing, not assumed.
    Unloaded,
    /// The plugin ran isolated: its library was never in this process, and
    /// its process has been killed (`SIGKILL`, which cannot be caught; the
    /// operating system unmaps everything of a process that ends, and the
    /// process is reaped in the background).
    ProcessEnded,
    /// Other clones of the [`Plugin`](crate::Plugin), or instances made
    /// from it, are still alive: nothing was closed (never said of a static
    /// plugin, which is [`Static`](UnloadOutcome::Static) whatever owns it). The library is closed
    /// when the last of them is dropped (unverified then; keep one clone
    /// and call `unload` on it last to learn the outcome).
    StillInUse {
        /// How many other owners (clones and instances) there were when
        /// `unload` was called.
        owners: usize,
    },
    /// The library was closed but is still mapped into this process: its
    /// code and data stay, its finalizers may not have run, and loading
    /// the same file again gives the same copy, with its old state.
    StillMapped(StillMapped),
    /// The plugin is linked into the host
    /// ([`Registry::with_static`](crate::Registry::with_static)): it is
    /// part of the program and is never unloaded, so this is the outcome
    /// whether or not other clones or instances of it are alive.
    Static,
    /// The library was closed, but whether it left the process could not
    /// be checked.
    NotVerified(Unverified),
}

impl UnloadOutcome {
    /// `unloaded`, `process_ended`, `still_in_use`, `still_mapped`,
    /// `static` or `not_verified`: stable names for logs and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            UnloadOutcome::Unloaded => "unloaded",
            UnloadOutcome::ProcessEnded => "process_ended",
            UnloadOutcome::StillInUse { .. } => "still_in_use",
            UnloadOutcome::StillMapped(_) => "still_mapped",
            UnloadOutcome::Static => "static",
            UnloadOutcome::NotVerified(_) => "not_verified",
        }
    }

    /// Whether nothing of the plugin is left in this process (verified):
    /// [`Unloaded`](UnloadOutcome::Unloaded) or
    /// [`ProcessEnded`](UnloadOutcome::ProcessEnded).
    pub fn is_unloaded(&self) -> bool {
        matches!(self, UnloadOutcome::Unloaded | UnloadOutcome::ProcessEnded)
    }
}

impl fmt::Display for UnloadOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnloadOutcome::Unloaded => f.write_str("unloaded: the library is no longer mapped"),
            UnloadOutcome::ProcessEnded => f.write_str("unloaded: the plugin's process was ended"),
            UnloadOutcome::StillInUse { owners } => write!(
                f,
                "still in use by {owners} other clone(s) or instance(s); it is closed when the \
                 last is dropped"
            ),
            UnloadOutcome::StillMapped(still) => still.fmt(f),
            UnloadOutcome::Static => {
                f.write_str("linked into the host: a static plugin is never unloaded")
            }
            UnloadOutcome::NotVerified(why) => write!(f, "closed, not verified: {why}"),
        }
    }
}

/// A library that was closed but is still mapped, with the likely reasons.
///
/// The reasons are inferred from the library file (its dynamic flags and
/// symbols) and from this process (other loads of the same file): the
/// dynamic loader does not say why it keeps a library.
#[derive(Debug, Clone)]
pub struct StillMapped {
    pub(crate) path: PathBuf,
    pub(crate) reasons: Vec<PinReason>,
    pub(crate) probe: super::platform::Mapped,
    /// The check ran on the process's main thread (Linux: its thread id
    /// is the process id); false where that is not known.
    pub(crate) on_main_thread: bool,
}

impl StillMapped {
    /// The plugin file's path, as loaded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The likely reasons, most certain first; never empty (the last resort
    /// is [`PinReason::Unknown`]).
    pub fn reasons(&self) -> &[PinReason] {
        &self.reasons
    }

    /// Asks the dynamic loader once more to let the library go, and checks
    /// again. This finishes an unload that glibc deferred because
    /// thread-local destructors were pending
    /// ([`PinReason::ThreadLocalDestructors`]): once the threads that owed
    /// them have exited, glibc unmaps the library only at a later close (of
    /// it, which this is: the library is reopened without loading
    /// anything, `RTLD_NOLOAD`, and closed; or of any other library, so it
    /// may be gone already, and this says `unloaded` then too). For the
    /// other reasons it changes nothing and says so.
    pub fn retry(&self) -> UnloadOutcome {
        self.probe.retry(&self.path)
    }

    /// For a library kept for thread-local destructors
    /// ([`PinReason::ThreadLocalDestructors`]) by an unload (or
    /// [`StillMapped::retry`]) made on the process's main thread (Linux),
    /// what that means: the main thread exits only with the process, so if
    /// the plugin was called on it, [`StillMapped::retry`] cannot succeed
    /// before then. Which threads owe the destructors is not known (glibc
    /// does not say), so the note is conditional. `None` otherwise.
    pub fn main_thread_note(&self) -> Option<&'static str> {
        (self.on_main_thread && self.reasons.contains(&PinReason::ThreadLocalDestructors))
            .then_some(
                "this unload ran on the process's main thread, which exits only with the process: \
             if the plugin touched its thread-locals on this thread (an instance created or \
             called here), their destructors run only at exit, and retry() cannot unload it \
             before then; create and call such a plugin on a thread that exits, then retry()",
            )
    }
}

impl fmt::Display for StillMapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "closed but still mapped")?;
        for (i, reason) in self.reasons.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            reason.fmt(f)?;
        }
        if let Some(note) = self.main_thread_note() {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// Why a closed library can stay mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinReason {
    /// The library was linked with `-z nodelete` (`DF_1_NODELETE` in its
    /// dynamic section): the loader never unloads it.
    NoDelete,
    /// The library defines `STB_GNU_UNIQUE` symbols (GCC emits them for
    /// static data of inline functions and templates with default
    /// visibility): glibc never unloads a library whose unique symbol it
    /// has bound.
    UniqueSymbols {
        /// How many it defines.
        count: usize,
        /// The first one or two (mangled) names.
        examples: Vec<String>,
    },
    /// Thread-local destructors the library registered (a Rust
    /// `thread_local!` with `Drop`, a C++ `thread_local` with a destructor,
    /// and Rust's `std::thread::spawn`, which registers one on the thread
    /// that calls it) are still owed by threads that touched them: glibc keeps the library
    /// until those threads have exited, and unmaps it at the next close
    /// after that ([`StillMapped::retry`]). Inferred: the library imports
    /// `__cxa_thread_atexit_impl` or `__cxa_thread_atexit` and no other
    /// reason was found.
    ThreadLocalDestructors,
    /// Other [`Plugin`](crate::Plugin)s loaded from the same file are alive
    /// in this process: they share the one mapped copy.
    OpenedAgain {
        /// How many.
        plugins: usize,
    },
    /// None of the above was found; the host (or a library it loaded) may
    /// have opened the same file itself, or the file could not be read.
    Unknown {
        /// What was found, or why the file could not be inspected.
        detail: String,
    },
}

impl PinReason {
    /// `nodelete`, `unique_symbols`, `thread_local_destructors`,
    /// `opened_again` or `unknown`: stable names for logs and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            PinReason::NoDelete => "nodelete",
            PinReason::UniqueSymbols { .. } => "unique_symbols",
            PinReason::ThreadLocalDestructors => "thread_local_destructors",
            PinReason::OpenedAgain { .. } => "opened_again",
            PinReason::Unknown { .. } => "unknown",
        }
    }

    /// How to build (or use) the plugin so that this reason goes away:
    /// one sentence for a plugin's author.
    pub fn advice(&self) -> &'static str {
        match self {
            PinReason::NoDelete => "do not link with -z nodelete (-Wl,-z,nodelete), and do not open the library with RTLD_NODELETE",
            PinReason::UniqueSymbols { .. } => "build with clang, or with g++ -fno-gnu-unique, or give inline functions and templates with static data hidden visibility (-fvisibility=hidden -fvisibility-inlines-hidden) and link with the SDK's version script",
            PinReason::ThreadLocalDestructors => "avoid thread-locals with destructors on host threads (in Rust, a thread_local! whose type needs Drop, including std's own, touched from a plugin call: std::thread::spawn called on a host thread, in create for example, registers one; use const-initialized Cell/RefCell of types without Drop, or state in the instance); they are freed only when the host's thread exits",
            PinReason::OpenedAgain { .. } => "drop or unload the other Plugins loaded from the same file",
            PinReason::Unknown { .. } => "check whether the host or one of its libraries opened the same file",
        }
    }
}

impl fmt::Display for PinReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinReason::NoDelete => f.write_str("the library is marked NODELETE (-z nodelete)"),
            PinReason::UniqueSymbols { count, examples } => write!(
                f,
                "the library defines {count} STB_GNU_UNIQUE symbol(s) ({}), which glibc never \
                 unloads",
                examples.join(", ")
            ),
            PinReason::ThreadLocalDestructors => f.write_str(
                "thread-local destructors are likely pending on threads that are still alive",
            ),
            PinReason::OpenedAgain { plugins } => write!(
                f,
                "{plugins} other Plugin(s) loaded from the same file share the mapped library"
            ),
            PinReason::Unknown { detail } => write!(f, "reason unknown: {detail}"),
        }
    }
}

/// Why an unload could not be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unverified {
    /// This platform has no check in this release (macOS, the BSDs): the library was
    /// closed, and nothing is claimed about whether it left.
    UnsupportedPlatform {
        /// The platform (`std::env::consts::OS`).
        os: &'static str,
    },
    /// The check failed (for example `/proc/self/maps` could not be read).
    ProbeFailed {
        /// What failed.
        message: String,
    },
}

impl fmt::Display for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unverified::UnsupportedPlatform { os } => {
                write!(f, "unloading is not verified on {os} in this release")
            }
            Unverified::ProbeFailed { message } => write!(f, "the check failed: {message}"),
        }
    }
}
