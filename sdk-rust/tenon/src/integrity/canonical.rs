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

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The file `given` names and its canonical path, opened with `flags`
/// added to read-only, if `given` (made absolute) is canonical as written;
/// `None` when it may not be, or the kernel cannot tell (`openat2` is
/// Linux 5.6 and later, and some sandboxes refuse it), or the open fails:
/// the caller then opens the file the ordinary way, and reports its errors.
pub(super) fn open(given: &Path, flags: rustix::fs::OFlags) -> Option<(File, PathBuf)> {
    use rustix::fs::{openat2, Mode, OFlags, ResolveFlags, CWD};
    let path = absolute(given.as_os_str().as_bytes())?;
    let fd = openat2(
        CWD,
        path.as_path(),
        OFlags::RDONLY | OFlags::CLOEXEC | flags,
        Mode::empty(),
        ResolveFlags::NO_SYMLINKS,
    )
    .ok()?;
    Some((File::from(fd), path))
}

/// `given` as an absolute path, if it has no empty, `.` or `..` component
/// (nor a trailing slash, which asks for a directory); a relative path is
/// joined to the working directory, which `getcwd` gives canonical. Plain
/// byte comparisons, not `Path::components`: this runs on every first load.
fn absolute(given: &[u8]) -> Option<PathBuf> {
    let (start, relative) = match given.strip_prefix(b"/") {
        Some(rest) => (None, rest),
        None => (Some(std::env::current_dir().ok()?), given),
    };
    if relative
        .split(|&b| b == b'/')
        .any(|part| matches!(part, b"" | b"." | b".."))
    {
        return None;
    }
    Some(match start {
        None => PathBuf::from(OsString::from_vec(given.to_vec())),
        Some(mut directory) => {
            directory.push(std::ffi::OsStr::from_bytes(relative));
            directory
        }
    })
}

#[cfg(test)]
mod tests {
    use super::absolute;
    use std::path::PathBuf;

    #[test]
    fn only_paths_without_dot_components_are_taken_as_written() {
        assert_eq!(absolute(b"/a/b/lib.so"), Some(PathBuf::from("/a/b/lib.so")));
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute(b"b/lib.so"), Some(cwd.join("b/lib.so")));
        for odd in [
            &b"/a/./lib.so"[..],
            b"/a/../lib.so",
            b"/a//lib.so",
            b"/a/lib.so/",
            b"./lib.so",
            b"../lib.so",
            b"/",
            b"",
        ] {
            assert_eq!(absolute(odd), None, "{}", String::from_utf8_lossy(odd));
        }
    }
}
