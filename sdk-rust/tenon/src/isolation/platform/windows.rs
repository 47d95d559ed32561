//! Windows: the slots in an unnamed section (`CreateFileMappingW` on
//! `INVALID_HANDLE_VALUE`), one pair of unnamed auto-reset events per slot
//! for wake-ups (`WaitOnAddress` does not cross processes), the child
//! started suspended by `CreateProcessW` inheriting only its three standard
//! handles (`PROC_THREAD_ATTRIBUTE_HANDLE_LIST`), put in a job object that
//! kills it when the host's handle closes, then resumed. Every other object
//! (the plugin file, the section, the events, the child's end of the reply
//! pipe) is duplicated straight into the child, and its handle values
//! travel in the setup message over the child's standard input, an
//! anonymous pipe. Nothing has a name another process could open.

use super::{Ended, HandshakeError, MAX_HANDSHAKE};
use crate::integrity::Opened;
use crate::isolation::frame::Reader;
use crate::isolation::shm::{Shm, CHILD_ASLEEP, HOST_ASLEEP};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use windows_sys::Win32::Foundation::{
    DuplicateHandle, SetHandleInformation, DUPLICATE_SAME_ACCESS, HANDLE, HANDLE_FLAG_INHERIT,
    INVALID_HANDLE_VALUE, WAIT_OBJECT_0,
};
use windows_sys::Win32::System::Diagnostics::Debug::{
    SetErrorMode, SetUnhandledExceptionFilter, EXCEPTION_POINTERS, SEM_FAILCRITICALERRORS,
    SEM_NOGPFAULTERRORBOX,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    QueryInformationJobObject, SetInformationJobObject, TerminateJobObject,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOB_OBJECT_LIMIT_PROCESS_MEMORY,
};
use windows_sys::Win32::System::Memory::{
    CreateFileMappingW, MapViewOfFile, UnmapViewOfFile, FILE_MAP_ALL_ACCESS,
    MEMORY_MAPPED_VIEW_ADDRESS, PAGE_READWRITE,
};
use windows_sys::Win32::System::Pipes::CreatePipe;
use windows_sys::Win32::System::Threading::{
    CreateEventW, CreateProcessW, DeleteProcThreadAttributeList, GetCurrentProcess,
    GetExitCodeProcess, InitializeProcThreadAttributeList, ResumeThread, SetEvent,
    TerminateProcess, UpdateProcThreadAttribute, WaitForSingleObject, CREATE_NO_WINDOW,
    CREATE_SUSPENDED, CREATE_UNICODE_ENVIRONMENT, EXTENDED_STARTUPINFO_PRESENT, INFINITE,
    PROCESS_INFORMATION, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, STARTF_USESTDHANDLES, STARTUPINFOEXW,
};

/// The exit code the host gives a child it terminates (a deadline, an
/// unload, a protocol violation): not one a crash or `exit` gives.
const TERMINATED: u32 = 0xDEAD;

/// An owned handle from a call that returns NULL on failure.
fn owned(handle: HANDLE) -> io::Result<OwnedHandle> {
    if handle.is_null() || std::ptr::eq(handle, INVALID_HANDLE_VALUE) {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle this process owns and closes nowhere else.
    Ok(unsafe { OwnedHandle::from_raw_handle(handle as RawHandle) })
}

/// Fails with the last OS error when a `BOOL` call failed.
fn check(ok: i32) -> io::Result<()> {
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The shared memory: an unnamed section, mapped.
pub(crate) struct Mapping {
    base: NonNull<u8>,
    len: usize,
    section: OwnedHandle,
}

impl Mapping {
    /// A new section of `len` bytes (zeroed), mapped. A section's size is
    /// fixed: the child cannot shrink it under the host.
    pub(crate) fn create(len: usize) -> io::Result<Mapping> {
        let size = len as u64;
        // SAFETY: no file (the paging file backs it), no name, default
        // security (not inheritable); the sizes describe `len`.
        let section = owned(unsafe {
            CreateFileMappingW(
                INVALID_HANDLE_VALUE,
                core::ptr::null(),
                PAGE_READWRITE,
                (size >> 32) as u32,
                size as u32,
                core::ptr::null(),
            )
        })?;
        Self::map(section, len)
    }

    fn map(section: OwnedHandle, len: usize) -> io::Result<Mapping> {
        if len == 0 {
            return Err(io::Error::other("empty shared memory"));
        }
        // SAFETY: a view of a section we hold, `len` bytes from its start;
        // the call fails (NULL) if the section is smaller.
        let view = unsafe {
            MapViewOfFile(
                section.as_raw_handle() as HANDLE,
                FILE_MAP_ALL_ACCESS,
                0,
                0,
                len,
            )
        };
        let base = NonNull::new(view.Value.cast::<u8>()).ok_or_else(io::Error::last_os_error)?;
        Ok(Mapping { base, len, section })
    }

    /// The start of the view (aligned to the allocation granularity).
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
        // SAFETY: the view mapped in `map`; the `Shm` owning this mapping
        // hands out no slot that outlives it.
        unsafe {
            UnmapViewOfFile(MEMORY_MAPPED_VIEW_ADDRESS {
                Value: self.base.as_ptr().cast(),
            })
        };
    }
}

/// A slot's wake-ups: an unnamed auto-reset event each side sleeps on.
pub(crate) struct SlotWake {
    host: OwnedHandle,
    child: OwnedHandle,
}

impl SlotWake {
    /// Whether the wake-up lives in the state word: not here, the events
    /// are sent to the child with the section.
    pub(crate) const IN_WORD: bool = false;

    /// A slot's pair of events, both unset.
    pub(crate) fn create() -> io::Result<SlotWake> {
        let event = || {
            // SAFETY: an unnamed, auto-reset, initially unset event with
            // default (non-inheritable) security.
            owned(unsafe { CreateEventW(core::ptr::null(), 0, 0, core::ptr::null()) })
        };
        Ok(SlotWake {
            host: event()?,
            child: event()?,
        })
    }

    fn event(&self, side: u32) -> HANDLE {
        if side == HOST_ASLEEP {
            self.host.as_raw_handle() as HANDLE
        } else {
            self.child.as_raw_handle() as HANDLE
        }
    }
}

/// Sleeps on this side's event (`me`) up to `timeout`. No wake-up is lost
/// between the caller's last check of the word and this wait: the event is
/// auto-reset and stays set until a wait consumes it. A wake-up left over
/// from an earlier round only makes the caller check the word once more.
pub(crate) fn sleep(
    _word: &AtomicU32,
    _seen: u32,
    wake: &SlotWake,
    me: u32,
    timeout: Option<Duration>,
) {
    let millis = match timeout {
        // Rounded up: a wait of 0 ms before a deadline would spin.
        Some(t) => t.as_micros().div_ceil(1000).min(u128::from(INFINITE - 1)) as u32,
        None => INFINITE,
    };
    // SAFETY: an event this process holds for as long as the slot.
    unsafe { WaitForSingleObject(wake.event(me), millis) };
}

/// Wakes the sides named by `whom` (sleeper bits).
pub(crate) fn wake(_word: &AtomicU32, wake: &SlotWake, whom: u32) {
    for side in [HOST_ASLEEP, CHILD_ASLEEP] {
        if whom & side != 0 {
            // SAFETY: as in `sleep`.
            unsafe { SetEvent(wake.event(side)) };
        }
    }
}

/// The program a host that called `init` re-executes as the child.
pub(crate) fn own_executable() -> io::Result<PathBuf> {
    std::env::current_exe()
}

/// A child ready to start: its command line, environment, the child's ends
/// of its standard handles, and the job it will run in.
pub(crate) struct Launch {
    runner: PathBuf,
    env: Vec<(String, String)>,
    stdin: OwnedHandle,
    stdout: OwnedHandle,
    stderr: OwnedHandle,
    stdout_host: File,
    stderr_host: File,
    job: OwnedHandle,
}

/// The host's end of the control channel: the write end of the child's
/// standard input (the child's watchdog exits when it closes) and the read
/// end of the reply pipe.
pub(crate) struct Control {
    to_child: File,
    from_child: File,
    /// The child's end of the reply pipe, until it is duplicated into the
    /// child (then closed here, so that the child's death ends the pipe).
    child_reply: Mutex<Option<OwnedHandle>>,
}

/// An anonymous pipe: (read end, write end), neither inheritable.
fn pipe() -> io::Result<(OwnedHandle, OwnedHandle)> {
    let mut read: HANDLE = core::ptr::null_mut();
    let mut write: HANDLE = core::ptr::null_mut();
    // SAFETY: out-pointers to locals; default security (not inheritable).
    check(unsafe { CreatePipe(&mut read, &mut write, core::ptr::null(), 0) })?;
    Ok((owned(read)?, owned(write)?))
}

/// A job that kills its processes when its last handle closes (the host
/// dropping the plugin, or the host dying, however), ends a process on an
/// unhandled exception without a debugger or error dialog, and caps each
/// process's committed memory at `memory_limit`.
fn job(memory_limit: Option<u64>) -> io::Result<OwnedHandle> {
    // SAFETY: an unnamed job with default security.
    let job = owned(unsafe { CreateJobObjectW(core::ptr::null(), core::ptr::null()) })?;
    // SAFETY: plain data, all zeroes is a valid value.
    let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { core::mem::zeroed() };
    limits.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if let Some(limit) = memory_limit {
        limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
        limits.ProcessMemoryLimit = usize::try_from(limit).unwrap_or(usize::MAX);
    }
    // SAFETY: the job we hold, and a structure of the class's type and size.
    check(unsafe {
        SetInformationJobObject(
            job.as_raw_handle() as HANDLE,
            JobObjectExtendedLimitInformation,
            (&limits as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
            size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        )
    })
    .map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot set the job's limits (kill on close, memory limit): {e}"),
        )
    })?;
    if let Some(limit) = memory_limit {
        // Wine 8 accepts the limit and applies none (measured: it reports
        // no limit back, and allocations go past it): refuse rather than
        // run the plugin unbounded.
        // SAFETY: plain data, all zeroes is a valid value.
        let mut applied: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { core::mem::zeroed() };
        // SAFETY: the job we hold, and a structure of the class's type and
        // size to fill.
        let queried = check(unsafe {
            QueryInformationJobObject(
                job.as_raw_handle() as HANDLE,
                JobObjectExtendedLimitInformation,
                (&mut applied as *mut JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                core::ptr::null_mut(),
            )
        });
        if queried.is_err()
            || applied.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_PROCESS_MEMORY == 0
            || applied.ProcessMemoryLimit as u64 != limit
        {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this system accepts a job object's per-process memory limit but does not apply it (Wine does not implement it): load without Isolation::memory_limit",
            ));
        }
    }
    Ok(job)
}

/// The command, the job and the control channel for a child running
/// `runner`.
pub(crate) fn prepare(
    runner: &Path,
    env: &[(&str, String)],
    memory_limit: Option<u64>,
) -> io::Result<(Launch, Control)> {
    let job = job(memory_limit)?;
    let (stdin, to_child) = pipe()?;
    let (stdout_host, stdout) = pipe()?;
    let (stderr_host, stderr) = pipe()?;
    let (from_child, child_reply) = pipe()?;
    Ok((
        Launch {
            runner: runner.to_path_buf(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            stdin,
            stdout,
            stderr,
            stdout_host: File::from(stdout_host),
            stderr_host: File::from(stderr_host),
            job,
        },
        Control {
            to_child: File::from(to_child),
            from_child: File::from(from_child),
            child_reply: Mutex::new(Some(child_reply)),
        },
    ))
}

/// A started child, as the keeper thread holds it.
pub(crate) struct Spawned {
    /// How the host kills it.
    pub child: ChildRef,
    /// Its standard output and error, to forward.
    pub stdout: Option<File>,
    pub stderr: Option<File>,
    /// How the keeper waits for its end.
    pub waiter: Waiter,
}

/// `s` as a NUL-terminated UTF-16 string.
fn wide(s: &std::ffi::OsStr) -> Vec<u16> {
    s.encode_wide().chain(Some(0)).collect()
}

/// The environment block: this process's environment with `extra` set.
fn environment(extra: &[(String, String)]) -> Vec<u16> {
    let mut vars: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| {
            !extra
                .iter()
                .any(|(e, _)| k.to_string_lossy().eq_ignore_ascii_case(e))
        })
        .collect();
    vars.extend(extra.iter().map(|(k, v)| (k.into(), v.into())));
    // Windows expects the block sorted by name, case-insensitively.
    vars.sort_by_key(|(k, _)| k.to_string_lossy().to_uppercase());
    let mut block = Vec::new();
    for (k, v) in vars {
        block.extend(k.encode_wide());
        block.push(u16::from(b'='));
        block.extend(v.encode_wide());
        block.push(0);
    }
    block.push(0);
    block
}

/// Marks a handle inheritable (or not again).
fn inheritable(handle: &OwnedHandle, yes: bool) -> io::Result<()> {
    // SAFETY: a handle we hold; only its inherit flag changes.
    check(unsafe {
        SetHandleInformation(
            handle.as_raw_handle() as HANDLE,
            HANDLE_FLAG_INHERIT,
            if yes { HANDLE_FLAG_INHERIT } else { 0 },
        )
    })
}

impl Launch {
    /// Starts the child: suspended, put in the job, then resumed, so that
    /// none of its code runs outside the job.
    pub(crate) fn spawn(self) -> io::Result<Spawned> {
        let application = wide(self.runner.as_os_str());
        let mut command_line: Vec<u16> = {
            let mut quoted = OsString::from("\"");
            quoted.push(self.runner.as_os_str());
            quoted.push("\"");
            wide(&quoted)
        };
        let environment = environment(&self.env);
        let inherited: [HANDLE; 3] = [
            self.stdin.as_raw_handle() as HANDLE,
            self.stdout.as_raw_handle() as HANDLE,
            self.stderr.as_raw_handle() as HANDLE,
        ];
        // The handle list names the only handles the child inherits; they
        // must be inheritable themselves, for the shortest time possible
        // (another thread's spawn that inherits every inheritable handle
        // could take them meanwhile).
        for handle in [&self.stdin, &self.stdout, &self.stderr] {
            inheritable(handle, true)?;
        }
        let started =
            self.create_process(&application, &mut command_line, &environment, &inherited);
        for handle in [&self.stdin, &self.stdout, &self.stderr] {
            let _ = inheritable(handle, false);
        }
        let info = started?;
        // SAFETY: handles CreateProcessW gave us, owned from here on.
        let process = unsafe { OwnedHandle::from_raw_handle(info.hProcess as RawHandle) };
        // SAFETY: as above.
        let thread = unsafe { OwnedHandle::from_raw_handle(info.hThread as RawHandle) };
        // SAFETY: the job and the (suspended) process we hold.
        let assigned = check(unsafe {
            AssignProcessToJobObject(
                self.job.as_raw_handle() as HANDLE,
                process.as_raw_handle() as HANDLE,
            )
        });
        if let Err(e) = assigned {
            // SAFETY: the process we created and hold.
            unsafe { TerminateProcess(process.as_raw_handle() as HANDLE, TERMINATED) };
            return Err(io::Error::new(
                e.kind(),
                format!("cannot put the child in its job object: {e}"),
            ));
        }
        // SAFETY: the child's main thread, created suspended.
        if unsafe { ResumeThread(thread.as_raw_handle() as HANDLE) } == u32::MAX {
            let e = io::Error::last_os_error();
            // SAFETY: as above.
            unsafe { TerminateProcess(process.as_raw_handle() as HANDLE, TERMINATED) };
            return Err(e);
        }
        drop(thread);
        let process = Arc::new(process);
        Ok(Spawned {
            child: ChildRef {
                process: Arc::clone(&process),
                job: self.job,
            },
            stdout: Some(self.stdout_host),
            stderr: Some(self.stderr_host),
            waiter: Waiter { process },
        })
        // The child's ends of its standard handles close here: the child
        // holds its own copies.
    }

    fn create_process(
        &self,
        application: &[u16],
        command_line: &mut [u16],
        environment: &[u16],
        inherited: &[HANDLE; 3],
    ) -> io::Result<PROCESS_INFORMATION> {
        let mut size = 0usize;
        // SAFETY: asks only for the size of a one-attribute list (fails
        // with ERROR_INSUFFICIENT_BUFFER by design).
        unsafe { InitializeProcThreadAttributeList(core::ptr::null_mut(), 1, 0, &mut size) };
        // Pointer-aligned storage for the opaque list.
        let mut storage = vec![0usize; size.div_ceil(size_of::<usize>()).max(1)];
        let list = storage.as_mut_ptr().cast::<core::ffi::c_void>();
        // SAFETY: `list` has `size` bytes, as the first call asked.
        check(unsafe { InitializeProcThreadAttributeList(list, 1, 0, &mut size) })?;
        struct ListGuard(*mut core::ffi::c_void);
        impl Drop for ListGuard {
            fn drop(&mut self) {
                // SAFETY: initialized above, deleted once, before its
                // storage is freed (the guard is dropped first).
                unsafe { DeleteProcThreadAttributeList(self.0) };
            }
        }
        let _guard = ListGuard(list);
        // SAFETY: the list is initialized; the handle array outlives the
        // CreateProcessW call below, which is where it is read.
        check(unsafe {
            UpdateProcThreadAttribute(
                list,
                0,
                PROC_THREAD_ATTRIBUTE_HANDLE_LIST as usize,
                inherited.as_ptr().cast(),
                size_of_val(inherited),
                core::ptr::null_mut(),
                core::ptr::null(),
            )
        })?;
        // SAFETY: plain data, zeroes are valid.
        let mut startup: STARTUPINFOEXW = unsafe { core::mem::zeroed() };
        startup.StartupInfo.cb = size_of::<STARTUPINFOEXW>() as u32;
        startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
        startup.StartupInfo.hStdInput = inherited[0];
        startup.StartupInfo.hStdOutput = inherited[1];
        startup.StartupInfo.hStdError = inherited[2];
        startup.lpAttributeList = list;
        // SAFETY: plain data, zeroes are valid.
        let mut info: PROCESS_INFORMATION = unsafe { core::mem::zeroed() };
        // SAFETY: NUL-terminated strings and a double-NUL-terminated UTF-16
        // environment block that live through the call; a mutable command
        // line as the API requires; the extended startup info with its
        // initialized attribute list.
        check(unsafe {
            CreateProcessW(
                application.as_ptr(),
                command_line.as_mut_ptr(),
                core::ptr::null(),
                core::ptr::null(),
                1,
                CREATE_SUSPENDED
                    | EXTENDED_STARTUPINFO_PRESENT
                    | CREATE_UNICODE_ENVIRONMENT
                    | CREATE_NO_WINDOW,
                environment.as_ptr().cast(),
                core::ptr::null(),
                (&startup as *const STARTUPINFOEXW).cast(),
                &mut info,
            )
        })?;
        Ok(info)
    }
}

/// What the host keeps to kill the child: its process handle, and the job
/// whose closing kills it.
pub(crate) struct ChildRef {
    process: Arc<OwnedHandle>,
    job: OwnedHandle,
}

impl ChildRef {
    /// Kills the child and every process it started (idempotent:
    /// terminating an ended job or process fails harmlessly). The job ends
    /// them all when its handle closes anyway, at the end of the plugin's
    /// drop; ending them now closes every copy of the child's output
    /// pipes, so the host's readers reach their end at once rather than
    /// waiting out the drop's bound for a process the plugin started.
    pub(crate) fn kill(&self) {
        // SAFETY: the job we created and hold (with all access).
        unsafe { TerminateJobObject(self.job.as_raw_handle() as HANDLE, TERMINATED) };
        // Should the job fail to end it, the child still dies.
        // SAFETY: the process handle we hold (with all access: we created
        // the process).
        unsafe { TerminateProcess(self.process.as_raw_handle() as HANDLE, TERMINATED) };
    }

    /// Duplicates `handle` into the child; its value there.
    fn give(&self, handle: RawHandle) -> io::Result<u64> {
        let mut theirs: HANDLE = core::ptr::null_mut();
        // SAFETY: a handle of ours, duplicated (same access, not
        // inheritable) into the process we created; `theirs` is only a
        // number here, valid in the child.
        check(unsafe {
            DuplicateHandle(
                GetCurrentProcess(),
                handle as HANDLE,
                self.process.as_raw_handle() as HANDLE,
                &mut theirs,
                0,
                0,
                DUPLICATE_SAME_ACCESS,
            )
        })?;
        Ok(theirs as usize as u64)
    }
}

/// What the keeper waits on.
pub(crate) struct Waiter {
    process: Arc<OwnedHandle>,
}

impl Waiter {
    /// Waits for the child's end and reads its exit code.
    pub(crate) fn wait(self) -> Ended {
        let handle = self.process.as_raw_handle() as HANDLE;
        // SAFETY: the process handle we hold.
        if unsafe { WaitForSingleObject(handle, INFINITE) } != WAIT_OBJECT_0 {
            return Ended::default();
        }
        let mut code = 0u32;
        // SAFETY: as above; `code` is a local out-parameter.
        if unsafe { GetExitCodeProcess(handle, &mut code) } == 0 {
            return Ended::default();
        }
        Ended {
            signal: None,
            exit_code: Some(code as i32),
            note: exception_name(code),
        }
    }
}

/// The name of the exception (NTSTATUS) a crashed process exits with.
fn exception_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0xC000_0005 => "STATUS_ACCESS_VIOLATION (0xC0000005): the plugin's process crashed",
        0xC000_00FD => {
            "STATUS_STACK_OVERFLOW (0xC00000FD): the plugin's process overflowed its stack"
        }
        0xC000_0409 => {
            "STATUS_STACK_BUFFER_OVERRUN (0xC0000409): the plugin's process failed fast (an abort)"
        }
        0xC000_001D => "STATUS_ILLEGAL_INSTRUCTION (0xC000001D)",
        0xC000_0094 => "STATUS_INTEGER_DIVIDE_BY_ZERO (0xC0000094)",
        0xC000_0096 => "STATUS_PRIVILEGED_INSTRUCTION (0xC0000096)",
        0x8000_0002 => "STATUS_DATATYPE_MISALIGNMENT (0x80000002)",
        0x8000_0003 => "STATUS_BREAKPOINT (0x80000003)",
        0xC000_0017 => "STATUS_NO_MEMORY (0xC0000017)",
        0xC000_0374 => "STATUS_HEAP_CORRUPTION (0xC0000374)",
        0xC000_0135 => "STATUS_DLL_NOT_FOUND (0xC0000135)",
        0xC000_0142 => "STATUS_DLL_INIT_FAILED (0xC0000142)",
        TERMINATED => "terminated by the host",
        _ => return None,
    })
}

/// Writes one length-prefixed message.
fn write_message(mut to: &File, bytes: &[u8]) -> io::Result<()> {
    let mut message = Vec::with_capacity(4 + bytes.len());
    message.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    message.extend_from_slice(bytes);
    to.write_all(&message)
}

/// Reads one length-prefixed message of at most `limit` bytes.
fn read_message(mut from: &File, limit: usize) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    from.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "message too long",
        ));
    }
    let mut bytes = vec![0u8; len];
    from.read_exact(&mut bytes)?;
    Ok(bytes)
}

impl Control {
    /// Duplicates the plugin file, the section, the slots' events and the
    /// child's end of the reply pipe into the child, and sends the setup
    /// message with their values there appended.
    pub(crate) fn send_setup(
        &self,
        bytes: &[u8],
        file: &File,
        shm: &Shm,
        child: &ChildRef,
    ) -> io::Result<()> {
        let mut message = bytes.to_vec();
        let mut push = |value: u64| message.extend_from_slice(&value.to_le_bytes());
        push(child.give(file.as_raw_handle())?);
        push(child.give(shm.mapping().section.as_raw_handle())?);
        push(shm.mapping().len() as u64);
        let reply = self
            .child_reply
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| io::Error::other("the setup was already sent"))?;
        push(child.give(reply.as_raw_handle())?);
        drop(reply);
        push(shm.wakes().len() as u64);
        for wake in shm.wakes() {
            push(child.give(wake.host.as_raw_handle())?);
            push(child.give(wake.child.as_raw_handle())?);
        }
        write_message(&self.to_child, &message)
    }

    /// Reads the child's handshake, waiting up to `timeout` (anonymous
    /// pipes have no read timeout: a thread reads, and is left to end when
    /// the child is killed and the pipe closes).
    pub(crate) fn read_handshake(&self, timeout: Duration) -> Result<Vec<u8>, HandshakeError> {
        let from_child = self
            .from_child
            .try_clone()
            .map_err(|_| HandshakeError::Closed)?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("tenon-handshake".to_owned())
            .spawn(move || {
                let _ = tx.send(read_message(&from_child, MAX_HANDSHAKE));
            })
            .map_err(|_| HandshakeError::Closed)?;
        match rx.recv_timeout(timeout) {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(e)) if e.kind() == io::ErrorKind::InvalidData => Err(HandshakeError::TooLong),
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Disconnected) => Err(HandshakeError::Closed),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(HandshakeError::TimedOut),
        }
    }
}

/// The child's end of the control channel: its standard input (from the
/// host) and the reply pipe (to the host, once the setup named it).
pub(crate) struct ChildChannel {
    from_host: File,
    to_host: Option<File>,
}

/// The child's last word on an exception nothing handled: end the process
/// at once with the exception's code as its exit code, which the host
/// reports. Without it, Windows may show an error dialog or wait for a
/// debugger, and Wine 8 starts its debugger and exits with
/// `STATUS_DEBUGGER_INACTIVE` instead of the exception's code (measured).
unsafe extern "system" fn end_with_exception_code(info: *const EXCEPTION_POINTERS) -> i32 {
    // SAFETY: the system passes a valid record for the exception being
    // dispatched; only its code is read.
    let code = unsafe {
        info.as_ref()
            .and_then(|info| info.ExceptionRecord.as_ref())
            .map_or(0xC000_0001, |record| record.ExceptionCode as u32)
    };
    // SAFETY: ends this process; nothing runs after.
    unsafe { TerminateProcess(GetCurrentProcess(), code) };
    // EXCEPTION_CONTINUE_SEARCH, should termination ever return.
    0
}

/// The first steps of the child: no error dialog or debugger on a crash
/// (the host reads the exception's code as the exit code instead), and the
/// control pipe taken from standard input. Dying with the host is the job
/// object's work.
pub(crate) fn child_begin(_parent_env: &str) -> Result<ChildChannel, String> {
    // SAFETY: sets this process's error mode and top-level exception
    // filter (a function that lives as long as the process).
    unsafe {
        SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
        SetUnhandledExceptionFilter(Some(end_with_exception_code));
    }
    let stdin = std::io::stdin().as_raw_handle();
    if stdin.is_null() || std::ptr::eq(stdin, INVALID_HANDLE_VALUE) {
        return Err("no control pipe on standard input".to_owned());
    }
    // SAFETY: our standard input, the pipe the host gave us; from here on
    // only the protocol reads it (the plugin is not meant to read stdin).
    let from_host = File::from(unsafe { OwnedHandle::from_raw_handle(stdin) });
    Ok(ChildChannel {
        from_host,
        to_host: None,
    })
}

impl ChildChannel {
    /// Receives the setup message.
    pub(crate) fn receive_setup(&mut self) -> Result<Vec<u8>, String> {
        read_message(&self.from_host, 1 << 20).map_err(|e| format!("setup: {e}"))
    }

    /// The plugin file, the section, the reply pipe and the slots' events,
    /// whose values in this process follow the setup's common fields.
    pub(crate) fn take_resources(
        &mut self,
        reader: &mut Reader<'_>,
    ) -> Result<(Opened, Mapping, Vec<SlotWake>), String> {
        let bad = || "setup: malformed handle list".to_owned();
        let handle = |reader: &mut Reader<'_>| -> Result<OwnedHandle, String> {
            let value = reader.u64().ok_or_else(bad)?;
            // SAFETY: the host duplicated this handle into this process
            // for us alone (it is closed nowhere else).
            owned(value as usize as HANDLE).map_err(|e| format!("setup: bad handle: {e}"))
        };
        let file = File::from(handle(reader)?);
        let section = handle(reader)?;
        let len = usize::try_from(reader.u64().ok_or_else(bad)?).map_err(|_| bad())?;
        self.to_host = Some(File::from(handle(reader)?));
        let count = reader.u64().ok_or_else(bad)?;
        if count > 1 << 16 {
            return Err(bad());
        }
        let mut wakes = Vec::new();
        for _ in 0..count {
            wakes.push(SlotWake {
                host: handle(reader)?,
                child: handle(reader)?,
            });
        }
        let mapping = Mapping::map(section, len).map_err(|e| format!("shared memory: {e}"))?;
        // The file is read through the handle the host opened, and the
        // loader maps the file that handle names (Windows has no loading
        // through a handle): the host's private copy when it made one (a
        // reloadable, a required digest), so that the child, like an
        // in-process load, leaves the original free to be rebuilt, and
        // loads the very bytes the host checked.
        let opened = Opened { file, copied: true };
        Ok((opened, mapping, wakes))
    }

    /// Writes one length-prefixed message to the host.
    pub(crate) fn send(&self, bytes: &[u8]) -> io::Result<()> {
        match &self.to_host {
            Some(to_host) => write_message(to_host, bytes),
            None => Err(io::Error::other("no reply pipe yet")),
        }
    }

    /// After a refusal: waits for the host to close the channel, then ends.
    pub(crate) fn wait_for_close_and_exit(&self) -> ! {
        let mut rest = Vec::new();
        let _ = (&self.from_host).read_to_end(&mut rest);
        std::process::exit(0);
    }

    /// The watchdog: when the host's end closes (it dropped the plugin, or
    /// died, though the job ends us then anyway), end at once, whatever the
    /// plugin's threads are doing.
    pub(crate) fn watchdog(self) -> io::Result<()> {
        std::thread::Builder::new()
            .name("tenon-watchdog".to_owned())
            .spawn(move || {
                let mut buffer = [0u8; 64];
                loop {
                    match (&self.from_host).read(&mut buffer) {
                        // SAFETY: ends this process; nothing runs after.
                        Ok(0) | Err(_) => unsafe {
                            TerminateProcess(GetCurrentProcess(), 0);
                        },
                        Ok(_) => {}
                    }
                }
            })
            .map(drop)
    }
}

/// Nothing to do in the child: the job caps its memory.
pub(crate) fn limit_memory(_bytes: u64) {}

/// Whether the host limits the child's memory itself when it starts it:
/// yes, as the job's per-process memory limit.
pub(crate) const HOST_LIMITS_MEMORY: bool = true;

/// A second view of `shm` in this process, with duplicates of its events,
/// as the child maps it (for the channel's tests).
#[cfg(test)]
pub(crate) fn second_view(shm: &Shm) -> io::Result<Shm> {
    let section = shm.mapping().section.try_clone()?;
    let mapping = Mapping::map(section, shm.mapping().len())?;
    let wakes = shm
        .wakes()
        .iter()
        .map(|w| {
            Ok(SlotWake {
                host: w.host.try_clone()?,
                child: w.child.try_clone()?,
            })
        })
        .collect::<io::Result<Vec<_>>>()?;
    Shm::open(mapping, wakes)
}
