//! The `interface!` declaration of an [`InterfaceModel`], so that the Rust
//! trait of an interface is generated from its C header instead of written
//! a second time by hand.
//!
//! The declaration names the bindgen mirror's items (`sys::ACME_GREETER_ID`,
//! `sys::acme_greeter_v1`), so the compiler still checks it against the C
//! vtable: a generator bug is a compile error, not a crash.

use crate::model::{InterfaceModel, MethodModel, ValueKind};

/// How [`rust_declaration`] writes the declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationOptions {
    /// The trait's name; `None`: the vtable's name without its `_v<N>`
    /// suffix, in UpperCamelCase (`acme_greeter_v1` → `AcmeGreeter`).
    pub trait_name: Option<String>,
    /// The path of the module holding the bindgen mirror, as seen from where
    /// the declaration is placed (`sys`).
    pub sys_path: String,
    /// The path of the `tenon-interface` crate (`tenon_interface`; a crate
    /// that reaches it through `tenon_plugin` can say `tenon_plugin`).
    pub interface_crate: String,
}

impl Default for DeclarationOptions {
    fn default() -> Self {
        DeclarationOptions {
            trait_name: None,
            sys_path: "sys".to_owned(),
            interface_crate: "tenon_interface".to_owned(),
        }
    }
}

/// The default trait name of a vtable: `acme_greeter_v1` → `AcmeGreeter`.
pub fn trait_name_of(vtable: &str) -> String {
    let stem = match vtable.rsplit_once("_v") {
        Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => vtable,
    };
    stem.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The Rust type of an argument of this kind.
pub fn arg_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Utf8 => "&str",
        ValueKind::Bytes => "&[u8]",
        other => scalar_type(other),
    }
}

/// The Rust type of a result of this kind.
pub fn result_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Utf8 => "String",
        ValueKind::Bytes => "Vec<u8>",
        other => scalar_type(other),
    }
}

fn scalar_type(kind: ValueKind) -> &'static str {
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
        // ValueKind is non_exhaustive; a new kind needs a line here.
        _ => "()",
    }
}

/// Rust keywords that a C name may be; an argument called so gets a
/// trailing `_`, as bindgen does for fields.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "unsafe", "use", "where", "while", "yield",
];

fn rust_ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_owned()
    }
}

/// `text` as `///` lines at `indent`, escaped as bindgen's doc comments are.
fn doc_lines(text: &str, indent: &str) -> String {
    let doc = crate::doc_comment(text);
    if doc.is_empty() {
        return String::new();
    }
    doc.lines()
        .map(|line| format!("{indent}///{line}\n"))
        .collect()
}

/// The signature line of one method: `fn greet(&self, name: &str) -> String;`.
fn signature(method: &MethodModel) -> String {
    let mut line = format!("fn {}(&self", method.name);
    for arg in &method.args {
        line.push_str(&format!(
            ", {}: {}",
            rust_ident(&arg.name),
            arg_type(arg.kind)
        ));
    }
    line.push(')');
    if let Some(result) = &method.result {
        line.push_str(" -> ");
        line.push_str(result_type(result.kind));
    }
    line.push(';');
    line
}

/// The attribute that declares a method appended in revision `since`
/// (`#[revision(N)]` of `interface!`; none for revision 1).
fn revision_marker(since: u32) -> Option<String> {
    (since > 1).then(|| format!("#[revision({since})]\n"))
}

/// The `interface!` declaration of `model`, formatted as rustfmt would.
pub fn rust_declaration(model: &InterfaceModel, options: &DeclarationOptions) -> String {
    let trait_name = options
        .trait_name
        .clone()
        .unwrap_or_else(|| trait_name_of(&model.vtable));
    let krate = &options.interface_crate;
    let sys = &options.sys_path;
    let mut out = format!("{krate}::interface! {{\n");
    let mut doc = model.doc.trim().to_owned();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "`{}`, version {} (generated from the C header by tenon-bindgen).",
        model.id, model.version
    ));
    out.push_str(&doc_lines(&doc, "    "));
    out.push_str(&format!("    pub trait {trait_name} {{\n"));
    out.push_str(&format!(
        "        const ID = {krate}::c_id({sys}::{});\n",
        model.id_macro
    ));
    out.push_str(&format!(
        "        const VERSION = {sys}::{};\n",
        model.version_macro
    ));
    out.push_str(&format!("        type Vtable = {sys}::{};\n", model.vtable));
    for method in &model.methods {
        out.push('\n');
        out.push_str(&doc_lines(&method.doc_without_tags(), "        "));
        if let Some(marker) = revision_marker(method.since) {
            out.push_str("        ");
            out.push_str(&marker);
        }
        out.push_str("        ");
        out.push_str(&signature(method));
        out.push('\n');
    }
    out.push_str("    }\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_header_text;

    #[test]
    fn trait_names_come_from_the_vtable() {
        assert_eq!(trait_name_of("acme_greeter_v1"), "AcmeGreeter");
        assert_eq!(trait_name_of("example_kv_v12"), "ExampleKv");
        assert_eq!(trait_name_of("shapes"), "Shapes");
    }

    #[test]
    fn the_kv_declaration_matches_the_hand_written_one() {
        let kv = parse_header_text(include_str!(
            "../../../examples-c/interfaces/tenon_examples/kv.h"
        ))
        .unwrap()
        .remove(0);
        let text = rust_declaration(
            &kv,
            &DeclarationOptions {
                trait_name: Some("Kv".into()),
                ..DeclarationOptions::default()
            },
        );
        for line in [
            "tenon_interface::interface! {",
            "    pub trait Kv {",
            "        const ID = tenon_interface::c_id(sys::EXAMPLE_KV_ID);",
            "        const VERSION = sys::EXAMPLE_KV_VERSION;",
            "        type Vtable = sys::example_kv_v1;",
            "        fn get(&self, key: &str) -> Vec<u8>;",
            "        fn put(&self, key: &str, value: &[u8]);",
            "        fn remove(&self, key: &str);",
            "        fn len(&self) -> u64;",
            "        /// Stores the number of keys in \\*count. \\[instance\\]",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn keywords_and_revisions() {
        let header = r#"
#define ACME_T_ID "com.acme.t"
#define ACME_T_VERSION 1
typedef struct acme_t_v1 {
    uint32_t struct_size;
    tenon_status (*set)(void *instance, tenon_str type, tenon_buffer *error);
    /* Later. [revision 2] [out: text] */
    tenon_status (*later)(void *instance, tenon_buffer *out, tenon_buffer *error);
} acme_t_v1;
"#;
        let model = parse_header_text(header).unwrap().remove(0);
        let text = rust_declaration(&model, &DeclarationOptions::default());
        assert!(text.contains("fn set(&self, type_: &str);"), "{text}");
        assert!(text.contains("/// Later.\n"), "{text}");
        assert!(
            text.contains("        #[revision(2)]\n        fn later"),
            "{text}"
        );
        assert!(text.contains("fn later(&self) -> String;"), "{text}");
        assert!(text.contains("pub trait AcmeT {"), "{text}");
    }
}
