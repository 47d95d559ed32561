//! Load-time verification against every kind of malformed plugin.
//!
//! Each case is a file the host must refuse (or a request it must refuse)
//! with its own, exact error kind and a message that names the mistake,
//! without crashing: the last test loads every bad plugin in turn and then
//! a good one, in the same process.
//!
//! The C fixtures are `tests/fixtures/*.c`, compiled by `tenon-test-plugins`
//! when first asked for; files that are not libraries
//! (empty, truncated, patched for another architecture) are written here,
//! into this test's scratch directory. A library cross-compiled for another
//! architecture needs zig (`zig` on PATH, or `pip install ziglang`); without
//! it that one case prints `TOOLCHAIN MISSING: zig` and is skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1` makes that a failure. The same goes for the
//! C++ fixture (`tests/fixtures/throwing_cpp.cpp`) without a C++ compiler
//! (`TOOLCHAIN MISSING: c++`).

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{
    have_cpp, include_args, library_name, load_error, repo_root, scratch, toolchain_missing,
};
use tenon::{Error, Plugin, Status};
use tenon_example_interfaces::{sys, Greeter, Kv, Processor};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_fixture, rust_plugin, zig_command};

/// Asserts that loading `path` fails with `kind` and a message containing
/// every one of `words`; returns the error.
fn assert_load_fails(path: impl AsRef<Path>, kind: &str, words: &[&str]) -> Error {
    let error = load_error(path);
    assert_eq!(error.kind(), kind, "wrong kind for: {error}");
    let message = error.to_string();
    for word in words {
        assert!(message.contains(word), "{word:?} not in: {message}");
    }
    error
}

/// Writes `bytes` as a library-named file in `dir`.
fn write_library(dir: &Path, stem: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(library_name(stem));
    std::fs::write(&path, bytes).expect("write scratch library");
    path
}

fn good_greeter_bytes() -> Vec<u8> {
    std::fs::read(c_plugin("greeter")).expect("read the C greeter")
}

// ---------------------------------------------------------------------------
// 1-3: files that are not loadable plugins
// ---------------------------------------------------------------------------

#[test]
fn a_missing_path_is_file_not_found() {
    assert_load_fails(
        "/nonexistent/tenon/libnothing.so",
        "file_not_found",
        &["/nonexistent/tenon/libnothing.so", "no such file"],
    );
}

#[test]
fn a_text_file_is_not_a_library() {
    assert_load_fails(
        c_fixture("not_a_library"),
        "not_a_library",
        &["text file", "This is not"],
    );
}

#[test]
fn an_empty_file_is_not_a_library() {
    let path = write_library(&scratch("empty"), "empty", b"");
    assert_load_fails(path, "not_a_library", &["empty"]);
}

#[test]
fn a_directory_is_not_a_library() {
    assert_load_fails(
        scratch("directory"),
        "not_a_library",
        &["not a regular file"],
    );
}

#[test]
fn the_first_100_bytes_of_a_plugin_are_not_a_library() {
    let bytes = good_greeter_bytes();
    let path = write_library(&scratch("truncated_100"), "truncated", &bytes[..100]);
    assert_load_fails(path, "not_a_library", &["truncated", "100 bytes"]);
}

/// A library cut after its headers: the loader would map segments that run
/// past the end of the file, and the first touch of a missing page would
/// kill the host with SIGBUS. The header check refuses it first.
#[test]
fn a_plugin_cut_in_the_middle_is_not_a_library() {
    let bytes = good_greeter_bytes();
    let dir = scratch("truncated_half");
    let path = write_library(&dir, "truncated", &bytes[..bytes.len() / 2]);
    assert_load_fails(path, "not_a_library", &["truncated"]);
}

/// A header field that contradicts the format (here the ELF section header
/// entry size) is refused as corrupt before the loader reads the file. The
/// loader itself ignores section headers and would load this one; the host
/// refuses it all the same, since something damaged the file, and the list
/// of exports (read from the sections) could not be trusted.
#[test]
fn a_plugin_with_a_corrupt_elf_header_is_not_a_library() {
    let mut bytes = good_greeter_bytes();
    if !bytes.starts_with(b"\x7fELF") {
        return;
    }
    let (little, bits64) = (bytes[5] == 1, bytes[4] == 2);
    let at = if bits64 { 58 } else { 46 };
    let size: u16 = 63;
    let field = if little {
        size.to_le_bytes()
    } else {
        size.to_be_bytes()
    };
    bytes[at..at + 2].copy_from_slice(&field);
    let path = write_library(&scratch("corrupt_header"), "corrupt", &bytes);
    assert_load_fails(
        path,
        "not_a_library",
        &["corrupt ELF file", "section header"],
    );
}

/// The machine field of a copy of a real plugin, patched to another
/// architecture than this host's: ELF `e_machine`, Mach-O `cputype` or PE
/// `Machine`. Returns the patched bytes and the architecture's name as the
/// error message spells it.
fn patch_architecture(mut bytes: Vec<u8>) -> (Vec<u8>, &'static str) {
    const EM_X86_64: u16 = 62;
    const EM_AARCH64: u16 = 183;
    if bytes.starts_with(b"\x7fELF") {
        let little = bytes[5] == 1;
        let current = if little {
            u16::from_le_bytes([bytes[18], bytes[19]])
        } else {
            u16::from_be_bytes([bytes[18], bytes[19]])
        };
        let (other, name) = if current == EM_AARCH64 {
            (EM_X86_64, "x86-64")
        } else {
            (EM_AARCH64, "AArch64")
        };
        let field = if little {
            other.to_le_bytes()
        } else {
            other.to_be_bytes()
        };
        bytes[18..20].copy_from_slice(&field);
        return (bytes, name);
    }
    if bytes.starts_with(b"MZ") {
        let pe = u32::from_le_bytes([bytes[0x3c], bytes[0x3d], bytes[0x3e], bytes[0x3f]]) as usize;
        let current = u16::from_le_bytes([bytes[pe + 4], bytes[pe + 5]]);
        let (other, name) = if current == 0xaa64 {
            (0x8664u16, "x86-64")
        } else {
            (0xaa64u16, "ARM64")
        };
        bytes[pe + 4..pe + 6].copy_from_slice(&other.to_le_bytes());
        return (bytes, name);
    }
    // Mach-O, little-endian (every Apple platform Rust targets).
    let current = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let (other, name) = if current == 0x0100_000c {
        (0x0100_0007u32, "x86-64")
    } else {
        (0x0100_000cu32, "arm64")
    };
    bytes[4..8].copy_from_slice(&other.to_le_bytes());
    (bytes, name)
}

#[test]
fn a_plugin_patched_for_another_architecture_is_wrong_architecture() {
    let (bytes, arch) = patch_architecture(good_greeter_bytes());
    let path = write_library(&scratch("patched_arch"), "other_arch", &bytes);
    // The loader would say "wrong ELF class" or similar and give
    // not_a_library; the header check must fire first.
    let error = assert_load_fails(path, "wrong_architecture", &[arch, "this host loads"]);
    match error {
        Error::WrongArchitecture {
            found, expected, ..
        } => {
            assert!(found.contains(arch), "{found}");
            assert!(!expected.contains(arch), "{expected}");
        }
        other => panic!("expected WrongArchitecture, got {other:?}"),
    }
}

/// A real library for another architecture, cross-compiled with zig from
/// the C greeter: compiled to an object, linked by zig's lld with no C
/// runtime (which would take a minute to build for a new target, and is
/// not needed: the library is never run).
#[test]
fn a_plugin_cross_compiled_for_another_architecture_is_wrong_architecture() {
    if !cfg!(target_os = "linux") {
        let _ = writeln!(
            std::io::stderr(),
            "note: the zig cross-compiled fixture is built on Linux only; the patched one covers this platform"
        );
        return;
    }
    let zig = match zig_command() {
        Ok(zig) => zig,
        Err(error) => {
            toolchain_missing("zig", &error.to_string());
            return;
        }
    };
    let (target, arch) = if cfg!(target_arch = "aarch64") {
        ("x86_64-linux-gnu", "x86-64")
    } else {
        ("aarch64-linux-gnu", "AArch64")
    };
    let dir = scratch("zig_cross");
    let object = dir.join("greeter.o");
    let library = dir.join(library_name("greeter_other_arch"));
    let run = |args: &[String]| {
        support::run(
            &format!("zig {args:?}"),
            Command::new(&zig[0]).args(&zig[1..]).args(args),
        )
        .unwrap_or_else(|message| panic!("{message}"));
    };
    let mut compile: Vec<String> = ["cc", "-target", target, "-c", "-O2", "-fPIC"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    compile.extend(["-fvisibility=hidden", "-std=c99", "-Wall", "-Werror"].map(String::from));
    compile.extend(include_args());
    compile.push(
        repo_root()
            .join("examples-c/greeter/greeter.c")
            .display()
            .to_string(),
    );
    compile.extend(["-o".to_owned(), object.display().to_string()]);
    run(&compile);
    run(&[
        "ld.lld".to_owned(),
        "-shared".to_owned(),
        "-o".to_owned(),
        library.display().to_string(),
        object.display().to_string(),
    ]);
    assert_load_fails(&library, "wrong_architecture", &[arch, "ELF"]);
}

// ---------------------------------------------------------------------------
// 4-7: entry and descriptor
// ---------------------------------------------------------------------------

#[test]
fn a_library_without_the_entry_is_missing_entry() {
    assert_load_fails(c_fixture("no_entry"), "missing_entry", &["tenon_plugin_v1"]);
}

/// `tests/fixtures/entry_is_data.c` exports the descriptor itself as
/// `tenon_plugin_v1`. `dlsym` finds it like a function; calling it would
/// jump into data. The file says it is data, and the host reads that first.
#[test]
fn a_data_symbol_exported_as_the_entry_is_entry_not_a_function() {
    let path = c_fixture("entry_is_data");
    let file = tenon::LibraryFile::read(&path).expect("the file itself is a good library");
    let entry = file
        .export("tenon_plugin_v1")
        .expect("it exports the entry's name");
    assert_eq!(entry.kind(), tenon::SymbolKind::Data);
    match assert_load_fails(
        &path,
        "entry_not_a_function",
        &["tenon_plugin_v1", "as data, not as a function"],
    ) {
        Error::EntryNotAFunction { symbol, .. } => assert_eq!(symbol, "tenon_plugin_v1"),
        other => panic!("expected EntryNotAFunction, got {other:?}"),
    }
    let good = tenon::LibraryFile::read(c_plugin("greeter")).unwrap();
    assert_eq!(
        good.export("tenon_plugin_v1").map(|e| e.kind()),
        Some(tenon::SymbolKind::Function)
    );
}

/// ELF section headers (with the export table `LibraryFile` reads) are
/// not needed to load a library, and `strip` can remove them: then the
/// file says nothing about the entry's kind. Where the host reads the kind
/// from the loaded image (Linux with glibc), the data entry is refused all
/// the same, before it is called; elsewhere loading it would call data,
/// so only the file's silence is checked.
#[test]
fn a_data_entry_in_a_file_without_section_headers_is_entry_not_a_function() {
    let mut bytes = std::fs::read(c_fixture("entry_is_data")).expect("read the fixture");
    if !bytes.starts_with(b"\x7fELF") || bytes[4] != 2 || bytes[5] != 1 {
        return;
    }
    // e_shoff, e_shnum and e_shstrndx of a 64-bit little-endian header.
    bytes[40..48].copy_from_slice(&0u64.to_le_bytes());
    bytes[60..64].copy_from_slice(&[0; 4]);
    let path = write_library(&scratch("entry_data_no_sections"), "no_sections", &bytes);
    let file = tenon::LibraryFile::read(&path).expect("the file itself is a good library");
    assert!(file.exports().is_empty(), "{:?}", file.exports());
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        let _ = writeln!(
            std::io::stderr(),
            "note: the entry's kind is read from the loaded image with glibc only; not loaded here"
        );
        return;
    }
    assert_load_fails(
        &path,
        "entry_not_a_function",
        &["tenon_plugin_v1", "as data, not as a function"],
    );
}

/// Where the host reads the entry's kind from the loaded image (Linux with
/// glibc), loading reads a file's ELF header and program headers only, as
/// the loader does, not its section table: a library whose section table
/// holds nonsense (here its string table index) still loads and works,
/// while `LibraryFile::read` (what `tenon check` and `tenon inspect` use)
/// refuses it. Elsewhere loading refuses it too.
#[test]
fn a_damaged_section_table_is_left_to_the_reader_where_the_image_is_read() {
    let mut bytes = good_greeter_bytes();
    if !bytes.starts_with(b"\x7fELF") || bytes[4] != 2 || bytes[5] != 1 {
        return;
    }
    // e_shstrndx, past the section count (and not SHN_XINDEX).
    bytes[62..64].copy_from_slice(&0xfff0u16.to_le_bytes());
    let path = write_library(&scratch("damaged_sections"), "damaged_sections", &bytes);
    let read = tenon::LibraryFile::read(&path).expect_err("the reader refuses it");
    assert_eq!(read.kind(), "not_a_library", "{read}");
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let plugin = Plugin::load(&path).expect("the loader never reads sections");
        let instance = plugin.instantiate("").unwrap();
        support::check_greets(&instance, "sections").unwrap();
    } else {
        assert_load_fails(&path, "not_a_library", &["corrupt ELF file"]);
    }
}

#[test]
fn an_entry_returning_null_is_null_descriptor() {
    assert_load_fails(c_fixture("null_descriptor"), "null_descriptor", &["NULL"]);
}

/// Reading a misaligned struct is undefined behaviour in Rust even where
/// the processor tolerates it, so each is refused before it is read.
#[test]
fn a_descriptor_at_an_odd_address_is_misaligned() {
    match assert_load_fails(
        c_fixture("misaligned_descriptor"),
        "misaligned",
        &["the descriptor", "not a multiple of"],
    ) {
        Error::Misaligned { address, align, .. } => {
            assert_eq!(
                align,
                std::mem::align_of::<tenon::sys::tenon_plugin_descriptor>()
            );
            assert_ne!(address % align, 0);
        }
        other => panic!("expected Misaligned, got {other:?}"),
    }
}

#[test]
fn a_vtable_at_an_odd_address_is_misaligned() {
    match assert_load_fails(
        c_fixture("misaligned_vtable"),
        "misaligned",
        &[
            "the vtable of interface entry 0",
            "org.tenon.example.greeter",
        ],
    ) {
        Error::Misaligned { address, align, .. } => assert_ne!(address % align, 0),
        other => panic!("expected Misaligned, got {other:?}"),
    }
}

#[test]
fn another_abi_major_is_abi_mismatch() {
    let error = assert_load_fails(c_fixture("abi_v2"), "abi_mismatch", &["ABI 2.x"]);
    assert!(matches!(
        error,
        Error::AbiMismatch {
            plugin_major: 2,
            host_major: 1,
            ..
        }
    ));
}

#[test]
fn a_descriptor_smaller_than_abi_1_0_is_descriptor_too_small() {
    let error = assert_load_fails(
        c_fixture("descriptor_too_small"),
        "descriptor_too_small",
        &["struct_size"],
    );
    match error {
        Error::DescriptorTooSmall { size, minimum, .. } => {
            assert_eq!(
                size as usize,
                std::mem::offset_of!(tenon::sys::tenon_plugin_descriptor, interface_count)
            );
            assert_eq!(minimum, size_of::<tenon::sys::tenon_plugin_descriptor>());
        }
        other => panic!("expected DescriptorTooSmall, got {other:?}"),
    }
}

/// A plugin built against a newer minor (larger structs, an appended
/// vtable method, an unknown flag bit) loads, and the extra fields are
/// ignored.
#[test]
fn a_plugin_built_for_a_newer_minor_loads_and_its_extra_fields_are_ignored() {
    let plugin = Plugin::load(c_fixture("newer_minor")).expect("a newer minor must load");
    let info = plugin.info();
    assert_eq!(info.name, "fixture-newer-minor");
    assert_eq!((info.abi.major, info.abi.minor), (1, 3));
    assert!(info.thread_safe(), "the known flag is read");
    assert_eq!(
        info.flags,
        1 | (1 << 40),
        "unknown bits are kept, not refused"
    );
    assert_eq!(info.interfaces.len(), 1);
    assert!(
        info.interfaces[0].vtable_size as usize > size_of::<sys::example_greeter_v1>(),
        "the vtable is the newer, larger one"
    );
    let instance = plugin.instantiate_shared("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("future").unwrap(), "Hello, future!");
}

// ---------------------------------------------------------------------------
// 9-10: metadata
// ---------------------------------------------------------------------------

fn assert_invalid_metadata(fixture: &str, expected_field: &str, problem: &str) {
    match assert_load_fails(c_fixture(fixture), "invalid_metadata", &[problem]) {
        Error::InvalidMetadata { field, .. } => assert_eq!(field, expected_field, "{fixture}"),
        other => panic!("{fixture}: expected InvalidMetadata, got {other:?}"),
    }
}

#[test]
fn a_null_name_is_invalid_metadata() {
    assert_invalid_metadata("null_name", "name", "is NULL");
}

#[test]
fn an_empty_name_is_invalid_metadata() {
    assert_invalid_metadata("empty_name", "name", "is empty");
}

#[test]
fn a_name_that_is_not_utf8_is_invalid_metadata() {
    assert_invalid_metadata("non_utf8_name", "name", "not valid UTF-8");
}

#[test]
fn a_null_version_is_invalid_metadata() {
    assert_invalid_metadata("null_version", "version", "is NULL");
}

#[test]
fn a_version_that_is_not_utf8_is_invalid_metadata() {
    assert_invalid_metadata("non_utf8_version", "version", "not valid UTF-8");
}

#[test]
fn a_null_create_is_invalid_metadata() {
    assert_invalid_metadata("null_create", "create", "is NULL");
}

#[test]
fn a_version_that_is_not_semver_is_invalid_version() {
    match assert_load_fails(
        c_fixture("not_semver"),
        "invalid_version",
        &["\"1.0\"", "semantic version"],
    ) {
        Error::InvalidVersion { version, .. } => assert_eq!(version, "1.0"),
        other => panic!("expected InvalidVersion, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 11: the interface table
// ---------------------------------------------------------------------------

#[test]
fn a_null_interface_id_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_null_id"),
        "invalid_interface_table",
        &["entry 0: id is NULL"],
    );
}

#[test]
fn a_null_vtable_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_null_vtable"),
        "invalid_interface_table",
        &["org.tenon.example.greeter", "vtable is NULL"],
    );
}

#[test]
fn a_duplicate_interface_id_and_version_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_duplicate_id"),
        "invalid_interface_table",
        &["org.tenon.example.greeter", "more than once at version 1"],
    );
}

/// One id at two versions is not a duplicate: a build may serve hosts of
/// both (`multiversion.rs` calls each).
#[test]
fn one_id_at_two_versions_loads() {
    let plugin = Plugin::load(c_fixture("evolve_v1_v2")).unwrap();
    let versions: Vec<u32> = plugin.info().interfaces.iter().map(|i| i.version).collect();
    assert_eq!(versions, [1, 2]);
}

#[test]
fn a_count_larger_than_the_table_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_count_too_large"),
        "invalid_interface_table",
        &["entry 1 is NULL but interface_count is 2"],
    );
}

#[test]
fn a_count_smaller_than_the_table_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_count_too_small"),
        "invalid_interface_table",
        &["interface_count is 1 but entry 1 is not the NULL terminator"],
    );
}

#[test]
fn a_null_table_with_a_count_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_table_null"),
        "invalid_interface_table",
        &["interface_count is 1 but interfaces is NULL"],
    );
}

#[test]
fn an_interface_entry_smaller_than_abi_1_0_is_an_invalid_interface_table() {
    assert_load_fails(
        c_fixture("interface_entry_too_small"),
        "invalid_interface_table",
        &["entry 0 has struct_size"],
    );
}

// ---------------------------------------------------------------------------
// 12-14: asking for an interface
// ---------------------------------------------------------------------------

#[test]
fn an_interface_the_plugin_does_not_offer_is_interface_not_found() {
    let plugin = Plugin::load(c_fixture("no_interfaces")).expect("offering nothing is valid");
    assert!(plugin.info().interfaces.is_empty());
    let error = plugin.require::<dyn Greeter>().unwrap_err();
    assert_eq!(error.kind(), "interface_not_found");
    assert!(error.to_string().contains("it offers: nothing"), "{error}");

    let instance = Plugin::load(c_plugin("processor"))
        .unwrap()
        .instantiate("")
        .unwrap();
    let error = instance.interface::<dyn Kv>().unwrap_err();
    assert_eq!(error.kind(), "interface_not_found");
    assert!(
        error.to_string().contains("org.tenon.example.processor"),
        "names what it offers: {error}"
    );
}

#[test]
fn an_interface_at_another_version_is_interface_version_mismatch() {
    let plugin = Plugin::load(c_fixture("greeter_v2")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    match instance.interface::<dyn Greeter>().unwrap_err() {
        Error::InterfaceVersionMismatch {
            id,
            offered,
            requested,
            ..
        } => {
            assert_eq!(id, "org.tenon.example.greeter");
            assert_eq!((offered, requested), (2, 1));
        }
        other => panic!("expected InterfaceVersionMismatch, got {other:?}"),
    }
}

#[test]
fn a_vtable_smaller_than_the_declaration_is_vtable_too_small() {
    let plugin = Plugin::load(c_fixture("vtable_too_small")).unwrap();
    let error = plugin.require::<dyn Greeter>().unwrap_err();
    assert_eq!(error.kind(), "vtable_too_small", "{error}");
    let instance = plugin.instantiate("").unwrap();
    match instance.interface::<dyn Greeter>().unwrap_err() {
        Error::VtableTooSmall { size, required, .. } => {
            assert_eq!(size, 4);
            assert_eq!(required, size_of::<sys::example_greeter_v1>());
        }
        other => panic!("expected VtableTooSmall, got {other:?}"),
    }
}

#[test]
fn a_null_method_is_null_slot() {
    let plugin = Plugin::load(c_fixture("null_slot")).unwrap();
    match plugin.require::<dyn Greeter>().unwrap_err() {
        Error::NullSlot { method, .. } => assert_eq!(method, "greet"),
        other => panic!("expected NullSlot, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 15-16: create and calls
// ---------------------------------------------------------------------------

#[test]
fn a_failing_create_is_create_failed_with_its_message() {
    let plugin = Plugin::load(c_fixture("create_fails")).unwrap();
    let error = plugin.instantiate("refuse me").unwrap_err();
    assert_eq!(error.kind(), "create_failed");
    assert!(
        error
            .to_string()
            .contains("create refused: config must be empty"),
        "the plugin's message reaches the user: {error}"
    );
    assert!(matches!(
        error,
        Error::CreateFailed {
            status: Status::INVALID_ARGUMENT,
            ..
        }
    ));
}

#[test]
fn a_panicking_rust_method_is_a_panic_status_and_the_instance_goes_on() {
    let plugin = Plugin::load(rust_plugin("panicking-rust").expect("fixture builds")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("panic").unwrap_err();
    assert_eq!(error.kind_name(), "panic");
    assert_eq!(error.status(), Status::PANIC);
    assert!(error.message().contains("asked to greet"), "{error}");
    let error = Error::from(error);
    assert_eq!(error.kind(), "call_failed");
    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");
}

/// `tests/fixtures/throwing_cpp.cpp`: exceptions become statuses at the
/// boundary (tenon/plugin.hpp), in methods and in create.
#[test]
fn a_throwing_cpp_method_is_a_panic_status_and_the_instance_goes_on() {
    if !have_cpp() {
        return;
    }
    let plugin = Plugin::load(cpp_fixture("throwing_cpp")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("throw").unwrap_err();
    assert_eq!(error.kind_name(), "panic");
    assert_eq!(error.message(), "asked to greet \"throw\"");
    let error = greeter.greet("throw int").unwrap_err();
    assert_eq!(error.kind_name(), "panic");
    assert_eq!(error.message(), "unknown C++ exception");
    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");

    let error = plugin.instantiate("throw").unwrap_err();
    assert_eq!(error.kind(), "create_failed");
    assert!(
        error.to_string().contains("create was told to throw"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------
// The host is unharmed
// ---------------------------------------------------------------------------

/// Every fixture that fails at load, with its kind.
const LOAD_FAILURES: &[(&str, &str)] = &[
    ("not_a_library", "not_a_library"),
    ("no_entry", "missing_entry"),
    ("entry_is_data", "entry_not_a_function"),
    ("null_descriptor", "null_descriptor"),
    ("misaligned_descriptor", "misaligned"),
    ("misaligned_vtable", "misaligned"),
    ("abi_v2", "abi_mismatch"),
    ("descriptor_too_small", "descriptor_too_small"),
    ("null_name", "invalid_metadata"),
    ("empty_name", "invalid_metadata"),
    ("non_utf8_name", "invalid_metadata"),
    ("null_version", "invalid_metadata"),
    ("non_utf8_version", "invalid_metadata"),
    ("null_create", "invalid_metadata"),
    ("not_semver", "invalid_version"),
    ("interface_null_id", "invalid_interface_table"),
    ("interface_null_vtable", "invalid_interface_table"),
    ("interface_duplicate_id", "invalid_interface_table"),
    ("interface_count_too_large", "invalid_interface_table"),
    ("interface_count_too_small", "invalid_interface_table"),
    ("interface_table_null", "invalid_interface_table"),
    ("interface_entry_too_small", "invalid_interface_table"),
];

#[test]
fn a_good_plugin_loads_after_every_bad_one_in_the_same_process() {
    let dir = scratch("all_bad_then_good");
    let greeter_bytes = good_greeter_bytes();
    let mut failures = Vec::new();
    for (fixture, kind) in LOAD_FAILURES {
        let error = load_error(c_fixture(fixture));
        if error.kind() != *kind {
            failures.push(format!("{fixture}: expected {kind}, got {error}"));
        }
    }
    let written: [(&str, Vec<u8>, &str); 4] = [
        ("empty", Vec::new(), "not_a_library"),
        ("cut_100", greeter_bytes[..100].to_vec(), "not_a_library"),
        (
            "cut_half",
            greeter_bytes[..greeter_bytes.len() / 2].to_vec(),
            "not_a_library",
        ),
        (
            "other_arch",
            patch_architecture(greeter_bytes.clone()).0,
            "wrong_architecture",
        ),
    ];
    for (stem, bytes, kind) in written {
        let error = load_error(write_library(&dir, stem, &bytes));
        if error.kind() != kind {
            failures.push(format!("{stem}: expected {kind}, got {error}"));
        }
    }
    if load_error("/nonexistent/libx.so").kind() != "file_not_found" {
        failures.push("missing path".to_owned());
    }
    // Loaded, then refused at use.
    let refused_at_use: [(&str, &str); 4] = [
        ("no_interfaces", "interface_not_found"),
        ("greeter_v2", "interface_version_mismatch"),
        ("vtable_too_small", "vtable_too_small"),
        ("null_slot", "null_slot"),
    ];
    for (fixture, kind) in refused_at_use {
        let plugin = Plugin::load(c_fixture(fixture)).unwrap();
        let got = plugin.require::<dyn Greeter>().unwrap_err().kind();
        if got != kind {
            failures.push(format!("{fixture}: expected {kind}, got {got}"));
        }
    }
    let create_fails = Plugin::load(c_fixture("create_fails")).unwrap();
    assert_eq!(
        create_fails.instantiate("x").unwrap_err().kind(),
        "create_failed"
    );
    let fragile = Plugin::load(rust_plugin("panicking-rust").unwrap()).unwrap();
    let fragile = fragile.instantiate("").unwrap();
    assert!(fragile
        .interface::<dyn Greeter>()
        .unwrap()
        .greet("panic")
        .is_err());
    if have_cpp() {
        let throwing = Plugin::load(cpp_fixture("throwing_cpp")).unwrap();
        let throwing = throwing.instantiate("").unwrap();
        assert!(throwing
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("throw")
            .is_err());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // And now good plugins, in C and in Rust, all work.
    let greeter = Plugin::load(c_plugin("greeter")).unwrap();
    let greeter = greeter.instantiate("").unwrap();
    assert_eq!(
        greeter
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("after")
            .unwrap(),
        "Hello, after!"
    );
    let processor = Plugin::load(c_plugin("processor")).unwrap();
    let processor = processor.instantiate("").unwrap();
    assert_eq!(
        processor
            .interface::<dyn Processor>()
            .unwrap()
            .process(b"123456789")
            .unwrap(),
        [0xCB, 0xF4, 0x39, 0x26]
    );
    let kv = Plugin::load(rust_plugin("kv-rust").unwrap()).unwrap();
    let kv = kv.instantiate("").unwrap();
    let kv = kv.interface::<dyn Kv>().unwrap();
    kv.put("after", b"all").unwrap();
    assert_eq!(kv.get("after").unwrap(), b"all");
}

// ---------------------------------------------------------------------------
// The layout lock of the example interfaces
// ---------------------------------------------------------------------------

/// Every example interface's methods, per (id, version), as they were when
/// that version was released (docs/ABI.md, "Interface fingerprints"). An
/// interface version is a promise about its vtable; this lock is what makes
/// the promise machine-checked: editing a header (and so the bindgen mirror
/// and the Rust declaration, which must agree with it to compile) without
/// bumping the version fails here, before any plugin is built against it.
const LAYOUT_LOCK: &[(&str, u32, &[&str])] = &[
    ("org.tenon.example.greeter", 1, &["greet(Utf8) -> Utf8"]),
    (
        "org.tenon.example.kv",
        1,
        &[
            "get(Utf8) -> Bytes",
            "put(Utf8, Bytes)",
            "remove(Utf8)",
            "len() -> U64",
        ],
    ),
    (
        "org.tenon.example.processor",
        1,
        &["name() -> Utf8", "process(Bytes) -> Bytes"],
    ),
];

/// `put(Utf8, Bytes)`, `len() -> U64`: a method's signature in the lock.
fn signature(method: &tenon_interface::Method) -> String {
    let args: Vec<String> = method.args.iter().map(|a| format!("{a:?}")).collect();
    let result = method
        .result
        .map(|r| format!(" -> {r:?}"))
        .unwrap_or_default();
    format!("{}({}){result}", method.name, args.join(", "))
}

/// Checks interface `I` against the lock; a message says what to do.
fn check_lock<I: ?Sized + tenon::Interface>() -> Result<(), String> {
    let now: Vec<String> = I::METHODS.iter().map(signature).collect();
    let Some((_, _, locked)) = LAYOUT_LOCK
        .iter()
        .find(|(id, version, _)| *id == I::ID && *version == I::VERSION)
    else {
        return Err(format!(
            "{} v{} is not in LAYOUT_LOCK; add ({:?}, {}, &{now:?})",
            I::ID,
            I::VERSION,
            I::ID,
            I::VERSION
        ));
    };
    if now == *locked {
        return Ok(());
    }
    if now.len() > locked.len()
        && now.starts_with(&locked.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    {
        return Err(format!(
            "{} v{} gained methods at the end (a compatible change): add {:?} to its LAYOUT_LOCK entry",
            I::ID,
            I::VERSION,
            &now[locked.len()..]
        ));
    }
    Err(format!(
        "{} v{} changed incompatibly without a version bump: it was {locked:?} and is now \
         {now:?}; bump the interface's version in its header (plugins built against the \
         old one would otherwise be called with the wrong signatures) and lock the new version",
        I::ID,
        I::VERSION
    ))
}

#[test]
fn example_interfaces_change_only_with_their_version() {
    let problems: Vec<String> = [
        check_lock::<dyn Greeter>(),
        check_lock::<dyn Kv>(),
        check_lock::<dyn Processor>(),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layout_lock_catches_an_edit_without_a_version_bump() {
    tenon::interface! {
        /// The greeter as if its header had been edited in place: greet
        /// now takes bytes, and the version was not bumped.
        pub trait EditedGreeter {
            const ID = c"org.tenon.example.greeter";
            const VERSION = 1;
            type Vtable = EditedVtable;
            fn greet(&self, name: &[u8]) -> String;
        }
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct EditedVtable {
        pub struct_size: u32,
        pub greet: Option<
            unsafe extern "C" fn(
                *mut core::ffi::c_void,
                tenon::sys::tenon_bytes,
                *mut tenon::sys::tenon_buffer,
                *mut tenon::sys::tenon_buffer,
            ) -> tenon::sys::tenon_status,
        >,
    }
    let problem = check_lock::<dyn EditedGreeter>().unwrap_err();
    assert!(problem.contains("without a version bump"), "{problem}");
    assert!(problem.contains("greet(Bytes) -> Utf8"), "{problem}");
}
