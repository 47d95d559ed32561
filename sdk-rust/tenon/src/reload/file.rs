//! Opening a build for a reload: a private copy, complete.

use crate::integrity::{open_regular, Opened};
use crate::{Error, LibraryFile, Loader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long to wait between two looks at a file that is still being written.
const RETRY: Duration = Duration::from_millis(20);

/// Opens the build at `given` and copies it (with the loader's digest
/// checked, if it requires one), retrying for up to `settle` while the file
/// is missing or incomplete and was modified within `settle`: a compiler or
/// a copy still writing it. Returns the canonical path and the copy, whose
/// headers have been checked.
pub(crate) fn open_complete(
    loader: &Loader,
    given: &Path,
    settle: Duration,
) -> Result<(PathBuf, Opened), Error> {
    let deadline = Instant::now() + settle;
    loop {
        let error = match open_once(loader, given) {
            Ok(opened) => return Ok(opened),
            Err(error) => error,
        };
        let retry = Instant::now() < deadline
            && match &error {
                Error::FileNotFound { .. } => true,
                Error::NotALibrary { .. } => recently_modified(given, settle),
                _ => false,
            };
        if !retry {
            return Err(error);
        }
        tracing::debug!(target: "tenon", path = %given.display(), %error, "the new build looks incomplete; retrying");
        std::thread::sleep(RETRY);
    }
}

fn open_once(loader: &Loader, given: &Path) -> Result<(PathBuf, Opened), Error> {
    let (file, path) = open_regular(given)?;
    let opened = match loader.sha256.as_deref() {
        Some(_) => crate::integrity::open(file, &path, loader.sha256.as_deref())?,
        None => crate::integrity::copy(file, &path)?,
    };
    // The copy's headers: a file cut short is refused here, before the
    // dynamic loader could map missing pages.
    LibraryFile::read_open(&opened.file, &path)?.check_entry()?;
    Ok((path, opened))
}

fn recently_modified(path: &Path, within: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age < within)
}
