//! PE (Windows): the header checks and the export directory.

use super::host::{pe_machine_name, Format, Host};
use super::refusal::{corrupt, not_a_library, truncated, within, Refusal};
use super::{ExportedSymbol, SymbolKind};
use object::pe::{self, ImageNtHeaders32, ImageNtHeaders64};
use object::read::pe::{ExportTarget, ImageNtHeaders, SectionTable};
use object::{LittleEndian as LE, ReadRef};
use std::mem::size_of;

const CORRUPT: &str = "PE";

/// Checks a PE file of `len` bytes for `host` and lists what it exports.
pub(crate) fn check<'data, R: ReadRef<'data>>(
    data: R,
    len: u64,
    host: &Host,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    within(
        "the DOS header",
        0,
        size_of::<pe::ImageDosHeader>() as u64,
        len,
    )?;
    let dos = pe::ImageDosHeader::parse(data).map_err(corrupt(CORRUPT))?;
    let nt = u64::from(dos.nt_headers_offset());
    // The signature and the COFF file header, which say what the file is
    // for; the optional header after them says where things are.
    within(
        "the PE header",
        nt,
        4 + size_of::<pe::ImageFileHeader>() as u64,
        len,
    )?;
    let signature = data
        .read_at::<object::U32<LE>>(nt)
        .map_err(|()| not_a_library("cannot read the PE header"))?;
    if signature.get(LE) != pe::IMAGE_NT_SIGNATURE {
        return Err(not_a_library(
            "a DOS program without a PE header, not a DLL",
        ));
    }
    let file_header = data
        .read_at::<pe::ImageFileHeader>(nt + 4)
        .map_err(|()| not_a_library("cannot read the PE header"))?;
    let machine = file_header.machine.get(LE);
    if let Some(expected) = host.pe_machine {
        if machine != expected {
            return Err(Refusal::WrongArchitecture {
                found: format!("{} for {}", Format::Pe.describe(), pe_machine_name(machine)),
                expected: host.describe(),
            });
        }
    }
    if file_header.characteristics.get(LE) & pe::IMAGE_FILE_DLL == 0 {
        return Err(not_a_library("a Windows executable, not a DLL"));
    }
    let sections_at = nt
        + 4
        + size_of::<pe::ImageFileHeader>() as u64
        + u64::from(file_header.size_of_optional_header.get(LE));
    let section_count = u64::from(file_header.number_of_sections.get(LE));
    within(
        "the PE section table",
        sections_at,
        size_of::<pe::ImageSectionHeader>() as u64 * section_count,
        len,
    )?;
    let sections = SectionTable::parse(file_header, data, sections_at).map_err(corrupt(CORRUPT))?;
    for (index, section) in sections.iter().enumerate() {
        let size = u64::from(section.size_of_raw_data.get(LE));
        let end = u64::from(section.pointer_to_raw_data.get(LE)) + size;
        if size > 0 && end > len {
            return Err(truncated(&format!("section {index}"), end, len));
        }
    }
    let magic = data
        .read_at::<object::U16<LE>>(nt + 4 + size_of::<pe::ImageFileHeader>() as u64)
        .map(|m| m.get(LE))
        .map_err(|()| not_a_library("cannot read the PE optional header"))?;
    if magic == pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC {
        exports::<ImageNtHeaders64, R>(data, nt, &sections)
    } else {
        exports::<ImageNtHeaders32, R>(data, nt, &sections)
    }
}

/// The named entries of the export directory. Where an export's address
/// lies tells its kind: in an executable section, code; elsewhere, data.
fn exports<'data, Pe: ImageNtHeaders, R: ReadRef<'data>>(
    data: R,
    nt: u64,
    sections: &SectionTable<'data>,
) -> Result<Vec<ExportedSymbol>, Refusal> {
    let mut offset = nt;
    let (_, directories) = Pe::parse(data, &mut offset).map_err(corrupt(CORRUPT))?;
    let Some(table) = directories
        .export_table(data, sections)
        .map_err(corrupt(CORRUPT))?
    else {
        return Ok(Vec::new());
    };
    let code = pe::IMAGE_SCN_MEM_EXECUTE | pe::IMAGE_SCN_CNT_CODE;
    let mut exports = Vec::new();
    for export in table.exports().map_err(corrupt(CORRUPT))? {
        let Some(name) = export.name else {
            continue;
        };
        let kind = match export.target {
            ExportTarget::Address(address) => match sections.section_containing(address) {
                Some(section) if section.characteristics.get(LE) & code != 0 => {
                    SymbolKind::Function
                }
                Some(_) => SymbolKind::Data,
                None => SymbolKind::Unknown,
            },
            // Forwarded to another DLL, whose file would say.
            _ => SymbolKind::Unknown,
        };
        exports.push(ExportedSymbol::new(name, kind));
    }
    Ok(exports)
}
