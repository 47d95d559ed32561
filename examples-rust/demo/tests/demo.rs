//! The demo host as a user runs it on plugin files of their own: every file
//! given is loaded and called, and one that is not a plugin fails the run.

use std::process::{Command, Output};

fn demo(paths: &[std::path::PathBuf]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenon-demo"))
        .args(paths)
        .env_remove("RUST_LOG")
        .output()
        .expect("run tenon-demo")
}

#[test]
fn loads_and_calls_the_plugins_it_is_given() {
    let paths = [
        tenon_test_plugins::c_plugin("greeter"),
        tenon_test_plugins::c_plugin("processor"),
    ];
    let output = demo(&paths);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("greet(\"world\") -> \"Hello, world!\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("crc32(\"123456789\") -> cbf43926"),
        "{stdout}"
    );
    assert!(
        stdout.contains("all 2 plugins loaded and answered"),
        "{stdout}"
    );
    assert!(!stdout.contains("building the example plugins"), "{stdout}");
}

#[test]
fn a_file_that_is_not_a_plugin_fails_the_run() {
    let paths = [
        tenon_test_plugins::c_plugin("greeter"),
        tenon_test_plugins::c_fixture("not_a_library"),
    ];
    let output = demo(&paths);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAILED [not_a_library]"), "{stdout}");
    assert!(stdout.contains("1 of 2 plugins failed"), "{stdout}");
}

/// `--static`: the greeters linked in and the files given, one registry,
/// each listed with its origin and called.
#[test]
fn static_mode_lists_linked_in_greeters_beside_the_files() {
    let file = tenon_test_plugins::c_plugin("greeter");
    let output = Command::new(env!("CARGO_BIN_EXE_tenon-demo"))
        .arg("--static")
        .arg(&file)
        .output()
        .expect("the demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for name in tenon_static_host::linked_in_names() {
        assert!(
            stdout.contains(&format!("[static:{name}]")),
            "{name}:\n{stdout}"
        );
    }
    let canonical = std::fs::canonicalize(&file).expect("the file exists");
    assert!(
        stdout.contains(&format!("[{}]", canonical.display())),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .matches("greet(\"world\") -> \"Hello, world!\"")
            .count(),
        tenon_static_host::linked_in_names().len() + 1,
        "{stdout}"
    );
}
