//! What a library file says about whether it can be unloaded: read from its
//! bytes with the `object` crate, nothing mapped or run.

use object::elf::{self, FileHeader32, FileHeader64};
use object::read::elf::{Dyn, FileHeader, ProgramHeader, Sym};
use object::Endianness;

/// The facts of one ELF file that pin a library, or may.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// `DF_1_NODELETE` is set in the dynamic section (`-z nodelete`).
    pub nodelete: bool,
    /// The defined `STB_GNU_UNIQUE` symbols of the dynamic symbol table.
    pub unique: Vec<String>,
    /// It imports `__cxa_thread_atexit_impl` or `__cxa_thread_atexit`: it
    /// can register thread-local destructors.
    pub thread_atexit: bool,
}

/// Reads the facts of the ELF shared library `data`; `Err` says why not.
pub(crate) fn elf_facts(data: &[u8]) -> Result<Facts, String> {
    match data.get(4) {
        Some(&elf::ELFCLASS64) => facts_as::<FileHeader64<Endianness>>(data),
        Some(&elf::ELFCLASS32) => facts_as::<FileHeader32<Endianness>>(data),
        _ => Err("not an ELF file".to_owned()),
    }
}

fn facts_as<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Facts, String> {
    let bad = |e: object::read::Error| e.to_string();
    let header = Elf::parse(data).map_err(bad)?;
    let endian = header.endian().map_err(bad)?;
    let mut facts = Facts::default();
    // The dynamic segment is what the loader reads, so it is read here too
    // (section headers can be stripped; program headers cannot).
    for segment in header.program_headers(endian, data).map_err(bad)? {
        let Some(entries) = segment.dynamic(endian, data).map_err(bad)? else {
            continue;
        };
        for entry in entries {
            if entry.tag32(endian) == Some(elf::DT_FLAGS_1 as i32)
                && entry.val32(endian).unwrap_or(0) & elf::DF_1_NODELETE != 0
            {
                facts.nodelete = true;
            }
        }
    }
    let sections = header.sections(endian, data).map_err(bad)?;
    let symbols = sections
        .symbols(endian, data, elf::SHT_DYNSYM)
        .map_err(bad)?;
    for symbol in symbols.iter() {
        let name = symbol.name(endian, symbols.strings()).unwrap_or_default();
        if symbol.st_shndx(endian) == elf::SHN_UNDEF {
            if name == b"__cxa_thread_atexit_impl" || name == b"__cxa_thread_atexit" {
                facts.thread_atexit = true;
            }
        } else if symbol.st_bind() == elf::STB_GNU_UNIQUE {
            facts
                .unique
                .push(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(facts)
}
