//! Drift tests: the checked-in bindings must be exactly what the headers
//! generate today.
//!
//! * A stale file fails with a summary of the first differing lines and the
//!   command that fixes it. With `BLESS=1` the file is rewritten instead.
//! * Without libclang (or rustfmt) the comparison cannot run: the tests print
//!   a loud `TOOLCHAIN MISSING` message to stderr and pass, unless
//!   `TENON_REQUIRE_TOOLCHAINS=1` is set, which makes them fail.
//! * Other tests prove that the check can fail: bindings generated from a
//!   modified copy of a header differ from the checked-in ones, and a missing
//!   libclang is reported as such.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use tenon_bindgen::{diff_summary, workspace_root, Error, Inputs, Target, REGENERATE_COMMAND};
use tenon_test_plugins::toolchain::{self, REQUIRE_TOOLCHAINS_ENV};

/// Unwraps a generation result, or handles a missing toolchain: a loud skip
/// (returns `None`), or a failure when toolchains are required.
fn generated_or_skip(what: &str, result: Result<String, Error>) -> Option<String> {
    match result {
        Ok(text) => Some(text),
        Err(error) if error.is_toolchain_missing() => {
            let tool = match error {
                Error::LibclangMissing(_) => "libclang",
                _ => "rustfmt",
            };
            let message = format!(
                "\n\
                 ********************************************************************\n\
                 TOOLCHAIN MISSING: {tool}: {error}\n\
                 The bindings drift test ({what}) did NOT run.\n\
                 Set {REQUIRE_TOOLCHAINS_ENV}=1 to make this a failure.\n\
                 ********************************************************************\n"
            );
            if toolchain::required() {
                panic!("{message}");
            }
            // Straight to the stderr handle: libtest captures `eprintln!`
            // of passing tests, and this must be seen.
            let _ = std::io::stderr().write_all(message.as_bytes());
            None
        }
        Err(error) => panic!("generating {what} failed: {error}"),
    }
}

fn bless() -> bool {
    matches!(std::env::var("BLESS").as_deref(), Ok("1") | Ok("true"))
}

fn check_up_to_date(target: Target) {
    let root = workspace_root();
    let inputs = Inputs::from_workspace(&root);
    let Some(generated) = generated_or_skip(target.relative_path(), target.generate(&inputs))
    else {
        return;
    };
    let path = target.path_in(&root);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let Some(summary) = diff_summary(&checked_in, &generated, 8) else {
        return;
    };
    if bless() {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("BLESS: writing {}: {e}", path.display()));
        eprintln!("BLESS: rewrote {target}");
        return;
    }
    panic!(
        "{target} is out of date with the C headers.\n{summary}\n\
         Regenerate it with `{REGENERATE_COMMAND}` (or rerun this test with BLESS=1), \
         and commit the result."
    );
}

#[test]
fn sys_bindings_are_up_to_date() {
    check_up_to_date(Target::Sys);
}

#[test]
fn example_bindings_are_up_to_date() {
    check_up_to_date(Target::Examples);
}

/// A fresh, empty directory for one test, under Cargo's tmp dir for
/// integration tests.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("tenon-bindgen-tests")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Returns `text` with `insert` placed right before `anchor`, which must occur
/// exactly once.
fn insert_before(text: &str, anchor: &str, insert: &str) -> String {
    assert_eq!(
        text.matches(anchor).count(),
        1,
        "the test's anchor {anchor:?} must occur exactly once in the header; update the test"
    );
    text.replacen(anchor, &format!("{insert}{anchor}"), 1)
}

#[test]
fn modified_plugin_header_changes_sys_bindings() {
    let root = workspace_root();
    let real = Inputs::from_workspace(&root);
    let header = std::fs::read_to_string(real.plugin_header()).unwrap();
    let modified = insert_before(
        &header,
        "} tenon_plugin_descriptor;",
        "    /* Added by the drift test. */\n    uint32_t drift_probe_field;\n",
    );

    let dir = scratch_dir("modified-plugin-header");
    std::fs::create_dir_all(dir.join("include/tenon")).unwrap();
    std::fs::write(dir.join("include/tenon/plugin.h"), modified).unwrap();
    std::fs::copy(
        real.include_dir.join("tenon/state.h"),
        dir.join("include/tenon/state.h"),
    )
    .unwrap();
    let inputs = Inputs {
        include_dir: dir.join("include"),
        examples_include_dir: real.examples_include_dir.clone(),
    };

    let Some(generated) = generated_or_skip("modified plugin.h", Target::Sys.generate(&inputs))
    else {
        return;
    };
    assert!(
        generated.contains("pub drift_probe_field: u32,"),
        "the new field is missing from:\n{generated}"
    );
    let checked_in = std::fs::read_to_string(Target::Sys.path_in(&root)).unwrap();
    let summary = diff_summary(&checked_in, &generated, 8)
        .expect("bindings of a modified header must differ from the checked-in ones");
    assert!(summary.contains("drift_probe_field"), "{summary}");
}

#[test]
fn modified_example_header_changes_example_bindings() {
    let root = workspace_root();
    let real = Inputs::from_workspace(&root);
    let dir = scratch_dir("modified-example-header");
    let examples = dir.join("interfaces");
    std::fs::create_dir_all(examples.join("tenon_examples")).unwrap();
    for header in tenon_bindgen::EXAMPLE_HEADERS {
        let mut text = std::fs::read_to_string(real.examples_include_dir.join(header)).unwrap();
        if header.ends_with("greeter.h") {
            text = insert_before(
                &text,
                "} example_greeter_v1;",
                "    tenon_status (*wave)(void *instance, tenon_buffer *error);\n",
            );
        }
        std::fs::write(examples.join(header), text).unwrap();
    }
    let inputs = Inputs {
        include_dir: real.include_dir.clone(),
        examples_include_dir: examples,
    };

    let Some(generated) = generated_or_skip(
        "modified example headers",
        Target::Examples.generate(&inputs),
    ) else {
        return;
    };
    assert!(generated.contains("pub wave:"), "{generated}");
    let checked_in = std::fs::read_to_string(Target::Examples.path_in(&root)).unwrap();
    assert!(diff_summary(&checked_in, &generated, 8).is_some());
}

#[test]
fn generated_files_carry_the_do_not_edit_notice() {
    let root = workspace_root();
    for target in Target::ALL {
        let text = std::fs::read_to_string(target.path_in(&root)).unwrap();
        assert!(text.contains("DO NOT EDIT"), "{target}");
        assert!(text.contains(REGENERATE_COMMAND), "{target}");
        assert!(
            !text.contains("fn tenon_plugin_v1"),
            "{target} declares the entry function"
        );
    }
    let examples = std::fs::read_to_string(Target::Examples.path_in(&root)).unwrap();
    assert!(examples.contains("use tenon_sys::*;"));
    assert!(
        !examples.contains("pub struct tenon_"),
        "example bindings duplicate tenon-sys types"
    );
}

/// Runs the drift test `test` of this very binary in a child process whose
/// libclang search is pointed at an empty directory.
fn run_without_libclang(test: &str, require: bool) -> std::process::Output {
    let empty = scratch_dir(&format!("no-libclang-{test}-{require}"));
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("LIBCLANG_PATH", &empty)
        .env_remove("BLESS")
        .env_remove(REQUIRE_TOOLCHAINS_ENV);
    if require {
        command.env(REQUIRE_TOOLCHAINS_ENV, "1");
    }
    command.output().unwrap()
}

#[test]
fn missing_libclang_is_a_loud_skip_or_a_failure_when_required() {
    let skipped = run_without_libclang("sys_bindings_are_up_to_date", false);
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(
        skipped.status.success(),
        "without {REQUIRE_TOOLCHAINS_ENV} the test must pass: {stderr}"
    );
    assert!(
        stderr.contains("TOOLCHAIN MISSING: libclang") && stderr.contains("did NOT run"),
        "the skip must be loud: {stderr}"
    );

    let failed = run_without_libclang("sys_bindings_are_up_to_date", true);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(
        !failed.status.success(),
        "with {REQUIRE_TOOLCHAINS_ENV}=1 the test must fail: {output}"
    );
    assert!(output.contains("TOOLCHAIN MISSING: libclang"), "{output}");
}

#[test]
fn missing_libclang_is_a_distinct_error_of_the_binary() {
    let empty = scratch_dir("no-libclang-binary");
    let output = Command::new(env!("CARGO_BIN_EXE_tenon-bindgen"))
        .arg("--check")
        .env("LIBCLANG_PATH", &empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("libclang could not be loaded"), "{stderr}");
}

#[test]
fn missing_rustfmt_is_a_distinct_error_of_the_binary() {
    let output = Command::new(env!("CARGO_BIN_EXE_tenon-bindgen"))
        .arg("--check")
        .env("RUSTFMT", scratch_dir("no-rustfmt").join("rustfmt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Without libclang the binary stops even earlier, with the same status.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("rustfmt could not be run") || stderr.contains("libclang could not"),
        "{stderr}"
    );
}

/// An application's interface header that uses a typedef, a struct, an
/// enum and a constant of a header it includes from its include root
/// (which also holds a copy of the SDK's `tenon/plugin.h`, as a C project
/// does): the mirror declares the types the interface uses (the constant
/// is an array length, which clang evaluates), takes no `tenon_*` item and
/// nothing the interface does not use, and is the same text whichever
/// spelling of the include directory it was made with.
#[test]
fn interface_bindings_mirror_the_application_headers_the_header_includes() {
    let dir = scratch_dir("app-includes");
    let include = dir.join("include");
    std::fs::create_dir_all(include.join("acme")).unwrap();
    std::fs::create_dir_all(include.join("tenon")).unwrap();
    let sdk = Inputs::from_workspace(&workspace_root()).include_dir;
    for header in ["plugin.h", "state.h"] {
        std::fs::copy(
            sdk.join("tenon").join(header),
            include.join("tenon").join(header),
        )
        .unwrap();
    }
    std::fs::write(
        include.join("acme/common.h"),
        "#ifndef ACME_COMMON_H\n#define ACME_COMMON_H\n#include <stdint.h>\n\
         #define ACME_COMMON_LIMIT 16\n#include <stdio.h>\nvoid acme_print(FILE *f);\n\
         typedef double acme_metres;\n\
         typedef enum acme_unit { ACME_UNIT_METRE, ACME_UNIT_FOOT } acme_unit;\n\
         typedef struct acme_point { acme_metres x; acme_metres y; } acme_point;\n#endif\n",
    )
    .unwrap();
    let header = include.join("acme/shapes.h");
    std::fs::write(
        &header,
        "#include <tenon/plugin.h>\n#include \"acme/common.h\"\n\
         #define ACME_SHAPES_ID \"com.acme.shapes\"\n#define ACME_SHAPES_VERSION 1u\n\
         typedef struct acme_shape {\n    acme_point origin;\n    const acme_point *next;\n\
         \x20   acme_unit unit;\n    uint8_t tags[ACME_COMMON_LIMIT];\n} acme_shape;\n\
         typedef struct acme_shapes_v1 {\n    uint32_t struct_size;\n\
         \x20   tenon_status (*area)(void *instance, tenon_str name, double *area, \
         tenon_buffer *error);\n} acme_shapes_v1;\n",
    )
    .unwrap();
    let generate = |include: &Path| {
        tenon_bindgen::InterfaceBindings::new(&header)
            .include_dir(include)
            .generate()
    };
    let Some(text) = generated_or_skip("application bindings", generate(&include)) else {
        return;
    };
    for declared in [
        "pub type acme_metres = f64;",
        "pub struct acme_point {",
        "pub type acme_unit = ",
        "pub const acme_unit_ACME_UNIT_FOOT: acme_unit = 1;",
        "pub struct acme_shape {",
        "pub tags: [u8; 16usize],",
        "pub struct acme_shapes_v1 {",
        "pub const ACME_SHAPES_VERSION: u32 = 1;",
    ] {
        assert!(text.contains(declared), "{declared} missing from:\n{text}");
    }
    for foreign in [
        "pub struct tenon_str",
        "TENON_OK",
        "INT32_MAX",
        "uint_least",
    ] {
        assert!(!text.contains(foreign), "{foreign} mirrored:\n{text}");
    }
    // Another spelling of the same directory: the same text.
    let relative = dir.join("include/acme/..");
    assert_eq!(generate(&relative).unwrap(), text);
    // Without the include root, "acme/common.h" is not found: an error,
    // not a mirror missing its types.
    assert!(tenon_bindgen::InterfaceBindings::new(&header)
        .generate()
        .is_err());
}

/// A standard interface of the SDK's (`tenon/state.h`), whose own types
/// are named `tenon_*`, keeps its vtable in its mirror, and still takes
/// the contract's types from `tenon_interface::sys`.
#[test]
fn interface_bindings_of_a_standard_interface_keep_its_own_vtable() {
    let header = Inputs::from_workspace(&workspace_root())
        .include_dir
        .join("tenon/state.h");
    let result = tenon_bindgen::InterfaceBindings::new(header).generate();
    let Some(text) = generated_or_skip("bindings of tenon/state.h", result) else {
        return;
    };
    assert!(text.contains("pub struct tenon_state_v1 {"), "{text}");
    assert!(!text.contains("pub struct tenon_buffer"), "{text}");
}

/// An application's interface header whose id and version macros are in a
/// header it includes (`acme/common.h`, beside other macros of its own):
/// the model reads them there, the mirror declares them (and no other macro
/// of that header) with the version as a `u32`, and the declaration names
/// them; a macro found in neither header is an error naming the header, the
/// macro and the headers looked in, before libclang is needed.
#[test]
fn interface_bindings_read_the_id_and_version_from_an_included_header() {
    let dir = scratch_dir("app-included-macros");
    let include = dir.join("include");
    std::fs::create_dir_all(include.join("acme")).unwrap();
    let common = include.join("acme/common.h");
    let write_common = |macros: &str| {
        std::fs::write(
            &common,
            format!(
                "#ifndef ACME_COMMON_H\n#define ACME_COMMON_H\n#include <stdint.h>\n\
                 #define ACME_COMMON_LIMIT 16\n{macros}typedef double acme_metres;\n#endif\n"
            ),
        )
        .unwrap();
    };
    write_common(
        "/* The interfaces of acme. */\n#define ACME_SHAPES_ID \"com.acme.shapes\"\n\
         #define ACME_SHAPES_VERSION 2u\n",
    );
    let header = include.join("acme/shapes.h");
    std::fs::write(
        &header,
        "#include <tenon/plugin.h>\n#include \"acme/common.h\"\n\
         typedef struct acme_size { acme_metres width; } acme_size;\n\
         typedef struct acme_shapes_v2 {\n    uint32_t struct_size;\n\
         \x20   tenon_status (*area)(void *instance, double scale, double *area, \
         tenon_buffer *error);\n} acme_shapes_v2;\n",
    )
    .unwrap();
    let bindings = || tenon_bindgen::InterfaceBindings::new(&header).include_dir(&include);
    let model = bindings().model().unwrap();
    assert_eq!(
        (
            model.id.as_str(),
            model.version,
            model.id_macro.as_str(),
            model.version_macro.as_str()
        ),
        (
            "com.acme.shapes",
            2,
            "ACME_SHAPES_ID",
            "ACME_SHAPES_VERSION"
        )
    );
    if let Some(text) = generated_or_skip("application bindings", bindings().generate()) {
        for declared in [
            "pub const ACME_SHAPES_ID: &[u8; 16] = b\"com.acme.shapes\\0\";",
            "pub const ACME_SHAPES_VERSION: u32 = 2;",
            "pub type acme_metres = f64;",
            "const ID = tenon_interface::c_id(sys::ACME_SHAPES_ID);",
            "const VERSION = sys::ACME_SHAPES_VERSION;",
            "`com.acme.shapes`, version 2",
        ] {
            assert!(text.contains(declared), "{declared} missing from:\n{text}");
        }
        assert!(!text.contains("ACME_COMMON_LIMIT"), "{text}");

        // A version macro defined as another macro's name: clang evaluates
        // it when that macro comes first; otherwise the mirror would lack
        // it, which is an error naming it, not a file that fails to build.
        let id = "#define ACME_SHAPES_ID \"com.acme.shapes\"\n";
        write_common(&format!(
            "{id}#define ACME_API_VERSION 5u\n#define ACME_SHAPES_VERSION ACME_API_VERSION\n"
        ));
        let text = bindings().generate().unwrap();
        assert!(
            text.contains("pub const ACME_SHAPES_VERSION: u32 = 5;") && text.contains("version 5"),
            "{text}"
        );
        write_common(&format!(
            "{id}#define ACME_SHAPES_VERSION ACME_API_VERSION\n#define ACME_API_VERSION 5u\n"
        ));
        assert_eq!(bindings().model().unwrap().version, 5);
        let message = bindings().generate().unwrap_err().to_string();
        assert!(
            message.contains("bindgen could not evaluate ACME_SHAPES_VERSION"),
            "{message}"
        );
    }

    // In neither header: an error that names both, and the macro.
    write_common("#define ACME_SHAPES_ID \"com.acme.shapes\"\n");
    let error = bindings().generate().unwrap_err();
    assert!(!error.is_toolchain_missing(), "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: ", header.display()))
            && message.contains("no `#define ACME_SHAPES_VERSION <integer>`")
            && message.contains(&common.display().to_string()),
        "{message}"
    );
}

/// An included header found only in a directory given with `include_dir`
/// (`-I` of `tenon bindgen`), not beside the header nor under an include
/// root above it: its id and version macros are read there, and without
/// the directory the error says which macro is missing.
#[test]
fn interface_bindings_read_the_macros_of_a_header_in_an_include_dir() {
    let dir = scratch_dir("app-macros-include-dir");
    let ids = dir.join("ids");
    std::fs::create_dir_all(ids.join("acme")).unwrap();
    std::fs::write(
        ids.join("acme/ids.h"),
        "#define ACME_SHAPES_ID \"com.acme.shapes\"\n#define ACME_SHAPES_VERSION 4\n",
    )
    .unwrap();
    let header = dir.join("shapes.h");
    std::fs::write(
        &header,
        "#include <tenon/plugin.h>\n#include <acme/ids.h>\n\
         typedef struct acme_shapes_v4 {\n    uint32_t struct_size;\n\
         \x20   tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v4;\n",
    )
    .unwrap();
    let model = tenon_bindgen::InterfaceBindings::new(&header)
        .include_dir(&ids)
        .model()
        .unwrap();
    assert_eq!((model.id.as_str(), model.version), ("com.acme.shapes", 4));
    // Without it, <acme/ids.h> is taken for a system header.
    let error = tenon_bindgen::InterfaceBindings::new(&header)
        .model()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no `#define ACME_SHAPES_ID \"...\"` for the vtable acme_shapes_v4"),
        "{error}"
    );
}
