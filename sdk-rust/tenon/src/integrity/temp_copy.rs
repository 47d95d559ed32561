//! The private copy of a plugin on Windows, where there is no `memfd`: a
//! file of a unique name in the temporary directory.
//!
//! It is written through a handle that shares nothing, then reopened
//! read-only with `FILE_FLAG_DELETE_ON_CLOSE` and shared for reading and
//! deleting only (what the loader asks when it maps a DLL): while it is
//! loaded, nobody can write it, and the system deletes it when that handle
//! closes — after the library is freed (the copy is dropped after its
//! library), and also when the process dies, since the system closes a dead
//! process's handles. Only a crash in the moment between the write and the
//! reopen, or a machine that stops, leaves a `tenon-plugin-*.dll` behind in
//! the temporary directory; nothing reads it again, and it can be deleted.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, RawHandle};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const GENERIC_READ: u32 = 0x8000_0000;
const DELETE: u32 = 0x0001_0000;
const FILE_SHARE_READ: u32 = 0x1;
const FILE_SHARE_DELETE: u32 = 0x4;
const FILE_FLAG_DELETE_ON_CLOSE: u32 = 0x0400_0000;

extern "system" {
    fn GetFinalPathNameByHandleW(file: RawHandle, path: *mut u16, length: u32, flags: u32) -> u32;
}

/// A new, empty copy to write, under a name no other copy has had.
pub(super) fn create() -> io::Result<File> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    loop {
        let name = format!(
            "tenon-plugin-{}-{started:x}-{}.dll",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .share_mode(0)
            .open(dir.join(name))
        {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            other => return other,
        }
    }
}

/// Closes the written copy and reopens it read-only, deleted on close.
pub(super) fn seal(written: File) -> io::Result<File> {
    let path = path_of(&written)?;
    drop(written);
    OpenOptions::new()
        .access_mode(GENERIC_READ | DELETE)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_DELETE)
        .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
        .open(&path)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&path);
        })
}

/// Deletes a copy that will not be loaded.
pub(super) fn discard(copy: File) {
    let path = path_of(&copy);
    drop(copy);
    if let Ok(path) = path {
        let _ = std::fs::remove_file(path);
    }
}

/// The full path of an open file (`\\?\C:\…`), which `LoadLibraryW` takes.
pub(super) fn path_of(file: &File) -> io::Result<PathBuf> {
    use std::ffi::OsString;
    use std::os::windows::ffi::OsStringExt;
    let mut buffer = vec![0u16; 512];
    loop {
        let capacity = u32::try_from(buffer.len()).unwrap_or(u32::MAX);
        // SAFETY: the handle is open for the duration of the call (borrowed
        // from `file`), and the buffer holds `capacity` u16s.
        let length = unsafe {
            GetFinalPathNameByHandleW(file.as_raw_handle(), buffer.as_mut_ptr(), capacity, 0)
        } as usize;
        if length == 0 {
            return Err(io::Error::last_os_error());
        }
        if length < buffer.len() {
            return Ok(PathBuf::from(OsString::from_wide(&buffer[..length])));
        }
        // Too small: `length` is the size needed, terminator included.
        buffer.resize(length + 1, 0);
    }
}
