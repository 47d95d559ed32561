//! What a host chooses about an isolated plugin.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// How to run a plugin in a child process ([`Loader::isolated`](crate::Loader::isolated)).
///
/// Every setting has a default; `Isolation::new()` alone isolates with no
/// call deadline, no restart, a 50 µs linger and the host binary itself as
/// the child (which needs [`init`](crate::isolation::init) at the top of
/// `main`).
#[derive(Clone, Debug)]
pub struct Isolation {
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) restart: Restart,
    pub(crate) linger: Duration,
    pub(crate) memory_limit: Option<u64>,
    pub(crate) runner: Option<PathBuf>,
    pub(crate) start_timeout: Duration,
    pub(crate) slots: usize,
    pub(crate) slot_size: usize,
}

impl Default for Isolation {
    fn default() -> Self {
        Isolation {
            call_timeout: None,
            restart: Restart::Never,
            linger: Duration::from_micros(50),
            memory_limit: None,
            runner: None,
            start_timeout: Duration::from_secs(10),
            slots: 8,
            slot_size: 4 << 20,
        }
    }
}

// The reply area (3/8 of a slot) ends with the error message's area; the
// smallest slot must leave room before it for a result.
const _: () = assert!(Isolation::MIN_SLOT_SIZE / 8 * 3 >= 3 * super::shm::ERROR_AREA / 2);

impl Isolation {
    /// The smallest slot [`slot_size`](Self::slot_size) gives, 256 KiB: the
    /// reply's 3/8 holds the 64 KiB kept for an error message and 32 KiB
    /// of result.
    pub const MIN_SLOT_SIZE: usize = 256 << 10;

    /// The defaults (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// The deadline of every call into the plugin that has no deadline of
    /// its own ([`with_deadline`](crate::isolation::with_deadline)). A call
    /// that outlives it kills the plugin's process and fails with kind
    /// `timed_out`; other calls in flight in that process fail with kind
    /// `crashed`. Default: none (a hung plugin blocks its caller, as in
    /// process).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// What happens after the plugin's process dies. Default:
    /// [`Restart::Never`].
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// How long the child keeps spinning on a slot after answering, so that
    /// the next call finds it awake (waking a sleeping process costs
    /// 6–25 µs here). Each busy slot burns up to this much CPU per call;
    /// zero makes the child sleep at once. Default: 50 µs.
    pub fn linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }

    /// Caps the child's address space (`RLIMIT_AS` on Linux; on Windows
    /// the committed memory, as its job object's per-process memory
    /// limit), so that runaway allocation fails in the child (usually
    /// aborting it) instead of starving the machine; a call the child dies
    /// under then fails with [`Fault::Crashed`](crate::Fault::Crashed)
    /// whose `memory_limit` (and message) names this limit, since running
    /// out of it looks like any other crash; a death outside a call (while
    /// loading, in `create`, or found by a health check) is
    /// [`Error::Crashed`](crate::Error::Crashed) naming it likewise. On Linux it is the
    /// whole address space: the shared memory (`slots` × `slot_size`,
    /// 32 MiB by default), the child program and its libraries, a stack per
    /// slot thread, then the plugin's own needs; a C plugin in a
    /// re-executed host failed to start under 48 MiB and ran under 64 MiB
    /// with the defaults. Under a limit the child keeps one glibc malloc
    /// arena (unless `MALLOC_ARENA_MAX` is set), since glibc otherwise
    /// reserves 64 MiB of address space per allocating thread. A limit not
    /// above the shared memory is refused with kind `isolation_failed`; one
    /// too small for the rest fails the load (`crashed`, or the loader's
    /// error with a message naming the limit). Where
    /// the limit cannot be enforced (Windows under Wine, which accepts a
    /// job's limit and applies none), loading fails with
    /// `isolation_unsupported`. Default: no cap.
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The program to run as the child: any program whose `main` calls
    /// [`init`](crate::isolation::init) first. Default: the host binary
    /// itself (`/proc/self/exe` on Linux, `std::env::current_exe()` on
    /// macOS and Windows), which must then call `init` too.
    ///
    /// A bare file name (`"my-runner"`, no directory) names a program
    /// beside the host's executable (`std::env::current_exe()`'s
    /// directory), where Cargo puts the binaries of the host's own package;
    /// it is never looked up in `PATH`. A path with a directory
    /// (`"bin/my-runner"`, `"./my-runner"`) is used as given, a relative
    /// one against the current directory. On Windows `.exe` is appended
    /// to a name that does not end with it. A runner that does not exist
    /// fails the load with kind `isolation_failed`, the message naming the
    /// path tried.
    pub fn runner(mut self, path: impl Into<PathBuf>) -> Self {
        self.runner = Some(path.into());
        self
    }

    /// How long spawning the child, loading the plugin there and the
    /// handshake may take before the load fails with kind `timed_out`.
    /// Default: 10 s.
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// How many calls may be in flight at once (from any host threads,
    /// including calls made from host services during a call). A call
    /// beyond that waits for a free slot. Default: 8.
    pub fn slots(mut self, slots: usize) -> Self {
        self.slots = slots.clamp(1, 256);
        self
    }

    /// The shared memory of one slot, which bounds one call: 3/8 of it for
    /// the arguments, 3/8 for the result and the error message (of which
    /// the message gets 64 KiB), 1/4 for host-service calls the plugin
    /// makes during the call. A call whose arguments do not fit fails with
    /// kind `invalid_argument` before anything is sent; a result that does
    /// not fit fails in the plugin's own way (its output buffer cannot
    /// grow), usually kind `out_of_memory`, with a message that ends
    /// naming `slot_size`. Default: 4 MiB (1.5 MiB of
    /// arguments, framing included; a result of at most 1,507,328 bytes);
    /// at least [`MIN_SLOT_SIZE`](Self::MIN_SLOT_SIZE), at most
    /// 1 GiB. Memory is touched only as calls use it.
    pub fn slot_size(mut self, bytes: usize) -> Self {
        self.slot_size = bytes
            .clamp(Self::MIN_SLOT_SIZE, 1 << 30)
            .next_multiple_of(4096);
        self
    }

    /// The bytes of shared memory the child maps for its slots before the
    /// plugin loads (`slots` × `slot_size`).
    pub(crate) fn shared_memory(&self) -> u64 {
        self.slots as u64 * self.slot_size as u64
    }
}

/// The program [`Isolation::runner`] names by `named`: a bare file name
/// beside the host's executable, any other path as given; on Windows with
/// `.exe` appended when it does not end with it.
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    allow(dead_code)
)]
pub(crate) fn locate_runner(named: &Path) -> std::io::Result<PathBuf> {
    let mut components = named.components();
    let bare = matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    );
    let mut path = if bare {
        std::env::current_exe()?.with_file_name(named)
    } else {
        named.to_path_buf()
    };
    if cfg!(windows)
        && !path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("exe"))
    {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".exe");
        path.set_file_name(name);
    }
    Ok(path)
}

/// What happens after an isolated plugin's process dies.
///
/// Instances that lived in the dead process are never recreated behind the
/// host's back: their calls fail with kind `instance_lost`. A restart
/// serves new instances (and health checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Restart {
    /// The plugin stays dead: `instantiate` and `ping` fail with kind
    /// `crashed`.
    Never,
    /// A new process is started when next needed (by the `instantiate` or
    /// `ping` that needs it, which waits on its own thread), waiting `backoff` after
    /// a death, doubled for each death that follows within a minute of the
    /// previous restart (at most 64 times `backoff`).
    Always {
        /// The wait before the first restart.
        backoff: Duration,
    },
    /// Like `Always` with no backoff, but at most `n` restarts within any
    /// `window`; beyond that the plugin stays dead until the window moves on.
    AtMost {
        /// How many restarts the window allows.
        n: u32,
        /// The sliding window.
        window: Duration,
    },
}

#[cfg(test)]
mod tests {
    use super::locate_runner;
    use std::path::Path;

    /// `.exe` on Windows, nothing elsewhere.
    fn exe(name: &str) -> String {
        format!("{name}{}", std::env::consts::EXE_SUFFIX)
    }

    #[test]
    fn a_bare_name_is_beside_the_host_and_a_path_is_used_as_given() {
        let host = std::env::current_exe().unwrap();
        assert_eq!(
            locate_runner(Path::new("my-runner")).unwrap(),
            host.with_file_name(exe("my-runner"))
        );
        assert_eq!(
            locate_runner(Path::new("bin/my-runner")).unwrap(),
            Path::new(&exe("bin/my-runner"))
        );
        assert_eq!(
            locate_runner(Path::new("./my-runner")).unwrap(),
            Path::new(&exe("./my-runner"))
        );
        let absolute = host.with_file_name(exe("elsewhere"));
        assert_eq!(locate_runner(&absolute).unwrap(), absolute);
        // A name that already ends with `.exe` keeps it, in any case.
        assert_eq!(
            locate_runner(Path::new("my-runner.EXE")).unwrap(),
            host.with_file_name("my-runner.EXE")
        );
    }
}
