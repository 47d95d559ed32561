//! Example plugin: `org.tenon.example.processor` in Rust.
//!
//! Behaves exactly like the C processor (`examples-c/processor`): `name()` is
//! `"crc32"`, and `process(input)` is the CRC-32 of `input` (IEEE 802.3,
//! reflected polynomial `0xEDB88320`, the checksum of zlib's `crc32`) as 4
//! bytes, most significant first. `b"123456789"` gives `CB F4 39 26`.
//!
//! Stateless and driven by a table computed at compile time, hence
//! thread-safe.

use tenon_example_interfaces::Processor;
use tenon_plugin::{CallResult, Host, Plugin};

/// The reflected CRC-32 polynomial of IEEE 802.3 and zlib.
const POLYNOMIAL: u32 = 0xEDB8_8320;

/// The CRC-32 of every byte value, computed by the compiler.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLYNOMIAL
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
};

/// The CRC-32 (IEEE, zlib-compatible) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| {
        (crc >> 8) ^ TABLE[usize::from((crc as u8) ^ byte)]
    })
}

/// A processor instance; it has no state.
struct Crc32;

impl Plugin for Crc32 {
    fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
        Ok(Crc32)
    }
}

impl Processor for Crc32 {
    fn name(&self) -> CallResult<String> {
        Ok("crc32".to_owned())
    }

    fn process(&self, input: &[u8]) -> CallResult<Vec<u8>> {
        Ok(crc32(input).to_be_bytes().to_vec())
    }
}

tenon_plugin::export! {
    plugin: Crc32,
    name: "processor-rust",
    version: env!("CARGO_PKG_VERSION"),
    description: "CRC-32 checksum processor (example plugin written in Rust)",
    thread_safe: true,
    interfaces: [dyn Processor],
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }
}
