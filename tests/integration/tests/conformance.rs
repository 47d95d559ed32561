//! The conformance suite: every implementation of an example interface, in
//! every language, behaves identically.
//!
//! One set of behavioural cases per interface (`conformance/greeter.rs`,
//! `conformance/kv.rs`, `conformance/processor.rs`) runs against every
//! implementation that
//! [`tenon_test_plugins::try_all_examples_by_every_compiler`] lists (C,
//! C++, Zig and Rust, with every C and C++ plugin twice: as built by gcc
//! and g++ and as built by clang and clang++, each its own implementation),
//! and every case states its expected result exactly, so every
//! implementation must give the same one. The cases cover normal
//! calls, empty inputs, inputs of at least 1 MiB, non-ASCII UTF-8, error
//! statuses with their exact messages, instance independence, calls from
//! several threads, and — with the fixtures that panic (Rust) or throw (C++)
//! on request — a method that fails that way returning `TENON_PANIC` with
//! the instance still usable afterwards.
//!
//! Failures are collected over every implementation and case and reported
//! together, one line each, naming interface, language (with, for C and
//! C++, the compiler), plugin and case:
//!
//! ```text
//! greeter [c/clang] greeter-c: case "normal call": greet("world"): expected "Hello, world!" got "Hi, world!"
//! greeter [c/gcc] wrong-greeter: case "normal call": greet("world"): expected "Hello, world!" got "Hi, world"
//! ```
//!
//! The suite runs twice: with every plugin loaded in process, and (the
//! `*_isolated` tests, Linux and Windows) with every plugin loaded isolated, in a child
//! process running `tenon-test-runner`, unmodified and held to exactly the
//! same cases.
//!
//! The test fixtures (the wrong, panicking and throwing greeters) are built
//! once, by the default compilers. Two tests guard the listing itself: it
//! has every interface in several languages and every C and C++ example
//! from both compilers, and the two builds of each really are two
//! compilers' work (different files; on ELF, the `.comment` section of the
//! clang build names clang, the gcc build's does not).
//!
//! An implementation whose toolchain is missing (Zig without `zig`, C++
//! without a C++ compiler, the clang builds without clang) is reported by
//! the listing as `TOOLCHAIN MISSING` on stderr and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure; the same goes
//! for the throwing C++ fixture.

#[path = "conformance/greeter.rs"]
mod greeter;
#[path = "conformance/harness.rs"]
mod harness;
#[path = "conformance/kv.rs"]
mod kv;
#[path = "conformance/processor.rs"]
mod processor;

use harness::{Fault, Implementation, Subject};
use std::collections::{BTreeMap, BTreeSet};
use tenon::Interface;
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_test_plugins::toolchain::missing as toolchain_missing;
use tenon_test_plugins::{
    c_compiler, c_compilers, c_fixture, cpp_compiler, cpp_compilers, cpp_fixture, cpp_toolchain,
    rust_plugin, Compiler, ExamplePlugin,
};

/// The id of interface `I`, as the example listing spells it.
fn id_of<I: ?Sized + Interface>() -> &'static str {
    I::ID
}

/// Every example plugin, built, the C and C++ ones once per compiler (a
/// missing toolchain is reported by the listing, and fails here when
/// `TENON_REQUIRE_TOOLCHAINS=1`).
fn examples() -> Vec<ExamplePlugin> {
    tenon_test_plugins::try_all_examples_by_every_compiler()
        .unwrap_or_else(|error| panic!("the example plugins could not all be built: {error}"))
}

/// The implementations of interface `I` among the examples.
fn implementations_of<I: ?Sized + Interface>() -> Vec<Implementation> {
    examples()
        .into_iter()
        .filter(|example| example.interface == id_of::<I>())
        .map(|example| {
            Implementation::new(
                example.language,
                example.compiler,
                example.name,
                example.path,
            )
        })
        .collect()
}

/// The greeters that fail on purpose: they greet like the examples, and
/// some names make them panic (Rust) or throw (C++; left out, and reported
/// as missing, without a C++ compiler).
fn faulty_greeters() -> Vec<Implementation> {
    let panicking = rust_plugin("panicking-rust")
        .unwrap_or_else(|error| panic!("the panicking Rust fixture does not build: {error}"));
    let mut greeters = vec![Implementation {
        faults: vec![Fault {
            trigger: "panic",
            message: "panic: asked to greet \"panic\"",
        }],
        ..Implementation::new("rust", None, "panicking-rust", panicking)
    }];
    match cpp_toolchain() {
        Ok(()) => greeters.push(Implementation {
            faults: vec![
                // A std::exception: its what() is the message.
                Fault {
                    trigger: "throw",
                    message: "asked to greet \"throw\"",
                },
                // Anything else thrown.
                Fault {
                    trigger: "throw int",
                    message: "unknown C++ exception",
                },
            ],
            ..Implementation::new(
                "cpp",
                Some(cpp_compiler()),
                "throwing-cpp",
                cpp_fixture("throwing_cpp"),
            )
        }),
        Err(error) => toolchain_missing("c++", &error.to_string()),
    }
    greeters
}

/// Checks what every implementation's descriptor says: the name the listing
/// gives it, and interface `I` at the host's version with no NULL method.
fn check_metadata<I: ?Sized + Interface>(subject: &Subject) -> Result<(), String> {
    let info = subject.plugin.info();
    if info.name != subject.implementation.name {
        return Err(format!(
            "descriptor: expected name {:?} got {:?}",
            subject.implementation.name, info.name
        ));
    }
    subject
        .plugin
        .require::<I>()
        .map_err(|error| format!("descriptor: {error} [{}]", error.kind()))?;
    if !matches!(&info.description, Some(text) if !text.trim().is_empty()) {
        return Err("descriptor: expected a description got none".to_owned());
    }
    Ok(())
}

#[test]
fn every_greeter_conforms() {
    let mut implementations = implementations_of::<dyn Greeter>();
    implementations.extend(faulty_greeters());
    harness::run("greeter", &implementations, greeter::CASES).assert_passed("greeter");
}

/// The greeters linked into a host statically (C, C++, Zig, Rust; see
/// examples-rust/static-host) pass the same cases as their shared
/// libraries.
#[test]
fn every_static_greeter_conforms() {
    if tenon_test_plugins::toolchain::required() {
        assert!(
            tenon_static_host::zig_linked_in() && tenon_static_host::cpp_linked_in(),
            "TOOLCHAIN MISSING: zig or c++ was not found when tenon-static-host was built"
        );
    }
    let registry = tenon_static_host::built_in(tenon::Registry::new());
    let implementations: Vec<Implementation> = registry
        .entries()
        .iter()
        .map(|entry| {
            let plugin = entry
                .plugin()
                .unwrap_or_else(|error| panic!("{} refused: {error}", entry.origin()));
            let language = plugin.name().strip_prefix("greeter-").expect("a greeter");
            Implementation::linked_in(language, plugin.clone())
        })
        .collect();
    assert_eq!(
        implementations.len(),
        tenon_static_host::linked_in_names().len()
    );
    harness::run("greeter", &implementations, greeter::CASES).assert_passed("greeter (static)");
}

#[test]
fn every_kv_store_conforms() {
    let implementations = implementations_of::<dyn Kv>();
    harness::run("kv", &implementations, kv::CASES).assert_passed("kv");
}

#[test]
fn every_processor_conforms() {
    let implementations = implementations_of::<dyn Processor>();
    harness::run("processor", &implementations, processor::CASES).assert_passed("processor");
}

/// Loads a plugin isolated: in a child process running
/// `tenon-test-runner` (`tenon_test_plugins::isolation_runner`: libtest
/// owns this binary's `main`, so it cannot be the child itself), with the
/// default options but one: slots of 8 MiB instead of 4, since one call's
/// arguments get 3/8 of a slot (1.5 MiB of the default 4) and the kv cases
/// store a 2 MiB value (larger arguments are refused cleanly,
/// `invalid_argument`, as the isolation tests check).
#[cfg(any(target_os = "linux", windows))]
fn load_isolated(path: &std::path::Path) -> Result<tenon::Plugin, tenon::Error> {
    tenon::Plugin::loader()
        .isolated(
            tenon::isolation::Isolation::new()
                .runner(runner())
                .slot_size(8 << 20),
        )
        .load(path)
}

/// The isolation runner, built once.
#[cfg(any(target_os = "linux", windows))]
fn runner() -> std::path::PathBuf {
    tenon_test_plugins::isolation_runner()
        .unwrap_or_else(|error| panic!("the isolation runner does not build: {error}"))
}

/// The isolated run: every example greeter, and the panicking and
/// throwing fixtures, unmodified, loaded isolated, pass the same cases.
#[cfg(any(target_os = "linux", windows))]
#[test]
fn every_greeter_conforms_isolated() {
    let mut implementations = implementations_of::<dyn Greeter>();
    implementations.extend(faulty_greeters());
    harness::run_loaded_by(load_isolated, "greeter", &implementations, greeter::CASES)
        .assert_passed("greeter (isolated)");
}

/// The isolated run of every key-value store.
#[cfg(any(target_os = "linux", windows))]
#[test]
fn every_kv_store_conforms_isolated() {
    let implementations = implementations_of::<dyn Kv>();
    harness::run_loaded_by(load_isolated, "kv", &implementations, kv::CASES)
        .assert_passed("kv (isolated)");
}

/// The isolated run of every processor.
#[cfg(any(target_os = "linux", windows))]
#[test]
fn every_processor_conforms_isolated() {
    let implementations = implementations_of::<dyn Processor>();
    harness::run_loaded_by(
        load_isolated,
        "processor",
        &implementations,
        processor::CASES,
    )
    .assert_passed("processor (isolated)");
}

/// Every interface has implementations in at least two languages, every
/// language has at least one plugin, and every C and C++ plugin is listed
/// once per compiler, gcc and clang, built unless that compiler is missing:
/// the suite compares something.
#[test]
fn the_listing_covers_every_interface_in_several_languages_and_both_compilers() {
    let listing = tenon_test_plugins::try_examples_by_every_compiler()
        .unwrap_or_else(|error| panic!("the example plugins could not all be built: {error}"));
    let listed: BTreeSet<(&str, &str)> = listing
        .built
        .iter()
        .map(|example| (example.interface, example.language))
        .chain(
            listing
                .missing
                .iter()
                .map(|missing| (missing.interface, missing.language)),
        )
        .collect();
    let required = [
        (
            id_of::<dyn Greeter>(),
            ["c", "cpp", "zig", "rust"].as_slice(),
        ),
        (id_of::<dyn Kv>(), ["cpp", "rust"].as_slice()),
        (id_of::<dyn Processor>(), ["c", "zig", "rust"].as_slice()),
    ];
    let mut absent = Vec::new();
    for (interface, languages) in required {
        for language in languages {
            if !listed.contains(&(interface, *language)) {
                absent.push(format!("{interface} in {language}"));
            }
        }
    }
    assert!(
        absent.is_empty(),
        "the example listing lacks: {}",
        absent.join(", ")
    );
    for language in tenon_test_plugins::LANGUAGES {
        assert!(
            listed.iter().any(|(_, listed)| listed == &language),
            "no example plugin in {language}"
        );
    }

    // Per plugin, the compilers it is listed with, built or missing.
    let mut compilers: BTreeMap<(&str, &str), Vec<Option<Compiler>>> = BTreeMap::new();
    for (language, compiler, name) in listing
        .built
        .iter()
        .map(|example| (example.language, example.compiler, example.name))
        .chain(
            listing
                .missing
                .iter()
                .map(|missing| (missing.language, missing.compiler, missing.name)),
        )
    {
        compilers
            .entry((language, name))
            .or_default()
            .push(compiler);
    }
    for ((language, name), mut listed) in compilers.clone() {
        listed.sort();
        let mut expected: Vec<Option<Compiler>> = match language {
            "c" => c_compilers().map(Some).to_vec(),
            "cpp" => cpp_compilers().map(Some).to_vec(),
            _ => vec![None],
        };
        expected.sort();
        assert_eq!(listed, expected, "{name} ({language}) is listed with");
    }
    let from = |compiler: Compiler, language: &str| {
        compilers
            .iter()
            .filter(|((listed, _), by)| *listed == language && by.contains(&Some(compiler)))
            .count()
    };
    // (The default compiler is unknown only when the default C++ compiler
    // does not run; clang-cl and cl.exe stand in for gcc on MSVC targets.)
    for (language, default) in [("c", c_compiler()), ("cpp", cpp_compiler())] {
        let plugins = compilers.keys().filter(|(l, _)| *l == language).count();
        assert!(plugins > 0, "no {language} example");
        assert_eq!(
            from(Compiler::Clang, language),
            plugins,
            "{language} by clang"
        );
        if cfg!(not(target_env = "msvc")) && default != Compiler::Unknown {
            assert_eq!(from(Compiler::Gcc, language), plugins, "{language} by gcc");
        }
    }

    // A build that is not listed as built is missing for want of its
    // compiler (the listing reported it), and nothing else.
    for missing in &listing.missing {
        assert_eq!(missing.error.name(), "toolchain_missing", "{missing}");
    }
    let clang_builds = listing
        .built
        .iter()
        .filter(|example| example.compiler == Some(Compiler::Clang))
        .count();
    if listing
        .missing
        .iter()
        .all(|missing| missing.compiler != Some(Compiler::Clang))
    {
        assert_eq!(
            clang_builds,
            from(Compiler::Clang, "c") + from(Compiler::Clang, "cpp"),
            "clang is installed, so every C and C++ example has a clang build"
        );
    }

    // The demo's listing has every plugin once, in its default build.
    let once = tenon_test_plugins::try_examples()
        .unwrap_or_else(|error| panic!("the example plugins could not all be built: {error}"));
    let mut names: Vec<&str> = once
        .built
        .iter()
        .map(|example| example.name)
        .chain(once.missing.iter().map(|missing| missing.name))
        .collect();
    names.sort_unstable();
    let distinct: BTreeSet<&str> = compilers.keys().map(|(_, name)| *name).collect();
    assert_eq!(names, distinct.into_iter().collect::<Vec<_>>());
    for example in &once.built {
        match example.language {
            "c" => assert_eq!(example.compiler, Some(c_compiler())),
            "cpp" => assert_eq!(example.compiler, Some(cpp_compiler())),
            _ => assert_eq!(example.compiler, None),
        }
    }
}

/// The two builds of every C and C++ example are two compilers' work, so
/// that the suite cannot pass by loading one library twice: different
/// files with different contents, and on ELF the `.comment` section (where
/// compilers sign their output) of a clang build names clang, that of a
/// gcc build names GCC and not clang. (Clang links GCC's startup files, so
/// its libraries name GCC too.)
#[test]
fn the_gcc_and_clang_builds_are_different_compilers_work() {
    let mut builds: BTreeMap<&str, Vec<ExamplePlugin>> = BTreeMap::new();
    for example in examples() {
        if example.compiler.is_some() {
            builds.entry(example.name).or_default().push(example);
        }
    }
    assert!(!builds.is_empty(), "no C or C++ example was built");
    let mut signed = 0;
    for (name, builds) in &builds {
        let contents: Vec<Vec<u8>> = builds
            .iter()
            .map(|build| {
                std::fs::read(&build.path)
                    .unwrap_or_else(|error| panic!("{}: {error}", build.path.display()))
            })
            .collect();
        if let [first, second] = builds.as_slice() {
            assert_ne!(first.compiler, second.compiler, "{name}");
            assert_ne!(first.path, second.path, "{name}: one library listed twice");
            assert_ne!(
                contents[0],
                contents[1],
                "{name}: the {} and {} builds are the same bytes",
                first.label(),
                second.label()
            );
        }
        for (build, bytes) in builds.iter().zip(&contents) {
            let Some(comment) = elf_comment(bytes) else {
                continue;
            };
            let comment = String::from_utf8_lossy(comment);
            let by_clang = comment.contains("clang version");
            let what = format!(
                "{} ({}, {}): .comment {comment:?}",
                name,
                build.label(),
                build.path.display()
            );
            match build.compiler {
                Some(Compiler::Clang) => assert!(by_clang, "not built by clang: {what}"),
                Some(Compiler::Gcc) => {
                    assert!(!by_clang, "built by clang, not gcc: {what}");
                    assert!(comment.contains("GCC: ("), "not built by gcc: {what}");
                }
                _ => continue,
            }
            signed += 1;
        }
    }
    if cfg!(target_os = "linux") {
        assert!(signed > 0, "no ELF library's compiler was checked");
    }
}

/// The contents of the `.comment` section of a little-endian ELF64 file
/// (`None` for anything else, or if it has no such section).
fn elf_comment(bytes: &[u8]) -> Option<&[u8]> {
    if !bytes.starts_with(b"\x7fELF") || bytes.get(4) != Some(&2) || bytes.get(5) != Some(&1) {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| {
        let value = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        usize::try_from(value).ok()
    };
    let (table, entry_size) = (u64_at(0x28)?, usize::from(u16_at(0x3a)?));
    let (count, names) = (usize::from(u16_at(0x3c)?), usize::from(u16_at(0x3e)?));
    let section = |index: usize| {
        let header = table + index * entry_size;
        Some((
            u32_at(header)?,
            u64_at(header + 0x18)?,
            u64_at(header + 0x20)?,
        ))
    };
    let (_, names_offset, _) = section(names)?;
    (0..count).find_map(|index| {
        let (name, offset, size) = section(index)?;
        let name_at = names_offset + usize::try_from(name).ok()?;
        let name = bytes.get(name_at..)?.split(|byte| *byte == 0).next()?;
        (name == b".comment").then(|| bytes.get(offset..offset + size))?
    })
}

/// The proof that the suite can fail: a greeter that says "Hi, <name>",
/// registered beside the real ones, fails every case that looks at the
/// greeting, and every failure names its language, compiler, plugin and
/// case while the real implementations stay clean.
#[test]
fn a_wrong_greeter_fails_the_suite_with_its_language_compiler_plugin_and_case() {
    let wrong = Implementation::new(
        "c",
        Some(c_compiler()),
        "wrong-greeter",
        c_fixture("wrong_greeter"),
    );
    let mut implementations = implementations_of::<dyn Greeter>();
    implementations.push(wrong);
    let report = harness::run("greeter", &implementations, greeter::CASES);

    let failure = std::panic::catch_unwind(|| report.assert_passed("greeter"))
        .expect_err("the suite must fail with a wrong greeter among the implementations");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();

    let prefix = format!("greeter [c/{}] wrong-greeter: case \"", c_compiler());
    let expected_first = format!(
        "{prefix}normal call\": greet(\"world\"): expected \"Hello, world!\" got \"Hi, world\""
    );
    assert!(
        message.contains(&expected_first),
        "the report must name language, compiler, plugin and case:\n{message}"
    );
    let cases_failed: BTreeSet<&str> = report
        .failures
        .iter()
        .map(|line| {
            assert!(
                line.starts_with(&prefix),
                "only the wrong greeter may fail, and its failures must say so: {line}"
            );
            line.split('"').nth(1).unwrap_or_default()
        })
        .collect();
    let expected_cases: BTreeSet<&str> = greeter::CASES
        .iter()
        .map(|case| case.name)
        .filter(|name| !["metadata", "a panicking or throwing method"].contains(name))
        .collect();
    assert_eq!(cases_failed, expected_cases, "{message}");
    assert!(
        message.contains("case \"non-ASCII name\": greet(\"Zoë 👋\"): expected \"Hello, Zoë 👋!\" got \"Hi, Zoë 👋\""),
        "{message}"
    );
    assert!(
        message.contains("case \"large name (1 MiB)\": greet(\"abcdefghijklmnopqrstuvwx\"…"),
        "a 1 MiB mismatch is abbreviated:\n{message}"
    );
}
