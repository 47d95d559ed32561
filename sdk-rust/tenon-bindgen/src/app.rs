//! Bindings for an application's own interface header: the bindgen mirror
//! of its vtable and constants (and of the types they use from the
//! application's headers it includes: typedefs, structs, enums), made with
//! the settings Tenon uses for its own headers ([`base_builder`]), and the
//! `interface!` declaration
//! generated from the header ([`rust_declaration`]), in one Rust file.
//!
//! From a `build.rs`:
//!
//! ```no_run
//! // build.rs of a crate that declares the interface of include/acme/greeter.h
//! let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
//! tenon_bindgen::InterfaceBindings::new("include/acme/greeter.h")
//!     .include_dir("include")
//!     .text_result("greet")
//!     .write_to(&out.join("greeter.rs"))
//!     .unwrap();
//! println!("cargo::rerun-if-changed=include/acme/greeter.h");
//! // and in src/lib.rs: include!(concat!(env!("OUT_DIR"), "/greeter.rs"));
//! ```
//!
//! or checked in, regenerated with `tenon bindgen` and compared by
//! [`InterfaceBindings::check`] (what `tenon bindgen --check` runs), so
//! that users of the crate need no libclang.

use std::path::{Path, PathBuf};

use bindgen::callbacks::{IntKind, ParseCallbacks};

use crate::declaration::{rust_declaration, DeclarationOptions};
use crate::model::{InterfaceModel, ModelError, ValueKind};
use crate::{base_builder, diff_summary, doc_comment, load_libclang, Error, WriteOutcome};

/// The command that regenerates a checked-in bindings file of an
/// application's header (documented in `docs/guide-your-interface.md`).
pub const APP_REGENERATE_COMMAND: &str = "tenon bindgen";

/// The bindings of one interface header.
#[derive(Debug, Clone)]
pub struct InterfaceBindings {
    header: PathBuf,
    include_dirs: Vec<PathBuf>,
    result_kinds: Vec<(String, ValueKind)>,
    options: DeclarationOptions,
    vtable: Option<String>,
}

impl InterfaceBindings {
    /// The bindings of `header`. The directory holding `tenon/plugin.h` of
    /// the SDK this crate was built from is on the include path; add the
    /// application's own with [`InterfaceBindings::include_dir`].
    pub fn new(header: impl Into<PathBuf>) -> Self {
        let sdk_include = crate::workspace_root().join("include");
        InterfaceBindings {
            header: header.into(),
            include_dirs: vec![sdk_include],
            result_kinds: Vec::new(),
            options: DeclarationOptions::default(),
            vtable: None,
        }
    }

    /// Adds a directory to the include path (`-I`), before the SDK's.
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        let at = self.include_dirs.len() - 1;
        self.include_dirs.insert(at, dir.into());
        self
    }

    /// Declares the `tenon_buffer *` result of `method` as text (`String`),
    /// whatever the header's tag says.
    pub fn text_result(self, method: &str) -> Self {
        self.result_kind(method, ValueKind::Utf8)
    }

    /// Declares the `tenon_buffer *` result of `method` as bytes (`Vec<u8>`).
    pub fn bytes_result(self, method: &str) -> Self {
        self.result_kind(method, ValueKind::Bytes)
    }

    fn result_kind(mut self, method: &str, kind: ValueKind) -> Self {
        self.result_kinds.push((method.to_owned(), kind));
        self
    }

    /// Names the trait (default: from the vtable, see
    /// [`trait_name_of`](crate::declaration::trait_name_of)).
    pub fn trait_name(mut self, name: &str) -> Self {
        self.options.trait_name = Some(name.to_owned());
        self
    }

    /// The path the declaration uses for `tenon-interface`
    /// (default `tenon_interface`).
    pub fn interface_crate(mut self, path: &str) -> Self {
        self.options.interface_crate = path.to_owned();
        self
    }

    /// Picks the vtable of a header that declares several interfaces.
    pub fn vtable(mut self, name: &str) -> Self {
        self.vtable = Some(name.to_owned());
        self
    }

    /// The header's interface, with the result kinds given here applied.
    /// Its id and version macros may be in an application header it
    /// includes, found as the include directories given here say (see
    /// [`parse_header_file`](crate::model::parse_header_file)).
    pub fn model(&self) -> Result<InterfaceModel, Error> {
        // Read here rather than by `parse_header_file`, whose error keeps
        // only the text of the `std::io::Error` that `Error::Io` carries.
        let text = std::fs::read_to_string(&self.header).map_err(|source| Error::Io {
            path: self.header.clone(),
            source,
        })?;
        let header_error = |e: ModelError| {
            Error::Model(match e {
                ModelError::Header {
                    file: None,
                    message,
                } => ModelError::Header {
                    file: Some(self.header.clone()),
                    message,
                },
                other => other,
            })
        };
        let models = crate::model::parse_read_header(&self.header, &text, || {
            crate::model::IncludedDefines::of(
                crate::includes::included_headers(&self.header, &self.include_dirs).as_ref(),
            )
        })
        .map_err(header_error)?;
        let names: Vec<String> = models.iter().map(|m| m.vtable.clone()).collect();
        let mut model = match &self.vtable {
            Some(name) => models.into_iter().find(|m| &m.vtable == name),
            None if models.len() == 1 => models.into_iter().next(),
            None => None,
        }
        .ok_or_else(|| {
            header_error(ModelError::Header {
                file: None,
                message: match &self.vtable {
                    Some(name) => format!("no vtable {name} (it declares: {})", names.join(", ")),
                    None if names.is_empty() => {
                        "it declares no interface vtable (a struct starting with \
                         `uint32_t struct_size;` followed by methods)"
                            .to_owned()
                    }
                    None => format!(
                        "it declares several vtables ({}); pick one with .vtable(name) / --vtable",
                        names.join(", ")
                    ),
                },
            })
        })?;
        for (method, kind) in &self.result_kinds {
            model.set_result_kind(method, *kind).map_err(Error::Model)?;
        }
        Ok(model)
    }

    /// The complete text of the bindings file: a notice, `pub mod sys`
    /// (the bindgen mirror, taking every `tenon_*` item from
    /// `tenon_interface::sys`) and the `interface!` declaration.
    pub fn generate(&self) -> Result<String, Error> {
        let model = self.model()?;
        load_libclang()?;
        // Absolute, so that the allowlist matches the path clang reports.
        let header = std::fs::canonicalize(&self.header)
            .map_err(|source| Error::Io {
                path: self.header.clone(),
                source,
            })?
            .to_string_lossy()
            .into_owned();
        // A standard interface of the SDK's (tenon/state.h) declares
        // tenon_* types itself, which the blocklist below would drop, and
        // includes nothing but tenon/*.h.
        let sdk_header = Path::new(&header)
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|dir| dir == "tenon");
        let mut builder = base_builder()
            .header(header.clone())
            .allowlist_file(regex_escape(&header))
            // What the header's declarations use from the headers it
            // includes (acme/common.h's typedefs, structs, enums) is
            // declared too, so that the mirror compiles; nothing else of
            // them is, so a declaration there that the interface does not
            // use (one taking a `FILE *`, say) cannot break it.
            .allowlist_recursively(!sdk_header)
            // The id and version macros, which may be in an included
            // header rather than in `header`: the declaration names them.
            .allowlist_var(regex_escape(&model.id_macro))
            .allowlist_var(regex_escape(&model.version_macro))
            .parse_callbacks(Box::new(AppCallbacks {
                version_macro: model.version_macro.clone(),
            }));
        if !sdk_header {
            // tenon_str, tenon_buffer, ...: tenon-sys's, not redeclared
            // (every type of tenon/*.h is named tenon_*).
            builder = builder.blocklist_type("tenon_.*");
        }
        for dir in &self.include_dirs {
            builder = builder.clang_arg(format!("-I{}", dir.display()));
        }
        let mirror = builder.generate().map_err(Error::Bindgen)?.to_string();
        let mirror = crate::line_doc_comments(&mirror);
        let name = self
            .header
            .file_name()
            .map_or_else(|| header.clone(), |n| n.to_string_lossy().into_owned());
        let krate = &self.options.interface_crate;
        let text = format!(
            "// @generated by tenon-bindgen from {name}.\n\
             //\n\
             // DO NOT EDIT. Change the C header, then regenerate with `{APP_REGENERATE_COMMAND}`\n\
             // (the same command with --check fails while this file is out of date).\n\
             \n\
             /// The bindgen mirror of `{name}`: its vtable struct and constants.\n\
             #[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code)]\n\
             pub mod sys {{\n\
             use ::{krate}::sys::*;\n\
             {mirror}\n\
             }}\n\
             \n\
             {}",
            rust_declaration(&model, &self.options)
        );
        let text = crate::rustfmt(&text)?;
        // clang evaluates a macro defined as another macro's name only if
        // that one was defined before it; the declaration cannot do
        // without the two.
        for name in [&model.id_macro, &model.version_macro] {
            if !text.contains(&format!("pub const {name}:")) {
                return Err(Error::Model(ModelError::Header {
                    file: Some(self.header.clone()),
                    message: format!(
                        "bindgen could not evaluate {name}, which the Rust declaration needs; \
                         a macro defined as another macro's name is evaluated only when that \
                         macro is defined before it"
                    ),
                }));
            }
        }
        Ok(text)
    }

    /// Writes [`InterfaceBindings::generate`]'s text to `path` unless it
    /// already holds exactly that.
    pub fn write_to(&self, path: &Path) -> Result<WriteOutcome, Error> {
        let text = self.generate()?;
        if std::fs::read_to_string(path).is_ok_and(|current| current == text) {
            return Ok(WriteOutcome::Unchanged);
        }
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(WriteOutcome::Written)
    }

    /// Compares `path` with what the header generates today: `None` when
    /// up to date, else a [`diff_summary`].
    pub fn check(&self, path: &Path) -> Result<Option<String>, Error> {
        let text = self.generate()?;
        let current = std::fs::read_to_string(path).unwrap_or_default();
        Ok(diff_summary(&current, &text, 10))
    }
}

/// Macro types and doc comments for an application header: the version
/// macro is a `u32` (what `interface!`'s `VERSION` takes), the contract's
/// own macros keep their types, others get bindgen's default.
#[derive(Debug)]
struct AppCallbacks {
    version_macro: String,
}

impl ParseCallbacks for AppCallbacks {
    fn int_macro(&self, name: &str, _value: i64) -> Option<IntKind> {
        if name == self.version_macro {
            return Some(IntKind::U32);
        }
        match crate::macro_int_kind(name) {
            crate::MacroType::Typed(kind) => Some(kind),
            _ => None,
        }
    }

    fn process_comment(&self, comment: &str) -> Option<String> {
        Some(doc_comment(comment))
    }
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_that_cannot_be_read_is_an_io_error_naming_it() {
        let header = std::env::temp_dir().join(format!(
            "tenon-bindgen-app-{}-missing/acme/shapes.h",
            std::process::id()
        ));
        match InterfaceBindings::new(&header).model() {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, header);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
        // Nor is a directory, which exists: the read fails, with the
        // system's reason (which differs between systems).
        let dir = std::env::temp_dir();
        match InterfaceBindings::new(&dir).model() {
            Err(Error::Io { path, .. }) => assert_eq!(path, dir),
            other => panic!("{other:?}"),
        }
    }
}
