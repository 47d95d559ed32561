//! The choices made when a reloadable plugin is loaded.

use std::time::Duration;

/// How a reload moves callers from the old build to the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Swap {
    /// For plugins whose instances keep no state worth keeping: new calls
    /// go to the new build at once, calls in flight finish on the old one,
    /// and no call ever waits for the swap.
    Stateless,
    /// For plugins that offer `org.tenon.state` (`include/tenon/state.h`):
    /// new calls wait while the calls in flight on the old build return,
    /// the old instance saves its state and the new one restores it, then
    /// calls resume on the new build. A failed save or restore keeps the old
    /// build serving. The pause is the longest call in flight plus the
    /// save and restore.
    HandOver,
}

/// Options of a reloadable plugin ([`Loader::reloadable`](crate::Loader::reloadable)).
///
/// ```
/// use std::time::Duration;
/// let options = tenon::ReloadOptions::hand_over().drain_timeout(Duration::from_secs(1));
/// ```
#[derive(Clone, Debug)]
pub struct ReloadOptions {
    pub(crate) swap: Swap,
    pub(crate) drain_timeout: Duration,
    pub(crate) settle: Duration,
}

impl Default for ReloadOptions {
    fn default() -> Self {
        ReloadOptions {
            swap: Swap::Stateless,
            drain_timeout: Duration::from_secs(5),
            settle: Duration::from_secs(2),
        }
    }
}

impl ReloadOptions {
    /// Stateless swaps ([`Swap::Stateless`]), a drain timeout of 5 s and a
    /// settle time of 2 s.
    pub fn stateless() -> Self {
        Self::default()
    }

    /// Swaps that hand the state over ([`Swap::HandOver`]); otherwise as
    /// [`ReloadOptions::stateless`].
    pub fn hand_over() -> Self {
        Self::default().swap(Swap::HandOver)
    }

    /// How reloads move callers to the new build.
    pub fn swap(mut self, swap: Swap) -> Self {
        self.swap = swap;
        self
    }

    /// How long a reload waits for the calls in flight on the old build to
    /// return: with [`Swap::HandOver`], before it gives up
    /// ([`Error::DrainTimedOut`](crate::Error::DrainTimedOut), the old build
    /// keeps serving); with [`Swap::Stateless`], before it returns and
    /// leaves the old build to be released by its last caller.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// How long a reload retries a file that looks like a build still
    /// being written: one refused as `not_a_library` that was modified less
    /// than this long ago, or one that is missing. Such a reload returns
    /// its error only after this time, so a broken build written just
    /// before, or a missing file, is refused after the whole settle time.
    /// Zero refuses them at once. Replacing the file by an atomic rename
    /// never needs it.
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }
}
