//! Proving that the entry symbol is a function of the library itself,
//! from the image the dynamic loader mapped.
//!
//! `dlsym` finds a data object named `tenon_plugin_v1` as readily as a
//! function, and calling it would jump into bytes that are not code. The
//! file's export table says which it is, but parsing it before `dlopen` is
//! the largest step of a first load after `dlopen` itself. The loader maps
//! the same dynamic symbol table, though, and glibc's `dladdr1` reads it:
//! given the entry's address, it names the object that contains it and the
//! exported symbol at that address, with its `st_info`. When that object
//! is the library just opened and the symbol is the entry, at exactly the
//! address `dlsym` gave, its type decides without reading the file again:
//! `STT_FUNC` is a function, `STT_OBJECT` and `STT_COMMON` are data and
//! refused (even in a file stripped of the section headers the export
//! table is read from, which the file check could not refuse).
//!
//! Anything else (another object's symbol found through a dependency, an
//! `STT_NOTYPE` or `STT_GNU_IFUNC` entry, an alias found first, a C library
//! without `dladdr1`) is not refused for that: the file's export table is
//! then read as before the loader, and decides with the same rule and the
//! same words.

use super::{LibraryFile, SymbolKind};
use crate::{AbiVersion, Error};
use core::ffi::c_void;
use std::fs::File;
use std::path::Path;

/// What is left to check of the entry once the loader has mapped the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryCheck {
    /// The file's export table was read before the loader, and the entry
    /// checked against it.
    Done,
    /// The entry's kind is read from the loaded image
    /// ([`EntryCheck::after_loading`]) before the entry is called.
    InImage,
}

impl EntryCheck {
    /// Whether this build can read the entry's kind from the loaded image.
    pub(crate) const IN_IMAGE: bool = cfg!(all(target_os = "linux", target_env = "gnu"));

    /// Refuses an entry that the loaded image (or, failing a proof from
    /// it, the file `file`, named `path`) says is data, before it is
    /// called. `entry` is the address `dlsym` found in `library`, which is
    /// handed back.
    pub(crate) fn after_loading(
        self,
        library: libloading::Library,
        entry: *const c_void,
        file: &File,
        path: &Path,
    ) -> Result<libloading::Library, Error> {
        if self == EntryCheck::Done {
            return Ok(library);
        }
        let (library, kind) = kind_in_image(library, entry);
        match kind {
            SymbolKind::Function => {}
            SymbolKind::Data => {
                return Err(Error::EntryNotAFunction {
                    path: path.to_path_buf(),
                    symbol: entry_name(),
                })
            }
            SymbolKind::Unknown => LibraryFile::read_open(file, path)?.check_entry()?,
        }
        Ok(library)
    }
}

/// `tenon_plugin_v1` for ABI 1.
fn entry_name() -> String {
    format!("tenon_plugin_v{}", AbiVersion::HOST.major)
}

/// What the loaded image says `entry` is, when it is the symbol
/// `tenon_plugin_v<major>` of `library` itself; `Unknown` when the image
/// does not tell.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn kind_in_image(
    library: libloading::Library,
    entry: *const c_void,
) -> (libloading::Library, SymbolKind) {
    use core::ffi::CStr;
    use core::ptr::null_mut;
    use object::elf;

    // glibc's <dlfcn.h>: what dladdr1 returns through its extra pointer.
    const RTLD_DL_SYMENT: i32 = 1;
    const RTLD_DL_LINKMAP: i32 = 2;
    #[cfg(target_pointer_width = "64")]
    type Sym = elf::Sym64<object::NativeEndian>;
    #[cfg(target_pointer_width = "32")]
    type Sym = elf::Sym32<object::NativeEndian>;

    let unix = libloading::os::unix::Library::from(library);
    let handle = unix.into_raw();
    // SAFETY: `handle` was returned by `dlopen` a moment ago and taken out
    // of its owner just above; it is given back unchanged, once.
    let library =
        libloading::Library::from(unsafe { libloading::os::unix::Library::from_raw(handle) });
    let kind = (|| {
        let unknown = SymbolKind::Unknown;
        let mut ours: *mut c_void = null_mut();
        // SAFETY: `handle` is open; RTLD_DI_LINKMAP stores one pointer (the
        // object's `struct link_map`) through the last argument.
        let found = unsafe {
            libc::dlinfo(
                handle,
                libc::RTLD_DI_LINKMAP,
                (&mut ours as *mut *mut c_void).cast(),
            )
        };
        if found != 0 || ours.is_null() {
            return unknown;
        }
        // SAFETY: an all-zero `Dl_info` (null pointers) is valid.
        let mut info: libc::Dl_info = unsafe { core::mem::zeroed() };
        let mut containing: *mut c_void = null_mut();
        // SAFETY: dladdr1 only looks the address up among the loaded
        // objects; RTLD_DL_LINKMAP stores one pointer through `containing`.
        let found = unsafe { libc::dladdr1(entry, &mut info, &mut containing, RTLD_DL_LINKMAP) };
        if found == 0 || containing != ours {
            return unknown;
        }
        let mut symbol: *mut c_void = null_mut();
        // SAFETY: as above; RTLD_DL_SYMENT stores a pointer to the symbol's
        // `ElfW(Sym)` in the object's mapped dynamic symbol table, or NULL.
        let found = unsafe { libc::dladdr1(entry, &mut info, &mut symbol, RTLD_DL_SYMENT) };
        if found == 0 || symbol.is_null() || info.dli_sname.is_null() {
            return unknown;
        }
        if info.dli_saddr.cast_const() != entry {
            return unknown;
        }
        // SAFETY: `dli_sname` points into the object's mapped string table,
        // NUL-terminated (glibc checked its offset against DT_STRSZ), and
        // the object stays loaded while `library` lives.
        let name = unsafe { CStr::from_ptr(info.dli_sname) };
        if name.to_bytes_with_nul() != super::ENTRY_SYMBOL {
            return unknown;
        }
        // SAFETY: `symbol` points to an `ElfW(Sym)` of the loaded object,
        // whose every field is plain bytes (`Sym` has alignment 1).
        let st_info = unsafe { (*symbol.cast::<Sym>()).st_info };
        match st_info & 0xf {
            elf::STT_FUNC => SymbolKind::Function,
            // STT_TLS is not here: dladdr1 never returns one (a
            // thread-local's address is not in the object's image, so
            // such an entry falls to the file's export table).
            elf::STT_OBJECT | elf::STT_COMMON => SymbolKind::Data,
            _ => unknown,
        }
    })();
    (library, kind)
}

/// Without `dladdr1` the image tells nothing.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn kind_in_image(
    library: libloading::Library,
    _entry: *const c_void,
) -> (libloading::Library, SymbolKind) {
    (library, SymbolKind::Unknown)
}
