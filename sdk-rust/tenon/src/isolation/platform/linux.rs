//! Linux: the slots in a sealed `memfd`, futex wake-ups on the state word
//! itself, the child started by `posix_spawn` with a socket pair as its
//! standard input (the plugin file and the memory travel over it as
//! descriptors), and a pidfd to kill it without a pid-reuse race.

use super::{Ended, HandshakeError};
use crate::integrity::Opened;
use crate::isolation::control;
use crate::isolation::frame::Reader;
use crate::isolation::shm::Shm;
use rustix::fs::{fcntl_add_seals, ftruncate, memfd_create, MemfdFlags, SealFlags};
use rustix::mm::{mmap, munmap, MapFlags, ProtFlags};
use rustix::thread::futex;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// The shared memory: a sealed `memfd`, mapped.
pub(crate) struct Mapping {
    base: NonNull<u8>,
    len: usize,
    fd: OwnedFd,
}

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

    fn map(fd: OwnedFd, len: usize) -> io::Result<Mapping> {
        if len == 0 {
            return Err(io::Error::other("empty shared memory"));
        }
        // SAFETY: a fresh shared mapping of a file we hold, of its whole
        // (sealed or checked) length; nothing else lives at the address.
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
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: mapped in `map` with this length; the `Shm` owning this
        // mapping hands out no slot that outlives it.
        let _ = unsafe { munmap(self.base.as_ptr().cast(), self.len) };
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
    let spec = timeout.map(|t| rustix::time::Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: i64::from(t.subsec_nanos()),
    });
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

/// A child ready to start: the command, with the child's end of the
/// control socket as its standard input.
pub(crate) struct Launch {
    command: Command,
}

/// The host's end of the control socket: the child's watchdog exits when
/// it closes.
pub(crate) struct Control {
    socket: UnixStream,
}

/// The command and the control channel for a child running `runner`.
pub(crate) fn prepare(
    runner: &Path,
    env: &[(&str, String)],
    _memory_limit: Option<u64>,
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
    pub child: ChildRef,
    /// Its standard output and error, to forward.
    pub stdout: Option<Box<dyn Read + Send>>,
    pub stderr: Option<Box<dyn Read + Send>>,
    /// How the keeper waits for its end.
    pub waiter: Waiter,
}

impl Launch {
    /// Starts the child. It must be called on the thread that then waits
    /// for it (the keeper), since the child's parent-death signal fires
    /// when the spawning *thread* ends.
    pub(crate) fn spawn(mut self) -> io::Result<Spawned> {
        let mut child = self.command.spawn()?;
        drop(self.command);
        let pid = rustix::process::Pid::from_raw(child.id() as i32)
            .ok_or_else(|| io::Error::other("a child's pid is positive"))?;
        // Race-free: the pid cannot be reused before the keeper reaps it.
        let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())?;
        let stdout = child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>);
        Ok(Spawned {
            child: ChildRef { pidfd },
            stdout,
            stderr,
            waiter: Waiter { child },
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
        use std::os::unix::process::ExitStatusExt;
        match self.child.wait() {
            Ok(status) => Ended {
                signal: status.signal(),
                exit_code: status.code(),
                note: None,
            },
            Err(_) => Ended::default(),
        }
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
        let fds = [file.as_fd(), shm.mapping().fd.as_fd()];
        control::send(&self.socket, bytes, &fds)
    }

    /// Reads the child's handshake, waiting up to `timeout`.
    pub(crate) fn read_handshake(&self, timeout: Duration) -> Result<Vec<u8>, HandshakeError> {
        let mut control = &self.socket;
        let _ = self.socket.set_read_timeout(Some(timeout));
        let mut len = [0u8; 4];
        let read = control.read_exact(&mut len).and_then(|()| {
            let len = u32::from_le_bytes(len) as usize;
            if len > 1 << 20 {
                return Err(io::Error::other("handshake too long"));
            }
            let mut bytes = vec![0u8; len];
            control.read_exact(&mut bytes).map(|()| bytes)
        });
        let _ = self.socket.set_read_timeout(None);
        read.map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HandshakeError::TimedOut,
            _ => HandshakeError::Closed,
        })
    }
}

/// The child's end of the control channel.
pub(crate) struct ChildChannel {
    control: UnixStream,
    fds: Vec<OwnedFd>,
}

/// The first steps of the child: die with the host, make the plugin the
/// OOM killer's choice, and take the control socket from standard input.
pub(crate) fn child_begin(parent_env: &str) -> Result<ChildChannel, String> {
    // Die with the host, even when it is SIGKILLed; if it died before this
    // line, our parent is already someone else.
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let parent = std::env::var(parent_env)
        .ok()
        .and_then(|p| p.parse::<i32>().ok());
    let actual = rustix::process::getppid().map(|p| p.as_raw_nonzero().get());
    if parent.is_none() || parent != actual {
        std::process::exit(1);
    }
    // The kernel's OOM killer should pick the plugin, not the host.
    let _ = std::fs::write("/proc/self/oom_score_adj", "1000");
    // The control socket is our stdin; keep it, and give the plugin an
    // empty stdin instead, so nothing it reads can eat the protocol.
    let control: OwnedFd = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("no control socket: {e}"))?;
    if let Ok(null) = File::open("/dev/null") {
        let _ = rustix::stdio::dup2_stdin(&null);
    }
    Ok(ChildChannel {
        control: UnixStream::from(control),
        fds: Vec::new(),
    })
}

impl ChildChannel {
    /// Receives the setup message (its descriptors are kept for
    /// [`ChildChannel::take_resources`]).
    pub(crate) fn receive_setup(&mut self) -> Result<Vec<u8>, String> {
        let (setup, fds) = control::receive(&self.control).map_err(|e| format!("setup: {e}"))?;
        self.fds = fds;
        Ok(setup)
    }

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

    /// Writes one length-prefixed message to the host.
    pub(crate) fn send(&self, bytes: &[u8]) -> io::Result<()> {
        control::write_message(&self.control, bytes)
    }

    /// After a refusal: waits for the host to close the channel, then ends.
    pub(crate) fn wait_for_close_and_exit(&self) -> ! {
        let mut rest = Vec::new();
        let mut control = &self.control;
        let _ = control.read_to_end(&mut rest);
        std::process::exit(0);
    }

    /// The watchdog: when the host's end closes (the host died or dropped
    /// the plugin), end at once, whatever the plugin's threads are doing.
    pub(crate) fn watchdog(self) -> io::Result<()> {
        std::thread::Builder::new()
            .name("tenon-watchdog".to_owned())
            .spawn(move || {
                let mut control = &self.control;
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
}

/// Limits the child's address space (an allocation beyond it fails, which
/// the plugin typically turns into an abort).
pub(crate) fn limit_memory(bytes: u64) {
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

/// A second mapping of `shm`'s memory in this process, as the child maps
/// it (for the channel's tests).
#[cfg(test)]
pub(crate) fn second_view(shm: &Shm) -> io::Result<Shm> {
    let fd = shm.mapping().fd.as_fd().try_clone_to_owned()?;
    Shm::open(Mapping::open(fd)?, Vec::new())
}

/// The memory's descriptor (for the channel's tests).
#[cfg(test)]
pub(crate) fn mapping_fd(shm: &Shm) -> std::os::fd::BorrowedFd<'_> {
    shm.mapping().fd.as_fd()
}
