//! The plugin source of a `tenon new --interface path/to/header.h` project:
//! a stub for every method of the interface the header declares, read with
//! `tenon_bindgen::model` (C functions for C, a class's member functions for
//! C++, C-ABI functions for Zig, a trait implementation for Rust). Each stub succeeds without writing a result (an
//! empty buffer, or zero), so the project passes `tenon check` as generated
//! and the author fills the bodies in.

use std::path::Path;

use tenon_bindgen::declaration::{arg_type, result_type, trait_name_of};
use tenon_bindgen::{included_headers, InterfaceBindings, InterfaceModel, MethodModel, ValueKind};

use crate::new::{
    c_library, library_file, toml_string, zig_fingerprint, zig_package_name, File, Project,
    Template, CPP_FILES, C_FILES, PLUGIN_H, PLUGIN_HPP, RUST_FILES, SDK_H, SDK_ZIG, STATE_H,
    ZIG_FILES,
};
use crate::Lang;

/// Why no project was made from a header.
#[derive(Debug)]
pub struct Refused {
    /// What is wrong, for the user.
    pub message: String,
    /// A tool the project needs to be written is missing (libclang or
    /// rustfmt, for a Rust project's bindings): exit status 3, as from
    /// `tenon bindgen`, rather than 2, since nothing in the command line is
    /// wrong.
    pub tool_missing: bool,
}

impl From<String> for Refused {
    fn from(message: String) -> Refused {
        Refused {
            message,
            tool_missing: false,
        }
    }
}

/// A project called `name`, in `lang`, implementing the interface `header`
/// declares, and that interface.
pub fn project(
    name: &str,
    lang: Lang,
    header: &Path,
    sdk: Option<&Path>,
) -> Result<(Project, InterfaceModel), Refused> {
    // One walk of the included headers, for the model's macros and for the
    // copies; the model's error, if any, is still the one reported first.
    let includes = included_headers(header, &[]);
    let model = InterfaceModel::from_header_and_includes(header, includes.as_ref())
        .map_err(|e| e.to_string())?;
    let header_text = std::fs::read_to_string(header)
        .map_err(|e| format!("cannot read {}: {e}", header.display()))?;
    let header_name = header
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} is not a file", header.display()))?;
    let includes = includes.map_err(|e| e.to_string())?;
    let ident = name.replace('-', "_");
    let mut note = None;
    let mut files = Vec::new();
    let (templates, build, library): (&[Template], Vec<&'static str>, String) = match lang {
        Lang::C => (&C_FILES[..1], vec!["make"], c_library(name)),
        Lang::Cpp => (
            &[CPP_FILES[0], CPP_FILES[1]],
            vec!["cmake -S . -B build", "cmake --build build"],
            format!("build/{}", library_file(name)),
        ),
        Lang::Rust => (
            &RUST_FILES[..1],
            vec!["cargo build"],
            format!("target/debug/{}", library_file(&ident)),
        ),
        Lang::Zig => (
            &ZIG_FILES[..2],
            vec!["zig build"],
            if cfg!(target_os = "windows") {
                format!("zig-out/bin/{ident}.dll")
            } else {
                format!("zig-out/lib/{}", library_file(&ident))
            },
        ),
    };
    let dependencies = match sdk {
        Some(sdk) => format!(
            "tenon-plugin = {{ path = {} }}\ntenon-interface = {{ path = {} }}",
            toml_string(&sdk.join("sdk-rust/tenon-plugin")),
            toml_string(&sdk.join("sdk-rust/tenon-interface")),
        ),
        None => {
            note = Some(
                "note: no Tenon SDK tree was found (--sdk, TENON_SDK_DIR), so Cargo.toml \
                 names crates.io versions of tenon-plugin and tenon-interface."
                    .to_owned(),
            );
            "tenon-plugin = \"0.1\"\ntenon-interface = \"0.1\"".to_owned()
        }
    };
    let values = [
        ("name", name.to_owned()),
        ("ident", ident.clone()),
        ("library_path", library.clone()),
        ("dependencies", dependencies),
        ("zig_package", zig_package_name(&ident).to_owned()),
        ("zig_fingerprint", zig_fingerprint(zig_package_name(&ident))),
        // `make check` also calls the header's methods.
        (
            "check_args",
            format!(" --interface {}", header_copy(lang, &header_name)),
        ),
    ];
    for (path, text) in templates {
        let text = values
            .iter()
            .fold((*text).to_owned(), |text, (key, value)| {
                text.replace(&format!("{{{{{key}}}}}"), value)
            });
        files.push(File {
            path: (*path).to_owned(),
            text,
        });
    }
    let gitignore = match lang {
        Lang::Rust => "/target\n",
        Lang::Zig => "zig-out/\n.zig-cache/\n",
        _ => "/build\n",
    };
    files.push(File {
        path: ".gitignore".to_owned(),
        text: gitignore.to_owned(),
    });
    let header_dir = match lang {
        Lang::Rust => "interface",
        _ => "include",
    };
    let mut copied = Vec::new();
    for include in &includes.headers {
        let text = std::fs::read_to_string(&include.source)
            .map_err(|e| format!("cannot read {}: {e}", include.source.display()))?;
        let path = format!("{header_dir}/{}", include.copy);
        files.push(File {
            path: path.clone(),
            text,
        });
        copied.push(path);
    }
    let mut readme = readme(
        name,
        lang,
        &model,
        &header_name,
        &build,
        &library,
        !copied.is_empty(),
    );
    if !copied.is_empty() {
        readme.push_str(&format!(
            "\n`tenon new` also copied the headers of the application that `{header_name}` \
             includes, where its `#include`s find them: {}. Copy them over again with it \
             when the application's headers change.\n",
            copied
                .iter()
                .map(|path| format!("`{path}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    files.push(File {
        path: "README.md".to_owned(),
        text: readme,
    });
    match lang {
        Lang::C | Lang::Cpp => {
            let (main, source) = if lang == Lang::C {
                ("src/plugin.c", c_source(name, &model, &header_name))
            } else {
                ("src/plugin.cpp", cpp_source(name, &model, &header_name))
            };
            files.push(File {
                path: main.to_owned(),
                text: source,
            });
            let mut headers = vec![PLUGIN_H, STATE_H, SDK_H];
            if lang == Lang::Cpp {
                headers.push(PLUGIN_HPP);
            }
            for (path, text) in headers {
                files.push(File {
                    path: path.to_owned(),
                    text: text.to_owned(),
                });
            }
            files.push(File {
                path: format!("include/{header_name}"),
                text: header_text,
            });
        }
        Lang::Rust => {
            let mut bindings = InterfaceBindings::new(header);
            if let Some(parent) = header.parent().filter(|p| !p.as_os_str().is_empty()) {
                bindings = bindings.include_dir(parent);
            }
            for root in &includes.roots {
                bindings = bindings.include_dir(root);
            }
            let interface = bindings.generate().map_err(|e| Refused {
                message: format!(
                    "cannot generate the Rust bindings of {}: {e}",
                    header.display()
                ),
                tool_missing: e.is_toolchain_missing(),
            })?;
            files.push(File {
                path: "src/interface.rs".to_owned(),
                text: interface,
            });
            files.push(File {
                path: "src/lib.rs".to_owned(),
                text: rust_source(name, &model),
            });
            files.push(File {
                path: format!("interface/{header_name}"),
                text: header_text,
            });
        }
        Lang::Zig => {
            files.push(File {
                path: "src/plugin.zig".to_owned(),
                text: zig_source(name, &model),
            });
            files.push(File {
                path: "src/tenon.h".to_owned(),
                text: format!(
                    "/* The C declarations the plugin uses, translated to Zig by the SDK's \
                     build\n * (sdk-zig, addPlugin) and imported as @import(\"c\"). */\n\
                     #include <tenon/plugin.h>\n#include <tenon/sdk.h>\n#include <{header_name}>\n"
                ),
            });
            for (path, text) in SDK_ZIG.iter().copied().chain([PLUGIN_H, STATE_H, SDK_H]) {
                files.push(File {
                    path: path.to_owned(),
                    text: text.to_owned(),
                });
            }
            files.push(File {
                path: format!("include/{header_name}"),
                text: header_text,
            });
        }
    }
    if lang == Lang::Zig {
        crate::new::use_installed_zig_package(&mut files, sdk);
    }
    Ok((
        Project {
            files,
            interface_header: Some(header_copy(lang, &header_name)),
            copied_headers: copied,
            library,
            build,
            note,
        },
        model,
    ))
}

/// Where a project keeps its copy of the interface's header `header`.
fn header_copy(lang: Lang, header: &str) -> String {
    match lang {
        Lang::Rust => format!("interface/{header}"),
        _ => format!("include/{header}"),
    }
}

/// The README of a project made from a header: only commands that exist.
fn readme(
    name: &str,
    lang: Lang,
    model: &InterfaceModel,
    header: &str,
    build: &[&str],
    library: &str,
    copied_includes: bool,
) -> String {
    let mut text = format!(
        "# {name}\n\nA Tenon plugin written in {}: it implements `{}` {}, the \
         interface declared in `{header}`.\n\n```sh\n",
        lang.describe(),
        model.id,
        implemented(model)
    );
    for command in build {
        text.push_str(command);
        text.push('\n');
    }
    let header_path = header_copy(lang, header);
    text.push_str(&format!(
        "tenon check {library}\ntenon check --interface {header_path} {library}\n```\n\n\
         The second check also calls every method of the interface with edge-case \
         arguments.\n\n"
    ));
    if lang == Lang::Zig {
        text.push_str(
            "With Zig from `pip install ziglang`, which installs no `zig` command, build with \
             `python3 -m ziglang build`.\n\n",
        );
    }
    match lang {
        Lang::C | Lang::Cpp => text.push_str(&format!(
            "{source}\
             When the application's header changes, copy it over \
             `include/{header}`; a method the plugin lacks is then a compile error \
             ({positional}).\n\n\
             To build against an installed Tenon SDK instead of the copies, delete \
             `include/tenon/`: {found}\n",
            source = if lang == Lang::C {
                format!(
                    "`src/plugin.c` is the plugin: one stub per method of the interface, each \
                     succeeding with an empty result, in the vtable the descriptor offers. \
                     `include/` holds the headers it is built against: the contract \
                     `tenon/plugin.h`, the C helpers `tenon/sdk.h` and a copy of `{header}` \
                     taken when `tenon new` ran. "
                )
            } else {
                format!(
                    "`src/plugin.cpp` is the plugin: a class with one member function per \
                     method of the interface, each succeeding with an empty result, which \
                     `tenon::vtable` (from `tenon/plugin.hpp`) makes into the vtable the \
                     descriptor offers: arguments arrive as `std::string_view`, \
                     `tenon::bytes_view` or the C scalar, the returned value is the result, \
                     and an exception is the call's error. `include/` holds the headers it is \
                     built against: the contract `tenon/plugin.h`, `tenon/sdk.h`, \
                     `tenon/plugin.hpp` and a copy of `{header}` taken when `tenon new` ran. "
                )
            },
            positional = if lang == Lang::C {
                "`TENON_VTABLE` fills the vtable positionally"
            } else {
                "`tenon::vtable` must list every slot, in order"
            },
            found = if lang == Lang::C {
                "the Makefile then takes the SDK's flags from `pkg-config --cflags tenon` \
                 (for an SDK installed under PREFIX, run \
                 `PKG_CONFIG_PATH=PREFIX/share/pkgconfig make`)."
            } else {
                "`CMakeLists.txt` then calls `find_package(Tenon CONFIG REQUIRED)` and \
                 links `Tenon::plugin` (for an SDK installed under PREFIX, configure with \
                 `cmake -S . -B build -DCMAKE_PREFIX_PATH=PREFIX`)."
            }
        )),
        Lang::Rust => {
            let trait_name = rust_trait_name(model);
            // The copied headers are found by `<acme/common.h>` only with
            // `interface/` on the include path.
            let include = if copied_includes { " -I interface" } else { "" };
            text.push_str(&format!(
                "`src/lib.rs` is the plugin: a type that implements `tenon_plugin::Plugin` \
                 and the interface's trait `{trait_name}`, exported with \
                 `tenon_plugin::export!`. `src/interface.rs` declares that trait on top of \
                 the bindgen mirror of the C header; it was generated from \
                 `interface/{header}` (a copy of the application's header) and is \
                 regenerated, or checked for drift, with\n\n```sh\n\
                 tenon bindgen interface/{header} -o src/interface.rs{include}\n\
                 tenon bindgen interface/{header} -o src/interface.rs --check{include}\n```\n"
            ));
        }
        Lang::Zig => text.push_str(&format!(
            "`src/plugin.zig` is the plugin: one C-ABI function per method of the \
             interface, each succeeding with an empty result, and the descriptor \
             (`tenon.exportPlugin`). It is built by the Zig SDK in `sdk-zig/` (`addPlugin` \
             in `build.zig`); its C declarations come from `include/` through \
             `src/tenon.h`, including a copy of `{header}` taken when `tenon new` ran.\n"
        )),
    }
    text.push_str(
        "\nWriting your own interface, and what the header may contain: \
         `docs/guide-your-interface.md` in the Tenon repository.\n",
    );
    text
}

/// The C type of an argument of this kind.
fn c_arg_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Utf8 => "tenon_str",
        ValueKind::Bytes => "tenon_bytes",
        other => c_scalar_type(other),
    }
}

/// The C type a result of this kind is written through.
fn c_result_type(kind: ValueKind) -> String {
    match kind {
        ValueKind::Utf8 | ValueKind::Bytes => "tenon_buffer *".to_owned(),
        other => format!("{} *", c_scalar_type(other)),
    }
}

fn c_scalar_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::U8 => "uint8_t",
        ValueKind::U16 => "uint16_t",
        ValueKind::U32 => "uint32_t",
        ValueKind::U64 => "uint64_t",
        ValueKind::I8 => "int8_t",
        ValueKind::I16 => "int16_t",
        ValueKind::I32 => "int32_t",
        ValueKind::I64 => "int64_t",
        ValueKind::F32 => "float",
        ValueKind::F64 => "double",
        ValueKind::Bool => "bool",
        // A kind added to ValueKind later is refused by the model reader
        // before it gets here.
        _ => "void",
    }
}

/// An identifier of the plugin's own, for C: `my-plugin` → `my_plugin`.
fn c_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// The name a parameter gets in the stub: the header's, unless it would
/// clash with the stub's own `instance` and `error`.
fn param_name(name: &str) -> String {
    match name {
        "instance" | "error" => format!("{name}_arg"),
        other => other.to_owned(),
    }
}

/// One C stub: `static tenon_status prefix_method(void *instance, ...)`.
fn c_stub(prefix: &str, method: &MethodModel) -> String {
    let mut params = vec!["void *instance".to_owned()];
    let mut unused = vec!["instance".to_owned()];
    for arg in &method.args {
        let name = param_name(&arg.name);
        params.push(format!("{} {name}", c_arg_type(arg.kind)));
        unused.push(name);
    }
    let mut body = String::new();
    if let Some(result) = &method.result {
        let name = param_name(&result.name);
        params.push(format!("{}{name}", c_result_type(result.kind)));
        match result.kind {
            ValueKind::Utf8 | ValueKind::Bytes => {
                let what = if result.kind == ValueKind::Utf8 {
                    "UTF-8 text"
                } else {
                    "bytes"
                };
                body.push_str(&format!(
                    "    /* Append the result ({what}) to {name} with tenon_buffer_append. */\n"
                ));
                unused.push(name);
            }
            ValueKind::Bool => body.push_str(&format!("    *{name} = false;\n")),
            _ => body.push_str(&format!("    *{name} = 0;\n")),
        }
    }
    params.push("tenon_buffer *error".to_owned());
    unused.push("error".to_owned());
    let mut text = String::new();
    let doc = method.doc_without_tags();
    if !doc.is_empty() {
        text.push_str("/* ");
        text.push_str(&doc.replace("*/", "* /").replace('\n', "\n * "));
        text.push_str(" */\n");
    }
    text.push_str(&format!(
        "static tenon_status {prefix}_{}({}) {{\n",
        method.name,
        params.join(", ")
    ));
    for name in unused {
        text.push_str(&format!("    TENON_UNUSED({name});\n"));
    }
    text.push_str("    /* TODO: implement. */\n");
    text.push_str(&body);
    text.push_str("    return TENON_OK;\n}\n\n");
    text
}

/// What of an interface the generated stubs implement: its version and
/// the latest revision its methods reach (`version 1, revision 2`). Every
/// method the header declares gets a stub, so the plugin provides that
/// revision's whole vtable; a version alone would read as if it stopped at
/// the methods the interface started with.
pub fn implemented(model: &InterfaceModel) -> String {
    version_and_revision(model.version, model.revision())
}

/// How the banner, README and sources of a project name what its stubs
/// implement (`version 1, revision 2`).
pub fn version_and_revision(version: u32, revision: u32) -> String {
    format!("version {version}, revision {revision}")
}

/// The C (or C++: the same code compiles as both) source of a plugin called
/// `name` implementing `model`, which `#include`s `header`.
pub fn c_source(name: &str, model: &InterfaceModel, header: &str) -> String {
    let prefix = c_ident(name);
    let mut text = format!(
        "/*\n * {name}: a Tenon plugin implementing {} {}.\n *\n \
         * Generated by `tenon new` from {header}: one stub per method, each\n \
         * succeeding with an empty result. Fill them in; the host calls them\n \
         * with the instance create returned.\n */\n\
         #include <tenon/sdk.h>\n#include <{header}>\n\n",
        model.id,
        implemented(model)
    );
    text.push_str(&format!(
        "/* The instance every create hands out: the stubs keep no state. Give\n \
         * each instance its own state by allocating it in create and freeing it\n \
         * in destroy. The plugin says it is thread-safe (TENON_PLUGIN_THREAD_SAFE,\n \
         * below): methods may run at once on one instance, so guard any state\n \
         * they change, or drop the flag. */\nstatic char {prefix}_instance;\n\n"
    ));
    for method in &model.methods {
        text.push_str(&c_stub(&prefix, method));
    }
    text.push_str(&format!(
        "static tenon_status {prefix}_create(const tenon_host *host, tenon_str config,\n    \
         void **out_instance, tenon_buffer *error) {{\n    \
         TENON_UNUSED(host);\n    TENON_UNUSED(config);\n    \
         if (out_instance == NULL) {{\n        \
         return tenon_fail(error, TENON_INVALID_ARGUMENT, \"create: out_instance is NULL\");\n    \
         }}\n    *out_instance = &{prefix}_instance;\n    return TENON_OK;\n}}\n\n\
         static void {prefix}_destroy(void *instance) {{\n    TENON_UNUSED(instance);\n}}\n\n"
    ));
    let methods: Vec<String> = model
        .methods
        .iter()
        .map(|m| format!("{prefix}_{}", m.name))
        .collect();
    text.push_str(&format!(
        "static const {vtable} {prefix}_vtable =\n    TENON_VTABLE({vtable}, {});\n\n",
        methods.join(", "),
        vtable = model.vtable,
    ));
    text.push_str(&format!(
        "TENON_PLUGIN(\"{name}\", \"0.1.0\", \"{name}: implements {id}\", TENON_PLUGIN_THREAD_SAFE,\n             \
         {prefix}_create, {prefix}_destroy,\n             \
         TENON_INTERFACE_ENTRY({id_macro}, {version_macro}, &{prefix}_vtable));\n",
        id = model.id,
        id_macro = model.id_macro,
        version_macro = model.version_macro,
    ));
    text
}

/// The C++ parameter type `tenon::vtable` turns a C argument of this kind
/// into (docs/guide-cpp.md, "Methods: from C slots to member functions").
fn cpp_arg_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Utf8 => "std::string_view",
        ValueKind::Bytes => "tenon::bytes_view",
        other => c_scalar_type(other),
    }
}

/// The C++ return type `tenon::vtable` writes into a result of this kind,
/// and the empty value the stub returns.
fn cpp_result(kind: ValueKind) -> (&'static str, &'static str) {
    match kind {
        ValueKind::Utf8 => ("std::string", "{}"),
        ValueKind::Bytes => ("std::vector<std::uint8_t>", "{}"),
        ValueKind::Bool => ("bool", "false"),
        other => (c_scalar_type(other), "0"),
    }
}

/// A C++ class name of the plugin's own: `my-plugin` → `MyPlugin`.
fn cpp_class(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The comment of a C++ stub: the header's comment, which describes the C
/// slot, with its C result and status phrasing put as the member function
/// meets it, then what the function returns. The header says "Appends the
/// name to out" or "Stores the count in *count", while the member function
/// returns the name or the count and `tenon::vtable` writes it; it says
/// "returns TENON_NOT_FOUND", while the member function throws.
fn cpp_doc(method: &MethodModel) -> String {
    let doc = method.doc_without_tags();
    let mut paragraphs: Vec<String> = doc
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let joined = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut rewritten = throws_for_statuses(&joined);
            if let Some(result) = &method.result {
                rewritten = returns_for_result(&rewritten, &result.name);
            }
            if rewritten == joined {
                // Untouched, so its lines (a list, say) stay as written.
                paragraph.to_owned()
            } else {
                wrap(&rewritten, 72)
            }
        })
        .collect();
    if let Some(result) = &method.result {
        let (ty, _) = cpp_result(result.kind);
        let written = match result.kind {
            ValueKind::Utf8 | ValueKind::Bytes => {
                format!("appends the returned {ty} to `{}`", result.name)
            }
            _ => format!("stores the returned {ty} in `*{}`", result.name),
        };
        paragraphs.push(wrap(
            &format!("tenon::vtable {written}, the C slot's result."),
            72,
        ));
    }
    paragraphs.join("\n\n")
}

/// `text` with each "Appends X to NAME", "Writes X to NAME" or "Stores X
/// in *NAME" (either case; "into"; NAME in backquotes) that names the C
/// result `name` put as "Returns X".
fn returns_for_result(text: &str, name: &str) -> String {
    const PHRASES: &[(&str, &[&str])] = &[
        ("Appends ", &["to", "into"]),
        ("Writes ", &["to", "into"]),
        ("Stores ", &["in", "into"]),
    ];
    let targets = [
        name.to_owned(),
        format!("*{name}"),
        format!("`{name}`"),
        format!("`*{name}`"),
    ];
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = text.to_owned();
    for (verb, prepositions) in PHRASES {
        for verb in [verb.to_string(), verb.to_lowercase()] {
            let mut from = 0;
            while let Some(start) = out[from..].find(&verb).map(|at| from + at) {
                from = start + verb.len();
                if out[..start].chars().next_back().is_some_and(word_char) {
                    continue;
                }
                // The verb's object runs to the result's name, within the
                // sentence.
                let clause_end = out[from..]
                    .find(['.', ';', ':'])
                    .map_or(out.len(), |at| from + at);
                let clause = &out[from..clause_end];
                let found = prepositions
                    .iter()
                    .flat_map(|preposition| {
                        targets
                            .iter()
                            .map(move |target| format!(" {preposition} {target}"))
                    })
                    .filter_map(|tail| {
                        let at = clause.find(&tail)?;
                        let after = clause[at + tail.len()..].chars().next();
                        (!after.is_some_and(word_char)).then_some((at, tail.len()))
                    })
                    .min();
                let Some((at, len)) = found else {
                    continue;
                };
                let returns = if verb.starts_with(char::is_uppercase) {
                    "Returns "
                } else {
                    "returns "
                };
                let object = clause[..at].to_owned();
                out = format!(
                    "{}{returns}{object}{}",
                    &out[..start],
                    &out[from + at + len..]
                );
                from = start + returns.len() + object.len();
            }
        }
    }
    out
}

/// `text` with "returns TENON_NOT_FOUND" (or another status) put as what a
/// C++ method does instead: throws the `tenon::error` of that status.
fn throws_for_statuses(text: &str) -> String {
    const NAMED: &[(&str, &str)] = &[
        ("TENON_NOT_FOUND", "tenon::error::not_found"),
        ("TENON_INVALID_ARGUMENT", "tenon::error::invalid_argument"),
        ("TENON_UNSUPPORTED", "tenon::error::unsupported"),
        ("TENON_ERROR", "tenon::error::failed"),
    ];
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("eturns TENON_") {
        let start = at.saturating_sub(1);
        let initial = rest.as_bytes().get(start).copied();
        let word_start = start == 0
            || !rest[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let code_start = at + "eturns ".len();
        let code_len = rest[code_start..]
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len() - code_start);
        let code = &rest[code_start..code_start + code_len];
        if at == 0 || !matches!(initial, Some(b'R' | b'r')) || !word_start || code == "TENON_OK" {
            out.push_str(&rest[..code_start]);
            rest = &rest[code_start..];
            continue;
        }
        let throws = if initial == Some(b'R') {
            "Throws"
        } else {
            "throws"
        };
        let error = NAMED.iter().find(|(name, _)| *name == code).map_or_else(
            || format!("tenon::error({code}, ...)"),
            |(_, e)| (*e).to_owned(),
        );
        out.push_str(&rest[..start]);
        out.push_str(&format!("{throws} {error}"));
        rest = &rest[code_start + code_len..];
    }
    out.push_str(rest);
    out
}

/// `text` broken into lines of at most `width` characters, between words.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.join("\n")
}

/// `line` of a stub's comment as a C++ `//` line. A backslash at its end is
/// dropped: the compiler would join the next line, the member function's
/// signature, to the comment.
fn cpp_comment_line(line: &str) -> String {
    format!("    // {line}")
        .trim_end()
        .trim_end_matches('\\')
        .trim_end()
        .to_owned()
}

/// One member function of the C++ stub class.
fn cpp_stub(method: &MethodModel) -> String {
    let params: Vec<String> = method
        .args
        .iter()
        .map(|arg| format!("[[maybe_unused]] {} {}", cpp_arg_type(arg.kind), arg.name))
        .collect();
    let (result, empty) = match &method.result {
        Some(result) => {
            let (ty, empty) = cpp_result(result.kind);
            (ty, Some(empty))
        }
        None => ("void", None),
    };
    let mut text = String::new();
    for line in cpp_doc(method).lines() {
        text.push_str(&cpp_comment_line(line));
        text.push('\n');
    }
    let one_line = format!(
        "    {result} {}({}) const {{",
        method.name,
        params.join(", ")
    );
    if one_line.len() <= 100 {
        text.push_str(&one_line);
    } else {
        text.push_str(&format!(
            "    {result} {}(\n        {}) const {{",
            method.name,
            params.join(",\n        ")
        ));
    }
    text.push_str("\n        // TODO: implement.\n");
    if let Some(empty) = empty {
        text.push_str(&format!("        return {empty};\n"));
    }
    text.push_str("    }\n");
    text
}

/// The C++ source of a plugin called `name` implementing `model`, which
/// `#include`s `header`: a class with a member function per method, made
/// into the vtable by `tenon/plugin.hpp`'s `tenon::vtable`.
pub fn cpp_source(name: &str, model: &InterfaceModel, header: &str) -> String {
    let class = cpp_class(name);
    let prefix = c_ident(name);
    let mut text = format!(
        "/*\n * {name}: a Tenon plugin implementing {} {}.\n *\n \
         * Generated by `tenon new` from {header}: a class with one member function\n \
         * per method of the interface, each succeeding with an empty result. Fill\n \
         * them in. tenon::vtable makes the C vtable from them: each C argument\n \
         * arrives as a C++ value, the returned value is written into the host's\n \
         * result, and a thrown tenon::error (or any exception) becomes the call's\n \
         * error (docs/guide-cpp.md in the Tenon repository).\n */\n\
         #include <tenon/plugin.hpp>\n#include <{header}>\n\n\
         #include <cstdint>\n#include <string>\n#include <string_view>\n#include <vector>\n\n\
         namespace {{\n\n",
        model.id,
        implemented(model)
    );
    text.push_str(&format!(
        "// One object per instance: `new {class}` in create, deleted in destroy. A\n\
         // constructor may take tenon::host and the instance's config\n\
         // (std::string_view), and throw to refuse the instance. The plugin says it\n\
         // is thread-safe (TENON_PLUGIN_THREAD_SAFE): guard any state you add.\n\
         class {class} {{\npublic:\n"
    ));
    let stubs: Vec<String> = model.methods.iter().map(cpp_stub).collect();
    text.push_str(&stubs.join("\n"));
    text.push_str("};\n\n");
    let methods: Vec<String> = model
        .methods
        .iter()
        .map(|m| format!("&{class}::{}", m.name))
        .collect();
    let separator = if methods.iter().map(|m| m.len() + 2).sum::<usize>() > 70 {
        ",\n                  "
    } else {
        ", "
    };
    text.push_str(&format!(
        "constexpr {vtable} {prefix}_vtable =\n    tenon::vtable<{vtable}, {}>;\n\n\
         }} // namespace\n\n",
        methods.join(separator),
        vtable = model.vtable,
    ));
    text.push_str(&format!(
        "TENON_CPP_PLUGIN({class}, \"{name}\", \"0.1.0\", \"{name}: implements {id}\",\n                 \
         TENON_PLUGIN_THREAD_SAFE,\n                 \
         TENON_INTERFACE_ENTRY({id_macro}, {version_macro}, &{prefix}_vtable));\n",
        id = model.id,
        id_macro = model.id_macro,
        version_macro = model.version_macro,
    ));
    text
}

/// The Zig type of an argument of this kind (as translate-c names it).
fn zig_arg_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Utf8 => "c.tenon_str",
        ValueKind::Bytes => "c.tenon_bytes",
        other => zig_scalar_type(other),
    }
}

fn zig_scalar_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::U8 => "u8",
        ValueKind::U16 => "u16",
        ValueKind::U32 => "u32",
        ValueKind::U64 => "u64",
        ValueKind::I8 => "i8",
        ValueKind::I16 => "i16",
        ValueKind::I32 => "i32",
        ValueKind::I64 => "i64",
        ValueKind::F32 => "f32",
        ValueKind::F64 => "f64",
        ValueKind::Bool => "bool",
        _ => "void",
    }
}

/// The Zig `src/plugin.zig` of a plugin called `name` implementing `model`.
pub fn zig_source(name: &str, model: &InterfaceModel) -> String {
    let prefix = c_ident(name);
    let mut text = format!(
        "//! {name}: a Tenon plugin implementing {} {}.\n//!\n\
         //! Generated by `tenon new`: one stub per method, each succeeding with an\n\
         //! empty result. Fill them in.\nconst c = @import(\"c\");\n\
         const tenon = @import(\"tenon\");\n\n",
        model.id,
        implemented(model)
    );
    for method in &model.methods {
        let mut params = vec!["    instance: ?*anyopaque,".to_owned()];
        let mut unused = vec!["instance".to_owned()];
        for arg in &method.args {
            let name = zig_ident(&arg.name);
            params.push(format!("    {name}: {},", zig_arg_type(arg.kind)));
            unused.push(name);
        }
        let mut body = String::new();
        if let Some(result) = &method.result {
            let name = zig_ident(&result.name);
            match result.kind {
                ValueKind::Utf8 | ValueKind::Bytes => {
                    params.push(format!("    {name}: [*c]c.tenon_buffer,"));
                    body.push_str(&format!(
                        "    // Append the result to {name} with tenon.append.\n"
                    ));
                    unused.push(name);
                }
                other => {
                    params.push(format!("    {name}: [*c]{},", zig_scalar_type(other)));
                    let zero = match other {
                        ValueKind::Bool => "false",
                        _ => "0",
                    };
                    body.push_str(&format!("    if ({name} != null) {name}.* = {zero};\n"));
                }
            }
        }
        params.push("    @\"error\": [*c]c.tenon_buffer,".to_owned());
        unused.push("@\"error\"".to_owned());
        let doc = method.doc_without_tags();
        for line in doc.lines() {
            text.push_str(&format!("/// {line}\n").replace("///  ", "/// "));
        }
        // Prefixed, so that no parameter (`count` of `count`) shadows it.
        text.push_str(&format!(
            "fn {prefix}_{}(\n{}\n) callconv(.c) c.tenon_status {{\n",
            method.name,
            params.join("\n")
        ));
        for name in unused {
            text.push_str(&format!("    _ = {name};\n"));
        }
        text.push_str("    // TODO: implement.\n");
        text.push_str(&body);
        text.push_str("    return c.TENON_OK;\n}\n\n");
    }
    let methods: Vec<String> = model
        .methods
        .iter()
        .map(|m| format!("                .{} = {prefix}_{},", m.name, m.name))
        .collect();
    text.push_str(&format!(
        "// A panic aborts the process. The SDK's handler writes the panic's message\n\
         // last, so a host that runs this plugin isolated names it in the crash.\n\
         pub const panic = tenon.panic;\n\ncomptime {{\n    tenon.exportPlugin(.{{\n        .name = \"{name}\",\n        \
         .version = \"0.1.0\",\n        .description = \"{name}: implements {id}\",\n        \
         // Thread-safe: methods may run at once on one instance, so guard any\n        \
         // state they change, or drop the flag.\n        \
         .flags = c.TENON_PLUGIN_THREAD_SAFE,\n        .interfaces = &.{{\n            \
         tenon.interface(c.{id_macro}, c.{version_macro}, c.{vtable}, .{{\n{}\n            \
         }}),\n        }},\n    }});\n}}\n",
        methods.join("\n"),
        id = model.id,
        id_macro = model.id_macro,
        version_macro = model.version_macro,
        vtable = model.vtable,
    ));
    text
}

/// A C name as a Zig identifier: Zig keywords are quoted (`@"error"`).
fn zig_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "error",
        "type",
        "fn",
        "const",
        "var",
        "return",
        "test",
        "struct",
        "enum",
        "union",
        "and",
        "or",
        "if",
        "else",
        "while",
        "for",
        "switch",
        "defer",
        "try",
        "catch",
        "async",
        "await",
        "resume",
        "suspend",
        "comptime",
        "inline",
        "export",
        "extern",
        "pub",
        "align",
        "anytype",
        "break",
        "continue",
        "opaque",
        "orelse",
        "packed",
        "threadlocal",
        "unreachable",
        "volatile",
        "allowzero",
        "callconv",
        "noalias",
        "nosuspend",
        "linksection",
        "errdefer",
        "asm",
        "addrspace",
        "noinline",
        "usingnamespace",
        "instance",
        "c",
        "tenon",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_arg")
    } else {
        name.to_owned()
    }
}

/// The trait name the Rust project's declaration uses.
pub fn rust_trait_name(model: &InterfaceModel) -> String {
    trait_name_of(&model.vtable)
}

/// The Rust `src/lib.rs` of a plugin called `name` implementing `model`,
/// whose declaration is in `src/interface.rs`.
pub fn rust_source(name: &str, model: &InterfaceModel) -> String {
    let trait_name = rust_trait_name(model);
    let mut text = format!(
        "//! {name}: a Tenon plugin implementing `{}` {}.\n//!\n\
         //! Generated by `tenon new`: one stub per method, each succeeding with an\n\
         //! empty result. Fill them in.\n\n\
         mod interface;\n\n\
         use interface::{trait_name};\n\
         use tenon_plugin::{{CallResult, Host, Plugin}};\n\n\
         /// One instance of the plugin.\n\
         struct Instance;\n\n\
         impl Plugin for Instance {{\n    \
         fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {{\n        \
         Ok(Instance)\n    }}\n}}\n\n\
         impl {trait_name} for Instance {{\n",
        model.id,
        implemented(model)
    );
    for (index, method) in model.methods.iter().enumerate() {
        if index > 0 {
            text.push('\n');
        }
        let mut signature = format!("    fn {}(&self", method.name);
        for arg in &method.args {
            signature.push_str(&format!(", _{}: {}", arg.name, arg_type(arg.kind)));
        }
        let (ret, value) = match &method.result {
            None => ("()", "()"),
            Some(result) => (
                result_type(result.kind),
                match result.kind {
                    ValueKind::Utf8 => "String::new()",
                    ValueKind::Bytes => "Vec::new()",
                    ValueKind::Bool => "false",
                    ValueKind::F32 | ValueKind::F64 => "0.0",
                    _ => "0",
                },
            ),
        };
        signature.push_str(&format!(") -> CallResult<{ret}> {{\n"));
        text.push_str(&signature);
        text.push_str("        // TODO: implement.\n");
        text.push_str(&format!("        Ok({value})\n    }}\n"));
    }
    text.push_str(&format!(
        "}}\n\ntenon_plugin::export! {{\n    plugin: Instance,\n    name: \"{name}\",\n    \
         version: env!(\"CARGO_PKG_VERSION\"),\n    \
         description: \"{name}: implements {}\",\n    thread_safe: true,\n    \
         interfaces: [dyn {trait_name}],\n}}\n",
        model.id
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"
#define ACME_SHAPES_ID "com.acme.shapes"
#define ACME_SHAPES_VERSION 1u
typedef struct acme_shapes_v1 {
    uint32_t struct_size;
    /* The name. [out: text] */
    tenon_status (*name)(void *instance, tenon_buffer *out, tenon_buffer *error);
    tenon_status (*area)(void *instance, double scale, tenon_str error, bool *ok,
                         tenon_buffer *error);
} acme_shapes_v1;
"#;

    #[test]
    fn c_stubs_follow_the_header() {
        let model = tenon_bindgen::parse_header_text(HEADER).unwrap().remove(0);
        let text = c_source("my-shapes", &model, "acme/shapes.h");
        assert!(text.contains("#include <acme/shapes.h>"), "{text}");
        assert!(text.contains(
            "static tenon_status my_shapes_area(void *instance, double scale, \
             tenon_str error_arg, bool *ok, tenon_buffer *error) {"
        ));
        assert!(text.contains("*ok = false;"));
        assert!(text.contains("TENON_VTABLE(acme_shapes_v1, my_shapes_name, my_shapes_area)"));
        assert!(text.contains("TENON_INTERFACE_ENTRY(ACME_SHAPES_ID, ACME_SHAPES_VERSION"));
    }

    #[test]
    fn cpp_stubs_follow_the_header() {
        let model = tenon_bindgen::parse_header_text(HEADER).unwrap().remove(0);
        let text = cpp_source("my-shapes", &model, "acme/shapes.h");
        assert!(text.contains("#include <acme/shapes.h>"), "{text}");
        assert!(text.contains("class MyShapes {"), "{text}");
        assert!(text.contains("    std::string name() const {"), "{text}");
        assert!(text.contains(
            "    bool area([[maybe_unused]] double scale, [[maybe_unused]] std::string_view error) const {"
        ), "{text}");
        assert!(text.contains("tenon::vtable<acme_shapes_v1, &MyShapes::name, &MyShapes::area>"));
        assert!(
            text.contains("TENON_CPP_PLUGIN(MyShapes, \"my-shapes\""),
            "{text}"
        );
        assert!(text.contains("TENON_INTERFACE_ENTRY(ACME_SHAPES_ID, ACME_SHAPES_VERSION"));
    }

    #[test]
    fn rust_stubs_follow_the_header() {
        let model = tenon_bindgen::parse_header_text(HEADER).unwrap().remove(0);
        let text = rust_source("my-shapes", &model);
        assert!(text.contains("impl AcmeShapes for Instance {"), "{text}");
        assert!(
            text.contains("fn name(&self) -> CallResult<String> {"),
            "{text}"
        );
        assert!(text.contains("fn area(&self, _scale: f64, _error: &str) -> CallResult<bool> {"));
        assert!(text.contains("interfaces: [dyn AcmeShapes],"));
    }

    /// Only phrases that name the method's own result become "Returns":
    /// a word that merely starts with the result's name, another buffer, or
    /// a verb inside a longer word are left as written.
    /// A comment line the header ends with a backslash must not end the
    /// C++ `//` line with one, which would swallow the line after it.
    #[test]
    fn a_cpp_comment_line_never_ends_with_a_backslash() {
        assert_eq!(
            cpp_comment_line(r"Escapes a path like C:\\"),
            "    // Escapes a path like C:"
        );
        assert_eq!(cpp_comment_line(r"a \ b"), r"    // a \ b");
        assert_eq!(cpp_comment_line(""), "    //");
    }

    #[test]
    fn cpp_comments_put_only_the_results_c_phrasing_as_a_return() {
        assert_eq!(
            returns_for_result("Appends the value under key to value, as UTF-8.", "value"),
            "Returns the value under key, as UTF-8."
        );
        assert_eq!(
            returns_for_result("Stores the count in `*count`; never fails.", "count"),
            "Returns the count; never fails."
        );
        assert_eq!(
            returns_for_result("writes the keys in order into out", "out"),
            "returns the keys in order"
        );
        for unchanged in [
            "Appends the name to output.",
            "Appends the name to log. Stores nothing in out_of_band.",
            "Reappends the name to out.",
            "Stores value under key.",
        ] {
            assert_eq!(returns_for_result(unchanged, "out"), unchanged);
        }
        assert_eq!(
            throws_for_statuses("Returns TENON_INVALID_ARGUMENT for an empty key, else TENON_OK."),
            "Throws tenon::error::invalid_argument for an empty key, else TENON_OK."
        );
        assert_eq!(
            throws_for_statuses(
                "or returns TENON_ERROR; never returns TENON_OK; returns ACME_BUSY"
            ),
            "or throws tenon::error::failed; never returns TENON_OK; returns ACME_BUSY"
        );
        assert_eq!(
            throws_for_statuses("or returns TENON_CRASHED"),
            "or throws tenon::error(TENON_CRASHED, ...)"
        );
    }

    /// C and Zig plugins declare themselves thread-safe as generated, which
    /// nothing checks once their author adds state: the source says so
    /// where the state goes (Rust's compiler checks `Sync`; the C++
    /// template says it too).
    #[test]
    fn c_and_zig_stubs_say_what_their_thread_safe_flag_asks_of_added_state() {
        let model = tenon_bindgen::parse_header_text(HEADER).unwrap().remove(0);
        let c = c_source("my-shapes", &model, "acme/shapes.h");
        assert!(c.contains("TENON_PLUGIN_THREAD_SAFE,\n"), "{c}");
        assert!(
            c.contains("so guard any state\n * they change, or drop the flag."),
            "{c}"
        );
        let zig = zig_source("my-shapes", &model);
        assert!(
            zig.contains("state they change, or drop the flag.\n        .flags = c.TENON_PLUGIN_THREAD_SAFE,"),
            "{zig}"
        );
    }
}
