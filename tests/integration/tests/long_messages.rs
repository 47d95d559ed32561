//! An error message longer than the host's error buffer can hold (an
//! isolated plugin's holds 64 KiB) keeps its start, cut at a character
//! boundary, instead of vanishing: from C through `tenon_fail`, from Rust
//! through the panic boundary. In process the whole message arrives.
// Where process isolation is implemented (docs/isolation.md).
#![cfg(any(target_os = "linux", target_os = "windows"))]

use std::path::Path;

use tenon::isolation::Isolation;
use tenon::{Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, isolation_runner, rust_plugin};

/// The isolated error area (`ERROR_AREA`), which no message may exceed.
const CAP: usize = 64 << 10;

fn isolated() -> Isolation {
    Isolation::new().runner(isolation_runner().expect("the test runner builds"))
}

/// The message greeting `name` fails with, in process and isolated.
fn messages(library: &Path, name: &str, status: Status) -> (String, String) {
    let mut found = Vec::new();
    for plugin in [
        Plugin::load(library).unwrap(),
        Plugin::loader().isolated(isolated()).load(library).unwrap(),
    ] {
        let instance = plugin.instantiate("").unwrap();
        let error = instance
            .interface::<dyn Greeter>()
            .unwrap()
            .greet(name)
            .unwrap_err();
        assert_eq!(error.status(), status, "{error}");
        found.push(error.message().to_owned());
    }
    let isolated = found.pop().unwrap();
    (found.pop().unwrap(), isolated)
}

/// `isolated` is `whole` cut at the cap: its start, as long as the cap
/// allows to a character boundary.
fn assert_cut(whole: &str, isolated: &str) {
    assert!(whole.len() > CAP, "the message must be longer than the cap");
    assert!(
        whole.starts_with(isolated),
        "the isolated message is not the start of the whole one"
    );
    assert!(
        isolated.len() <= CAP && isolated.len() > CAP - 4,
        "cut at {} bytes, want the last character boundary before {CAP}",
        isolated.len()
    );
}

#[test]
fn a_c_message_past_the_cap_keeps_its_start() {
    // tests/fixtures/long_message.c: greet fails with 40 000 euro signs.
    let library = c_fixture("long_message");
    let (whole, isolated) = messages(&library, "anyone", Status::INVALID_ARGUMENT);
    assert_eq!(whole, "€".repeat(40_000));
    assert_cut(&whole, &isolated);
}

#[test]
fn a_rust_panic_message_past_the_cap_keeps_its_start() {
    let library = rust_plugin("panicking-rust").unwrap();
    let euros = "€".repeat(40_000);
    let (whole, isolated) = messages(&library, &format!("panic:{euros}"), Status::PANIC);
    assert_eq!(whole, format!("panic: {euros}"));
    assert_cut(&whole, &isolated);
}
