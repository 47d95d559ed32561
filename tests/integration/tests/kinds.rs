//! The kinds of failure an author meets are documented: the tables of
//! `docs/guide-rust.md` ("What can fail: the kinds") list exactly the
//! names `tenon::Error::kind()` and `CallError::kind_name()` can return, and
//! `docs/ABI.md`'s table of `CallError` kinds names each of the latter.

mod support;

use std::collections::BTreeSet;
use support::repo_root;
use tenon::{CallError, Error};

/// The first `code span` of each row of the table that follows `intro` in
/// `doc` (all of them, for a row listing several: "`a`, `b`").
fn table_after(doc: &str, intro: &str, all_in_first_cell: bool) -> BTreeSet<String> {
    let start = doc
        .find(intro)
        .unwrap_or_else(|| panic!("the doc has {intro:?}"));
    let mut names = BTreeSet::new();
    let mut seen_table = false;
    for line in doc[start..].lines() {
        if !line.starts_with('|') {
            if seen_table {
                break;
            }
            continue;
        }
        seen_table = true;
        let first = line.trim_matches('|').split(" | ").next().unwrap_or("");
        if first.trim() == "kind" || first.starts_with("---") {
            continue;
        }
        let spans: Vec<&str> = first.split('`').skip(1).step_by(2).collect();
        assert!(!spans.is_empty(), "a row without a kind: {line}");
        if all_in_first_cell {
            names.extend(spans.iter().map(|s| s.to_string()));
        } else {
            assert_eq!(spans.len(), 1, "one kind per row: {line}");
            names.insert(spans[0].to_owned());
        }
    }
    names
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_rust_guide_lists_every_error_kind_and_no_other() {
    let guide = std::fs::read_to_string(repo_root().join("docs/guide-rust.md")).unwrap();
    let documented = table_after(&guide, "Every `tenon::Error` names its kind", false);
    assert_eq!(documented, set(Error::KIND_NAMES));
}

#[test]
fn the_rust_guide_lists_every_call_error_kind_and_no_other() {
    let guide = std::fs::read_to_string(repo_root().join("docs/guide-rust.md")).unwrap();
    let documented = table_after(
        &guide,
        "every method of a typed handle returns `CallResult<T>`",
        false,
    );
    assert_eq!(documented, set(CallError::KIND_NAMES));
}

#[test]
fn abi_md_names_every_call_error_kind() {
    let abi = std::fs::read_to_string(repo_root().join("docs/ABI.md")).unwrap();
    let documented = table_after(&abi, "A `CallError` names its kind with", true);
    assert_eq!(documented, set(CallError::KIND_NAMES));
}

#[test]
fn every_kind_the_host_code_names_is_listed() {
    // The names in `Error::kind`'s match, read from the source, so that a
    // new variant cannot be left out of `KIND_NAMES` (and so of the docs).
    let source = std::fs::read_to_string(repo_root().join("sdk-rust/tenon/src/error.rs")).unwrap();
    let body = &source[source.find("pub fn kind(&self)").unwrap()..];
    let body = &body[..body.find("\n    }\n").unwrap()];
    let named: BTreeSet<String> = body
        .lines()
        .filter_map(|line| line.split("=> \"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(named.len(), Error::KIND_NAMES.len(), "{named:?}");
    assert_eq!(named, set(Error::KIND_NAMES));
}
