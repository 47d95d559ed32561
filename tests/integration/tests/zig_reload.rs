//! Hot reload across real rebuilds of a Zig plugin (docs/reload.md,
//! docs/guide-zig.md "State for hot reload"): a copy of the project
//! `tests/fixtures/zig/reload_counter` is built with `zig build` into a
//! prefix, loaded through `Reloadable` in process with state hand-over,
//! its source changed (the greeting, and the state format: `cnt1` becomes
//! `cnt2`), rebuilt with `zig build` into the same prefix while the old
//! build is loaded, and reloaded: explicitly with `reload()`, and by the
//! `watch` feature. The count of greetings survives every reload.
//!
//! No Zig compiler: `TOOLCHAIN MISSING: zig` on stderr and the tests do
//! nothing, unless `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure.

mod support;

use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use support::{library_name, relative, repo_root, run, scratch, toolchain_missing};
use tenon::{Plugin, ReloadOptions, Reloadable};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{zig_command, BuildError};

/// The fixture's directory in the repository.
fn fixture() -> PathBuf {
    repo_root().join("tests/fixtures/zig/reload_counter")
}

/// A copy of the fixture project in a scratch directory, built with zig
/// into its own prefix and cache.
struct Project {
    dir: PathBuf,
    zig: Vec<OsString>,
}

impl Project {
    /// Copies the fixture into the scratch directory `name`, its
    /// `build.zig.zon` pointing at the repository's `sdk-zig`; `None` after
    /// reporting a missing zig.
    fn new(name: &str) -> Option<Project> {
        let zig = match zig_command() {
            Ok(zig) => zig,
            Err(error @ BuildError::ToolchainMissing { .. }) => {
                toolchain_missing("zig", &error.to_string());
                return None;
            }
            Err(error) => panic!("finding zig: {error}"),
        };
        let dir = scratch(name);
        let project = dir.join("project");
        fs::create_dir_all(project.join("src")).unwrap();
        for file in ["build.zig", "src/tenon.h", "src/counter.zig"] {
            fs::copy(fixture().join(file), project.join(file))
                .unwrap_or_else(|e| panic!("copy {file}: {e}"));
        }
        let manifest = fs::read_to_string(fixture().join("build.zig.zon")).unwrap();
        let sdk = relative(
            &fs::canonicalize(&project).unwrap(),
            &fs::canonicalize(repo_root().join("sdk-zig")).unwrap(),
        );
        assert!(manifest.contains("\"../../../../sdk-zig\""), "{manifest}");
        fs::write(
            project.join("build.zig.zon"),
            manifest.replace("\"../../../../sdk-zig\"", &format!("\"{}\"", sdk.display())),
        )
        .unwrap();
        Some(Project { dir, zig })
    }

    fn source(&self) -> PathBuf {
        self.dir.join("project/src/counter.zig")
    }

    /// Runs `zig build` (Debug, the default) with the prefix `out` and the
    /// cache `cache` of the scratch directory, as docs/guide-zig.md says,
    /// and returns the library it installed, checking that the build
    /// changed it (`before`: the library's bytes before the build).
    fn build(&self, before: Option<&[u8]>) -> PathBuf {
        let out = self.dir.join("out");
        run(
            "zig build",
            Command::new(&self.zig[0])
                .args(&self.zig[1..])
                .arg("build")
                .arg("--prefix")
                .arg(&out)
                .arg("--cache-dir")
                .arg(self.dir.join("cache"))
                .current_dir(self.dir.join("project"))
                .stdin(Stdio::null()),
        )
        .unwrap_or_else(|message| panic!("{message}"));
        let library = ["lib", "bin"]
            .iter()
            .map(|sub| out.join(sub).join(library_name("reload_counter-zig")))
            .find(|path| path.is_file())
            .unwrap_or_else(|| panic!("no library under {}", out.display()));
        if let Some(before) = before {
            assert!(
                fs::read(&library).unwrap() != before,
                "zig build left {} as it was: its cache did not see the change of {}",
                library.display(),
                self.source().display()
            );
        }
        library
    }

    /// Replaces the plugin's source with the fixture's next build, as a
    /// developer's edit would.
    fn edit_to_next(&self) {
        fs::copy(fixture().join("next/counter.zig"), self.source()).unwrap();
    }

    /// Edits the plugin's source: `from` becomes `to`.
    fn edit(&self, from: &str, to: &str) {
        let source = fs::read_to_string(self.source()).unwrap();
        assert!(source.contains(from), "{from:?} is not in the source");
        fs::write(self.source(), source.replace(from, to)).unwrap();
    }
}

fn greet(greeter: &Reloadable<dyn Greeter>, name: &str) -> String {
    greeter
        .with(|g| g.greet(name))
        .unwrap_or_else(|error| panic!("greet({name:?}): {error}"))
}

#[test]
fn a_zig_plugin_rebuilt_with_zig_build_reloads_with_its_state() {
    let Some(project) = Project::new("explicit") else {
        return;
    };
    let library = project.build(None);
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&library, "", ReloadOptions::hand_over())
        .unwrap();
    assert_eq!(greet(&greeter, "Ada"), "v1 hello, Ada #1");
    assert_eq!(greet(&greeter, "Ada"), "v1 hello, Ada #2");

    // The new source, built over the loaded library: copy-on-load keeps
    // the build in use apart from the file.
    let first = fs::read(&library).unwrap();
    project.edit_to_next();
    assert_eq!(project.build(Some(&first)), library);
    assert_eq!(
        greet(&greeter, "Ada"),
        "v1 hello, Ada #3",
        "the loaded build serves until the reload"
    );
    let reloaded = greeter.reload().unwrap();
    assert_eq!(reloaded.generation, 2);
    assert_eq!(reloaded.state_bytes, Some(12), "the first build's cnt1");
    assert_eq!(greeter.plugin().info().version.to_string(), "2.0.0");
    assert_eq!(greet(&greeter, "Ada"), "v2 hi, Ada #4, handed over 1x");

    // A build that cannot read the state (the first source again: it
    // reads cnt1, not cnt2) is refused; the second serves, state intact.
    let second = fs::read(&library).unwrap();
    fs::copy(fixture().join("src/counter.zig"), project.source()).unwrap();
    project.build(Some(&second));
    let error = greeter.reload().unwrap_err();
    assert_eq!(error.kind(), "state_hand_over_failed", "{error}");
    assert!(
        error.to_string().contains("restore: not a cnt1 state"),
        "{error}"
    );
    assert_eq!(greet(&greeter, "Ada"), "v2 hi, Ada #5, handed over 1x");
}

#[test]
fn a_watched_zig_plugin_reloads_when_zig_build_replaces_it() {
    let Some(project) = Project::new("watched") else {
        return;
    };
    let library = project.build(None);
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&library, "", ReloadOptions::hand_over())
        .unwrap();
    assert_eq!(greet(&greeter, "Bo"), "v1 hello, Bo #1");
    let (sender, outcomes) = std::sync::mpsc::channel();
    let sender = Mutex::new(sender);
    let watcher = greeter
        .watch(Duration::from_millis(200), move |outcome| {
            let _ = sender.lock().unwrap().send(
                outcome
                    .map(|reloaded| reloaded.generation)
                    .map_err(|error| error.to_string()),
            );
        })
        .unwrap();
    // Waits until the watcher has reloaded a build that greets with
    // `greeting`; every reload on the way must succeed (zig build
    // replaces the library in one rename, and only when it changed).
    let reloaded_to = |greeting: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match outcomes.recv_timeout(left) {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => panic!("the watcher's reload failed: {error}"),
                Err(_) => panic!("no reload to a build greeting {greeting:?} within 60 s"),
            }
            let answer = greet(&greeter, "Bo");
            if answer.starts_with(greeting) {
                return answer;
            }
        }
    };

    let first = fs::read(&library).unwrap();
    project.edit_to_next();
    project.build(Some(&first));
    let answer = reloaded_to("v2 hi, ");
    assert!(
        answer.starts_with("v2 hi, Bo #") && answer.ends_with(", handed over 1x"),
        "{answer}"
    );
    // Counting went on from the first build's count.
    let count: u64 = answer["v2 hi, Bo #".len()..answer.len() - ", handed over 1x".len()]
        .parse()
        .unwrap();
    assert!(count >= 2, "{answer}");

    let second = fs::read(&library).unwrap();
    project.edit("\"v2 hi, \"", "\"v3 hey, \"");
    project.build(Some(&second));
    let answer = reloaded_to("v3 hey, ");
    assert!(answer.ends_with(", handed over 2x"), "{answer}");
    drop(watcher);
}
