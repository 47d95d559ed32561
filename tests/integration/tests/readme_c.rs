//! The C tutorials work as written: every ```c block of README.md and
//! docs/guide-c.md that defines a plugin (`TENON_PLUGIN(`) compiles as a
//! shared library with the flags the README shows (`-std=c99 -Wall -Wextra
//! -Wpedantic -Werror -fPIC -shared -fvisibility=hidden`) under gcc and clang,
//! and the library greets the way the tutorial's Rust host says it does.
//!
//! A compiler that is not installed is reported on stderr as
//! `TOOLCHAIN MISSING: <compiler> ...` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::fs;

use support::{
    check_greets, compile_plugin, have, library_name, repo_root, scratch, toolchain_missing,
};
use tenon::Plugin;

const COMPILERS: &[&str] = &["gcc", "clang"];

/// The bodies of the fenced code blocks of `markdown` whose info string's
/// first word is `language`, in order.
fn code_blocks(markdown: &str, language: &str) -> Vec<String> {
    struct Open {
        fence_len: usize,
        wanted: bool,
        body: String,
    }
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let fence_len = trimmed.chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if fence_len >= 3 => {
                let info = trimmed[fence_len..].trim();
                let first = info.split([' ', ',', '{']).next().unwrap_or("");
                open = Some(Open {
                    fence_len,
                    wanted: first == language,
                    body: String::new(),
                });
            }
            None => {}
            Some(block)
                if fence_len >= block.fence_len && trimmed[fence_len..].trim().is_empty() =>
            {
                if block.wanted {
                    blocks.push(std::mem::take(&mut block.body));
                }
                open = None;
            }
            Some(block) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
        }
    }
    blocks
}

/// The ```c blocks of `document` (relative to the repository root) that
/// define a plugin (call `TENON_PLUGIN(`).
fn plugin_blocks(document: &str) -> Vec<String> {
    let text = fs::read_to_string(repo_root().join(document))
        .unwrap_or_else(|error| panic!("read {document}: {error}"));
    code_blocks(&text, "c")
        .into_iter()
        .filter(|block| block.contains("TENON_PLUGIN("))
        .collect()
}

#[test]
fn code_blocks_are_extracted_by_language() {
    let markdown = "text\n```c\nint a;\n```\n```rust\nfn f() {}\n```\n````c\n```\nint b;\n````\n";
    assert_eq!(code_blocks(markdown, "c"), ["int a;\n", "```\nint b;\n"]);
    assert_eq!(code_blocks(markdown, "rust"), ["fn f() {}\n"]);
}

/// Compiles `source` (block `index` of `document`) as a plugin with every
/// available compiler, loads it and checks it greets "world" with "Hello,
/// world!"; and, when `name` is given, that the plugin is called so.
/// Returns how many compilers built it, or the failures.
fn check_greeter_source(
    document: &str,
    index: usize,
    source_text: &str,
    name: Option<&str>,
) -> Result<usize, Vec<String>> {
    let stem = format!(
        "{}-{index}",
        document.replace(['/', '.'], "_").to_lowercase()
    );
    let dir = scratch(&stem);
    let source = dir.join("plugin.c");
    fs::write(&source, source_text).unwrap();

    let mut failures = Vec::new();
    let mut built = 0;
    for compiler in COMPILERS.iter().copied().filter(|compiler| have(compiler)) {
        let what = format!("{document}, C block {index}, {compiler}");
        let library = dir.join(library_name(&format!("plugin_{compiler}")));
        // As the tutorials build it: `-std=c99 -Wall -Wextra -Wpedantic
        // -Werror -fPIC -shared -fvisibility=hidden`.
        if let Err(message) = compile_plugin(compiler, "c99", &source, &library, &[]) {
            failures.push(format!(
                "{what}: does not compile: {message}\n--- source:\n{source_text}"
            ));
            continue;
        }
        built += 1;
        let result = Plugin::load(&library)
            .map_err(|error| error.to_string())
            .and_then(|plugin| {
                let info = plugin.info();
                if name.is_some_and(|name| info.name != name) {
                    return Err(format!("plugin name {:?}, want {name:?}", info.name));
                }
                let instance = plugin.instantiate("").map_err(|e| e.to_string())?;
                check_greets(&instance, "world")
            });
        if let Err(message) = result {
            failures.push(format!("{what}: {}: {message}", library.display()));
        }
    }
    if failures.is_empty() {
        Ok(built)
    } else {
        Err(failures)
    }
}

fn check_document(document: &str, expected_blocks: usize, name: Option<&str>) {
    let blocks = plugin_blocks(document);
    assert_eq!(
        blocks.len(),
        expected_blocks,
        "{document}: expected {expected_blocks} ```c block(s) with TENON_PLUGIN("
    );
    let mut failures = Vec::new();
    let mut built = 0;
    for (index, block) in blocks.iter().enumerate() {
        match check_greeter_source(document, index, block, name) {
            Ok(count) => built += count,
            Err(mut more) => failures.append(&mut more),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    if built == 0 {
        toolchain_missing(
            "gcc or clang",
            &format!("no C compiler ran; {document} was not checked"),
        );
    }
}

#[test]
fn the_readme_c_plugin_compiles_and_greets() {
    // The tutorial's host loads "libmy_greeter.so" and prints its name.
    check_document("README.md", 1, Some("my-greeter"));
}

#[test]
fn the_c_guide_plugins_compile_and_greet() {
    check_document("docs/guide-c.md", 2, None);
}
