//! Test programs of the C host API (`tests/capi/*.c`, and `*.cpp` for
//! `tenon/host.hpp`): built against the debug libtenon, run plainly, under AddressSanitizer or under valgrind,
//! and judged by the `N passed, M failed` line each prints last.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{repo_root, run, WARNINGS};
use tenon_test_plugins::rust_plugin;

/// The flags that build a test program with AddressSanitizer and UBSan,
/// any report ending it.
pub const SANITIZERS: &[&str] = &[
    "-g",
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=all",
];

/// The directory holding the debug libtenon.so, built once.
pub fn libtenon_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let library = rust_plugin("libtenon").expect("building libtenon");
        library.parent().unwrap().to_path_buf()
    })
}

/// Compiles `tests/capi/<name>.c` with `compiler` as C `std`, warnings as
/// errors, `extra` flags and the repository's `include/` (plus
/// `include_dirs` under the root), linked to libtenon, into `exe`.
pub fn build(
    compiler: &str,
    std: &str,
    name: &str,
    include_dirs: &[&str],
    extra: &[&str],
    exe: &Path,
) {
    let source = repo_root().join("tests/capi").join(format!("{name}.c"));
    build_source(compiler, std, &source, include_dirs, extra, exe);
}

/// Compiles `tests/capi/<name>.cpp` with `compiler` as C++17, warnings as
/// errors, `extra` flags and the headers of `include/` and
/// `sdk-c/host/include/` (`tenon/host.hpp`), linked to libtenon, into
/// `exe`.
pub fn build_cpp(compiler: &str, name: &str, extra: &[&str], exe: &Path) {
    let source = repo_root().join("tests/capi").join(format!("{name}.cpp"));
    build_source(
        compiler,
        "c++17",
        &source,
        &["sdk-c/host/include"],
        extra,
        exe,
    );
}

/// Compiles the C or C++ program `source` as [`build`] compiles a test
/// program.
pub fn build_source(
    compiler: &str,
    std: &str,
    source: &Path,
    include_dirs: &[&str],
    extra: &[&str],
    exe: &Path,
) {
    let root = repo_root();
    let lib = libtenon_dir();
    run(
        &format!("compiling {} with {compiler}", source.display()),
        Command::new(compiler)
            .arg(format!("-std={std}"))
            .args(WARNINGS)
            .args(extra)
            .arg(format!("-I{}", root.join("include").display()))
            .args(
                include_dirs
                    .iter()
                    .map(|dir| format!("-I{}", root.join(dir).display())),
            )
            .arg(source)
            .arg("-o")
            .arg(exe)
            .arg(format!("-L{}", lib.display()))
            .arg("-ltenon")
            .arg(format!("-Wl,-rpath,{}", lib.display())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// `exe` under AddressSanitizer's runtime options: leak checking on (the
/// default on Linux), any report an exit status of 99.
pub fn under_address_sanitizer(exe: &Path) -> Command {
    let mut command = Command::new(exe);
    command.env(
        "ASAN_OPTIONS",
        "detect_leaks=1:abort_on_error=0:exitcode=99",
    );
    command
}

/// `exe` under valgrind: memory errors and definite or indirect leaks fail
/// the run; memory a library keeps for the whole process ("still
/// reachable") does not. Its isolated checks are skipped: valgrind 3.19
/// does not know `pidfd_open`, which isolation needs.
pub fn under_valgrind(exe: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .args([
            "-q",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
        ])
        .arg(exe)
        .env("TENON_C_TEST_SKIP_ISOLATION", "1");
    command
}

/// Runs `command` (a test program with its arguments) and checks that it
/// passed every check, and at least one.
pub fn expect_all_passed(what: &str, command: &mut Command) {
    let stdout = run(what, command).unwrap_or_else(|e| panic!("{e}"));
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" passed, 0 failed") && !summary.starts_with("0 passed"),
        "{what}: {stdout}"
    );
}

/// The first ```<language> block (`c`, `cpp`) after the heading
/// `## <section>` of `docs/guide-c-host.md`.
pub fn guide_example(section: &str, language: &str) -> String {
    let guide = std::fs::read_to_string(repo_root().join("docs/guide-c-host.md")).unwrap();
    let rest = guide
        .split_once(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("docs/guide-c-host.md has a section \"## {section}\""))
        .1;
    let block = rest
        .split_once(&format!("\n```{language}\n"))
        .unwrap_or_else(|| panic!("the section \"{section}\" has a ```{language} block"))
        .1;
    block
        .split_once("\n```\n")
        .unwrap_or_else(|| panic!("the ```{language} block is closed"))
        .0
        .to_owned()
        + "\n"
}
