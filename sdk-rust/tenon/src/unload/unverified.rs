//! Platforms without an unload check in this release (macOS, the BSDs):
//! the library is closed and the outcome says, truthfully, that nothing was
//! checked.
//!
//! macOS could list dyld's images (`_dyld_image_count`); that cannot be run
//! and tested on the machines this release is built on, and an untested
//! check would be a guess.

use super::outcome::{UnloadOutcome, Unverified};
use std::path::Path;

/// Nothing is known about where a library is mapped here.
#[derive(Debug, Clone)]
pub(crate) struct Mapped {
    _private: (),
}

impl Mapped {
    /// Always "not verified on this platform".
    pub(crate) fn containing(_anchor: usize) -> Result<Mapped, Unverified> {
        Err(unsupported())
    }

    /// Never reached: no [`Mapped`] is ever made here.
    pub(crate) fn verdict(&self, _path: &Path) -> UnloadOutcome {
        UnloadOutcome::NotVerified(unsupported())
    }

    /// Never reached: no [`Mapped`] is ever made here.
    pub(crate) fn retry(&self, _path: &Path) -> UnloadOutcome {
        UnloadOutcome::NotVerified(unsupported())
    }
}

fn unsupported() -> Unverified {
    Unverified::UnsupportedPlatform {
        os: std::env::consts::OS,
    }
}
