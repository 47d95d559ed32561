//! Reading a library file's header before the dynamic loader sees it.
//!
//! `dlopen` and `LoadLibrary` say little when a file is not for them ("invalid
//! ELF header", "wrong ELF class") and, worse, map a truncated library whose
//! segments run past the end of the file, so that the first access to the
//! missing pages kills the process with `SIGBUS`. This module reads the
//! header of the file format the host's platform loads (ELF, Mach-O or PE)
//! and refuses, with a precise reason, a file that is empty, text, another
//! format, for another processor, not a shared library, or truncated. It
//! reads bytes only; nothing of the file is mapped or run.
//!
//! On a platform whose format this module does not know, it checks nothing
//! and leaves the decision to the loader.

use crate::Error;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a shared library the host could load: text, empty, an object
    /// file, an executable, truncated, another file format.
    NotALibrary(String),
    /// A shared library for another processor, word size, byte order or
    /// binary format.
    WrongArchitecture {
        /// What the file is built for.
        found: String,
        /// What this host needs.
        expected: String,
    },
}

impl Refusal {
    fn into_error(self, path: &Path) -> Error {
        match self {
            Refusal::NotALibrary(reason) => Error::NotALibrary {
                path: path.to_path_buf(),
                reason,
            },
            Refusal::WrongArchitecture { found, expected } => Error::WrongArchitecture {
                path: path.to_path_buf(),
                found,
                expected,
            },
        }
    }
}

/// Checks the header of the file at `path` (a regular file) against what
/// the host's loader accepts.
pub(crate) fn check_library_file(path: &Path) -> Result<(), Error> {
    let io_error = |e: std::io::Error| Error::NotALibrary {
        path: path.to_path_buf(),
        reason: format!("cannot read it: {e}"),
    };
    let mut file = File::open(path).map_err(io_error)?;
    let len = file.metadata().map_err(io_error)?.len();
    let mut reader = FileBytes {
        file: &mut file,
        len,
    };
    check(&mut reader, &Host::CURRENT).map_err(|refusal| match refusal {
        Checked::Refused(refusal) => refusal.into_error(path),
        Checked::Io(e) => io_error(e),
    })
}

/// The outcome of a failed check: a refusal, or a read that failed.
#[derive(Debug)]
enum Checked {
    Refused(Refusal),
    Io(std::io::Error),
}

impl From<Refusal> for Checked {
    fn from(refusal: Refusal) -> Self {
        Checked::Refused(refusal)
    }
}

fn not_a_library(reason: impl Into<String>) -> Checked {
    Checked::Refused(Refusal::NotALibrary(reason.into()))
}

fn truncated(what: &str, needed: u64, len: u64) -> Checked {
    not_a_library(format!(
        "truncated: {what} reaches byte {needed} but the file has only {len} bytes \
         (an interrupted copy or download?)"
    ))
}

/// Random access to the bytes of a file (or, in tests, a slice).
trait Bytes {
    /// The file's length.
    fn len(&self) -> u64;
    /// Reads exactly `buf.len()` bytes at `offset`, which the caller has
    /// checked lie within the file.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<()>;
}

struct FileBytes<'a> {
    file: &'a mut File,
    len: u64,
}

impl Bytes for FileBytes<'_> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(buf)
    }
}

impl Bytes for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let start = offset as usize;
        buf.copy_from_slice(&self[start..start + buf.len()]);
        Ok(())
    }
}

/// Reads `count` bytes at `offset`, or says the file is truncated there.
fn read(bytes: &mut dyn Bytes, what: &str, offset: u64, count: u64) -> Result<Vec<u8>, Checked> {
    let end = offset.saturating_add(count);
    if end > bytes.len() {
        return Err(truncated(what, end, bytes.len()));
    }
    let mut buf = vec![0; count as usize];
    bytes.read_at(offset, &mut buf).map_err(Checked::Io)?;
    Ok(buf)
}

/// The binary format a platform's loader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Elf,
    MachO,
    Pe,
}

impl Format {
    fn describe(self) -> &'static str {
        match self {
            Format::Elf => "an ELF shared library (Linux, BSD)",
            Format::MachO => "a Mach-O library (macOS, iOS)",
            Format::Pe => "a PE DLL (Windows)",
        }
    }
}

/// What the host's loader accepts.
#[derive(Debug, Clone, Copy)]
struct Host {
    /// `None` on platforms this module does not know: nothing is checked.
    format: Option<Format>,
    bits64: bool,
    little_endian: bool,
    /// The host's machine code in its format, when known; an unknown one
    /// skips the machine comparison but not the other checks.
    elf_machine: Option<u16>,
    macho_cpu: Option<u32>,
    pe_machine: Option<u16>,
}

impl Host {
    const CURRENT: Host = Host {
        format: if cfg!(target_vendor = "apple") {
            Some(Format::MachO)
        } else if cfg!(target_os = "windows") {
            Some(Format::Pe)
        } else if cfg!(any(
            target_os = "linux",
            target_os = "android",
            target_os = "freebsd",
            target_os = "netbsd",
            target_os = "openbsd",
            target_os = "dragonfly",
            target_os = "illumos",
            target_os = "solaris"
        )) {
            Some(Format::Elf)
        } else {
            None
        },
        bits64: cfg!(target_pointer_width = "64"),
        little_endian: cfg!(target_endian = "little"),
        elf_machine: if cfg!(target_arch = "x86_64") {
            Some(EM_X86_64)
        } else if cfg!(target_arch = "x86") {
            Some(EM_386)
        } else if cfg!(target_arch = "aarch64") {
            Some(EM_AARCH64)
        } else if cfg!(target_arch = "arm") {
            Some(EM_ARM)
        } else if cfg!(any(target_arch = "riscv64", target_arch = "riscv32")) {
            Some(EM_RISCV)
        } else if cfg!(target_arch = "powerpc64") {
            Some(EM_PPC64)
        } else if cfg!(target_arch = "powerpc") {
            Some(EM_PPC)
        } else if cfg!(target_arch = "s390x") {
            Some(EM_S390)
        } else if cfg!(target_arch = "loongarch64") {
            Some(EM_LOONGARCH)
        } else {
            None
        },
        macho_cpu: if cfg!(target_arch = "x86_64") {
            Some(CPU_TYPE_X86_64)
        } else if cfg!(target_arch = "aarch64") {
            if cfg!(target_pointer_width = "32") {
                Some(CPU_TYPE_ARM64_32)
            } else {
                Some(CPU_TYPE_ARM64)
            }
        } else if cfg!(target_arch = "x86") {
            Some(CPU_TYPE_X86)
        } else if cfg!(target_arch = "arm") {
            Some(CPU_TYPE_ARM)
        } else {
            None
        },
        pe_machine: if cfg!(target_arch = "x86_64") {
            Some(IMAGE_FILE_MACHINE_AMD64)
        } else if cfg!(target_arch = "x86") {
            Some(IMAGE_FILE_MACHINE_I386)
        } else if cfg!(target_arch = "aarch64") {
            Some(IMAGE_FILE_MACHINE_ARM64)
        } else {
            None
        },
    };

    /// "an ELF shared library (Linux, BSD) for x86-64, 64-bit little-endian".
    fn describe(&self) -> String {
        let Some(format) = self.format else {
            return "a library for this platform".to_owned();
        };
        let arch = match format {
            Format::Elf => self.elf_machine.map(elf_machine_name),
            Format::MachO => self.macho_cpu.map(macho_cpu_name),
            Format::Pe => self.pe_machine.map(pe_machine_name),
        }
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        format!(
            "{} for {arch}, {}",
            format.describe(),
            word(self.bits64, self.little_endian)
        )
    }
}

fn word(bits64: bool, little_endian: bool) -> String {
    format!(
        "{}-bit {}",
        if bits64 { 64 } else { 32 },
        if little_endian {
            "little-endian"
        } else {
            "big-endian"
        }
    )
}

/// Checks the bytes of a whole file for `host`.
fn check(bytes: &mut dyn Bytes, host: &Host) -> Result<(), Checked> {
    let len = bytes.len();
    if len == 0 {
        return Err(not_a_library("the file is empty (0 bytes)"));
    }
    let head = read(bytes, "the file header", 0, len.min(64))?;
    let found = identify(&head);
    let Some(expected) = host.format else {
        return Ok(());
    };
    let wrong_format = |format: Format| {
        Checked::Refused(Refusal::WrongArchitecture {
            found: format.describe().to_owned(),
            expected: host.describe(),
        })
    };
    match found {
        Identified::Elf if expected == Format::Elf => check_elf(bytes, host),
        Identified::MachO | Identified::Fat if expected == Format::MachO => {
            check_macho(bytes, host, 0, len, found == Identified::Fat)
        }
        Identified::Pe if expected == Format::Pe => check_pe(bytes, host),
        Identified::Elf => Err(wrong_format(Format::Elf)),
        Identified::MachO | Identified::Fat => Err(wrong_format(Format::MachO)),
        Identified::Pe => Err(wrong_format(Format::Pe)),
        Identified::Other(what) => Err(not_a_library(format!(
            "{what}, not {}",
            expected.describe()
        ))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Identified {
    Elf,
    MachO,
    /// A Mach-O universal ("fat") binary.
    Fat,
    Pe,
    /// Something else, described.
    Other(String),
}

fn identify(head: &[u8]) -> Identified {
    let u32_at = |be: bool| {
        head.get(..4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if be {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        })
    };
    if head.starts_with(b"\x7fELF") {
        return Identified::Elf;
    }
    let (le, be) = (u32_at(false), u32_at(true));
    if [le, be]
        .iter()
        .any(|m| matches!(m, Some(MH_MAGIC | MH_MAGIC_64)))
    {
        return Identified::MachO;
    }
    if matches!(be, Some(FAT_MAGIC | FAT_MAGIC_64)) {
        // Java class files share the magic; their next word (the class
        // file version, 45 or more) is far more than the architectures a
        // universal binary holds.
        let count = head
            .get(4..8)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        if count.is_some_and(|n| n < 45) {
            return Identified::Fat;
        }
        return Identified::Other("a Java class file".to_owned());
    }
    if head.starts_with(b"MZ") {
        return Identified::Pe;
    }
    Identified::Other(describe_unknown(head))
}

/// "a text file (it starts with \"This is not\")" or "a file of an unknown
/// format (it starts with bytes 00 61 73 6d)".
fn describe_unknown(head: &[u8]) -> String {
    if head.starts_with(b"!<arch>\n") {
        return "a static library (.a archive); build a shared library instead".to_owned();
    }
    let text = std::str::from_utf8(head)
        .ok()
        .filter(|t| t.chars().all(|c| !c.is_control() || c.is_whitespace()));
    match text {
        Some(text) => {
            let start: String = text.chars().take(24).collect();
            format!("a text file (it starts with {start:?})")
        }
        None => {
            let bytes: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!(
                "a file of an unknown format (it starts with the bytes {})",
                bytes.join(" ")
            )
        }
    }
}

// ---------------------------------------------------------------------------
// ELF
// ---------------------------------------------------------------------------

const EM_386: u16 = 3;
const EM_MIPS: u16 = 8;
const EM_PPC: u16 = 20;
const EM_PPC64: u16 = 21;
const EM_S390: u16 = 22;
const EM_ARM: u16 = 40;
const EM_SPARCV9: u16 = 43;
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const EM_RISCV: u16 = 243;
const EM_LOONGARCH: u16 = 258;

const ET_REL: u16 = 1;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const ET_CORE: u16 = 4;
const PT_LOAD: u32 = 1;

fn elf_machine_name(machine: u16) -> String {
    match machine {
        EM_386 => "x86 (i386)".to_owned(),
        EM_MIPS => "MIPS".to_owned(),
        EM_PPC => "PowerPC".to_owned(),
        EM_PPC64 => "PowerPC64".to_owned(),
        EM_S390 => "s390x".to_owned(),
        EM_ARM => "ARM (32-bit)".to_owned(),
        EM_SPARCV9 => "SPARC V9".to_owned(),
        EM_X86_64 => "x86-64".to_owned(),
        EM_AARCH64 => "AArch64 (arm64)".to_owned(),
        EM_RISCV => "RISC-V".to_owned(),
        EM_LOONGARCH => "LoongArch".to_owned(),
        0 => "no machine (EM_NONE)".to_owned(),
        other => format!("ELF machine {other}"),
    }
}

/// Little- or big-endian integer reads from a header.
#[derive(Clone, Copy)]
struct Endian {
    little: bool,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let b = [b[at], b[at + 1]];
        if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    }

    fn u32(self, b: &[u8], at: usize) -> u32 {
        let b = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    }

    fn u64(self, b: &[u8], at: usize) -> u64 {
        let mut a = [0; 8];
        a.copy_from_slice(&b[at..at + 8]);
        if self.little {
            u64::from_le_bytes(a)
        } else {
            u64::from_be_bytes(a)
        }
    }
}

fn check_elf(bytes: &mut dyn Bytes, host: &Host) -> Result<(), Checked> {
    let len = bytes.len();
    let ident = read(bytes, "the ELF identification", 0, 16)?;
    let bits64 = match ident[4] {
        1 => false,
        2 => true,
        other => return Err(not_a_library(format!("invalid ELF class {other}"))),
    };
    let little = match ident[5] {
        1 => true,
        2 => false,
        other => return Err(not_a_library(format!("invalid ELF data encoding {other}"))),
    };
    let e = Endian { little };
    let header_size = if bits64 { 64 } else { 52 };
    let header = read(bytes, "the ELF header", 0, header_size)?;
    let machine = e.u16(&header, 18);
    let machine_differs = host.elf_machine.is_some_and(|m| m != machine);
    if machine_differs || bits64 != host.bits64 || little != host.little_endian {
        return Err(Refusal::WrongArchitecture {
            found: format!(
                "{} for {}, {}",
                Format::Elf.describe(),
                elf_machine_name(machine),
                word(bits64, little)
            ),
            expected: host.describe(),
        }
        .into());
    }
    match e.u16(&header, 16) {
        ET_DYN => {}
        ET_REL => {
            return Err(not_a_library(
                "an ELF object file (.o), not a shared library; link it with -shared",
            ))
        }
        ET_EXEC => {
            return Err(not_a_library(
                "an ELF executable, not a shared library; build it with -shared",
            ))
        }
        ET_CORE => return Err(not_a_library("an ELF core dump, not a shared library")),
        other => {
            return Err(not_a_library(format!(
                "an ELF file of type {other}, not a shared library"
            )))
        }
    }
    let (phoff, phentsize, phnum) = if bits64 {
        (e.u64(&header, 32), e.u16(&header, 54), e.u16(&header, 56))
    } else {
        (
            e.u32(&header, 28).into(),
            e.u16(&header, 42),
            e.u16(&header, 44),
        )
    };
    let min_entry = if bits64 { 56 } else { 32 };
    if phnum == 0 {
        return Err(not_a_library(
            "an ELF file without program headers: nothing a loader could map",
        ));
    }
    if phentsize < min_entry {
        return Err(not_a_library(format!(
            "corrupt ELF header: program header entries of {phentsize} bytes"
        )));
    }
    let table = read(
        bytes,
        "the ELF program header table",
        phoff,
        u64::from(phentsize) * u64::from(phnum),
    )?;
    for index in 0..usize::from(phnum) {
        let at = index * usize::from(phentsize);
        if e.u32(&table, at) != PT_LOAD {
            continue;
        }
        let (offset, filesz) = if bits64 {
            (e.u64(&table, at + 8), e.u64(&table, at + 32))
        } else {
            (e.u32(&table, at + 4).into(), e.u32(&table, at + 16).into())
        };
        let end = offset.saturating_add(filesz);
        if end > len {
            return Err(truncated(&format!("loadable segment {index}"), end, len));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Mach-O
// ---------------------------------------------------------------------------

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
const CPU_ARCH_ABI64: u32 = 0x0100_0000;
const CPU_TYPE_X86: u32 = 7;
const CPU_TYPE_X86_64: u32 = CPU_TYPE_X86 | CPU_ARCH_ABI64;
const CPU_TYPE_ARM: u32 = 12;
const CPU_TYPE_ARM64: u32 = CPU_TYPE_ARM | CPU_ARCH_ABI64;
const CPU_TYPE_ARM64_32: u32 = CPU_TYPE_ARM | 0x0200_0000;
const CPU_TYPE_POWERPC: u32 = 18;
const CPU_TYPE_POWERPC64: u32 = CPU_TYPE_POWERPC | CPU_ARCH_ABI64;
const MH_OBJECT: u32 = 1;
const MH_EXECUTE: u32 = 2;
const MH_DYLIB: u32 = 6;
const MH_BUNDLE: u32 = 8;
const LC_SEGMENT: u32 = 0x1;
const LC_SEGMENT_64: u32 = 0x19;

fn macho_cpu_name(cpu: u32) -> String {
    match cpu {
        CPU_TYPE_X86 => "x86 (i386)".to_owned(),
        CPU_TYPE_X86_64 => "x86-64".to_owned(),
        CPU_TYPE_ARM => "ARM (32-bit)".to_owned(),
        CPU_TYPE_ARM64 => "arm64".to_owned(),
        CPU_TYPE_ARM64_32 => "arm64_32".to_owned(),
        CPU_TYPE_POWERPC => "PowerPC".to_owned(),
        CPU_TYPE_POWERPC64 => "PowerPC64".to_owned(),
        other => format!("Mach-O CPU type {other:#x}"),
    }
}

/// Checks the Mach-O image at `base..base + size` (the whole file, or one
/// slice of a universal binary).
fn check_macho(
    bytes: &mut dyn Bytes,
    host: &Host,
    base: u64,
    size: u64,
    fat: bool,
) -> Result<(), Checked> {
    if fat {
        return check_fat(bytes, host);
    }
    let len = base + size;
    let magic = read(bytes, "the Mach-O header", base, 4)?;
    let little = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]) & !1 == MH_MAGIC;
    let e = Endian { little };
    let bits64 = e.u32(&magic, 0) == MH_MAGIC_64;
    let header_size: u64 = if bits64 { 32 } else { 28 };
    let header = read(bytes, "the Mach-O header", base, header_size)?;
    let cpu = e.u32(&header, 4);
    let cpu_differs = host.macho_cpu.is_some_and(|c| c != cpu);
    if cpu_differs || bits64 != host.bits64 || little != host.little_endian {
        return Err(Refusal::WrongArchitecture {
            found: format!(
                "{} for {}, {}",
                Format::MachO.describe(),
                macho_cpu_name(cpu),
                word(bits64, little)
            ),
            expected: host.describe(),
        }
        .into());
    }
    match e.u32(&header, 12) {
        MH_DYLIB | MH_BUNDLE => {}
        MH_OBJECT => {
            return Err(not_a_library(
                "a Mach-O object file (.o), not a library; link it with -dynamiclib or -bundle",
            ))
        }
        MH_EXECUTE => {
            return Err(not_a_library(
                "a Mach-O executable, not a library; link it with -dynamiclib or -bundle",
            ))
        }
        other => {
            return Err(not_a_library(format!(
                "a Mach-O file of type {other}, not a dynamic library or bundle"
            )))
        }
    }
    let ncmds = e.u32(&header, 16);
    let sizeofcmds = e.u32(&header, 20);
    let commands = read(
        bytes,
        "the Mach-O load commands",
        base + header_size,
        sizeofcmds.into(),
    )?;
    let mut at = 0usize;
    for index in 0..ncmds {
        if at + 8 > commands.len() {
            return Err(not_a_library(format!(
                "corrupt Mach-O header: load command {index} lies outside sizeofcmds"
            )));
        }
        let cmd = e.u32(&commands, at);
        let cmdsize = e.u32(&commands, at + 4) as usize;
        if cmdsize < 8 || at + cmdsize > commands.len() {
            return Err(not_a_library(format!(
                "corrupt Mach-O header: load command {index} has size {cmdsize}"
            )));
        }
        let segment = match cmd {
            LC_SEGMENT_64 if cmdsize >= 72 => {
                Some((e.u64(&commands, at + 40), e.u64(&commands, at + 48)))
            }
            LC_SEGMENT if cmdsize >= 56 => Some((
                e.u32(&commands, at + 32).into(),
                e.u32(&commands, at + 36).into(),
            )),
            _ => None,
        };
        if let Some((fileoff, filesize)) = segment {
            let end = base.saturating_add(fileoff).saturating_add(filesize);
            if end > len {
                return Err(truncated(&format!("segment {index}"), end, len));
            }
        }
        at += cmdsize;
    }
    Ok(())
}

/// A universal binary: the slice for the host's CPU must be there, and is
/// checked like a plain Mach-O file.
fn check_fat(bytes: &mut dyn Bytes, host: &Host) -> Result<(), Checked> {
    let len = bytes.len();
    let header = read(bytes, "the universal binary header", 0, 8)?;
    let e = Endian { little: false };
    let bits64 = e.u32(&header, 0) == FAT_MAGIC_64;
    let count = e.u32(&header, 4);
    let entry: u64 = if bits64 { 32 } else { 20 };
    let table = read(
        bytes,
        "the universal binary's architecture table",
        8,
        entry * u64::from(count),
    )?;
    let mut found = Vec::new();
    for index in 0..count as usize {
        let at = index * entry as usize;
        let cpu = e.u32(&table, at);
        let (offset, size) = if bits64 {
            (e.u64(&table, at + 8), e.u64(&table, at + 16))
        } else {
            (e.u32(&table, at + 8).into(), e.u32(&table, at + 12).into())
        };
        let end = offset.saturating_add(size);
        if end > len {
            return Err(truncated(
                &format!("the {} slice", macho_cpu_name(cpu)),
                end,
                len,
            ));
        }
        if host.macho_cpu.map_or(true, |c| c == cpu) {
            let magic = read(bytes, "a universal binary slice", offset, 4)?;
            let slice_is_fat =
                u32::from_be_bytes([magic[0], magic[1], magic[2], magic[3]]) & !1 == FAT_MAGIC;
            if slice_is_fat {
                return Err(not_a_library("corrupt universal binary: nested slices"));
            }
            return check_macho(bytes, host, offset, size, false);
        }
        found.push(macho_cpu_name(cpu));
    }
    Err(Refusal::WrongArchitecture {
        found: format!("a universal Mach-O binary for {}", found.join(", ")),
        expected: host.describe(),
    }
    .into())
}

// ---------------------------------------------------------------------------
// PE
// ---------------------------------------------------------------------------

const IMAGE_FILE_MACHINE_I386: u16 = 0x014c;
const IMAGE_FILE_MACHINE_ARMNT: u16 = 0x01c4;
const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;
const IMAGE_FILE_MACHINE_ARM64: u16 = 0xaa64;
const IMAGE_FILE_DLL: u16 = 0x2000;

fn pe_machine_name(machine: u16) -> String {
    match machine {
        IMAGE_FILE_MACHINE_I386 => "x86 (i386)".to_owned(),
        IMAGE_FILE_MACHINE_ARMNT => "ARM (32-bit)".to_owned(),
        IMAGE_FILE_MACHINE_AMD64 => "x86-64".to_owned(),
        IMAGE_FILE_MACHINE_ARM64 => "ARM64".to_owned(),
        other => format!("PE machine {other:#06x}"),
    }
}

fn check_pe(bytes: &mut dyn Bytes, host: &Host) -> Result<(), Checked> {
    let len = bytes.len();
    let dos = read(bytes, "the DOS header", 0, 64)?;
    let e = Endian { little: true };
    let pe = u64::from(e.u32(&dos, 0x3c));
    let coff = read(bytes, "the PE header", pe, 24)?;
    if &coff[..4] != b"PE\0\0" {
        return Err(not_a_library(
            "a DOS program without a PE header, not a DLL",
        ));
    }
    let machine = e.u16(&coff, 4);
    let sections = e.u16(&coff, 6);
    let optional = e.u16(&coff, 20);
    let characteristics = e.u16(&coff, 22);
    if let Some(expected) = host.pe_machine {
        if machine != expected {
            return Err(Refusal::WrongArchitecture {
                found: format!("{} for {}", Format::Pe.describe(), pe_machine_name(machine)),
                expected: host.describe(),
            }
            .into());
        }
    }
    if characteristics & IMAGE_FILE_DLL == 0 {
        return Err(not_a_library("a Windows executable, not a DLL"));
    }
    let table = read(
        bytes,
        "the PE section table",
        pe + 24 + u64::from(optional),
        40 * u64::from(sections),
    )?;
    for index in 0..usize::from(sections) {
        let at = index * 40;
        let size = u64::from(e.u32(&table, at + 16));
        let offset = u64::from(e.u32(&table, at + 20));
        let end = offset + size;
        if size > 0 && end > len {
            return Err(truncated(&format!("section {index}"), end, len));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const X86_64_LINUX: Host = Host {
        format: Some(Format::Elf),
        bits64: true,
        little_endian: true,
        elf_machine: Some(EM_X86_64),
        macho_cpu: None,
        pe_machine: None,
    };

    const ARM64_MAC: Host = Host {
        format: Some(Format::MachO),
        bits64: true,
        little_endian: true,
        elf_machine: None,
        macho_cpu: Some(CPU_TYPE_ARM64),
        pe_machine: None,
    };

    const X64_WINDOWS: Host = Host {
        format: Some(Format::Pe),
        bits64: true,
        little_endian: true,
        elf_machine: None,
        macho_cpu: None,
        pe_machine: Some(IMAGE_FILE_MACHINE_AMD64),
    };

    fn run(bytes: &[u8], host: &Host) -> Result<(), Refusal> {
        let mut slice = bytes;
        check(&mut slice, host).map_err(|c| match c {
            Checked::Refused(r) => r,
            Checked::Io(e) => panic!("io: {e}"),
        })
    }

    fn reason(bytes: &[u8], host: &Host) -> String {
        match run(bytes, host) {
            Err(Refusal::NotALibrary(reason)) => reason,
            other => panic!("expected NotALibrary, got {other:?}"),
        }
    }

    /// A minimal 64-bit little-endian ELF shared object: header, one
    /// PT_LOAD program header covering `segment` bytes from offset 0.
    fn elf64(machine: u16, kind: u16, segment: u64) -> Vec<u8> {
        let mut b = vec![0u8; 64 + 56];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2;
        b[5] = 1;
        b[6] = 1;
        b[16..18].copy_from_slice(&kind.to_le_bytes());
        b[18..20].copy_from_slice(&machine.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[52..54].copy_from_slice(&64u16.to_le_bytes());
        b[54..56].copy_from_slice(&56u16.to_le_bytes());
        b[56..58].copy_from_slice(&1u16.to_le_bytes());
        b[64..68].copy_from_slice(&PT_LOAD.to_le_bytes());
        b[64 + 32..64 + 40].copy_from_slice(&segment.to_le_bytes());
        b
    }

    #[test]
    fn a_well_formed_elf_library_passes() {
        assert_eq!(run(&elf64(EM_X86_64, ET_DYN, 120), &X86_64_LINUX), Ok(()));
    }

    #[test]
    fn empty_and_text_files_are_not_libraries() {
        assert!(reason(b"", &X86_64_LINUX).contains("empty"));
        let text = reason(b"This is not a shared library.\n", &X86_64_LINUX);
        assert!(text.contains("text file"), "{text}");
        assert!(text.contains("This is not"), "{text}");
        let binary = reason(&[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], &X86_64_LINUX);
        assert!(binary.contains("00 61 73 6d"), "{binary}");
        assert!(reason(b"!<arch>\nfoo", &X86_64_LINUX).contains("static library"));
    }

    #[test]
    fn another_elf_machine_is_the_wrong_architecture() {
        match run(&elf64(EM_AARCH64, ET_DYN, 120), &X86_64_LINUX) {
            Err(Refusal::WrongArchitecture { found, expected }) => {
                assert!(found.contains("AArch64"), "{found}");
                assert!(expected.contains("x86-64"), "{expected}");
            }
            other => panic!("{other:?}"),
        }
        let mut elf32 = elf64(EM_X86_64, ET_DYN, 120);
        elf32[4] = 1;
        assert!(matches!(
            run(&elf32, &X86_64_LINUX),
            Err(Refusal::WrongArchitecture { .. })
        ));
    }

    #[test]
    fn object_files_and_executables_are_not_libraries() {
        assert!(reason(&elf64(EM_X86_64, ET_REL, 120), &X86_64_LINUX).contains("-shared"));
        assert!(reason(&elf64(EM_X86_64, ET_EXEC, 120), &X86_64_LINUX).contains("executable"));
    }

    #[test]
    fn truncated_elf_files_are_refused() {
        let whole = elf64(EM_X86_64, ET_DYN, 120);
        for cut in [4, 20, 63, 64, 100, 119] {
            let why = reason(&whole[..cut], &X86_64_LINUX);
            assert!(why.contains("truncated"), "{cut}: {why}");
        }
        let segment_past_the_end = elf64(EM_X86_64, ET_DYN, 4096);
        let why = reason(&segment_past_the_end, &X86_64_LINUX);
        assert!(why.contains("segment 0"), "{why}");
        assert!(why.contains("4096"), "{why}");
    }

    #[test]
    fn other_formats_are_named() {
        let macho = {
            let mut b = vec![0u8; 32];
            b[..4].copy_from_slice(&MH_MAGIC_64.to_le_bytes());
            b[4..8].copy_from_slice(&CPU_TYPE_ARM64.to_le_bytes());
            b[12..16].copy_from_slice(&MH_DYLIB.to_le_bytes());
            b
        };
        match run(&macho, &X86_64_LINUX) {
            Err(Refusal::WrongArchitecture { found, .. }) => assert!(found.contains("Mach-O")),
            other => panic!("{other:?}"),
        }
        assert_eq!(run(&macho, &ARM64_MAC), Ok(()));
        match run(&elf64(EM_AARCH64, ET_DYN, 120), &ARM64_MAC) {
            Err(Refusal::WrongArchitecture { found, expected }) => {
                assert!(found.contains("ELF"), "{found}");
                assert!(expected.contains("Mach-O"), "{expected}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn macho64(cpu: u32, segment_end: u64) -> Vec<u8> {
        let mut b = vec![0u8; 32 + 72];
        b[..4].copy_from_slice(&MH_MAGIC_64.to_le_bytes());
        b[4..8].copy_from_slice(&cpu.to_le_bytes());
        b[12..16].copy_from_slice(&MH_DYLIB.to_le_bytes());
        b[16..20].copy_from_slice(&1u32.to_le_bytes());
        b[20..24].copy_from_slice(&72u32.to_le_bytes());
        let c = 32;
        b[c..c + 4].copy_from_slice(&LC_SEGMENT_64.to_le_bytes());
        b[c + 4..c + 8].copy_from_slice(&72u32.to_le_bytes());
        b[c + 48..c + 56].copy_from_slice(&segment_end.to_le_bytes());
        b
    }

    #[test]
    fn mach_o_segments_and_cpus_are_checked() {
        assert_eq!(run(&macho64(CPU_TYPE_ARM64, 104), &ARM64_MAC), Ok(()));
        assert!(reason(&macho64(CPU_TYPE_ARM64, 4096), &ARM64_MAC).contains("truncated"));
        match run(&macho64(CPU_TYPE_X86_64, 104), &ARM64_MAC) {
            Err(Refusal::WrongArchitecture { found, .. }) => {
                assert!(found.contains("x86-64"), "{found}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn universal_binaries_need_the_host_slice() {
        let slice = macho64(CPU_TYPE_X86_64, 104);
        let mut fat = vec![0u8; 28];
        fat[..4].copy_from_slice(&FAT_MAGIC.to_be_bytes());
        fat[4..8].copy_from_slice(&1u32.to_be_bytes());
        fat[8..12].copy_from_slice(&CPU_TYPE_X86_64.to_be_bytes());
        fat[16..20].copy_from_slice(&28u32.to_be_bytes());
        fat[20..24].copy_from_slice(&(slice.len() as u32).to_be_bytes());
        let mut file = fat.clone();
        file.extend_from_slice(&slice);
        match run(&file, &ARM64_MAC) {
            Err(Refusal::WrongArchitecture { found, .. }) => {
                assert!(found.contains("universal"), "{found}");
                assert!(found.contains("x86-64"), "{found}");
            }
            other => panic!("{other:?}"),
        }
        let x86_mac = Host {
            macho_cpu: Some(CPU_TYPE_X86_64),
            ..ARM64_MAC
        };
        assert_eq!(run(&file, &x86_mac), Ok(()));
        assert!(reason(&file[..60], &x86_mac).contains("truncated"));
        // A Java class file shares the magic.
        let class = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52];
        assert!(reason(&class, &x86_mac).contains("Java"));
    }

    fn pe(machine: u16, characteristics: u16) -> Vec<u8> {
        let mut b = vec![0u8; 0x80 + 24 + 40];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        b[0x80..0x84].copy_from_slice(b"PE\0\0");
        b[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
        b[0x86..0x88].copy_from_slice(&1u16.to_le_bytes());
        b[0x96..0x98].copy_from_slice(&characteristics.to_le_bytes());
        let s = 0x80 + 24;
        b[s + 16..s + 20].copy_from_slice(&16u32.to_le_bytes());
        b[s + 20..s + 24].copy_from_slice(&0x10u32.to_le_bytes());
        b
    }

    #[test]
    fn pe_machines_and_dll_flag_are_checked() {
        assert_eq!(
            run(&pe(IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_DLL), &X64_WINDOWS),
            Ok(())
        );
        assert!(matches!(
            run(&pe(IMAGE_FILE_MACHINE_ARM64, IMAGE_FILE_DLL), &X64_WINDOWS),
            Err(Refusal::WrongArchitecture { .. })
        ));
        assert!(reason(&pe(IMAGE_FILE_MACHINE_AMD64, 0), &X64_WINDOWS).contains("executable"));
        assert!(reason(
            &pe(IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_DLL)[..100],
            &X64_WINDOWS
        )
        .contains("truncated"));
    }

    #[test]
    fn unknown_platforms_check_nothing() {
        let unknown = Host {
            format: None,
            ..X86_64_LINUX
        };
        assert_eq!(run(b"text", &unknown), Ok(()));
        assert!(reason(b"", &unknown).contains("empty"));
    }

    #[test]
    fn this_host_is_described() {
        let text = Host::CURRENT.describe();
        assert!(text.contains("-bit"), "{text}");
    }
}
