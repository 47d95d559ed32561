//! The unload check on Linux: `/proc/self/maps`, by device and inode.
//!
//! Why the kernel's list of mappings and not the loader's: an
//! `RTLD_NOLOAD` probe finds a library by the name it was opened with (a
//! `/proc/self/fd/N` name, or a path that now names a rebuilt file, finds
//! nothing while the old copy stays mapped), and `dl_iterate_phdr` lists
//! what glibc still tracks, by name and address, both of which can be
//! reused. The maps list what is mapped, whatever glibc believes, and the
//! device and inode of the file name that very file: a rebuilt file in the
//! same place, or another library loaded at the same address, is not
//! mistaken for it.

use super::inspect::elf_facts;
use super::outcome::{PinReason, StillMapped, UnloadOutcome, Unverified};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The file a library is mapped from, found while it was surely mapped.
#[derive(Debug, Clone)]
pub(crate) struct Mapped {
    /// The library's entry function: inside its mapping.
    anchor: usize,
    device: u64,
    inode: u64,
    /// The file as the maps name it (a path, possibly ending in
    /// ` (deleted)`, or `/memfd:…`).
    file: String,
    /// The mapping holding `anchor`, as `start-end` (hex), for
    /// `/proc/self/map_files`.
    range: String,
}

/// One line of `/proc/self/maps`.
struct Line<'a> {
    start: usize,
    end: usize,
    range: &'a str,
    device: u64,
    inode: u64,
    file: &'a str,
}

fn parse(line: &str) -> Option<Line<'_>> {
    let mut fields = line.splitn(6, ' ');
    let range = fields.next()?;
    let _perms = fields.next()?;
    let _offset = fields.next()?;
    let device = fields.next()?;
    let inode = fields.next()?.parse().ok()?;
    let file = fields.next().unwrap_or("").trim_start();
    let (start, end) = range.split_once('-')?;
    let (major, minor) = device.split_once(':')?;
    let (major, minor) = (
        u64::from_str_radix(major, 16).ok()?,
        u64::from_str_radix(minor, 16).ok()?,
    );
    Some(Line {
        start: usize::from_str_radix(start, 16).ok()?,
        end: usize::from_str_radix(end, 16).ok()?,
        range,
        // As `makedev` and `stat` combine them (glibc's encoding).
        device: (major & 0xfff) << 8
            | (major & !0xfff) << 32
            | (minor & 0xff)
            | (minor & !0xff) << 12,
        inode,
        file,
    })
}

fn read_maps() -> Result<String, Unverified> {
    std::fs::read_to_string("/proc/self/maps").map_err(|e| Unverified::ProbeFailed {
        message: format!("cannot read /proc/self/maps: {e}"),
    })
}

impl Mapped {
    /// The file mapped at `anchor`.
    pub(crate) fn containing(anchor: usize) -> Result<Mapped, Unverified> {
        let maps = read_maps()?;
        let line = maps
            .lines()
            .filter_map(parse)
            .find(|line| line.start <= anchor && anchor < line.end && line.inode != 0)
            .ok_or_else(|| Unverified::ProbeFailed {
                message: format!("no file mapping holds the entry function at {anchor:#x}"),
            })?;
        Ok(Mapped {
            anchor,
            device: line.device,
            inode: line.inode,
            file: line.file.to_owned(),
            range: line.range.to_owned(),
        })
    }

    /// Whether any part of the file is still mapped.
    fn is_mapped(&self) -> Result<bool, Unverified> {
        Ok(read_maps()?
            .lines()
            .filter_map(parse)
            .any(|line| line.device == self.device && line.inode == self.inode))
    }

    /// The outcome after the library was closed.
    pub(crate) fn verdict(&self, path: &Path) -> UnloadOutcome {
        match self.is_mapped() {
            Err(why) => UnloadOutcome::NotVerified(why),
            Ok(false) => UnloadOutcome::Unloaded,
            Ok(true) => UnloadOutcome::StillMapped(StillMapped {
                path: path.to_path_buf(),
                reasons: self.reasons(),
                probe: self.clone(),
                on_main_thread: on_main_thread(),
            }),
        }
    }

    /// Reopens the library without loading anything and closes it again,
    /// then checks.
    pub(crate) fn retry(&self, path: &Path) -> UnloadOutcome {
        match self.is_mapped() {
            Err(why) => return UnloadOutcome::NotVerified(why),
            Ok(false) => return UnloadOutcome::Unloaded,
            Ok(true) => {}
        }
        if let Some(name) = loader_name(self.anchor) {
            // SAFETY: RTLD_NOLOAD maps and initializes nothing: it returns
            // the library already loaded under that name (with one more
            // reference) or fails. Whatever it returns is closed at once,
            // so references stay balanced; that close is the one glibc
            // waits for to unmap a library whose unload it deferred, and
            // runs the library's finalizers then, as any unload does.
            let reopened = unsafe {
                libloading::os::unix::Library::open(
                    Some(&name),
                    libc::RTLD_NOLOAD | libc::RTLD_LAZY,
                )
            };
            drop(reopened);
        }
        self.verdict(path)
    }

    /// The likely reasons the library is still mapped.
    fn reasons(&self) -> Vec<PinReason> {
        let mut reasons = Vec::new();
        let others = super::still_open(self.anchor);
        if others > 0 {
            reasons.push(PinReason::OpenedAgain { plugins: others });
        }
        let facts = match self.read_file().and_then(|bytes| elf_facts(&bytes)) {
            Ok(facts) => facts,
            Err(why) => {
                if reasons.is_empty() {
                    reasons.push(PinReason::Unknown {
                        detail: format!("the mapped file {} could not be read: {why}", self.file),
                    });
                }
                return reasons;
            }
        };
        if facts.nodelete {
            reasons.push(PinReason::NoDelete);
        }
        if !facts.unique.is_empty() {
            reasons.push(PinReason::UniqueSymbols {
                count: facts.unique.len(),
                examples: facts.unique.iter().take(2).cloned().collect(),
            });
        }
        if reasons.is_empty() {
            reasons.push(if facts.thread_atexit {
                PinReason::ThreadLocalDestructors
            } else {
                PinReason::Unknown {
                    detail: "the library is not marked NODELETE, defines no unique symbol and \
                             registers no thread-local destructor; something else in this \
                             process opened it"
                        .to_owned(),
                }
            });
        }
        reasons
    }

    /// The bytes of the mapped file: from its path when that still names
    /// the same file, else through `/proc/self/map_files` (a deleted file,
    /// a memfd copy; this needs privileges on many systems).
    fn read_file(&self) -> Result<Vec<u8>, String> {
        let named = Path::new(self.file.strip_suffix(" (deleted)").unwrap_or(&self.file));
        if let Ok(file) = std::fs::File::open(named) {
            if let Ok(meta) = file.metadata() {
                if meta.dev() == self.device && meta.ino() == self.inode {
                    return read_all(file);
                }
            }
        }
        let by_range = PathBuf::from(format!("/proc/self/map_files/{}", self.range));
        std::fs::File::open(&by_range)
            .map_err(|e| {
                format!(
                    "{} is gone and {}: {e}",
                    named.display(),
                    by_range.display()
                )
            })
            .and_then(read_all)
    }
}

fn read_all(mut file: std::fs::File) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// The name the dynamic loader knows the library at `anchor` by.
fn loader_name(anchor: usize) -> Option<PathBuf> {
    let mut info = core::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: dladdr only reads the loader's tables and fills `info`; any
    // address may be asked about.
    let found = unsafe { libc::dladdr(anchor as *const libc::c_void, info.as_mut_ptr()) };
    if found == 0 {
        return None;
    }
    // SAFETY: dladdr succeeded, so it filled `info`.
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is the loader's NUL-terminated name of the object,
    // valid while it stays loaded; it is copied at once.
    let name = unsafe { core::ffi::CStr::from_ptr(info.dli_fname) };
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
}

/// Whether the calling thread is the process's main thread: on Linux, the
/// one whose thread id is the process id.
fn on_main_thread() -> bool {
    // SAFETY: gettid has no preconditions and cannot fail.
    let thread = unsafe { libc::gettid() };
    u32::try_from(thread).is_ok_and(|thread| thread == std::process::id())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_maps_line_gives_range_device_inode_and_file() {
        let line = parse(
            "7f1c2a000000-7f1c2a001000 r-xp 00001000 fd:01 1234567                    /tmp/lib x.so",
        )
        .unwrap();
        assert_eq!((line.start, line.end), (0x7f1c_2a00_0000, 0x7f1c_2a00_1000));
        assert_eq!(line.device, (0xfd << 8) | 1);
        assert_eq!(line.inode, 1_234_567);
        assert_eq!(line.file, "/tmp/lib x.so");
        let anonymous = parse("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ").unwrap();
        assert_eq!((anonymous.inode, anonymous.file), (0, ""));
    }
}
