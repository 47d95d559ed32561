//! Drift tests: the checked-in `include/tenon/host.h` must be exactly what
//! the C API crate generates today (`BLESS=1` rewrites it), and the check
//! must be able to fail.

use std::path::Path;
use tenon_cbindgen::{
    generate, generate_from, workspace_root, HEADER, REGENERATE_COMMAND, SOURCES,
};

fn checked_in() -> String {
    std::fs::read_to_string(workspace_root().join(HEADER)).expect("reading the checked-in header")
}

#[test]
fn host_header_is_up_to_date() {
    let generated = generate().expect("generating the header");
    if generated == checked_in() {
        return;
    }
    if matches!(std::env::var("BLESS").as_deref(), Ok("1")) {
        std::fs::write(workspace_root().join(HEADER), &generated).expect("BLESS: writing");
        return;
    }
    let first = generated
        .lines()
        .zip(checked_in().lines())
        .position(|(a, b)| a != b)
        .map_or("at the end".to_owned(), |line| {
            format!("at line {}", line + 1)
        });
    panic!(
        "{HEADER} is out of date with {SOURCES} (first difference {first}).\n\
         Regenerate it with `{REGENERATE_COMMAND}` (or rerun this test with BLESS=1) and commit it."
    );
}

/// Copies the sources to a scratch directory, changed by `edit`.
fn modified_copy(name: &str, edit: impl FnOnce(&Path)) -> std::path::PathBuf {
    let copy = std::env::temp_dir().join(format!("tenon-cbindgen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(workspace_root().join(SOURCES)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }
    edit(&copy);
    copy
}

#[test]
fn a_new_function_without_regeneration_is_drift() {
    let copy = modified_copy("added", |dir| {
        let lib = dir.join("lib.rs");
        let mut text = std::fs::read_to_string(&lib).unwrap();
        text.push_str(
            "\n/// Added by the drift test.\n#[no_mangle]\npub extern \"C\" fn tenon_drift_probe() -> u32 { 0 }\n",
        );
        std::fs::write(lib, text).unwrap();
    });
    let generated = generate_from(&copy).expect("generating from the copy");
    std::fs::remove_dir_all(&copy).unwrap();
    assert!(
        generated.contains("uint32_t tenon_drift_probe(void);"),
        "{generated}"
    );
    assert_ne!(
        generated,
        checked_in(),
        "a new function must make the header differ"
    );
}

#[test]
fn a_changed_signature_without_regeneration_is_drift() {
    let copy = modified_copy("changed", |dir| {
        let file = dir.join("plugin.rs");
        let text = std::fs::read_to_string(&file).unwrap();
        let changed = text.replace(
            "pub extern \"C\" fn tenon_plugin_flags(plugin: *const tenon_plugin) -> u64",
            "pub extern \"C\" fn tenon_plugin_flags(plugin: *const tenon_plugin) -> u32",
        );
        assert_ne!(text, changed, "the edit must apply");
        std::fs::write(file, changed).unwrap();
    });
    let generated = generate_from(&copy).expect("generating from the copy");
    std::fs::remove_dir_all(&copy).unwrap();
    assert!(generated.contains("uint32_t tenon_plugin_flags("));
    assert_ne!(generated, checked_in());
}
