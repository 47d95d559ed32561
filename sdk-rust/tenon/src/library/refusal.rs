//! Why a library file is refused, and the wording shared by every format.

use crate::Error;
use std::path::Path;

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a shared library the host could load: text, empty, an object
    /// file, an executable, truncated, corrupt, another file format.
    NotALibrary(String),
    /// A shared library for another processor, word size, byte order or
    /// binary format.
    WrongArchitecture {
        /// What the file is built for.
        found: String,
        /// What this host needs.
        expected: String,
    },
}

impl Refusal {
    pub(crate) fn into_error(self, path: &Path) -> Error {
        match self {
            Refusal::NotALibrary(reason) => Error::NotALibrary {
                path: path.to_path_buf(),
                reason,
            },
            Refusal::WrongArchitecture { found, expected } => Error::WrongArchitecture {
                path: path.to_path_buf(),
                found,
                expected,
            },
        }
    }
}

pub(crate) fn not_a_library(reason: impl Into<String>) -> Refusal {
    Refusal::NotALibrary(reason.into())
}

/// `what` needs the file to reach byte `needed`, and it is shorter.
pub(crate) fn truncated(what: &str, needed: u64, len: u64) -> Refusal {
    not_a_library(format!(
        "truncated: {what} reaches byte {needed} but the file has only {len} bytes \
         (an interrupted copy or download, or a corrupt header?)"
    ))
}

/// Refuses a file of `len` bytes unless `size` bytes at `offset` lie in it.
///
/// Run before `object` reads a structure, so that a short file is named
/// truncated (with the byte it lacks) rather than corrupt.
pub(crate) fn within(what: &str, offset: u64, size: u64, len: u64) -> Result<(), Refusal> {
    let end = offset.saturating_add(size);
    if end > len {
        return Err(truncated(what, end, len));
    }
    Ok(())
}

/// What `object` could not read, in a file whose sizes were already
/// checked: a header field that contradicts another.
pub(crate) fn corrupt(format: &'static str) -> impl Fn(object::Error) -> Refusal {
    move |error| not_a_library(format!("corrupt {format} file: {error}"))
}
