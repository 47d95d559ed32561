//! Mach-O (macOS, iOS), plain or universal: the header checks and the
//! symbol table.

use super::host::{macho_cpu_name, word, Format, Host};
use super::refusal::{corrupt, not_a_library, truncated, within, Refusal};
use super::{ExportedSymbol, SymbolKind};
use object::macho::{self, MachHeader32, MachHeader64};
use object::read::macho::{
    FatArch, MachHeader, MachOFatFile32, MachOFatFile64, Nlist, Section, Segment,
};
use object::{Endianness, ReadRef};
use std::mem::size_of;

const CORRUPT: &str = "Mach-O";

/// Symbols some linkers export from every dynamic library or bundle: the
/// library's author did not ask for them, and no tool should warn about
/// them.
const LINKER_DEFINED: &[&[u8]] = &[
    b"__mh_dylib_header",
    b"__mh_bundle_header",
    b"___dso_handle",
];

/// Checks a Mach-O file of `len` bytes (`fat`: a universal binary) for
/// `host` and lists what it exports.
pub(crate) fn check<'data, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
    fat: bool,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    if fat {
        check_fat(data, len, host)
    } else {
        check_image(data, len, host)
    }
}

/// A universal binary: the slice for the host's CPU must be there, and is
/// checked like a plain Mach-O file.
fn check_fat<'data, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    within("the universal binary header", 0, 8, len)?;
    let head = data
        .read_bytes_at(0, 8)
        .map_err(|()| not_a_library("cannot read the universal binary header"))?;
    let bits64 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) == macho::FAT_MAGIC_64;
    let count = u64::from(u32::from_be_bytes([head[4], head[5], head[6], head[7]]));
    let entry = if bits64 {
        size_of::<macho::FatArch64>()
    } else {
        size_of::<macho::FatArch32>()
    } as u64;
    within(
        "the universal binary's architecture table",
        8,
        entry * count,
        len,
    )?;
    // (cpu, offset, size) of every slice.
    let slices: Vec<(u32, u64, u64)> = if bits64 {
        let fat = MachOFatFile64::parse(data).map_err(corrupt(CORRUPT))?;
        fat.arches()
            .iter()
            .map(|a| (a.cputype(), a.offset(), a.size()))
            .collect()
    } else {
        let fat = MachOFatFile32::parse(data).map_err(corrupt(CORRUPT))?;
        fat.arches()
            .iter()
            .map(|a| (a.cputype(), a.offset().into(), a.size().into()))
            .collect()
    };
    let mut found = Vec::new();
    for (cpu, offset, size) in slices {
        let end = offset.saturating_add(size);
        if end > len {
            return Err(truncated(
                &format!("the {} slice", macho_cpu_name(cpu)),
                end,
                len,
            ));
        }
        if host.macho_cpu.is_none_or(|c| c == cpu) {
            let slice = data
                .read_bytes_at(offset, size)
                .map_err(|()| not_a_library("cannot read a universal binary slice"))?;
            let magic = slice.get(..4).map(|m| [m[0], m[1], m[2], m[3]]);
            if magic.is_some_and(|m| u32::from_be_bytes(m) & !1 == macho::FAT_MAGIC) {
                return Err(not_a_library("corrupt universal binary: nested slices"));
            }
            return check_image(slice, size, host);
        }
        found.push(macho_cpu_name(cpu));
    }
    Err(Refusal::WrongArchitecture {
        found: format!("a universal Mach-O binary for {}", found.join(", ")),
        expected: host.describe(),
    })
}

/// One Mach-O image: the whole file, or one slice of a universal binary.
fn check_image<'data, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    within("the Mach-O header", 0, 4, len)?;
    let magic = data
        .read_bytes_at(0, 4)
        .map_err(|()| not_a_library("cannot read the Mach-O header"))?;
    let magic = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
    if matches!(magic, macho::MH_MAGIC_64 | macho::MH_CIGAM_64) {
        check_as::<MachHeader64<Endianness>, R>(data, len, host)
    } else {
        check_as::<MachHeader32<Endianness>, R>(data, len, host)
    }
}

fn check_as<'data, Mach: MachHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    let header_size = size_of::<Mach>() as u64;
    within("the Mach-O header", 0, header_size, len)?;
    let header = Mach::parse(data, 0).map_err(corrupt(CORRUPT))?;
    let endian = header.endian().map_err(corrupt(CORRUPT))?;
    let cpu = header.cputype(endian);
    let (bits64, little) = (header.is_type_64(), header.is_little_endian());
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
        });
    }
    match header.filetype(endian) {
        macho::MH_DYLIB | macho::MH_BUNDLE => {}
        macho::MH_OBJECT => {
            return Err(not_a_library(
                "a Mach-O object file (.o), not a library; link it with -dynamiclib or -bundle",
            ))
        }
        macho::MH_EXECUTE => {
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
    within(
        "the Mach-O load commands",
        header_size,
        header.sizeofcmds(endian).into(),
        len,
    )?;
    let mut commands = header
        .load_commands(endian, data, 0)
        .map_err(corrupt(CORRUPT))?;
    // The flags of every section, in order: symbols name their section by
    // its 1-based index across all segments.
    let mut section_flags = Vec::new();
    let mut symtab = None;
    let mut index = 0;
    while let Some(command) = commands.next().map_err(corrupt(CORRUPT))? {
        if let Some((segment, section_data)) =
            Mach::Segment::from_command(command).map_err(corrupt(CORRUPT))?
        {
            let end = segment
                .fileoff(endian)
                .into()
                .saturating_add(segment.filesize(endian).into());
            if end > len {
                return Err(truncated(&format!("segment {index}"), end, len));
            }
            let sections = segment
                .sections(endian, section_data)
                .map_err(corrupt(CORRUPT))?;
            section_flags.extend(sections.iter().map(|s| s.flags(endian)));
        }
        if let Some(command) = command.symtab().map_err(corrupt(CORRUPT))? {
            symtab = Some(command);
        }
        index += 1;
    }
    let Some(symtab) = symtab else {
        return Ok(Vec::new());
    };
    let symbols = symtab
        .symbols::<Mach, R>(endian, data)
        .map_err(corrupt(CORRUPT))?;
    let mut exports = Vec::new();
    for symbol in symbols.iter() {
        let kind = symbol.n_type();
        // Exported: external, not private external, defined in a section.
        if kind & macho::N_STAB != 0
            || kind & macho::N_EXT == 0
            || kind & macho::N_PEXT != 0
            || kind & macho::N_TYPE != macho::N_SECT
        {
            continue;
        }
        let code = macho::S_ATTR_PURE_INSTRUCTIONS | macho::S_ATTR_SOME_INSTRUCTIONS;
        let kind = match usize::from(symbol.n_sect())
            .checked_sub(1)
            .and_then(|i| section_flags.get(i))
        {
            Some(flags) if flags & code != 0 => SymbolKind::Function,
            Some(_) => SymbolKind::Data,
            None => SymbolKind::Unknown,
        };
        let name = symbol
            .name(endian, symbols.strings())
            .map_err(corrupt(CORRUPT))?;
        if LINKER_DEFINED.contains(&name) {
            continue;
        }
        // C names get a leading underscore in Mach-O symbol tables.
        let name = name.strip_prefix(b"_").unwrap_or(name);
        if !name.is_empty() {
            exports.push(ExportedSymbol::new(name, kind));
        }
    }
    Ok(exports)
}
