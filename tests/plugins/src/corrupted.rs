//! Plugin files with corrupted headers, for the tests that make sure such
//! a file is a load error and never the death of the process loading it.

use std::path::{Path, PathBuf};

use crate::c_plugin;

/// `count` copies of the C greeter (ELF64, little-endian: Linux on
/// x86_64) written into `dir`, each with a few bits flipped in its ELF
/// header and program headers, where a corrupted file can make the dynamic
/// loader itself crash. The flips come from a fixed seed per copy: the
/// same files on every run.
pub fn corrupted_elf_copies(dir: &Path, count: u64) -> Vec<PathBuf> {
    let original = std::fs::read(c_plugin("greeter")).expect("read the greeter plugin");
    assert_eq!(&original[..4], b"\x7fELF", "an ELF file");
    let field = |at: usize, size: usize| {
        let mut bytes = [0u8; 8];
        bytes[..size].copy_from_slice(&original[at..at + size]);
        u64::from_le_bytes(bytes) as usize
    };
    // e_phoff at 32, e_phentsize at 54, e_phnum at 56.
    let headers_end = field(32, 8) + field(54, 2) * field(56, 2);
    (0..count)
        .map(|seed| {
            let mut noise = Noise(seed);
            let mut bytes = original.clone();
            for _ in 0..[1, 2, 4, 8][noise.next(4)] {
                // Past the magic and class, which a host checks first.
                let at = 16 + noise.next(headers_end - 16);
                bytes[at] ^= 1 << noise.next(8);
            }
            let path = dir.join(format!("corrupted-{seed}.so"));
            std::fs::write(&path, bytes).expect("write a corrupted copy");
            path
        })
        .collect()
}

/// A linear congruential generator: noise, the same from the same seed.
struct Noise(u64);

impl Noise {
    /// A number below `below`.
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below
    }
}
