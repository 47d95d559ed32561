//! Runs plugin code in a child process that cannot crash, hang or fool the
//! parent.
//!
//! The parent starts this same executable with a hidden command and reads
//! the child's answer on a *private channel*: one end of a socket pair (on
//! Windows the write end of an anonymous pipe) that the child inherits as
//! its standard input, which the child moves to a descriptor (handle) its
//! own children do not inherit and replaces with `/dev/null` (`NUL`) before
//! any plugin code runs. Plugin code that prints — a fake verdict included —
//! writes to the child's stdout or stderr, which the parent captures
//! separately and only ever shows labelled; it never reaches the channel.
//! Passing the channel as stdin keeps std's `posix_spawn` path (no
//! `pre_exec` hook), and no path or name exists that another process could
//! open.
//!
//! On the channel the child writes JSON lines: `{"enter":STEP}` before each
//! risky call (so that a crash is blamed on the call it happened in) and
//! one `{"verdict":VALUE}` at the end. A child that ends without delivering
//! a verdict has failed, whatever its exit status (0 included); one that
//! outlives its deadline is killed. The parent waits a bounded time for the
//! child's pipes to close after it ended, so a descendant the plugin forked
//! and left holding them cannot hang the parent either.
//!
//! `tenon check` runs each step with this module and `tenon inspect` its
//! load; it is shaped to grow into the isolated mode's child management.

use serde_json::{json, Value};
use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the parent waits, after the child ended, for its pipes to
/// reach end of file (a descendant may hold them open forever).
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// How much of each of the child's stdout and stderr is kept (the end).
const OUTPUT_KEPT: usize = 64 * 1024;

/// How many lines of the child's output a report shows, per stream.
const OUTPUT_LINES_SHOWN: usize = 10;

/// The step a child announces while the library's initializers and its
/// entry function run.
pub const LOADING: &str =
    "load (the dynamic loader, the library's initializers and tenon_plugin_v1)";

/// The step a child announces while it unloads the library.
pub const UNLOADING: &str = "unload (the library's finalizers)";

/// The marker the child sends after delivering its verdict, so that a
/// crash while exiting (a library's finalizer) is named as such.
pub const EXITING: &str = "exit (the libraries' finalizers and atexit handlers)";

/// A child to run: this executable with `args`, for at most `timeout`.
pub struct Job {
    /// The arguments after the executable (a hidden command and its own).
    pub args: Vec<OsString>,
    /// How long the child may run before it is killed.
    pub timeout: Duration,
}

/// How the child ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited or was killed by a signal on its own.
    Exited(ExitStatus),
    /// It outlived its deadline and was killed.
    TimedOut(Duration),
}

/// Everything the parent learned from one child.
#[derive(Debug)]
pub struct Finished {
    /// The verdict the child delivered on the private channel, if any.
    pub verdict: Option<Value>,
    /// The last step the child announced (`{"enter":…}`), if any.
    pub last_step: Option<String>,
    /// How it ended.
    pub ended: Ended,
    /// What the child wrote to its stdout (the end of it).
    pub stdout: String,
    /// What the child wrote to its stderr (the end of it).
    pub stderr: String,
}

/// Why a child failed: a `kind` for machines (`crashed`, `timed_out`) and a
/// sentence for people.
#[derive(Clone, Debug)]
pub struct Failure {
    /// `crashed` or `timed_out`.
    pub kind: &'static str,
    /// What happened, and in which step.
    pub message: String,
}

impl Failure {
    /// `{"kind","message"}`, the shape of every error the command prints.
    pub fn to_json(&self) -> Value {
        json!({"kind": self.kind, "message": self.message})
    }
}

impl Finished {
    /// `None` when the child delivered its verdict and exited cleanly;
    /// otherwise what went wrong.
    pub fn failure(&self) -> Option<Failure> {
        let step = self
            .last_step
            .as_deref()
            .map(|step| format!(" in {step}"))
            .unwrap_or_default();
        match &self.ended {
            Ended::TimedOut(after) => Some(Failure {
                kind: "timed_out",
                message: format!(
                    "timed out after {}{step}: the plugin hangs (or is very slow)",
                    seconds(*after)
                ),
            }),
            Ended::Exited(status) if self.verdict.is_none() => Some(Failure {
                kind: "crashed",
                message: if !ended_by_fault(status) {
                    format!(
                        "the process {}{step} without delivering a verdict",
                        describe_exit(status)
                    )
                } else {
                    format!("the plugin crashed{step}: {}", describe_exit(status))
                },
            }),
            Ended::Exited(status) if !status.success() => Some(Failure {
                kind: "crashed",
                message: format!(
                    "the plugin crashed the process{step}, after its verdict: {}",
                    describe_exit(status)
                ),
            }),
            Ended::Exited(_) => None,
        }
    }

    /// The last lines the child wrote to stdout and stderr, each labelled
    /// with its stream, for a report's details.
    pub fn output_lines(&self) -> Vec<String> {
        let mut lines = tail("stdout", &self.stdout);
        lines.extend(tail("stderr", &self.stderr));
        lines
    }
}

/// "12 s", "1.5 s".
pub fn seconds(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis % 1000 == 0 {
        format!("{} s", millis / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// `plugin stdout | …` lines: the last [`OUTPUT_LINES_SHOWN`] non-empty
/// lines of `text`.
pub fn tail(stream: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(OUTPUT_LINES_SHOWN);
    let mut shown: Vec<String> = lines[start..]
        .iter()
        .map(|line| format!("plugin {stream} | {line}"))
        .collect();
    if start > 0 {
        shown.insert(0, format!("plugin {stream} | … ({start} earlier lines)"));
    }
    shown
}

/// Runs `job` to its end, its deadline or its death.
///
/// `Err` only when the child could not be started at all.
pub fn run(job: &Job) -> Result<Finished, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find this executable to start a child process: {e}"))?;
    // A second attempt after a failed start: Wine's process creation has
    // failed once with ERROR_INTERNAL_ERROR (os error 1359) and then
    // worked, and a step that cannot start is reported as the plugin's
    // failure to load. A failure that stays is still reported.
    let mut attempt = 0;
    let (ours, mut child) = loop {
        let (ours, theirs) = channel::pair()?;
        let spawned = Command::new(&exe)
            .args(&job.args)
            .stdin(theirs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match spawned {
            Ok(child) => break (ours, child),
            Err(error) if attempt == 0 && error.kind() != std::io::ErrorKind::NotFound => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => return Err(format!("cannot start a child process: {error}")),
        }
    };
    // The command held the only other copy of the child's end; with it
    // gone, the channel reaches end of file when the child (and whatever
    // it forked) is gone.
    let channel = read_in_background(ours);
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);

    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ended::Exited(status),
            Ok(None) if started.elapsed() >= job.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Ended::TimedOut(job.timeout);
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("cannot wait for the child process: {e}"));
            }
        }
    };

    let drain_until = Instant::now() + DRAIN_GRACE;
    let channel = drain(channel, drain_until, usize::MAX);
    let stdout = stdout
        .map(|r| drain(r, drain_until, OUTPUT_KEPT))
        .unwrap_or_default();
    let stderr = stderr
        .map(|r| drain(r, drain_until, OUTPUT_KEPT))
        .unwrap_or_default();

    let mut verdict = None;
    let mut last_step = None;
    for line in String::from_utf8_lossy(&channel).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if let Some(step) = message.get("enter").and_then(Value::as_str) {
            last_step = Some(step.to_owned());
        } else if let Some(value) = message.get("verdict") {
            verdict = Some(value.clone());
        }
    }
    Ok(Finished {
        verdict,
        last_step,
        ended,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// Chunks read from a pipe, then `None` at its end.
type Chunks = mpsc::Receiver<Option<Vec<u8>>>;

fn read_in_background<R: Read + Send + 'static>(mut reader: R) -> Chunks {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if sender.send(Some(buffer[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = sender.send(None);
    });
    receiver
}

/// Everything `chunks` delivers until its end or `until`, keeping the last
/// `keep` bytes.
fn drain(chunks: Chunks, until: Instant, keep: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match chunks.recv_timeout(left) {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > keep.saturating_mul(2) {
                    bytes.drain(..bytes.len() - keep);
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
    if bytes.len() > keep {
        bytes.drain(..bytes.len() - keep);
    }
    bytes
}

/// "killed by signal 11 (SIGSEGV, a segmentation fault)" or "exited with
/// status 3".
pub fn describe_exit(status: &ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL, an illegal instruction)",
                6 => " (SIGABRT: abort() or a Rust panic with panic = \"abort\")",
                7 => " (SIGBUS, a bus error)",
                8 => " (SIGFPE, an arithmetic error)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV, a segmentation fault)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        #[cfg(windows)]
        Some(code) if ended_by_fault(status) => {
            let name = match code as u32 {
                0xC000_0005 => " (an access violation)",
                0xC000_001D => " (an illegal instruction)",
                0xC000_0094 => " (an integer division by zero)",
                0xC000_00FD => " (a stack overflow)",
                0xC000_0409 => {
                    " (a fail-fast exit: a Rust panic with panic = \"abort\", or a corrupted stack)"
                }
                _ => "",
            };
            format!("ended by exception {:#010X}{name}", code as u32)
        }
        #[cfg(windows)]
        Some(3) => "exited with status 3 (abort() in the C runtime, or exit(3))".to_owned(),
        Some(code) => format!("exited with status {code}"),
        None => "ended".to_owned(),
    }
}

/// Whether the process ended by a fault (a signal on Unix, an exception —
/// an NTSTATUS error code as exit code — on Windows) rather than by exiting.
fn ended_by_fault(status: &ExitStatus) -> bool {
    match status.code() {
        #[cfg(windows)]
        Some(code) => code as u32 >= 0xC000_0000,
        #[cfg(not(windows))]
        Some(_) => false,
        None => true,
    }
}

/// The child's side: announce steps and deliver the verdict.
pub mod child {
    use super::channel::Sender;
    use serde_json::{json, Value};
    use std::sync::{Mutex, OnceLock};

    static CHANNEL: OnceLock<Mutex<Sender>> = OnceLock::new();

    /// Takes the private channel from standard input. Call it first thing
    /// in the child, before any plugin code can run; `Err` says why the
    /// channel is unusable (this process was not started by [`super::run`]).
    pub fn connect() -> Result<(), String> {
        let sender = Sender::from_stdin()?;
        CHANNEL
            .set(Mutex::new(sender))
            .map_err(|_| "the channel is already connected".to_owned())
    }

    /// Says, before it happens, which risky call comes next, so that a
    /// crash or a hang is blamed on it. Does nothing outside a child.
    pub fn enter(step: &str) {
        send(&json!({ "enter": step }));
    }

    /// Delivers the child's verdict, then announces its exit.
    pub fn deliver(verdict: Value) {
        send(&json!({ "verdict": verdict }));
        enter(super::EXITING);
    }

    fn send(message: &Value) {
        if let Some(channel) = CHANNEL.get() {
            let mut channel = channel.lock().unwrap_or_else(|e| e.into_inner());
            // A parent that stopped listening learns nothing more either way.
            let _ = channel.send_line(&message.to_string());
        }
    }
}

/// The private channel: a Unix socket pair (std only, close-on-exec on both
/// ends until the child's end is placed on its stdin).
#[cfg(unix)]
mod channel {
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::{AsFd, FromRawFd, IntoRawFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;

    /// The parent's end (to read) and the child's (to become its stdin).
    pub fn pair() -> Result<(UnixStream, Stdio), String> {
        let (ours, theirs) = UnixStream::pair()
            .map_err(|e| format!("cannot create the channel to a child process: {e}"))?;
        Ok((ours, Stdio::from(OwnedFd::from(theirs))))
    }

    /// The child's end.
    pub struct Sender(UnixStream);

    impl Sender {
        /// Moves the channel from descriptor 0 to a close-on-exec
        /// descriptor (so that programs the plugin runs do not inherit it)
        /// and puts `/dev/null` on 0 (so that plugin code reading or
        /// writing "stdin" cannot touch it).
        pub fn from_stdin() -> Result<Sender, String> {
            let stdin = std::io::stdin();
            let fd = stdin.as_fd();
            let moved = fd
                .try_clone_to_owned()
                .map_err(|e| format!("cannot take the channel from stdin: {e}"))?;
            let stream = UnixStream::from(moved);
            // Refuse a stdin that is not a socket pair (a terminal, a file):
            // this process was not started by the supervisor.
            stream
                .peer_addr()
                .map_err(|e| format!("stdin is not the supervisor's channel: {e}"))?;
            // SAFETY: descriptor 0 is open (it was just duplicated) and owned
            // by no Rust object in this process — `Stdin` reads through the
            // raw number without owning it — and no plugin code has run
            // yet, so nothing else holds it; closing it here is the only use.
            drop(unsafe { OwnedFd::from_raw_fd(0) });
            // The lowest free descriptor is 0 again: /dev/null takes it and
            // keeps it for the life of the process.
            if let Ok(null) = File::options().read(true).write(true).open("/dev/null") {
                let _ = null.into_raw_fd();
            }
            Ok(Sender(stream))
        }

        /// Writes one line.
        pub fn send_line(&mut self, line: &str) -> std::io::Result<()> {
            let mut bytes = Vec::with_capacity(line.len() + 1);
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            self.0.write_all(&bytes)
        }
    }
}

/// The private channel on Windows: an anonymous pipe. The child's end (the
/// write end) becomes its standard input handle; the child duplicates it to
/// a handle its own children do not inherit and puts `NUL` in its place,
/// both for the Win32 standard handle and for the C runtime's descriptor 0,
/// before any plugin code runs.
#[cfg(windows)]
mod channel {
    use std::ffi::{c_int, c_void};
    use std::fs::File;
    use std::io::Write;
    use std::os::windows::io::{AsHandle, FromRawHandle, IntoRawHandle, OwnedHandle, RawHandle};
    use std::process::Stdio;
    use std::ptr;

    const STD_INPUT_HANDLE: u32 = -10i32 as u32;
    const FILE_TYPE_PIPE: u32 = 3;

    extern "system" {
        fn CreatePipe(
            read: *mut RawHandle,
            write: *mut RawHandle,
            attributes: *const c_void,
            size: u32,
        ) -> i32;
        fn GetStdHandle(which: u32) -> RawHandle;
        fn SetStdHandle(which: u32, handle: RawHandle) -> i32;
        fn GetFileType(handle: RawHandle) -> u32;
        fn CloseHandle(handle: RawHandle) -> i32;
        fn SetErrorMode(mode: u32) -> u32;
        fn SetUnhandledExceptionFilter(
            filter: Option<unsafe extern "system" fn(*const c_void) -> i32>,
        ) -> *const c_void;
    }

    /// An unhandled exception ends the process with the exception's code
    /// as its exit status, without asking anyone.
    unsafe extern "system" fn end_the_process(_exception: *const c_void) -> i32 {
        const EXCEPTION_EXECUTE_HANDLER: i32 = 1;
        EXCEPTION_EXECUTE_HANDLER
    }

    /// `SetErrorMode` flags: no dialog for a failed drive access, and none
    /// (nor a debugger) for an unhandled exception.
    const SEM_FAILCRITICALERRORS: u32 = 0x0001;
    const SEM_NOGPFAULTERRORBOX: u32 = 0x0002;

    // The C runtime the executable links (msvcrt for windows-gnu, the UCRT
    // for msvc): plugins that share it read "stdin" through descriptor 0.
    extern "C" {
        fn _open_osfhandle(handle: isize, flags: c_int) -> c_int;
        fn _get_osfhandle(fd: c_int) -> isize;
        fn _dup2(from: c_int, to: c_int) -> c_int;
        fn _close(fd: c_int) -> c_int;
    }

    /// The parent's end (to read) and the child's (to become its stdin).
    pub fn pair() -> Result<(File, Stdio), String> {
        let mut read: RawHandle = ptr::null_mut();
        let mut write: RawHandle = ptr::null_mut();
        // SAFETY: both out-pointers point to live locals; a null attributes
        // pointer makes both handles non-inheritable (std duplicates the
        // child's end as inheritable for that one child only).
        if unsafe { CreatePipe(&mut read, &mut write, ptr::null(), 0) } == 0 {
            return Err(format!(
                "cannot create the channel to a child process: {}",
                std::io::Error::last_os_error()
            ));
        }
        // SAFETY: CreatePipe succeeded, so both handles are open and owned
        // by nothing else; each is wrapped exactly once.
        let (read, write) = unsafe {
            (
                OwnedHandle::from_raw_handle(read),
                OwnedHandle::from_raw_handle(write),
            )
        };
        Ok((File::from(read), Stdio::from(write)))
    }

    /// The child's end.
    pub struct Sender(File);

    impl Sender {
        /// Takes the channel from the standard input handle into a handle
        /// that programs the plugin starts do not inherit, and puts `NUL`
        /// on standard input (the Win32 handle and the C runtime's
        /// descriptor 0), so that plugin code cannot touch the channel.
        pub fn from_stdin() -> Result<Sender, String> {
            // SAFETY: GetStdHandle only reads this process's parameters.
            let original = unsafe { GetStdHandle(STD_INPUT_HANDLE) };
            // SAFETY: GetFileType accepts any handle value, invalid ones
            // included (it then fails with FILE_TYPE_UNKNOWN).
            if original.is_null() || unsafe { GetFileType(original) } != FILE_TYPE_PIPE {
                return Err("stdin is not the supervisor's channel (not a pipe)".to_owned());
            }
            // `try_clone_to_owned` duplicates without inheritance.
            let moved = std::io::stdin()
                .as_handle()
                .try_clone_to_owned()
                .map_err(|e| format!("cannot take the channel from stdin: {e}"))?;
            let null = File::options()
                .read(true)
                .write(true)
                .open("NUL")
                .map_err(|e| format!("cannot open NUL for stdin: {e}"))?;
            let null = null.into_raw_handle();
            // SAFETY: `null` is an open handle owned by nothing else; the C
            // runtime takes it over. `original` is the process's standard
            // input handle: either the C runtime's descriptor 0 owns it (and
            // `_dup2` closes it) or nothing in this process does (and it is
            // closed here), exactly once either way. No plugin code has run
            // yet, so nothing else uses either.
            unsafe {
                let crt_owns_original = _get_osfhandle(0) == original as isize;
                let fd = _open_osfhandle(null as isize, 0);
                if fd >= 0 && _dup2(fd, 0) == 0 {
                    _close(fd);
                    if !crt_owns_original {
                        CloseHandle(original);
                    }
                    SetStdHandle(STD_INPUT_HANDLE, _get_osfhandle(0) as RawHandle);
                } else {
                    // No usable C runtime descriptor for NUL: close the
                    // original wherever it lives, so that neither
                    // descriptor 0 nor the Win32 handle reaches the channel.
                    if fd < 0 {
                        CloseHandle(null);
                    } else {
                        _close(fd);
                    }
                    if crt_owns_original {
                        _close(0);
                    } else {
                        CloseHandle(original);
                    }
                    let null = File::options().read(true).write(true).open("NUL");
                    SetStdHandle(
                        STD_INPUT_HANDLE,
                        null.map_or(ptr::null_mut(), |f| f.into_raw_handle()),
                    );
                }
            }
            // A plugin that faults must end this child at once with its
            // exception code, which the parent reports: no error dialog
            // waiting for a click, no debugger started (Wine ignores the
            // error mode and starts winedbg unless a top-level filter
            // decides first).
            // SAFETY: both calls only change settings of this process, and
            // the filter is a function that lives as long as the program.
            unsafe {
                SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
                SetUnhandledExceptionFilter(Some(end_the_process));
            }
            Ok(Sender(File::from(moved)))
        }

        /// Writes one line.
        pub fn send_line(&mut self, line: &str) -> std::io::Result<()> {
            let mut bytes = Vec::with_capacity(line.len() + 1);
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            self.0.write_all(&bytes)
        }
    }
}

/// Elsewhere there is no private channel yet; `--in-process` still works.
#[cfg(not(any(unix, windows)))]
mod channel {
    use std::process::Stdio;

    /// Never: no private channel on this platform yet.
    pub fn pair() -> Result<(std::io::Empty, Stdio), String> {
        Err("child processes are not supported on this platform yet; use --in-process".to_owned())
    }

    /// The child's end (never constructed on this platform).
    pub struct Sender;

    impl Sender {
        /// Never: no private channel on this platform yet.
        pub fn from_stdin() -> Result<Sender, String> {
            Err("child processes are not supported on this platform yet".to_owned())
        }

        /// Never called.
        pub fn send_line(&mut self, _line: &str) -> std::io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn finished(verdict: Option<Value>, ended: Ended) -> Finished {
        Finished {
            verdict,
            last_step: Some("destroy".to_owned()),
            ended,
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    /// A wait status: `code` << 8 for an exit, the signal number for a kill.
    fn status(raw: i32) -> Ended {
        Ended::Exited(ExitStatus::from_raw(raw))
    }

    #[test]
    fn a_child_without_a_verdict_has_failed_whatever_its_status() {
        let exited_0 = finished(None, status(0)).failure().expect("a failure");
        assert_eq!(exited_0.kind, "crashed");
        assert!(
            exited_0.message.contains("exited with status 0"),
            "{exited_0:?}"
        );
        assert!(exited_0.message.contains("in destroy"), "{exited_0:?}");

        let killed = finished(None, status(11)).failure().expect("a failure");
        assert_eq!(killed.kind, "crashed");
        assert!(killed.message.contains("SIGSEGV"), "{killed:?}");
        assert!(killed.message.contains("crashed in destroy"), "{killed:?}");
    }

    #[test]
    fn a_verdict_counts_only_with_a_clean_exit() {
        assert!(finished(Some(json!({})), status(0)).failure().is_none());
        let after = finished(Some(json!({})), status(6))
            .failure()
            .expect("a failure");
        assert_eq!(after.kind, "crashed");
        assert!(after.message.contains("after its verdict"), "{after:?}");
    }

    #[test]
    fn a_child_past_its_deadline_timed_out() {
        let ended = Ended::TimedOut(Duration::from_millis(2500));
        let failure = finished(Some(json!({})), ended)
            .failure()
            .expect("a failure");
        assert_eq!(failure.kind, "timed_out");
        assert!(
            failure.message.contains("after 2.5 s in destroy"),
            "{failure:?}"
        );
    }

    #[test]
    fn output_is_labelled_and_only_its_end_is_shown() {
        let text: String = (1..=25).map(|n| format!("line {n}\n")).collect();
        let shown = tail("stdout", &text);
        assert_eq!(shown.len(), OUTPUT_LINES_SHOWN + 1);
        assert_eq!(shown[0], "plugin stdout | … (15 earlier lines)");
        assert_eq!(shown[1], "plugin stdout | line 16");
        assert_eq!(shown.last().unwrap(), "plugin stdout | line 25");
        assert!(tail("stderr", "\n  \n").is_empty());
    }

    #[test]
    fn drain_keeps_the_end_and_stops_at_its_deadline() {
        let (sender, receiver) = mpsc::channel();
        for chunk in [b"abc".to_vec(), b"defg".to_vec()] {
            sender.send(Some(chunk)).unwrap();
        }
        // No end of file: the deadline ends the wait.
        let started = Instant::now();
        let kept = drain(receiver, Instant::now() + Duration::from_millis(50), 5);
        assert_eq!(kept, b"cdefg");
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(sender);
    }
}
