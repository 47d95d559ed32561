//! What the two Unix backends (`linux.rs`, `macos.rs`) do alike: the
//! mapping of the shared memory once a backend has its descriptor, the
//! control socket pair that is the child's standard input, starting and
//! reaping the child, the handshake, the child's first steps and its
//! watchdog, and the memory limit. Each backend keeps only what differs:
//! the memory object, the wake-ups, and how the child is killed and waited
//! for.

use super::{Ended, HandshakeError, MAX_HANDSHAKE};
use crate::isolation::control;
use rustix::mm::{mmap, munmap, MapFlags, ProtFlags};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::ptr::NonNull;
use std::time::Duration;

/// The shared memory, mapped; the backend made or received the object.
pub(crate) struct Mapping {
    base: NonNull<u8>,
    len: usize,
    fd: OwnedFd,
}

impl Mapping {
    /// Maps `len` bytes of `fd`'s object. The backend has made sure the
    /// object holds them (sealed, or its size checked), since an access
    /// past the object's end faults.
    pub(super) fn map(fd: OwnedFd, len: usize) -> io::Result<Mapping> {
        if len == 0 {
            return Err(io::Error::other("empty shared memory"));
        }
        // SAFETY: a fresh shared mapping of an object we hold, no longer
        // than the object (sealed or checked by the backend); nothing else
        // lives at the address.
        let base = unsafe {
            mmap(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd.as_fd(),
                0,
            )
        }?;
        Ok(Mapping {
            base: NonNull::new(base.cast()).ok_or_else(|| io::Error::other("mmap gave NULL"))?,
            len,
            fd,
        })
    }

    /// The start of the mapping (page-aligned).
    pub(crate) fn base(&self) -> NonNull<u8> {
        self.base
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The memory object's descriptor (sent to the child).
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: mapped in `map` with this length; the `Shm` owning this
        // mapping hands out no slot that outlives it.
        let _ = unsafe { munmap(self.base.as_ptr().cast(), self.len) };
    }
}

/// A sleep's timeout as the kernel takes it.
pub(super) fn timespec(timeout: Option<Duration>) -> Option<rustix::time::Timespec> {
    timeout.map(|t| rustix::time::Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: i64::from(t.subsec_nanos()),
    })
}

/// A child ready to start: the command, with the child's end of the
/// control socket as its standard input.
pub(crate) struct Launch {
    command: Command,
}

/// The host's end of the control socket: the child's watchdog exits when
/// it closes.
pub(crate) struct Control {
    pub(super) socket: UnixStream,
}

/// The command and the control channel for a child running `runner`.
pub(super) fn prepare_command(
    runner: &Path,
    env: &[(&str, String)],
) -> io::Result<(Launch, Control)> {
    let (host_end, child_end) = UnixStream::pair()?;
    let mut command = Command::new(runner);
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::from(OwnedFd::from(child_end)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Ok((Launch { command }, Control { socket: host_end }))
}

/// A started child, as the keeper thread holds it.
pub(crate) struct Spawned {
    /// How the host kills it.
    pub child: super::ChildRef,
    /// Its standard output and error, to forward.
    pub stdout: Option<File>,
    pub stderr: Option<File>,
    /// How the keeper waits for its end.
    pub waiter: super::Waiter,
}

/// A child just started, before the backend wraps it.
pub(super) struct Started {
    pub child: Child,
    pub pid: rustix::process::Pid,
    pub stdout: Option<File>,
    pub stderr: Option<File>,
}

impl Launch {
    /// Starts the child and takes its output streams.
    pub(super) fn start(mut self) -> io::Result<Started> {
        let mut child = self.command.spawn()?;
        drop(self.command);
        let pid = rustix::process::Pid::from_raw(child.id() as i32)
            .ok_or_else(|| io::Error::other("a child's pid is positive"))?;
        let stdout = child.stdout.take().map(|o| File::from(OwnedFd::from(o)));
        let stderr = child.stderr.take().map(|e| File::from(OwnedFd::from(e)));
        Ok(Started {
            child,
            pid,
            stdout,
            stderr,
        })
    }
}

/// How a reaped child ended. A crash is a signal (SIGSEGV, SIGBUS — macOS
/// reports most bad accesses as SIGBUS —, SIGABRT, SIGKILL).
pub(super) fn ended(status: io::Result<ExitStatus>) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(status) => Ended {
            signal: status.signal(),
            exit_code: status.code(),
            note: None,
        },
        Err(_) => Ended::default(),
    }
}

impl Control {
    /// Reads the child's handshake, waiting up to `timeout`.
    pub(crate) fn read_handshake(&self, timeout: Duration) -> Result<Vec<u8>, HandshakeError> {
        let mut control = &self.socket;
        let _ = self.socket.set_read_timeout(Some(timeout));
        let mut len = [0u8; 4];
        let read = control.read_exact(&mut len).and_then(|()| {
            let len = u32::from_le_bytes(len) as usize;
            if len > MAX_HANDSHAKE {
                return Err(io::ErrorKind::InvalidData.into());
            }
            let mut bytes = vec![0u8; len];
            control.read_exact(&mut bytes).map(|()| bytes)
        });
        let _ = self.socket.set_read_timeout(None);
        read.map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HandshakeError::TimedOut,
            io::ErrorKind::InvalidData => HandshakeError::TooLong,
            _ => HandshakeError::Closed,
        })
    }
}

/// The child's end of the control channel.
pub(crate) struct ChildChannel {
    pub(super) control: UnixStream,
    pub(super) fds: Vec<OwnedFd>,
}

/// The child's check that the host is its parent: a child started by
/// anyone else (or orphaned already) ends at once.
pub(super) fn check_parent(parent_env: &str) {
    let parent = std::env::var(parent_env)
        .ok()
        .and_then(|p| p.parse::<i32>().ok());
    let actual = rustix::process::getppid().map(|p| p.as_raw_nonzero().get());
    if parent.is_none() || parent != actual {
        std::process::exit(1);
    }
}

/// The control socket is the child's stdin; keep it, and give the plugin
/// an empty stdin instead, so nothing it reads can eat the protocol.
pub(super) fn take_control() -> Result<OwnedFd, String> {
    let control: OwnedFd = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("no control socket: {e}"))?;
    if let Ok(null) = File::open("/dev/null") {
        let _ = rustix::stdio::dup2_stdin(&null);
    }
    Ok(control)
}

impl ChildChannel {
    /// Receives the setup message (its descriptors are kept for
    /// [`ChildChannel::take_resources`]).
    pub(crate) fn receive_setup(&mut self) -> Result<Vec<u8>, String> {
        let (setup, fds) = control::receive(&self.control).map_err(|e| format!("setup: {e}"))?;
        self.fds = fds;
        Ok(setup)
    }

    /// Writes one length-prefixed message to the host.
    pub(crate) fn send(&self, bytes: &[u8]) -> io::Result<()> {
        control::write_message(&self.control, bytes)
    }

    /// After a refusal: waits for the host to close the channel, then ends
    /// (where the watchdog already runs, it ends the process first).
    pub(crate) fn wait_for_close_and_exit(&self) -> ! {
        let mut rest = Vec::new();
        let mut control = &self.control;
        let _ = control.read_to_end(&mut rest);
        std::process::exit(0);
    }
}

/// The watchdog: when the host's end closes (the host died or dropped the
/// plugin), end at once, whatever the plugin's threads are doing.
pub(super) fn watch(control: UnixStream) -> io::Result<()> {
    std::thread::Builder::new()
        .name("tenon-watchdog".to_owned())
        .spawn(move || {
            let mut control = &control;
            let mut byte = [0u8; 64];
            loop {
                match control.read(&mut byte) {
                    Ok(0) | Err(_) => {
                        let _ = rustix::process::kill_process(
                            rustix::process::getpid(),
                            rustix::process::Signal::KILL,
                        );
                    }
                    Ok(_) => {}
                }
            }
        })
        .map(drop)
}

/// Limits the child's address space (an allocation beyond it fails, which
/// the plugin typically turns into an abort). Linux only in effect: on
/// macOS the host refused the limit before starting the child.
///
/// Under the limit, glibc's allocator keeps one arena unless the
/// environment says otherwise (`MALLOC_ARENA_MAX`). By default it gives
/// each thread that allocates an arena of its own, reserving 64 MiB of
/// address space apiece, so with calls on several slot threads the
/// reservations, not what the plugin uses, filled limits of 256 to 512 MiB
/// and a plugin's `pthread_create` failed under them (while 128 MiB, too
/// small for a second arena, worked).
pub(crate) fn limit_memory(bytes: u64) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a parameter of the allocator, which
        // takes effect for arenas created later; M_ARENA_MAX accepts any
        // positive count, and no other thread of this child is changing
        // allocator parameters.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
    }
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::As,
        rustix::process::Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    );
}

/// Whether the host limits the child's memory itself when it starts it
/// (then the child does nothing more).
pub(crate) const HOST_LIMITS_MEMORY: bool = false;

/// The memory's descriptor (for the channel's tests).
#[cfg(test)]
#[allow(dead_code)]
pub(crate) fn mapping_fd(shm: &crate::isolation::shm::Shm) -> BorrowedFd<'_> {
    shm.mapping().fd()
}
