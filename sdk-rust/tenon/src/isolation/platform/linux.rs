//! Linux: the slots in a sealed `memfd`, futex wake-ups on the state word
//! itself, the child started by `posix_spawn` with a socket pair as its
//! standard input (the plugin file and the memory travel over it as
//! descriptors), and a pidfd to kill it without a pid-reuse race. What it
//! does like macOS is in `unix.rs`.

use super::unix::{self, ChildChannel, Control, Launch, Mapping, Spawned};
use super::Ended;
use crate::integrity::Opened;
use crate::isolation::control;
use crate::isolation::frame::Reader;
use crate::isolation::shm::Shm;
use rustix::fs::{fcntl_add_seals, ftruncate, memfd_create, MemfdFlags, SealFlags};
use rustix::thread::futex;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

impl Mapping {
    /// A new mapping of `len` bytes, sealed against shrinking and growing
    /// (so the child cannot make the host's accesses fault).
    pub(crate) fn create(len: usize) -> io::Result<Mapping> {
        let fd = memfd_create(
            "tenon-isolation",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        ftruncate(&fd, len as u64)?;
        fcntl_add_seals(&fd, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
        Self::map(fd, len)
    }

    /// Maps the memory the host sent, whole (the child's side).
    fn open(fd: OwnedFd) -> io::Result<Mapping> {
        let len = rustix::fs::fstat(&fd)?.st_size as usize;
        Self::map(fd, len)
    }
}

/// What a slot needs besides its state word to wake a sleeper: nothing, a
/// futex sleeps on the word itself.
pub(crate) struct SlotWake;

impl SlotWake {
    /// Whether the wake-up lives in the state word (no per-slot object is
    /// sent to the child).
    pub(crate) const IN_WORD: bool = true;

    /// A slot's wake-up.
    pub(crate) fn create() -> io::Result<SlotWake> {
        Ok(SlotWake)
    }
}

/// Sleeps while `word` holds `seen`, up to `timeout` (`me` is the
/// sleeper's bit, unused here). Returns early on any wake-up, a change of
/// the word, or a signal: the caller checks again.
pub(crate) fn sleep(
    word: &AtomicU32,
    seen: u32,
    _wake: &SlotWake,
    _me: u32,
    timeout: Option<Duration>,
) {
    let spec = unix::timespec(timeout);
    // EAGAIN (the word changed), EINTR and ETIMEDOUT all lead back to the
    // caller's checks.
    let _ = futex::wait(word, futex::Flags::empty(), seen, spec.as_ref());
}

/// Wakes whoever sleeps on `word` (`whom`, the sleeper bits, unused: a
/// futex wakes every sleeper on the word).
pub(crate) fn wake(word: &AtomicU32, _wake: &SlotWake, _whom: u32) {
    let _ = futex::wake(word, futex::Flags::empty(), u32::MAX);
}

/// The program a host that called `init` re-executes as the child.
pub(crate) fn own_executable() -> io::Result<PathBuf> {
    Ok("/proc/self/exe".into())
}

/// The command and the control channel for a child running `runner`.
pub(crate) fn prepare(
    runner: &Path,
    env: &[(&str, String)],
    _memory_limit: Option<u64>,
) -> io::Result<(Launch, Control)> {
    unix::prepare_command(runner, env)
}

impl Launch {
    /// Starts the child. It must be called on the thread that then waits
    /// for it (the keeper), since the child's parent-death signal fires
    /// when the spawning *thread* ends.
    pub(crate) fn spawn(self) -> io::Result<Spawned> {
        let started = self.start()?;
        // Race-free: the pid cannot be reused before the keeper reaps it.
        let pidfd = rustix::process::pidfd_open(started.pid, rustix::process::PidfdFlags::empty())?;
        Ok(Spawned {
            child: ChildRef { pidfd },
            stdout: started.stdout,
            stderr: started.stderr,
            waiter: Waiter {
                child: started.child,
            },
        })
    }
}

/// What the host keeps to kill the child.
pub(crate) struct ChildRef {
    pidfd: OwnedFd,
}

impl ChildRef {
    /// Kills the child (idempotent).
    pub(crate) fn kill(&self) {
        let _ = rustix::process::pidfd_send_signal(&self.pidfd, rustix::process::Signal::KILL);
    }
}

/// What the keeper waits on.
pub(crate) struct Waiter {
    child: Child,
}

impl Waiter {
    /// Waits for the child's end and reaps it.
    pub(crate) fn wait(mut self) -> Ended {
        unix::ended(self.child.wait())
    }
}

impl Control {
    /// Sends the setup message, with the plugin file and the shared memory
    /// attached as descriptors.
    pub(crate) fn send_setup(
        &self,
        bytes: &[u8],
        file: &File,
        shm: &Shm,
        _child: &ChildRef,
    ) -> io::Result<()> {
        let fds = [file.as_fd(), shm.mapping().fd()];
        control::send(&self.socket, bytes, &fds)
    }
}

/// The first steps of the child: die with the host, make the plugin the
/// OOM killer's choice, and take the control socket from standard input.
pub(crate) fn child_begin(parent_env: &str) -> Result<ChildChannel, String> {
    // Die with the host, even when it is SIGKILLed; if it died before this
    // line, our parent is already someone else.
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    unix::check_parent(parent_env);
    // The kernel's OOM killer should pick the plugin, not the host.
    let _ = std::fs::write("/proc/self/oom_score_adj", "1000");
    let control = unix::take_control()?;
    Ok(ChildChannel {
        control: UnixStream::from(control),
        fds: Vec::new(),
    })
}

impl ChildChannel {
    /// The plugin file and the shared memory the setup carried; `reader`
    /// is past the setup's common fields.
    pub(crate) fn take_resources(
        &mut self,
        _reader: &mut Reader<'_>,
    ) -> Result<(Opened, Mapping, Vec<SlotWake>), String> {
        if self.fds.len() != 2 {
            return Err("setup: expected two descriptors".to_owned());
        }
        let shm_fd = self.fds.pop().expect("two");
        let plugin_fd = self.fds.pop().expect("two");
        let mapping = Mapping::open(shm_fd).map_err(|e| format!("shared memory: {e}"))?;
        // Loaded through its descriptor: the bytes the host opened (and
        // checked, when it required a digest).
        let opened = Opened {
            file: File::from(plugin_fd),
            copied: true,
        };
        Ok((opened, mapping, Vec::new()))
    }

    /// Starts the watchdog ([`unix::watch`]) once the plugin is loaded:
    /// the parent-death signal covers the time before.
    pub(crate) fn watchdog(self) -> io::Result<()> {
        unix::watch(self.control)
    }
}

/// A second mapping of `shm`'s memory in this process, as the child maps
/// it (for the channel's tests).
#[cfg(test)]
pub(crate) fn second_view(shm: &Shm) -> io::Result<Shm> {
    let fd = shm.mapping().fd().try_clone_to_owned()?;
    Shm::open(Mapping::open(fd)?, Vec::new())
}
