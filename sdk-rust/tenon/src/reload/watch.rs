//! Reloading when the plugin's file changes (feature `watch`).

use super::{Reloadable, Reloaded};
use crate::{Error, Interface};
use notify::{EventKind, RecursiveMode, Watcher as _};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Watches a reloadable plugin's file and reloads it when it changes, until
/// dropped ([`Reloadable::watch`]). Dropping it waits for a reload in
/// progress to finish.
pub struct Watcher {
    /// Dropped first: that ends the channel, and with it the thread.
    watcher: Option<notify::RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        drop(self.watcher.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

impl<I: ?Sized + Interface> Reloadable<I> {
    /// Watches the file [`Reloadable::path`] names and reloads that file (as
    /// [`Reloadable::reload_from`] with its path) once it has changed and
    /// then stayed quiet for `debounce`, on a thread of the watcher's; every
    /// outcome goes to `on_reload`, a refused build's error included (the
    /// old build then keeps serving). The file's directory is watched, so
    /// replacing the file by a rename, or deleting and re-creating it, is
    /// seen.
    ///
    /// Later `reload_from` calls with another path do not move the watch: a
    /// change of the watched file still reloads the watched file (and makes
    /// it the path [`Reloadable::reload`] reads again).
    ///
    /// The [`Watcher`] holds a clone of this reloadable: the plugin stays
    /// loaded, and its instance alive, until the watcher is dropped too.
    pub fn watch(
        &self,
        debounce: Duration,
        on_reload: impl Fn(Result<Reloaded, Error>) + Send + 'static,
    ) -> Result<Watcher, Error> {
        let path = self.path();
        let failed = |reason: String| Error::WatchFailed {
            path: path.clone(),
            reason,
        };
        let name: OsString = path
            .file_name()
            .ok_or_else(|| failed("the path names no file".to_owned()))?
            .to_owned();
        let dir: PathBuf = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let (changed, changes) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                let relevant = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_))
                    && event
                        .paths
                        .iter()
                        .any(|p| p.file_name() == Some(name.as_os_str()));
                if relevant {
                    let _ = changed.send(());
                }
            })
            .map_err(|e| failed(e.to_string()))?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|e| failed(e.to_string()))?;
        let reloadable = self.clone();
        let watched = path.clone();
        let thread = std::thread::Builder::new()
            .name("tenon-reload-watch".to_owned())
            .spawn(move || {
                while changes.recv().is_ok() {
                    // Debounce: wait until the events stop for `debounce`.
                    loop {
                        match changes.recv_timeout(debounce) {
                            Ok(()) => continue,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    on_reload(reloadable.reload_from(&watched));
                }
            })
            .map_err(|e| failed(e.to_string()))?;
        Ok(Watcher {
            watcher: Some(watcher),
            thread: Some(thread),
        })
    }
}
