//! What the dynamic loader of the platform this host was built for accepts.

use object::{elf, macho, pe};

/// The binary format a platform's loader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Elf,
    MachO,
    Pe,
}

impl Format {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Format::Elf => "an ELF shared library (Linux, BSD)",
            Format::MachO => "a Mach-O library (macOS, iOS)",
            Format::Pe => "a PE DLL (Windows)",
        }
    }
}

/// What the host's loader accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Host {
    /// `None` on platforms this module does not know: nothing is checked.
    pub(crate) format: Option<Format>,
    pub(crate) bits64: bool,
    pub(crate) little_endian: bool,
    /// The host's machine code in its format, when known; an unknown one
    /// skips the machine comparison but not the other checks.
    pub(crate) elf_machine: Option<u16>,
    pub(crate) macho_cpu: Option<u32>,
    pub(crate) pe_machine: Option<u16>,
}

impl Host {
    pub(crate) const CURRENT: Host = Host {
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
            Some(elf::EM_X86_64)
        } else if cfg!(target_arch = "x86") {
            Some(elf::EM_386)
        } else if cfg!(target_arch = "aarch64") {
            Some(elf::EM_AARCH64)
        } else if cfg!(target_arch = "arm") {
            Some(elf::EM_ARM)
        } else if cfg!(any(target_arch = "riscv64", target_arch = "riscv32")) {
            Some(elf::EM_RISCV)
        } else if cfg!(target_arch = "powerpc64") {
            Some(elf::EM_PPC64)
        } else if cfg!(target_arch = "powerpc") {
            Some(elf::EM_PPC)
        } else if cfg!(target_arch = "s390x") {
            Some(elf::EM_S390)
        } else if cfg!(target_arch = "loongarch64") {
            Some(elf::EM_LOONGARCH)
        } else {
            None
        },
        macho_cpu: if cfg!(target_arch = "x86_64") {
            Some(macho::CPU_TYPE_X86_64)
        } else if cfg!(target_arch = "aarch64") {
            if cfg!(target_pointer_width = "32") {
                Some(macho::CPU_TYPE_ARM64_32)
            } else {
                Some(macho::CPU_TYPE_ARM64)
            }
        } else if cfg!(target_arch = "x86") {
            Some(macho::CPU_TYPE_X86)
        } else if cfg!(target_arch = "arm") {
            Some(macho::CPU_TYPE_ARM)
        } else {
            None
        },
        pe_machine: if cfg!(target_arch = "x86_64") {
            Some(pe::IMAGE_FILE_MACHINE_AMD64)
        } else if cfg!(target_arch = "x86") {
            Some(pe::IMAGE_FILE_MACHINE_I386)
        } else if cfg!(target_arch = "aarch64") {
            Some(pe::IMAGE_FILE_MACHINE_ARM64)
        } else {
            None
        },
    };

    /// "an ELF shared library (Linux, BSD) for x86-64, 64-bit little-endian".
    pub(crate) fn describe(&self) -> String {
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

/// "64-bit little-endian".
pub(crate) fn word(bits64: bool, little_endian: bool) -> String {
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

pub(crate) fn elf_machine_name(machine: u16) -> String {
    match machine {
        elf::EM_386 => "x86 (i386)".to_owned(),
        elf::EM_MIPS => "MIPS".to_owned(),
        elf::EM_PPC => "PowerPC".to_owned(),
        elf::EM_PPC64 => "PowerPC64".to_owned(),
        elf::EM_S390 => "s390x".to_owned(),
        elf::EM_ARM => "ARM (32-bit)".to_owned(),
        elf::EM_SPARCV9 => "SPARC V9".to_owned(),
        elf::EM_X86_64 => "x86-64".to_owned(),
        elf::EM_AARCH64 => "AArch64 (arm64)".to_owned(),
        elf::EM_RISCV => "RISC-V".to_owned(),
        elf::EM_LOONGARCH => "LoongArch".to_owned(),
        elf::EM_NONE => "no machine (EM_NONE)".to_owned(),
        other => format!("ELF machine {other}"),
    }
}

pub(crate) fn macho_cpu_name(cpu: u32) -> String {
    match cpu {
        macho::CPU_TYPE_X86 => "x86 (i386)".to_owned(),
        macho::CPU_TYPE_X86_64 => "x86-64".to_owned(),
        macho::CPU_TYPE_ARM => "ARM (32-bit)".to_owned(),
        macho::CPU_TYPE_ARM64 => "arm64".to_owned(),
        macho::CPU_TYPE_ARM64_32 => "arm64_32".to_owned(),
        macho::CPU_TYPE_POWERPC => "PowerPC".to_owned(),
        macho::CPU_TYPE_POWERPC64 => "PowerPC64".to_owned(),
        other => format!("Mach-O CPU type {other:#x}"),
    }
}

pub(crate) fn pe_machine_name(machine: u16) -> String {
    match machine {
        pe::IMAGE_FILE_MACHINE_I386 => "x86 (i386)".to_owned(),
        pe::IMAGE_FILE_MACHINE_ARMNT => "ARM (32-bit)".to_owned(),
        pe::IMAGE_FILE_MACHINE_AMD64 => "x86-64".to_owned(),
        pe::IMAGE_FILE_MACHINE_ARM64 => "ARM64".to_owned(),
        other => format!("PE machine {other:#06x}"),
    }
}

/// A library of another platform's `format`, as its header describes it:
/// "a Mach-O library (macOS, iOS) for arm64, 64-bit little-endian". Only
/// the few header fields that name the machine are read (the file is not
/// otherwise checked: it cannot be loaded here anyway); when they cannot
/// be read, the format alone.
pub(crate) fn describe_foreign<'data, R: object::ReadRef<'data>>(
    data: R,
    format: Format,
) -> String {
    let bytes = |offset: u64, size: u64| data.read_bytes_at(offset, size).ok();
    let u16_at = |offset: u64, little: bool| {
        let b: [u8; 2] = bytes(offset, 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |offset: u64, little: bool| {
        let b: [u8; 4] = bytes(offset, 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let described = match format {
        Format::Elf => (|| {
            let ident = bytes(0, 6)?;
            let (bits64, little) = (ident[4] == elf::ELFCLASS64, ident[5] == elf::ELFDATA2LSB);
            Some((elf_machine_name(u16_at(18, little)?), bits64, little))
        })(),
        Format::MachO => (|| {
            let magic = u32_at(0, true)?;
            let little = matches!(magic, macho::MH_MAGIC | macho::MH_MAGIC_64);
            let bits64 = u32_at(0, little)? == macho::MH_MAGIC_64;
            Some((macho_cpu_name(u32_at(4, little)?), bits64, little))
        })(),
        Format::Pe => (|| {
            let header = u64::from(u32_at(0x3c, true)?);
            if bytes(header, 4)? != b"PE\0\0" {
                return None;
            }
            let machine = pe_machine_name(u16_at(header + 4, true)?);
            let bits64 = u16_at(header + 24, true)? == pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC;
            Some((machine, bits64, true))
        })(),
    };
    match described {
        Some((arch, bits64, little)) => {
            format!("{} for {arch}, {}", format.describe(), word(bits64, little))
        }
        None => format.describe().to_owned(),
    }
}
