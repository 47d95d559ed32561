//! The C tutorials work as written: every ```c block of README.md and
//! docs/guide-c.md that defines a plugin (`TENON_PLUGIN(`) compiles as a
//! shared library with the flags the README shows (`-std=c99 -Wall -Wextra
//! -Wpedantic -Werror -fPIC -shared -fvisibility=hidden`) under gcc and clang,
//! and the library greets the way the tutorial's Rust host says it does.
//!
//! A compiler that is not installed is reported on stderr as
//! `TOOLCHAIN MISSING: <compiler> ...` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

use std::env;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use tenon::Plugin;
use tenon_example_interfaces::Greeter;

const COMPILERS: &[&str] = &["gcc", "clang"];
const FLAGS: &[&str] = &[
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-fPIC",
    "-shared",
    "-fvisibility=hidden",
];

fn repo_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <root>/tests/integration.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("repository root above tests/integration")
        .to_path_buf()
}

/// Reports a missing tool: a loud line on stderr, or a panic when
/// `TENON_REQUIRE_TOOLCHAINS=1`.
fn toolchain_missing(tool: &str, why: &str) {
    let message = format!("TOOLCHAIN MISSING: {tool} ({why}); skipping what needs it");
    if env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!("{message}, but TENON_REQUIRE_TOOLCHAINS=1 requires every toolchain");
    }
    // Not eprintln!: the harness would hide it for a passing test.
    let _ = writeln!(std::io::stderr(), "\n*** {message} ***\n");
}

/// Whether `tool --version` runs; reports the tool as missing if not.
fn have(tool: &str) -> bool {
    match Command::new(tool).arg("--version").output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            toolchain_missing(
                tool,
                &format!("`{tool} --version` failed: {}", output.status),
            );
            false
        }
        Err(error) => {
            toolchain_missing(tool, &format!("cannot run it: {error}"));
            false
        }
    }
}

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
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("readme_c")
        .join(&stem);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let source = dir.join("plugin.c");
    fs::write(&source, source_text).unwrap();

    let root = repo_root();
    let includes: Vec<String> = ["include", "sdk-c/include", "examples-c/interfaces"]
        .iter()
        .map(|part| format!("-I{}", root.join(part).display()))
        .collect();
    let mut failures = Vec::new();
    let mut built = 0;
    for compiler in COMPILERS.iter().copied().filter(|compiler| have(compiler)) {
        let what = format!("{document}, C block {index}, {compiler}");
        let library = dir.join(format!(
            "{}plugin_{compiler}{}",
            env::consts::DLL_PREFIX,
            env::consts::DLL_SUFFIX
        ));
        let output = Command::new(compiler)
            .args(FLAGS)
            .args(&includes)
            .arg(&source)
            .arg("-o")
            .arg(&library)
            .output()
            .expect("run the compiler");
        if !output.status.success() {
            failures.push(format!(
                "{what}: does not compile ({}):\n{}{}\n--- source:\n{source_text}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
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
                let greeter = instance
                    .interface::<dyn Greeter>()
                    .map_err(|e| e.to_string())?;
                let greeting = greeter.greet("world").map_err(|e| e.to_string())?;
                (greeting == "Hello, world!")
                    .then_some(())
                    .ok_or(format!("greet(\"world\") = {greeting:?}"))
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
