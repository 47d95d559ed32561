//! Opening a plugin file whose path is already canonical, and knowing it,
//! in one system call (Linux).
//!
//! A host names the plugin by the canonical path of its file (absolute, no
//! symbolic link, no `.` or `..`): the loader consults no search path with
//! it, and errors and `PluginInfo::path` name the file itself. Asking the
//! kernel for it (`readlink` of `/proc/self/fd/N`) is the costliest step of
//! a process's first load after `dlopen`: the first look-up of `/proc/self`
//! in a process builds its entries. Most hosts pass a path that is already
//! canonical, though, and `openat2` with `RESOLVE_NO_SYMLINKS` proves it
//! while opening the file: it fails rather than follow a symbolic link in
//! any component. A path it opens, written with no `.` or `..` component
//! from a canonical start (`/`, or the working directory as `getcwd`
//! gives it), is canonical as written.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

/// The file `given` names and its canonical path, opened with `flags`
/// added to read-only, if `given` (made absolute) is canonical as written;
/// `None` when it may not be, or the kernel cannot tell (`openat2` is
/// Linux 5.6 and later, and some sandboxes refuse it), or the open fails:
/// the caller then opens the file the ordinary way, and reports its errors.
pub(super) fn open(given: &Path, flags: rustix::fs::OFlags) -> Option<(File, PathBuf)> {
    use rustix::fs::{openat2, Mode, OFlags, ResolveFlags, CWD};
    // A trailing slash asks for a directory: leave that to the ordinary open.
    if given.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return None;
    }
    let mut path = if given.is_absolute() {
        PathBuf::from("/")
    } else {
        std::env::current_dir().ok()?
    };
    for component in given.components() {
        match component {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(name) => path.push(name),
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    let fd = openat2(
        CWD,
        &path,
        OFlags::RDONLY | OFlags::CLOEXEC | flags,
        Mode::empty(),
        ResolveFlags::NO_SYMLINKS,
    )
    .ok()?;
    Some((File::from(fd), path))
}
