//! One child process as the host sees it: spawning it from a thread that
//! lives as long as it does, the handshake, its output, its death, and the
//! calls made through its slots.

use super::frame::{self, Reader, Writer};
use super::platform::{self, ChildRef, Control, Ended, HandshakeError, Launch};
use super::shm::{op, state, Area, Shm, Slot, CHILD_ASLEEP, ERROR_AREA, HOST_ASLEEP};
use super::wait::{publish, wait_while, wake, wake_all};
use super::{Isolation, Restart};
use crate::sys;
use crate::{CrashSite, Error, HostServices};
use std::cell::Cell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};
use tenon_interface::remote::{report_fault, report_invalid_output, set_fault};
use tenon_interface::sys::{tenon_buffer, tenon_status};
use tenon_interface::{Fault, Status, WireArg};

/// How long the host spins on a slot before sleeping while it waits.
const HOST_SPIN: Duration = Duration::from_micros(100);
/// How many lines of standard error are kept as last words.
const LAST_WORDS: usize = 6;
/// The prefix of a log record the child writes on its standard error.
pub(crate) const LOG_PREFIX: &str = "\u{1e}tenon-log:";
/// The prefix of the record of a `get_interface` lookup the child writes
/// on its standard error: `VERSION:OFFERED:ID`, OFFERED `1` or `0`.
pub(crate) const LOOKUP_PREFIX: &str = "\u{1e}tenon-lookup:";
/// The prefix of the record of a host service the child program cannot
/// carry, which the child writes on its standard error before its
/// handshake: `VERSION:ID\tWHY`, both escaped.
pub(crate) const UNCARRIED_PREFIX: &str = "\u{1e}tenon-uncarried:";
/// The most bytes of one line of a child's output (a log record or a
/// printed line) the host keeps: the rest is read and dropped, so that a
/// plugin printing or logging without end cannot fill the host's memory.
pub(crate) const MAX_LINE: usize = 64 << 10;
/// How long dropping a plugin's process waits for the rest of its output
/// once it is killed: only a subscriber slower than that makes it wait that
/// long, or a process holding the streams open that outlives the kill (on
/// Linux and macOS the streams count as delivered once read up to the
/// child's exit; on Windows the kill ends the child's job, every process
/// the plugin started with it, closing the streams).
const DRAIN_LIMIT: Duration = Duration::from_secs(1);

thread_local! {
    /// Set on the threads that read children's output.
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

/// How the child ended.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exit {
    pub signal: Option<i32>,
    pub exit_code: Option<i32>,
    pub last_words: String,
}

/// A running (or dead) child.
pub(crate) struct Process {
    pub name: String,
    /// The name the child's output is logged under.
    label: Arc<Mutex<String>>,
    shm: Arc<Shm>,
    /// The host's end of the control channel: the child's watchdog exits
    /// when it closes.
    control: Control,
    child: ChildRef,
    dead: AtomicBool,
    /// Set when the host killed the child for a call's deadline.
    killed_for_timeout: AtomicBool,
    exit: Mutex<Option<Exit>>,
    exited: Condvar,
    free: Mutex<Vec<usize>>,
    freed: Condvar,
    services: HostServices,
    /// The interfaces looked up in this child, by (id, version).
    interfaces: Mutex<Vec<LookedUp>>,
    /// The child's `Isolation::memory_limit`, named in the fault of a call
    /// it dies under (running out of it looks like any other crash).
    memory_limit: Option<u64>,
    /// The child's output streams not yet read to their end.
    drain: Arc<Drain>,
    /// Whether the plugin has a restart policy, which decides what a call
    /// on an instance lost with this process is told to do instead.
    restarts: bool,
}

/// How many of a child's output streams are not yet delivered: read to
/// their end, or (on Linux and macOS) read up to the child's exit.
struct Drain {
    open: Mutex<usize>,
    closed: Condvar,
    /// Readable once the keeper has reaped the child (a byte written to
    /// one end, never read, on the other): its reading threads wait on it
    /// beside their stream, since a process the plugin started may hold
    /// the stream open long after the child's end.
    #[cfg(unix)]
    exited: Option<(
        std::os::unix::net::UnixStream,
        std::os::unix::net::UnixStream,
    )>,
}

/// Counts a stream delivered once, when it says so or when dropped, so
/// that a reading thread a subscriber's panic ends counts too.
struct Reading {
    drain: Arc<Drain>,
    delivered: bool,
}

impl Reading {
    fn new(drain: Arc<Drain>) -> Self {
        Reading {
            drain,
            delivered: false,
        }
    }

    /// The stream is delivered as far as a drop waits for it.
    fn delivered(&mut self) {
        if std::mem::replace(&mut self.delivered, true) {
            return;
        }
        let mut open = self.drain.open.lock().unwrap_or_else(|e| e.into_inner());
        *open = open.saturating_sub(1);
        self.drain.closed.notify_all();
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.delivered();
    }
}

impl Drain {
    fn new() -> Self {
        Drain {
            open: Mutex::new(0),
            closed: Condvar::new(),
            // Without it, a stream counts as delivered at its end only.
            #[cfg(unix)]
            exited: std::os::unix::net::UnixStream::pair().ok(),
        }
    }

    /// Waits until every stream was delivered, or `limit` passed.
    fn wait(&self, limit: Duration) {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self
            .closed
            .wait_timeout_while(open, limit, |open| *open > 0)
            .unwrap_or_else(|e| e.into_inner());
    }

    /// Tells the reading threads that the child was reaped: everything it
    /// wrote is in its streams.
    fn child_exited(&self) {
        #[cfg(unix)]
        if let Some((writer, _)) = &self.exited {
            use std::io::Write;
            // Both ends live as long as `self`: no SIGPIPE, and a byte
            // always fits in an empty socket.
            let _ = (&*writer).write(&[1]);
        }
    }
}

/// A child's output stream as its reading thread reads it: on Linux and
/// macOS, once the child has exited and the stream holds nothing more, the
/// stream counts as delivered though it has not ended (a process the
/// plugin started holds it open), and reading goes on.
struct Watched {
    stream: File,
    /// Counts the stream delivered (on Windows only when dropped, at its
    /// end).
    #[cfg_attr(windows, allow(dead_code))]
    reading: Reading,
    /// Until the child's exit was seen with the stream empty.
    #[cfg(unix)]
    watching: bool,
}

impl Watched {
    fn new(stream: File, reading: Reading) -> Self {
        Watched {
            stream,
            #[cfg(unix)]
            watching: reading.drain.exited.is_some(),
            reading,
        }
    }
}

impl Read for Watched {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // A read is asked for only once everything read before was
        // forwarded (`read_line_capped` reads through a `BufReader`, which
        // reads only when it has nothing left), but a last line without
        // its end, which is forwarded at the stream's end.
        #[cfg(unix)]
        while self.watching {
            use rustix::event::{poll, PollFd, PollFlags, Timespec};
            let Some((_, exited)) = &self.reading.drain.exited else {
                break;
            };
            let mut fds = [
                PollFd::new(&self.stream, PollFlags::IN),
                PollFd::new(exited, PollFlags::IN),
            ];
            match poll(&mut fds, None) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => {
                    self.watching = false;
                    break;
                }
            }
            // Data, its end or an error: read it.
            if !fds[0].revents().is_empty() {
                break;
            }
            if fds[1].revents().is_empty() {
                continue;
            }
            // The child was reaped before `exited` became readable, so
            // whatever it wrote is in the stream by now: asked again after
            // that, an empty stream has given all of it.
            let mut stream = [PollFd::new(&self.stream, PollFlags::IN)];
            let now = Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            match poll(&mut stream, Some(&now)) {
                Ok(0) => {
                    self.watching = false;
                    self.reading.delivered();
                }
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => self.watching = false,
            }
        }
        self.stream.read(buf)
    }
}

/// An interface looked up in the child: its id, version, the child's index
/// for it, the child's declaration of it (if the child said), and how many
/// methods' slots the child checked (the asking host's count: a host that
/// knows more methods asks again).
type LookedUp = (String, u32, u32, Option<ChildDeclaration>, usize);

/// What the handshake told.
pub(crate) type Handshake = Vec<u8>;

impl Process {
    /// Spawns a child for the plugin in `file`, sends it the plugin and
    /// the shared memory, and waits for its handshake: the plugin's
    /// metadata (encoded), or the load error it met.
    pub(crate) fn spawn(
        options: &Isolation,
        name: &str,
        path: &Path,
        file: &File,
        services: &HostServices,
    ) -> Result<(Arc<Process>, Handshake), Error> {
        let failed = |reason: String| Error::IsolationFailed {
            plugin: name.to_owned(),
            reason,
        };
        let runner = match &options.runner {
            Some(runner) => super::options::locate_runner(runner).map_err(|e| {
                failed(format!(
                    "cannot find the directory of this program, beside which the runner {} is looked for: {e}",
                    runner.display()
                ))
            })?,
            None if super::initialized() => platform::own_executable()
                .map_err(|e| failed(format!("cannot name this program to re-execute it: {e}")))?,
            None => {
                return Err(Error::IsolationUnsupported {
                    reason: "this host did not call tenon::isolation::init() at the top of main and named no runner (Isolation::runner); it cannot start a child".to_owned(),
                })
            }
        };
        let shm = Shm::create(options.slots, options.slot_size)
            .map(Arc::new)
            .map_err(|e| failed(format!("cannot create the shared memory: {e}")))?;
        super::interest::watch(&shm);
        let env = [
            (super::CHILD_ENV, "1".to_owned()),
            (super::PARENT_ENV, std::process::id().to_string()),
        ];
        let (launch, control) =
            platform::prepare(&runner, &env, options.memory_limit).map_err(|e| match e.kind() {
                // A limit this platform cannot enforce (Windows under Wine).
                std::io::ErrorKind::Unsupported => Error::IsolationUnsupported {
                    reason: e.to_string(),
                },
                _ => failed(format!("cannot prepare the child's process: {e}")),
            })?;
        let last_words = Arc::new(Mutex::new(VecDeque::new()));
        // The thread that spawns the child must live as long as it, since
        // PR_SET_PDEATHSIG fires when the spawning *thread* ends: the
        // keeper spawns, then waits for the child.
        let (spawned_tx, spawned_rx) = mpsc::channel();
        // The child's output is logged under the plugin's name (the file's
        // until the handshake tells the plugin's), to the subscriber that
        // was current where the plugin was loaded.
        let label = Arc::new(Mutex::new(name.to_owned()));
        let keeper_name = Arc::clone(&label);
        // Not when none was ever set: `with_default` would count as one, and
        // `tracing` stops forwarding events to a `log` logger once one was
        // (its `log` feature), in process too. The reading threads then log
        // to the global default, if one is set later.
        let dispatch = tracing::dispatcher::has_been_set()
            .then(|| tracing::dispatcher::get_default(|d| d.clone()));
        let keeper_words = Arc::clone(&last_words);
        let drain = Arc::new(Drain::new());
        let keeper_drain = Arc::clone(&drain);
        let origin = Origin::new(&runner, path);
        let keeper_origin = origin.clone();
        let (process_tx, process_rx) = mpsc::channel::<Weak<Process>>();
        std::thread::Builder::new()
            .name(format!("tenon-keeper:{name}"))
            .spawn(move || {
                under(dispatch.clone().as_ref(), || {
                    keep(
                        launch,
                        Output {
                            label: keeper_name,
                            origin: keeper_origin,
                            dispatch,
                            last_words: keeper_words,
                            drain: keeper_drain,
                        },
                        spawned_tx,
                        process_rx,
                    )
                })
            })
            .map_err(|e| failed(format!("cannot start the keeper thread: {e}")))?;
        let child = spawned_rx
            .recv()
            .map_err(|_| failed("the keeper thread ended".to_owned()))?
            .map_err(|e| failed(format!("cannot start {}: {e}", runner.display())))?;
        let process = Arc::new(Process {
            name: name.to_owned(),
            label,
            free: Mutex::new((0..shm.slots()).rev().collect()),
            shm,
            control,
            child,
            dead: AtomicBool::new(false),
            killed_for_timeout: AtomicBool::new(false),
            exit: Mutex::new(None),
            exited: Condvar::new(),
            freed: Condvar::new(),
            services: services.clone(),
            interfaces: Mutex::new(Vec::new()),
            memory_limit: options.memory_limit,
            drain,
            restarts: options.restart != Restart::Never,
        });
        // From now on the keeper reports the death to this process.
        // (Weakly: the process must be dropped, and the child killed, when
        // the host lets go of the plugin, while the keeper still waits.)
        let _ = process_tx.send(Arc::downgrade(&process));
        let hello = process.send_setup(options, path, file, services, &origin);
        let handshake = hello.and_then(|()| process.read_handshake(options.start_timeout));
        match handshake {
            Ok(bytes) => Ok((process, bytes)),
            Err(error) => {
                process.kill();
                Err(error)
            }
        }
    }

    fn send_setup(
        &self,
        options: &Isolation,
        path: &Path,
        file: &File,
        services: &HostServices,
        origin: &Origin,
    ) -> Result<(), Error> {
        let mut setup = Writer::default();
        setup
            .u32(super::PROTOCOL)
            .str(super::BUILD)
            .str(&path.to_string_lossy())
            .u64(options.linger.as_nanos().min(u128::from(u64::MAX)) as u64)
            .u64(options.memory_limit.unwrap_or(0));
        // Only what this program can carry: a call to a service it does not
        // declare could not be decoded here, so the child must not hand the
        // plugin a proxy for it (a runner may declare more than the host, a
        // C host's libtenon less than the services it offers).
        let offered: Vec<_> = services
            .offered()
            .filter(
                |&(id, version)| match tenon_interface::declared(id, version) {
                    Ok(_) => true,
                    Err(why) => {
                        undeclared_in_host(origin, id, version, &why.to_string());
                        false
                    }
                },
            )
            .collect();
        setup.u32(offered.len() as u32);
        for (id, version) in offered {
            setup.str(id).u32(version);
        }
        self.control
            .send_setup(&setup.bytes, file, &self.shm, &self.child)
            .map_err(|e| self.failed(format!("cannot send the plugin to the child: {e}")))
    }

    fn read_handshake(&self, timeout: Duration) -> Result<Vec<u8>, Error> {
        match self.control.read_handshake(timeout) {
            Ok(bytes) => Ok(bytes),
            Err(HandshakeError::TimedOut) => {
                self.kill();
                Err(Error::TimedOut {
                    plugin: self.name.clone(),
                    deadline: timeout,
                })
            }
            Err(HandshakeError::Closed) => {
                // The child closed its end: it died while loading.
                let exit = self.wait_exit(Duration::from_secs(5));
                match exit {
                    Some(exit) => Err(Error::Crashed {
                        plugin: self.name.clone(),
                        signal: exit.signal,
                        exit_code: exit.exit_code,
                        last_words: exit.last_words,
                        // Set by the caller, which knows the options.
                        memory_limit: None,
                        site: CrashSite::Loading,
                    }),
                    None => Err(self.failed("the child closed its control channel".to_owned())),
                }
            }
            Err(HandshakeError::TooLong) => {
                self.kill();
                Err(self.failed(format!(
                    "the child's handshake is longer than the {} bytes any plugin's metadata takes; it broke the protocol",
                    platform::MAX_HANDSHAKE
                )))
            }
        }
    }

    fn failed(&self, reason: String) -> Error {
        Error::IsolationFailed {
            plugin: self.name.clone(),
            reason,
        }
    }

    /// Logs the child's output under the plugin's own name from now on.
    pub(crate) fn set_label(&self, name: &str) {
        *self.label.lock().unwrap_or_else(|e| e.into_inner()) = name.to_owned();
    }

    /// Whether the child has died, or the host killed it for a call's
    /// deadline: such a child is as good as dead before the keeper has
    /// reaped it, so nothing more is sent to it, a call finds its instance
    /// lost, and a restart (which waits for the exit) may begin.
    pub(crate) fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Acquire) || self.killed_for_timeout.load(Ordering::Acquire)
    }

    /// Kills the child (idempotent); the keeper reports its death.
    pub(crate) fn kill(&self) {
        self.child.kill();
    }

    /// How the child ended, waiting up to `timeout` for the keeper to see it.
    pub(crate) fn wait_exit(&self, timeout: Duration) -> Option<Exit> {
        let guard = self.exit.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .exited
            .wait_timeout_while(guard, timeout, |exit| exit.is_none())
            .unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }

    /// The fault a call in flight gets when the child died under it.
    fn death_fault(&self) -> Fault {
        let exit = self.wait_exit(Duration::from_secs(5)).unwrap_or_default();
        let mut last_words = exit.last_words;
        if self.killed_for_timeout.load(Ordering::Acquire) {
            last_words = if last_words.is_empty() {
                "killed by the host after another call outlived its deadline".to_owned()
            } else {
                format!("killed by the host after another call outlived its deadline; {last_words}")
            };
        }
        Fault::Crashed {
            signal: exit.signal,
            exit_code: exit.exit_code,
            last_words,
            memory_limit: self.memory_limit,
        }
    }

    /// A free slot; `Err(true)` once the child is dead, `Err(false)` when
    /// the deadline passes first (every slot busy: more calls in flight,
    /// nested ones included, than `Isolation::slots`).
    fn acquire(&self, deadline: Option<Instant>) -> Result<usize, bool> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if self.is_dead() {
                return Err(true);
            }
            if let Some(slot) = free.pop() {
                return Ok(slot);
            }
            free = match deadline {
                None => self.freed.wait(free).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(false);
                    }
                    self.freed
                        .wait_timeout(free, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    fn release(&self, slot: usize) {
        self.free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(slot);
        self.freed.notify_one();
    }

    /// Runs one request on a slot: writes it with `write`, waits for the
    /// reply (serving callbacks), and gives the slot to `read`.
    fn request<R>(
        &self,
        deadline: Option<Instant>,
        write: impl FnOnce(&Slot<'_>) -> Result<(), Outcome<R>>,
        read: impl FnOnce(&Slot<'_>) -> Outcome<R>,
    ) -> Outcome<R> {
        // A `log` level set since the last request (`log::set_max_level`)
        // reaches the child before the plugin runs again.
        super::interest::follow_log();
        let index = match self.acquire(deadline) {
            Ok(index) => index,
            Err(true) => return Outcome::FoundDead,
            Err(false) => {
                return Outcome::Busy(
                    "no free slot before the call's deadline: every slot of the plugin's process is busy (Isolation::slots; tenon_options_slots in C)".to_owned(),
                )
            }
        };
        let slot = self.shm.slot(index);
        if let Err(outcome) = write(&slot) {
            self.release(index);
            return outcome;
        }
        let header = slot.header;
        publish(&slot, CHILD_ASLEEP, state::REQUEST);
        loop {
            let seen = wait_while(
                &slot,
                HOST_ASLEEP,
                |s| s == state::REQUEST || s == state::CALLBACK_REPLY,
                HOST_SPIN,
                deadline,
            );
            match seen {
                None => {
                    // The deadline passed: the child may be anywhere in the
                    // plugin's code, so the only way to stop it is to kill it.
                    self.killed_for_timeout.store(true, Ordering::Release);
                    self.kill();
                    return Outcome::TimedOut;
                }
                Some(state::CALLBACK) => {
                    super::callback::serve(&slot, &self.services);
                    // The child may have died while the callback ran: then
                    // `died` wrote DEAD, which a plain store of the reply
                    // would overwrite (and this call would wait for its
                    // deadline instead of failing as crashed now).
                    match header.state.compare_exchange(
                        state::CALLBACK,
                        state::CALLBACK_REPLY,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    ) {
                        // As `publish` does, after its store.
                        Ok(_) => {
                            if header.sleepers.load(Ordering::SeqCst) & CHILD_ASLEEP != 0 {
                                wake(&slot, CHILD_ASLEEP);
                            }
                        }
                        Err(state::DEAD) => return Outcome::Dead,
                        Err(_) => {
                            tracing::error!(target: "tenon", plugin = %self.name, "the plugin's process broke the shared-memory protocol during a callback; killing it");
                            self.kill();
                            return Outcome::Dead;
                        }
                    }
                }
                Some(state::REPLY) => {
                    let outcome = read(&slot);
                    header.state.store(state::IDLE, Ordering::Release);
                    self.release(index);
                    return outcome;
                }
                Some(state::DEAD) => return Outcome::Dead,
                Some(_) => {
                    // IDLE or an unknown state while a request is in
                    // flight: the child broke the protocol.
                    tracing::error!(target: "tenon", plugin = %self.name, "the plugin's process broke the shared-memory protocol; killing it");
                    self.kill();
                    return Outcome::Dead;
                }
            }
        }
    }

    /// A method call; `target` is the interface's index (high half) and the
    /// instance's id (low half).
    ///
    /// # Safety
    ///
    /// `out` and `error` are live buffers lent for the call (NULL `out`
    /// for a method without result).
    pub(crate) unsafe fn call(
        &self,
        target: u64,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut tenon_buffer,
        error: *mut tenon_buffer,
        deadline: Option<(Instant, Duration)>,
    ) -> tenon_status {
        if self.is_dead() {
            // The fault's own description is the same in every case; the
            // message says what to do, which the restart policy decides.
            let message = if self.restarts {
                "the instance lived in the plugin's process, which has died; a new process the restart policy starts does not have it: create a new instance (Plugin::instantiate; tenon_instance_create in C)"
            } else {
                "the instance lived in the plugin's process, which has died, and no restart policy is set, so the plugin stays dead: load it again for a new process (Plugin::load or Loader::load; tenon_plugin_load in C), or set a restart policy (Isolation::restart; tenon_options_restart in C) to create new instances after a death"
            };
            // SAFETY: `error` is live for the call (caller). A buffer that
            // cannot take the message leaves the fault's description.
            let _ = unsafe { tenon_interface::append(error, message.as_bytes()) };
            set_fault(Fault::InstanceLost);
            return Fault::InstanceLost.status().0;
        }
        let outcome = self.request(
            deadline.map(|d| d.0),
            |slot| {
                let (_, capacity) = slot.bounds(Area::Request);
                let size = 8 + frame::args_size(args);
                if size > capacity {
                    return Err(Outcome::Refused(format!(
                        "the call's arguments take {size} bytes, more than the {capacity} bytes a slot carries (Isolation::slot_size; tenon_options_slots in C)"
                    )));
                }
                let header = slot.header;
                header.op.store(op::CALL, Ordering::Relaxed);
                header.method.store(method, Ordering::Relaxed);
                header.target.store(target, Ordering::Relaxed);
                slot.write(Area::Request, 0, &(args.len() as u64).to_le_bytes());
                frame::write_args(args, 8, |at, bytes| {
                    slot.write(Area::Request, at, bytes);
                });
                header.request_len.store(size as u64, Ordering::Relaxed);
                Ok(())
            },
            |slot| {
                let header = slot.header;
                let status = header.status.load(Ordering::Acquire) as tenon_status;
                let out_len = header.out_len.load(Ordering::Acquire);
                let error_len = header.error_len.load(Ordering::Acquire);
                let (_, reply) = slot.bounds(Area::Reply);
                if out_len > (reply - ERROR_AREA) as u64
                    || error_len > ERROR_AREA as u64
                    || Status(status).is_fault()
                {
                    return Outcome::Violation;
                }
                if header.out_corrupted.load(Ordering::Acquire) != 0 {
                    // SAFETY: `error` is live for the call (caller).
                    return Outcome::Done(unsafe { report_invalid_output(error) });
                }
                if !out.is_null() {
                    // SAFETY: `out` is live for the call (caller). One copy,
                    // from the shared memory into the caller's buffer.
                    if let Err(status) = unsafe { slot.append_to(Area::Reply, 0, out_len, out) } {
                        return Outcome::Done(status);
                    }
                }
                if !error.is_null() {
                    // SAFETY: as above.
                    let _ = unsafe {
                        slot.append_to(Area::Reply, (reply - ERROR_AREA) as u64, error_len, error)
                    };
                }
                Outcome::Done(status)
            },
        );
        match outcome {
            Outcome::Done(status) => status,
            Outcome::Refused(message) => {
                // SAFETY: `error` is live for the call (caller).
                let _ = unsafe { tenon_interface::append(error, message.as_bytes()) };
                Status::INVALID_ARGUMENT.0
            }
            Outcome::Busy(message) => {
                // SAFETY: as above.
                let _ = unsafe { tenon_interface::append(error, message.as_bytes()) };
                Status::ERROR.0
            }
            Outcome::TimedOut => {
                let limit = deadline.map(|d| d.1).unwrap_or_default();
                // SAFETY: as above.
                unsafe { report_fault(error, Fault::TimedOut { deadline: limit }) }
            }
            Outcome::Dead | Outcome::FoundDead | Outcome::Violation => {
                self.kill();
                // SAFETY: as above.
                unsafe { report_fault(error, self.death_fault()) }
            }
        }
    }

    /// A control request (create, destroy, ping, interface lookup) with a
    /// small request body; gives the status, the result and the error bytes.
    pub(crate) fn control(
        &self,
        operation: u32,
        target: u64,
        body: &[u8],
        deadline: Option<Instant>,
    ) -> Result<(tenon_status, Vec<u8>, String), ControlFailure> {
        let outcome = self.request(
            deadline,
            |slot| {
                let header = slot.header;
                if !slot.write(Area::Request, 0, body) {
                    return Err(Outcome::Refused(format!(
                        "the request takes {} bytes, more than a slot carries",
                        body.len()
                    )));
                }
                header.op.store(operation, Ordering::Relaxed);
                header.target.store(target, Ordering::Relaxed);
                header
                    .request_len
                    .store(body.len() as u64, Ordering::Relaxed);
                Ok(())
            },
            |slot| {
                let header = slot.header;
                let status = header.status.load(Ordering::Acquire) as tenon_status;
                let out_len = header.out_len.load(Ordering::Acquire);
                let error_len = header.error_len.load(Ordering::Acquire);
                let (_, reply) = slot.bounds(Area::Reply);
                let mut out = Vec::new();
                let mut error = Vec::new();
                if out_len > (reply - ERROR_AREA) as u64
                    || error_len > ERROR_AREA as u64
                    || !slot.read(Area::Reply, 0, out_len, &mut out)
                    || !slot.read(
                        Area::Reply,
                        (reply - ERROR_AREA) as u64,
                        error_len,
                        &mut error,
                    )
                {
                    return Outcome::Violation;
                }
                Outcome::Done((status, out, String::from_utf8_lossy(&error).into_owned()))
            },
        );
        match outcome {
            Outcome::Done(reply) => Ok(reply),
            Outcome::Refused(message) | Outcome::Busy(message) => {
                Err(ControlFailure::Refused(message))
            }
            Outcome::TimedOut => Err(ControlFailure::TimedOut),
            Outcome::Dead | Outcome::FoundDead | Outcome::Violation => {
                let found_dead = matches!(outcome, Outcome::FoundDead);
                self.kill();
                let Fault::Crashed {
                    signal,
                    exit_code,
                    last_words,
                    ..
                } = self.death_fault()
                else {
                    unreachable!("death_fault gives Crashed")
                };
                Err(ControlFailure::Crashed(
                    Exit {
                        signal,
                        exit_code,
                        last_words,
                    },
                    found_dead,
                ))
            }
        }
    }

    /// The index the child gave interface (`id`, `version`), looking it up
    /// (and verifying its vtable there) the first time.
    ///
    /// `wanted` is the host's declaration and the plugin's vtable size:
    /// see [`check_declaration`].
    pub(crate) fn interface(
        &self,
        id: &str,
        version: u32,
        wanted: Declaration<'_>,
        deadline: Option<Instant>,
    ) -> Result<u32, InterfaceFailure> {
        if let Some(found) = self
            .interfaces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(i, v, _, _, checked)| {
                i == id && *v == version && *checked >= wanted.methods.len()
            })
        {
            check_declaration(id, version, wanted, found.3.as_ref())?;
            return Ok(found.2);
        }
        let mut body = Writer::default();
        // The host's method count last: a child checks the slots of those
        // methods only (it may declare a later revision, whose slot a
        // plugin left NULL); a child of an older Tenon ignores it.
        body.u32(version).str(id).u32(wanted.methods.len() as u32);
        let (status, out, error) = self
            .control(op::INTERFACE, 0, &body.bytes, deadline)
            .map_err(InterfaceFailure::Control)?;
        match status {
            0 => {
                let mut reader = Reader::new(&out);
                let index = reader.u32().ok_or(InterfaceFailure::Protocol)?;
                // A child of an older Tenon sends the index alone.
                let declared = match reader.u32() {
                    None => None,
                    Some(vtable_size) => {
                        let count = reader.u32().ok_or(InterfaceFailure::Protocol)?;
                        let methods = (0..count)
                            .map(|_| reader.str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                            .ok_or(InterfaceFailure::Protocol)?;
                        Some(ChildDeclaration {
                            vtable_size,
                            methods,
                        })
                    }
                };
                check_declaration(id, version, wanted, declared.as_ref())?;
                self.interfaces
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((
                        id.to_owned(),
                        version,
                        index,
                        declared,
                        wanted.methods.len(),
                    ));
                Ok(index)
            }
            1 => Err(InterfaceFailure::NullSlot(error)),
            2 => Err(InterfaceFailure::NotDeclared),
            _ => Err(InterfaceFailure::Other(error)),
        }
    }

    /// Called by the keeper once the child is reaped.
    fn died(&self, exit: Exit) {
        *self.exit.lock().unwrap_or_else(|e| e.into_inner()) = Some(exit);
        self.exited.notify_all();
        self.dead.store(true, Ordering::Release);
        for index in 0..self.shm.slots() {
            let slot = self.shm.slot(index);
            slot.header.state.store(state::DEAD, Ordering::SeqCst);
            wake_all(&slot);
        }
        // Waiters for a free slot see `dead` under the lock.
        drop(self.free.lock().unwrap_or_else(|e| e.into_inner()));
        self.freed.notify_all();
    }

    /// The last lines of standard error, joined.
    fn last_words(words: &Mutex<VecDeque<String>>) -> String {
        let words = words.lock().unwrap_or_else(|e| e.into_inner());
        words.iter().cloned().collect::<Vec<_>>().join(" | ")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // The host no longer needs it; closing the control socket would end
        // it too (its watchdog), but not if it hangs in a signal handler.
        self.kill();
        // Waiting for the readers to deliver the child's output (to its
        // end, as its descriptors close when it dies, or up to its exit)
        // lets a host rely on having
        // every line the plugin wrote once the drop returns, where it would
        // otherwise have to guess how long they take (`tenon check` did).
        // Not when the host keeps none of them, so a host without a
        // subscriber does not wait for the child's death; nor on a reader
        // thread (a log handler dropping a plugin), which would wait for
        // itself.
        super::interest::follow_log();
        if self.shm.interest() != 0 && !FORWARDING.with(Cell::get) {
            self.drain.wait(DRAIN_LIMIT);
        }
    }
}

/// How a request ended.
enum Outcome<R> {
    Done(R),
    Refused(String),
    Busy(String),
    TimedOut,
    /// The child died while the request was in flight.
    Dead,
    /// The child was dead before the request could be sent.
    FoundDead,
    Violation,
}

/// Why a control request failed.
pub(crate) enum ControlFailure {
    Refused(String),
    TimedOut,
    /// How the child ended, and whether it was dead before the request
    /// was sent (rather than dying while answering it).
    Crashed(Exit, bool),
}

/// Why an interface lookup failed.
pub(crate) enum InterfaceFailure {
    Control(ControlFailure),
    /// The child's declaration of the interface is not the host's, nor the
    /// host's with methods appended: what is wrong.
    OtherDeclaration(String),
    NullSlot(String),
    NotDeclared,
    Protocol,
    Other(String),
}

/// The host's side of an interface lookup: its declaration's methods, and
/// the size of the plugin's vtable (from its metadata).
#[derive(Clone, Copy)]
pub(crate) struct Declaration<'a> {
    pub methods: &'a [tenon_interface::Method],
    pub plugin_vtable_size: u32,
}

/// The child's declaration of an interface, as its lookup reply gives it.
pub(crate) struct ChildDeclaration {
    vtable_size: u32,
    /// Each method's [`method_signature`](super::frame::method_signature).
    methods: Vec<String>,
}

/// Refuses a child whose declaration of interface (`id`, `version`) would
/// dispatch the host's calls wrongly: one that declares a method the host
/// also declares another way, or that lacks methods the host declares
/// while the plugin's vtable reaches past the child's (its dispatcher
/// would refuse those calls as out of range, while the host thinks the
/// plugin provides them). A child that lacks only methods the plugin does
/// not provide either serves as well as one that has them: their calls are
/// `not_provided` in the host. `None`: a child that does not say.
fn check_declaration(
    id: &str,
    version: u32,
    wanted: Declaration<'_>,
    child: Option<&ChildDeclaration>,
) -> Result<(), InterfaceFailure> {
    let Some(child) = child else {
        return Ok(());
    };
    for (index, method) in wanted.methods.iter().enumerate() {
        let ours = super::frame::method_signature(method);
        match child.methods.get(index) {
            Some(theirs) if *theirs == ours => {}
            Some(theirs) => {
                return Err(InterfaceFailure::OtherDeclaration(format!(
                    "the child program declares interface {id} version {version} differently from the host: method {index} is `{theirs}` there and `{ours}` here; build the runner with the host's declaration (an interface changed in place needs a new version)"
                )))
            }
            None if wanted.plugin_vtable_size > child.vtable_size => {
                return Err(InterfaceFailure::OtherDeclaration(format!(
                    "the child program declares interface {id} version {version} with {} method(s), the host with {}, and the plugin's vtable ({} bytes) has methods the child does not know (`{}`, revision {}): the runner was built against an earlier revision of the declaration; rebuild it with the host's",
                    child.methods.len(),
                    wanted.methods.len(),
                    wanted.plugin_vtable_size,
                    method.name,
                    method.revision
                )))
            }
            None => break,
        }
    }
    Ok(())
}

/// Where the keeper sends a child's output, and what it keeps of it.
struct Output {
    /// The name the output is logged under.
    label: Arc<Mutex<String>>,
    /// The child program and plugin file, which a warning about a host
    /// service the child cannot carry is said once for.
    origin: Origin,
    /// The subscriber current where the plugin was loaded, if any was
    /// ever set by then.
    dispatch: Option<tracing::Dispatch>,
    last_words: Arc<Mutex<VecDeque<String>>>,
    drain: Arc<Drain>,
}

/// Runs `body` with `dispatch` as this thread's default subscriber, or
/// with the global default when there is none.
fn under<R>(dispatch: Option<&tracing::Dispatch>, body: impl FnOnce() -> R) -> R {
    match dispatch {
        Some(dispatch) => tracing::dispatcher::with_default(dispatch, body),
        None => body(),
    }
}

/// The keeper thread: spawns the child, forwards its output, reaps it and
/// reports its death.
fn keep(
    launch: Launch,
    output: Output,
    spawned: mpsc::Sender<std::io::Result<ChildRef>>,
    process: mpsc::Receiver<Weak<Process>>,
) {
    let Output {
        label,
        origin,
        dispatch,
        last_words,
        drain,
    } = output;
    let started = match launch.spawn() {
        Ok(started) => started,
        Err(e) => {
            let _ = spawned.send(Err(e));
            return;
        }
    };
    // Counted before the process exists, so that its drop waits for them.
    *drain.open.lock().unwrap_or_else(|e| e.into_inner()) =
        usize::from(started.stdout.is_some()) + usize::from(started.stderr.is_some());
    let _ = spawned.send(Ok(started.child));
    let stdout = started.stdout.map(|out| {
        let label = Arc::clone(&label);
        let dispatch = dispatch.clone();
        let out = Watched::new(out, Reading::new(Arc::clone(&drain)));
        std::thread::spawn(move || {
            FORWARDING.with(|f| f.set(true));
            under(dispatch.as_ref(), || {
                forward(out, &label, None, false, None)
            })
        })
    });
    let stderr = started.stderr.map(|err| {
        let label = Arc::clone(&label);
        let words = Arc::clone(&last_words);
        let err = Watched::new(err, Reading::new(Arc::clone(&drain)));
        std::thread::spawn(move || {
            FORWARDING.with(|f| f.set(true));
            under(dispatch.as_ref(), || {
                forward(err, &label, Some(&origin), true, Some(&words))
            })
        })
    });
    let process = process.recv().ok();
    let ended: Ended = started.waiter.wait();
    drain.child_exited();
    // Read only now, not at the start: the label is the file's name until
    // the handshake tells the plugin's name (`set_label`), so a process that
    // lived past its handshake is reported under the plugin's name, as
    // libtenon's other messages about it are.
    let name = label.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // The last words are complete once standard error is delivered (at
    // its end, or on Linux and macOS once read up to the child's exit;
    // else, where a grandchild keeps it open, what has arrived so far).
    drain.wait(Duration::from_millis(200));
    drop((stdout, stderr));
    let mut words = Process::last_words(&last_words);
    if let Some(note) = ended.note {
        words = if words.is_empty() {
            note.to_owned()
        } else {
            format!("{note} | {words}")
        };
    }
    let exit = Exit {
        signal: ended.signal,
        exit_code: ended.exit_code,
        last_words: words,
    };
    // Only the fields the platform reported (a `None` is not recorded), as
    // numbers: a log handler of a C host shows them as text, where
    // `Some(9)` would mean nothing.
    tracing::debug!(target: "tenon", plugin = %name, signal = exit.signal, exit_code = exit.exit_code, "plugin process ended");
    if let Some(process) = process.and_then(|weak| weak.upgrade()) {
        process.died(exit);
    }
}

/// Forwards a child's output, line by line, to `tracing`; log records the
/// child's `tenon_host.log` wrote keep their level. `origin` names the
/// child program and the plugin file, for the warnings said once for them
/// (standard error only: the child writes its records there).
fn forward(
    stream: impl Read,
    label: &Mutex<String>,
    origin: Option<&Origin>,
    is_stderr: bool,
    last_words: Option<&Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        let Some(dropped) = read_line_capped(&mut reader, &mut line) else {
            return;
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        let cut;
        let text = if dropped == 0 {
            text
        } else {
            cut = format!("{text}... ({dropped} more bytes of this line dropped)");
            cut.as_str()
        };
        let plugin = label.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let plugin = plugin.as_str();
        if text.starts_with(LOOKUP_PREFIX) || text.starts_with(LOG_PREFIX) {
            super::RECORDS_READ.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(record) = text.strip_prefix(LOOKUP_PREFIX) {
            let mut fields = record.splitn(3, ':');
            if let (Some(version), Some(offered), Some(id)) =
                (fields.next(), fields.next(), fields.next())
            {
                let version = version.parse().unwrap_or(0);
                crate::host_table::lookup(plugin, &unescape(id), version, offered == "1");
            }
            continue;
        }
        if let Some(record) = text.strip_prefix(UNCARRIED_PREFIX) {
            let (version, rest) = record.split_once(':').unwrap_or(("", record));
            let (id, why) = rest.split_once('\t').unwrap_or((rest, ""));
            let version = version.parse().unwrap_or(0);
            // The child says this before it loads the plugin, so under the
            // file's name, as documented: the label may already be the
            // plugin's name by the time this thread reads the line, which
            // would make the attribution depend on a race.
            if let Some(origin) = origin {
                uncarried(origin, &unescape(id), version, &unescape(why));
            }
            continue;
        }
        if let Some(record) = text.strip_prefix(LOG_PREFIX) {
            let (level, message) = record.split_once(':').unwrap_or(("", record));
            let message = unescape(message);
            // The child writes the raw `tenon_log_level`.
            match level.parse::<i64>().ok() {
                Some(l) if l == i64::from(sys::TENON_LOG_ERROR) => {
                    tracing::error!(target: "tenon::plugin", plugin, "{message}")
                }
                Some(l) if l == i64::from(sys::TENON_LOG_WARN) => {
                    tracing::warn!(target: "tenon::plugin", plugin, "{message}")
                }
                Some(l) if l == i64::from(sys::TENON_LOG_DEBUG) => {
                    tracing::debug!(target: "tenon::plugin", plugin, "{message}")
                }
                Some(l) if l == i64::from(sys::TENON_LOG_TRACE) => {
                    tracing::trace!(target: "tenon::plugin", plugin, "{message}")
                }
                _ => tracing::info!(target: "tenon::plugin", plugin, "{message}"),
            }
            continue;
        }
        if let Some(words) = last_words {
            let mut words = words.lock().unwrap_or_else(|e| e.into_inner());
            if words.len() == LAST_WORDS {
                words.pop_front();
            }
            words.push_back(text.to_owned());
        }
        if is_stderr {
            tracing::warn!(target: "tenon::plugin", plugin, stream = "stderr", "{text}");
        } else {
            tracing::info!(target: "tenon::plugin", plugin, stream = "stdout", "{text}");
        }
    }
}

/// Reads one line (through its `\n`) into `line`, keeping at most
/// [`MAX_LINE`] bytes of it; gives how many bytes were read past them and
/// dropped, or `None` at the end of the stream (or on an error).
pub(crate) fn read_line_capped(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Option<usize> {
    let mut dropped = 0usize;
    // Whether the last byte of text so far was dropped and is '\r': with
    // the newline, the end of a Windows line ("\r\n", as a C runtime's
    // text-mode stdout writes it), which is not text either.
    let mut dropped_cr = false;
    let mut read_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        if available.is_empty() {
            return read_any.then_some(dropped);
        }
        read_any = true;
        let (chunk, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let keep = chunk.len().min(MAX_LINE.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        if keep < chunk.len() {
            // The newline ends the line; it is not counted as dropped text.
            dropped = dropped.saturating_add(chunk.len() - keep - usize::from(ended));
        }
        let text = &chunk[..chunk.len() - usize::from(ended)];
        if let Some(&last) = text.last() {
            dropped_cr = keep < text.len() && last == b'\r';
        }
        let used = chunk.len();
        reader.consume(used);
        if ended {
            return Some(dropped - usize::from(dropped_cr));
        }
    }
}

/// Escapes a log message onto one line.
pub(crate) fn escape(message: &str) -> String {
    message
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// The child program an isolated plugin's process runs and the plugin
/// file it loads: a warning about a host service is said once for each.
#[derive(Clone)]
struct Origin {
    /// The program and the file's path, as the warnings are told apart.
    key: String,
    /// The file's name, which the warnings name the plugin by.
    file: String,
}

impl Origin {
    fn new(program: &Path, plugin: &Path) -> Self {
        Origin {
            key: format!("{}\n{}", program.display(), plugin.display()),
            file: plugin
                .file_name()
                .unwrap_or(plugin.as_os_str())
                .to_string_lossy()
                .into_owned(),
        }
    }
}

/// The host services the host was warned about, by [`Origin::key`], id
/// and version.
static UNCARRIED: Mutex<Vec<(String, String, u32)>> = Mutex::new(Vec::new());

/// Whether this is the first warning about host service (`id`, `version`)
/// for `origin`; records it.
fn first_warning(origin: &Origin, id: &str, version: u32) -> bool {
    let mut warned = UNCARRIED.lock().unwrap_or_else(|e| e.into_inner());
    if warned
        .iter()
        .any(|(o, i, v)| *o == origin.key && i == id && *v == version)
    {
        return false;
    }
    warned.push((origin.key.clone(), id.to_owned(), version));
    true
}

/// Warns that a child cannot carry host service (`id`, `version`): the
/// plugin's `get_interface` returns NULL for it. Said once for each child
/// program, plugin file and service, not again for each load or restart,
/// which start a process with the same lack.
fn uncarried(origin: &Origin, id: &str, version: u32, why: &str) {
    if !first_warning(origin, id, version) {
        return;
    }
    tracing::warn!(target: "tenon::plugin", plugin = %origin.file, "the host offers {id} version {version} as a host service, but the program the plugin's process runs cannot carry it ({why}): the plugin's get_interface returns NULL for it; link the crate that declares it (with interface!) into that program: the runner, or else the host itself, which for a C or C++ host means into its libtenon (docs/guide-c-host.md, \"Isolation\"); logged once for this program and plugin file, not at each load or restart");
}

/// Warns that the host offers service (`id`, `version`) without declaring
/// it, so that isolated plugins cannot reach it: their `get_interface`
/// returns NULL for it. Said once for each child program, plugin file and
/// service, as `uncarried` is.
fn undeclared_in_host(origin: &Origin, id: &str, version: u32, why: &str) {
    if !first_warning(origin, id, version) {
        return;
    }
    tracing::warn!(target: "tenon::plugin", plugin = %origin.file, "the host offers {id} version {version} as a host service, but the host itself cannot carry it to an isolated plugin ({why}): the plugin's get_interface returns NULL for it, whatever the child program declares; link the crate that declares it (with interface!) into the host as well as into any runner, which for a C or C++ host means into its libtenon (docs/guide-c-host.md, \"Isolation\"); logged once for this program and plugin file, not at each load or restart");
}

fn unescape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod declaration_tests {
    use super::{check_declaration, ChildDeclaration, Declaration, InterfaceFailure};
    use tenon_interface::{Method, ValueKind};

    const R2: &[Method] = &[
        Method {
            name: "greet",
            args: &[ValueKind::Utf8],
            result: Some(ValueKind::Utf8),
            revision: 1,
        },
        Method {
            name: "farewell",
            args: &[ValueKind::Utf8, ValueKind::U16],
            result: Some(ValueKind::Utf8),
            revision: 2,
        },
    ];

    fn child(methods: &[Method], vtable_size: u32) -> ChildDeclaration {
        ChildDeclaration {
            vtable_size,
            methods: methods
                .iter()
                .map(super::super::frame::method_signature)
                .collect(),
        }
    }

    fn check(host: &[Method], plugin: u32, child: &ChildDeclaration) -> Result<(), String> {
        let wanted = Declaration {
            methods: host,
            plugin_vtable_size: plugin,
        };
        check_declaration("org.test", 1, wanted, Some(child)).map_err(|failure| match failure {
            InterfaceFailure::OtherDeclaration(reason) => reason,
            _ => panic!("another failure"),
        })
    }

    #[test]
    fn a_child_with_the_hosts_declaration_or_a_later_revision_serves() {
        assert_eq!(check(R2, 24, &child(R2, 24)), Ok(()));
        assert_eq!(check(&R2[..1], 24, &child(R2, 24)), Ok(()));
        let unsaid = Declaration {
            methods: R2,
            plugin_vtable_size: 24,
        };
        assert!(check_declaration("org.test", 1, unsaid, None).is_ok());
    }

    #[test]
    fn an_older_child_serves_plugins_of_its_revision_and_refuses_later_ones() {
        let older = child(&R2[..1], 16);
        assert_eq!(check(R2, 16, &older), Ok(()));
        let refused = check(R2, 24, &older).unwrap_err();
        assert!(
            refused.contains("with 1 method(s), the host with 2")
                && refused.contains("`farewell`, revision 2")
                && refused.contains("rebuild it"),
            "{refused}"
        );
    }

    #[test]
    fn a_child_declaring_a_method_another_way_is_refused() {
        let mut other = R2.to_vec();
        other[1].args = &[ValueKind::Utf8, ValueKind::U32];
        let refused = check(R2, 24, &child(&other, 24)).unwrap_err();
        assert!(
            refused.contains("differently from the host: method 1") && refused.contains("U32"),
            "{refused}"
        );
    }
}
