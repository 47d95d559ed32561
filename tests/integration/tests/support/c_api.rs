//! Test programs of the C host API (`tests/capi/*.c`, and `*.cpp` for
//! `tenon/host.hpp`): built against the debug libtenon, run plainly, under AddressSanitizer or under valgrind,
//! and judged by the `N passed, M failed` line each prints last.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{available, have, repo_root, run, scratch, WARNINGS};
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

/// A test program of `tests/capi`: how it is compiled, and what it is run
/// on.
pub struct Program {
    /// Its file in `tests/capi`: `<name>.c`, or `<name>.cpp` for C++.
    pub file: &'static str,
    /// The C standard a `.c` file is compiled as (a `.cpp` file is C++17).
    pub std: &'static str,
    /// Include directories under the root, besides `include/` (and, for
    /// C++, `sdk-c/host/include/` with `tenon/host.hpp`).
    pub include_dirs: &'static [&'static str],
    /// The arguments it runs with (the plugins it loads).
    pub args: Vec<PathBuf>,
}

impl Program {
    fn is_cpp(&self) -> bool {
        self.file.ends_with(".cpp")
    }

    /// Compiles it with `compiler`, warnings as errors and `extra` flags,
    /// linked to libtenon, into `dir`.
    fn build(&self, compiler: &str, dir: &Path, extra: &[&str]) -> PathBuf {
        let exe = dir.join(format!("{}-{compiler}", self.file.replace('.', "_")));
        let (std, host_hpp) = if self.is_cpp() {
            ("c++17", Some("sdk-c/host/include"))
        } else {
            (self.std, None)
        };
        let include_dirs: Vec<&str> = host_hpp
            .into_iter()
            .chain(self.include_dirs.iter().copied())
            .collect();
        let source = repo_root().join("tests/capi").join(self.file);
        build_source(compiler, std, &source, &include_dirs, extra, &exe);
        exe
    }

    /// Runs `command` (this program, plainly or under a tool) on its
    /// arguments and checks that it passed every check.
    fn passes(&self, what: &str, command: &mut Command) {
        expect_all_passed(what, command.args(&self.args));
    }

    /// Built with each of `compilers` that is installed (a missing one is
    /// reported), it passes every check.
    pub fn passes_with(&self, compilers: &[&'static str]) {
        let dir = scratch(&self.file.replace('.', "_"));
        for compiler in available(compilers) {
            let exe = self.build(compiler, &dir, &[]);
            self.passes(
                &format!("{} ({compiler})", self.file),
                &mut Command::new(exe),
            );
        }
    }

    /// The system compiler of its language: `cc` or `c++`.
    fn system_compiler(&self) -> &'static str {
        if self.is_cpp() {
            "c++"
        } else {
            "cc"
        }
    }

    /// Built with AddressSanitizer and UBSan, it passes every check and
    /// neither reports anything ([`under_address_sanitizer`]).
    pub fn passes_under_address_sanitizer(&self) {
        let dir = scratch(&format!("{}_asan", self.file.replace('.', "_")));
        let exe = self.build(self.system_compiler(), &dir, SANITIZERS);
        self.passes(
            &format!("{} under AddressSanitizer", self.file),
            &mut under_address_sanitizer(&exe),
        );
    }

    /// Under valgrind it passes every check and valgrind reports nothing
    /// ([`under_valgrind`]); skipped, reported, without valgrind.
    pub fn passes_under_valgrind(&self) {
        if !have("valgrind") {
            return;
        }
        let dir = scratch(&format!("{}_valgrind", self.file.replace('.', "_")));
        let exe = self.build(self.system_compiler(), &dir, &["-g"]);
        self.passes(
            &format!("{} under valgrind", self.file),
            &mut under_valgrind(&exe),
        );
    }
}

/// Compiles the C or C++ program `source` with `compiler` as `std`,
/// warnings as errors, `extra` flags and the repository's `include/` (plus
/// `include_dirs` under the root), linked to libtenon, into `exe`.
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

/// The first ```c block of the guide's section `## <section>`, a whole
/// program, built with each installed C compiler (gcc and clang) as C99,
/// warnings as errors, with `include/` and `include_dirs` under the root,
/// linked to libtenon: each compiler with the program it built.
pub fn guide_program_built(section: &str, include_dirs: &[&str]) -> Vec<(&'static str, PathBuf)> {
    let dir = scratch(&format!("guide_program_{}", section.replace(' ', "_")));
    let source = dir.join("example.c");
    std::fs::write(&source, guide_example(section, "c")).unwrap();
    available(&["gcc", "clang"])
        .into_iter()
        .map(|compiler| {
            let exe = dir.join(format!("example-{compiler}"));
            build_source(compiler, "c99", &source, include_dirs, &[], &exe);
            (compiler, exe)
        })
        .collect()
}

/// The first ```<language> block of the guide's section `## <section>`
/// compiles (`-c`) with each installed compiler of its language (gcc and
/// clang; g++ and clang++ for `cpp`), warnings as errors, with `include/`
/// (and for C++ `sdk-c/host/include/`) and `include_dirs` under the root.
pub fn guide_example_compiles(section: &str, language: &str, include_dirs: &[&str]) {
    let (compilers, std, file): (&[&'static str], _, _) = match language {
        "c" => (&["gcc", "clang"], "c99", "example.c"),
        "cpp" => (&["g++", "clang++"], "c++17", "example.cpp"),
        other => panic!("no compilers for ```{other}"),
    };
    let dir = scratch(&format!("guide_{}_{language}", section.replace(' ', "_")));
    let source = dir.join(file);
    std::fs::write(&source, guide_example(section, language)).unwrap();
    let root = repo_root();
    let host_hpp = (language == "cpp").then_some("sdk-c/host/include");
    for compiler in available(compilers) {
        run(
            &format!("compiling the example of \"{section}\" with {compiler}"),
            Command::new(compiler)
                .arg(format!("-std={std}"))
                .args(WARNINGS)
                .arg("-c")
                .arg(format!("-I{}", root.join("include").display()))
                .args(
                    host_hpp
                        .into_iter()
                        .chain(include_dirs.iter().copied())
                        .map(|dir| format!("-I{}", root.join(dir).display())),
                )
                .arg(&source)
                .arg("-o")
                .arg(source.with_extension(format!("{compiler}.o"))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
