//! macOS: the slots in a POSIX shared memory object (`shm_open`, unlinked
//! at once, so only descriptors name it) sent to the child over the control
//! socket pair as `SCM_RIGHTS`; wake-ups through `os_sync_wait_on_address`
//! on the state word where the system has it (macOS 14.4 and later, found
//! at run time with `dlsym` so one binary also runs on macOS 11), else one
//! byte on a socket pair per slot; the child started by `posix_spawn` with
//! the control socket as its standard input, as on Linux; and, with no
//! parent-death signal, a watchdog thread in the child that ends it when the
//! control socket reaches end of file.
//!
//! Everything here but the `os_sync` calls is POSIX. On Linux the same
//! module replaces `linux.rs` when tenon is built with its internal
//! `__macos-transport` feature, so that the tests run isolated plugins
//! through exactly this transport on a machine without a Mac
//! (`docs/isolation.md`, "Platform status"). A feature, not a run-time
//! switch: a build has one transport, chosen where it is compiled, and no
//! user of a normal build can land on this one by accident.

use super::unix::{self, ChildChannel, Control, Launch, Mapping, Spawned};
use super::Ended;
use crate::integrity::Opened;
use crate::isolation::control;
use crate::isolation::frame::Reader;
use crate::isolation::shm::{Shm, CHILD_ASLEEP, HOST_ASLEEP};
use rustix::event::{poll, PollFd, PollFlags};
use rustix::fs::{ftruncate, Mode};
use rustix::net::{recv, send, RecvFlags, SendFlags};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many wake-up descriptors one message carries after the setup (the
/// kernel caps a message's descriptors; 256 slots take eight messages).
const WAKES_PER_MESSAGE: usize = 32;

impl Mapping {
    /// A new mapping of `len` bytes. The object's name lives for two
    /// system calls only, is hard to guess (64 bits from a per-process
    /// random seed), is created exclusively and is readable by this user
    /// only: it is unlinked before the descriptor is used, so the child
    /// gets the memory from us or not at all. (macOS lets a shared memory object be sized once, so the
    /// child cannot shrink it under the host; a Linux `/dev/shm` file has
    /// no such guard, which is one reason this transport is a test build
    /// there.)
    pub(crate) fn create(len: usize) -> io::Result<Mapping> {
        use std::hash::{BuildHasher, Hasher};
        let mut attempts = 0;
        let fd = loop {
            // macOS caps the name at 31 bytes: this is 23.
            let random = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            let name = format!("/tenon.{random:016x}");
            match rustix::shm::open(
                name.as_str(),
                rustix::shm::OFlags::CREATE | rustix::shm::OFlags::EXCL | rustix::shm::OFlags::RDWR,
                Mode::RUSR | Mode::WUSR,
            ) {
                Ok(fd) => {
                    let _ = rustix::shm::unlink(name.as_str());
                    break fd;
                }
                Err(rustix::io::Errno::EXIST) if attempts < 8 => attempts += 1,
                Err(e) => return Err(e.into()),
            }
        };
        ftruncate(&fd, len as u64)?;
        Self::map_checked(fd, len)
    }

    /// Maps `len` bytes of the object, once its size is checked.
    fn map_checked(fd: OwnedFd, len: usize) -> io::Result<Mapping> {
        // The object must hold the whole mapping, or an access past its
        // end faults; macOS rounds an object's size up to whole pages. (An
        // empty mapping is refused by `map`.)
        if len != 0 {
            let size = rustix::fs::fstat(&fd)?.st_size;
            if u64::try_from(size).map_or(true, |size| size < len as u64) {
                return Err(io::Error::other("shared memory smaller than announced"));
            }
        }
        Self::map(fd, len)
    }
}

/// A slot's wake-up. With `os_sync_wait_on_address` a sleeper sleeps on
/// the state word itself and this holds nothing; otherwise it is a socket
/// pair: a side sleeps until its end is readable, and is woken by a byte
/// written to the other end. The host keeps both ends (so the keeper can
/// wake a host thread when the child dies), the child only its own.
pub(crate) struct SlotWake {
    host: Option<OwnedFd>,
    child: Option<OwnedFd>,
}

impl SlotWake {
    /// Never in the word for the shared code: whether a slot has a socket
    /// pair is decided per region at run time, and the child is told.
    pub(crate) const IN_WORD: bool = false;

    /// A slot's wake-up.
    pub(crate) fn create() -> io::Result<SlotWake> {
        if address_wait::available() {
            return Ok(SlotWake {
                host: None,
                child: None,
            });
        }
        let (host, child) = UnixStream::pair()?;
        let (host, child) = (OwnedFd::from(host), OwnedFd::from(child));
        no_sigpipe(&host)?;
        no_sigpipe(&child)?;
        Ok(SlotWake {
            host: Some(host),
            child: Some(child),
        })
    }

    /// Whether this wake-up is a socket pair (else the word is slept on).
    fn is_socket(&self) -> bool {
        self.host.is_some() || self.child.is_some()
    }
}

/// A write to a socket whose peer is gone must fail, not raise SIGPIPE.
#[cfg(target_os = "macos")]
fn no_sigpipe(fd: &OwnedFd) -> io::Result<()> {
    Ok(rustix::net::sockopt::set_socket_nosigpipe(fd, true)?)
}

/// A write to a socket whose peer is gone must fail, not raise SIGPIPE
/// (on Linux the write's own flag says so).
#[cfg(not(target_os = "macos"))]
fn no_sigpipe(_fd: &OwnedFd) -> io::Result<()> {
    Ok(())
}

#[cfg(target_os = "macos")]
const WAKE_FLAGS: SendFlags = SendFlags::DONTWAIT;
#[cfg(not(target_os = "macos"))]
const WAKE_FLAGS: SendFlags = SendFlags::DONTWAIT.union(SendFlags::NOSIGNAL);

/// Sleeps while `word` holds `seen`, up to `timeout`; `me` is the
/// sleeper's bit. Returns early on any wake-up, a change of the word, or a
/// signal: the caller checks again.
pub(crate) fn sleep(
    word: &AtomicU32,
    seen: u32,
    wake: &SlotWake,
    me: u32,
    timeout: Option<Duration>,
) {
    if !wake.is_socket() {
        address_wait::sleep(word, seen, timeout);
        return;
    }
    let end = if me == HOST_ASLEEP {
        &wake.host
    } else {
        &wake.child
    };
    let Some(end) = end else { return };
    let spec = unix::timespec(timeout);
    let mut fds = [PollFd::new(end, PollFlags::IN)];
    // A byte written before this call is still there: no wake-up is lost
    // between the caller's last look at the word and the poll.
    let _ = poll(&mut fds, spec.as_ref());
    // Bytes from earlier wake-ups that found us awake would only cause
    // spurious returns: take them all.
    let mut sink = [0u8; 64];
    while matches!(recv(end, &mut sink, RecvFlags::DONTWAIT), Ok((n, _)) if n > 0) {}
}

/// Wakes whoever of `whom` (sleeper bits) sleeps on `word`.
pub(crate) fn wake(word: &AtomicU32, wake: &SlotWake, whom: u32) {
    if !wake.is_socket() {
        address_wait::wake(word);
        return;
    }
    // A byte written to one end is read at the other.
    let poke = |end: &Option<OwnedFd>| {
        if let Some(end) = end {
            // A full buffer (EAGAIN) means bytes are already waiting, which
            // wakes the sleeper as well as one more would.
            let _ = send(end, &[1], WAKE_FLAGS);
        }
    };
    if whom & HOST_ASLEEP != 0 {
        poke(&wake.child);
    }
    if whom & CHILD_ASLEEP != 0 {
        poke(&wake.host);
    }
}

/// Sleeping on the state word itself: `os_sync_wait_on_address` with
/// `OS_SYNC_WAIT_ON_ADDRESS_SHARED` (the word is in memory shared between
/// processes), new in macOS 14.4. Looked up at run time, since a binary
/// built for older systems must still run on them.
#[cfg(target_os = "macos")]
mod address_wait {
    use core::ffi::{c_int, c_void};
    use std::sync::atomic::AtomicU32;
    use std::sync::OnceLock;
    use std::time::Duration;

    /// `OS_SYNC_WAIT_ON_ADDRESS_SHARED`, `OS_SYNC_WAKE_BY_ADDRESS_SHARED`.
    const SHARED: u32 = 1;
    /// `OS_CLOCK_MACH_ABSOLUTE_TIME`, the only clock the call takes.
    const MACH_ABSOLUTE_TIME: u32 = 32;

    type Wait = unsafe extern "C" fn(*mut c_void, u64, usize, u32) -> c_int;
    type WaitTimeout = unsafe extern "C" fn(*mut c_void, u64, usize, u32, u32, u64) -> c_int;
    type WakeAll = unsafe extern "C" fn(*mut c_void, usize, u32) -> c_int;

    struct Calls {
        wait: Wait,
        wait_timeout: WaitTimeout,
        wake_all: WakeAll,
    }

    fn calls() -> Option<&'static Calls> {
        static CALLS: OnceLock<Option<Calls>> = OnceLock::new();
        CALLS
            .get_or_init(|| {
                let find = |name: &core::ffi::CStr| {
                    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated
                    // name only looks the symbol up.
                    let found = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
                    (!found.is_null()).then_some(found)
                };
                let wait = find(c"os_sync_wait_on_address")?;
                let wait_timeout = find(c"os_sync_wait_on_address_with_timeout")?;
                let wake_all = find(c"os_sync_wake_by_address_all")?;
                // SAFETY: these are the functions of <os/os_sync_wait_on_address.h>,
                // whose C signatures the types above spell.
                Some(unsafe {
                    Calls {
                        wait: core::mem::transmute::<*mut c_void, Wait>(wait),
                        wait_timeout: core::mem::transmute::<*mut c_void, WaitTimeout>(
                            wait_timeout,
                        ),
                        wake_all: core::mem::transmute::<*mut c_void, WakeAll>(wake_all),
                    }
                })
            })
            .as_ref()
    }

    /// Whether the system has the calls.
    pub(super) fn available() -> bool {
        calls().is_some()
    }

    /// Sleeps while `word` holds `seen`, up to `timeout`.
    pub(super) fn sleep(word: &AtomicU32, seen: u32, timeout: Option<Duration>) {
        let Some(calls) = calls() else { return };
        let address = word.as_ptr().cast::<c_void>();
        // SAFETY: the word lives in the mapping for as long as its slot;
        // the call only reads it (4 bytes) and returns on a change, a
        // wake-up, the timeout, or an interruption, all of which lead back
        // to the caller's checks.
        let _ = unsafe {
            match timeout {
                None => (calls.wait)(address, u64::from(seen), 4, SHARED),
                Some(t) => (calls.wait_timeout)(
                    address,
                    u64::from(seen),
                    4,
                    SHARED,
                    MACH_ABSOLUTE_TIME,
                    t.as_nanos().clamp(1, u128::from(u64::MAX)) as u64,
                ),
            }
        };
    }

    /// Wakes every sleeper on `word`.
    pub(super) fn wake(word: &AtomicU32) {
        let Some(calls) = calls() else { return };
        // SAFETY: as in `sleep`; with no sleeper the call fails with
        // ENOENT, which is no error here.
        let _ = unsafe { (calls.wake_all)(word.as_ptr().cast::<c_void>(), 4, SHARED) };
    }
}

/// Where the transport runs outside macOS (Linux, for the tests), there is
/// no `os_sync`: the socket pairs are always used.
#[cfg(not(target_os = "macos"))]
mod address_wait {
    use std::sync::atomic::AtomicU32;
    use std::time::Duration;

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn sleep(_word: &AtomicU32, _seen: u32, _timeout: Option<Duration>) {}

    pub(super) fn wake(_word: &AtomicU32) {}
}

/// The program a host that called `init` re-executes as the child.
pub(crate) fn own_executable() -> io::Result<PathBuf> {
    std::env::current_exe()
}

/// The command and the control channel for a child running `runner`.
pub(crate) fn prepare(
    runner: &Path,
    env: &[(&str, String)],
    memory_limit: Option<u64>,
) -> io::Result<(Launch, Control)> {
    refuse_memory_limit(memory_limit)?;
    let (launch, control) = unix::prepare_command(runner, env)?;
    no_sigpipe(&OwnedFd::from(control.socket.try_clone()?))?;
    Ok((launch, control))
}

/// macOS enforces neither `RLIMIT_AS` nor `RLIMIT_DATA`, and has no
/// per-process memory cap an unprivileged process can set: a limit the
/// host cannot keep is refused rather than ignored.
#[cfg(target_os = "macos")]
fn refuse_memory_limit(memory_limit: Option<u64>) -> io::Result<()> {
    match memory_limit {
        None => Ok(()),
        Some(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "macOS cannot cap a process's memory (it enforces neither RLIMIT_AS nor RLIMIT_DATA): load without Isolation::memory_limit",
        )),
    }
}

/// On Linux the child sets `RLIMIT_AS` itself ([`limit_memory`]).
#[cfg(not(target_os = "macos"))]
fn refuse_memory_limit(_memory_limit: Option<u64>) -> io::Result<()> {
    Ok(())
}

impl Launch {
    /// Starts the child (the standard library uses `posix_spawn` here).
    pub(crate) fn spawn(self) -> io::Result<Spawned> {
        let unix::Started {
            child,
            pid,
            stdout,
            stderr,
        } = self.start()?;
        let reaped = Arc::new(Mutex::new(false));
        Ok(Spawned {
            child: ChildRef {
                pid,
                reaped: Arc::clone(&reaped),
            },
            stdout,
            stderr,
            waiter: Waiter { child, pid, reaped },
        })
    }
}

/// What the host keeps to kill the child. Without a pidfd, the pid is only
/// signalled while the child is known unreaped: the keeper waits for its
/// end without reaping it (a zombie keeps its pid), marks it reaped under
/// the same lock, and only then reaps it, so a reused pid is never hit.
pub(crate) struct ChildRef {
    pid: rustix::process::Pid,
    reaped: Arc<Mutex<bool>>,
}

impl ChildRef {
    /// Kills the child (idempotent).
    pub(crate) fn kill(&self) {
        let reaped = self.reaped.lock().unwrap_or_else(|e| e.into_inner());
        if !*reaped {
            let _ = rustix::process::kill_process(self.pid, rustix::process::Signal::KILL);
        }
    }
}

/// What the keeper waits on.
pub(crate) struct Waiter {
    child: Child,
    pid: rustix::process::Pid,
    reaped: Arc<Mutex<bool>>,
}

impl Waiter {
    /// Waits for the child's end and reaps it.
    pub(crate) fn wait(mut self) -> Ended {
        use rustix::process::{waitid, WaitId, WaitIdOptions};
        loop {
            match waitid(
                WaitId::Pid(self.pid),
                WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
            ) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                // No such child: nothing to guard any more.
                Err(_) => break,
            }
        }
        *self.reaped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        unix::ended(self.child.wait())
    }
}

impl Control {
    /// Sends the setup message with the plugin file and the shared memory
    /// attached, the mapping's length and the slots' wake-ups appended; then
    /// the child's ends of the slots' socket pairs, if any, a batch at a time.
    pub(crate) fn send_setup(
        &self,
        bytes: &[u8],
        file: &File,
        shm: &Shm,
        _child: &ChildRef,
    ) -> io::Result<()> {
        let ends: Vec<_> = shm
            .wakes()
            .iter()
            .filter_map(|w| w.child.as_ref().map(|c| c.as_fd()))
            .collect();
        let mut message = bytes.to_vec();
        message.extend_from_slice(&(shm.mapping().len() as u64).to_le_bytes());
        message.extend_from_slice(&(shm.wakes().len() as u32).to_le_bytes());
        message.extend_from_slice(&(ends.len() as u32).to_le_bytes());
        let fds = [file.as_fd(), shm.mapping().fd()];
        control::send(&self.socket, &message, &fds)?;
        for batch in ends.chunks(WAKES_PER_MESSAGE) {
            control::send(&self.socket, &[], batch)?;
        }
        Ok(())
    }
}

/// The first steps of the child: check that the host is its parent, and
/// take the control socket from standard input. Nothing here makes the
/// child die with the host: the watchdog does, from the moment the setup
/// is in (see [`ChildChannel::take_resources`]).
pub(crate) fn child_begin(parent_env: &str) -> Result<ChildChannel, String> {
    unix::check_parent(parent_env);
    let control = unix::take_control()?;
    no_sigpipe(&control).map_err(|e| format!("control socket: {e}"))?;
    Ok(ChildChannel {
        control: UnixStream::from(control),
        fds: Vec::new(),
    })
}

impl ChildChannel {
    /// The plugin file, the shared memory and the slots' wake-ups the
    /// setup carried; `reader` is past the setup's common fields. Starts
    /// the watchdog before the plugin is loaded, so that a host that dies
    /// while an initializer hangs still takes the child along (there is no
    /// parent-death signal to do it).
    pub(crate) fn take_resources(
        &mut self,
        reader: &mut Reader<'_>,
    ) -> Result<(Opened, Mapping, Vec<SlotWake>), String> {
        let bad = || "setup: malformed".to_owned();
        let len = usize::try_from(reader.u64().ok_or_else(bad)?).map_err(|_| bad())?;
        let slots = reader.u32().ok_or_else(bad)? as usize;
        let sockets = reader.u32().ok_or_else(bad)? as usize;
        if self.fds.len() != 2 || (sockets != 0 && sockets != slots) {
            return Err("setup: expected two descriptors".to_owned());
        }
        let shm_fd = self.fds.pop().expect("two");
        let plugin_fd = self.fds.pop().expect("two");
        let mut ends = Vec::with_capacity(sockets);
        while ends.len() < sockets {
            let (_, fds) = control::receive(&self.control).map_err(|e| format!("wake-ups: {e}"))?;
            if fds.is_empty() {
                return Err("wake-ups: a message without descriptors".to_owned());
            }
            ends.extend(fds);
        }
        if ends.len() != sockets {
            return Err("wake-ups: too many descriptors".to_owned());
        }
        let wakes = if sockets == 0 {
            if !address_wait::available() {
                return Err("the host sleeps on addresses (os_sync), this system cannot".to_owned());
            }
            (0..slots)
                .map(|_| SlotWake {
                    host: None,
                    child: None,
                })
                .collect()
        } else {
            ends.into_iter()
                .map(|end| SlotWake {
                    host: None,
                    child: Some(end),
                })
                .collect()
        };
        let mapping =
            Mapping::map_checked(shm_fd, len).map_err(|e| format!("shared memory: {e}"))?;
        // Loaded through its descriptor: the bytes the host opened (and
        // checked, when it required a digest).
        let opened = Opened {
            file: File::from(plugin_fd),
            copied: true,
        };
        let control = self
            .control
            .try_clone()
            .map_err(|e| format!("control socket: {e}"))?;
        unix::watch(control).map_err(|e| format!("cannot start the watchdog: {e}"))?;
        Ok((opened, mapping, wakes))
    }

    /// The watchdog already runs (started with the setup).
    pub(crate) fn watchdog(self) -> io::Result<()> {
        Ok(())
    }
}

/// A second mapping of `shm`'s memory in this process, with duplicates of
/// its wake-ups' ends, as the child maps it (for the channel's tests).
#[cfg(test)]
pub(crate) fn second_view(shm: &Shm) -> io::Result<Shm> {
    let fd = shm.mapping().fd().try_clone_to_owned()?;
    let mapping = Mapping::map_checked(fd, shm.mapping().len())?;
    let dup = |end: &Option<OwnedFd>| end.as_ref().map(|e| e.try_clone()).transpose();
    let wakes = shm
        .wakes()
        .iter()
        .map(|w| {
            Ok(SlotWake {
                host: dup(&w.host)?,
                child: dup(&w.child)?,
            })
        })
        .collect::<io::Result<Vec<_>>>()?;
    Shm::open(mapping, wakes)
}
