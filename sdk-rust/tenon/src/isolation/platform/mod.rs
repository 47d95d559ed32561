//! What isolation needs from the operating system, one module per
//! platform behind the same names: the shared memory mapping, sleeping on
//! and waking a slot's state word, starting and ending the child, and the
//! private channel that carries the setup and the handshake. Everything
//! else (the slots' layout and protocol, the frames, the spin-then-sleep
//! policy, the restart policy) is shared and lives beside this module.
//!
//! A new platform adds a module with the same items here.

// What the two Unix backends share.
#[cfg(any(target_os = "linux", target_os = "macos"))]
mod unix;
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub(crate) use unix::*;

#[cfg(all(target_os = "linux", not(feature = "__macos-transport")))]
mod linux;
#[cfg(all(target_os = "linux", not(feature = "__macos-transport")))]
pub(crate) use linux::*;

// Also on Linux with the internal `__macos-transport` feature, for the
// tests (see the module's own comment).
#[cfg(any(
    target_os = "macos",
    all(target_os = "linux", feature = "__macos-transport")
))]
mod macos;
#[cfg(any(
    target_os = "macos",
    all(target_os = "linux", feature = "__macos-transport")
))]
pub(crate) use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::*;

/// How the child's process ended, as the platform reports it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ended {
    /// The signal that ended it (Unix).
    pub signal: Option<i32>,
    /// Its exit status (on Windows, the exception code of a crash).
    pub exit_code: Option<i32>,
    /// What the status means, when the platform says more than a number
    /// (a Windows exception's name).
    pub note: Option<&'static str>,
}

/// Why the handshake was not read.
pub(crate) enum HandshakeError {
    /// Nothing came before the start timeout.
    TimedOut,
    /// The child closed its end (it died while loading), or the message
    /// was malformed.
    Closed,
    /// The message announced more than [`MAX_HANDSHAKE`] bytes, which no
    /// plugin's metadata takes: the child broke the protocol.
    TooLong,
}

/// The longest handshake a host reads. A plugin at every limit `verify`
/// enforces (4096 interfaces with ids of 255 bytes, a name and a version
/// of 255, a description of 4096) encodes in about 1.1 MiB, a load error
/// in much less; the rest is room, not a limit a plugin can reach.
pub(crate) const MAX_HANDSHAKE: usize = 4 << 20;
