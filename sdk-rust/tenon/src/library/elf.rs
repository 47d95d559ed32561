//! ELF (Linux, the BSDs, illumos): the header checks and the dynamic
//! symbol table.

use super::host::{elf_machine_name, word, Format, Host};
use super::refusal::{corrupt, not_a_library, truncated, within, Refusal};
use super::{ExportedSymbol, SymbolKind};
use object::elf::{self, FileHeader32, FileHeader64};
use object::read::elf::{FileHeader, ProgramHeader, Sym};
use object::{Endianness, ReadRef};
use std::mem::size_of;

const CORRUPT: &str = "ELF";

/// Symbols that older GNU linkers export from every shared library: the
/// library's author did not ask for them, and no tool should warn about
/// them.
const LINKER_DEFINED: &[&[u8]] = &[b"_init", b"_fini", b"_edata", b"_end", b"__bss_start"];

/// Checks an ELF file of `len` bytes for `host` and lists what it exports.
pub(crate) fn check<'data, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    if is_64(data, len)? {
        check_as::<FileHeader64<Endianness>, R>(data, len, host)
    } else {
        check_as::<FileHeader32<Endianness>, R>(data, len, host)
    }
}

/// What [`check_headers`] could decide from the bytes it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Headers {
    /// Every check of [`check`] that protects the loader passed.
    Passed,
    /// The program header table lies past the bytes given (but within the
    /// file): read this many bytes from the start of the file instead.
    NeedMore(u64),
}

/// The checks of [`check`] that read only the ELF header and the program
/// header table, on `data`, the first bytes of a file of `len` bytes:
/// class, byte order, machine, type, the program header table and every
/// loadable segment within the file, and the section header table's
/// entry size and extent as the ELF header gives them. What is left out is
/// what lies in the sections (their names, the dynamic symbol table), which
/// the dynamic loader never reads.
pub(crate) fn check_headers(data: &[u8], len: u64, host: &Host) -> Result<Headers, Refusal> {
    if is_64(data, len)? {
        headers_as::<FileHeader64<Endianness>>(data, len, host)
    } else {
        headers_as::<FileHeader32<Endianness>>(data, len, host)
    }
}

/// Whether `data`, the first bytes of a file of `len` bytes, plainly passes
/// [`check_headers`]: an ELF shared library of the host's own class, byte
/// order and machine, whose program headers lie in `data`, whose loadable
/// segments and section header table lie in the file, with entries of the
/// sizes of the class. Fields are read directly, without `object`: this
/// runs before every load, and a first load pays for each piece of code it
/// runs for the first time. `false` is not a refusal, only "not plainly":
/// [`check_headers`] then decides, and words the refusal.
pub(crate) fn plainly_loadable(data: &[u8], len: u64, host: &Host) -> bool {
    let Some(machine) = host.elf_machine else {
        return false;
    };
    let u16_at = |at: usize| -> Option<u64> {
        let b: [u8; 2] = data.get(at..at + 2)?.try_into().ok()?;
        Some(u64::from(if host.little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }))
    };
    let u32_at = |at: usize| -> Option<u64> {
        let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(u64::from(if host.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }))
    };
    let u64_at = |at: usize| -> Option<u64> {
        let b: [u8; 8] = data.get(at..at + 8)?.try_into().ok()?;
        Some(if host.little_endian {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    };
    // The word-sized fields: offsets and sizes in the ELF header and in a
    // program header, for this class.
    let word_at = |at: usize| if host.bits64 { u64_at(at) } else { u32_at(at) };
    let (header, phent, shent) = if host.bits64 {
        (64, 56, 64)
    } else {
        (52, 32, 40)
    };
    // e_phoff, e_shoff and the fields after them.
    let (phoff_at, shoff_at, tail) = if host.bits64 {
        (32, 40, 52)
    } else {
        (28, 32, 40)
    };
    // In a program header: p_offset, p_filesz.
    let (offset_at, filesz_at) = if host.bits64 { (8, 32) } else { (4, 16) };
    let plain = || -> Option<bool> {
        let ident = data.get(..16)?;
        let class = if host.bits64 {
            elf::ELFCLASS64
        } else {
            elf::ELFCLASS32
        };
        let encoding = if host.little_endian {
            elf::ELFDATA2LSB
        } else {
            elf::ELFDATA2MSB
        };
        if len < header
            || ident[..4] != elf::ELFMAG
            || ident[4] != class
            || ident[5] != encoding
            || ident[6] != elf::EV_CURRENT
            || u16_at(16)? != u64::from(elf::ET_DYN)
            || u16_at(18)? != u64::from(machine)
        {
            return Some(false);
        }
        let (phoff, shoff) = (word_at(phoff_at)?, word_at(shoff_at)?);
        let (phentsize, phnum) = (u16_at(tail + 2)?, u16_at(tail + 4)?);
        let (shentsize, shnum) = (u16_at(tail + 6)?, u16_at(tail + 8)?);
        if phoff == 0 || phnum == 0 || phnum >= u64::from(elf::PN_XNUM) || phentsize != phent {
            return Some(false);
        }
        let table_end = phoff.checked_add(phnum * phent)?;
        if table_end > data.len() as u64 {
            return Some(false);
        }
        for index in 0..phnum {
            let at = usize::try_from(phoff + index * phent).ok()?;
            if u32_at(at)? == u64::from(elf::PT_LOAD) {
                let end = word_at(at + offset_at)?.checked_add(word_at(at + filesz_at)?)?;
                if end > len {
                    return Some(false);
                }
            }
        }
        if shoff != 0 {
            let table_end = shoff.checked_add(shnum * shent)?;
            if shnum == 0 || shentsize != shent || table_end > len {
                return Some(false);
            }
        }
        Some(true)
    };
    plain().unwrap_or(false)
}

/// Whether the identification says 64-bit (else 32-bit); refuses an
/// invalid class or data encoding.
fn is_64<'data, R: ReadRef<'data>>(data: R, len: u64) -> Result<bool, Refusal> {
    within("the ELF identification", 0, 16, len)?;
    let ident = data
        .read_bytes_at(0, 16)
        .map_err(|()| not_a_library("cannot read the ELF identification"))?;
    let bits64 = match ident[4] {
        elf::ELFCLASS32 => false,
        elf::ELFCLASS64 => true,
        other => return Err(not_a_library(format!("invalid ELF class {other}"))),
    };
    match ident[5] {
        elf::ELFDATA2LSB | elf::ELFDATA2MSB => {}
        other => return Err(not_a_library(format!("invalid ELF data encoding {other}"))),
    }
    Ok(bits64)
}

fn check_as<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    let (header, endian) = header_as::<Elf, R>(data, len, host)?;
    check_segments(header, endian, data, len)?;
    exports(header, endian, data, len)
}

fn headers_as<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
    len: u64,
    host: &Host,
) -> Result<Headers, Refusal> {
    let (header, endian) = header_as::<Elf, &[u8]>(data, len, host)?;
    let table_end = u64::from(header.e_phentsize(endian))
        .saturating_mul(u64::from(header.e_phnum(endian)))
        .saturating_add(header.e_phoff(endian).into());
    if table_end > data.len() as u64 && table_end <= len {
        return Ok(Headers::NeedMore(table_end));
    }
    check_segments(header, endian, data, len)?;
    check_section_table(header, endian, len)?;
    Ok(Headers::Passed)
}

/// The ELF header: for this host, a shared library.
fn header_as<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<(&'data Elf, Endianness), Refusal> {
    within("the ELF header", 0, size_of::<Elf>() as u64, len)?;
    let header = Elf::parse(data).map_err(corrupt(CORRUPT))?;
    let endian = header.endian().map_err(corrupt(CORRUPT))?;
    let machine = header.e_machine(endian);
    let (bits64, little) = (header.is_class_64(), header.is_little_endian());
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
        });
    }
    match header.e_type(endian) {
        elf::ET_DYN => Ok((header, endian)),
        elf::ET_REL => Err(not_a_library(
            "an ELF object file (.o), not a shared library; link it with -shared",
        )),
        elf::ET_EXEC => Err(not_a_library(
            "an ELF executable, not a shared library; build it with -shared",
        )),
        elf::ET_CORE => Err(not_a_library("an ELF core dump, not a shared library")),
        other => Err(not_a_library(format!(
            "an ELF file of type {other}, not a shared library"
        ))),
    }
}

/// The program headers, and every loadable segment, lie within the file:
/// the loader maps segments without checking, and a page past the end of
/// the file kills the process with SIGBUS when it is first touched.
fn check_segments<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    header: &Elf,
    endian: Endianness,
    data: R,
    len: u64,
) -> Result<(), Refusal> {
    let phnum = header.e_phnum(endian);
    if phnum == 0 || header.e_phoff(endian).into() == 0 {
        return Err(not_a_library(
            "an ELF file without program headers: nothing a loader could map",
        ));
    }
    let phentsize = header.e_phentsize(endian);
    if usize::from(phentsize) != size_of::<Elf::ProgramHeader>() {
        return Err(not_a_library(format!(
            "corrupt ELF header: program header entries of {phentsize} bytes"
        )));
    }
    // PN_XNUM (more headers than e_phnum holds) is read by `object` from
    // section 0; the plain count bounds the table's start either way.
    within(
        "the ELF program header table",
        header.e_phoff(endian).into(),
        u64::from(phentsize) * u64::from(phnum),
        len,
    )?;
    let segments = header
        .program_headers(endian, data)
        .map_err(corrupt(CORRUPT))?;
    for (index, segment) in segments.iter().enumerate() {
        if segment.p_type(endian) != elf::PT_LOAD {
            continue;
        }
        let offset: u64 = segment.p_offset(endian).into();
        let end = offset.saturating_add(segment.p_filesz(endian).into());
        if end > len {
            return Err(truncated(&format!("loadable segment {index}"), end, len));
        }
    }
    Ok(())
}

/// The section header table, as the ELF header describes it, lies within
/// the file and has entries of the size of this class. Its contents are
/// not read here.
fn check_section_table<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    len: u64,
) -> Result<(), Refusal> {
    let shoff: u64 = header.e_shoff(endian).into();
    if shoff == 0 {
        return Ok(());
    }
    let shentsize = header.e_shentsize(endian);
    // A count of 0 with an offset means the count is in section 0.
    let shnum = header.e_shnum(endian);
    within(
        "the ELF section header table",
        shoff,
        u64::from(shentsize).saturating_mul(u64::from(shnum).max(1)),
        len,
    )?;
    if shnum != 0 && usize::from(shentsize) != size_of::<Elf::SectionHeader>() {
        // The words `object` uses for the same refusal, so that a file is
        // refused in the same words whether it was read whole or not.
        return Err(not_a_library(
            "corrupt ELF file: Invalid ELF section header entry size",
        ));
    }
    Ok(())
}

/// The defined, visible symbols of the dynamic symbol table: what `dlsym`
/// can find. A file without section headers (which the loader does not
/// need) lists nothing.
fn exports<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    header: &Elf,
    endian: Endianness,
    data: R,
    len: u64,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    if header.e_shoff(endian).into() == 0 {
        return Ok(Vec::new());
    }
    check_section_table(header, endian, len)?;
    let sections = header.sections(endian, data).map_err(corrupt(CORRUPT))?;
    let symbols = sections
        .symbols(endian, data, elf::SHT_DYNSYM)
        .map_err(corrupt(CORRUPT))?;
    let mut exports = Vec::new();
    for symbol in symbols.iter() {
        if matches!(symbol.st_shndx(endian), elf::SHN_UNDEF | elf::SHN_ABS) {
            // Undefined: an import. Absolute: the version nodes a linker
            // version script adds, which name no code or data.
            continue;
        }
        if !matches!(
            symbol.st_bind(),
            elf::STB_GLOBAL | elf::STB_WEAK | elf::STB_GNU_UNIQUE
        ) || !matches!(
            symbol.st_visibility(),
            elf::STV_DEFAULT | elf::STV_PROTECTED
        ) {
            continue;
        }
        let kind = match symbol.st_type() {
            elf::STT_FUNC | elf::STT_GNU_IFUNC => SymbolKind::Function,
            elf::STT_OBJECT | elf::STT_COMMON | elf::STT_TLS => SymbolKind::Data,
            elf::STT_NOTYPE => SymbolKind::Unknown,
            _ => continue,
        };
        let name = symbol
            .name(endian, symbols.strings())
            .map_err(corrupt(CORRUPT))?;
        if name.is_empty() || LINKER_DEFINED.contains(&name) {
            continue;
        }
        exports.push(ExportedSymbol::new(name, kind));
    }
    Ok(exports)
}
