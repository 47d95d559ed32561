//! An error message longer than the host's error buffer can hold (an
//! isolated plugin's holds 64 KiB) keeps its start, cut at a character
//! boundary, instead of vanishing: from C through `tenon_fail`, from Rust
//! through the panic boundary. In process the whole message arrives.
// Where process isolation is implemented (docs/isolation.md).
#![cfg(any(target_os = "linux", target_os = "windows"))]

mod support;

use std::fs;
use std::path::Path;

use support::{compile_plugin, have, library_name, scratch, toolchain_missing};
use tenon::isolation::Isolation;
use tenon::{Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{isolation_runner, rust_plugin};

/// The isolated error area (`ERROR_AREA`), which no message may exceed.
const CAP: usize = 64 << 10;

/// A greeter whose greet fails with 40 000 euro signs (3 bytes each, so
/// that a cut at the cap falls inside one).
const C_SOURCE: &str = r#"
#include <string.h>
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>

#define EUROS 40000
static char message[3 * EUROS + 1];

static tenon_status greet(void *instance, tenon_str name, tenon_buffer *out,
                          tenon_buffer *error) {
    size_t i;
    TENON_UNUSED(instance);
    TENON_UNUSED(name);
    TENON_UNUSED(out);
    for (i = 0; i < EUROS; i++) {
        memcpy(message + 3 * i, "\xe2\x82\xac", 3);
    }
    return tenon_fail(error, TENON_INVALID_ARGUMENT, message);
}

static tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                           tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    TENON_UNUSED(error);
    *out_instance = NULL;
    return TENON_OK;
}

static void destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_greeter_v1 vtable = TENON_VTABLE(example_greeter_v1, greet);

TENON_PLUGIN("long-message-c", "1.0.0", "Fails with a long message", 0, create, destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION, &vtable));
"#;

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
    let dir = scratch("c");
    let source = dir.join("long_message.c");
    fs::write(&source, C_SOURCE).unwrap();
    let compiler = ["cc", "gcc", "clang"].into_iter().find(|c| have(c));
    let Some(compiler) = compiler else {
        toolchain_missing("cc", "the C long-message plugin was not built");
        return;
    };
    let library = dir.join(library_name("long_message"));
    compile_plugin(compiler, "c99", &source, &library, &[]).unwrap();
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
