//! The rules `docs/ABI.md` says a host enforces, checked against the host.
//!
//! The tables under "What a host verifies at load" name, for each rule, the
//! error kind and the fixtures or tests that break it. This test reads those
//! tables, so a rule cannot be documented without something that breaks it,
//! nor a fixture change its outcome without the documentation following:
//!
//! - every fixture named (`tests/fixtures/<stem>.c`, `.cpp` or `.txt`) is
//!   loaded, asked for the greeter and instantiated, and the first error
//!   must have the row's kind;
//! - every test named (`name()`) must be defined in one of the integration
//!   test files, where it asserts the kind itself.
//!
//! It also holds the tests that no fixture file can stand for: a library
//! whose dependency is missing, and the host's promises about the arguments
//! it passes (`host_promises.c`).

mod support;

use std::path::Path;
use support::{compile_plugin, library_name, repo_root, scratch};
use tenon::{Error, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_compiler, c_fixture, cpp_fixture};

/// One documented rule: its kind and what breaks it.
#[derive(Debug)]
struct Rule {
    text: String,
    kind: String,
    fixtures: Vec<String>,
    tests: Vec<String>,
}

/// The rows of every table in `docs/ABI.md` between "What a host verifies at
/// load" and the next `##` heading whose header is `| … | error kind |
/// broken by |`.
fn documented_rules() -> Vec<Rule> {
    let doc = std::fs::read_to_string(repo_root().join("docs/ABI.md")).expect("read docs/ABI.md");
    let start = doc
        .find("## What a host verifies at load")
        .expect("docs/ABI.md has the section");
    let section = &doc[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    let mut rules = Vec::new();
    let mut in_table = false;
    for line in section[..end].lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if cells.len() == 3 && cells[1].trim() == "error kind" && cells[2].trim() == "broken by" {
            in_table = true;
            continue;
        }
        if !in_table || cells[0].starts_with("---") {
            continue;
        }
        assert_eq!(cells.len(), 3, "a rule row needs three cells: {line}");
        let kind = backticked(cells[1])
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no kind in: {line}"));
        let mut rule = Rule {
            text: cells[0].trim().to_owned(),
            kind,
            fixtures: Vec::new(),
            tests: Vec::new(),
        };
        for name in backticked(cells[2]) {
            match name.strip_suffix("()") {
                Some(test) => rule.tests.push(test.to_owned()),
                None => rule.fixtures.push(name),
            }
        }
        assert!(
            !rule.fixtures.is_empty() || !rule.tests.is_empty(),
            "rule without a fixture or test: {line}"
        );
        rules.push(rule);
    }
    rules
}

/// The `code spans` of a table cell.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Loads `path`, asks for the greeter and instantiates it with a non-empty
/// configuration (which `create_fails.c` refuses): the first error, or
/// `None` if all three succeed.
fn first_error(path: &Path) -> Option<Error> {
    let plugin = match Plugin::load(path) {
        Ok(plugin) => plugin,
        Err(error) => return Some(error),
    };
    if let Err(error) = plugin.require::<dyn Greeter>() {
        return Some(error);
    }
    plugin.instantiate("a configuration").err()
}

fn fixture_path(file: &str) -> std::path::PathBuf {
    let (stem, extension) = file
        .rsplit_once('.')
        .unwrap_or_else(|| panic!("a fixture name has an extension: {file}"));
    assert!(
        repo_root().join("tests/fixtures").join(file).is_file(),
        "docs/ABI.md names tests/fixtures/{file}, which does not exist"
    );
    match extension {
        "c" | "txt" => c_fixture(stem),
        "cpp" => cpp_fixture(stem),
        other => panic!("unknown fixture kind .{other}: {file}"),
    }
}

#[test]
fn every_documented_rule_is_broken_by_what_the_docs_name() {
    let rules = documented_rules();
    assert!(
        rules.len() >= 20,
        "only {} rules read: {rules:#?}",
        rules.len()
    );
    let tests_dir = repo_root().join("tests/integration/tests");
    let sources: String = std::fs::read_dir(&tests_dir)
        .expect("list the integration tests")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| std::fs::read_to_string(path).expect("read a test file"))
        .collect();
    let mut failures = Vec::new();
    for rule in &rules {
        for file in &rule.fixtures {
            match first_error(&fixture_path(file)) {
                Some(error) if error.kind() == rule.kind => {}
                Some(error) => failures.push(format!(
                    "{file}: expected {} for \"{}\", got {}: {error}",
                    rule.kind,
                    rule.text,
                    error.kind()
                )),
                None => failures.push(format!(
                    "{file}: expected {} for \"{}\", but it loaded, resolved and instantiated",
                    rule.kind, rule.text
                )),
            }
        }
        for test in &rule.tests {
            if !sources.contains(&format!("fn {test}()")) {
                failures.push(format!(
                    "docs/ABI.md names the test {test}() for \"{}\", but no integration test defines it",
                    rule.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "compiles with gcc/clang flags (-fPIC, -L, -l) at run time; MinGW under Wine cannot run them"
)]
fn a_library_whose_dependency_is_missing_is_not_a_library() {
    let dir = scratch("missing-dependency");
    let dependency_source = dir.join("gone.c");
    std::fs::write(
        &dependency_source,
        "int tenon_test_gone(void) { return 7; }\n",
    )
    .unwrap();
    let dependency = dir.join(library_name("gone"));
    let compiler = c_compiler().label();
    compile_plugin(compiler, "c99", &dependency_source, &dependency, &[]).unwrap();
    let plugin = dir.join(library_name("needs_gone"));
    let source = repo_root().join("tests/fixtures/greeter_v2.c");
    let mut link = vec![format!("-L{}", dir.display())];
    if cfg!(target_os = "linux") {
        // Some distributions link with --as-needed, which would drop a
        // library the plugin does not call.
        link.push("-Wl,--no-as-needed".to_owned());
    }
    link.push("-lgone".to_owned());
    compile_plugin(compiler, "c99", &source, &plugin, &link).unwrap();
    std::fs::remove_file(&dependency).unwrap();
    let error = support::load_error(&plugin);
    assert_eq!(error.kind(), "not_a_library", "{error}");
    assert!(error.to_string().contains("gone"), "{error}");
}

/// On Linux a plugin finds the libraries it ships beside it through the run
/// path `$ORIGIN` when it is loaded in place (docs/ABI.md, "Where a
/// plugin's own libraries are found"): the plugin of `tests/windows`, whose
/// library imports another, the three in one directory the loader does not
/// search otherwise. (Loaded from a private copy or isolated, the host
/// loads them from there itself: `tests/origin.rs`; on Windows in every
/// mode: `a_plugin_finds_its_own_dlls_beside_it_however_it_is_loaded`
/// below and `tests/capi/plugin_dependencies.c`, under Wine.)
#[cfg(target_os = "linux")]
#[test]
fn a_plugin_finds_its_own_libraries_beside_it_through_origin() {
    let dir = scratch("own-libraries");
    let sources = repo_root().join("tests/windows");
    let compiler = c_compiler().label();
    let linking = |library: &str| {
        vec![
            format!("-L{}", dir.display()),
            // Kept even where the linker drops what looks unused.
            "-Wl,--no-as-needed".to_owned(),
            format!("-l{library}"),
            "-Wl,-rpath,$ORIGIN".to_owned(),
        ]
    };
    for (source, library, extra) in [
        (
            "beside_dependency_inner.c",
            "libbeside_dependency_inner.so",
            Vec::new(),
        ),
        (
            "beside_dependency.c",
            "libbeside_dependency.so",
            linking("beside_dependency_inner"),
        ),
        (
            "greeter_with_dependency.c",
            "greeter_with_dependency.so",
            linking("beside_dependency"),
        ),
    ] {
        compile_plugin(
            compiler,
            "c99",
            &sources.join(source),
            &dir.join(library),
            &extra,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let plugin = Plugin::load(dir.join("greeter_with_dependency.so")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(
        greeter.greet("world").unwrap(),
        "Hello, world! (from the DLL beside the plugin)"
    );
}

/// On Windows the host loads a plugin's own DLLs from the plugin's
/// directory (docs/ABI.md, "Where a plugin's own libraries are found"),
/// however it loads the plugin: in place, reloadable (from private copies
/// in `%TEMP%`, the DLLs still found beside the original) and isolated in
/// a child process. The plugin of `tests/windows` imports a DLL that
/// imports another, the three in a directory that is neither this
/// program's nor on `PATH`; a copy of the plugin alone does not load.
#[cfg(windows)]
#[test]
fn a_plugin_finds_its_own_dlls_beside_it_however_it_is_loaded() {
    use tenon::isolation::Isolation;
    use tenon::{ReloadOptions, Reloadable};
    const ANSWER: &str = "Hello, world! (from the DLL beside the plugin)";
    let path =
        tenon_test_plugins::c_plugin_with_dependencies().expect("the plugin and its DLLs build");
    let greet = |plugin: &Plugin| {
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        greeter.greet("world").unwrap()
    };

    let plugin = Plugin::load(&path).unwrap();
    assert_eq!(greet(&plugin), ANSWER);
    drop(plugin);

    let reloadable: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&path, "", ReloadOptions::stateless())
        .unwrap();
    assert_eq!(reloadable.with(|g| g.greet("world")).unwrap(), ANSWER);
    reloadable.reload().unwrap();
    assert_eq!(reloadable.with(|g| g.greet("world")).unwrap(), ANSWER);
    drop(reloadable);

    let runner = tenon_test_plugins::isolation_runner().expect("the test runner builds");
    let isolated = Plugin::loader()
        .isolated(Isolation::new().runner(runner))
        .load(&path)
        .unwrap();
    assert_eq!(greet(&isolated), ANSWER);
    drop(isolated);

    let alone = scratch("dll-alone").join("greeter_with_dependency.dll");
    std::fs::copy(&path, &alone).unwrap();
    let error = support::load_error(&alone);
    assert_eq!(error.kind(), "not_a_library", "{error}");
}

#[test]
fn the_host_keeps_its_promises_about_arguments() {
    let plugin = Plugin::load(c_fixture("host_promises")).unwrap();
    let instance = plugin
        .instantiate("")
        .unwrap_or_else(|e| panic!("create saw a broken promise: {e}"));
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    for name in ["first", "second", ""] {
        assert_eq!(
            greeter
                .greet(name)
                .unwrap_or_else(|e| panic!("greet saw a broken promise: {e}")),
            format!("Hello, {name}!")
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_not_a_library_and_loading_it_does_not_block() {
    let fifo = scratch("fifo").join(library_name("fifo"));
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    // Opening a FIFO for reading would wait for a writer forever: the load
    // must refuse it without opening it that way.
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(support::load_error(&fifo)).unwrap());
    let error = result
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("loading a FIFO blocked");
    assert_eq!(error.kind(), "not_a_library", "{error}");
    assert!(error.to_string().contains("not a regular file"), "{error}");
}
