//! The C tutorials work as written: every ```c block of README.md and
//! docs/guide-c.md that defines a plugin (`TENON_PLUGIN(`) compiles as a
//! shared library with the flags the README shows (`-std=c99 -Wall -Wextra
//! -Wpedantic -Werror -fPIC -shared -fvisibility=hidden`) under gcc and clang,
//! and the library greets the way the tutorial's Rust host says it does; the
//! guide's host-services plugin relays to a greeter its Rust host offers and
//! logs into the host's log; docs/ABI.md's plugin written against plugin.h
//! alone greets and exports its entry alone; the README's command for a
//! plugin built against an installed SDK runs as written outside the
//! repository; and every link into another
//! page's section (`page.md#anchor`) names a heading that page has.
//!
//! A compiler that is not installed is reported on stderr as
//! `TOOLCHAIN MISSING: <compiler> ...` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use support::docs::{check_relay, check_relay_without_offer, code_blocks, doc_blocks, the_block};
use support::{
    check_exports_only_entry, check_greets, compile_plugin, have, have_all, install_sdk_c,
    library_name, repo_root, run, scratch, symbol_lister, toolchain_missing,
};
use tenon::Plugin;

const COMPILERS: &[&str] = &["gcc", "clang"];

/// The ```c blocks of `document` (relative to the repository root) that
/// define a plugin (call `TENON_PLUGIN(`) and use no host service beyond
/// the log (those need a host that offers one: [`host_service_blocks`]).
fn plugin_blocks(document: &str) -> Vec<String> {
    c_blocks(document)
        .into_iter()
        .filter(|block| block.contains("TENON_PLUGIN(") && !block.contains("get_interface("))
        .collect()
}

/// The ```c blocks of `document` that define a plugin calling an interface
/// its host offers (`get_interface(`).
fn host_service_blocks(document: &str) -> Vec<String> {
    c_blocks(document)
        .into_iter()
        .filter(|block| block.contains("TENON_PLUGIN(") && block.contains("get_interface("))
        .collect()
}

fn c_blocks(document: &str) -> Vec<String> {
    doc_blocks(document, "c")
}

/// Writes `source` to a scratch directory `stem` and compiles it as a plugin
/// with every available compiler: the libraries built, and a message for
/// each compiler that failed.
fn build_with_each_compiler(stem: &str, what: &str, source: &str) -> (Vec<PathBuf>, Vec<String>) {
    let dir = scratch(stem);
    let path = dir.join("plugin.c");
    fs::write(&path, source).unwrap();
    let mut built = Vec::new();
    let mut failures = Vec::new();
    for compiler in COMPILERS.iter().copied().filter(|compiler| have(compiler)) {
        let library = dir.join(library_name(&format!("plugin_{compiler}")));
        match compile_plugin(compiler, "c99", &path, &library, &[]) {
            Ok(()) => built.push(library),
            Err(message) => failures.push(format!(
                "{what}, {compiler}: does not compile: {message}\n--- source:\n{source}"
            )),
        }
    }
    if built.is_empty() && failures.is_empty() {
        toolchain_missing(
            "gcc or clang",
            &format!("no C compiler ran; {what} was not checked"),
        );
    }
    (built, failures)
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

/// The README's command for the plugin in a project of one's own runs as
/// written (`sh -e`) in a directory outside the repository, where the only
/// trace of Tenon is an SDK installed from `sdk-c` as the README says (with
/// the example interfaces) and named by `PKG_CONFIG_PATH`; the library it
/// writes is `my-greeter` and greets.
#[test]
fn the_readme_c_plugin_builds_against_an_installed_sdk() {
    // The command is for Linux (`cc`, a `.so`); under Wine there is no
    // cmake or cc to run.
    if !cfg!(target_os = "linux") || !have_all(&["cmake", "pkg-config", "cc"]) {
        return;
    }
    let dir = scratch("readme_installed_sdk");
    let prefix = install_sdk_c(&dir, &["-DTENON_INSTALL_EXAMPLE_INTERFACES=ON".into()]);

    let project = dir.join("my-greeter");
    fs::create_dir_all(&project).unwrap();
    let sources = plugin_blocks("README.md");
    fs::write(project.join("greeter.c"), &sources[0]).unwrap();
    let commands = the_block("README.md", "sh", "pkg-config --cflags tenon").replace("\\\n", " ");
    let command: Vec<&str> = commands
        .lines()
        .filter(|line| line.contains("pkg-config") && !line.trim_start().starts_with('#'))
        .collect();
    assert_eq!(
        command.len(),
        1,
        "README.md: one command with pkg-config in:\n{commands}"
    );
    run(
        &format!("README.md's command {:?}", command[0]),
        Command::new("sh")
            .arg("-ec")
            .arg(command[0])
            .current_dir(&project)
            .env("PKG_CONFIG_PATH", prefix.join("share/pkgconfig")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plugin = Plugin::load(project.join("libmy_greeter.so")).expect("loading what it built");
    assert_eq!(plugin.info().name, "my-greeter");
    check_greets(&plugin.instantiate("").unwrap(), "world").unwrap();
}

#[test]
fn the_c_guide_plugins_compile_and_greet() {
    check_document("docs/guide-c.md", 2, None);
}

#[test]
fn the_c_guide_host_services_plugin_relays_to_the_greeter_its_host_offers() {
    let blocks = host_service_blocks("docs/guide-c.md");
    assert_eq!(
        blocks.len(),
        1,
        "docs/guide-c.md: one ```c block calling get_interface("
    );
    let what = "docs/guide-c.md, host services";
    let (libraries, mut failures) =
        build_with_each_compiler("guide_c_host_services", what, &blocks[0]);
    for library in &libraries {
        let mut modes = vec![false];
        if cfg!(target_os = "linux") {
            modes.push(true);
        }
        for isolated in modes {
            if let Err(message) = check_relay(library, isolated) {
                failures.push(format!(
                    "{what}, {} (isolated: {isolated}): {message}",
                    library.display()
                ));
            }
        }
        // Without an offer, create refuses with not_found and says why in
        // the host's log too.
        if let Err(message) = check_relay_without_offer(library) {
            failures.push(format!("{what}, {}: {message}", library.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_abi_plugin_without_the_sdk_greets_and_exports_its_entry_alone() {
    let blocks: Vec<String> = c_blocks("docs/ABI.md")
        .into_iter()
        .filter(|block| block.contains("tenon_plugin_v1(void) {"))
        .collect();
    assert_eq!(
        blocks.len(),
        1,
        "docs/ABI.md: one ```c block defining tenon_plugin_v1"
    );
    assert!(
        !blocks[0].contains("tenon/sdk.h"),
        "the plugin without the SDK includes tenon/sdk.h"
    );
    let what = "docs/ABI.md, Without the SDK";
    let (libraries, mut failures) = build_with_each_compiler("abi_without_sdk", what, &blocks[0]);
    let lister = symbol_lister();
    for library in &libraries {
        let result = Plugin::load(library)
            .map_err(|error| error.to_string())
            .and_then(|plugin| {
                let instance = plugin.instantiate("").map_err(|e| e.to_string())?;
                check_greets(&instance, "world")
            });
        if let Err(message) = result {
            failures.push(format!("{what}, {}: {message}", library.display()));
        }
        if let Some(lister) = &lister {
            if let Err(message) = check_exports_only_entry(lister, what, library) {
                failures.push(message);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The GitHub anchor of a heading: lower case, spaces to hyphens, every
/// character but letters, digits, `-` and `_` dropped.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors `markdown` defines: one per heading outside code blocks, and
/// every `<a id="...">`.
fn anchors(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            found.push(anchor_of(&line[hashes..]));
        }
        for piece in line.split("<a id=\"").skip(1) {
            if let Some(end) = piece.find('"') {
                found.push(piece[..end].to_owned());
            }
        }
    }
    found
}

#[test]
fn headings_give_github_anchors() {
    assert_eq!(
        anchor_of(" Standard interfaces: `org.tenon.state`"),
        "standard-interfaces-orgtenonstate"
    );
    assert_eq!(anchor_of(" 4. Build it"), "4-build-it");
    assert_eq!(
        anchors("# A b\n```\n# not\n```\n<a id=\"x\"></a>**X**\n#no\n"),
        ["a-b", "x"]
    );
}

#[test]
fn links_to_a_section_of_another_page_name_one_it_has() {
    let root = repo_root();
    let mut pages = vec![root.join("README.md")];
    for entry in fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "md") {
            pages.push(path);
        }
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = fs::read_to_string(page).unwrap();
        for link in text.split("](").skip(1) {
            let Some(end) = link.find(')') else { continue };
            let Some((target, anchor)) = link[..end].split_once('#') else {
                continue;
            };
            if !target.ends_with(".md") || target.contains("://") {
                continue;
            }
            let target_path = page.parent().unwrap().join(target);
            let Ok(target_text) = fs::read_to_string(&target_path) else {
                broken.push(format!("{}: {target}: no such page", page.display()));
                continue;
            };
            checked += 1;
            if !anchors(&target_text).iter().any(|a| a == anchor) {
                broken.push(format!(
                    "{}: {target}#{anchor}: no such section",
                    page.display()
                ));
            }
        }
    }
    assert!(checked > 5, "only {checked} links checked");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
