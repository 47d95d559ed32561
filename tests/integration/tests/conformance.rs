//! The conformance suite: every implementation of an example interface, in
//! every language, behaves identically.
//!
//! One set of behavioural cases per interface (`conformance/greeter.rs`,
//! `conformance/kv.rs`, `conformance/processor.rs`) runs against every
//! implementation that [`tenon_example_plugins::all_examples`] lists (C,
//! C++, Zig and Rust), and every case states its expected result exactly, so
//! every implementation must give the same one. The cases cover normal
//! calls, empty inputs, inputs of at least 1 MiB, non-ASCII UTF-8, error
//! statuses with their exact messages, instance independence, calls from
//! several threads, and — with the fixtures that panic (Rust) or throw (C++)
//! on request — a method that fails that way returning `TENON_PANIC` with
//! the instance still usable afterwards.
//!
//! Failures are collected over every implementation and case and reported
//! together, one line each, naming interface, language, plugin and case:
//!
//! ```text
//! greeter [c] wrong-greeter: case "normal call": greet("world"): expected "Hello, world!" got "Hi, world"
//! ```
//!
//! An implementation whose toolchain is missing (Zig without `zig`, C++
//! without a C++ compiler) is reported by the listing as `TOOLCHAIN MISSING`
//! on stderr and skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes
//! it a failure; the same goes for the throwing C++ fixture.

#[path = "conformance/greeter.rs"]
mod greeter;
#[path = "conformance/harness.rs"]
mod harness;
#[path = "conformance/kv.rs"]
mod kv;
#[path = "conformance/processor.rs"]
mod processor;

use harness::{Fault, Implementation, Subject};
use std::collections::BTreeSet;
use std::io::Write as _;
use tenon::Interface;
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_example_plugins::{c_fixture, cpp_fixture, cpp_toolchain, rust_plugin, ExamplePlugin};

/// The id of interface `I`, as the example listing spells it.
fn id_of<I: ?Sized + Interface>() -> &'static str {
    I::ID
}

/// Every example plugin, built (a missing toolchain is reported by the
/// listing, and fails here when `TENON_REQUIRE_TOOLCHAINS=1`).
fn examples() -> Vec<ExamplePlugin> {
    tenon_example_plugins::try_all_examples()
        .unwrap_or_else(|error| panic!("the example plugins could not all be built: {error}"))
}

/// The implementations of interface `I` among the examples.
fn implementations_of<I: ?Sized + Interface>() -> Vec<Implementation> {
    examples()
        .into_iter()
        .filter(|example| example.interface == id_of::<I>())
        .map(|example| Implementation::new(example.language, example.name, example.path))
        .collect()
}

/// Reports a missing tool loudly on the real stderr (the harness hides
/// eprintln! of passing tests), or fails under TENON_REQUIRE_TOOLCHAINS=1.
fn toolchain_missing(tool: &str, why: &str) {
    let message = format!("TOOLCHAIN MISSING: {tool} ({why}); skipping what needs it");
    if std::env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!("{message}, but TENON_REQUIRE_TOOLCHAINS=1 requires every toolchain");
    }
    let _ = writeln!(std::io::stderr(), "\n*** {message} ***\n");
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
        ..Implementation::new("rust", "panicking-rust", panicking)
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
            ..Implementation::new("cpp", "throwing-cpp", cpp_fixture("throwing_cpp"))
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

/// Every interface has implementations in at least two languages, and every
/// language has at least one plugin: the suite compares something.
#[test]
fn the_listing_covers_every_interface_in_several_languages() {
    let listing = tenon_example_plugins::try_examples()
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
    for language in tenon_example_plugins::LANGUAGES {
        assert!(
            listed.iter().any(|(_, listed)| listed == &language),
            "no example plugin in {language}"
        );
    }
}

/// The proof that the suite can fail: a greeter that says "Hi, <name>",
/// registered beside the real ones, fails every case that looks at the
/// greeting, and every failure names its language, plugin and case while
/// the real implementations stay clean.
#[test]
fn a_wrong_greeter_fails_the_suite_with_its_language_plugin_and_case() {
    let wrong = Implementation::new("c", "wrong-greeter", c_fixture("wrong_greeter"));
    let mut implementations = implementations_of::<dyn Greeter>();
    implementations.push(wrong);
    let report = harness::run("greeter", &implementations, greeter::CASES);

    let failure = std::panic::catch_unwind(|| report.assert_passed("greeter"))
        .expect_err("the suite must fail with a wrong greeter among the implementations");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();

    let expected_first = "greeter [c] wrong-greeter: case \"normal call\": \
        greet(\"world\"): expected \"Hello, world!\" got \"Hi, world\"";
    assert!(
        message.contains(expected_first),
        "the report must name language, plugin and case:\n{message}"
    );
    let cases_failed: BTreeSet<&str> = report
        .failures
        .iter()
        .map(|line| {
            assert!(
                line.starts_with("greeter [c] wrong-greeter: case \""),
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
