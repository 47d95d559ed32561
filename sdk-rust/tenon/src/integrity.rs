//! Opening a plugin file so that the bytes checked are the bytes mapped.
//!
//! With a required digest, the file is copied into a private, sealed
//! in-memory file (`memfd` on Linux; on Windows a temporary file deleted
//! when closed) and hashed as it is copied; the loader then maps that copy
//! (`/proc/self/fd/N`, or the temporary file's path), and an isolated
//! plugin's process receives the same descriptor. Nobody can swap or rewrite the file between
//! the check and the load. Without a digest the file is opened by path as
//! before (no copy, and two loads of one path share the loaded library).

#[cfg(target_os = "linux")]
mod canonical;
#[cfg(any(windows, test))]
mod plain_path;

use crate::Error;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A plugin file opened for loading.
pub(crate) struct Opened {
    /// The file the loader maps: the sealed copy, or the file itself.
    pub file: File,
    /// Whether `file` is a private copy (load it through its descriptor).
    pub copied: bool,
}

impl Opened {
    /// The path the dynamic loader is given: the descriptor's `/proc` name
    /// for a copy, the canonical path otherwise.
    pub fn loader_path(&self, canonical: &Path) -> PathBuf {
        if self.copied {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                return PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd()));
            }
            #[cfg(windows)]
            if let Ok(path) = temp_copy::path_of(&self.file) {
                return path;
            }
        }
        canonical.to_path_buf()
    }
}

impl Opened {
    /// [`Opened::loader_path`], made unique among the libraries this process
    /// has loaded: the dynamic loader returns an already loaded library
    /// whose name matches, without looking at the file, and a descriptor's
    /// `/proc` name is reused once the descriptor is closed. A copy whose
    /// name still belongs to a library that did not leave the process when
    /// it was closed (one the OS keeps mapped, `docs/unload.md`) moves to
    /// another descriptor number, and the old number is left open for good
    /// so that it cannot come back.
    pub fn unique_loader_path(&mut self, canonical: &Path) -> PathBuf {
        loop {
            let path = self.loader_path(canonical);
            if !self.copied || !name_taken(&path) {
                return path;
            }
            match self.file.try_clone() {
                Ok(moved) => std::mem::forget(std::mem::replace(&mut self.file, moved)),
                // Load under the taken name: the stale library is what the
                // loader gives, as it would without the copy.
                Err(_) => return path,
            }
        }
    }
}

/// Whether a library loaded under the name `path` is still in the process.
#[cfg(target_os = "linux")]
fn name_taken(path: &Path) -> bool {
    // RTLD_NOLOAD (glibc and musl): only look, load nothing. libloading
    // does not name the flag.
    const RTLD_NOLOAD: i32 = 0x4;
    // SAFETY: with RTLD_NOLOAD nothing is loaded and no initializer runs;
    // a library found is only closed again (dropping the handle undoes the
    // reference the probe took).
    unsafe {
        libloading::os::unix::Library::open(
            Some(path),
            RTLD_NOLOAD | libloading::os::unix::RTLD_LAZY,
        )
    }
    .is_ok()
}

#[cfg(not(target_os = "linux"))]
fn name_taken(_path: &Path) -> bool {
    false
}

/// Copies the open plugin file `source` (named `path`) into a private,
/// sealed in-memory file, so that what is loaded can no longer change:
/// rewriting, replacing or deleting the file afterwards touches neither the
/// copy nor the library mapped from it (the reloader's copy-on-load,
/// `docs/reload.md`).
pub(crate) fn copy(mut source: File, path: &Path) -> Result<Opened, Error> {
    let refuse = |reason: String| Error::NotALibrary {
        path: path.to_path_buf(),
        reason,
    };
    let mut copy = private_copy().map_err(|e| refuse(format!("cannot copy it: {e}")))?;
    if let Err(e) = std::io::copy(&mut source, &mut copy) {
        discard(copy);
        return Err(refuse(format!("cannot copy it: {e}")));
    }
    let copy = seal(copy).map_err(|e| refuse(format!("cannot copy it: {e}")))?;
    Ok(Opened {
        file: copy,
        copied: true,
    })
}

/// Opens the plugin file `given` names, refusing anything but a regular
/// file, and returns it with its canonical path (absolute, so the loader
/// consults no search path; symbolic links resolved, so errors and
/// metadata name the file itself). The one error that names `given` as it
/// is, is [`Error::FileNotFound`]: a missing file has no canonical path.
///
/// The file is opened first and everything else asked of the descriptor.
/// On Linux a path that is already canonical is proven so by the open
/// itself (`canonical.rs`); any other path's canonical form is one
/// `readlink` of `/proc/self/fd/N` instead of one per path component. The
/// open does not block on a FIFO (it is then refused as not a regular
/// file).
pub(crate) fn open_regular(given: &Path) -> Result<(File, PathBuf), Error> {
    open_regular_sized(given).map(|(file, path, _)| (file, path))
}

/// [`open_regular`], also giving the file's length when it was opened, so
/// that the checks before loading need not ask for it again.
pub(crate) fn open_regular_sized(given: &Path) -> Result<(File, PathBuf, u64), Error> {
    // Errors name the file as every later load error does, by its
    // canonical path: a symbolic link's error names the file it points to
    // (a directory, a FIFO). Only a missing file, which has none, is named
    // as given.
    let refuse = |path: &Path, reason: String| Error::NotALibrary {
        path: path.to_path_buf(),
        reason,
    };
    #[cfg(target_os = "linux")]
    if let Some((file, canonical)) = canonical::open(given, rustix::fs::OFlags::NONBLOCK) {
        // A plain fstat: `File::metadata` asks for every statx field.
        let stat = rustix::fs::fstat(&file).map_err(|e| refuse(&canonical, e.to_string()))?;
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(refuse(&canonical, "not a regular file".to_owned()));
        }
        return Ok((file, canonical, stat.st_size as u64));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(nonblocking_flag());
    }
    let file = options.open(given).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            return Error::FileNotFound {
                path: given.to_path_buf(),
            };
        }
        // The file exists but cannot be opened (permissions; on Windows a
        // directory, which it does not open as a file: say what it is, as
        // on the other platforms).
        let canonical = canonical_or_given(given);
        match std::fs::metadata(given) {
            Ok(metadata) if !metadata.is_file() => {
                refuse(&canonical, "not a regular file".to_owned())
            }
            _ => refuse(&canonical, e.to_string()),
        }
    })?;
    let canonical = match descriptor_path(&file) {
        Some(path) => path,
        None => shown(canonicalize_existing(given).map_err(|e| refuse(given, e.to_string()))?),
    };
    let metadata = file
        .metadata()
        .map_err(|e| refuse(&canonical, e.to_string()))?;
    if !metadata.is_file() {
        return Err(refuse(&canonical, "not a regular file".to_owned()));
    }
    Ok((file, canonical, metadata.len()))
}

/// The canonical path of `given`, as the host shows it, for an error about
/// a file that exists; `given` itself if it cannot be canonicalized.
pub(crate) fn canonical_or_given(given: &Path) -> PathBuf {
    canonicalize_existing(given).map_or_else(|_| given.to_path_buf(), shown)
}

/// `std::fs::canonicalize` of `given`, a file that exists.
///
/// On Windows, when canonicalization fails the absolute verbatim path
/// (`\\?\C:\…`, from the current directory, `.` and `..` resolved) is
/// used instead: under Wine, `GetFinalPathNameByHandleW` fails with
/// `ERROR_MORE_DATA` (os error 234) for any path longer than `MAX_PATH`,
/// although the file opens and loads by that verbatim path. The fallback
/// resolves no symbolic link or junction, which canonicalization would.
fn canonicalize_existing(given: &Path) -> std::io::Result<PathBuf> {
    let canonical = std::fs::canonicalize(given);
    #[cfg(windows)]
    if canonical.is_err() {
        if let Some(verbatim) = std::path::absolute(given)
            .ok()
            .and_then(|absolute| absolute.to_str().and_then(plain_path::verbatim))
        {
            return Ok(PathBuf::from(verbatim));
        }
    }
    canonical
}

/// The canonical path as the host shows and loads it: on Windows the plain
/// form (`C:\…`, `\\server\share\…`) wherever it names the same file as
/// the verbatim `\\?\` form canonicalization gives (`plain_path`).
fn shown(canonical: PathBuf) -> PathBuf {
    #[cfg(windows)]
    if let Some(plain) = canonical.to_str().and_then(plain_path::plain) {
        return PathBuf::from(plain);
    }
    canonical
}

/// `O_NONBLOCK`, so that opening a FIFO returns at once.
#[cfg(unix)]
fn nonblocking_flag() -> i32 {
    #[cfg(target_os = "linux")]
    {
        rustix::fs::OFlags::NONBLOCK.bits() as i32
    }
    #[cfg(not(target_os = "linux"))]
    {
        // O_NONBLOCK on macOS and the BSDs.
        0x0004
    }
}

/// The canonical path of an open file, from the kernel (Linux), if it can
/// tell.
fn descriptor_path(file: &File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let path = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()?;
        // A file deleted since it was opened reads as "<path> (deleted)".
        (path.is_absolute() && !path.as_os_str().to_string_lossy().ends_with(" (deleted)"))
            .then_some(path)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// Prepares the open plugin file `source` (named `path`) for loading; with
/// `expected`, copies and hashes it and refuses a mismatch with
/// [`Error::ChecksumMismatch`].
pub(crate) fn open(mut source: File, path: &Path, expected: Option<&str>) -> Result<Opened, Error> {
    let refuse = |reason: String| Error::NotALibrary {
        path: path.to_path_buf(),
        reason,
    };
    let Some(expected) = expected else {
        return Ok(Opened {
            file: source,
            copied: false,
        });
    };
    let mismatch = |actual: String| Error::ChecksumMismatch {
        path: path.to_path_buf(),
        expected: expected.to_owned(),
        actual,
    };
    let wanted = expected.trim().to_ascii_lowercase();
    if wanted.len() != 64 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(mismatch(
            "(not compared: the required digest is not 64 hexadecimal digits)".to_owned(),
        ));
    }
    let mut copy = private_copy().map_err(|e| refuse(format!("cannot copy it: {e}")))?;
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 256 * 1024];
    let copied = loop {
        let n = match source.read(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(refuse(format!("cannot read it: {e}"))),
        };
        hasher.update(&chunk[..n]);
        if let Err(e) = copy.write_all(&chunk[..n]) {
            break Err(refuse(format!("cannot copy it: {e}")));
        }
    };
    let actual: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Err(error) = copied.and_then(|()| match actual == wanted {
        true => Ok(()),
        false => Err(mismatch(actual)),
    }) {
        discard(copy);
        return Err(error);
    }
    let copy = seal(copy).map_err(|e| refuse(format!("cannot copy it: {e}")))?;
    Ok(Opened {
        file: copy,
        copied: true,
    })
}

/// A file only this process (and the children it sends it to) can reach.
#[cfg(target_os = "linux")]
fn private_copy() -> std::io::Result<File> {
    use rustix::fs::{memfd_create, MemfdFlags};
    let fd = memfd_create(
        "tenon-plugin",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?;
    Ok(File::from(fd))
}

/// On Windows, a file in the temporary directory, written, then reopened
/// read-only and deleted when closed (`temp_copy.rs`).
#[cfg(windows)]
mod temp_copy;

#[cfg(windows)]
fn private_copy() -> std::io::Result<File> {
    temp_copy::create()
}

#[cfg(not(any(target_os = "linux", windows)))]
fn private_copy() -> std::io::Result<File> {
    // No anonymous file to map elsewhere, and no temporary copy yet (the
    // caller would load it by path).
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "copying a plugin before loading it needs Linux (memfd) or Windows in this release",
    ))
}

/// Forbids any further change to the copy (best effort: the copy is
/// private), and returns the handle to load it through.
#[cfg(target_os = "linux")]
fn seal(file: File) -> std::io::Result<File> {
    use rustix::fs::{fcntl_add_seals, SealFlags};
    let _ = fcntl_add_seals(
        &file,
        SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL,
    );
    Ok(file)
}

#[cfg(windows)]
fn seal(file: File) -> std::io::Result<File> {
    temp_copy::seal(file)
}

#[cfg(not(any(target_os = "linux", windows)))]
fn seal(file: File) -> std::io::Result<File> {
    Ok(file)
}

/// Gets rid of a copy that will not be loaded.
fn discard(copy: File) {
    #[cfg(windows)]
    temp_copy::discard(copy);
    #[cfg(not(windows))]
    drop(copy);
}
