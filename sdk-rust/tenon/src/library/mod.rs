//! Reading a library file before the dynamic loader sees it.
//!
//! `dlopen` and `LoadLibrary` say little when a file is not for them
//! ("invalid ELF header", "wrong ELF class") and, worse, map a truncated
//! library whose segments run past the end of the file, so that the first
//! access to the missing pages kills the process with `SIGBUS`. This module
//! reads the headers of the format the host's platform loads (ELF, Mach-O
//! or PE) with the `object` crate and refuses, with a precise reason, a
//! file that is empty, text, another format, for another processor, not a
//! shared library, truncated or corrupt. From the same reading it lists
//! what the library exports and of what kind each export is, so that a
//! data symbol exported under the entry's name is refused before it is
//! called. It reads bytes only; nothing of the file is mapped or run.
//!
//! A load on Linux with glibc reads less before the loader
//! ([`check_before_loading`]): the ELF header and program headers, which
//! decide every refusal that protects the process from the loader, and,
//! once the library is mapped, the entry's kind from the image
//! (`entry.rs`); the export table is read only when the image cannot tell.
//!
//! The sizes and offsets that decide whether a file is truncated are
//! checked here before `object` reads the structures they describe, so
//! that a short file is named truncated, with the byte it lacks, and not
//! merely corrupt.
//!
//! These checks refuse some damaged files but cannot make `dlopen` of a
//! damaged file safe: the loader reads much more of the file than this
//! module does (relocations, dynamic section, symbol versions), and corrupt
//! values there can crash it. Only a child process contains that.
//!
//! On a platform whose format this module does not know, it checks nothing,
//! lists no exports and leaves the decision to the loader.

#[cfg(windows)]
pub(crate) mod beside;
mod elf;
mod entry;
mod host;
mod identify;
mod macho;
#[cfg(target_os = "linux")]
pub(crate) mod origin;
mod pe;
mod refusal;
#[cfg(test)]
mod tests;

pub(crate) use entry::EntryCheck;

use crate::{AbiVersion, Error};
use host::{Format, Host};
use identify::{identify, Identified};
use object::read::ReadCache;
use object::ReadRef;
use refusal::{not_a_library, Refusal};
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A shared library file, read and checked without loading it.
///
/// [`LibraryFile::read`] runs the file checks of
/// [`Plugin::load`](crate::Plugin::load): the file is a shared library in
/// the format of this platform, for this processor, complete, and lists
/// what it exports. (On Linux with glibc a load reads only the headers the
/// loader maps before `dlopen`, and the entry's kind from the loaded image
/// after it; `docs/ABI.md` says which reads happen where.) No code of
/// the library runs, and reading a damaged file is safe. Passing these
/// checks does not make loading safe, though: the loader can still crash
/// on corrupt headers these checks do not look at (see
/// [`Plugin::load`](crate::Plugin::load)). Tools use it to look at a
/// library without trusting it, for instance to list what it exports:
///
/// ```no_run
/// let file = tenon::LibraryFile::read("target/plugins/libgreeter.so")?;
/// for symbol in file.exports() {
///     println!("{} ({:?})", symbol.name(), symbol.kind());
/// }
/// # Ok::<(), tenon::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LibraryFile {
    path: PathBuf,
    exports: Vec<ExportedSymbol>,
}

/// A symbol a library exports: one that `dlsym` (or `GetProcAddress`) can
/// find by name.
///
/// Read from the ELF dynamic symbol table, the Mach-O symbol table
/// (external, defined symbols, without the leading underscore Mach-O adds
/// to C names) or the PE export directory (named exports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedSymbol {
    name: String,
    kind: SymbolKind,
}

impl ExportedSymbol {
    fn new(name: &[u8], kind: SymbolKind) -> ExportedSymbol {
        ExportedSymbol {
            name: String::from_utf8_lossy(name).into_owned(),
            kind,
        }
    }

    /// The symbol's name as C spells it (`tenon_plugin_v1`); bytes that
    /// are not UTF-8 are replaced with U+FFFD.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the file says the symbol is.
    pub fn kind(&self) -> SymbolKind {
        self.kind
    }
}

/// What a library file says an exported symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymbolKind {
    /// Code: ELF `STT_FUNC` or `STT_GNU_IFUNC`; a Mach-O symbol in a
    /// section of instructions; a PE export in an executable section.
    Function,
    /// Data: ELF `STT_OBJECT`, `STT_COMMON` or `STT_TLS`; a Mach-O symbol
    /// in a section without instructions; a PE export in a section that is
    /// not executable.
    Data,
    /// The file does not say: ELF `STT_NOTYPE` (symbols defined in
    /// assembly often are), a PE export forwarded to another DLL.
    Unknown,
}

impl LibraryFile {
    /// Reads the library at `path` and checks its headers, as
    /// [`Plugin::load`](crate::Plugin::load) does before loading it.
    ///
    /// Fails with [`Error::FileNotFound`], [`Error::NotALibrary`] (empty,
    /// text, a directory, an object file or executable, truncated, corrupt
    /// headers) or [`Error::WrongArchitecture`]. As for
    /// [`Plugin::load`](crate::Plugin::load), an error names a file that
    /// exists by its canonical path, and only [`Error::FileNotFound`] names
    /// `path` as given ([`Error`] states the rule).
    pub fn read(path: impl AsRef<Path>) -> Result<LibraryFile, Error> {
        let given = path.as_ref();
        // Opened as a load opens it, so that the errors, and what is
        // refused before any byte is read (a directory, a FIFO, a file this
        // user cannot open), are a load's.
        let (file, canonical, _) = crate::integrity::open_regular_sized(given)?;
        let mut read = Self::read_open(&file, &canonical)?;
        read.path = given.to_path_buf();
        Ok(read)
    }

    /// [`LibraryFile::read`] of a file already open (a copy in memory, a
    /// descriptor another process sent), named `path` in errors. Reads from
    /// the start of the file whatever its current offset.
    pub(crate) fn read_open(file: &File, path: &Path) -> Result<LibraryFile, Error> {
        let refuse = |reason: String| Error::NotALibrary {
            path: path.to_path_buf(),
            reason,
        };
        let len = file
            .metadata()
            .map_err(|e| refuse(format!("cannot read it: {e}")))?
            .len();
        let exports = if len <= WHOLE_FILE_LIMIT {
            // A plugin of ordinary size is read in one system call: loading
            // is dominated by system calls, and reading a few hundred
            // kilobytes costs less than a dozen small reads.
            let bytes =
                read_whole(file, len).map_err(|e| refuse(format!("cannot read it: {e}")))?;
            check(&bytes[..], &Host::CURRENT)
        } else {
            // A large library: only the parts that are looked at.
            let mut file = file;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| refuse(format!("cannot read it: {e}")))?;
            check(&ReadCache::new(file), &Host::CURRENT)
        }
        .map_err(|r| r.into_error(path))?;
        Ok(LibraryFile {
            path: path.to_path_buf(),
            exports,
        })
    }

    /// The path the file was read from, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every symbol the library exports, in the order of its symbol table.
    ///
    /// A Tenon plugin exports its entry (`tenon_plugin_v1`) and, ideally,
    /// nothing else. The symbols linkers add to every library (ELF `_init`,
    /// `_fini`, `_edata`, `_end`, `__bss_start` from older GNU linkers;
    /// Mach-O `__mh_dylib_header`, `__mh_bundle_header`, `___dso_handle`)
    /// are left out. The list is empty on a platform whose format this crate does
    /// not read, and for an ELF file stripped of its section headers (which
    /// the loader does not need).
    pub fn exports(&self) -> &[ExportedSymbol] {
        &self.exports
    }

    /// The export named `name`, if the library has one.
    pub fn export(&self, name: &str) -> Option<&ExportedSymbol> {
        self.exports.iter().find(|s| s.name == name)
    }

    /// Refuses a library whose entry symbol the file says is data: calling
    /// it would jump into bytes that are not code. A symbol of unknown
    /// kind, or one the file does not list, is left to the loader.
    pub(crate) fn check_entry(&self) -> Result<(), Error> {
        let name = format!("tenon_plugin_v{}", AbiVersion::HOST.major);
        match self.export(&name) {
            Some(symbol) if symbol.kind == SymbolKind::Data => Err(Error::EntryNotAFunction {
                path: self.path.clone(),
                symbol: name,
            }),
            _ => Ok(()),
        }
    }
}

/// The checks [`Plugin::load`](crate::Plugin::load) makes before it asks
/// the dynamic loader to map the open file `file`, named `path` in errors
/// and `len` bytes long if the caller knows, and what is left to check once
/// it has.
///
/// Every refusal that protects the process from the loader is made here:
/// an empty, text, foreign, truncated file or one whose segments run past
/// its end never reaches the loader. Where the entry's kind can be read
/// from the loaded image ([`EntryCheck::InImage`], Linux with glibc), an
/// ELF file is read no further than its ELF header and program headers
/// (one read of its first kilobyte) and the export table is left for after
/// the loader: its symbol table is what the loader maps, and reading it
/// from memory is cheaper than parsing the file first. Everywhere else,
/// and for a file whose program headers lie further than 64 KiB into it,
/// the whole [`LibraryFile::read`] runs here, entry check included.
pub(crate) fn check_before_loading(
    file: &File,
    path: &Path,
    len: Option<u64>,
) -> Result<EntryCheck, Error> {
    if EntryCheck::IN_IMAGE {
        let refuse = |reason: String| Error::NotALibrary {
            path: path.to_path_buf(),
            reason,
        };
        let len = match len {
            Some(len) => len,
            None => file
                .metadata()
                .map_err(|e| refuse(format!("cannot read it: {e}")))?
                .len(),
        };
        // On the stack, and small: a first load in a process pays for every
        // fresh page it touches.
        let mut first = [0u8; FIRST_READ];
        let wanted = len.min(FIRST_READ as u64) as usize;
        let filled = read_prefix(file, &mut first[..wanted])
            .map_err(|e| refuse(format!("cannot read it: {e}")))?;
        // Only a file as long as it said it was, and an ELF file on an ELF
        // host, is decided from its headers; anything else is refused or
        // accepted by the whole reading, in the same words as ever.
        let elf_host = Host::CURRENT.format == Some(Format::Elf);
        if filled == wanted
            && elf_host
            && elf::plainly_loadable(&first[..filled], len, &Host::CURRENT)
        {
            return Ok(EntryCheck::InImage);
        }
        if filled == wanted
            && filled > 0
            && elf_host
            && identify(&first[..filled.min(64)]) == Identified::Elf
        {
            let decided = match elf::check_headers(&first[..filled], len, &Host::CURRENT) {
                Ok(elf::Headers::NeedMore(end)) if end <= WHOLE_FILE_LIMIT => {
                    // Program headers past the first bytes: read up to their end.
                    let mut more = vec![0u8; end as usize];
                    let filled = read_prefix(file, &mut more)
                        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
                    if filled == more.len() {
                        elf::check_headers(&more, len, &Host::CURRENT)
                    } else {
                        Ok(elf::Headers::NeedMore(end))
                    }
                }
                decided => decided,
            };
            match decided {
                Ok(elf::Headers::Passed) => return Ok(EntryCheck::InImage),
                Ok(elf::Headers::NeedMore(_)) => {}
                Err(refusal) => return Err(refusal.into_error(path)),
            }
        }
    }
    LibraryFile::read_open(file, path)?.check_entry()?;
    Ok(EntryCheck::Done)
}

/// How much of a file [`check_before_loading`] reads first: the ELF header
/// and up to 17 program headers (a C library has 9 to 11, a Rust one 11).
const FIRST_READ: usize = 1024;

/// Fills `buffer` from the start of `file`; fewer bytes at the end of the
/// file. Returns how many were read.
fn read_prefix(file: &File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match read_at(file, &mut buffer[filled..], filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The host's entry symbol, NUL-terminated: `b"tenon_plugin_v1\0"`.
pub(crate) const ENTRY_SYMBOL: &[u8] = crate::sys::TENON_ENTRY_SYMBOL_V1;
// A new major renames the entry (`plugin.h`); this says which name to use.
const _: () = assert!(AbiVersion::HOST.major == 1);

/// Files up to this size are read whole, in one call; larger ones piece by
/// piece.
const WHOLE_FILE_LIMIT: u64 = 64 << 10;

/// The first `len` bytes of `file`, from its start. A file that turns out
/// shorter (truncated meanwhile) gives the bytes there are, which the checks
/// then refuse as truncated.
fn read_whole(file: &File, len: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0u8; len as usize];
    let mut filled = 0;
    while filled < bytes.len() {
        let n = read_at(file, &mut bytes[filled..], filled as u64)?;
        if n == 0 {
            bytes.truncate(filled);
            break;
        }
        filled += n;
    }
    Ok(bytes)
}

/// One positioned read, leaving the file's offset alone where the platform
/// allows it.
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buffer, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        std::io::Read::read(&mut file, buffer)
    }
}

/// Checks the bytes of a whole file for `host`, and lists its exports.
fn check<'data, R: ReadRef<'data>>(data: R, host: &Host) -> Result<Vec<ExportedSymbol>, Refusal> {
    let len = data
        .len()
        .map_err(|()| not_a_library("cannot read its length"))?;
    if len == 0 {
        return Err(not_a_library("the file is empty (0 bytes)"));
    }
    let head = data
        .read_bytes_at(0, len.min(64))
        .map_err(|()| not_a_library("cannot read its first bytes"))?;
    let found = identify(head);
    let Some(expected) = host.format else {
        return Ok(Vec::new());
    };
    let wrong_format = |format: Format| Refusal::WrongArchitecture {
        found: host::describe_foreign(data, format),
        expected: host.describe(),
    };
    match found {
        Identified::Elf if expected == Format::Elf => elf::check(data, len, host),
        Identified::MachO | Identified::Fat if expected == Format::MachO => {
            macho::check(data, len, host, found == Identified::Fat)
        }
        Identified::Pe if expected == Format::Pe => pe::check(data, len, host),
        Identified::Elf => Err(wrong_format(Format::Elf)),
        Identified::MachO | Identified::Fat => Err(wrong_format(Format::MachO)),
        Identified::Pe => Err(wrong_format(Format::Pe)),
        Identified::Other(what) => Err(not_a_library(format!(
            "{what}, not {}",
            expected.describe()
        ))),
    }
}
