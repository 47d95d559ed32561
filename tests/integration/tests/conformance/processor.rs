//! The cases of `org.tenon.example.processor` as the examples implement it:
//! `name()` is `"crc32"` and `process(input)` is the CRC-32 of the input
//! (IEEE 802.3, zlib's `crc32`) as 4 bytes, most significant first.

use crate::harness::{case, check_ok, large_bytes, Case, Subject};
use tenon::Client;
use tenon_example_interfaces::Processor;

/// Every processor case.
pub const CASES: &[Case] = &[
    case("metadata", metadata),
    case("name", name),
    case("normal call: the check value", check_value),
    case("empty input", empty_input),
    case("large input (1 MiB)", large_input),
    case("non-ASCII UTF-8 input", non_ascii_input),
    case("every byte value", every_byte),
    case("instance independence", instance_independence),
    case("concurrent calls", concurrent_calls),
];

/// The reference CRC-32, bitwise (reflected polynomial 0xEDB88320), written
/// independently of every implementation under test.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn processes(processor: &Client<dyn Processor>, what: &str, input: &[u8]) -> Result<(), String> {
    check_ok(
        &format!("process({what})"),
        crc32(input).to_be_bytes().to_vec(),
        processor.process(input),
    )
}

fn with_processor(
    subject: &Subject,
    body: impl FnOnce(&Client<dyn Processor>) -> Result<(), String>,
) -> Result<(), String> {
    let instance = subject.instance()?;
    let processor = instance
        .interface::<dyn Processor>()
        .map_err(|error| format!("interface: {error} [{}]", error.kind()))?;
    body(&processor)
}

fn metadata(subject: &Subject) -> Result<(), String> {
    crate::check_metadata::<dyn Processor>(subject)
}

fn name(subject: &Subject) -> Result<(), String> {
    with_processor(subject, |processor| {
        check_ok("name()", "crc32".to_owned(), processor.name())?;
        // The name does not change with use.
        processes(processor, "b\"x\"", b"x")?;
        check_ok("name() again", "crc32".to_owned(), processor.name())
    })
}

fn check_value(subject: &Subject) -> Result<(), String> {
    // Also pins the reference itself to the published check value.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    with_processor(subject, |processor| {
        check_ok(
            "process(b\"123456789\")",
            vec![0xCB, 0xF4, 0x39, 0x26],
            processor.process(b"123456789"),
        )?;
        processes(
            processor,
            "b\"The quick brown fox jumps over the lazy dog\"",
            b"The quick brown fox jumps over the lazy dog",
        )
    })
}

fn empty_input(subject: &Subject) -> Result<(), String> {
    with_processor(subject, |processor| {
        check_ok("process(b\"\")", vec![0, 0, 0, 0], processor.process(b""))
    })
}

fn large_input(subject: &Subject) -> Result<(), String> {
    let large = large_bytes();
    with_processor(subject, |processor| {
        processes(processor, "1 MiB of pseudo-random bytes", &large)?;
        processes(processor, "1 MiB of zeros", &vec![0u8; 1 << 20])
    })
}

fn non_ascii_input(subject: &Subject) -> Result<(), String> {
    with_processor(subject, |processor| {
        let text = "Zoë 👋 世界";
        processes(processor, &format!("{text:?} as UTF-8"), text.as_bytes())
    })
}

fn every_byte(subject: &Subject) -> Result<(), String> {
    let bytes: Vec<u8> = (0..=255).collect();
    with_processor(subject, |processor| {
        processes(processor, "bytes 0..=255", &bytes)?;
        for byte in [0x00, 0x80, 0xFF] {
            processes(processor, &format!("[{byte:#04x}]"), &[byte])?;
        }
        Ok(())
    })
}

fn instance_independence(subject: &Subject) -> Result<(), String> {
    let first = subject.instance()?;
    let second = subject.instance()?;
    {
        let a = first
            .interface::<dyn Processor>()
            .map_err(|e| e.to_string())?;
        let b = second
            .interface::<dyn Processor>()
            .map_err(|e| e.to_string())?;
        processes(&a, "b\"first\"", b"first")?;
        processes(&b, "b\"second\"", b"second")?;
        processes(&a, "b\"first\"", b"first")?;
    }
    drop(first);
    let b = second
        .interface::<dyn Processor>()
        .map_err(|e| e.to_string())?;
    processes(
        &b,
        "b\"second\" after destroying the first instance",
        b"second",
    )
}

fn concurrent_calls(subject: &Subject) -> Result<(), String> {
    if !subject.plugin.info().thread_safe() {
        let instance = subject.instance()?;
        return std::thread::spawn(move || {
            let processor = instance
                .interface::<dyn Processor>()
                .map_err(|e| e.to_string())?;
            processes(&processor, "b\"thread\"", b"thread")
        })
        .join()
        .map_err(|_| "the calling thread panicked".to_owned())?;
    }
    let instance = subject.shared_instance()?;
    let processor = instance
        .interface::<dyn Processor>()
        .map_err(|e| e.to_string())?;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4u8)
            .map(|thread| {
                let processor = &processor;
                scope.spawn(move || {
                    (0..100u8).try_for_each(|i| {
                        let input = vec![thread; usize::from(i) * 7];
                        processes(
                            processor,
                            &format!("{} bytes of {thread} concurrently", input.len()),
                            &input,
                        )
                    })
                })
            })
            .collect();
        threads.into_iter().try_for_each(|thread| {
            thread
                .join()
                .map_err(|_| "a calling thread panicked".to_owned())?
        })
    })
}
