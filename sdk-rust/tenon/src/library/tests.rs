//! The header checks, on hand-made files of every format: one test per
//! refusal, each for a host of the format concerned.

use super::host::{Format, Host};
use super::refusal::Refusal;
use super::{check, ExportedSymbol, SymbolKind};
use object::{elf, macho, pe};

const X86_64_LINUX: Host = Host {
    format: Some(Format::Elf),
    bits64: true,
    little_endian: true,
    elf_machine: Some(elf::EM_X86_64),
    macho_cpu: None,
    pe_machine: None,
};

const ARM64_MAC: Host = Host {
    format: Some(Format::MachO),
    bits64: true,
    little_endian: true,
    elf_machine: None,
    macho_cpu: Some(macho::CPU_TYPE_ARM64),
    pe_machine: None,
};

const X64_WINDOWS: Host = Host {
    format: Some(Format::Pe),
    bits64: true,
    little_endian: true,
    elf_machine: None,
    macho_cpu: None,
    pe_machine: Some(pe::IMAGE_FILE_MACHINE_AMD64),
};

fn run(bytes: &[u8], host: &Host) -> Result<Vec<ExportedSymbol>, Refusal> {
    check(bytes, host)
}

fn passes(bytes: &[u8], host: &Host) {
    if let Err(refusal) = run(bytes, host) {
        panic!("refused: {refusal:?}");
    }
}

fn reason(bytes: &[u8], host: &Host) -> String {
    match run(bytes, host) {
        Err(Refusal::NotALibrary(reason)) => reason,
        other => panic!("expected NotALibrary, got {other:?}"),
    }
}

fn wrong_architecture(bytes: &[u8], host: &Host) -> (String, String) {
    match run(bytes, host) {
        Err(Refusal::WrongArchitecture { found, expected }) => (found, expected),
        other => panic!("expected WrongArchitecture, got {other:?}"),
    }
}

/// A minimal 64-bit little-endian ELF shared object: header, one PT_LOAD
/// program header covering `segment` bytes from offset 0, no sections.
fn elf64(machine: u16, kind: u16, segment: u64) -> Vec<u8> {
    let mut b = vec![0u8; 64 + 56];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = elf::ELFCLASS64;
    b[5] = elf::ELFDATA2LSB;
    b[6] = elf::EV_CURRENT;
    b[16..18].copy_from_slice(&kind.to_le_bytes());
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b[32..40].copy_from_slice(&64u64.to_le_bytes());
    b[52..54].copy_from_slice(&64u16.to_le_bytes());
    b[54..56].copy_from_slice(&56u16.to_le_bytes());
    b[56..58].copy_from_slice(&1u16.to_le_bytes());
    b[64..68].copy_from_slice(&elf::PT_LOAD.to_le_bytes());
    b[64 + 32..64 + 40].copy_from_slice(&segment.to_le_bytes());
    b
}

#[test]
fn a_well_formed_elf_library_passes() {
    let exports = run(&elf64(elf::EM_X86_64, elf::ET_DYN, 120), &X86_64_LINUX).unwrap();
    assert!(exports.is_empty(), "no section headers, no symbols");
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
    let (found, expected) =
        wrong_architecture(&elf64(elf::EM_AARCH64, elf::ET_DYN, 120), &X86_64_LINUX);
    assert!(found.contains("AArch64"), "{found}");
    assert!(expected.contains("x86-64"), "{expected}");
    let mut elf32 = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    elf32[4] = elf::ELFCLASS32;
    let (found, _) = wrong_architecture(&elf32, &X86_64_LINUX);
    assert!(found.contains("32-bit"), "{found}");
}

#[test]
fn invalid_elf_identification_is_not_a_library() {
    let mut class = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    class[4] = 7;
    assert!(reason(&class, &X86_64_LINUX).contains("invalid ELF class 7"));
    let mut encoding = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    encoding[5] = 9;
    assert!(reason(&encoding, &X86_64_LINUX).contains("data encoding 9"));
    let mut version = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    version[6] = 0;
    assert!(reason(&version, &X86_64_LINUX).contains("corrupt ELF"));
}

#[test]
fn object_files_and_executables_are_not_libraries() {
    assert!(reason(&elf64(elf::EM_X86_64, elf::ET_REL, 120), &X86_64_LINUX).contains("-shared"));
    assert!(
        reason(&elf64(elf::EM_X86_64, elf::ET_EXEC, 120), &X86_64_LINUX).contains("executable")
    );
}

#[test]
fn truncated_elf_files_are_refused() {
    let whole = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    for cut in [4, 20, 63, 64, 100, 119] {
        let why = reason(&whole[..cut], &X86_64_LINUX);
        assert!(why.contains("truncated"), "{cut}: {why}");
        assert!(why.contains(&format!("only {cut} bytes")), "{cut}: {why}");
    }
    let segment_past_the_end = elf64(elf::EM_X86_64, elf::ET_DYN, 4096);
    let why = reason(&segment_past_the_end, &X86_64_LINUX);
    assert!(why.contains("segment 0"), "{why}");
    assert!(why.contains("4096"), "{why}");
}

#[test]
fn a_section_table_past_the_end_is_truncated() {
    let mut b = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    b[40..48].copy_from_slice(&120u64.to_le_bytes());
    b[58..60].copy_from_slice(&64u16.to_le_bytes());
    b[60..62].copy_from_slice(&3u16.to_le_bytes());
    let why = reason(&b, &X86_64_LINUX);
    assert!(why.contains("section header table"), "{why}");
    assert!(why.contains("312"), "{why}");
}

#[test]
fn other_formats_are_named() {
    let macho = {
        let mut b = vec![0u8; 32];
        b[..4].copy_from_slice(&macho::MH_MAGIC_64.to_le_bytes());
        b[4..8].copy_from_slice(&macho::CPU_TYPE_ARM64.to_le_bytes());
        b[12..16].copy_from_slice(&macho::MH_DYLIB.to_le_bytes());
        b
    };
    let (found, _) = wrong_architecture(&macho, &X86_64_LINUX);
    assert!(found.contains("Mach-O"), "{found}");
    passes(&macho, &ARM64_MAC);
    let (found, expected) =
        wrong_architecture(&elf64(elf::EM_AARCH64, elf::ET_DYN, 120), &ARM64_MAC);
    assert!(found.contains("ELF"), "{found}");
    assert!(expected.contains("Mach-O"), "{expected}");
}

fn macho64(cpu: u32, segment_end: u64) -> Vec<u8> {
    let mut b = vec![0u8; 32 + 72];
    b[..4].copy_from_slice(&macho::MH_MAGIC_64.to_le_bytes());
    b[4..8].copy_from_slice(&cpu.to_le_bytes());
    b[12..16].copy_from_slice(&macho::MH_DYLIB.to_le_bytes());
    b[16..20].copy_from_slice(&1u32.to_le_bytes());
    b[20..24].copy_from_slice(&72u32.to_le_bytes());
    let c = 32;
    b[c..c + 4].copy_from_slice(&macho::LC_SEGMENT_64.to_le_bytes());
    b[c + 4..c + 8].copy_from_slice(&72u32.to_le_bytes());
    b[c + 48..c + 56].copy_from_slice(&segment_end.to_le_bytes());
    b
}

#[test]
fn mach_o_segments_and_cpus_are_checked() {
    passes(&macho64(macho::CPU_TYPE_ARM64, 104), &ARM64_MAC);
    let why = reason(&macho64(macho::CPU_TYPE_ARM64, 4096), &ARM64_MAC);
    assert!(why.contains("truncated"), "{why}");
    assert!(why.contains("segment 0"), "{why}");
    let (found, _) = wrong_architecture(&macho64(macho::CPU_TYPE_X86_64, 104), &ARM64_MAC);
    assert!(found.contains("x86-64"), "{found}");
    let why = reason(&macho64(macho::CPU_TYPE_ARM64, 104)[..60], &ARM64_MAC);
    assert!(why.contains("load commands"), "{why}");
}

#[test]
fn universal_binaries_need_the_host_slice() {
    let slice = macho64(macho::CPU_TYPE_X86_64, 104);
    let mut fat = vec![0u8; 28];
    fat[..4].copy_from_slice(&macho::FAT_MAGIC.to_be_bytes());
    fat[4..8].copy_from_slice(&1u32.to_be_bytes());
    fat[8..12].copy_from_slice(&macho::CPU_TYPE_X86_64.to_be_bytes());
    fat[16..20].copy_from_slice(&28u32.to_be_bytes());
    fat[20..24].copy_from_slice(&(slice.len() as u32).to_be_bytes());
    let mut file = fat.clone();
    file.extend_from_slice(&slice);
    let (found, _) = wrong_architecture(&file, &ARM64_MAC);
    assert!(found.contains("universal"), "{found}");
    assert!(found.contains("x86-64"), "{found}");
    let x86_mac = Host {
        macho_cpu: Some(macho::CPU_TYPE_X86_64),
        ..ARM64_MAC
    };
    passes(&file, &x86_mac);
    assert!(reason(&file[..60], &x86_mac).contains("truncated"));
    // A Java class file shares the magic.
    let class = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52];
    assert!(reason(&class, &x86_mac).contains("Java"));
}

/// A PE32+ file: DOS header, PE signature, COFF header, an optional
/// header without data directories, and one section of 16 bytes.
fn pe(machine: u16, characteristics: u16) -> Vec<u8> {
    let optional = 112u16;
    let sections = 0x98 + usize::from(optional);
    let mut b = vec![0u8; sections + 40];
    b[..2].copy_from_slice(b"MZ");
    b[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    b[0x80..0x84].copy_from_slice(b"PE\0\0");
    b[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
    b[0x86..0x88].copy_from_slice(&1u16.to_le_bytes());
    b[0x94..0x96].copy_from_slice(&optional.to_le_bytes());
    b[0x96..0x98].copy_from_slice(&characteristics.to_le_bytes());
    b[0x98..0x9a].copy_from_slice(&pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC.to_le_bytes());
    b[sections + 16..sections + 20].copy_from_slice(&16u32.to_le_bytes());
    b[sections + 20..sections + 24].copy_from_slice(&0x10u32.to_le_bytes());
    b
}

#[test]
fn pe_machines_and_dll_flag_are_checked() {
    let dll = pe::IMAGE_FILE_DLL;
    passes(&pe(pe::IMAGE_FILE_MACHINE_AMD64, dll), &X64_WINDOWS);
    let (found, _) = wrong_architecture(&pe(pe::IMAGE_FILE_MACHINE_ARM64, dll), &X64_WINDOWS);
    assert!(found.contains("ARM64"), "{found}");
    assert!(reason(&pe(pe::IMAGE_FILE_MACHINE_AMD64, 0), &X64_WINDOWS).contains("executable"));
    let why = reason(&pe(pe::IMAGE_FILE_MACHINE_AMD64, dll)[..100], &X64_WINDOWS);
    assert!(why.contains("truncated"), "{why}");
    let why = reason(
        &pe(pe::IMAGE_FILE_MACHINE_AMD64, dll)[..0x110],
        &X64_WINDOWS,
    );
    assert!(why.contains("section table"), "{why}");
    let mut dos = pe(pe::IMAGE_FILE_MACHINE_AMD64, dll);
    dos[0x80] = b'X';
    assert!(reason(&dos, &X64_WINDOWS).contains("DOS program"));
}

#[test]
fn unknown_platforms_check_nothing() {
    let unknown = Host {
        format: None,
        ..X86_64_LINUX
    };
    passes(b"text", &unknown);
    assert!(reason(b"", &unknown).contains("empty"));
}

#[test]
fn this_host_is_described() {
    let text = Host::CURRENT.describe();
    assert!(text.contains("-bit"), "{text}");
}

/// A Mach-O dylib with a code and a data section and a symbol table:
/// `(name, n_type, n_sect)` per symbol.
fn macho64_with_symbols(symbols: &[(&str, u8, u8)]) -> Vec<u8> {
    let segment = 72 + 2 * 80;
    let symtab_at = 32 + segment;
    let symbols_at = symtab_at + 24;
    let strings_at = symbols_at + 16 * symbols.len();
    let mut strings = vec![0u8];
    let mut b = vec![0u8; strings_at];
    for (index, (name, kind, section)) in symbols.iter().enumerate() {
        let at = symbols_at + 16 * index;
        b[at..at + 4].copy_from_slice(&(strings.len() as u32).to_le_bytes());
        b[at + 4] = *kind;
        b[at + 5] = *section;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
    }
    b.extend_from_slice(&strings);
    let len = b.len() as u64;
    let put = |b: &mut Vec<u8>, at: usize, value: u32| {
        b[at..at + 4].copy_from_slice(&value.to_le_bytes());
    };
    put(&mut b, 0, macho::MH_MAGIC_64);
    put(&mut b, 4, macho::CPU_TYPE_ARM64);
    put(&mut b, 12, macho::MH_DYLIB);
    put(&mut b, 16, 2);
    put(&mut b, 20, (segment + 24) as u32);
    put(&mut b, 32, macho::LC_SEGMENT_64);
    put(&mut b, 36, segment as u32);
    b[32 + 48..32 + 56].copy_from_slice(&len.to_le_bytes());
    put(&mut b, 32 + 64, 2);
    let sections = 32 + 72;
    put(
        &mut b,
        sections + 64,
        macho::S_ATTR_PURE_INSTRUCTIONS | macho::S_ATTR_SOME_INSTRUCTIONS,
    );
    put(&mut b, symtab_at, macho::LC_SYMTAB);
    put(&mut b, symtab_at + 4, 24);
    put(&mut b, symtab_at + 8, symbols_at as u32);
    put(&mut b, symtab_at + 12, symbols.len() as u32);
    put(&mut b, symtab_at + 16, strings_at as u32);
    put(&mut b, symtab_at + 20, strings.len() as u32);
    b
}

#[test]
fn mach_o_exports_are_external_defined_symbols_with_their_section_kind() {
    let exported = macho::N_SECT | macho::N_EXT;
    let file = macho64_with_symbols(&[
        ("_tenon_plugin_v1", exported, 1),
        ("_descriptor", exported, 2),
        ("_private_extern", exported | macho::N_PEXT, 1),
        ("_local", macho::N_SECT, 1),
        ("_imported", macho::N_UNDF | macho::N_EXT, 0),
        ("__mh_dylib_header", exported, 1),
    ]);
    let exports = run(&file, &ARM64_MAC).unwrap();
    let listed: Vec<(&str, SymbolKind)> = exports.iter().map(|e| (e.name(), e.kind())).collect();
    assert_eq!(
        listed,
        [
            ("tenon_plugin_v1", SymbolKind::Function),
            ("descriptor", SymbolKind::Data)
        ]
    );
}

/// [`elf64`] with a dynamic symbol table: `(name, st_info, st_other,
/// st_shndx)` per symbol, after the null symbol.
fn elf64_with_symbols(symbols: &[(&str, u8, u8, u16)]) -> Vec<u8> {
    let mut b = elf64(elf::EM_X86_64, elf::ET_DYN, 0);
    let mut dynstr = vec![0u8];
    let mut dynsym = vec![0u8; 24];
    for (name, info, other, shndx) in symbols {
        let mut sym = vec![0u8; 24];
        sym[..4].copy_from_slice(&(dynstr.len() as u32).to_le_bytes());
        sym[4] = *info;
        sym[5] = *other;
        sym[6..8].copy_from_slice(&shndx.to_le_bytes());
        dynsym.extend_from_slice(&sym);
        dynstr.extend_from_slice(name.as_bytes());
        dynstr.push(0);
    }
    let shstrtab = b"\0.dynsym\0.dynstr\0.shstrtab\0";
    let dynsym_at = b.len();
    b.extend_from_slice(&dynsym);
    let dynstr_at = b.len();
    b.extend_from_slice(&dynstr);
    let shstrtab_at = b.len();
    b.extend_from_slice(shstrtab);
    while b.len() % 8 != 0 {
        b.push(0);
    }
    let headers_at = b.len();
    let section = |name: u32, kind: u32, offset: usize, size: usize, link: u32, entsize: u64| {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(&name.to_le_bytes());
        h[4..8].copy_from_slice(&kind.to_le_bytes());
        h[24..32].copy_from_slice(&(offset as u64).to_le_bytes());
        h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
        h[40..44].copy_from_slice(&link.to_le_bytes());
        h[56..64].copy_from_slice(&entsize.to_le_bytes());
        h
    };
    b.extend_from_slice(&[0u8; 64]);
    b.extend(section(1, elf::SHT_DYNSYM, dynsym_at, dynsym.len(), 2, 24));
    b.extend(section(9, elf::SHT_STRTAB, dynstr_at, dynstr.len(), 0, 0));
    b.extend(section(
        17,
        elf::SHT_STRTAB,
        shstrtab_at,
        shstrtab.len(),
        0,
        0,
    ));
    b[40..48].copy_from_slice(&(headers_at as u64).to_le_bytes());
    b[58..60].copy_from_slice(&64u16.to_le_bytes());
    b[60..62].copy_from_slice(&4u16.to_le_bytes());
    b[62..64].copy_from_slice(&3u16.to_le_bytes());
    b
}

#[test]
fn elf_exports_are_visible_defined_dynamic_symbols_with_their_type() {
    let global = |kind: u8| (elf::STB_GLOBAL << 4) | kind;
    let text = 1;
    let file = elf64_with_symbols(&[
        (
            "tenon_plugin_v1",
            global(elf::STT_FUNC),
            elf::STV_DEFAULT,
            text,
        ),
        (
            "descriptor",
            global(elf::STT_OBJECT),
            elf::STV_DEFAULT,
            text,
        ),
        ("counter", global(elf::STT_TLS), elf::STV_PROTECTED, text),
        (
            "from_assembly",
            global(elf::STT_NOTYPE),
            elf::STV_DEFAULT,
            text,
        ),
        (
            "resolver",
            (elf::STB_WEAK << 4) | elf::STT_GNU_IFUNC,
            0,
            text,
        ),
        (
            "imported",
            global(elf::STT_FUNC),
            elf::STV_DEFAULT,
            elf::SHN_UNDEF,
        ),
        (
            "VERSION_1",
            global(elf::STT_OBJECT),
            elf::STV_DEFAULT,
            elf::SHN_ABS,
        ),
        ("hidden", global(elf::STT_FUNC), elf::STV_HIDDEN, text),
        ("local", (elf::STB_LOCAL << 4) | elf::STT_FUNC, 0, text),
        ("_init", global(elf::STT_FUNC), elf::STV_DEFAULT, text),
    ]);
    let exports = run(&file, &X86_64_LINUX).unwrap();
    let listed: Vec<(&str, SymbolKind)> = exports.iter().map(|e| (e.name(), e.kind())).collect();
    assert_eq!(
        listed,
        [
            ("tenon_plugin_v1", SymbolKind::Function),
            ("descriptor", SymbolKind::Data),
            ("counter", SymbolKind::Data),
            ("from_assembly", SymbolKind::Unknown),
            ("resolver", SymbolKind::Function),
        ]
    );
}

/// [`super::elf::plainly_loadable`] accepts only what
/// [`super::elf::check_headers`] passes: checked on a plain library, one
/// with a section table, and every one-byte change to their headers, at
/// every length.
#[test]
fn what_the_plain_reading_accepts_the_header_check_passes() {
    use super::elf::{check_headers, plainly_loadable, Headers};
    let plain = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    let mut with_sections = elf64(elf::EM_X86_64, elf::ET_DYN, 120);
    with_sections.resize(120 + 2 * 64, 0);
    with_sections[40..48].copy_from_slice(&120u64.to_le_bytes());
    with_sections[58..60].copy_from_slice(&64u16.to_le_bytes());
    with_sections[60..62].copy_from_slice(&2u16.to_le_bytes());
    let mut accepted = 0;
    for base in [&plain, &with_sections] {
        assert!(plainly_loadable(base, base.len() as u64, &X86_64_LINUX));
        for at in 0..120 {
            for value in [
                0u8,
                1,
                2,
                0x40,
                0x7f,
                0xff,
                base[at] ^ 1,
                base[at].wrapping_add(64),
            ] {
                let mut bytes = base.clone();
                bytes[at] = value;
                for len in [bytes.len(), 119, 64, 63] {
                    let (head, len) = (&bytes[..len.min(bytes.len())], len as u64);
                    if plainly_loadable(head, len, &X86_64_LINUX) {
                        accepted += 1;
                        assert_eq!(
                            check_headers(head, len, &X86_64_LINUX),
                            Ok(Headers::Passed),
                            "byte {at} = {value:#x}, {len} bytes"
                        );
                    }
                }
            }
        }
    }
    assert!(accepted > 1000, "{accepted}");
    assert!(
        !plainly_loadable(&plain, 120, &ARM64_MAC),
        "not an ELF host"
    );
}

/// Real libraries (this test program, on an ELF host where it is a
/// position-independent executable, has the header of one) are read
/// plainly, so the common load never needs `object` before the loader.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn a_real_elf_file_is_read_plainly_as_the_header_check_reads_it() {
    use super::elf::{check_headers, plainly_loadable, Headers};
    let bytes = std::fs::read("/proc/self/exe").unwrap();
    let mut dynamic = bytes.clone();
    // Whatever kind of executable the test is linked as, call it a library.
    dynamic[16..18].copy_from_slice(&elf::ET_DYN.to_le_bytes());
    let len = dynamic.len() as u64;
    let head = &dynamic[..4096.min(dynamic.len())];
    assert_eq!(check_headers(head, len, &X86_64_LINUX), Ok(Headers::Passed));
    assert!(plainly_loadable(head, len, &X86_64_LINUX));
    // Cut short, both refuse to pass it.
    assert!(!plainly_loadable(head, len / 2, &X86_64_LINUX));
    assert!(check_headers(head, len / 2, &X86_64_LINUX).is_err());
}
