//! Compiles every C example plugin (`examples-c/<stem>/<stem>.c`) and every C
//! test fixture (`tests/fixtures/*.c`) into a shared library in `OUT_DIR`,
//! with the flags every Tenon C plugin is held to, and tells `src/lib.rs`
//! where they are.
//!
//! Outputs, for each artifact:
//! - `cargo:rustc-env=TENON_C_PLUGIN_<STEM>=<path>` or
//!   `cargo:rustc-env=TENON_C_FIXTURE_<STEM>=<path>` (STEM upper-cased);
//! - a line in `$OUT_DIR/c_artifacts.rs`, the table `src/lib.rs` includes.
//!
//! Non-C fixtures (`tests/fixtures/*.txt`) are listed with their source path.
//! A compiler error or warning fails the build with the compiler's output.
//!
//! C++ is built the same way, with the C++ compiler `cc` finds and
//! `-std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//! -fvisibility=hidden -fvisibility-inlines-hidden`, plus the version script
//! `sdk-c/share/tenon/tenon-plugin.version` on ELF targets (the C++ standard
//! library gives namespace std default visibility, so hidden visibility
//! alone would export std symbols): every directory `examples-c/<dir>/`
//! holding `*.cpp` files becomes one plugin library named `<dir>`, and every
//! `tests/fixtures/<stem>.cpp` one fixture library named `<stem>`. Their
//! table is `$OUT_DIR/cpp_artifacts.rs`; the environment variables are
//! `TENON_CPP_PLUGIN_<DIR>` and `TENON_CPP_FIXTURE_<STEM>` (upper-cased, `-`
//! as `_`).
//!
//! The C++ compiler is optional: when it cannot run (`<compiler> --version`
//! fails), the C++ builds are skipped with a `TOOLCHAIN MISSING` cargo
//! warning, and the table still lists every C++ library but records why
//! none was built (`CPP_TOOLCHAIN_MISSING`), so that `src/lib.rs` reports
//! them as `toolchain_missing`; no `TENON_CPP_*` variables are set then.
//! With `TENON_REQUIRE_TOOLCHAINS=1` a missing C++ compiler fails the build
//! instead.
//!
//! Every C and C++ example plugin (not the fixtures) is built a second time,
//! with the same flags, by the other of gcc and clang: with `clang` and
//! `clang++` when the compiler `cc` found is GCC (or anything but Clang),
//! with `gcc` and `g++` when it is Clang. These copies go to
//! `$OUT_DIR/<compiler>/` (`$OUT_DIR/clang/libgreeter.so`), so that the
//! conformance suite runs the plugins of both compilers; the default build
//! above is untouched. The tables record the compiler of each build
//! (`C_COMPILER` and `C_SECOND_COMPILER`, `CPP_COMPILER` and
//! `CPP_SECOND_COMPILER`, as `crate::Compiler` values) and list the second
//! build in `C_SECOND_PLUGINS` and `CPP_SECOND_PLUGINS`. A second compiler
//! that does not run, or that turns out to be the same compiler as the
//! first (`gcc` is Clang on macOS), is handled like a missing C++ compiler:
//! a `TOOLCHAIN MISSING` cargo warning, the reason recorded in
//! `C_SECOND_MISSING` or `CPP_SECOND_MISSING`, and a failed build under
//! `TENON_REQUIRE_TOOLCHAINS=1`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;

/// One C source to compile.
struct Job {
    /// `plugin` or `fixture`.
    kind: &'static str,
    stem: String,
    source: PathBuf,
    output: PathBuf,
}

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .join("../..")
        .canonicalize()
        .expect("workspace root (CARGO_MANIFEST_DIR/../..) exists");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let target = env::var("TARGET").expect("TARGET");

    let include_dirs = [
        root.join("include"),
        root.join("sdk-c/include"),
        root.join("examples-c/interfaces"),
    ];
    let examples_dir = root.join("examples-c");
    let fixtures_dir = root.join("tests/fixtures");

    println!("cargo:rerun-if-changed=build.rs");
    // Whether a missing compiler fails the build; CC and CXX pick the
    // default compilers, and so also which one the second build uses.
    for variable in ["TENON_REQUIRE_TOOLCHAINS", "CC", "CXX"] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    for dir in include_dirs.iter().chain([&examples_dir, &fixtures_dir]) {
        println!("cargo:rerun-if-changed={}", dir.display());
    }

    let mut jobs = Vec::new();
    for dir in sorted_entries(&examples_dir) {
        let Some(stem) = file_name(&dir) else {
            continue;
        };
        let source = dir.join(format!("{stem}.c"));
        if dir.is_dir() && source.is_file() {
            jobs.push(Job {
                kind: "plugin",
                output: out_dir.join(library_file_name(&target, &stem)),
                stem,
                source,
            });
        }
    }
    let mut plain_fixtures = Vec::new();
    for file in sorted_entries(&fixtures_dir) {
        let (Some(stem), Some(ext)) = (file_stem(&file), file.extension()) else {
            continue;
        };
        if ext == "c" {
            jobs.push(Job {
                kind: "fixture",
                output: out_dir.join(library_file_name(&target, &stem)),
                stem,
                source: file,
            });
        } else if ext == "txt" {
            plain_fixtures.push((stem, file));
        }
    }

    let compiler = cc::Build::new().cargo_warnings(false).get_compiler();
    let family = Family::of(&compiler);
    compile_all(&jobs, |job| compile(&compiler, &target, &include_dirs, job));

    // The C example plugins again, with the other of gcc and clang.
    let second = family.second();
    let second_dir = out_dir.join(second.label());
    let second_jobs: Vec<Job> = jobs
        .iter()
        .filter(|job| job.kind == "plugin")
        .map(|job| Job {
            kind: job.kind,
            stem: job.stem.clone(),
            source: job.source.clone(),
            output: second_dir.join(library_file_name(&target, &job.stem)),
        })
        .collect();
    let second_missing = match second_compiler(second, false) {
        Ok(second_compiler) => {
            fs::create_dir_all(&second_dir).expect("create the second compiler's directory");
            compile_all(&second_jobs, |job| {
                compile(&second_compiler, &target, &include_dirs, job)
            });
            None
        }
        Err(why) => Some(toolchain_missing(
            second.command(false),
            &why,
            second.install(false),
            &format!(
                "the C example plugins are not also built with {}, and the conformance \
                 suite skips those builds",
                second.label()
            ),
        )),
    };

    let mut table =
        String::from("// Generated by build.rs: (stem, absolute path) of every C artifact.\n");
    writeln!(
        table,
        "/// The compiler of `C_PLUGINS` and `C_FIXTURES`.\n\
         pub(crate) const C_COMPILER: crate::Compiler = {};",
        family.rust()
    )
    .unwrap();
    table.push_str("pub(crate) const C_PLUGINS: &[(&str, &str)] = &[\n");
    for job in jobs.iter().filter(|job| job.kind == "plugin") {
        writeln!(table, "    ({:?}, {:?}),", job.stem, utf8(&job.output)).unwrap();
    }
    table.push_str("];\npub(crate) const C_FIXTURES: &[(&str, &str)] = &[\n");
    let fixtures = jobs
        .iter()
        .filter(|job| job.kind == "fixture")
        .map(|job| (&job.stem, &job.output))
        .chain(plain_fixtures.iter().map(|(stem, path)| (stem, path)));
    for (stem, path) in fixtures {
        writeln!(table, "    ({:?}, {:?}),", stem, utf8(path)).unwrap();
        println!(
            "cargo:rustc-env=TENON_C_FIXTURE_{}={}",
            stem.to_uppercase(),
            utf8(path)
        );
    }
    table.push_str("];\n");
    write_second_build(
        &mut table,
        "C",
        second,
        second_missing.as_deref(),
        second_jobs.iter().map(|job| (&job.stem, &job.output)),
    );
    for job in jobs.iter().filter(|job| job.kind == "plugin") {
        println!(
            "cargo:rustc-env=TENON_C_PLUGIN_{}={}",
            job.stem.to_uppercase(),
            utf8(&job.output)
        );
    }
    println!("cargo:rustc-env=TENON_EXAMPLE_PLUGINS_TARGET={target}");
    fs::write(out_dir.join("c_artifacts.rs"), table).expect("write c_artifacts.rs");

    build_cpp(&root, &out_dir, &target, &include_dirs);
}

/// One C++ library to build from one or more sources.
struct CppJob {
    /// `plugin` or `fixture`.
    kind: &'static str,
    /// The directory name (plugins) or file stem (fixtures).
    stem: String,
    sources: Vec<PathBuf>,
    output: PathBuf,
}

/// Compiles the C++ example plugins and fixtures (see the crate docs above)
/// and writes `$OUT_DIR/cpp_artifacts.rs`.
fn build_cpp(root: &Path, out_dir: &Path, target: &str, include_dirs: &[PathBuf]) {
    let version_script = root.join("sdk-c/share/tenon/tenon-plugin.version");
    println!("cargo:rerun-if-changed={}", version_script.display());

    let mut jobs = Vec::new();
    for dir in sorted_entries(&root.join("examples-c")) {
        let Some(stem) = file_name(&dir) else {
            continue;
        };
        let sources: Vec<PathBuf> = sorted_entries(&dir)
            .into_iter()
            .filter(|file| file.extension().is_some_and(|ext| ext == "cpp"))
            .collect();
        if dir.is_dir() && !sources.is_empty() {
            jobs.push(CppJob {
                kind: "plugin",
                output: out_dir.join(library_file_name(target, &stem)),
                stem,
                sources,
            });
        }
    }
    for file in sorted_entries(&root.join("tests/fixtures")) {
        if file.extension().is_some_and(|ext| ext == "cpp") {
            let Some(stem) = file_stem(&file) else {
                continue;
            };
            jobs.push(CppJob {
                kind: "fixture",
                output: out_dir.join(library_file_name(target, &stem)),
                stem,
                sources: vec![file],
            });
        }
    }

    let compiler = cc::Build::new()
        .cpp(true)
        .cargo_warnings(false)
        .get_compiler();
    let missing = match compiler_runs(&compiler, "C++") {
        Ok(()) => None,
        Err(why) => Some(toolchain_missing(
            "c++",
            &why,
            "install g++ or clang++, or set CXX to a C++ compiler",
            "the C++ example plugins and fixtures are not built, and what needs them is skipped",
        )),
    };
    let compile = |compiler: &cc::Tool, job: &CppJob| {
        compile_cpp(compiler, target, include_dirs, &version_script, job)
    };
    let family = if missing.is_none() {
        compile_all(&jobs, |job| compile(&compiler, job));
        Family::of(&compiler)
    } else {
        Family::Unknown
    };

    // The C++ example plugins again, with the other of g++ and clang++ (even
    // when the default C++ compiler is missing: then with clang++).
    let second = family.second();
    let second_dir = out_dir.join(second.label());
    let second_jobs: Vec<CppJob> = jobs
        .iter()
        .filter(|job| job.kind == "plugin")
        .map(|job| CppJob {
            kind: job.kind,
            stem: job.stem.clone(),
            sources: job.sources.clone(),
            output: second_dir.join(library_file_name(target, &job.stem)),
        })
        .collect();
    let second_missing = match second_compiler(second, true) {
        Ok(second_compiler) => {
            fs::create_dir_all(&second_dir).expect("create the second compiler's directory");
            compile_all(&second_jobs, |job| compile(&second_compiler, job));
            None
        }
        Err(why) => Some(toolchain_missing(
            second.command(true),
            &why,
            second.install(true),
            &format!(
                "the C++ example plugins are not also built with {}, and the conformance \
                 suite skips those builds",
                second.label()
            ),
        )),
    };

    let mut table =
        String::from("// Generated by build.rs: (stem, absolute path) of every C++ artifact.\n");
    writeln!(
        table,
        "/// Why no C++ artifact was built (`None`: all were).\n\
         pub(crate) const CPP_TOOLCHAIN_MISSING: Option<&str> = {missing:?};\n\
         /// The compiler of `CPP_PLUGINS` and `CPP_FIXTURES` (`Unknown` when it did not run).\n\
         pub(crate) const CPP_COMPILER: crate::Compiler = {};",
        family.rust()
    )
    .unwrap();
    for (kind, constant) in [("plugin", "CPP_PLUGINS"), ("fixture", "CPP_FIXTURES")] {
        writeln!(table, "pub(crate) const {constant}: &[(&str, &str)] = &[").unwrap();
        for job in jobs.iter().filter(|job| job.kind == kind) {
            writeln!(table, "    ({:?}, {:?}),", job.stem, utf8(&job.output)).unwrap();
            if missing.is_none() {
                println!(
                    "cargo:rustc-env=TENON_CPP_{}_{}={}",
                    kind.to_uppercase(),
                    job.stem.to_uppercase().replace('-', "_"),
                    utf8(&job.output)
                );
            }
        }
        table.push_str("];\n");
    }
    write_second_build(
        &mut table,
        "CPP",
        second,
        second_missing.as_deref(),
        second_jobs.iter().map(|job| (&job.stem, &job.output)),
    );
    fs::write(out_dir.join("cpp_artifacts.rs"), table).expect("write cpp_artifacts.rs");
}

/// A compiler family, as `src/lib.rs` names it (`crate::Compiler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Gcc,
    Clang,
    Msvc,
    /// A compiler that did not run, or that cc could not place.
    Unknown,
}

impl Family {
    /// The family of `tool`, as cc detected it (by preprocessing a probe
    /// file with it). clang-cl counts as MSVC: it takes cl.exe's flags.
    fn of(tool: &cc::Tool) -> Family {
        if tool.is_like_msvc() {
            Family::Msvc
        } else if tool.is_like_clang() {
            Family::Clang
        } else if tool.is_like_gnu() {
            Family::Gcc
        } else {
            Family::Unknown
        }
    }

    /// As `crate::Compiler::label` spells it, and the directory of its
    /// second build.
    fn label(self) -> &'static str {
        match self {
            Family::Gcc => "gcc",
            Family::Clang => "clang",
            Family::Msvc => "msvc",
            Family::Unknown => "unknown",
        }
    }

    /// The `crate::Compiler` value, as Rust source.
    fn rust(self) -> &'static str {
        match self {
            Family::Gcc => "crate::Compiler::Gcc",
            Family::Clang => "crate::Compiler::Clang",
            Family::Msvc => "crate::Compiler::Msvc",
            Family::Unknown => "crate::Compiler::Unknown",
        }
    }

    /// How to get this compiler (one of the second compilers, gcc and
    /// clang) for C or C++.
    fn install(self, cpp: bool) -> &'static str {
        match (self, cpp) {
            (Family::Gcc, false) => "install gcc",
            (Family::Gcc, true) => "install g++",
            (_, false) => "install clang",
            (_, true) => "install clang (which provides clang++)",
        }
    }

    /// The compiler of the second build when this one built the first: the
    /// other of gcc and clang.
    fn second(self) -> Family {
        if self == Family::Clang {
            Family::Gcc
        } else {
            Family::Clang
        }
    }

    /// The command that runs this compiler, for C or C++ (only asked of the
    /// second compilers, gcc and clang).
    fn command(self, cpp: bool) -> &'static str {
        match (self, cpp) {
            (Family::Gcc, false) => "gcc",
            (Family::Gcc, true) => "g++",
            (_, false) => "clang",
            (_, true) => "clang++",
        }
    }
}

/// The compiler of the second build, with cc's default flags for it, if it
/// runs and is `family`; otherwise why not.
fn second_compiler(family: Family, cpp: bool) -> Result<cc::Tool, String> {
    let command = family.command(cpp);
    let tool = cc::Build::new()
        .cpp(cpp)
        .compiler(command)
        .cargo_warnings(false)
        .get_compiler();
    compiler_runs(&tool, if cpp { "C++" } else { "C" })?;
    match Family::of(&tool) {
        found if found == family => Ok(tool),
        found => Err(format!(
            "`{command}` is {}, not {}, so its build would repeat the first one",
            found.label(),
            family.label()
        )),
    }
}

/// Handles a compiler that does not run: with `TENON_REQUIRE_TOOLCHAINS=1`
/// fails the build; otherwise prints a `TOOLCHAIN MISSING` cargo warning
/// saying what is skipped (`consequence`) and returns the message to record.
fn toolchain_missing(tool: &str, why: &str, install: &str, consequence: &str) -> String {
    if env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!(
            "\nTOOLCHAIN MISSING: {tool}: {why}\n\
             TENON_REQUIRE_TOOLCHAINS=1 requires every toolchain: {install}"
        );
    }
    let message = format!(
        "{why}; {install} (after installing it, `cargo clean -p tenon-example-plugins` makes \
         the build look again)"
    );
    println!(
        "cargo:warning=TOOLCHAIN MISSING: {tool}: {message}; {consequence} \
         (TENON_REQUIRE_TOOLCHAINS=1 makes this an error)"
    );
    message
}

/// Appends the second build to a table: `<PREFIX>_SECOND_COMPILER`,
/// `<PREFIX>_SECOND_MISSING` and `<PREFIX>_SECOND_PLUGINS` (listed even when
/// not built, like the C++ table).
fn write_second_build<'a>(
    table: &mut String,
    prefix: &str,
    family: Family,
    missing: Option<&str>,
    plugins: impl Iterator<Item = (&'a String, &'a PathBuf)>,
) {
    writeln!(
        table,
        "/// The compiler of the second build of the example plugins.\n\
         pub(crate) const {prefix}_SECOND_COMPILER: crate::Compiler = {};\n\
         /// Why the second build was not made (`None`: it was).\n\
         pub(crate) const {prefix}_SECOND_MISSING: Option<&str> = {missing:?};\n\
         pub(crate) const {prefix}_SECOND_PLUGINS: &[(&str, &str)] = &[",
        family.rust()
    )
    .unwrap();
    for (stem, path) in plugins {
        writeln!(table, "    ({:?}, {:?}),", stem, utf8(path)).unwrap();
    }
    table.push_str("];\n");
}

/// Runs `compile` on every job, in parallel; fails the build with every
/// failure's message if any failed.
fn compile_all<T: Sync>(jobs: &[T], compile: impl Fn(&T) -> Result<(), String> + Sync) {
    let failures: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| scope.spawn(|| compile(job)))
            .collect();
        handles
            .into_iter()
            .filter_map(|handle| handle.join().expect("compiler thread panicked").err())
            .collect()
    });
    if !failures.is_empty() {
        panic!("\n{}", failures.join("\n\n"));
    }
}

/// `Ok` when `compiler --version` runs and succeeds; otherwise why not,
/// naming the command (`language`: `C` or `C++`).
fn compiler_runs(compiler: &cc::Tool, language: &str) -> Result<(), String> {
    // With the environment and default flags cc gives it, like compile_cpp.
    let mut command = compiler.to_command();
    let mut described = compiler.path().display().to_string();
    if !compiler.is_like_msvc() {
        // cl.exe has no --version; without arguments it prints its banner.
        command.arg("--version");
        described.push_str(" --version");
    }
    let why = match command.output() {
        Ok(output) if output.status.success() => return Ok(()),
        Ok(output) => format!(
            "{} ({})",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .trim()
        ),
        Err(error) => error.to_string(),
    };
    Err(format!(
        "the {language} compiler does not run: `{described}`: {why}"
    ))
}

/// Compiles one C++ job into a shared library; on failure returns a message
/// naming compiler, files and the compiler's output.
fn compile_cpp(
    compiler: &cc::Tool,
    target: &str,
    include_dirs: &[PathBuf],
    version_script: &Path,
    job: &CppJob,
) -> Result<(), String> {
    let mut command = compiler.to_command();
    if compiler.is_like_msvc() {
        // Untested here, like the C build above.
        let object_dir = job.output.with_extension("obj.d");
        fs::create_dir_all(&object_dir).map_err(|e| e.to_string())?;
        command.args([
            "/nologo",
            "/LD",
            "/EHsc",
            "/W4",
            "/WX",
            "/std:c++17",
            "/Zc:__cplusplus",
            "/Zc:preprocessor",
        ]);
        for dir in include_dirs {
            command.arg(format!("/I{}", dir.display()));
        }
        command.args(&job.sources);
        command.arg(format!("/Fo{}\\", object_dir.display()));
        command.arg(format!("/Fe{}", job.output.display()));
    } else {
        command.args([
            "-shared",
            "-fvisibility=hidden",
            "-fvisibility-inlines-hidden",
        ]);
        command.args(["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]);
        if target.contains("apple") {
            command.arg("-Wl,-exported_symbol,_tenon_plugin_v1");
        } else if !target.contains("windows") {
            command.arg("-fPIC");
            command.arg(format!("-Wl,--version-script={}", version_script.display()));
        }
        for dir in include_dirs {
            command.arg("-I").arg(dir);
        }
        command.arg("-o").arg(&job.output).args(&job.sources);
    }
    let described = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let output = command.output().map_err(|e| {
        format!(
            "could not run the C++ compiler {}: {e}\n  command: {described}",
            compiler.path().display()
        )
    })?;
    if output.status.success() {
        Ok(())
    } else {
        let sources: Vec<String> = job
            .sources
            .iter()
            .map(|s| s.display().to_string())
            .collect();
        Err(format!(
            "C++ compiler {} failed ({}) on {}\n  command: {described}\n{}{}",
            compiler.path().display(),
            output.status,
            sources.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        ))
    }
}

/// Compiles one job into a shared library; on failure returns a message
/// naming compiler, file and the compiler's output.
fn compile(
    compiler: &cc::Tool,
    target: &str,
    include_dirs: &[PathBuf],
    job: &Job,
) -> Result<(), String> {
    let mut command = compiler.to_command();
    if compiler.is_like_msvc() {
        // Untested here: cl.exe has no C99 switch; C11 is the closest. The
        // conforming preprocessor is needed by sdk.h's TENON_PLUGIN.
        let object_dir = job.output.with_extension("obj.d");
        fs::create_dir_all(&object_dir).map_err(|e| e.to_string())?;
        command.args([
            "/nologo",
            "/LD",
            "/W4",
            "/WX",
            "/std:c11",
            "/Zc:preprocessor",
        ]);
        for dir in include_dirs {
            command.arg(format!("/I{}", dir.display()));
        }
        command.arg(&job.source);
        command.arg(format!("/Fo{}\\", object_dir.display()));
        command.arg(format!("/Fe{}", job.output.display()));
    } else {
        command.args(["-shared", "-fvisibility=hidden", "-std=c99"]);
        command.args(["-Wall", "-Wextra", "-Wpedantic", "-Werror"]);
        if !target.contains("windows") {
            command.arg("-fPIC");
        }
        for dir in include_dirs {
            command.arg("-I").arg(dir);
        }
        command.arg("-o").arg(&job.output).arg(&job.source);
    }
    let described = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let output = command.output().map_err(|e| {
        format!(
            "could not run the C compiler {}: {e}\n  command: {described}",
            compiler.path().display()
        )
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "C compiler {} failed ({}) on {}\n  command: {described}\n{}{}",
            compiler.path().display(),
            output.status,
            job.source.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        ))
    }
}

/// The file name of a shared library called `stem` on `target`.
fn library_file_name(target: &str, stem: &str) -> String {
    if target.contains("windows") {
        format!("{stem}.dll")
    } else if target.contains("apple") {
        format!("lib{stem}.dylib")
    } else {
        format!("lib{stem}.so")
    }
}

/// The entries of dir, sorted (empty if dir does not exist).
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(read) => read
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name()?.to_str().map(str::to_owned)
}

fn file_stem(path: &Path) -> Option<String> {
    path.file_stem()?.to_str().map(str::to_owned)
}

fn utf8(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("path is not UTF-8: {}", path.display()))
}
