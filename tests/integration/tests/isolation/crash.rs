//! How a plugin's crash shows on each platform: on Unix the signal that
//! killed its process, on Windows the code its process ended with (the
//! exception's, or what the C runtime's `abort()` exits with).

use tenon::CallError;
use tenon_interface::Fault;

/// How a crash must show.
#[derive(Debug, Clone, Copy)]
pub enum Crash {
    /// Killed by one of these signals.
    #[cfg(unix)]
    Signal(&'static [i32]),
    /// Ended, by no signal, with one of these exit codes: the status the
    /// plugin passed to `exit`, or on Windows an exception's code.
    Exit(&'static [i32]),
}

/// A crash with an access violation.
#[cfg(windows)]
pub const ACCESS_VIOLATION: i32 = 0xC000_0005_u32 as i32;
/// A stack overflow.
#[cfg(windows)]
pub const STACK_OVERFLOW: i32 = 0xC000_00FD_u32 as i32;
/// A fail-fast (`__fastfail`, what Rust's `abort` raises).
#[cfg(windows)]
pub const FAIL_FAST: i32 = 0xC000_0409_u32 as i32;
/// What the C runtime's `abort()` exits with (MinGW's msvcrt).
#[cfg(windows)]
pub const C_ABORT: i32 = 3;

/// How the plugin's null-pointer write (`fault_segfault`,
/// `crash_in_host_callback`) shows.
#[cfg(unix)]
pub const SEGFAULT: Crash = Crash::Signal(&[11]);
#[cfg(windows)]
pub const SEGFAULT: Crash = Crash::Exit(&[ACCESS_VIOLATION]);

/// How the plugin's `abort()` shows.
#[cfg(unix)]
pub const ABORT: Crash = Crash::Signal(&[6]);
#[cfg(windows)]
pub const ABORT: Crash = Crash::Exit(&[C_ABORT, FAIL_FAST]);

/// Checks that `error` is a crash as `expect` says, and returns its last
/// words.
pub fn assert_crashed(what: &str, error: &CallError, expect: Crash) -> String {
    assert_eq!(error.kind_name(), "crashed", "{what}: {error}");
    match (error.fault(), expect) {
        #[cfg(unix)]
        (
            Some(Fault::Crashed {
                signal: Some(signal),
                last_words,
                ..
            }),
            Crash::Signal(signals),
        ) => {
            assert!(
                signals.contains(signal),
                "{what}: killed by signal {signal}, expected one of {signals:?}: {error}"
            );
            last_words.clone()
        }
        (
            Some(Fault::Crashed {
                signal: None,
                exit_code: Some(code),
                last_words,
                ..
            }),
            Crash::Exit(codes),
        ) => {
            assert!(
                codes.contains(code),
                "{what}: exit code {code} ({code:#x}), expected one of {codes:?} \
                 ({codes:x?}): {error}"
            );
            last_words.clone()
        }
        (fault, _) => panic!("{what}: expected {expect:?}, got {fault:?}: {error}"),
    }
}
