//! Compiles the C and C++ example plugins and test fixtures into shared
//! libraries in `OUT_DIR`, with the flags every Tenon plugin is held to, and
//! tells `src/native.rs` where they are.
//!
//! What is built, per [`Language`]:
//! - **C**: every `examples-c/<stem>/<stem>.c` becomes the plugin library
//!   `<stem>`, every `tests/fixtures/<stem>.c` the fixture library `<stem>`,
//!   with `-std=c99 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//!   -fvisibility=hidden`. Text fixtures (`tests/fixtures/*.txt`) are listed
//!   among the C fixtures with their source path.
//! - **C++**: every directory `examples-c/<dir>/` holding `*.cpp` files
//!   becomes one plugin library named `<dir>`, every
//!   `tests/fixtures/<stem>.cpp` one fixture library named `<stem>`, with
//!   `-std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//!   -fvisibility=hidden -fvisibility-inlines-hidden`, plus the version
//!   script `sdk-c/share/tenon/tenon-plugin.version` on ELF targets (the C++
//!   standard library gives namespace std default visibility, so hidden
//!   visibility alone would export std symbols).
//!
//! A compiler error or warning fails the build with the compiler's output.
//!
//! Outputs, per language (`<L>` is `C` or `CPP`):
//! - `cargo:rustc-env=TENON_<L>_PLUGIN_<STEM>=<path>` and
//!   `cargo:rustc-env=TENON_<L>_FIXTURE_<STEM>=<path>` (STEM upper-cased,
//!   `-` as `_`), for every library of the default build, when it was made;
//! - the table `$OUT_DIR/c_artifacts.rs` or `$OUT_DIR/cpp_artifacts.rs`,
//!   which `src/native.rs` includes: `<L>_COMPILER` and `<L>_MISSING` (the
//!   compiler of the default build, as a `crate::Compiler`, and why that
//!   build was not made), `<L>_PLUGINS` and `<L>_FIXTURES` (stem and
//!   absolute path of every library, listed even when not built), and
//!   `<L>_SECOND_COMPILER`, `<L>_SECOND_MISSING` and `<L>_SECOND_PLUGINS`
//!   for the second build (below).
//!
//! The C compiler is required: one that does not run fails the build. The
//! C++ compiler is optional: when it cannot run (`<compiler> --version`
//! fails), the C++ builds are skipped with a `TOOLCHAIN MISSING` cargo
//! warning, `CPP_MISSING` records why (so that `src/native.rs` reports the
//! C++ libraries as `toolchain_missing`), and no `TENON_CPP_*` variables are
//! set. With `TENON_REQUIRE_TOOLCHAINS=1` a missing C++ compiler fails the
//! build instead.
//!
//! Every example plugin (not the fixtures) is built a second time, with the
//! same flags, by the other of gcc and clang: with `clang` and `clang++` when
//! the compiler `cc` found is GCC (or anything but Clang), with `gcc` and
//! `g++` when it is Clang. These copies go to `$OUT_DIR/<compiler>/`
//! (`$OUT_DIR/clang/libgreeter.so`), so that the conformance suite runs the
//! plugins of both compilers; the default build is untouched. A second
//! compiler that does not run, or that turns out to be the same compiler as
//! the first (`gcc` is Clang on macOS), is handled like a missing C++
//! compiler: a `TOOLCHAIN MISSING` cargo warning, the reason recorded in
//! `<L>_SECOND_MISSING`, and a failed build under
//! `TENON_REQUIRE_TOOLCHAINS=1`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;

fn main() {
    let workspace = Workspace::from_env();

    println!("cargo:rerun-if-changed=build.rs");
    // Whether a missing compiler fails the build; CC and CXX pick the
    // default compilers, and so also which one the second build uses.
    for variable in ["TENON_REQUIRE_TOOLCHAINS", "CC", "CXX"] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    for path in workspace.include_dirs.iter().chain([
        &workspace.examples_dir,
        &workspace.fixtures_dir,
        &workspace.version_script,
    ]) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!(
        "cargo:rustc-env=TENON_EXAMPLE_PLUGINS_TARGET={}",
        workspace.target
    );

    for language in [Language::C, Language::Cpp] {
        build(&workspace, language);
    }
}

/// Where the sources are and where the libraries go, for every build.
struct Workspace {
    out_dir: PathBuf,
    /// The target triple.
    target: String,
    include_dirs: [PathBuf; 3],
    /// `examples-c/`: one directory per example plugin.
    examples_dir: PathBuf,
    /// `tests/fixtures/`: one file per fixture.
    fixtures_dir: PathBuf,
    /// The linker version script of C++ plugins on ELF targets.
    version_script: PathBuf,
}

impl Workspace {
    fn from_env() -> Workspace {
        let manifest_dir =
            PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .join("../..")
            .canonicalize()
            .expect("workspace root (CARGO_MANIFEST_DIR/../..) exists");
        Workspace {
            out_dir: PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")),
            target: env::var("TARGET").expect("TARGET"),
            include_dirs: [
                root.join("include"),
                root.join("sdk-c/include"),
                root.join("examples-c/interfaces"),
            ],
            examples_dir: root.join("examples-c"),
            fixtures_dir: root.join("tests/fixtures"),
            version_script: root.join("sdk-c/share/tenon/tenon-plugin.version"),
        }
    }

    /// The libraries to build in `language`, plugins first, each sorted;
    /// and, for C, the text fixtures, which are listed as they are.
    fn jobs(&self, language: Language) -> (Vec<Job>, Vec<(String, PathBuf)>) {
        let mut jobs = Vec::new();
        for dir in sorted_entries(&self.examples_dir) {
            let Some(stem) = file_name(&dir) else {
                continue;
            };
            let sources = language.plugin_sources(&dir, &stem);
            if dir.is_dir() && !sources.is_empty() {
                jobs.push(self.job(Kind::Plugin, stem, sources));
            }
        }
        let mut text_fixtures = Vec::new();
        for file in sorted_entries(&self.fixtures_dir) {
            let (Some(stem), Some(ext)) = (file_stem(&file), file.extension()) else {
                continue;
            };
            if ext == language.extension() {
                jobs.push(self.job(Kind::Fixture, stem, vec![file]));
            } else if ext == "txt" && language == Language::C {
                text_fixtures.push((stem, file));
            }
        }
        (jobs, text_fixtures)
    }

    /// The job building library `stem` of the default build into `OUT_DIR`.
    fn job(&self, kind: Kind, stem: String, sources: Vec<PathBuf>) -> Job {
        Job {
            kind,
            output: self.out_dir.join(library_file_name(&self.target, &stem)),
            stem,
            sources,
        }
    }
}

/// A language of the examples, and the flags of its compilers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    C,
    Cpp,
}

impl Language {
    /// As messages spell it: `C` or `C++`.
    fn name(self) -> &'static str {
        match self {
            Language::C => "C",
            Language::Cpp => "C++",
        }
    }

    /// As the generated constants and environment variables spell it: `C`
    /// or `CPP`.
    fn prefix(self) -> &'static str {
        match self {
            Language::C => "C",
            Language::Cpp => "CPP",
        }
    }

    fn is_cpp(self) -> bool {
        self == Language::Cpp
    }

    /// The extension of a fixture source.
    fn extension(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cpp => "cpp",
        }
    }

    /// The generated table, in `OUT_DIR`.
    fn table_file(self) -> &'static str {
        match self {
            Language::C => "c_artifacts.rs",
            Language::Cpp => "cpp_artifacts.rs",
        }
    }

    /// The sources of the example plugin in `dir` (named `stem`): for C
    /// `<stem>.c`, for C++ every `*.cpp`; none when `dir` holds none.
    fn plugin_sources(self, dir: &Path, stem: &str) -> Vec<PathBuf> {
        match self {
            Language::C => {
                let source = dir.join(format!("{stem}.c"));
                if source.is_file() {
                    vec![source]
                } else {
                    Vec::new()
                }
            }
            Language::Cpp => sorted_entries(dir)
                .into_iter()
                .filter(|file| file.extension().is_some_and(|ext| ext == "cpp"))
                .collect(),
        }
    }

    /// The flags for cl.exe (and clang-cl). Untested here: cl.exe has no
    /// C99 switch; C11 is the closest. The conforming preprocessor is needed
    /// by sdk.h's TENON_PLUGIN.
    fn msvc_flags(self) -> &'static [&'static str] {
        match self {
            Language::C => &[
                "/nologo",
                "/LD",
                "/W4",
                "/WX",
                "/std:c11",
                "/Zc:preprocessor",
            ],
            Language::Cpp => &[
                "/nologo",
                "/LD",
                "/EHsc",
                "/W4",
                "/WX",
                "/std:c++17",
                "/Zc:__cplusplus",
                "/Zc:preprocessor",
            ],
        }
    }

    /// The flags for gcc and clang on `target`: a shared library exporting
    /// only the plugin entry point, to the language standard, with every
    /// warning an error.
    fn gnu_flags(self, target: &str, version_script: &Path) -> Vec<String> {
        let mut flags = vec!["-shared", "-fvisibility=hidden"];
        match self {
            Language::C => flags.push("-std=c99"),
            Language::Cpp => flags.extend(["-fvisibility-inlines-hidden", "-std=c++17"]),
        }
        flags.extend(["-Wall", "-Wextra", "-Wpedantic", "-Werror"]);
        let mut flags: Vec<String> = flags.into_iter().map(str::to_owned).collect();
        // Position-independent code, and for C++ the list of what to export
        // (a version script on ELF, one symbol on Mach-O): namespace std has
        // default visibility, so -fvisibility=hidden alone would export it.
        let windows = target.contains("windows");
        match self {
            Language::C if !windows => flags.push("-fPIC".to_owned()),
            Language::Cpp if target.contains("apple") => {
                flags.push("-Wl,-exported_symbol,_tenon_plugin_v1".to_owned());
            }
            Language::Cpp if !windows => {
                flags.push("-fPIC".to_owned());
                flags.push(format!("-Wl,--version-script={}", version_script.display()));
            }
            _ => {}
        }
        flags
    }
}

/// Whether a library is an example plugin or a test fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plugin,
    Fixture,
}

impl Kind {
    /// As the environment variables spell it.
    fn env_name(self) -> &'static str {
        match self {
            Kind::Plugin => "PLUGIN",
            Kind::Fixture => "FIXTURE",
        }
    }
}

/// One shared library to build from one or more sources.
#[derive(Debug, Clone)]
struct Job {
    kind: Kind,
    /// The directory name (plugins) or file stem (fixtures).
    stem: String,
    sources: Vec<PathBuf>,
    output: PathBuf,
}

/// Builds the libraries of `language` with the default compiler and the
/// example plugins again with the second one (see the crate docs above),
/// then prints the environment variables and writes the table.
fn build(workspace: &Workspace, language: Language) {
    let (jobs, text_fixtures) = workspace.jobs(language);
    let default = default_build(workspace, language, jobs);
    let second = second_build(workspace, language, &default);

    // The libraries of the default build, and the text fixtures.
    let libraries: Vec<(Kind, &str, &Path)> = default
        .libraries()
        .chain(
            text_fixtures
                .iter()
                .map(|(stem, path)| (Kind::Fixture, stem.as_str(), path.as_path())),
        )
        .collect();
    if default.missing.is_none() {
        for &(kind, stem, path) in &libraries {
            println!(
                "cargo:rustc-env=TENON_{}_{}_{}={}",
                language.prefix(),
                kind.env_name(),
                stem.to_uppercase().replace('-', "_"),
                utf8(path)
            );
        }
    }

    let prefix = language.prefix();
    let mut table = format!(
        "// Generated by build.rs: (stem, absolute path) of every {} artifact.\n",
        language.name()
    );
    write_build(&mut table, prefix, &default);
    writeln!(table, "/// Built like `{prefix}_PLUGINS`.").unwrap();
    write_list(
        &mut table,
        &format!("{prefix}_FIXTURES"),
        libraries
            .iter()
            .filter(|(kind, ..)| *kind == Kind::Fixture)
            .map(|&(_, stem, path)| (stem, path)),
    );
    write_build(&mut table, &format!("{prefix}_SECOND"), &second);
    let file = workspace.out_dir.join(language.table_file());
    fs::write(&file, table).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
}

/// One build of libraries by one compiler.
struct Build {
    family: Family,
    /// Why the build was not made (`None`: it was).
    missing: Option<String>,
    jobs: Vec<Job>,
}

impl Build {
    /// What the table lists: kind, stem and path of every library.
    fn libraries(&self) -> impl Iterator<Item = (Kind, &str, &Path)> {
        self.jobs
            .iter()
            .map(|job| (job.kind, job.stem.as_str(), job.output.as_path()))
    }
}

/// Builds `jobs` with the compiler `cc` finds (`CC`, `CXX`, else the
/// platform's `cc` or `c++`).
fn default_build(workspace: &Workspace, language: Language, jobs: Vec<Job>) -> Build {
    let compiler = cc::Build::new()
        .cpp(language.is_cpp())
        .cargo_warnings(false)
        .get_compiler();
    let runs = match language {
        // A C compiler that does not run fails the build in compile_all.
        Language::C => Ok(()),
        Language::Cpp => compiler_runs(&compiler, language),
    };
    let (family, missing) = match runs {
        Ok(()) => {
            compile_all(&compiler, language, workspace, &jobs);
            (Family::of(&compiler), None)
        }
        Err(why) => (
            Family::Unknown,
            Some(toolchain_missing(
                "c++",
                &why,
                "install g++ or clang++, or set CXX to a C++ compiler",
                "the C++ example plugins and fixtures are not built, and what needs them is \
                 skipped",
            )),
        ),
    };
    Build {
        family,
        missing,
        jobs,
    }
}

/// Builds the example plugins of `default` again, with the other of gcc
/// and clang (even when the default C++ compiler is missing: then with
/// clang++), into `OUT_DIR/<compiler>/`.
fn second_build(workspace: &Workspace, language: Language, default: &Build) -> Build {
    let family = default.family.second();
    let dir = workspace.out_dir.join(family.label());
    let jobs: Vec<Job> = default
        .jobs
        .iter()
        .filter(|job| job.kind == Kind::Plugin)
        .map(|job| Job {
            output: dir.join(library_file_name(&workspace.target, &job.stem)),
            ..job.clone()
        })
        .collect();
    let missing = match second_compiler(family, language) {
        Ok(compiler) => {
            fs::create_dir_all(&dir).expect("create the second compiler's directory");
            compile_all(&compiler, language, workspace, &jobs);
            None
        }
        Err(why) => Some(toolchain_missing(
            family.command(language),
            &why,
            family.install(language),
            &format!(
                "the {} example plugins are not also built with {}, and the conformance \
                 suite skips those builds",
                language.name(),
                family.label()
            ),
        )),
    };
    Build {
        family,
        missing,
        jobs,
    }
}

/// Appends one build to a table: `<PREFIX>_COMPILER`, `<PREFIX>_MISSING`
/// and `<PREFIX>_PLUGINS`, its plugins (listed even when not built).
fn write_build(table: &mut String, prefix: &str, build: &Build) {
    writeln!(
        table,
        "/// The compiler of `{prefix}_PLUGINS`.\n\
         pub(crate) const {prefix}_COMPILER: crate::Compiler = {};\n\
         /// Why `{prefix}_PLUGINS` were not built (`None`: they were).\n\
         pub(crate) const {prefix}_MISSING: Option<&str> = {:?};",
        build.family.rust(),
        build.missing
    )
    .unwrap();
    let plugins = build
        .libraries()
        .filter(|(kind, ..)| *kind == Kind::Plugin)
        .map(|(_, stem, path)| (stem, path));
    write_list(table, &format!("{prefix}_PLUGINS"), plugins);
}

/// Appends the constant `name`, a list of (stem, path) pairs, to a table.
fn write_list<'a>(
    table: &mut String,
    name: &str,
    libraries: impl Iterator<Item = (&'a str, &'a Path)>,
) {
    writeln!(table, "pub(crate) const {name}: &[(&str, &str)] = &[").unwrap();
    for (stem, path) in libraries {
        writeln!(table, "    ({:?}, {:?}),", stem, utf8(path)).unwrap();
    }
    table.push_str("];\n");
}

/// A compiler family, as `src/native.rs` names it (`crate::Compiler`).
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

    /// The compiler of the second build when this one built the first: the
    /// other of gcc and clang.
    fn second(self) -> Family {
        if self == Family::Clang {
            Family::Gcc
        } else {
            Family::Clang
        }
    }

    /// The command that runs this compiler for `language` (only asked of
    /// the second compilers, gcc and clang).
    fn command(self, language: Language) -> &'static str {
        match (self, language) {
            (Family::Gcc, Language::C) => "gcc",
            (Family::Gcc, Language::Cpp) => "g++",
            (_, Language::C) => "clang",
            (_, Language::Cpp) => "clang++",
        }
    }

    /// How to get this compiler for `language` (only asked of the second
    /// compilers, gcc and clang).
    fn install(self, language: Language) -> &'static str {
        match (self, language) {
            (Family::Gcc, Language::C) => "install gcc",
            (Family::Gcc, Language::Cpp) => "install g++",
            (_, Language::C) => "install clang",
            (_, Language::Cpp) => "install clang (which provides clang++)",
        }
    }
}

/// The compiler of the second build, with cc's default flags for it, if it
/// runs and is `family`; otherwise why not.
fn second_compiler(family: Family, language: Language) -> Result<cc::Tool, String> {
    let command = family.command(language);
    let tool = cc::Build::new()
        .cpp(language.is_cpp())
        .compiler(command)
        .cargo_warnings(false)
        .get_compiler();
    compiler_runs(&tool, language)?;
    match Family::of(&tool) {
        found if found == family => Ok(tool),
        found => Err(format!(
            "`{command}` is {}, not {}, so its build would repeat the first one",
            found.label(),
            family.label()
        )),
    }
}

/// `Ok` when `compiler --version` runs and succeeds; otherwise why not,
/// naming the command.
fn compiler_runs(compiler: &cc::Tool, language: Language) -> Result<(), String> {
    // With the environment and default flags cc gives it, like compile.
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
        "the {} compiler does not run: `{described}`: {why}",
        language.name()
    ))
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
        "{why}; {install} (after installing it, `cargo clean -p tenon-test-plugins` makes \
         the build look again)"
    );
    println!(
        "cargo:warning=TOOLCHAIN MISSING: {tool}: {message}; {consequence} \
         (TENON_REQUIRE_TOOLCHAINS=1 makes this an error)"
    );
    message
}

/// Compiles every job, in parallel; fails the build with every failure's
/// message if any failed.
fn compile_all(compiler: &cc::Tool, language: Language, workspace: &Workspace, jobs: &[Job]) {
    let failures: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| scope.spawn(|| compile(compiler, language, workspace, job)))
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

/// Compiles one job into a shared library; on failure returns a message
/// naming compiler, sources and the compiler's output.
fn compile(
    compiler: &cc::Tool,
    language: Language,
    workspace: &Workspace,
    job: &Job,
) -> Result<(), String> {
    let mut command = compiler.to_command();
    if compiler.is_like_msvc() {
        let object_dir = job.output.with_extension("obj.d");
        fs::create_dir_all(&object_dir).map_err(|e| e.to_string())?;
        command.args(language.msvc_flags());
        for dir in &workspace.include_dirs {
            command.arg(format!("/I{}", dir.display()));
        }
        command.args(&job.sources);
        command.arg(format!("/Fo{}\\", object_dir.display()));
        command.arg(format!("/Fe{}", job.output.display()));
    } else {
        command.args(language.gnu_flags(&workspace.target, &workspace.version_script));
        for dir in &workspace.include_dirs {
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
            "could not run the {} compiler {}: {e}\n  command: {described}",
            language.name(),
            compiler.path().display()
        )
    })?;
    if output.status.success() {
        Ok(())
    } else {
        let sources: Vec<String> = job
            .sources
            .iter()
            .map(|source| source.display().to_string())
            .collect();
        Err(format!(
            "{} compiler {} failed ({}) on {}\n  command: {described}\n{}{}",
            language.name(),
            compiler.path().display(),
            output.status,
            sources.join(" "),
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
