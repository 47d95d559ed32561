//! The C and C++ example plugins and fixtures, compiled on first use with
//! the flags every Tenon plugin is held to.
//!
//! - **C**: `examples-c/<stem>/<stem>.c` is the plugin `<stem>`,
//!   `tests/fixtures/<stem>.c` the fixture `<stem>`, compiled with
//!   `-std=c99 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//!   -fvisibility=hidden`. A text fixture `tests/fixtures/<stem>.txt` is
//!   returned as it is.
//! - **C++**: a directory `examples-c/<dir>/` holding `*.cpp` files is the
//!   plugin `<dir>`, `tests/fixtures/<stem>.cpp` the fixture `<stem>`,
//!   compiled with `-std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC
//!   -fvisibility=hidden -fvisibility-inlines-hidden` and the SDK's linker
//!   version script on ELF targets (the C++ standard library gives namespace
//!   std default visibility, so hidden visibility alone would export it).
//!
//! Sources are found when asked for, so a new file in `tests/fixtures/` is
//! a new fixture with nothing to register. A library is recompiled only
//! when a source or a header is newer than it or its command line changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use crate::builder::{build as build_library, Library};
use crate::compiler::compilers;
use crate::layout::{target, workspace_root};
use crate::{BuildError, Compiler};

/// A language of the native examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    C,
    Cpp,
}

impl Language {
    /// As messages spell it: `C` or `C++`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Language::C => "C",
            Language::Cpp => "C++",
        }
    }

    /// As directories and labels spell it: `c` or `cpp`; also the extension
    /// of a fixture's source.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cpp => "cpp",
        }
    }

    /// The sources of the example plugin `name`: for C `examples-c/<name>/<name>.c`,
    /// for C++ every `examples-c/<name>/*.cpp`; empty when there are none.
    fn plugin_sources(self, name: &str) -> Vec<PathBuf> {
        let dir = examples_dir().join(name);
        match self {
            Language::C => {
                let source = dir.join(format!("{name}.c"));
                if source.is_file() {
                    vec![source]
                } else {
                    Vec::new()
                }
            }
            Language::Cpp => sorted_entries(&dir)
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

    /// The flags for gcc and clang: a shared library exporting only the
    /// plugin entry point (unless `variant` says otherwise), to the
    /// language standard, with every warning an error, then the variant's
    /// own flags.
    fn gnu_flags(self, variant: &Variant) -> Vec<String> {
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
        let windows = target().contains("windows");
        match self {
            // A plugin DLL carries its own copy of the GCC runtime,
            // libstdc++ and winpthreads, as Windows plugins are usually
            // shipped: nothing beside it to install or to find on PATH.
            _ if windows => flags.push("-static".to_owned()),
            Language::C => flags.push("-fPIC".to_owned()),
            Language::Cpp if target().contains("apple") => {
                flags.push("-Wl,-exported_symbol,_tenon_plugin_v1".to_owned());
            }
            Language::Cpp => {
                flags.push("-fPIC".to_owned());
                if !variant.without_version_script {
                    flags.push(format!(
                        "-Wl,--version-script={}",
                        version_script().display()
                    ));
                }
            }
        }
        flags.extend(variant.flags.iter().cloned());
        flags
    }
}

/// A fixture built another way than the default: by another compiler, with
/// more flags, or (C++) without the SDK's linker version script, as a
/// project that does not use the SDK's build files would build it. For the
/// tests of what a build setting does to a plugin (whether it unloads, for
/// one).
///
/// ```no_run
/// use tenon_test_plugins::{Compiler, Variant};
///
/// let plain = Variant::new().without_version_script();
/// let gcc = tenon_test_plugins::cpp_fixture_variant("unique_static_cpp", &plain.clone().compiler(Compiler::Gcc));
/// let fixed = tenon_test_plugins::cpp_fixture_variant("unique_static_cpp", &plain.flag("-fno-gnu-unique"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variant {
    compiler: Option<Compiler>,
    flags: Vec<String>,
    without_version_script: bool,
}

impl Variant {
    /// The default build.
    pub fn new() -> Self {
        Self::default()
    }

    /// Built by `compiler`, one of [`c_compilers`] or [`cpp_compilers`].
    pub fn compiler(mut self, compiler: Compiler) -> Self {
        self.compiler = Some(compiler);
        self
    }

    /// With `flag` after the usual ones (gcc and clang only).
    pub fn flag(mut self, flag: &str) -> Self {
        self.flags.push(flag.to_owned());
        self
    }

    /// C++ on ELF: linked without the SDK's version script, so that what
    /// the sources give default visibility is exported.
    pub fn without_version_script(mut self) -> Self {
        self.without_version_script = true;
        self
    }

    /// What sets this build's directory apart from the default one's
    /// (empty for the default build; the compiler has its own directory).
    pub(crate) fn suffix(&self) -> String {
        let mut suffix = String::new();
        if self.without_version_script {
            suffix.push_str("+no-version-script");
        }
        for flag in &self.flags {
            suffix.push('+');
            suffix.extend(flag.chars().map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            }));
        }
        suffix
    }
}

/// Whether a library is an example plugin or a test fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Plugin,
    Fixture,
}

impl Kind {
    /// The directory of this kind's libraries, below the compiler's.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Kind::Plugin => "plugins",
            Kind::Fixture => "fixtures",
        }
    }

    /// What such a library is called in messages.
    fn describe(self, language: Language) -> String {
        match self {
            Kind::Plugin => format!("{} example plugin", language.name()),
            Kind::Fixture => format!("{} fixture", language.name()),
        }
    }
}

/// `examples-c/`: one directory per example plugin.
fn examples_dir() -> PathBuf {
    workspace_root().join("examples-c")
}

/// `tests/fixtures/`: one file per fixture.
fn fixtures_dir() -> PathBuf {
    workspace_root().join("tests/fixtures")
}

/// The linker version script of C++ plugins on ELF targets.
fn version_script() -> PathBuf {
    workspace_root().join("sdk-c/share/tenon/tenon-plugin.version")
}

/// The directories of `-I`: the contract, the C SDK, the example
/// interfaces, the test interfaces (`tests/fixtures/include`).
fn include_dirs() -> [PathBuf; 4] {
    let root = workspace_root();
    [
        root.join("include"),
        root.join("sdk-c/include"),
        root.join("examples-c/interfaces"),
        root.join("tests/fixtures/include"),
    ]
}

// ---------------------------------------------------------------------------
// The public functions
// ---------------------------------------------------------------------------

/// The shared library built from `examples-c/<stem>/<stem>.c` by
/// [`c_compiler`], e.g. `c_plugin("greeter")` or `c_plugin("processor")`.
///
/// # Panics
///
/// If there is no C example called `stem` (the message lists those there
/// are), or if it does not compile (the message has the compiler's output).
pub fn c_plugin(stem: &str) -> PathBuf {
    built(c_plugin_built_by(c_compiler(), stem))
}

/// A test fixture from `tests/fixtures/`: for `<stem>.c` the shared library
/// compiled from it (`no_entry`, `abi_v2`, `create_fails`, `null_slot`), for
/// `<stem>.txt` the text file itself (`not_a_library`).
///
/// # Panics
///
/// If there is no fixture called `stem` (the message lists those there
/// are), or if it does not compile.
pub fn c_fixture(stem: &str) -> PathBuf {
    let text = fixtures_dir().join(format!("{stem}.txt"));
    if text.is_file() {
        return text;
    }
    built(fixture(Language::C, stem))
}

/// The C plugin `tests/windows/greeter_with_dependency.c` (Windows only),
/// built by [`c_compiler`] into a directory of its own that also holds the
/// two DLLs it needs, and nothing else does: `beside_dependency.dll`,
/// which it imports, and `beside_dependency_inner.dll`, which that one
/// imports. It greets with "Hello, <name>! (from the DLL beside the
/// plugin)", so an answer proves both were found beside it.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] when the compiler is not installed,
/// [`BuildError::Compile`] when a source does not compile, and with
/// prebuilt libraries [`BuildError::NotPrebuilt`] when the list lacks it.
///
/// # Panics
///
/// On a target other than Windows.
pub fn c_plugin_with_dependencies() -> Result<PathBuf, BuildError> {
    build_library(&Library::WithDependencies(c_compiler()))
}

/// The stems [`c_plugin`] accepts, sorted.
pub fn c_plugin_stems() -> Vec<&'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    listed(&NAMES, || plugin_names(Language::C))
}

/// The C fixture `stem` built as `variant` says, e.g. linked with
/// `-Wl,-z,nodelete`.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] when the variant's compiler is not
/// installed; [`BuildError::Compile`] when it does not compile.
///
/// # Panics
///
/// If there is no C fixture called `stem`, or the variant's compiler is
/// not one of [`c_compilers`].
pub fn c_fixture_variant(stem: &str, variant: &Variant) -> Result<PathBuf, BuildError> {
    fixture_variant(Language::C, stem, variant)
}

/// The C++ fixture `stem` built as `variant` says, e.g. by g++ without the
/// SDK's version script.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] when the variant's compiler is not
/// installed; [`BuildError::Compile`] when it does not compile.
///
/// # Panics
///
/// If there is no C++ fixture called `stem`, or the variant's compiler is
/// not one of [`cpp_compilers`].
pub fn cpp_fixture_variant(stem: &str, variant: &Variant) -> Result<PathBuf, BuildError> {
    fixture_variant(Language::Cpp, stem, variant)
}

/// The stems [`c_fixture`] accepts (`.c` and `.txt` fixtures), sorted.
pub fn c_fixture_stems() -> Vec<&'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    listed(&NAMES, || fixture_names(&["c", "txt"]))
}

/// The compiler of [`c_plugin`] and [`c_fixture`]: the one the `cc` crate
/// finds (`CC`, else the platform's `cc`), which is gcc on most Linux
/// systems; [`Compiler::Unknown`] when it does not run.
pub fn c_compiler() -> Compiler {
    compilers(Language::C)[0].compiler
}

/// The compilers every C example plugin is built with, the default first
/// ([`c_compiler`]), then the other of gcc and clang, whether it was found
/// or not ([`c_plugin_built_by`] says). Never the same compiler twice.
pub fn c_compilers() -> [Compiler; 2] {
    compilers(Language::C)
        .each_ref()
        .map(|found| found.compiler)
}

/// The shared library built from `examples-c/<stem>/<stem>.c` by
/// `compiler`, one of [`c_compilers`], e.g.
/// `c_plugin_built_by(Compiler::Clang, "greeter")`.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] (tool `cc`, `clang` or `gcc`) when that
/// compiler is not installed; [`BuildError::Compile`] when the example does
/// not compile.
///
/// # Panics
///
/// If there is no C example called `stem`, or if the examples are not
/// built with `compiler` (the message lists those they are built with).
pub fn c_plugin_built_by(compiler: Compiler, stem: &str) -> Result<PathBuf, BuildError> {
    plugin_built_by(Language::C, compiler, stem)
}

/// The shared library built from the C++ sources in `examples-c/<dir>/`,
/// named after the directory: `cpp_plugin("greeter-cpp")` or
/// `cpp_plugin("kv-cpp")`.
///
/// # Panics
///
/// If there is no C++ example directory called `dir` (the message lists
/// those there are), if no C++ compiler runs (check [`cpp_toolchain`]
/// first), or if it does not compile.
pub fn cpp_plugin(dir: &str) -> PathBuf {
    built(cpp_plugin_built_by(cpp_compiler(), dir))
}

/// The shared library built from the C++ test fixture
/// `tests/fixtures/<stem>.cpp`, e.g. `cpp_fixture("throwing_cpp")`.
///
/// # Panics
///
/// If there is no C++ fixture called `stem` (the message lists those there
/// are), if no C++ compiler runs (check [`cpp_toolchain`] first), or if it
/// does not compile.
pub fn cpp_fixture(stem: &str) -> PathBuf {
    built(fixture(Language::Cpp, stem))
}

/// The names [`cpp_plugin`] accepts, sorted.
pub fn cpp_plugin_stems() -> Vec<&'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    listed(&NAMES, || plugin_names(Language::Cpp))
}

/// The stems [`cpp_fixture`] accepts, sorted.
pub fn cpp_fixture_stems() -> Vec<&'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    listed(&NAMES, || fixture_names(&["cpp"]))
}

/// The names in `cell`, listed by `list` the first time (the directories
/// are read once per process).
fn listed(
    cell: &'static OnceLock<Vec<String>>,
    list: impl FnOnce() -> Vec<String>,
) -> Vec<&'static str> {
    cell.get_or_init(list).iter().map(String::as_str).collect()
}

/// The compiler of [`cpp_plugin`] and [`cpp_fixture`]: the C++ compiler the
/// `cc` crate finds (`CXX`, else the platform's `c++`);
/// [`Compiler::Unknown`] when it does not run (see [`cpp_toolchain`]).
pub fn cpp_compiler() -> Compiler {
    compilers(Language::Cpp)[0].compiler
}

/// The compilers every C++ example plugin is built with: [`cpp_compiler`],
/// then the other of g++ and clang++ (clang++ when the default does not
/// run), whether it was found or not.
pub fn cpp_compilers() -> [Compiler; 2] {
    compilers(Language::Cpp)
        .each_ref()
        .map(|found| found.compiler)
}

/// The shared library built from the C++ sources in `examples-c/<dir>/` by
/// `compiler`, one of [`cpp_compilers`], e.g.
/// `cpp_plugin_built_by(Compiler::Clang, "kv-cpp")`.
///
/// # Errors
///
/// [`BuildError::ToolchainMissing`] when that compiler is not installed
/// (tool `c++` for the default one, as [`cpp_toolchain`] says; `clang++` or
/// `g++` for the other); [`BuildError::Compile`] when it does not compile.
///
/// # Panics
///
/// If there is no C++ example directory called `dir`, or if the examples are
/// not built with `compiler`.
pub fn cpp_plugin_built_by(compiler: Compiler, dir: &str) -> Result<PathBuf, BuildError> {
    plugin_built_by(Language::Cpp, compiler, dir)
}

/// Whether a C++ compiler runs: `Ok`, or [`BuildError::ToolchainMissing`]
/// (tool `c++`, `toolchain_missing`), so callers can skip what needs the
/// C++ plugins and fixtures, loudly, as for a missing Zig.
pub fn cpp_toolchain() -> Result<(), BuildError> {
    match &compilers(Language::Cpp)[0].tool {
        Ok(_) => Ok(()),
        Err(error) => Err(error.clone()),
    }
}

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

/// The library of a default build, or a panic saying why there is none.
fn built(result: Result<PathBuf, BuildError>) -> PathBuf {
    result.unwrap_or_else(|error| panic!("{error}"))
}

fn plugin_built_by(
    language: Language,
    compiler: Compiler,
    name: &str,
) -> Result<PathBuf, BuildError> {
    let known = plugin_names(language);
    if !known.iter().any(|known| known == name) {
        panic!(
            "no {} called {name:?}; known: {}",
            Kind::Plugin.describe(language),
            known.join(", ")
        );
    }
    let [default, second] = compilers(language).each_ref().map(|found| found.compiler);
    if compiler != default && compiler != second {
        panic!(
            "the {}s are not built by {compiler}, only by {default} and {second}",
            Kind::Plugin.describe(language)
        );
    }
    build_library(&Library::Native {
        language,
        kind: Kind::Plugin,
        compiler,
        name: name.to_owned(),
        variant: Variant::default(),
    })
}

/// The fixture `stem` of `language`, by the default compiler.
fn fixture(language: Language, stem: &str) -> Result<PathBuf, BuildError> {
    fixture_variant(language, stem, &Variant::default())
}

/// The fixture `stem` of `language`, built as `variant` says.
fn fixture_variant(
    language: Language,
    stem: &str,
    variant: &Variant,
) -> Result<PathBuf, BuildError> {
    let known = fixture_names(&[language.dir()]);
    if !known.iter().any(|known| known == stem) {
        panic!(
            "no {} called {stem:?}; known: {}",
            Kind::Fixture.describe(language),
            known.join(", ")
        );
    }
    let [default, second] = compilers(language).each_ref().map(|found| found.compiler);
    let compiler = variant.compiler.unwrap_or(default);
    if compiler != default && compiler != second {
        panic!(
            "the {}s are not built by {compiler}, only by {default} and {second}",
            Kind::Fixture.describe(language)
        );
    }
    build_library(&Library::Native {
        language,
        kind: Kind::Fixture,
        compiler,
        name: stem.to_owned(),
        variant: variant.clone(),
    })
}

/// Compiles the library `name` into `dir` with `compiler`, unless it is up
/// to date there (called once per process and library by the builder).
pub(crate) fn build(
    language: Language,
    kind: Kind,
    compiler: Compiler,
    name: &str,
    variant: &Variant,
    dir: &Path,
) -> Result<PathBuf, BuildError> {
    let tool = tool(language, compiler)?;
    let sources = match kind {
        Kind::Plugin => language.plugin_sources(name),
        Kind::Fixture => vec![fixtures_dir().join(format!("{name}.{}", language.dir()))],
    };
    let output = dir.join(library_file_name(name));
    compile(tool, language, variant, &sources, &output).map_err(|message| BuildError::Compile {
        library: format!("{} {name} ({compiler})", kind.describe(language)),
        message,
    })?;
    Ok(output)
}

/// The compiler program of `compiler` for `language`, or why it is missing.
fn tool(language: Language, compiler: Compiler) -> Result<&'static cc::Tool, BuildError> {
    let found = compilers(language)
        .iter()
        .find(|found| found.compiler == compiler)
        .expect("only the compilers of `compilers` are asked for");
    Ok(found
        .tool
        .as_ref()
        .map_err(Clone::clone)?
        .as_ref()
        .expect("prebuilt libraries are found by the builder, never compiled"))
}

/// The C plugin `tests/windows/greeter_with_dependency.c` built by
/// `compiler` (one of [`c_compilers`]) into `dir`, beside the two DLLs it
/// needs and nowhere else: `beside_dependency.dll`, which it imports, and
/// `beside_dependency_inner.dll`, which that one imports. Each is linked
/// against the import library (`lib<name>.dll.a`, written beside it) of
/// the one it imports. Windows only: the other platforms' tests build the
/// three at run time, with their own linking rules.
pub(crate) fn build_with_dependencies(
    compiler: Compiler,
    dir: &Path,
) -> Result<PathBuf, BuildError> {
    assert!(
        target().contains("windows"),
        "the plugin with DLLs beside it is built for Windows only"
    );
    let tool = tool(Language::C, compiler)?;
    let sources_dir = workspace_root().join("tests/windows");
    let mut imported: Option<PathBuf> = None;
    let mut output = PathBuf::new();
    for name in [
        "beside_dependency_inner",
        "beside_dependency",
        "greeter_with_dependency",
    ] {
        output = dir.join(format!("{name}.dll"));
        let import_library = dir.join(format!("lib{name}.dll.a"));
        let variant =
            Variant::new().flag(&format!("-Wl,--out-implib,{}", import_library.display()));
        // The import library of the DLL built before: given as a file, so
        // that `-static` does not turn it down.
        let mut sources = vec![sources_dir.join(format!("{name}.c"))];
        sources.extend(imported.take());
        compile(tool, Language::C, &variant, &sources, &output).map_err(|message| {
            BuildError::Compile {
                library: format!("tests/windows/{name}.c ({compiler})"),
                message,
            }
        })?;
        imported = Some(import_library);
    }
    Ok(output)
}

/// Compiles `sources` into the shared library `output`, unless `output`
/// is newer than every input and was made by the same command. The library
/// is written into a temporary directory and moved, so that a process that
/// loads it never sees half a file.
fn compile(
    tool: &cc::Tool,
    language: Language,
    variant: &Variant,
    sources: &[PathBuf],
    output: &Path,
) -> Result<(), String> {
    let dir = output
        .parent()
        .expect("libraries are built into a directory");
    fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    // In a directory of this process's, under the library's own name: a
    // DLL records the name it was linked under, and so does its import
    // library, which names the DLL a library linked against it imports.
    let temporary_dir = dir.join(format!(".{}.tmp", std::process::id()));
    fs::create_dir_all(&temporary_dir)
        .map_err(|e| format!("create {}: {e}", temporary_dir.display()))?;
    let temporary = temporary_dir.join(output.file_name().expect("a library has a file name"));
    let mut command = tool.to_command();
    if tool.is_like_msvc() {
        command.args(language.msvc_flags());
        for include in include_dirs() {
            command.arg(format!("/I{}", include.display()));
        }
        command.args(sources);
    } else {
        command.args(language.gnu_flags(variant));
        if target().ends_with("windows-gnu") && tool.is_like_clang() {
            command.args(mingw_runtime_for_clang(language)?);
        }
        for include in include_dirs() {
            command.arg("-I").arg(include);
        }
        command.args(sources);
    }
    // The command without its output path: what the stamp records.
    let described = describe(&command);
    let stamp = output.with_extension("cmd");
    if up_to_date(output, &stamp, &described, &inputs(language, sources)) {
        return Ok(());
    }
    if tool.is_like_msvc() {
        let objects = output.with_extension("obj.d");
        fs::create_dir_all(&objects).map_err(|e| e.to_string())?;
        command.arg(format!("/Fo{}\\", objects.display()));
        command.arg(format!("/Fe{}", temporary.display()));
    } else {
        command.arg("-o").arg(&temporary);
    }
    let result = command.output();
    let run = describe(&command);
    let output_of_compiler = result.map_err(|e| {
        format!(
            "could not run {}: {e}\n  command: {run}",
            tool.path().display()
        )
    })?;
    if !output_of_compiler.status.success() {
        let _ = fs::remove_dir_all(&temporary_dir);
        return Err(format!(
            "{} failed ({})\n  command: {run}\n{}{}",
            tool.path().display(),
            output_of_compiler.status,
            String::from_utf8_lossy(&output_of_compiler.stdout),
            String::from_utf8_lossy(&output_of_compiler.stderr),
        ));
    }
    let installed = fs::rename(&temporary, output).and_then(|()| fs::write(&stamp, &described));
    let _ = fs::remove_dir_all(&temporary_dir);
    installed.map_err(|e| format!("install {}: {e}", output.display()))
}

/// The directories clang needs to link for MinGW with Debian's mingw-w64:
/// its GCC runtime lies in `/usr/lib/gcc/x86_64-w64-mingw32/<version>-win32/`,
/// a directory clang does not look in, so the libraries (`-L`) and for C++
/// libstdc++'s headers (`-isystem`) are taken from where the MinGW gcc
/// says its runtime is.
fn mingw_runtime_for_clang(language: Language) -> Result<Vec<String>, String> {
    static GCC_DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let gcc = format!(
        "{}-w64-mingw32-gcc",
        target().split('-').next().unwrap_or("x86_64")
    );
    let dir = GCC_DIR
        .get_or_init(|| {
            let output = Command::new(&gcc)
                .arg("-print-libgcc-file-name")
                .output()
                .map_err(|e| format!("clang links MinGW DLLs with {gcc}'s runtime: {e}"))?;
            let libgcc = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            match libgcc.parent() {
                Some(dir) if output.status.success() && dir.is_dir() => Ok(dir.to_path_buf()),
                _ => Err(format!(
                    "`{gcc} -print-libgcc-file-name` names no directory"
                )),
            }
        })
        .clone()?;
    let mut flags = vec![format!("-L{}", dir.display())];
    if language == Language::Cpp {
        let cxx = dir.join("include/c++");
        let triple = dir
            .parent()
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        flags.extend([
            "-isystem".to_owned(),
            cxx.display().to_string(),
            "-isystem".to_owned(),
            cxx.join(triple).display().to_string(),
        ]);
    }
    Ok(flags)
}

/// What a library depends on: its sources, the headers beside them, every
/// header of the include directories, and for C++ the version script.
fn inputs(language: Language, sources: &[PathBuf]) -> Vec<PathBuf> {
    let mut inputs = sources.to_vec();
    for source in sources {
        if let Some(dir) = source.parent() {
            inputs.extend(sorted_entries(dir).into_iter().filter(|file| {
                file.extension()
                    .is_some_and(|ext| ext == "h" || ext == "hpp")
            }));
        }
    }
    for include in include_dirs() {
        files_below(&include, &mut inputs);
    }
    if language == Language::Cpp {
        inputs.push(version_script());
    }
    inputs
}

/// Whether `output` exists, its `stamp` records `command`, and no input is
/// newer than it.
fn up_to_date(output: &Path, stamp: &Path, command: &str, inputs: &[PathBuf]) -> bool {
    let modified = |path: &Path| fs::metadata(path).and_then(|meta| meta.modified()).ok();
    let Some(built) = modified(output) else {
        return false;
    };
    if fs::read_to_string(stamp).ok().as_deref() != Some(command) {
        return false;
    }
    inputs
        .iter()
        .all(|input| modified(input).is_some_and(|time: SystemTime| time <= built))
}

/// A command line as one string.
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The file name of a shared library called `stem` on the target.
pub(crate) fn library_file_name(stem: &str) -> String {
    if target().contains("windows") {
        format!("{stem}.dll")
    } else if target().contains("apple") {
        format!("lib{stem}.dylib")
    } else {
        format!("lib{stem}.so")
    }
}

/// The example plugins of `language`: the directories of `examples-c/` with
/// sources in it, sorted.
fn plugin_names(language: Language) -> Vec<String> {
    sorted_entries(&examples_dir())
        .into_iter()
        .filter_map(|dir| dir.file_name()?.to_str().map(str::to_owned))
        .filter(|name| !language.plugin_sources(name).is_empty())
        .collect()
}

/// The stems of the files of `tests/fixtures/` with one of `extensions`,
/// sorted.
fn fixture_names(extensions: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = sorted_entries(&fixtures_dir())
        .into_iter()
        .filter(|file| {
            file.is_file()
                && file
                    .extension()
                    .and_then(|ext| ext.to_str())
                    .is_some_and(|ext| extensions.contains(&ext))
        })
        .filter_map(|file| file.file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Every file below `dir`, recursively, appended to `files`.
fn files_below(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in sorted_entries(dir) {
        if entry.is_dir() {
            files_below(&entry, files);
        } else {
            files.push(entry);
        }
    }
}

/// The entries of `dir`, sorted (empty if it does not exist).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toolchain;

    #[test]
    fn c_plugins_are_built_on_first_use() {
        assert_eq!(c_plugin_stems(), ["greeter", "kv", "processor"]);
        for stem in c_plugin_stems() {
            let path = c_plugin(stem);
            assert!(path.is_file(), "{}", path.display());
            assert!(path.is_absolute(), "{}", path.display());
        }
        let name = c_plugin("greeter");
        let name = name.file_name().unwrap().to_str().unwrap();
        assert!(
            name == "libgreeter.so" || name == "libgreeter.dylib" || name == "greeter.dll",
            "{name}"
        );
    }

    #[test]
    fn every_c_fixture_file_is_a_fixture() {
        let stems = c_fixture_stems();
        for stem in [
            "no_entry",
            "abi_v2",
            "create_fails",
            "null_slot",
            "not_a_library",
        ] {
            assert!(stems.contains(&stem), "{stem} not in {stems:?}");
            let path = c_fixture(stem);
            assert!(path.is_file(), "{stem}: {}", path.display());
        }
        assert!(c_fixture("not_a_library").ends_with("tests/fixtures/not_a_library.txt"));
        assert!(!stems.contains(&"fixture"), "headers are not fixtures");
    }

    #[test]
    #[should_panic(expected = "no C example plugin called \"nope\"; known: greeter, kv, processor")]
    fn unknown_stem_panics_with_the_known_ones() {
        c_plugin("nope");
    }

    #[test]
    #[should_panic(expected = "no C fixture called \"nope\"; known: ")]
    fn unknown_fixture_panics_with_the_known_ones() {
        c_fixture("nope");
    }

    #[test]
    fn a_library_is_compiled_again_only_when_an_input_changed() {
        let dir = std::env::temp_dir().join(format!("tenon-test-plugins-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let output = dir.join("liba.so");
        let stamp = dir.join("liba.cmd");
        let input = dir.join("a.c");
        let inputs = [input.clone()];
        fs::write(&input, "").unwrap();
        assert!(!up_to_date(&output, &stamp, "cc a.c", &inputs));
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&output, "").unwrap();
        fs::write(&stamp, "cc a.c").unwrap();
        assert!(up_to_date(&output, &stamp, "cc a.c", &inputs));
        assert!(!up_to_date(&output, &stamp, "cc -O2 a.c", &inputs));
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&input, "int x;").unwrap();
        assert!(!up_to_date(&output, &stamp, "cc a.c", &inputs));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cpp_plugins_and_fixtures_are_built_or_missing() {
        assert_eq!(cpp_plugin_stems(), ["greeter-cpp", "kv-cpp"]);
        assert!(cpp_fixture_stems().contains(&"throwing_cpp"));
        if let Err(error) = cpp_toolchain() {
            assert_eq!(error.name(), "toolchain_missing");
            let listed = cpp_plugin_built_by(cpp_compiler(), "kv-cpp").unwrap_err();
            assert_eq!(listed, error, "the C++ examples are missing too");
            toolchain::missing("c++", &error.to_string());
            return;
        }
        for path in [
            cpp_plugin("greeter-cpp"),
            cpp_plugin("kv-cpp"),
            cpp_fixture("throwing_cpp"),
        ] {
            assert!(path.is_file(), "{}", path.display());
            assert!(path.is_absolute(), "{}", path.display());
        }
        let name = cpp_plugin("kv-cpp");
        let name = name.file_name().unwrap().to_str().unwrap();
        assert!(
            name == "libkv-cpp.so" || name == "libkv-cpp.dylib" || name == "kv-cpp.dll",
            "{name}"
        );
    }

    #[test]
    #[should_panic(
        expected = "no C++ example plugin called \"greeter\"; known: greeter-cpp, kv-cpp"
    )]
    fn unknown_cpp_plugin_panics_with_the_known_ones() {
        let _ = cpp_plugin_built_by(cpp_compiler(), "greeter");
    }

    #[test]
    fn c_and_cpp_examples_are_built_by_two_compilers_one_of_them_clang() {
        for (language, compilers, default) in [
            (Language::C, c_compilers(), c_compiler()),
            (Language::Cpp, cpp_compilers(), cpp_compiler()),
        ] {
            let name = language.name();
            assert_eq!(compilers[0], default, "{name}: the default build first");
            assert_ne!(compilers[0], compilers[1], "{name}: two compilers");
            assert!(
                compilers.contains(&Compiler::Clang),
                "{name}: {compilers:?}"
            );
            if cfg!(not(target_env = "msvc")) && default != Compiler::Unknown {
                assert!(compilers.contains(&Compiler::Gcc), "{name}: {compilers:?}");
            }
            for plugin in plugin_names(language) {
                let [first, second] =
                    compilers.map(|compiler| plugin_built_by(language, compiler, &plugin));
                let first = match first {
                    Ok(path) => path,
                    Err(error) => {
                        assert_eq!(error.name(), "toolchain_missing");
                        toolchain::missing(language.name(), &error.to_string());
                        continue;
                    }
                };
                match second {
                    Ok(path) => {
                        assert!(path.is_file(), "{}", path.display());
                        assert_ne!(path, first);
                        assert_eq!(path.file_name(), first.file_name());
                    }
                    Err(error) => {
                        let BuildError::ToolchainMissing { tool, .. } = &error else {
                            panic!("{name} {plugin} by {}: {error}", compilers[1]);
                        };
                        assert_eq!(tool, compilers[1].command(language));
                        toolchain::missing(tool, &error.to_string());
                    }
                }
            }
        }
    }

    #[test]
    #[cfg(not(target_env = "msvc"))]
    #[should_panic(expected = "the C example plugins are not built by msvc, only by")]
    fn a_compiler_that_builds_nothing_panics() {
        let _ = c_plugin_built_by(Compiler::Msvc, "greeter");
    }
}
