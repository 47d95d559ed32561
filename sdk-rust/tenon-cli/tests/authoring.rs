//! `tenon bindgen` and `tenon new --interface HEADER --sdk DIR`: what an
//! application author meets before any plugin is built.

// The tests that build with toolchains run on Linux only; elsewhere the
// helpers they share are unused.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

mod support;

use std::path::Path;

use support::{run, scratch, stderr, stdout};
use tenon_test_plugins::toolchain;

const HEADER: &str = r#"#include <tenon/plugin.h>
#define ACME_SHAPES_ID "com.acme.shapes"
#define ACME_SHAPES_VERSION 1u
typedef struct acme_shapes_v1 {
    uint32_t struct_size;
    /* The shape's name. [out: text] */
    tenon_status (*name)(void *instance, tenon_buffer *out, tenon_buffer *error);
    tenon_status (*area)(void *instance, double scale, double *area, tenon_buffer *error);
} acme_shapes_v1;
"#;

fn write_header(dir: &Path, text: &str) -> String {
    let header = dir.join("shapes.h");
    std::fs::write(&header, text).unwrap();
    header.display().to_string()
}

#[test]
fn sdk_that_cannot_be_used_is_refused() {
    let dir = scratch("authoring", "sdk-refused");
    let project = dir.join("p").display().to_string();
    let missing = dir.join("no-such-sdk").display().to_string();
    let output = run(&[
        "new", "p", "--lang", "rust", "--dir", &project, "--sdk", &missing,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is not a Tenon SDK a Rust project can use"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("p").exists(), "nothing is written");

    // Headers alone are an SDK for C, not for Rust (no crates).
    let headers_only = dir.join("headers-only");
    std::fs::create_dir_all(headers_only.join("include/tenon")).unwrap();
    std::fs::write(headers_only.join("include/tenon/plugin.h"), "").unwrap();
    let headers_only = headers_only.display().to_string();
    let output = run(&[
        "new",
        "p",
        "--lang",
        "rust",
        "--dir",
        &project,
        "--sdk",
        &headers_only,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("sdk-rust/tenon-plugin/Cargo.toml"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "new",
        "p",
        "--lang",
        "c",
        "--dir",
        &project,
        "--sdk",
        &headers_only,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_header_that_breaks_the_convention_is_refused_with_the_reason() {
    let dir = scratch("authoring", "bad-header");
    let header = write_header(&dir, &HEADER.replace("double scale", "char *scale"));
    let project = dir.join("p").display().to_string();
    let output = run(&[
        "new",
        "p",
        "--lang",
        "c",
        "--dir",
        &project,
        "--interface",
        &header,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("area") && message.contains("pointer"),
        "{message}"
    );
    // A method of revision 2 inserted before revision 1's `area`: every
    // command that reads the header refuses it, naming both methods.
    let inserted = write_header(
        &dir,
        &HEADER.replace(
            "    tenon_status (*area)",
            "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n    tenon_status (*area)",
        ),
    );
    let out = dir.join("shapes.rs").display().to_string();
    let plugin = dir.join("none.so").display().to_string();
    for args in [
        vec![
            "new",
            "q",
            "--lang",
            "c",
            "--dir",
            &project,
            "--interface",
            &inserted,
        ],
        vec!["bindgen", &inserted, "-o", &out],
        vec!["check", "--interface", &inserted, &plugin],
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert!(
            message.contains("method area (revision 1) comes after reset (revision 2)"),
            "{args:?}: {message}"
        );
    }
}

/// A header of an example interface would get stubs that `tenon check`'s
/// probes of that interface fail (an empty greeting, a kv store that keeps
/// nothing), so `tenon new` refuses it and names the example to use instead.
#[test]
fn a_header_of_an_example_interface_is_refused_for_the_example() {
    let dir = scratch("authoring", "example-header");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for short in ["greeter", "kv", "processor"] {
        let header = root
            .join("examples-c/interfaces/tenon_examples")
            .join(format!("{short}.h"))
            .display()
            .to_string();
        for lang in ["c", "cpp", "zig"] {
            let project = dir.join(format!("{short}-{lang}"));
            let output = run(&[
                "new",
                "p",
                "--lang",
                lang,
                "--dir",
                &project.display().to_string(),
                "--interface",
                &header,
            ]);
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{short} {lang}: {message}");
            assert!(
                message.contains(&format!("org.tenon.example.{short} version 1"))
                    && message.contains(&format!("`--interface {short}`")),
                "{message}"
            );
            assert!(!project.exists(), "nothing is written");
        }
    }

    // Another version of an example's id is not probed: stubs pass, so it
    // is an interface like any other.
    let kv2 = std::fs::read_to_string(root.join("examples-c/interfaces/tenon_examples/kv.h"))
        .unwrap()
        .replace("EXAMPLE_KV_VERSION 1u", "EXAMPLE_KV_VERSION 2u");
    assert!(
        kv2.contains("EXAMPLE_KV_VERSION 2u"),
        "the version is replaced"
    );
    let header = dir.join("kv2.h");
    std::fs::write(&header, kv2).unwrap();
    let project = dir.join("kv2-c");
    let output = run(&[
        "new",
        "p",
        "--lang",
        "c",
        "--dir",
        &project.display().to_string(),
        "--interface",
        &header.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// A Rust project from a header needs libclang for its bindings: without
/// it `tenon new` exits with 3, as `tenon bindgen` does, not with the 2 of a
/// wrong command line, and writes nothing.
#[test]
fn a_rust_project_from_a_header_without_libclang_exits_3() {
    let dir = scratch("authoring", "no-libclang");
    let header = write_header(&dir, HEADER);
    let nowhere = dir.join("no-libclang-here");
    std::fs::create_dir_all(&nowhere).unwrap();
    let project = dir.join("p");
    let output = support::tenon()
        .env("LIBCLANG_PATH", &nowhere)
        .args(["new", "p", "--lang", "rust", "--dir"])
        .arg(&project)
        .args(["--interface", &header])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("libclang"), "{}", stderr(&output));
    assert!(!project.exists(), "nothing is written");
}

#[test]
fn new_writes_a_stub_per_method() {
    let dir = scratch("authoring", "stubs");
    let header = write_header(&dir, HEADER);
    let project = dir.join("p");
    let output = run(&[
        "new",
        "p",
        "--lang",
        "cpp",
        "--dir",
        &project.display().to_string(),
        "--interface",
        &header,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("implementing com.acme.shapes version 1"));
    // The next steps include the check that calls the header's methods.
    assert!(
        stdout(&output).contains("\n  tenon check --interface include/shapes.h "),
        "{}",
        stdout(&output)
    );
    let source = std::fs::read_to_string(project.join("src/plugin.cpp")).unwrap();
    assert!(
        source.contains("tenon::vtable<acme_shapes_v1, &P::name, &P::area>"),
        "{source}"
    );
    assert!(project.join("include/shapes.h").is_file());
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        readme.contains("tenon check --interface include/shapes.h"),
        "{readme}"
    );
}

/// A header whose comments describe the C slots: a text result appended to
/// `out`, a bytes result, a scalar stored in `*seconds`, statuses returned.
const DOCUMENTED: &str = r#"#include <tenon/plugin.h>
#define ACME_CLOCK_ID "com.acme.clock"
#define ACME_CLOCK_VERSION 1u
typedef struct acme_clock_v1 {
    uint32_t struct_size;
    /* Appends the clock's name (UTF-8) to out. [out: text] */
    tenon_status (*name)(void *instance, tenon_buffer *out, tenon_buffer *error);
    /* Appends the samples recorded on channel to out, or returns
     * TENON_NOT_FOUND if the channel has none. */
    tenon_status (*samples)(void *instance, tenon_str channel, tenon_buffer *out,
                            tenon_buffer *error);
    /* Stores the seconds since the clock started in *seconds. */
    tenon_status (*elapsed)(void *instance, double *seconds, tenon_buffer *error);
    /* Restarts the clock from zero, or returns TENON_UNSUPPORTED when it
     * cannot restart. */
    tenon_status (*restart)(void *instance, tenon_str reason, tenon_buffer *error);
} acme_clock_v1;
"#;

/// The header's comments describe C slots that append to a buffer, store
/// through a pointer and return a status; the C++ stubs return their result
/// and throw, so their comments say that instead, and the project still
/// builds and passes `tenon check --interface`. The C stubs keep the
/// header's words, which fit them.
#[test]
fn cpp_stub_comments_fit_member_functions_that_return_and_throw() {
    let dir = scratch("authoring", "cpp-stub-comments");
    let header = write_header(&dir, DOCUMENTED);
    let project = dir.join("p");
    let output = run(&[
        "new",
        "p",
        "--lang",
        "cpp",
        "--dir",
        &project.display().to_string(),
        "--interface",
        &header,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let source = std::fs::read_to_string(project.join("src/plugin.cpp")).unwrap();
    for expected in [
        "    // Returns the clock's name (UTF-8).\n    //\n    \
         // tenon::vtable appends the returned std::string to `out`, the C slot's\n    \
         // result.\n    std::string name() const {",
        "    // Returns the samples recorded on channel, or throws\n    \
         // tenon::error::not_found if the channel has none.\n    //\n    \
         // tenon::vtable appends the returned std::vector<std::uint8_t> to `out`,\n    \
         // the C slot's result.\n    std::vector<std::uint8_t> samples(",
        "    // Returns the seconds since the clock started.\n    //\n    \
         // tenon::vtable stores the returned double in `*seconds`, the C slot's\n    \
         // result.\n    double elapsed() const {",
        "    // Restarts the clock from zero, or throws tenon::error::unsupported when\n    \
         // it cannot restart.\n    void restart(",
    ] {
        assert!(source.contains(expected), "{expected}\n---\n{source}");
    }
    for unfit in ["Appends", "Stores", "returns TENON_", "*seconds."] {
        assert!(!source.contains(unfit), "{unfit}\n---\n{source}");
    }

    let c = dir.join("c");
    let output = run(&[
        "new",
        "c",
        "--lang",
        "c",
        "--dir",
        &c.display().to_string(),
        "--interface",
        &header,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let c_source = std::fs::read_to_string(c.join("src/plugin.c")).unwrap();
    assert!(
        c_source.contains("/* Stores the seconds since the clock started in *seconds. */"),
        "{c_source}"
    );

    #[cfg(target_os = "linux")]
    {
        use std::process::Command;
        if Command::new("cmake").arg("--version").output().is_err() {
            toolchain::missing("cmake", "building the C++ project");
            return;
        }
        for command in [
            &["cmake", "-S", ".", "-B", "build"][..],
            &["cmake", "--build", "build"][..],
        ] {
            let output = Command::new(command[0])
                .args(&command[1..])
                .current_dir(&project)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{command:?}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let library = project.join("build/libp.so").display().to_string();
        let output = run(&["check", "--interface", &header, &library]);
        assert!(output.status.success(), "{}", stdout(&output));
        assert!(
            stdout(&output).contains("methods:com.acme.clock"),
            "{}",
            stdout(&output)
        );
    }
}

/// A header whose last method is tagged `[revision 2]` gets stubs for every
/// method, so what `tenon new` prints and writes (the banner, the README,
/// the source's opening comment) names revision 2 beside the version, in
/// every language; a header without tags names revision 1.
#[test]
fn new_names_the_version_and_the_revision_its_stubs_implement() {
    let dir = scratch("authoring", "new-revision");
    let revision_2 = write_header(
        &dir,
        &HEADER.replace(
            "} acme_shapes_v1;",
            "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        ),
    );
    let mut langs = vec![
        ("c", "src/plugin.c"),
        ("cpp", "src/plugin.cpp"),
        ("zig", "src/plugin.zig"),
    ];
    if tenon_bindgen::load_libclang().is_ok() {
        langs.push(("rust", "src/lib.rs"));
    } else {
        toolchain::missing("libclang", "the Rust project is not generated");
    }
    for (lang, source) in langs {
        let project = dir.join(format!("p-{lang}"));
        let output = run(&[
            "new",
            "p",
            "--lang",
            lang,
            "--dir",
            &project.display().to_string(),
            "--interface",
            &revision_2,
        ]);
        assert!(output.status.success(), "{lang}: {}", stderr(&output));
        let what = "com.acme.shapes` version 1, revision 2";
        assert!(
            stdout(&output).contains(&what.replace('`', "")),
            "{lang}: {}",
            stdout(&output)
        );
        let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
        assert!(readme.contains(what), "{lang}: {readme}");
        let source = std::fs::read_to_string(project.join(source)).unwrap();
        assert!(
            source.contains(&what.replace('`', "")) || source.contains(what),
            "{lang}: {source}"
        );
    }

    let revision_1 = dir.join("r1");
    std::fs::create_dir_all(&revision_1).unwrap();
    let header = write_header(&revision_1, HEADER);
    let output = run(&[
        "new",
        "p",
        "--lang",
        "c",
        "--dir",
        &revision_1.join("p").display().to_string(),
        "--interface",
        &header,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("implementing com.acme.shapes version 1, revision 1."),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bindgen_writes_and_checks_for_drift() {
    if let Err(error) = tenon_bindgen::load_libclang() {
        toolchain::missing("libclang", &error.to_string());
        return;
    }
    let dir = scratch("authoring", "bindgen");
    let header = write_header(&dir, HEADER);
    let out = dir.join("shapes.rs").display().to_string();
    let output = run(&["bindgen", &header, "-o", &out]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("pub struct acme_shapes_v1"), "{text}");
    assert!(text.contains("fn name(&self) -> String;"), "{text}");
    assert!(
        text.contains("fn area(&self, scale: f64) -> f64;"),
        "{text}"
    );

    let output = run(&["bindgen", &header, "-o", &out, "--check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("up to date"));

    // The header grows a method: the checked-in file is now stale.
    write_header(
        &dir,
        &HEADER.replace(
            "} acme_shapes_v1;",
            "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        ),
    );
    let output = run(&["bindgen", &header, "-o", &out, "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("OUT OF DATE"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("reset"), "{}", stdout(&output));

    // --text overrides the header; a method the header lacks is an error.
    let output = run(&["bindgen", &header, "-o", &out, "--bytes", "name"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("fn name(&self) -> Vec<u8>;"), "{text}");
    assert!(text.contains("#[revision(2)]"), "{text}");
    let output = run(&["bindgen", &header, "-o", &out, "--text", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nope"), "{}", stderr(&output));
}

/// Every argument and result kind, and names that clash with the stubs'
/// own (`error`, `instance`, `c`, `count` of `count`).
const ALL_KINDS: &str = r#"#include <tenon/plugin.h>
#define ACME_ALL_ID "com.acme.all"
#define ACME_ALL_VERSION 3u
typedef struct acme_all_v3 {
    uint32_t struct_size;
    tenon_status (*scalars)(void *instance, uint8_t a, uint16_t b, uint32_t c, uint64_t d,
                            int8_t e, int16_t f, int32_t g, int64_t h, float i, double j,
                            bool k, int64_t *out, tenon_buffer *error);
    tenon_status (*count)(void *instance, tenon_str instance_, uint64_t *count,
                          tenon_buffer *error);
    /* [out: text] */
    tenon_status (*text)(void *instance, tenon_str error_, tenon_buffer *out, tenon_buffer *error);
    tenon_status (*bytes)(void *instance, tenon_bytes data, tenon_buffer *out, tenon_buffer *error);
    tenon_status (*flag)(void *instance, bool *flag, tenon_buffer *error);
    tenon_status (*ratio)(void *instance, float *ratio, tenon_buffer *error);
} acme_all_v3;
"#;

/// The C, C++ and Zig projects made from a header build as generated and
/// pass `tenon check --interface`.
#[cfg(target_os = "linux")]
#[test]
fn projects_from_a_header_build_and_pass_check_in_c_cpp_and_zig() {
    use std::process::Command;
    let dir = scratch("authoring", "all-kinds");
    let header = write_header(&dir, ALL_KINDS);
    let zig = Command::new("python3")
        .args(["-m", "ziglang", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let builds: [(&str, &[&[&str]], &str, bool); 3] = [
        ("c", &[&["make"]], "build/libp-c.so", true),
        (
            "cpp",
            &[
                &["cmake", "-S", ".", "-B", "build"],
                &["cmake", "--build", "build"],
            ],
            "build/libp-cpp.so",
            Command::new("cmake").arg("--version").output().is_ok(),
        ),
        (
            "zig",
            &[&["python3", "-m", "ziglang", "build"]],
            "zig-out/lib/libp_zig.so",
            zig,
        ),
    ];
    for (lang, commands, library, available) in builds {
        if !available {
            toolchain::missing(lang, "building a project made from a header");
            continue;
        }
        let name = format!("p-{lang}");
        let project = dir.join(&name);
        let output = run(&[
            "new",
            &name,
            "--lang",
            lang,
            "--dir",
            &project.display().to_string(),
            "--interface",
            &header,
        ]);
        assert!(output.status.success(), "{lang}: {}", stderr(&output));
        for command in commands {
            let output = Command::new(command[0])
                .args(&command[1..])
                .current_dir(&project)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{lang}: {command:?}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let library = project.join(library).display().to_string();
        let output = run(&["check", "--interface", &header, &library]);
        assert!(output.status.success(), "{lang}: {}", stdout(&output));
        assert!(
            stdout(&output).contains("methods:com.acme.all"),
            "{lang}: {}",
            stdout(&output)
        );
    }
}

/// A C project `name` made by `tenon new --interface header` in `dir`.
fn new_c_project(dir: &Path, name: &str, header: &str) -> std::path::PathBuf {
    let project = dir.join(name);
    let output = run(&[
        "new",
        name,
        "--lang",
        "c",
        "--dir",
        &project.display().to_string(),
        "--interface",
        header,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    project
}

/// `make args` in `project`.
fn make_in(project: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("make")
        .args(args)
        .current_dir(project)
        .output()
        .unwrap()
}

/// Builds the C project `name` in `project` with `make`, failing the test
/// with the compiler's words if it does not build; the library's path.
fn build_c_plugin(project: &Path, name: &str) -> String {
    let built = make_in(project, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    project
        .join(format!("build/lib{name}.so"))
        .display()
        .to_string()
}

/// A C project's Makefile rebuilds the plugin when the interface header
/// `tenon new --interface` copied into `include/` changes, as it does when
/// the application publishes a new revision.
#[cfg(target_os = "linux")]
#[test]
fn a_c_project_rebuilds_when_its_interface_header_changes() {
    let dir = scratch("authoring", "c-header-dependency");
    let header = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-c", &header);
    let copied = project.join("include/shapes.h");
    assert!(copied.is_file(), "tenon new copies the header to include/");
    let make = |args: &[&str]| make_in(&project, args);
    let built = make(&[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    // `make -q` exits with 0 when the target is up to date, 1 when not.
    assert_eq!(make(&["-q"]).status.code(), Some(0));
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&copied)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(
        make(&["-q"]).status.code(),
        Some(1),
        "a changed include/shapes.h must make the library out of date"
    );
    // `make check` runs the check that calls the header's methods.
    let tenon = format!("TENON={}", env!("CARGO_BIN_EXE_tenon"));
    let checked = make(&["check", &tenon]);
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success() && report.contains("PASS  methods:com.acme.shapes"),
        "{report}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// A plugin built against revision 1, checked with the revision-2 header,
/// passes and is reported as what it is: its `interfaces` line does not
/// claim every method of the header is present, and `methods:` names the
/// method it lacks instead of calling it: on its summary line, with the
/// revisions, and with `-v` in its details.
#[cfg(target_os = "linux")]
#[test]
fn check_with_a_later_revision_reports_the_methods_a_plugin_lacks() {
    let dir = scratch("authoring", "earlier-revision");
    let header = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-r1", &header);
    let library = build_c_plugin(&project, "shapes-r1");

    let revision_2 = dir.join("shapes-r2.h");
    std::fs::write(
        &revision_2,
        HEADER.replace(
            "} acme_shapes_v1;",
            "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        ),
    )
    .unwrap();
    let output = run(&[
        "check",
        "-v",
        "--interface",
        &revision_2.display().to_string(),
        &library,
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let interfaces = text
        .lines()
        .find(|l| l.contains("PASS  interfaces"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        !interfaces.contains("every method present"),
        "a revision-1 plugin lacks reset: {text}"
    );
    assert!(interfaces.contains("earlier revision"), "{text}");
    assert!(
        text.contains("not provided by this plugin's revision of the interface: reset"),
        "{text}"
    );

    let output = run(&[
        "check",
        "--interface",
        &revision_2.display().to_string(),
        &library,
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let methods = text
        .lines()
        .find(|l| l.contains("PASS  methods:com.acme.shapes"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        methods.contains("2 methods called")
            && methods.ends_with("; revision 1 of 2, lacks 1 method: reset"),
        "{text}"
    );
}

/// A plugin built against revision 2, checked with the revision-1 header,
/// passes, and its `interfaces` line says, without `-v`, that the vtable is
/// of a later revision than the header and how many slots the header does
/// not know, instead of claiming every method present.
#[cfg(target_os = "linux")]
#[test]
fn check_with_an_earlier_revision_says_the_vtable_is_of_a_later_one() {
    let dir = scratch("authoring", "later-revision");
    let revision_1 = write_header(&dir, HEADER);
    let grown_dir = dir.join("r2");
    std::fs::create_dir_all(&grown_dir).unwrap();
    let revision_2 = write_header(
        &grown_dir,
        &HEADER.replace(
            "} acme_shapes_v1;",
            "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        ),
    );
    let project = new_c_project(&dir, "shapes-r2", &revision_2);
    let built = make_in(&project, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let library = project.join("build/libshapes-r2.so").display().to_string();

    let output = run(&["check", "--interface", &revision_1, &library]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let interfaces = text
        .lines()
        .find(|l| l.contains("PASS  interfaces"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        !interfaces.contains("with every method present"),
        "the header does not know reset: {text}"
    );
    assert!(
        interfaces.ends_with(&format!(
            "with every method their headers declare present; com.acme.shapes v1: the \
             plugin's vtable is of a later revision than {revision_1}, with 1 slot the header \
             does not know"
        )),
        "{text}"
    );

    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md"))
            .unwrap();
    assert!(
        docs.contains(
            "with every method their headers declare present; com.acme.greeter v1: the \
             plugin's vtable is of a later revision than include/acme/greeter.h, with 1 slot \
             the header does not know"
        ),
        "docs/cli.md shows the note"
    );

    // With the plugin's own revision, nothing to note.
    let output = run(&["check", "--interface", &revision_2, &library]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l.contains("PASS  interfaces")
            && l.ends_with("interfaces resolved with every method present")),
        "{text}"
    );
}

/// A plugin built against revision 2 with the new slot left NULL fails the
/// `interfaces` check with `null_slot` whether it is checked with the
/// revision-2 header, the revision-1 header or none: an older header must
/// not hide a slot a host of the later revision refuses.
#[cfg(target_os = "linux")]
#[test]
fn check_refuses_a_null_slot_of_a_later_revision_than_its_header() {
    let dir = scratch("authoring", "later-null-slot");
    let revision_1 = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-null", &revision_1);
    // The plugin takes the revision-2 header and leaves `reset` NULL.
    let grown = HEADER.replace(
        "} acme_shapes_v1;",
        "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
    );
    std::fs::write(project.join("include/shapes.h"), &grown).unwrap();
    let revision_2 = dir.join("shapes-r2.h");
    std::fs::write(&revision_2, &grown).unwrap();
    let source = project.join("src/plugin.c");
    let text = std::fs::read_to_string(&source).unwrap();
    let vtable_end = text
        .find("_area);")
        .unwrap_or_else(|| panic!("no TENON_VTABLE ending with the area method in:\n{text}"));
    let text = format!(
        "{}_area, NULL);{}",
        &text[..vtable_end],
        &text[vtable_end + "_area);".len()..]
    );
    std::fs::write(&source, text).unwrap();
    let library = build_c_plugin(&project, "shapes-null");

    let revision_2 = revision_2.display().to_string();
    // The slots are counted from 0 and the methods from 1, so every detail
    // says both: `slot 2 of 3` alone reads as the second of three.
    let detail_of = |header: Option<&String>| match header {
        None => "slot 2 of 3 (method 3 in declaration order) is NULL".to_string(),
        Some(h) if *h == revision_1 => {
            "slot 2 of 3 (method 3 in declaration order) is NULL: it lies past the 2 methods"
                .to_string()
        }
        Some(_) => "`reset` (slot 2, method 3 in declaration order) is NULL".to_string(),
    };
    for header in [None, Some(&revision_1), Some(&revision_2)] {
        let mut args = vec!["check", "-v"];
        if let Some(header) = header {
            args.extend(["--interface", header.as_str()]);
        }
        args.push(&library);
        let output = run(&args);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{header:?}: {text}");
        assert!(
            text.lines()
                .any(|l| l.contains("FAIL  interfaces") && l.contains("[null_slot]")),
            "{header:?}: {text}"
        );
        assert!(text.contains(&detail_of(header)), "{header:?}: {text}");
    }
}

/// The mistake of appending a method without its `[revision N]` tag: the
/// header's revision 1 grows, a plugin built before is too small for it,
/// and the failure says that a missing tag is one way to get there.
#[cfg(target_os = "linux")]
#[test]
fn check_with_an_untagged_appended_method_names_the_missing_tag() {
    let dir = scratch("authoring", "untagged-append");
    let header = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-old", &header);
    let library = build_c_plugin(&project, "shapes-old");
    let untagged = dir.join("shapes-untagged.h");
    std::fs::write(
        &untagged,
        HEADER.replace(
            "} acme_shapes_v1;",
            "    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        ),
    )
    .unwrap();
    let output = run(&[
        "check",
        "-v",
        "--interface",
        &untagged.display().to_string(),
        &library,
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("FAIL  interfaces") && l.contains("[vtable_too_small]")),
        "{text}"
    );
    assert!(text.contains("without a [revision N] tag"), "{text}");
}

/// `tenon inspect --interface HEADER` names the revision of an interface
/// of the application's own, which it cannot know otherwise: each
/// plugin's, read from the header's `[revision N]` tags, `null` without the
/// header or for a vtable short of the header's revision 1; an unreadable
/// header is a usage error.
#[cfg(target_os = "linux")]
#[test]
fn inspect_with_a_header_names_the_revision_of_an_own_interface() {
    let dir = scratch("authoring", "inspect-revision");
    let revision_1 = write_header(&dir, HEADER);
    let grown = HEADER.replace(
        "} acme_shapes_v1;",
        "    /* [revision 2] */\n    tenon_status (*reset)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
    );
    let revision_2 = dir.join("shapes-r2.h");
    std::fs::write(&revision_2, &grown).unwrap();
    let revision_2 = revision_2.display().to_string();
    let untagged = dir.join("shapes-untagged.h");
    std::fs::write(&untagged, grown.replace("/* [revision 2] */", "")).unwrap();
    let untagged = untagged.display().to_string();
    let mut libraries = Vec::new();
    for (name, header) in [("shapes-r1", &revision_1), ("shapes-r2", &revision_2)] {
        let project = new_c_project(&dir, name, header);
        libraries.push(build_c_plugin(&project, name));
    }
    let revision = |library: &str, header: Option<&str>| {
        let mut args = vec!["inspect", "--json"];
        if let Some(header) = header {
            args.extend(["--interface", header]);
        }
        args.push(library);
        let output = run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["interfaces"][0]["revision"].clone()
    };
    let (r1, r2) = (libraries[0].as_str(), libraries[1].as_str());
    assert_eq!(revision(r1, None), serde_json::Value::Null);
    assert_eq!(revision(r1, Some(&revision_1)), 1);
    assert_eq!(revision(r1, Some(&revision_2)), 1);
    assert_eq!(revision(r2, Some(&revision_2)), 2);
    // The header knows revision 1 only; the extra slot is a later one.
    assert_eq!(revision(r2, Some(&revision_1)), 1);
    // Revision 1 of the untagged header has three methods: the plugin of
    // two is short of it, and a host refuses it.
    assert_eq!(revision(r1, Some(&untagged)), serde_json::Value::Null);

    let text = stdout(&run(&["inspect", "--interface", &revision_2, r2]));
    assert!(
        text.contains("com.acme.shapes  version 1  vtable 32 bytes (3 method slots)  revision 2"),
        "{text}"
    );
    let bad = dir.join("not-an-interface.h");
    std::fs::write(&bad, "#include <tenon/plugin.h>\n").unwrap();
    let output = run(&["inspect", "--interface", &bad.display().to_string(), r1]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--interface"),
        "{}",
        stderr(&output)
    );
}

/// A plugin that declares itself thread-safe but whose method is not: the
/// `threads` check calls the methods an `--interface` header declares from
/// several threads at once on one shared instance, as it does the example
/// interfaces' methods, so the overlap (here detected and turned into an
/// abort, what a data race may do) fails it, naming the method.
#[cfg(target_os = "linux")]
#[test]
fn threads_calls_the_methods_of_a_header_at_once() {
    let dir = scratch("authoring", "racy");
    let header = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-racy", &header);
    std::fs::write(
        project.join("src/plugin.c"),
        r#"#define _POSIX_C_SOURCE 199309L
#include <tenon/sdk.h>
#include <shapes.h>
#include <stdlib.h>
#include <time.h>

static volatile int busy;
static char racy_instance;

/* Not thread-safe, whatever the descriptor says: two calls at once abort. */
static tenon_status racy_name(void *instance, tenon_buffer *out, tenon_buffer *error) {
    struct timespec pause = {0, 200000};
    TENON_UNUSED(instance);
    TENON_UNUSED(error);
    if (busy) {
        abort();
    }
    busy = 1;
    nanosleep(&pause, NULL);
    busy = 0;
    return tenon_buffer_append_cstr(out, "racy");
}

static tenon_status racy_area(void *instance, double scale, double *area, tenon_buffer *error) {
    TENON_UNUSED(instance);
    TENON_UNUSED(error);
    *area = scale;
    return TENON_OK;
}

static tenon_status racy_create(const tenon_host *host, tenon_str config, void **out,
                                tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    TENON_UNUSED(error);
    *out = &racy_instance;
    return TENON_OK;
}

static void racy_destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const acme_shapes_v1 racy_vtable = TENON_VTABLE(acme_shapes_v1, racy_name, racy_area);

TENON_PLUGIN("shapes-racy", "0.1.0", "claims thread safety it lacks", TENON_PLUGIN_THREAD_SAFE,
             racy_create, racy_destroy,
             TENON_INTERFACE_ENTRY(ACME_SHAPES_ID, ACME_SHAPES_VERSION, &racy_vtable));
"#,
    )
    .unwrap();
    let library = build_c_plugin(&project, "shapes-racy");
    threads_check_crashes(&header, &library, "from 8 threads at once");
}

/// Runs `tenon check --interface header library` and asserts that its
/// `threads` check fails with a crash while calling the header's methods
/// `how` ("from 8 threads at once", …), whereas `methods:`, which calls
/// them one at a time on one thread, passes.
fn threads_check_crashes(header: &str, library: &str, how: &str) {
    let output = run(&["check", "--interface", header, library]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let threads = text
        .lines()
        .find(|l| l.contains("  threads "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        threads.contains("FAIL")
            && threads.contains("[crashed]")
            && threads.contains(&format!("com.acme.shapes (name, area) {how}")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("PASS  methods:com.acme.shapes")),
        "{text}"
    );
}

/// A plugin that is not thread-safe may still be called from any thread,
/// one call at a time (plugin.h): the `threads` check hands one instance
/// from thread to thread and calls the methods an `--interface` header
/// declares on each, so a plugin that assumes the thread that created the
/// instance (here checked, and an abort otherwise) fails it.
#[cfg(target_os = "linux")]
#[test]
fn threads_calls_the_methods_of_a_header_from_one_thread_after_another() {
    let dir = scratch("authoring", "thread-bound");
    let header = write_header(&dir, HEADER);
    let project = new_c_project(&dir, "shapes-bound", &header);
    std::fs::write(
        project.join("src/plugin.c"),
        r#"#include <tenon/sdk.h>
#include <shapes.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_t creator;
static char bound_instance;

/* Assumes the thread that created the instance: wrong, plugin.h lets any
 * thread call, one at a time. */
static tenon_status bound_name(void *instance, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance);
    TENON_UNUSED(error);
    if (!pthread_equal(creator, pthread_self())) {
        abort();
    }
    return tenon_buffer_append_cstr(out, "bound");
}

static tenon_status bound_area(void *instance, double scale, double *area, tenon_buffer *error) {
    TENON_UNUSED(instance);
    TENON_UNUSED(error);
    *area = scale;
    return TENON_OK;
}

static tenon_status bound_create(const tenon_host *host, tenon_str config, void **out,
                                 tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    TENON_UNUSED(error);
    creator = pthread_self();
    *out = &bound_instance;
    return TENON_OK;
}

static void bound_destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const acme_shapes_v1 bound_vtable = TENON_VTABLE(acme_shapes_v1, bound_name, bound_area);

TENON_PLUGIN("shapes-bound", "0.1.0", "bound to the thread that created it", 0, bound_create,
             bound_destroy,
             TENON_INTERFACE_ENTRY(ACME_SHAPES_ID, ACME_SHAPES_VERSION, &bound_vtable));
"#,
    )
    .unwrap();
    let library = build_c_plugin(&project, "shapes-bound");
    threads_check_crashes(&header, &library, "from one thread after another");
}

/// An application that moved its interface to version 2 checks plugins of
/// either version with one command line: `--interface` takes a header per
/// version of an id, and each plugin's methods are called through the
/// header of the version it offers, with no warning about the other. Two
/// headers of one id at one version are still a usage error, naming the
/// version.
#[cfg(target_os = "linux")]
#[test]
fn check_takes_headers_of_two_versions_of_one_interface() {
    let dir = scratch("authoring", "two-versions");
    let version_1 = write_header(&dir, HEADER);
    let version_2 = dir.join("shapes_v2.h");
    std::fs::write(
        &version_2,
        HEADER
            .replace("ACME_SHAPES_", "ACME_SHAPES_V2_")
            .replace("_VERSION 1u", "_VERSION 2u")
            .replace("acme_shapes_v1", "acme_shapes_v2")
            .replace(
                "double scale, double *area",
                "double scale, uint32_t sides, double *area",
            ),
    )
    .unwrap();
    let version_2 = version_2.display().to_string();
    for (name, header, calls) in [
        ("shapes-one", &version_1, "2 methods called 6 times"),
        ("shapes-two", &version_2, "2 methods called 8 times"),
    ] {
        let project = new_c_project(&dir, name, header);
        let library = build_c_plugin(&project, name);
        let output = run(&[
            "check",
            "--interface",
            &version_1,
            "--interface",
            &version_2,
            &library,
        ]);
        let text = stdout(&output);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {text}{}",
            stderr(&output)
        );
        assert!(
            text.lines()
                .any(|l| l.contains("PASS  methods:com.acme.shapes") && l.contains(calls)),
            "{name}: {text}"
        );
        assert!(!text.contains("warning"), "{name}: {text}");
    }

    let twice = dir.join("shapes-again.h");
    std::fs::write(&twice, HEADER).unwrap();
    let output = run(&[
        "check",
        "--interface",
        &version_1,
        "--interface",
        &twice.display().to_string(),
        &dir.join("shapes-one/build/libshapes-one.so")
            .display()
            .to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("both describe com.acme.shapes version 1"),
        "{}",
        stderr(&output)
    );
}

/// The header's copy keeps its file name only (cli.md, "Your own
/// interface"): `acme/shapes.h` is `include/shapes.h`, included as
/// `<shapes.h>`, and the project builds from it.
#[cfg(target_os = "linux")]
#[test]
fn new_copies_a_header_from_a_subdirectory_under_its_file_name() {
    let dir = scratch("authoring", "header-in-subdirectory");
    std::fs::create_dir_all(dir.join("acme")).unwrap();
    let header = dir.join("acme/shapes.h");
    std::fs::write(&header, HEADER).unwrap();
    let project = new_c_project(&dir, "shapes-sub", &header.display().to_string());
    assert_eq!(
        std::fs::read_to_string(project.join("include/shapes.h")).unwrap(),
        HEADER
    );
    assert!(!project.join("include/acme").exists());
    let source = std::fs::read_to_string(project.join("src/plugin.c")).unwrap();
    assert!(source.contains("#include <shapes.h>"), "{source}");
    let built = make_in(&project, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// An application's headers under `dir/include/acme/`: `shapes.h`, the
/// interface, includes `common.h` from the include root (`"acme/common.h"`)
/// and `units.h` (`<acme/units.h>`); `common.h` includes `detail/base.h`
/// beside it. The interface uses a type from each (a typedef of one, and a
/// struct holding `common.h`'s struct, enum and array length), so a project
/// missing any of them does not compile.
fn write_application_headers(dir: &Path) -> std::path::PathBuf {
    let acme = dir.join("include/acme");
    std::fs::create_dir_all(acme.join("detail")).unwrap();
    std::fs::write(
        acme.join("detail/base.h"),
        "#ifndef ACME_BASE_H\n#define ACME_BASE_H\ntypedef double acme_real;\n#endif\n",
    )
    .unwrap();
    std::fs::write(
        acme.join("common.h"),
        "#ifndef ACME_COMMON_H\n#define ACME_COMMON_H\n#include <stdint.h>\n\
         #include \"detail/base.h\"\ntypedef acme_real acme_length;\n\
         #define ACME_COMMON_TAGS 4\n\
         typedef enum acme_unit { ACME_UNIT_METRE, ACME_UNIT_FOOT } acme_unit;\n\
         typedef struct acme_point { acme_length x; acme_length y; } acme_point;\n#endif\n",
    )
    .unwrap();
    std::fs::write(
        acme.join("units.h"),
        "#ifndef ACME_UNITS_H\n#define ACME_UNITS_H\n#include \"acme/common.h\"\n\
         typedef acme_length acme_metres;\n#endif\n",
    )
    .unwrap();
    let header = acme.join("shapes.h");
    std::fs::write(
        &header,
        HEADER.replace(
            "#include <tenon/plugin.h>\n",
            "#include <tenon/plugin.h>\n#include \"acme/common.h\"\n#include <acme/units.h>\n\
             typedef acme_metres acme_shape_size;\n\
             typedef struct acme_outline {\n    acme_point origin;\n    const acme_point *next;\n\
             \x20   acme_unit unit;\n    uint8_t tags[ACME_COMMON_TAGS];\n} acme_outline;\n",
        ),
    )
    .unwrap();
    header
}

/// `tenon new --interface` copies the application's headers the interface
/// header includes, where its `#include`s find them, says so, and the C
/// project builds and passes `tenon check --interface` with them.
#[cfg(target_os = "linux")]
#[test]
fn a_project_from_a_header_gets_the_headers_it_includes() {
    let dir = scratch("authoring", "included-headers");
    let header = write_application_headers(&dir);
    let project = dir.join("shapes-c");
    let output = run(&[
        "new",
        "shapes-c",
        "--lang",
        "c",
        "--dir",
        &project.display().to_string(),
        "--interface",
        &header.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let copies = [
        "include/acme/common.h",
        "include/acme/detail/base.h",
        "include/acme/units.h",
    ];
    assert!(
        stdout(&output).contains(&format!(
            "Copied the headers the interface header includes: {}",
            copies.join(", ")
        )),
        "{}",
        stdout(&output)
    );
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    for copy in copies {
        assert!(project.join(copy).is_file(), "{copy} is copied");
        assert!(readme.contains(&format!("`{copy}`")), "{readme}");
    }
    assert!(
        !project.join("include/stdint.h").exists(),
        "a system header is not copied"
    );
    let library = build_c_plugin(&project, "shapes-c");
    let output = run(&[
        "check",
        "--interface",
        &header.display().to_string(),
        &library,
    ]);
    assert!(output.status.success(), "{}", stdout(&output));
    // A copied header, however deep, is a dependency of the library.
    assert_eq!(make_in(&project, &["-q"]).status.code(), Some(0));
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(project.join("include/acme/detail/base.h"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(
        make_in(&project, &["-q"]).status.code(),
        Some(1),
        "a changed include/acme/detail/base.h must make the library out of date"
    );
}

/// An include the project could not build without, but which `tenon new`
/// cannot copy where it would be found, is refused with exit status 2,
/// naming the include, and nothing is written; in a branch not taken
/// (`#if 0`, `#ifdef __cplusplus`) it is left alone.
#[test]
fn a_header_whose_includes_cannot_be_copied_is_refused() {
    let dir = scratch("authoring", "included-refused");
    let header = write_application_headers(&dir);
    let original = std::fs::read_to_string(&header).unwrap();
    std::fs::write(dir.join("include/outside.h"), "typedef int acme_outside;\n").unwrap();
    let project = dir.join("p");
    for (include, why) in [
        ("\"../outside.h\"", "escapes upward"),
        ("\"missing.h\"", "is not found"),
        ("<acme/missing.h>", "is not found"),
    ] {
        std::fs::write(
            &header,
            original.replace(
                "#include <acme/units.h>",
                &format!("#include <acme/units.h>\n#include {include}"),
            ),
        )
        .unwrap();
        let output = run(&[
            "new",
            "p",
            "--lang",
            "c",
            "--dir",
            &project.display().to_string(),
            "--interface",
            &header.display().to_string(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{include}");
        let message = stderr(&output);
        assert!(
            message.contains(&format!("#include {include} {why}"))
                && message.contains("could not build without it"),
            "{include}: {message}"
        );
        assert!(!project.exists(), "{include}: nothing is written");
    }
    // The same includes in a branch a C compiler skips are not the
    // project's: it is written without them.
    std::fs::write(
        &header,
        original.replace(
            "#include <acme/units.h>",
            "#include <acme/units.h>\n#if 0\n#include \"missing.h\"\n#endif\n\
             #ifdef __cplusplus\n#include <acme/missing.h>\n#endif",
        ),
    )
    .unwrap();
    let output = run(&[
        "new",
        "p",
        "--lang",
        "c",
        "--dir",
        &project.display().to_string(),
        "--interface",
        &header.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(project.join("include/acme/units.h").is_file());
    assert!(!project.join("include/missing.h").exists());
}

/// A Rust project gets the included headers in `interface/`, its bindings
/// are generated with the include root on the path and mirror the types the
/// interface header uses from them, the README's `tenon bindgen` command,
/// run in the project, finds the copies, and the project builds with cargo
/// and passes `tenon check --interface`.
#[test]
fn a_rust_project_from_a_header_gets_the_headers_it_includes() {
    if let Err(error) = tenon_bindgen::load_libclang() {
        toolchain::missing("libclang", &error.to_string());
        return;
    }
    let dir = scratch("authoring", "included-headers-rust");
    let header = write_application_headers(&dir);
    let project = dir.join("shapes-rust");
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = run(&[
        "new",
        "shapes-rust",
        "--lang",
        "rust",
        "--dir",
        &project.display().to_string(),
        "--sdk",
        &sdk.display().to_string(),
        "--interface",
        &header.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    for copy in [
        "interface/acme/common.h",
        "interface/acme/detail/base.h",
        "interface/acme/units.h",
    ] {
        assert!(project.join(copy).is_file(), "{copy} is copied");
    }
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    let check = "tenon bindgen interface/shapes.h -o src/interface.rs --check -I interface";
    assert!(readme.contains(check), "{readme}");
    let output = support::tenon()
        .args(check.split(' ').skip(1))
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("up to date"),
        "{}",
        stdout(&output)
    );
    let bindings = std::fs::read_to_string(project.join("src/interface.rs")).unwrap();
    for declared in [
        "pub type acme_real = f64;",
        "pub type acme_metres = acme_length;",
        "pub struct acme_point {",
        "pub type acme_unit = ",
        "pub tags: [u8; 4usize],",
        "pub struct acme_outline {",
    ] {
        assert!(bindings.contains(declared), "{declared}:\n{bindings}");
    }

    // Under Wine, cargo is a Linux program this test cannot start.
    if !cfg!(target_os = "linux") {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = dir.join("target");
    let built = std::process::Command::new(&cargo)
        .args(["build", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let library = target.join(format!(
        "debug/{}shapes_rust{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let output = run(&[
        "check",
        "--interface",
        &header.display().to_string(),
        &library.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("methods:com.acme.shapes"),
        "{}",
        stdout(&output)
    );
}

/// [`write_application_headers`], with the interface's version macro moved
/// out of `shapes.h` into `detail/base.h`, which `shapes.h` includes only
/// through `common.h`, and its id macro defined as the name of a macro of
/// `base.h` (`#define ACME_SHAPES_ID ACME_SHAPES_NAME`).
fn write_headers_with_included_macros(dir: &Path) -> std::path::PathBuf {
    let header = write_application_headers(dir);
    let macros = "#define ACME_SHAPES_ID \"com.acme.shapes\"\n#define ACME_SHAPES_VERSION 1u\n";
    let text = std::fs::read_to_string(&header).unwrap();
    assert!(text.contains(macros));
    std::fs::write(
        &header,
        text.replace(macros, "#define ACME_SHAPES_ID ACME_SHAPES_NAME\n"),
    )
    .unwrap();
    let base = header.with_file_name("detail/base.h");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace(
            "#define ACME_BASE_H\n",
            "#define ACME_BASE_H\n#define ACME_SHAPES_NAME \"com.acme.shapes\"\n\
             #define ACME_SHAPES_VERSION 1u\n",
        ),
    )
    .unwrap();
    header
}

/// A header whose version macro is in an application header it includes
/// (two levels down), and whose id macro is defined as the name of a macro
/// there: `tenon new --interface` makes C, C++, Zig and Rust projects of it
/// that build as generated and pass `tenon check --interface` with it, and
/// the Rust bindings declare the two macros.
#[cfg(target_os = "linux")]
#[test]
fn projects_from_a_header_whose_macros_are_in_an_included_header_build_and_pass_check() {
    use std::process::Command;
    let dir = scratch("authoring", "included-macros");
    let header = write_headers_with_included_macros(&dir);
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = dir.join("target");
    let zig = Command::new("python3")
        .args(["-m", "ziglang", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let libclang = tenon_bindgen::load_libclang().is_ok();
    let cmake = Command::new("cmake").arg("--version").output().is_ok();
    let builds: [(&str, &[&[&str]], String, bool); 4] = [
        ("c", &[&["make"]], "build/libm-c.so".to_owned(), true),
        (
            "cpp",
            &[
                &["cmake", "-S", ".", "-B", "build"],
                &["cmake", "--build", "build"],
            ],
            "build/libm-cpp.so".to_owned(),
            cmake,
        ),
        (
            "zig",
            &[&["python3", "-m", "ziglang", "build"]],
            "zig-out/lib/libm_zig.so".to_owned(),
            zig,
        ),
        (
            "rust",
            &[&[&cargo, "build", "--quiet"]],
            target.join("debug/libm_rust.so").display().to_string(),
            libclang,
        ),
    ];
    for (lang, commands, library, available) in builds {
        if !available {
            toolchain::missing(
                lang,
                "building a project whose header's macros are included",
            );
            continue;
        }
        let name = format!("m-{lang}");
        let project = dir.join(&name);
        let output = run(&[
            "new",
            &name,
            "--lang",
            lang,
            "--dir",
            &project.display().to_string(),
            "--sdk",
            &sdk.display().to_string(),
            "--interface",
            &header.display().to_string(),
        ]);
        assert!(output.status.success(), "{lang}: {}", stderr(&output));
        let copied = if lang == "rust" {
            "interface"
        } else {
            "include"
        };
        assert!(
            project.join(copied).join("acme/detail/base.h").is_file(),
            "{lang}: the header with the macros is copied"
        );
        if lang == "rust" {
            let bindings = std::fs::read_to_string(project.join("src/interface.rs")).unwrap();
            for declared in [
                "pub const ACME_SHAPES_ID: &[u8; 16] = b\"com.acme.shapes\\0\";",
                "pub const ACME_SHAPES_VERSION: u32 = 1;",
            ] {
                assert!(bindings.contains(declared), "{declared}:\n{bindings}");
            }
        }
        for command in commands {
            let output = Command::new(command[0])
                .args(&command[1..])
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(&project)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{lang}: {command:?}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let library = project.join(library).display().to_string();
        let output = run(&[
            "check",
            "--interface",
            &header.display().to_string(),
            &library,
        ]);
        assert!(output.status.success(), "{lang}: {}", stdout(&output));
        assert!(
            stdout(&output).contains("methods:com.acme.shapes"),
            "{lang}: {}",
            stdout(&output)
        );
    }
}

/// A version macro found neither in the interface header nor in the
/// application headers it includes is refused by every tool that reads the
/// header, with exit status 2 and a message naming the header, the macro
/// and the headers looked in; one defined as an expression, or under a
/// conditional the reader cannot evaluate, is refused naming the header
/// that defines it.
#[test]
fn a_macro_found_in_no_header_is_refused_by_every_tool() {
    let dir = scratch("authoring", "included-macros-refused");
    let header = write_headers_with_included_macros(&dir);
    let base = header.with_file_name("detail/base.h");
    let text = std::fs::read_to_string(&base).unwrap();
    let shown = header.display().to_string();
    let project = dir.join("p").display().to_string();
    let out = dir.join("interface.rs").display().to_string();
    let include = dir.join("include").display().to_string();
    let commands: [&[&str]; 3] = [
        &[
            "new",
            "p",
            "--lang",
            "c",
            "--dir",
            &project,
            "--interface",
            &shown,
        ],
        &["check", "--interface", &shown, "no-such-plugin.so"],
        &["bindgen", &shown, "-o", &out, "-I", &include],
    ];
    for (definition, names, why) in [
        ("", &shown, "no `#define ACME_SHAPES_VERSION <integer>`"),
        (
            "#define ACME_SHAPES_VERSION (ACME_SHAPES_BASE + 1)",
            &base.display().to_string(),
            "evaluates no expression",
        ),
        // A definition under a conditional the reader cannot evaluate (a
        // macro of the compiler's command line) is refused naming its
        // line, not read as whichever comes first.
        (
            "#ifdef ACME_BIG\n#define ACME_SHAPES_VERSION 2u\n#else\n\
             #define ACME_SHAPES_VERSION 1u\n#endif",
            &base.display().to_string(),
            "line 5: ACME_SHAPES_VERSION is defined under `#ifdef ACME_BIG` (line 4), which the \
             header reader cannot evaluate",
        ),
    ] {
        std::fs::write(
            &base,
            text.replace("#define ACME_SHAPES_VERSION 1u", definition),
        )
        .unwrap();
        for command in commands {
            let output = run(command);
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{command:?}: {message}");
            assert!(
                message.contains(&format!("{names}: "))
                    && message.contains("ACME_SHAPES_VERSION")
                    && message.contains(why),
                "{command:?}: {message}"
            );
        }
        assert!(!dir.join("p").exists() && !dir.join("interface.rs").exists());
    }
}
