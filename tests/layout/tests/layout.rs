//! Every struct of the generated bindings must have the C compiler's layout.

use tenon_layout_tests::{c_layout, compare, report, rust_layout, tampered_c_layout, STRUCTS};

#[test]
fn rust_layouts_match_c_layouts() {
    let rust = rust_layout();
    let c = c_layout();
    assert!(!rust.is_empty() && !c.is_empty());
    let mismatches = compare(&rust, &c);
    assert!(
        mismatches.is_empty(),
        "{} layout mismatches between the Rust bindings and the C headers:\n{}\
         The bindings are probably stale: run `cargo run -p tenon-bindgen`.",
        mismatches.len(),
        report(&mismatches)
    );
}

#[test]
fn every_contract_struct_is_checked() {
    assert!(!STRUCTS.is_empty());
    for name in [
        "tenon_str",
        "tenon_bytes",
        "tenon_buffer",
        "tenon_host",
        "tenon_vtable_header",
        "tenon_interface",
        "tenon_plugin_descriptor",
        "example_greeter_v1",
        "example_kv_v1",
        "example_processor_v1",
    ] {
        assert!(
            STRUCTS.contains(&name),
            "{name} is not checked: {STRUCTS:?}"
        );
        // Both size and alignment of each struct are measured on both sides.
        for property in ["size", "align"] {
            for (side, table) in [("Rust", rust_layout()), ("C", c_layout())] {
                assert!(
                    table
                        .iter()
                        .any(|m| m.item == name && m.property == property),
                    "{side} does not measure the {property} of {name}"
                );
            }
        }
    }
    // Fields are measured too, e.g. the descriptor's last one.
    assert!(rust_layout()
        .iter()
        .any(|m| m.item == "tenon_plugin_descriptor.destroy" && m.property == "offset"));
}

#[test]
fn comparison_detects_a_real_c_layout_difference() {
    // The same probe compiled with #pragma pack(1) around the headers.
    let mismatches = compare(&rust_layout(), &tampered_c_layout());
    let report = report(&mismatches);
    // Packing makes every struct with an alignment above 1 disagree.
    for name in ["tenon_plugin_descriptor", "tenon_host", "example_kv_v1"] {
        assert!(
            report.contains(&format!("{name}: align is ")),
            "packing {name} went unnoticed:\n{report}"
        );
    }
    // The descriptor's interfaces pointer follows a u32 and moves when packed
    // on targets with 8-byte pointers.
    if core::mem::size_of::<usize>() == 8 {
        assert!(
            report.contains("tenon_plugin_descriptor.interfaces: offset is 48 in Rust but 44 in C"),
            "{report}"
        );
    }
}
