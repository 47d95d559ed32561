//! Writes `$OUT_DIR/guide_rust_revision_2.rs` for `tests/evolution.rs`: the
//! `Kv` declaration of `docs/guide-rust.md`'s section 1 with the guide's
//! "Adding a method later" fragment (which begins with the declaration's
//! `fn len` line) in place of that line, so that the fragment is compiled
//! as the guide shows it and its promises are tested, rather than only
//! read. The declaration's `use` of the example interfaces' `sys` module
//! is left out: the test supplies a `sys` whose `example_kv_v1` has the
//! slot the fragment appends.

use std::path::Path;

/// The bodies of the fenced blocks of `markdown` whose info string starts
/// with `info`.
fn blocks<'a>(markdown: &'a str, info: &str) -> Vec<Vec<&'a str>> {
    let mut found = Vec::new();
    let mut open: Option<(bool, Vec<&str>)> = None;
    for line in markdown.lines() {
        match &mut open {
            None => {
                if let Some(rest) = line.strip_prefix("```") {
                    open = Some((rest.trim() == info, Vec::new()));
                }
            }
            Some((wanted, body)) => {
                if line.trim_end() == "```" {
                    if *wanted {
                        found.push(std::mem::take(body));
                    }
                    open = None;
                } else {
                    body.push(line);
                }
            }
        }
    }
    found
}

/// The one block of `info` in `markdown` holding a line that is `marker`
/// once trimmed.
fn the_block<'a>(markdown: &'a str, info: &str, marker: &str) -> Vec<&'a str> {
    let mut found: Vec<_> = blocks(markdown, info)
        .into_iter()
        .filter(|block| block.iter().any(|line| line.trim() == marker))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "docs/guide-rust.md: want one ```{info} block with the line {marker:?}"
    );
    found.remove(0)
}

fn main() {
    let guide_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guide-rust.md");
    println!("cargo::rerun-if-changed={}", guide_path.display());
    let guide = std::fs::read_to_string(&guide_path).expect("docs/guide-rust.md");

    let declaration = the_block(&guide, "rust", "pub trait Kv {");
    let fragment = the_block(&guide, "rust,ignore", "#[revision(2)]");
    let first = fragment[0];
    let at = declaration
        .iter()
        .position(|line| *line == first)
        .unwrap_or_else(|| {
            panic!("the fragment's first line {first:?} is not a line of the Kv declaration")
        });
    let start = declaration
        .iter()
        .position(|line| line.starts_with("tenon_interface::interface!"))
        .expect("the Kv declaration calls interface!");

    let mut spliced: Vec<&str> = declaration[start..at].to_vec();
    spliced.extend(&fragment);
    spliced.extend(&declaration[at + 1..]);
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("set by cargo"))
        .join("guide_rust_revision_2.rs");
    std::fs::write(out, spliced.join("\n") + "\n").expect("write guide_rust_revision_2.rs");
}
