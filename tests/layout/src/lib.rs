//! Layout tests: the Rust mirrors of the Tenon headers must lay out every
//! struct exactly as the target's C compiler lays out the headers.
//!
//! The build script reads the checked-in bindings
//! (`sdk-rust/tenon-sys/src/bindings.rs` and
//! `examples-rust/interfaces/src/bindings.rs`), and for every struct and
//! field in them generates
//!
//! * a C probe, compiled with the target's C compiler, that records
//!   `sizeof`/`_Alignof` of each struct and `offsetof`/`sizeof` of each field
//!   ([`c_layout`]), and
//! * the same measurements in Rust, with `size_of`, `align_of` and
//!   `offset_of!` ([`rust_layout`]).
//!
//! [`compare`] lists every difference by `struct.field` name. The tests in
//! `tests/layout.rs` require the list to be empty, and prove that it is not
//! empty when the layouts disagree, using a second probe compiled with
//! `#pragma pack(1)` ([`tampered_c_layout`]).
//!
//! Unlike bindgen's own layout assertions, which would be computed once on the
//! machine that generated the bindings, these run on every target the tests
//! are built for.

use std::ffi::{c_char, CStr};
use std::fmt;

/// The example interface bindings, compiled from their checked-in file so
/// that this crate depends on nothing but `tenon-sys`.
#[path = "../../../examples-rust/interfaces/src/bindings.rs"]
pub mod example_bindings;

/// One measured number: `property` (`"size"`, `"align"` or `"offset"`) of
/// `item` (a struct `name`, or a field `name.field`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Measure {
    /// `struct` or `struct.field`.
    pub item: String,
    /// `size` or `align` of a struct; `offset` or `size` of a field.
    pub property: String,
    /// The value in bytes.
    pub value: usize,
}

impl Measure {
    /// Makes a measure.
    pub fn new(item: impl Into<String>, property: impl Into<String>, value: usize) -> Self {
        Measure {
            item: item.into(),
            property: property.into(),
            value,
        }
    }
}

/// A difference between the Rust and the C table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Both sides measured it, with different values.
    Differs {
        /// `struct` or `struct.field`.
        item: String,
        /// What was measured.
        property: String,
        /// Rust's value.
        rust: usize,
        /// C's value.
        c: usize,
    },
    /// Only Rust measured it.
    MissingInC {
        /// `struct` or `struct.field`.
        item: String,
        /// What was measured.
        property: String,
    },
    /// Only C measured it.
    MissingInRust {
        /// `struct` or `struct.field`.
        item: String,
        /// What was measured.
        property: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Differs {
                item,
                property,
                rust,
                c,
            } => write!(f, "{item}: {property} is {rust} in Rust but {c} in C"),
            Mismatch::MissingInC { item, property } => {
                write!(f, "{item}: {property} measured in Rust only")
            }
            Mismatch::MissingInRust { item, property } => {
                write!(f, "{item}: {property} measured in C only")
            }
        }
    }
}

/// Compares two tables of measures and returns every difference, sorted by
/// item and property. A key measured twice on one side with different values
/// counts as a difference too (the later value is compared).
pub fn compare(rust: &[Measure], c: &[Measure]) -> Vec<Mismatch> {
    use std::collections::BTreeMap;
    let table = |measures: &[Measure]| -> BTreeMap<(String, String), usize> {
        measures
            .iter()
            .map(|m| ((m.item.clone(), m.property.clone()), m.value))
            .collect()
    };
    let (rust, c) = (table(rust), table(c));
    let mut mismatches = Vec::new();
    for ((item, property), &r) in &rust {
        match c.get(&(item.clone(), property.clone())) {
            Some(&c) if c == r => {}
            Some(&c) => mismatches.push(Mismatch::Differs {
                item: item.clone(),
                property: property.clone(),
                rust: r,
                c,
            }),
            None => mismatches.push(Mismatch::MissingInC {
                item: item.clone(),
                property: property.clone(),
            }),
        }
    }
    for (item, property) in c.keys() {
        if !rust.contains_key(&(item.clone(), property.clone())) {
            mismatches.push(Mismatch::MissingInRust {
                item: item.clone(),
                property: property.clone(),
            });
        }
    }
    mismatches.sort_by(|a, b| key(a).cmp(&key(b)));
    mismatches
}

fn key(m: &Mismatch) -> (&str, &str) {
    match m {
        Mismatch::Differs { item, property, .. }
        | Mismatch::MissingInC { item, property }
        | Mismatch::MissingInRust { item, property } => (item, property),
    }
}

/// Formats mismatches one per line, grouped by struct, for a test failure.
pub fn report(mismatches: &[Mismatch]) -> String {
    let mut out = String::new();
    let mut last_struct = "";
    for m in mismatches {
        let (item, _) = key(m);
        let name = item.split('.').next().unwrap_or(item);
        if name != last_struct {
            out.push_str(name);
            out.push_str(":\n");
            last_struct = name;
        }
        out.push_str("  ");
        out.push_str(&m.to_string());
        out.push('\n');
    }
    out
}

/// The size of the type a raw pointer points to (used by `field_size!`).
#[doc(hidden)]
pub fn pointee_size<T>(_: *const T) -> usize {
    core::mem::size_of::<T>()
}

/// The size of field `$field` of struct type `$ty`, without naming the
/// field's type.
macro_rules! field_size {
    ($ty:ty, $field:ident) => {{
        let value = ::core::mem::MaybeUninit::<$ty>::uninit();
        // SAFETY: addr_of! only computes the address; nothing is read.
        let field = unsafe { ::core::ptr::addr_of!((*value.as_ptr()).$field) };
        $crate::pointee_size(field)
    }};
}

include!(concat!(env!("OUT_DIR"), "/layout_rust.rs"));

/// The C side's table entry (`struct tenon_layout_measure` of the probe).
#[repr(C)]
struct RawMeasure {
    item: *const c_char,
    property: *const c_char,
    value: usize,
}

extern "C" {
    fn tenon_layout_c(count: *mut usize) -> *const RawMeasure;
    fn tenon_layout_tampered(count: *mut usize) -> *const RawMeasure;
}

/// Copies a C table into [`Measure`]s.
///
/// # Safety
///
/// `table` must be one of the probe's table functions.
unsafe fn read_table(table: unsafe extern "C" fn(*mut usize) -> *const RawMeasure) -> Vec<Measure> {
    let mut count = 0usize;
    // SAFETY: the probe returns a static array of `count` entries whose
    // strings are static and NUL-terminated.
    unsafe {
        let entries = table(&mut count);
        std::slice::from_raw_parts(entries, count)
            .iter()
            .map(|raw| {
                Measure::new(
                    CStr::from_ptr(raw.item).to_string_lossy(),
                    CStr::from_ptr(raw.property).to_string_lossy(),
                    raw.value,
                )
            })
            .collect()
    }
}

/// The layout of every struct and field as the target's C compiler computes
/// it from the headers.
pub fn c_layout() -> Vec<Measure> {
    // SAFETY: tenon_layout_c is the probe's table function.
    unsafe { read_table(tenon_layout_c) }
}

/// The same table from a probe compiled with `#pragma pack(1)` around the
/// headers: deliberately wrong, for proving that [`compare`] finds
/// differences.
pub fn tampered_c_layout() -> Vec<Measure> {
    // SAFETY: tenon_layout_tampered is the probe's table function.
    unsafe { read_table(tenon_layout_tampered) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<Measure> {
        vec![
            Measure::new("s", "size", 16),
            Measure::new("s", "align", 8),
            Measure::new("s.a", "offset", 0),
            Measure::new("s.a", "size", 4),
            Measure::new("s.b", "offset", 8),
            Measure::new("s.b", "size", 8),
        ]
    }

    #[test]
    fn equal_tables_have_no_mismatch() {
        assert_eq!(compare(&table(), &table()), vec![]);
        // Order does not matter.
        let mut reversed = table();
        reversed.reverse();
        assert_eq!(compare(&table(), &reversed), vec![]);
    }

    #[test]
    fn every_kind_of_tampering_is_reported() {
        let mut c = table();
        c[4].value = 4; // s.b offset differs
        c.remove(1); // s align missing in C
        c.push(Measure::new("s.c", "offset", 16)); // extra field in C
        let mismatches = compare(&table(), &c);
        assert_eq!(
            mismatches,
            vec![
                Mismatch::MissingInC {
                    item: "s".into(),
                    property: "align".into()
                },
                Mismatch::Differs {
                    item: "s.b".into(),
                    property: "offset".into(),
                    rust: 8,
                    c: 4
                },
                Mismatch::MissingInRust {
                    item: "s.c".into(),
                    property: "offset".into()
                },
            ]
        );
        let report = report(&mismatches);
        assert!(report.starts_with("s:\n"), "{report}");
        assert!(
            report.contains("s.b: offset is 8 in Rust but 4 in C"),
            "{report}"
        );
    }

    #[test]
    fn a_single_changed_value_is_reported() {
        for i in 0..table().len() {
            let mut c = table();
            c[i].value += 1;
            assert_eq!(compare(&table(), &c).len(), 1, "entry {i}");
        }
    }
}
