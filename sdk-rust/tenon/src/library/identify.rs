//! Telling a file's format from its first bytes.
//!
//! Only the magic numbers are looked at here, so that a file of another
//! format is named for what it is (a Mach-O library on Linux is the wrong
//! platform, a text file is not a library at all) before any format's
//! reader is asked to make sense of it.

use object::macho;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identified {
    Elf,
    MachO,
    /// A Mach-O universal ("fat") binary.
    Fat,
    Pe,
    /// Something else, described.
    Other(String),
}

/// Identifies the file whose first (up to 64) bytes are `head`.
pub(crate) fn identify(head: &[u8]) -> Identified {
    let word = |at: usize| -> Option<[u8; 4]> { head.get(at..at + 4)?.try_into().ok() };
    if head.starts_with(b"\x7fELF") {
        return Identified::Elf;
    }
    if let Some(magic) = word(0) {
        let (le, be) = (u32::from_le_bytes(magic), u32::from_be_bytes(magic));
        if [le, be]
            .iter()
            .any(|m| matches!(*m, macho::MH_MAGIC | macho::MH_MAGIC_64))
        {
            return Identified::MachO;
        }
        if matches!(be, macho::FAT_MAGIC | macho::FAT_MAGIC_64) {
            // Java class files share the magic; their next word (the class
            // file version, 45 or more) is far more than the architectures
            // a universal binary holds.
            let count = word(4).map(u32::from_be_bytes);
            if count.is_some_and(|n| n < 45) {
                return Identified::Fat;
            }
            return Identified::Other("a Java class file".to_owned());
        }
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
