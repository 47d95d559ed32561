//! `tenon new`: a plugin project that builds with its language's usual tool
//! and passes `tenon check` as generated.
//!
//! A project's plugin source is the repository's example of that interface
//! in that language when there is one (`examples-c/`, `examples-zig/`,
//! `examples-rust/`), with the example's plugin name replaced by the new
//! one, so the examples are the one source of both; the few pairs without an
//! example, and the build files, are templates in this crate's `templates/`
//! directory. The Tenon headers the C, C++ and Zig projects carry, and the
//! Zig SDK (`sdk-zig/`) the Zig projects build with, are the SDK's own, all
//! embedded when this command was compiled (`include_str!`), so a project
//! always matches the ABI of the `tenon` that created it and builds without
//! an installed SDK. The Rust project instead depends on the SDK's crates:
//! by path when a Tenon source tree is known, else by crates.io version.

use crate::{InterfaceChoice, Lang};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The SDK files a project may carry, as `(path in the project, text)`.
pub(crate) const PLUGIN_H: (&str, &str) = (
    "include/tenon/plugin.h",
    include_str!("../../../include/tenon/plugin.h"),
);
/// The standard state interface (the C++ kv template offers it): every C,
/// C++ and Zig project carries it, since the guides tell a plugin that
/// wants hot reload with state to include it.
pub(crate) const STATE_H: (&str, &str) = (
    "include/tenon/state.h",
    include_str!("../../../include/tenon/state.h"),
);
pub(crate) const SDK_H: (&str, &str) = (
    "include/tenon/sdk.h",
    include_str!("../../../sdk-c/include/tenon/sdk.h"),
);
const GREETER_H: (&str, &str) = (
    "include/tenon_examples/greeter.h",
    include_str!("../../../examples-c/interfaces/tenon_examples/greeter.h"),
);
const KV_H: (&str, &str) = (
    "include/tenon_examples/kv.h",
    include_str!("../../../examples-c/interfaces/tenon_examples/kv.h"),
);
const PROCESSOR_H: (&str, &str) = (
    "include/tenon_examples/processor.h",
    include_str!("../../../examples-c/interfaces/tenon_examples/processor.h"),
);

pub(crate) const PLUGIN_HPP: (&str, &str) = (
    "include/tenon/plugin.hpp",
    include_str!("../../../sdk-c/include/tenon/plugin.hpp"),
);

/// A template: `(path in the project, text with {{placeholders}})`.
pub(crate) type Template = (&'static str, &'static str);

pub(crate) const C_FILES: &[Template] = &[
    ("Makefile", include_str!("../templates/c/Makefile")),
    ("README.md", include_str!("../templates/c/README.md")),
    (".gitignore", include_str!("../templates/c/gitignore")),
];

pub(crate) const CPP_FILES: &[Template] = &[
    (
        "CMakeLists.txt",
        include_str!("../templates/cpp/CMakeLists.txt"),
    ),
    (
        "tenon-plugin.version",
        include_str!("../templates/cpp/tenon-plugin.version"),
    ),
    ("README.md", include_str!("../templates/cpp/README.md")),
    (".gitignore", include_str!("../templates/cpp/gitignore")),
];

pub(crate) const ZIG_FILES: &[Template] = &[
    ("build.zig", include_str!("../templates/zig/build.zig")),
    (
        "build.zig.zon",
        include_str!("../templates/zig/build.zig.zon"),
    ),
    ("src/tenon.h", include_str!("../templates/zig/tenon.h")),
    ("README.md", include_str!("../templates/zig/README.md")),
    (".gitignore", include_str!("../templates/zig/gitignore")),
];

/// The Zig SDK a Zig project builds with, copied into `sdk-zig/`.
pub(crate) const SDK_ZIG: &[(&str, &str)] = &[
    (
        "sdk-zig/build.zig",
        include_str!("../../../sdk-zig/build.zig"),
    ),
    (
        "sdk-zig/build.zig.zon",
        include_str!("../../../sdk-zig/build.zig.zon"),
    ),
    (
        "sdk-zig/tenon.zig",
        include_str!("../../../sdk-zig/tenon.zig"),
    ),
];

/// An example of this repository that a project's plugin source is made
/// from: its text, and the plugin name it gives itself (replaced by the new
/// project's name).
struct Example {
    text: &'static str,
    name: &'static str,
}

/// The example implementing `interface` in `lang`, if the repository has
/// one; otherwise the project's source is a template.
fn example(lang: Lang, interface: InterfaceChoice) -> Option<Example> {
    let (text, name) = match (lang, interface) {
        (Lang::C, InterfaceChoice::Greeter) => (
            include_str!("../../../examples-c/greeter/greeter.c"),
            "greeter-c",
        ),
        (Lang::C, InterfaceChoice::Kv) => (include_str!("../../../examples-c/kv/kv.c"), "kv-c"),
        (Lang::C, InterfaceChoice::Processor) => (
            include_str!("../../../examples-c/processor/processor.c"),
            "processor-c",
        ),
        (Lang::Cpp, InterfaceChoice::Greeter) => (
            include_str!("../../../examples-c/greeter-cpp/greeter.cpp"),
            "greeter-cpp",
        ),
        (Lang::Cpp, InterfaceChoice::Kv) => {
            (include_str!("../../../examples-c/kv-cpp/kv.cpp"), "kv-cpp")
        }
        (Lang::Zig, InterfaceChoice::Greeter) => (
            include_str!("../../../examples-zig/greeter/src/greeter.zig"),
            "greeter-zig",
        ),
        (Lang::Zig, InterfaceChoice::Processor) => (
            include_str!("../../../examples-zig/processor/src/processor.zig"),
            "processor-zig",
        ),
        (Lang::Rust, InterfaceChoice::Greeter) => (
            include_str!("../../../examples-rust/greeter/src/lib.rs"),
            "greeter-rust",
        ),
        (Lang::Rust, InterfaceChoice::Kv) => (
            include_str!("../../../examples-rust/kv/src/lib.rs"),
            "kv-rust",
        ),
        (Lang::Rust, InterfaceChoice::Processor) => (
            include_str!("../../../examples-rust/processor/src/lib.rs"),
            "processor-rust",
        ),
        _ => return None,
    };
    Some(Example { text, name })
}

/// The template of the plugin source for the pairs without an example.
fn template(lang: Lang, interface: InterfaceChoice) -> &'static str {
    match (lang, interface) {
        (Lang::Cpp, InterfaceChoice::Processor) => include_str!("../templates/cpp/processor.cpp"),
        (Lang::Zig, InterfaceChoice::Kv) => include_str!("../templates/zig/kv.zig"),
        _ => unreachable!("{lang:?} {interface:?} is made from its example"),
    }
}

/// The plugin source of a project called `name`: the example with its
/// plugin name replaced, or the template filled by `fill`.
fn plugin_source(
    lang: Lang,
    interface: InterfaceChoice,
    name: &str,
    fill: impl Fn(&str) -> String,
) -> String {
    match example(lang, interface) {
        Some(example) => rename(example.text, example.name, name),
        None => fill(template(lang, interface)),
    }
}

/// `text` with every whole occurrence of the name `old` replaced by `new`:
/// `greeter-c` is replaced in `"greeter-c"` and `greeter-c instance`, not in
/// `greeter-cpp`.
fn rename(text: &str, old: &str, new: &str) -> String {
    let continues_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut renamed = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let after = &rest[at + old.len()..];
        let before = rest[..at].chars().next_back();
        renamed.push_str(&rest[..at]);
        if after.starts_with(continues_name) || before.is_some_and(continues_name) {
            renamed.push_str(old);
        } else {
            renamed.push_str(new);
        }
        rest = after;
    }
    renamed.push_str(rest);
    renamed
}

/// The `.fingerprint` of a Zig package called `name`: Zig checks that its
/// upper half is the CRC-32 of the name; the lower half tells this package
/// from others of the same name, so it is drawn from the clock.
pub(crate) fn zig_fingerprint(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |elapsed| elapsed.subsec_nanos());
    // 0 and 0xffffffff are reserved.
    let id = u64::from(nanos % 0xffff_fffe + 1);
    format!("0x{:x}", (u64::from(crc32(name.as_bytes())) << 32) | id)
}

/// CRC-32 (IEEE 802.3, zlib's), as Zig computes package fingerprints.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The package name of a Zig project: its identifier, if Zig accepts it
/// (at most 32 bytes), else a generic one.
pub(crate) fn zig_package_name(ident: &str) -> &str {
    if ident.len() <= 32 {
        ident
    } else {
        "tenon_plugin"
    }
}

pub(crate) const RUST_FILES: &[Template] = &[
    ("Cargo.toml", include_str!("../templates/rust/Cargo.toml")),
    ("README.md", include_str!("../templates/rust/README.md")),
    (".gitignore", include_str!("../templates/rust/gitignore")),
];

impl InterfaceChoice {
    fn short(self) -> &'static str {
        match self {
            InterfaceChoice::Greeter => "greeter",
            InterfaceChoice::Kv => "kv",
            InterfaceChoice::Processor => "processor",
        }
    }

    fn id(self) -> String {
        format!("org.tenon.example.{}", self.short())
    }

    fn summary(self) -> &'static str {
        match self {
            InterfaceChoice::Greeter => "`greet(name)` returns a greeting",
            InterfaceChoice::Kv => "an in-memory key-value store",
            InterfaceChoice::Processor => "`process(bytes)` transforms bytes",
        }
    }

    fn header(self) -> (&'static str, &'static str) {
        match self {
            InterfaceChoice::Greeter => GREETER_H,
            InterfaceChoice::Kv => KV_H,
            InterfaceChoice::Processor => PROCESSOR_H,
        }
    }
}

impl Lang {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Lang::C => "C",
            Lang::Cpp => "C++",
            Lang::Zig => "Zig",
            Lang::Rust => "Rust",
        }
    }
}

/// One file of a new project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative to the project's directory, with `/`.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// A new project, ready to be written.
#[derive(Debug, Clone)]
pub struct Project {
    /// Its files.
    pub files: Vec<File>,
    /// Where the built library will be, relative to the project.
    pub library: String,
    /// The commands that build it, run in the project's directory.
    pub build: Vec<&'static str>,
    /// Something to tell the user, if any.
    pub note: Option<String>,
    /// For a project made from a header: that header's copy in the
    /// project, for `tenon check --interface`, the check that calls its
    /// methods.
    pub interface_header: Option<String>,
    /// For a project made from a header: the copies of the application's
    /// headers that header includes, relative to the project.
    pub copied_headers: Vec<String>,
}

/// What `--interface` names: an example interface, or a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceSpec {
    /// `greeter`, `kv` or `processor`.
    Example(InterfaceChoice),
    /// The path of an interface header.
    Header(PathBuf),
}

impl InterfaceSpec {
    /// Reads `--interface`: an example's name, else a path.
    pub fn parse(text: &str) -> InterfaceSpec {
        match text {
            "greeter" => InterfaceSpec::Example(InterfaceChoice::Greeter),
            "kv" => InterfaceSpec::Example(InterfaceChoice::Kv),
            "processor" => InterfaceSpec::Example(InterfaceChoice::Processor),
            path => InterfaceSpec::Header(PathBuf::from(path)),
        }
    }
}

/// `tenon new NAME --lang LANG [--interface I] [--dir DIR] [--sdk DIR]`.
pub fn run(
    name: &str,
    lang: Lang,
    interface: &str,
    dir: Option<PathBuf>,
    sdk: Option<PathBuf>,
) -> ExitCode {
    if let Err(problem) = check_name(name) {
        err_line!("error: invalid plugin name {name:?}: {problem}");
        return ExitCode::from(2);
    }
    let sdk = match sdk_root(sdk, lang) {
        Ok(sdk) => sdk,
        Err(problem) => {
            err_line!("error: {problem}");
            return ExitCode::from(2);
        }
    };
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    // What the banner names: the version and the latest revision the
    // project's stubs implement, so a header with `[revision N]` methods
    // does not read as revision 1.
    let (project, id, implemented) = match InterfaceSpec::parse(interface) {
        InterfaceSpec::Example(interface) => {
            let revision = crate::known::by_id(&interface.id())
                .and_then(|known| known.methods.iter().map(|m| m.revision).max())
                .unwrap_or(1);
            (
                project(name, lang, interface, sdk.as_deref()),
                interface.id(),
                crate::new_header::version_and_revision(1, revision),
            )
        }
        InterfaceSpec::Header(header) if !header.exists() => {
            err_line!(
                "error: --interface {}: not an example interface (greeter, kv, processor) and \
                 no such header file",
                header.display()
            );
            return ExitCode::from(2);
        }
        InterfaceSpec::Header(header) => {
            match crate::new_header::project(name, lang, &header, sdk.as_deref()) {
                Ok((project, model)) => {
                    if let Some(short) = example_interface(&model.id, model.version) {
                        // `tenon check` probes an example interface method
                        // by method, and a stub's empty results fail those
                        // probes: the project would not pass the check it is
                        // promised to.
                        err_line!(
                            "error: --interface {}: the header declares {} version {}, the \
                             example interface `{short}`, which `tenon check` probes method by \
                             method, and stubs that return empty results fail those probes; use \
                             `--interface {short}` for a working plugin, or give your own \
                             interface an id of its own",
                            header.display(),
                            model.id,
                            model.version,
                        );
                        return ExitCode::from(2);
                    }
                    let implemented = crate::new_header::implemented(&model);
                    (project, model.id, implemented)
                }
                Err(refused) => {
                    err_line!("error: {}", refused.message);
                    return ExitCode::from(if refused.tool_missing {
                        crate::bindgen::TOOL_MISSING
                    } else {
                        2
                    });
                }
            }
        }
    };
    let written = write(&dir, &project).and_then(|()| match (lang, sdk.as_deref()) {
        (Lang::Zig, Some(sdk)) => relative_zig_package(&dir, sdk),
        _ => Ok(()),
    });
    if let Err(problem) = written {
        err_line!("error: {problem}");
        return ExitCode::from(crate::FAILURE);
    }
    let mut next = format!(
        "Created {}: a {} plugin implementing {id} {implemented}.\n\n  cd {}\n",
        dir.display(),
        lang.describe(),
        dir.display(),
    );
    for command in &project.build {
        next.push_str(&format!("  {command}\n"));
    }
    next.push_str(&format!("  tenon check {}\n", project.library));
    if let Some(header) = &project.interface_header {
        next.push_str(&format!(
            "  tenon check --interface {header} {}\n",
            project.library
        ));
    }
    if !project.copied_headers.is_empty() {
        next.push_str(&format!(
            "\nCopied the headers the interface header includes: {}\n",
            project.copied_headers.join(", ")
        ));
    }
    if let Some(note) = &project.note {
        next.push_str(&format!("\n{note}\n"));
    }
    crate::print_out(&next);
    ExitCode::SUCCESS
}

/// The short name (`kv`) of the example interface with this id and version,
/// which `tenon check` knows and probes; `None` for any other interface.
fn example_interface(id: &str, version: u32) -> Option<&'static str> {
    // Tenon's own state interface is known too, but its probe (a round
    // trip) passes with stubs, and it is no example `--interface` can name.
    crate::known::by_id(id)
        .filter(|known| known.version == version && known.short != "state")
        .map(|known| known.short)
}

/// Names become file names, C identifiers and crate names: lowercase ASCII
/// letters, digits, `-` and `_`, starting with a letter.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("it is empty"),
        Some(first) if !first.is_ascii_lowercase() => {
            return Err("it must start with a lowercase letter (a-z)")
        }
        Some(_) => {}
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
        return Err("use only lowercase letters, digits, '-' and '_'");
    }
    if name.len() > 64 {
        return Err("it is longer than 64 characters");
    }
    Ok(())
}

/// The SDK's crates a Rust project depends on by path, relative to an SDK
/// source tree.
const SDK_CRATES: [&str; 2] = ["sdk-rust/tenon-plugin", "sdk-rust/tenon-interface"];

/// What a directory lacks to be an SDK a `lang` project can use, if
/// anything: the Rust crates for Rust, `tenon/plugin.h` for the others.
fn sdk_problem(dir: &Path, lang: Lang) -> Option<String> {
    if !dir.is_dir() {
        return Some("it is not a directory".to_owned());
    }
    let needed: Vec<String> = if lang == Lang::Rust {
        SDK_CRATES
            .iter()
            .map(|krate| format!("{krate}/Cargo.toml"))
            .collect()
    } else {
        vec!["include/tenon/plugin.h".to_owned()]
    };
    let missing: Vec<&String> = needed.iter().filter(|p| !dir.join(p).is_file()).collect();
    (!missing.is_empty()).then(|| {
        format!(
            "it has no {}",
            missing
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" and no ")
        )
    })
}

/// The Tenon SDK tree for path dependencies: `--sdk`, else
/// `$TENON_SDK_DIR`, else the tree this command was built from if it is
/// still there; `None` means crates.io versions. A given directory that a
/// `lang` project cannot use is an error.
fn sdk_root(explicit: Option<PathBuf>, lang: Lang) -> Result<Option<PathBuf>, String> {
    let given = explicit.map(|dir| ("--sdk", dir)).or_else(|| {
        std::env::var_os("TENON_SDK_DIR")
            .filter(|dir| !dir.is_empty())
            .map(|dir| ("TENON_SDK_DIR", PathBuf::from(dir)))
    });
    if let Some((source, dir)) = given {
        if let Some(problem) = sdk_problem(&dir, lang) {
            return Err(format!(
                "{source} {} is not a Tenon SDK a {} project can use: {problem}",
                dir.display(),
                lang.describe()
            ));
        }
        return std::fs::canonicalize(&dir)
            .map(Some)
            .map_err(|e| format!("{source} {}: {e}", dir.display()));
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if sdk_problem(&built_from, Lang::Rust).is_none() {
        return Ok(std::fs::canonicalize(&built_from).ok());
    }
    Ok(None)
}

/// `lib<stem>.so`, `lib<stem>.dylib` or `<stem>.dll` on this platform.
pub(crate) fn library_file(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The library a C project's Makefile builds with this platform's
/// compiler: it names the library for the compiler's target, `<name>.dll`
/// for Windows, `lib<name>.dylib` for macOS, `lib<name>.so` elsewhere.
pub(crate) fn c_library(name: &str) -> String {
    if cfg!(windows) {
        format!("build/{name}.dll")
    } else if cfg!(target_vendor = "apple") {
        format!("build/lib{name}.dylib")
    } else {
        format!("build/lib{name}.so")
    }
}

/// The project's files and how to build it.
pub fn project(name: &str, lang: Lang, interface: InterfaceChoice, sdk: Option<&Path>) -> Project {
    let ident = name.replace('-', "_");
    let mut note = None;
    let (templates, main, build, library): (&[Template], &str, Vec<&str>, String) = match lang {
        Lang::C => (C_FILES, "src/plugin.c", vec!["make"], c_library(name)),
        Lang::Rust => (
            RUST_FILES,
            "src/lib.rs",
            vec!["cargo build"],
            format!("target/debug/{}", library_file(&ident)),
        ),
        Lang::Cpp => (
            CPP_FILES,
            "src/plugin.cpp",
            vec!["cmake -S . -B build", "cmake --build build"],
            format!("build/{}", library_file(name)),
        ),
        Lang::Zig => (
            ZIG_FILES,
            "src/plugin.zig",
            vec!["zig build"],
            if cfg!(target_os = "windows") {
                format!("zig-out/bin/{ident}.dll")
            } else {
                format!("zig-out/lib/{}", library_file(&ident))
            },
        ),
    };
    let dependencies = match (lang, sdk) {
        (Lang::Rust, Some(sdk)) => format!(
            "tenon-plugin = {{ path = {} }}\ntenon-example-interfaces = {{ path = {} }}",
            toml_string(&sdk.join("sdk-rust/tenon-plugin")),
            toml_string(&sdk.join("examples-rust/interfaces")),
        ),
        (Lang::Rust, None) => {
            note = Some(
                "note: no Tenon source tree was found (--sdk, TENON_SDK_DIR), so Cargo.toml \
                 names crates.io versions of tenon-plugin and tenon-example-interfaces; the \
                 example interfaces crate is not published, so the project builds only once \
                 you point it at a Tenon checkout (tenon new again with --sdk DIR, or edit \
                 Cargo.toml)."
                    .to_owned(),
            );
            "tenon-plugin = \"0.1\"\ntenon-example-interfaces = \"0.1\"".to_owned()
        }
        _ => String::new(),
    };
    let values = [
        ("name", name.to_owned()),
        ("ident", ident.clone()),
        ("interface", interface.short().to_owned()),
        ("interface_id", interface.id()),
        ("interface_summary", interface.summary().to_owned()),
        ("library_path", library.clone()),
        ("dependencies", dependencies),
        ("zig_package", zig_package_name(&ident).to_owned()),
        ("zig_fingerprint", zig_fingerprint(zig_package_name(&ident))),
        // `tenon check` knows the example interfaces: no header needed.
        ("check_args", String::new()),
        // The Zig kv offers org.tenon.state: its translated C declarations
        // need the header.
        (
            "state_include",
            if interface == InterfaceChoice::Kv {
                "\n#include <tenon/state.h>".to_owned()
            } else {
                String::new()
            },
        ),
    ];
    let fill = |text: &str| {
        values.iter().fold(text.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{{{key}}}}}"), value)
        })
    };
    let mut files: Vec<File> = templates
        .iter()
        .map(|(path, text)| File {
            path: (*path).to_owned(),
            text: fill(text),
        })
        .collect();
    files.push(File {
        path: main.to_owned(),
        text: plugin_source(lang, interface, name, fill),
    });
    let headers: &[(&str, &str)] = match lang {
        Lang::C => &[PLUGIN_H, STATE_H, SDK_H],
        Lang::Cpp => &[PLUGIN_H, STATE_H, SDK_H, PLUGIN_HPP],
        Lang::Zig => &[PLUGIN_H, STATE_H, SDK_H],
        Lang::Rust => &[],
    };
    if lang == Lang::Zig {
        for (path, text) in SDK_ZIG {
            files.push(File {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            });
        }
    }
    if lang != Lang::Rust {
        for (path, text) in headers.iter().copied().chain([interface.header()]) {
            files.push(File {
                path: path.to_owned(),
                text: text.to_owned(),
            });
        }
    }
    if lang == Lang::Zig {
        use_installed_zig_package(&mut files, sdk);
    }
    Project {
        files,
        library,
        build,
        note,
        interface_header: None,
        copied_headers: Vec::new(),
    }
}

/// Where an SDK installed under `prefix` (`cmake --install` of `sdk-c/`)
/// keeps the Zig package.
const INSTALLED_SDK_ZIG: &str = "share/tenon/sdk-zig";

/// When `sdk` is an installed SDK with the Zig package, points a Zig
/// project's `build.zig.zon` at that package instead of carrying a copy in
/// `sdk-zig/`, and says so in its README. The headers stay in `include/`.
pub(crate) fn use_installed_zig_package(files: &mut Vec<File>, sdk: Option<&Path>) {
    let Some(package) = sdk
        .map(|sdk| sdk.join(INSTALLED_SDK_ZIG))
        .filter(|package| package.join("build.zig").is_file())
    else {
        return;
    };
    let literal = zig_string(&package);
    files.retain(|file| !file.path.starts_with("sdk-zig/"));
    for file in files.iter_mut() {
        match file.path.as_str() {
            "build.zig.zon" => {
                file.text = file
                    .text
                    .replace(
                        "// The Zig SDK (build helper and tenon.zig), copied by `tenon new`.",
                        "// The installed Zig SDK (build helper and tenon.zig).",
                    )
                    .replace(
                        ".tenon = .{ .path = \"sdk-zig\" }",
                        &format!(".tenon = .{{ .path = \"{literal}\" }}"),
                    )
                    .replace(", \"sdk-zig\" }", " }");
            }
            "README.md" => {
                file.text = file
                    .text
                    .replace(
                        "the Zig SDK in `sdk-zig/`",
                        &format!("the Zig SDK installed at `{}`", package.display()),
                    )
                    .replace(
                        "copied all three from the Tenon SDK.",
                        "copied the last two from the Tenon SDK.",
                    );
            }
            "build.zig" => {
                file.text = file
                    .text
                    .replace("(sdk-zig/, the dependency", "(installed, the dependency");
            }
            _ => {}
        }
    }
}

/// A path as the contents of a Zig string literal: only the backslash and
/// the quote need escapes.
fn zig_string(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// Zig accepts only a path relative to the project for a dependency, so
/// once the project exists, the installed package's absolute path that
/// [`use_installed_zig_package`] wrote into `build.zig.zon` becomes the path
/// from the project's canonical directory to it.
fn relative_zig_package(dir: &Path, sdk: &Path) -> Result<(), String> {
    let package = sdk.join(INSTALLED_SDK_ZIG);
    let manifest = dir.join("build.zig.zon");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let absolute = format!("\"{}\"", zig_string(&package));
    if !text.contains(&absolute) {
        return Ok(());
    }
    let base = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let common = base
        .components()
        .zip(package.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = PathBuf::new();
    for _ in base.components().skip(common) {
        relative.push("..");
    }
    relative.extend(package.components().skip(common));
    std::fs::write(
        &manifest,
        text.replace(&absolute, &format!("\"{}\"", zig_string(&relative))),
    )
    .map_err(|e| format!("{}: {e}", manifest.display()))
}

/// A path as a TOML string: a literal string ('...', no escapes, so
/// Windows backslashes stay as they are) unless it contains a quote.
pub(crate) fn toml_string(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains('\'') || text.contains('\n') {
        format!("{text:?}")
    } else {
        format!("'{text}'")
    }
}

/// Writes the project into `dir`, which must not exist or be empty.
fn write(dir: &Path, project: &Project) -> Result<(), String> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(format!(
                "{} already exists and is not empty; choose another name or --dir",
                dir.display()
            ));
        }
    } else if dir.exists() {
        return Err(format!("{} exists and is not a directory", dir.display()));
    }
    for file in &project.files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("my-plugin_2").is_ok());
        for bad in ["", "2fast", "-x", "My", "a b", "a.b", "ä"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn every_placeholder_is_filled() {
        let sdk = Path::new("/sdk");
        for lang in [Lang::C, Lang::Cpp, Lang::Zig, Lang::Rust] {
            for interface in [
                InterfaceChoice::Greeter,
                InterfaceChoice::Kv,
                InterfaceChoice::Processor,
            ] {
                for sdk in [Some(sdk), None] {
                    let project = project("my-plugin", lang, interface, sdk);
                    for file in &project.files {
                        assert!(
                            !file.text.contains("{{"),
                            "{lang:?} {interface:?}: {} has an unfilled placeholder",
                            file.path
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn c_projects_carry_the_headers_they_include() {
        let project = project("p", Lang::C, InterfaceChoice::Kv, None);
        let paths: Vec<&str> = project.files.iter().map(|f| f.path.as_str()).collect();
        for expected in [
            "Makefile",
            "src/plugin.c",
            "include/tenon/plugin.h",
            "include/tenon/sdk.h",
            "include/tenon/state.h",
            "include/tenon_examples/kv.h",
        ] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
    }

    #[test]
    fn zig_projects_carry_state_h_for_hot_reload() {
        // guide-zig.md tells a plugin with state to add <tenon/state.h> to
        // its src/tenon.h; the project's include/ must hold it.
        let project = project("p", Lang::Zig, InterfaceChoice::Greeter, None);
        let state = project
            .files
            .iter()
            .find(|f| f.path == "include/tenon/state.h")
            .expect("include/tenon/state.h in a Zig project");
        assert!(state.text.contains("TENON_STATE_ID"));
    }

    #[test]
    fn rust_projects_depend_on_the_sdk_by_path_or_version() {
        let with_sdk = project(
            "p",
            Lang::Rust,
            InterfaceChoice::Greeter,
            Some(Path::new("/s")),
        );
        let manifest = &with_sdk.files[0].text;
        assert!(
            manifest.contains("tenon-plugin = { path = '/s/sdk-rust/tenon-plugin' }"),
            "{manifest}"
        );
        assert!(with_sdk.note.is_none());
        let without = project("p", Lang::Rust, InterfaceChoice::Greeter, None);
        assert!(without.files[0].text.contains("tenon-plugin = \"0.1\""));
        assert!(without.note.is_some());
    }

    const LANGS: [Lang; 4] = [Lang::C, Lang::Cpp, Lang::Zig, Lang::Rust];
    const INTERFACES: [InterfaceChoice; 3] = [
        InterfaceChoice::Greeter,
        InterfaceChoice::Kv,
        InterfaceChoice::Processor,
    ];

    /// The project's plugin source: `src/plugin.*` or `src/lib.rs`.
    fn source(project: &Project) -> &str {
        let file = project
            .files
            .iter()
            .find(|file| file.path.starts_with("src/plugin.") || file.path == "src/lib.rs")
            .expect("every project has its plugin source");
        &file.text
    }

    #[test]
    fn names_are_replaced_whole() {
        assert_eq!(
            rename(
                "\"greeter-c\" greeter-cpp (greeter-c) my-greeter-c",
                "greeter-c",
                "mine"
            ),
            "\"mine\" greeter-cpp (mine) my-greeter-c"
        );
    }

    #[test]
    fn a_project_with_an_example_is_that_example_renamed() {
        let mut from_examples = 0;
        for lang in LANGS {
            for interface in INTERFACES {
                let project = project("my-plugin", lang, interface, None);
                let text = source(&project);
                match example(lang, interface) {
                    Some(example) => {
                        from_examples += 1;
                        assert_eq!(text, rename(example.text, example.name, "my-plugin"));
                        assert!(
                            text.contains("\"my-plugin\""),
                            "{lang:?} {interface:?}: the descriptor names the project"
                        );
                        assert!(
                            !text.contains(&format!("\"{}\"", example.name)),
                            "{lang:?} {interface:?}: {} is left in",
                            example.name
                        );
                    }
                    None => assert!(text.contains("\"my-plugin\""), "{lang:?} {interface:?}"),
                }
            }
        }
        // Every example of the repository is a project source.
        assert_eq!(from_examples, 10);
    }

    #[test]
    fn zig_projects_given_an_installed_sdk_depend_on_its_zig_package() {
        let prefix = std::env::temp_dir().join(format!("tenon-new-unit-{}", std::process::id()));
        let package = prefix.join(INSTALLED_SDK_ZIG);
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(package.join("build.zig"), "").unwrap();
        for interface in INTERFACES {
            let project = project("my-zig", Lang::Zig, interface, Some(&prefix));
            let file = |path: &str| {
                project
                    .files
                    .iter()
                    .find(|file| file.path == path)
                    .unwrap_or_else(|| panic!("{interface:?}: no {path}"))
                    .text
                    .clone()
            };
            assert!(!project.files.iter().any(|f| f.path.starts_with("sdk-zig")));
            let manifest = file("build.zig.zon");
            assert!(
                manifest.contains(&format!(
                    ".tenon = .{{ .path = \"{}\" }}",
                    package.display()
                )),
                "{manifest}"
            );
            assert!(!manifest.contains("\"sdk-zig\""), "{manifest}");
            for path in ["README.md", "build.zig"] {
                assert!(!file(path).contains("sdk-zig/"), "{path}: {}", file(path));
            }
            assert!(file("include/tenon/plugin.h").contains("tenon_plugin_v1"));
        }
        // A source tree (no share/tenon/sdk-zig) keeps the copy.
        let tree = project(
            "my-zig",
            Lang::Zig,
            InterfaceChoice::Kv,
            Some(Path::new("/s")),
        );
        assert!(tree.files.iter().any(|f| f.path == "sdk-zig/build.zig"));
        std::fs::remove_dir_all(&prefix).unwrap();
    }

    #[test]
    fn zig_projects_build_with_the_zig_sdk_they_carry() {
        for interface in INTERFACES {
            let project = project("my-zig", Lang::Zig, interface, None);
            let file = |path: &str| {
                project
                    .files
                    .iter()
                    .find(|file| file.path == path)
                    .unwrap_or_else(|| panic!("{interface:?}: no {path}"))
                    .text
                    .as_str()
            };
            assert_eq!(file("sdk-zig/tenon.zig"), SDK_ZIG[2].1);
            assert!(file("build.zig.zon").contains(".tenon = .{ .path = \"sdk-zig\" }"));
            assert!(file("build.zig").contains("tenon.addPlugin(b,"));
            assert!(source(&project).contains("@import(\"tenon\")"));
            assert!(file("include/tenon/sdk.h").contains("TENON_SDK_H"));
        }
    }

    #[test]
    fn zig_fingerprints_carry_the_crc_of_the_name() {
        // As in examples-zig/greeter/build.zig.zon, whose fingerprint zig
        // accepted: 0xc602df91491e2c for the name greeter_zig.
        assert_eq!(crc32(b"greeter_zig"), 0x00c6_02df);
        let fingerprint = zig_fingerprint("greeter_zig");
        let value = u64::from_str_radix(fingerprint.trim_start_matches("0x"), 16).unwrap();
        assert_eq!(value >> 32, 0x00c6_02df);
        assert!(!matches!(value & 0xffff_ffff, 0 | 0xffff_ffff));
        assert_eq!(zig_package_name("short"), "short");
        assert_eq!(zig_package_name(&"a".repeat(33)), "tenon_plugin");
    }
}
