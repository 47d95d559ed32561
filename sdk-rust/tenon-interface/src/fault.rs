//! Why a call to a plugin in another process did not complete: the typed
//! detail behind the host-reported statuses `TENON_CRASHED`,
//! `TENON_TIMED_OUT` and `TENON_INSTANCE_LOST`.

use crate::buffer::append_message;
use crate::{CallError, Status};
use std::cell::Cell;
use std::fmt;
use std::time::Duration;
use tenon_sys::{tenon_buffer, tenon_status};

/// What happened to the plugin's process (or the instance in it) during a
/// call. Reported by the isolation runtime; read with
/// [`CallError::fault`](crate::CallError::fault).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The process died during the call (status [`Status::CRASHED`]).
    Crashed {
        /// The signal that killed it, if a signal did.
        signal: Option<i32>,
        /// Its exit code, if it exited.
        exit_code: Option<i32>,
        /// The last lines (at most six) the process wrote on its standard
        /// error before it died, oldest first, joined with `" | "`; empty if
        /// it wrote nothing. (No crash record is written from a signal
        /// handler: a plugin that dies silently leaves nothing here.)
        last_words: String,
        /// The memory limit, in bytes, the process ran under, if it had one
        /// (the host's `Isolation::memory_limit`): a process that runs out
        /// of it dies as any crash does (its allocator aborts, `SIGABRT`,
        /// or the kernel kills it, `SIGKILL`), so this is what tells such
        /// a death from a plain one. `None` when the process had no limit.
        memory_limit: Option<u64>,
    },
    /// The call outlived its deadline and the process was killed (status
    /// [`Status::TIMED_OUT`]).
    TimedOut {
        /// The deadline the call had.
        deadline: Duration,
    },
    /// The instance lived in a process that has died (status
    /// [`Status::INSTANCE_LOST`]): no later process has it, even one a
    /// restart policy started. Tenon's host says in the call's message
    /// what to do, which depends on the policy: without one the plugin
    /// stays dead (load it again, or set a policy); with one, create a new
    /// instance.
    InstanceLost,
}

impl Fault {
    /// The status a call that met this fault returns.
    pub fn status(&self) -> Status {
        match self {
            Fault::Crashed { .. } => Status::CRASHED,
            Fault::TimedOut { .. } => Status::TIMED_OUT,
            Fault::InstanceLost => Status::INSTANCE_LOST,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Crashed {
                signal,
                exit_code,
                last_words,
                memory_limit,
            } => {
                f.write_str("the plugin's process died during the call")?;
                match (signal, exit_code) {
                    (Some(signal), _) => write!(f, " (killed by signal {signal})")?,
                    (None, Some(code)) => write!(f, " (exited with code {code})")?,
                    (None, None) => {}
                }
                // Before the last words, which may be long: a capped error
                // buffer keeps the start of the description.
                if let Some(limit) = memory_limit {
                    write!(
                        f,
                        " while running under a memory limit of {limit} bytes, which it may have run out of"
                    )?;
                }
                if !last_words.is_empty() {
                    write!(f, ": {last_words}")?;
                }
                Ok(())
            }
            Fault::TimedOut { deadline } => write!(
                f,
                "the call outlived its deadline of {deadline:?}; the plugin's process was killed"
            ),
            Fault::InstanceLost => {
                f.write_str("the instance lived in a plugin process that has died")
            }
        }
    }
}

thread_local! {
    /// The detail of the failure the proxy call that is returning on this
    /// thread reports, for the client's status check that follows it.
    static PENDING: Cell<Option<CallError>> = const { Cell::new(None) };
}

/// Hands `fault` to the caller of the proxy call in progress on this
/// thread: what a [`Remote`](crate::Remote) implementation does just before
/// returning `fault.status()` from [`Remote::call`](crate::Remote::call).
/// The client's check that receives that status (on this same thread,
/// right after) turns it into a [`CallError`] whose
/// [`fault`](crate::CallError::fault) is this one. The `Remote` should also
/// append a message to the call's error buffer, for callers in C
/// ([`report_fault`] does both); if it appends none, the fault's own
/// description is the message.
pub fn set_fault(fault: Fault) {
    let message = fault.to_string();
    set_pending(CallError::with_fault(fault, message));
}

/// Reports `fault` as the result of the proxy call returning on this
/// thread, to both kinds of caller: its description is appended to `error`
/// (the message a C host reads from the call's error buffer; cut to the
/// start that fits, at a character boundary, if the buffer cannot grow to
/// hold it all, as a plugin's error messages are) and its typed
/// detail is recorded as [`set_fault`] does (what a Rust client's check
/// turns into [`CallError::fault`](crate::CallError::fault)). Returns the
/// status the call returns, [`Fault::status`].
///
/// # Safety
///
/// `error` is NULL or a live `tenon_buffer` lent for this call, grown only
/// through its `reserve`.
pub unsafe fn report_fault(error: *mut tenon_buffer, fault: Fault) -> tenon_status {
    let message = fault.to_string();
    if !error.is_null() {
        // SAFETY: `error` is a live buffer lent for this call (caller). A
        // capped buffer gets the start of the description (a crash's last
        // words can be long); the typed detail below carries all of it.
        unsafe { append_message(error, &message) };
    }
    let status = fault.status();
    set_pending(CallError::with_fault(fault, message));
    status.0
}

/// Reports, from a proxy's call, that the plugin on the far side returned
/// `TENON_OK` with an output buffer whose bookkeeping it corrupted: the
/// message a [`HostBuffer`](crate::HostBuffer) gives for it in process
/// goes into `error`, and the client's status check on this thread reports
/// kind `invalid_output`, as it does for a plugin in the host's process.
///
/// # Safety
///
/// `error` must be NULL or a live buffer lent for the current call.
pub unsafe fn report_invalid_output(error: *mut tenon_buffer) -> tenon_status {
    let failure = crate::buffer::corrupted();
    if !error.is_null() {
        // SAFETY: `error` is a live buffer lent for this call (caller).
        unsafe { append_message(error, failure.message()) };
    }
    let status = failure.status().0;
    set_pending(failure);
    status
}

/// Records the detail of the failure a proxy call is about to return.
pub(crate) fn set_pending(error: CallError) {
    PENDING.with(|pending| pending.set(Some(error)));
}

/// Forgets any detail left by a proxy call whose caller never checked it
/// (a C caller): done at the start of every proxy call.
#[inline]
pub(crate) fn clear_pending() {
    PENDING.with(|pending| drop(pending.take()));
}

/// The detail recorded for a failure with `status`, if any.
pub(crate) fn take_pending(status: Status) -> Option<CallError> {
    PENDING
        .with(Cell::take)
        .filter(|pending| pending.status() == status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::capped;

    #[test]
    fn a_fault_longer_than_a_capped_error_buffer_keeps_the_start_that_fits() {
        let fault = Fault::Crashed {
            signal: Some(11),
            exit_code: None,
            last_words: "ë".repeat(100),
            memory_limit: None,
        };
        let description = fault.to_string();
        // Room for the fixed start and half of one 'ë': the cut falls
        // before that character.
        let prefix = "the plugin's process died during the call (killed by signal 11): ";
        let mut storage = vec![0u8; prefix.len() + 1];
        let mut raw = capped(&mut storage);
        // SAFETY: `raw` lends `storage`, which outlives the call.
        let status = unsafe { report_fault(&mut raw, fault) };
        assert_eq!(Status(status), Status::CRASHED);
        assert_eq!(raw.len, prefix.len());
        assert_eq!(&storage[..prefix.len()], prefix.as_bytes());
        let pending = take_pending(Status::CRASHED).expect("the typed detail is recorded");
        assert_eq!(pending.message(), description, "the detail keeps it all");
    }

    #[test]
    fn a_crash_under_a_memory_limit_names_the_limit_before_the_last_words() {
        let crash = |memory_limit| Fault::Crashed {
            signal: Some(6),
            exit_code: None,
            last_words: "out of memory".to_owned(),
            memory_limit,
        };
        assert_eq!(
            crash(Some(1 << 20)).to_string(),
            "the plugin's process died during the call (killed by signal 6) while running \
             under a memory limit of 1048576 bytes, which it may have run out of: out of memory"
        );
        assert_eq!(
            crash(None).to_string(),
            "the plugin's process died during the call (killed by signal 6): out of memory"
        );
    }
}
