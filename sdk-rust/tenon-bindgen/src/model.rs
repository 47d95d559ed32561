//! A model of an interface header: what the C header says about one
//! interface (its id, version, vtable struct and methods), read without
//! libclang, so that tools that only need the shape of an interface
//! (`tenon new`, `tenon check --interface`, the `interface!` generator) run
//! wherever the header is.
//!
//! # The header convention
//!
//! The reader understands the subset of C that interface headers are written
//! in (see `docs/guide-your-interface.md`):
//!
//! * The vtable is a struct whose first member is `uint32_t struct_size;`
//!   and whose other members are function pointers
//!   `tenon_status (*name)(void *instance, ARGS..., [OUT,] tenon_buffer *error);`.
//!   Its name ends in `_v<N>` by convention (`acme_greeter_v1`).
//! * The id and version are `#define PREFIX_ID "reverse.dns.id"` and
//!   `#define PREFIX_VERSION <integer>`, where `PREFIX` is the vtable's
//!   name without its `_v<N>` suffix, in upper case (`ACME_GREETER_ID` for
//!   `acme_greeter_v1`). A header with a single vtable may use any
//!   `*_ID`/`*_VERSION` pair if it has exactly one of each. A header read
//!   from a file ([`parse_header_file`], [`InterfaceModel::from_header`])
//!   may leave them to an application header it includes, under their
//!   exact names. Either may be defined as the name of another macro
//!   defined so (`#define ACME_GREETER_VERSION ACME_API_VERSION`).
//! * Arguments are `tenon_str` (text), `tenon_bytes` (bytes), the
//!   fixed-width integers, `float`, `double` and `bool`. A result is an
//!   out-parameter right before the error buffer: `tenon_buffer *` for text or
//!   bytes, or a pointer to one of the scalar types.
//! * The comment right before a method may carry tags in brackets:
//!   `[out: text]` or `[out: bytes]` says what a `tenon_buffer *` result
//!   holds (the C type cannot; without a tag it is bytes, see
//!   [`DEFAULT_BUFFER_RESULT`]), and `[revision N]` (or `[since N]`) says
//!   that the method was appended in revision `N` of the interface, at the
//!   end of the vtable, without a version bump (without it: revision 1; the
//!   Rust declaration gets `#[revision(N)]`).
//!   Authors can also override the result kind in Rust with
//!   [`InterfaceModel::set_result_kind`].
//! * Conditionals are followed as a C compiler without `-D` options
//!   follows them, over the macros the header defined above them: the
//!   include guard is read, `#if 0` and `#ifdef __cplusplus` are skipped.
//!   The vtable, or an id or version macro, under a condition the reader
//!   cannot evaluate (a macro of the command line, a comparison) is an
//!   error naming it and the condition, not a guess.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::conditional::{defines_next, split_directive, Condition, Conditionals, Reading};
use crate::includes::Includes;

pub use tenon_interface::ValueKind;

/// What a `tenon_buffer *` result holds when the header does not say
/// (`[out: text]` or `[out: bytes]`): bytes, because every byte string a
/// plugin may write is valid bytes, while text would fail a call whose
/// plugin writes something that is not UTF-8.
pub const DEFAULT_BUFFER_RESULT: ValueKind = ValueKind::Bytes;

/// One interface, as its C header declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceModel {
    /// The reverse-DNS id (`"com.acme.greeter"`).
    pub id: String,
    /// The interface version (the value of the `*_VERSION` macro).
    pub version: u32,
    /// The name of the id macro (`ACME_GREETER_ID`).
    pub id_macro: String,
    /// The name of the version macro (`ACME_GREETER_VERSION`).
    pub version_macro: String,
    /// The name of the vtable struct (`acme_greeter_v1`), as bindgen names
    /// its Rust mirror.
    pub vtable: String,
    /// The comment right before the vtable struct, without comment markers.
    pub doc: String,
    /// The methods, in vtable order.
    pub methods: Vec<MethodModel>,
}

/// One method of an interface: one function pointer of the vtable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodModel {
    /// Its name (the vtable field).
    pub name: String,
    /// The arguments after the instance, in order (not the result and not
    /// the error buffer).
    pub args: Vec<ParamModel>,
    /// The out-parameter before the error buffer, if any.
    pub result: Option<ResultModel>,
    /// The revision of the interface the method was appended in: 1 for the
    /// methods the interface started with (`[revision N]` tag).
    pub since: u32,
    /// The comment right before the method, tags included, without comment
    /// markers.
    pub doc: String,
}

/// One argument of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamModel {
    /// Its name in the header (`arg<N>` when the header gives none).
    pub name: String,
    /// What crosses the boundary.
    pub kind: ValueKind,
}

/// The result of a method: its out-parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultModel {
    /// The out-parameter's name in the header.
    pub name: String,
    /// What the method writes.
    pub kind: ValueKind,
    /// Where `kind` comes from.
    pub source: KindSource,
}

/// Where a result's kind was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindSource {
    /// The C type says it (a scalar pointer).
    CType,
    /// A `[out: text]`/`[out: bytes]` tag in the header.
    Tag,
    /// Nothing said it: [`DEFAULT_BUFFER_RESULT`].
    Default,
    /// [`InterfaceModel::set_result_kind`].
    Override,
}

impl MethodModel {
    /// The method's signature as [`tenon_interface::Method`] describes it:
    /// the kinds of its arguments and result, in the same terms as
    /// `Interface::METHODS` of an `interface!` declaration.
    pub fn kinds(&self) -> (Vec<ValueKind>, Option<ValueKind>) {
        (
            self.args.iter().map(|arg| arg.kind).collect(),
            self.result.as_ref().map(|result| result.kind),
        )
    }

    /// The comment without its `[out: ...]` and `[revision N]` tags.
    pub fn doc_without_tags(&self) -> String {
        strip_tags(&self.doc)
    }
}

impl InterfaceModel {
    /// Reads the one interface `header` declares, its id and version macros
    /// from the header or, failing that, from the application's headers it
    /// includes (see [`parse_header_file`]). A header declaring several is
    /// an error naming them; use [`parse_header_file`] and pick one.
    pub fn from_header(header: &Path) -> Result<InterfaceModel, ModelError> {
        Self::the_one(header, parse_header_file(header, &[])?)
    }

    /// [`InterfaceModel::from_header`], given what
    /// [`included_headers`](crate::includes::included_headers)`(header, &[])`
    /// returned, for a caller that needs the included headers too (`tenon
    /// new` copies them): they are not looked for a second time.
    pub fn from_header_and_includes(
        header: &Path,
        includes: Result<&Includes, &ModelError>,
    ) -> Result<InterfaceModel, ModelError> {
        let text = read_header(header)?;
        let models = parse_read_header(header, &text, || IncludedDefines::of(includes))?;
        Self::the_one(header, models)
    }

    /// The one interface of `models`, those `header` declares.
    fn the_one(
        header: &Path,
        mut models: Vec<InterfaceModel>,
    ) -> Result<InterfaceModel, ModelError> {
        match models.len() {
            1 => Ok(models.remove(0)),
            _ => Err(ModelError::Header {
                file: Some(header.to_path_buf()),
                message: format!(
                    "it declares {} interface vtables ({}); give the one you mean",
                    models.len(),
                    models
                        .iter()
                        .map(|m| m.vtable.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// The method called `name`.
    pub fn method(&self, name: &str) -> Option<&MethodModel> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// Says what the `tenon_buffer *` result of method `method` holds,
    /// overriding the header's tag or the default: `ValueKind::Utf8` or
    /// `ValueKind::Bytes`. Scalar results cannot be changed.
    pub fn set_result_kind(&mut self, method: &str, kind: ValueKind) -> Result<(), ModelError> {
        let vtable = self.vtable.clone();
        let Some(found) = self.methods.iter_mut().find(|m| m.name == method) else {
            return Err(ModelError::Override(format!(
                "{vtable} has no method {method:?}"
            )));
        };
        let Some(result) = found.result.as_mut() else {
            return Err(ModelError::Override(format!(
                "{vtable}.{method} has no result"
            )));
        };
        if result.source == KindSource::CType {
            return Err(ModelError::Override(format!(
                "{vtable}.{method} returns a scalar ({:?}), not a buffer",
                result.kind
            )));
        }
        if !matches!(kind, ValueKind::Utf8 | ValueKind::Bytes) {
            return Err(ModelError::Override(format!(
                "a buffer result is text or bytes, not {kind:?}"
            )));
        }
        result.kind = kind;
        result.source = KindSource::Override;
        Ok(())
    }

    /// The latest revision any method belongs to (1 if none says `[revision N]`).
    pub fn revision(&self) -> u32 {
        self.methods.iter().map(|m| m.since).max().unwrap_or(1)
    }

    /// The methods of revision `revision` and earlier: the prefix of the
    /// vtable a plugin of that revision provides.
    pub fn methods_of_revision(&self, revision: u32) -> impl Iterator<Item = &MethodModel> {
        self.methods.iter().filter(move |m| m.since <= revision)
    }
}

/// Why a header could not be read as an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: String,
    },
    /// The header does not follow the convention this module documents.
    Header {
        /// The header, when known.
        file: Option<PathBuf>,
        /// What is wrong, and where.
        message: String,
    },
    /// An override named something the interface does not have.
    Override(String),
}

impl ModelError {
    pub(crate) fn header(message: impl Into<String>) -> ModelError {
        ModelError::Header {
            file: None,
            message: message.into(),
        }
    }

    fn in_file(self, path: &Path) -> ModelError {
        match self {
            ModelError::Header {
                file: None,
                message,
            } => ModelError::Header {
                file: Some(path.to_path_buf()),
                message,
            },
            other => other,
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ModelError::Header {
                file: Some(file),
                message,
            } => write!(f, "{}: {message}", file.display()),
            ModelError::Header {
                file: None,
                message,
            } => f.write_str(message),
            ModelError::Override(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ModelError {}

/// A token of the C subset, with the comment that ended right before it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Punct(char),
    Other(String),
}

#[derive(Debug, Clone)]
struct Lexed {
    token: Token,
    line: usize,
    /// The text of the comment(s) between the previous token and this one.
    comment: String,
    /// The conditional it is under, if the reader cannot evaluate it.
    condition: Option<Condition>,
}

/// A `#define NAME value` line.
#[derive(Debug, Clone)]
struct Define {
    name: String,
    value: String,
    line: usize,
    /// The included header it is in; `None` for the interface header's own.
    file: Option<PathBuf>,
    /// The conditional it is under, if the reader cannot evaluate it.
    condition: Option<Condition>,
}

/// Splits `text` into tokens (comments attached to the next token) and
/// `#define`s, following its conditionals (see [`crate::conditional`]): what
/// is in a branch not taken is left out, and what is under a conditional
/// the reader cannot evaluate is marked with it. Other preprocessor lines
/// are skipped.
fn lex(text: &str) -> Result<(Vec<Lexed>, Vec<Define>), ModelError> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Lexed> = Vec::new();
    let mut defines: Vec<Define> = Vec::new();
    let mut conditionals = Conditionals::new();
    let mut comment = String::new();
    let mut line = 1;
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            line += 1;
            at_line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if text[i..].starts_with("/*") {
            let end = text[i + 2..]
                .find("*/")
                .ok_or_else(|| ModelError::header(format!("line {line}: unterminated comment")))?;
            let body = &text[i + 2..i + 2 + end];
            line += body.matches('\n').count();
            push_comment(&mut comment, body);
            i += end + 4;
            continue;
        }
        if text[i..].starts_with("//") {
            let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
            push_comment(&mut comment, &text[i + 2..end]);
            i = end;
            continue;
        }
        if c == b'#' && at_line_start {
            // A preprocessor line, continued by trailing backslashes.
            let start_line = line;
            let mut end = i;
            loop {
                let next = text[end..].find('\n').map_or(text.len(), |e| end + e);
                if text[end..next].trim_end().ends_with('\\') && next < text.len() {
                    line += 1;
                    end = next + 1;
                } else {
                    end = next;
                    break;
                }
            }
            let directive = strip_comments(&text[i + 1..end].replace("\\\n", " "));
            let directive = directive.trim();
            let (keyword, rest) = split_directive(directive);
            // `#pragma once` may come before the include guard.
            if (keyword, rest.trim()) != ("pragma", "once") {
                next_item(&mut conditionals, &mut tokens, &mut defines);
            }
            let conditional = conditionals
                .directive(keyword, rest.trim(), start_line, |name| {
                    defines_next(&text[end..], name)
                })
                .map_err(ModelError::header)?;
            let mut words = rest.split_whitespace();
            let under = match conditionals.reading() {
                _ if conditional => None,
                Reading::Skipped => None,
                Reading::Read => Some(None),
                Reading::Unsure(condition) => Some(Some(condition)),
            };
            match (keyword, words.next(), under) {
                ("define", Some(name), Some(condition)) => {
                    let value = words.collect::<Vec<_>>().join(" ");
                    let name = name.split('(').next().unwrap_or(name);
                    conditionals.define(name, &value);
                    // A function-like macro is neither an id nor a version.
                    if !rest.trim_start()[name.len()..].starts_with('(') {
                        defines.push(Define {
                            name: name.to_owned(),
                            value,
                            line: start_line,
                            file: None,
                            // The include guard's own macro is defined only
                            // if it was not already.
                            condition: condition.or_else(|| conditionals.guard_of(name)),
                        });
                    }
                }
                ("undef", Some(name), Some(condition)) => {
                    conditionals.undefine(name);
                    match condition {
                        None => defines.retain(|d| d.name != name),
                        Some(condition) => {
                            for define in defines.iter_mut().filter(|d| d.name == name) {
                                define.condition.get_or_insert_with(|| condition.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
            comment.clear();
            i = end;
            continue;
        }
        at_line_start = false;
        next_item(&mut conditionals, &mut tokens, &mut defines);
        let condition = match conditionals.reading() {
            Reading::Read => None,
            Reading::Unsure(condition) => Some(condition),
            Reading::Skipped => {
                // A branch not taken need not be C (`#if 0` around prose
                // with an apostrophe): skip to the next line, or past a
                // comment that starts on this one.
                let eol = text[i..].find('\n').map_or(text.len(), |e| i + e);
                let comment_start = ["/*", "//"]
                    .iter()
                    .filter_map(|m| text[i..eol].find(m))
                    .min()
                    .map(|at| i + at);
                i = comment_start.unwrap_or(eol);
                comment.clear();
                continue;
            }
        };
        let (token, len) = if c.is_ascii_alphabetic() || c == b'_' {
            let len = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            (Token::Ident(text[i..i + len].to_owned()), len)
        } else if c.is_ascii_digit() || c == b'"' || c == b'\'' {
            let len = if c.is_ascii_digit() {
                bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count()
            } else {
                let close = text[i + 1..].find(c as char).ok_or_else(|| {
                    ModelError::header(format!("line {line}: unterminated literal"))
                })?;
                close + 2
            };
            (Token::Other(text[i..i + len].to_owned()), len)
        } else {
            let ch = text[i..].chars().next().expect("in bounds");
            (Token::Punct(ch), ch.len_utf8())
        };
        tokens.push(Lexed {
            token,
            line,
            comment: std::mem::take(&mut comment),
            condition,
        });
        i += len;
    }
    conditionals.finish().map_err(ModelError::header)?;
    Ok((tokens, defines))
}

/// Notes that a token or a directive comes next, for [`lex`].
fn next_item(conditionals: &mut Conditionals, tokens: &mut [Lexed], defines: &mut [Define]) {
    if let Some(guard) = conditionals.next_item() {
        // Something after the `#endif` of what looked like the include
        // guard: it was an ordinary `#ifndef`, which the reader cannot
        // evaluate, and what it held is under it.
        for condition in tokens
            .iter_mut()
            .map(|t| &mut t.condition)
            .chain(defines.iter_mut().map(|d| &mut d.condition))
        {
            condition.get_or_insert_with(|| guard.clone());
        }
    }
}

/// Appends a comment body to `comment`, without the leading `*` of each line.
fn push_comment(comment: &mut String, body: &str) {
    for line in body.lines() {
        let line = line.trim();
        let line = line.strip_prefix('*').map_or(line, str::trim_start);
        if !comment.is_empty() {
            comment.push('\n');
        }
        comment.push_str(line.trim_end());
    }
}

/// `text`, one line, without its comments.
pub(crate) fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out,
        }
    }
    match rest.find("//") {
        Some(start) => out.push_str(&rest[..start]),
        None => out.push_str(rest),
    }
    out
}

/// The text of a comment without its `[out: ...]` and `[revision N]` tags.
fn strip_tags(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        let tag = &rest[start + 1..start + len];
        out.push_str(&rest[..start]);
        if parse_tag(tag).is_none() {
            out.push_str(&rest[start..=start + len]);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    // A removed tag leaves the spaces around it; one is enough.
    out.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// A tag this module reads from a method's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Out(ValueKind),
    Since(u32),
}

fn parse_tag(tag: &str) -> Option<Tag> {
    let tag = tag.trim();
    if let Some(kind) = tag.strip_prefix("out:") {
        return match kind.trim() {
            "text" => Some(Tag::Out(ValueKind::Utf8)),
            "bytes" => Some(Tag::Out(ValueKind::Bytes)),
            _ => None,
        };
    }
    // `since N` is accepted as a synonym.
    if let Some(revision) = tag
        .strip_prefix("revision")
        .or_else(|| tag.strip_prefix("since"))
    {
        return revision.trim().parse().ok().map(Tag::Since);
    }
    None
}

/// Every interface vtable `text` (the contents of a header) declares, in
/// the order of the header, with their id and version macros, which must be
/// in `text` itself: [`parse_header_file`] also looks in the headers it
/// includes.
pub fn parse_header_text(text: &str) -> Result<Vec<InterfaceModel>, ModelError> {
    let (mut models, defines) = vtables_of(text)?;
    let single = models.len() == 1;
    for model in &mut models {
        attach_id(model, &defines, single, None)?;
    }
    Ok(models)
}

/// Every interface vtable the file `header` declares, in the order of the
/// header, with their id and version macros.
///
/// The vtables must be in `header` itself. A macro `header` does not
/// define (`ACME_SHAPES_ID` for `acme_shapes_v1`) is looked for, under
/// that exact name, in the headers of the application it includes,
/// directly or through one another, found as
/// [`included_headers`](crate::includes::included_headers) finds them
/// (`include_dirs` are the `-I` directories); two of them defining it
/// differently is an error. The fallback to any single `*_ID`/`*_VERSION`
/// pair of a header with a single vtable applies to `header`'s own
/// `#define`s only. A macro defined as another macro's name
/// (`#define ACME_SHAPES_VERSION ACME_VERSION`) is followed, in the same
/// places; any other value must be the literal itself.
pub fn parse_header_file(
    header: &Path,
    include_dirs: &[PathBuf],
) -> Result<Vec<InterfaceModel>, ModelError> {
    let text = read_header(header)?;
    parse_read_header(header, &text, || {
        IncludedDefines::of(crate::includes::included_headers(header, include_dirs).as_ref())
    })
}

fn read_header(header: &Path) -> Result<String, ModelError> {
    std::fs::read_to_string(header).map_err(|source| ModelError::Io {
        path: header.to_path_buf(),
        source: source.to_string(),
    })
}

/// [`parse_header_file`] of `header` already read into `text`, the
/// `#define`s of the headers it includes made by `read_included` if needed.
pub(crate) fn parse_read_header(
    header: &Path,
    text: &str,
    read_included: impl FnOnce() -> IncludedDefines,
) -> Result<Vec<InterfaceModel>, ModelError> {
    let (mut models, defines) = vtables_of(text).map_err(|e| e.in_file(header))?;
    let single = models.len() == 1;
    let mut included = None;
    let mut read_included = Some(read_included);
    for model in &mut models {
        // The included headers are read only when the header's own
        // `#define`s do not do, so that a header defining its macros reads
        // the same whatever its includes are.
        if included.is_none() && attach_id(model, &defines, single, None).is_ok() {
            continue;
        }
        let included =
            included.get_or_insert_with(|| (read_included.take().expect("read at most once"))());
        attach_id(model, &defines, single, Some(included)).map_err(|e| e.in_file(header))?;
    }
    Ok(models)
}

/// The `#define`s of the application's headers an interface header
/// includes, for the id and version macros it does not define itself.
pub(crate) struct IncludedDefines {
    defines: Vec<Define>,
    /// The headers read.
    headers: Vec<PathBuf>,
    /// Why some could not be found or read, if so.
    unread: Option<String>,
}

impl IncludedDefines {
    /// The `#define`s of the headers `includes` found, or why they could
    /// not be found.
    pub(crate) fn of(includes: Result<&Includes, &ModelError>) -> IncludedDefines {
        let mut read = IncludedDefines {
            defines: Vec::new(),
            headers: Vec::new(),
            unread: None,
        };
        let includes = match includes {
            Ok(includes) => includes,
            Err(error) => {
                read.unread = Some(error.to_string());
                return read;
            }
        };
        for included in &includes.headers {
            let path = included.source.clone();
            let lexed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| lex(&text).map_err(|e| e.to_string()));
            match lexed {
                Ok((_, defines)) => {
                    read.defines
                        .extend(defines.into_iter().map(|define| Define {
                            file: Some(path.clone()),
                            ..define
                        }));
                    read.headers.push(path);
                }
                Err(error) => {
                    read.unread
                        .get_or_insert_with(|| format!("{}: {error}", path.display()));
                }
            }
        }
        read
    }
}

/// The vtables `text` declares, before their ids, and its `#define`s.
fn vtables_of(text: &str) -> Result<(Vec<InterfaceModel>, Vec<Define>), ModelError> {
    let (tokens, defines) = lex(text)?;
    let mut models = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((vtable, end)) = struct_at(&tokens, i)? {
            if let Some(vtable) = vtable {
                models.push(vtable);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    Ok((models, defines))
}

/// A vtable being read: the struct's name and methods, before its id.
fn empty_model(vtable: String, doc: String, methods: Vec<MethodModel>) -> InterfaceModel {
    InterfaceModel {
        id: String::new(),
        version: 0,
        id_macro: String::new(),
        version_macro: String::new(),
        vtable,
        doc: strip_tags(&doc),
        methods,
    }
}

fn ident(tokens: &[Lexed], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Ident(name)) => Some(name),
        _ => None,
    }
}

fn punct(tokens: &[Lexed], i: usize, c: char) -> bool {
    matches!(tokens.get(i).map(|t| &t.token), Some(Token::Punct(p)) if *p == c)
}

/// If a struct definition starts at `i` (`typedef struct [tag] { ... } name;`
/// or `struct tag { ... };`), returns it as a vtable (or `None` when it is
/// a struct but not a vtable) and the index after it.
#[allow(clippy::type_complexity)]
fn struct_at(
    tokens: &[Lexed],
    i: usize,
) -> Result<Option<(Option<InterfaceModel>, usize)>, ModelError> {
    let typedef = ident(tokens, i) == Some("typedef");
    let start = if typedef { i + 1 } else { i };
    if ident(tokens, start) != Some("struct") {
        return Ok(None);
    }
    let mut open = start + 1;
    let tag = ident(tokens, open).map(str::to_owned);
    if tag.is_some() {
        open += 1;
    }
    if !punct(tokens, open, '{') {
        return Ok(None);
    }
    let mut depth = 0;
    let mut close = open;
    while close < tokens.len() {
        if punct(tokens, close, '{') {
            depth += 1;
        } else if punct(tokens, close, '}') {
            depth -= 1;
            if depth == 0 {
                break;
            }
        }
        close += 1;
    }
    if close >= tokens.len() {
        return Err(ModelError::header(format!(
            "line {}: the struct has no closing brace",
            tokens[open].line
        )));
    }
    let mut end = close + 1;
    let name = if typedef {
        let name = ident(tokens, end).map(str::to_owned);
        end += 1;
        name
    } else {
        None
    }
    .or(tag);
    while end < tokens.len() && !punct(tokens, end, ';') {
        end += 1;
    }
    let Some(name) = name else {
        return Ok(Some((None, end + 1)));
    };
    let doc = tokens[i].comment.clone();
    let members = &tokens[open + 1..close];
    let under = tokens[i..tokens.len().min(end + 1)]
        .iter()
        .find_map(|t| t.condition.as_ref());
    match (vtable_of(&name, doc, members), under) {
        (Ok(None), _) => Ok(Some((None, end + 1))),
        (Ok(Some(vtable)), None) => Ok(Some((Some(vtable), end + 1))),
        (Err(error), None) => Err(error),
        // A vtable the conditional may change: read as it stands, its
        // branches may even have been mixed.
        (Ok(Some(_)) | Err(_), Some(condition)) => Err(ModelError::header(format!(
            "line {}: the vtable {name} is declared under {condition}, {CANNOT_EVALUATE}; \
             declare it outside any #if {OR_IN_THE_GUARD}",
            tokens[i].line
        ))),
    }
}

/// Reads the members of struct `name` as a vtable, or `None` if its first
/// member is not `uint32_t struct_size`.
fn vtable_of(
    name: &str,
    doc: String,
    members: &[Lexed],
) -> Result<Option<InterfaceModel>, ModelError> {
    let statements: Vec<&[Lexed]> = members
        .split(|t| t.token == Token::Punct(';'))
        .filter(|s| !s.is_empty())
        .collect();
    let Some(first) = statements.first() else {
        return Ok(None);
    };
    let words: Vec<&str> = first
        .iter()
        .filter_map(|t| match &t.token {
            Token::Ident(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    if words != ["uint32_t", "struct_size"] || first.len() != 2 {
        return Ok(None);
    }
    let mut methods: Vec<MethodModel> = Vec::new();
    for statement in &statements[1..] {
        let method = method_of(name, statement)?;
        // A method slipped in before those of an earlier revision moves
        // their slots: plugins built before it would have their methods
        // called through the wrong ones.
        if let Some(later) = methods.iter().find(|m| m.since > method.since) {
            return Err(ModelError::header(format!(
                "{name}: method {} (revision {}) comes after {} (revision {}): a method added in a \
                 later revision is appended after every method of the earlier ones, never \
                 inserted before them (that moves their slots for the plugins already built){}",
                method.name,
                method.since,
                later.name,
                later.since,
                if method.since == 1 {
                    "; a method without a [revision N] tag is revision 1"
                } else {
                    ""
                }
            )));
        }
        methods.push(method);
    }
    Ok(Some(empty_model(name.to_owned(), doc, methods)))
}

/// The type and name of one declaration (`const tenon_buffer *out`).
struct Declarator {
    words: Vec<String>,
    pointers: usize,
    name: Option<String>,
}

fn declarator(tokens: &[Lexed]) -> Result<Declarator, String> {
    let mut words = Vec::new();
    let mut pointers = 0;
    for t in tokens {
        match &t.token {
            Token::Ident(w) if w == "const" || w == "struct" => {}
            Token::Ident(w) => words.push(w.clone()),
            Token::Punct('*') => pointers += 1,
            Token::Punct(c) => return Err(format!("unexpected {c:?}")),
            Token::Other(o) => return Err(format!("unexpected {o:?}")),
        }
    }
    let name = if words.len() >= 2 { words.pop() } else { None };
    Ok(Declarator {
        words,
        pointers,
        name,
    })
}

/// The kind of a scalar C type.
fn scalar_kind(ty: &str) -> Option<ValueKind> {
    Some(match ty {
        "uint8_t" => ValueKind::U8,
        "uint16_t" => ValueKind::U16,
        "uint32_t" => ValueKind::U32,
        "uint64_t" => ValueKind::U64,
        "int8_t" => ValueKind::I8,
        "int16_t" => ValueKind::I16,
        "int32_t" => ValueKind::I32,
        "int64_t" => ValueKind::I64,
        "float" => ValueKind::F32,
        "double" => ValueKind::F64,
        "bool" | "_Bool" => ValueKind::Bool,
        _ => return None,
    })
}

/// Reads `tenon_status (*name)(void *instance, ..., tenon_buffer *error)`.
fn method_of(vtable: &str, tokens: &[Lexed]) -> Result<MethodModel, ModelError> {
    let line = tokens[0].line;
    let fail = |what: String| {
        ModelError::header(format!(
            "line {line}: a member of {vtable} is not a method of the form \
             `tenon_status (*name)(void *instance, ..., tenon_buffer *error)`: {what}"
        ))
    };
    let doc = tokens[0].comment.clone();
    // tenon_status ( * name ) ( params )
    if ident(tokens, 0) != Some("tenon_status") {
        return Err(fail("it does not return tenon_status".into()));
    }
    if !(punct(tokens, 1, '(') && punct(tokens, 2, '*') && punct(tokens, 4, ')')) {
        return Err(fail("it is not a function pointer".into()));
    }
    let name = ident(tokens, 3)
        .ok_or_else(|| fail("no name".into()))?
        .to_owned();
    if !punct(tokens, 5, '(') || !punct(tokens, tokens.len() - 1, ')') {
        return Err(fail(format!("{name}: no parameter list")));
    }
    let params: Vec<&[Lexed]> = tokens[6..tokens.len() - 1]
        .split(|t| t.token == Token::Punct(','))
        .collect();
    let params: Vec<Declarator> = params
        .iter()
        .map(|p| declarator(p))
        .collect::<Result<_, _>>()
        .map_err(|e| fail(format!("{name}: {e}")))?;
    let is = |d: &Declarator, ty: &str, pointers: usize| {
        d.words.len() == 1 && d.words[0] == ty && d.pointers == pointers
    };
    if params.len() < 2 || !is(&params[0], "void", 1) {
        return Err(fail(format!(
            "{name}: the first parameter must be `void *instance`"
        )));
    }
    if !is(&params[params.len() - 1], "tenon_buffer", 1) {
        return Err(fail(format!(
            "{name}: the last parameter must be `tenon_buffer *error`"
        )));
    }
    let mut tags = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        if let Some(tag) = parse_tag(&rest[start + 1..start + len]) {
            tags.push(tag);
        }
        rest = &rest[start + len + 1..];
    }
    let middle = &params[1..params.len() - 1];
    let mut args = Vec::new();
    let mut result = None;
    for (index, param) in middle.iter().enumerate() {
        let param_name = param.name.clone().unwrap_or_else(|| format!("arg{index}"));
        let ty = param.words.join(" ");
        if param.pointers == 0 {
            if result.is_some() {
                return Err(fail(format!(
                    "{name}: the out-parameter must come right before the error buffer"
                )));
            }
            let kind = match ty.as_str() {
                "tenon_str" => ValueKind::Utf8,
                "tenon_bytes" => ValueKind::Bytes,
                other => scalar_kind(other).ok_or_else(|| {
                    fail(format!(
                        "{name}: parameter {param_name} has type {other}, which cannot cross \
                         the boundary (use tenon_str, tenon_bytes, a fixed-width integer, \
                         float, double or bool, by that name: a typedef of one, a struct or \
                         an enum is not read; pass a struct's fields as arguments of their \
                         own, or its bytes as tenon_bytes)"
                    ))
                })?,
            };
            args.push(ParamModel {
                name: param_name,
                kind,
            });
        } else if param.pointers == 1 && index == middle.len() - 1 {
            let (kind, source) = if ty == "tenon_buffer" {
                let tagged = tags.iter().find_map(|t| match t {
                    Tag::Out(kind) => Some(*kind),
                    Tag::Since(_) => None,
                });
                match tagged {
                    Some(kind) => (kind, KindSource::Tag),
                    None => (DEFAULT_BUFFER_RESULT, KindSource::Default),
                }
            } else {
                let kind = scalar_kind(&ty).ok_or_else(|| {
                    fail(format!(
                        "{name}: result {param_name} is a {ty} *; a result is a tenon_buffer * \
                         or a pointer to a fixed-width integer, float, double or bool"
                    ))
                })?;
                (kind, KindSource::CType)
            };
            result = Some(ResultModel {
                name: param_name,
                kind,
                source,
            });
        } else {
            return Err(fail(format!(
                "{name}: parameter {param_name} is a pointer; only the result (right before \
                 the error buffer) may be"
            )));
        }
    }
    let since = tags
        .iter()
        .find_map(|t| match t {
            Tag::Since(revision) => Some(*revision),
            Tag::Out(_) => None,
        })
        .unwrap_or(1);
    if since == 0 {
        // The method's form is fine; only its tag is not, so the message
        // says that rather than the form `fail` describes.
        return Err(ModelError::header(format!(
            "line {line}: {vtable}: method {name} is tagged [revision 0], but revisions start \
             at 1: the methods the interface was published with are revision 1 and need no \
             tag; one appended later is tagged with the revision that added it, 2 or more"
        )));
    }
    Ok(MethodModel {
        name,
        args,
        result,
        since,
        doc,
    })
}

/// The upper-case prefix of the macros of vtable `vtable`: its name
/// without the `_v<N>` suffix (`ACME_GREETER` for `acme_greeter_v1`).
fn macro_prefix(vtable: &str) -> String {
    let stem = match vtable.rsplit_once("_v") {
        Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => vtable,
    };
    stem.to_ascii_uppercase()
}

/// The interface header's own `#define` of `prefix` + `suffix`, or, in a
/// header of a `single` vtable, its only `*suffix` macro.
fn own_define<'a>(
    prefix: &str,
    suffix: &str,
    defines: &'a [Define],
    single: bool,
) -> Option<&'a Define> {
    let exact = format!("{prefix}{suffix}");
    if let Some(define) = defines.iter().find(|d| d.name == exact) {
        return Some(define);
    }
    let candidates: Vec<&Define> = defines
        .iter()
        .filter(|d| d.name.ends_with(suffix))
        .collect();
    (single && candidates.len() == 1).then(|| candidates[0])
}

/// Finds the `*_ID` and `*_VERSION` macros of `model`: in the header's own
/// `defines`, then, by their exact names, in `included`'s.
fn attach_id<'d>(
    model: &mut InterfaceModel,
    defines: &'d [Define],
    single: bool,
    included: Option<&'d IncludedDefines>,
) -> Result<(), ModelError> {
    let prefix = macro_prefix(&model.vtable);
    // A macro of an included header is reported in that header.
    let wrong = |define: &Define, message: String| {
        let message = format!("line {}: {message}", define.line);
        match &define.file {
            Some(file) => ModelError::Header {
                file: Some(file.clone()),
                message,
            },
            None => ModelError::header(message),
        }
    };
    // A macro one of whose definitions (or `#undef`s) is under a
    // conditional the reader cannot evaluate may or may not have the value
    // read: refused rather than guessed.
    let settled = |define: &'d Define| -> Result<&'d Define, ModelError> {
        let same_place: &'d [Define] = match (&define.file, included) {
            (Some(_), Some(included)) => &included.defines,
            _ => defines,
        };
        let unsure = same_place
            .iter()
            .filter(|d| d.name == define.name)
            .find_map(|d| d.condition.as_ref().map(|c| (d, c)));
        match unsure {
            Some((at, condition)) => Err(wrong(
                at,
                format!(
                    "{} is defined under {condition}, {CANNOT_EVALUATE}; define it outside \
                     any #if {OR_IN_THE_GUARD}",
                    at.name
                ),
            )),
            None => Ok(define),
        }
    };
    let find = |suffix: &str, form: &str| -> Result<&Define, ModelError> {
        if let Some(define) = own_define(&prefix, suffix, defines, single) {
            return settled(define);
        }
        let exact = format!("{prefix}{suffix}");
        let missing = format!(
            "no `#define {exact} {form}` for the vtable {}",
            model.vtable
        );
        let Some(included) = included else {
            return Err(ModelError::header(missing));
        };
        let mut found = included.defines.iter().filter(|d| d.name == exact);
        if let Some(first) = found.next() {
            settled(first)?;
            if let Some(other) = found.find(|d| d.value != first.value) {
                let place = |d: &Define| {
                    format!(
                        "{} (line {})",
                        d.file.as_deref().unwrap_or(Path::new("?")).display(),
                        d.line
                    )
                };
                return Err(ModelError::header(format!(
                    "{exact} is defined as {:?} in {} but as {:?} in {}: which one the \
                     interface has depends on the order of the includes",
                    first.value,
                    place(first),
                    other.value,
                    place(other)
                )));
            }
            return Ok(first);
        }
        let searched = if included.headers.is_empty() {
            "a header of the application it includes".to_owned()
        } else {
            format!(
                "the headers of the application it includes ({})",
                included
                    .headers
                    .iter()
                    .map(|h| h.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let unread = included
            .unread
            .as_ref()
            .map(|why| format!("; the headers it includes could not all be followed: {why}"))
            .unwrap_or_default();
        Err(ModelError::header(format!(
            "{missing}, neither in the header nor in {searched}{unread}"
        )))
    };
    // A macro defined as another macro's name stands for that macro's
    // value: the one the header's own `#define`s or the included headers
    // give it.
    let follow = |define: &'d Define| -> Result<&'d Define, ModelError> {
        let mut at = define;
        for _ in 0..MAX_ALIASES {
            settled(at)?;
            let value = at.value.trim();
            if !is_macro_name(value) {
                return Ok(at);
            }
            let named = defines
                .iter()
                .chain(included.iter().flat_map(|i| &i.defines))
                .find(|d| d.name == value);
            at = named.ok_or_else(|| {
                wrong(
                    at,
                    format!(
                        "{} is defined as {value}, which {} defines",
                        at.name,
                        if included.is_some() {
                            "neither the header nor an application header it includes"
                        } else {
                            "the header never"
                        }
                    ),
                )
            })?;
        }
        Err(wrong(
            define,
            format!(
                "{} is defined as a macro that is defined as another, more than \
                 {MAX_ALIASES} deep (macros defined as each other?)",
                define.name
            ),
        ))
    };
    let id_define = find("_ID", "\"...\"")?;
    let version_define = find("_VERSION", "<integer>")?;
    let id = follow(id_define)?;
    let version = follow(version_define)?;
    let id_text = id.value.trim();
    model.id = id_text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.is_empty() && !t.contains(['\\', '"']))
        .ok_or_else(|| {
            wrong(
                id,
                format!(
                    "{} must be a plain string literal, e.g. \"com.example.name\"",
                    id.name,
                ),
            )
        })?
        .to_owned();
    let number = version
        .value
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim_end_matches(['u', 'U', 'l', 'L']);
    model.version = number.parse().map_err(|_| {
        wrong(
            version,
            format!(
                "{} must be a decimal integer, e.g. 1u (it is {:?}; the header reader \
                 evaluates no expression)",
                version.name, version.value,
            ),
        )
    })?;
    model.id_macro = id_define.name.clone();
    model.version_macro = version_define.name.clone();
    Ok(())
}

/// Why a vtable or macro under a conditional is refused.
const CANNOT_EVALUATE: &str = "which the header reader cannot evaluate (it reads the header as \
     a C compiler without -D options would, knowing only the macros the header defined above it)";

/// Where a vtable or macro the reader refuses under a conditional can be.
const OR_IN_THE_GUARD: &str = "(or inside the include guard, which is read when its `#ifndef` is \
     the file's first line but comments and `#pragma once`, the `#define` of its macro the next, \
     and its `#endif` the last)";

/// How many macros defined as another's name [`attach_id`] follows.
const MAX_ALIASES: usize = 16;

/// Whether `value` is a C identifier: the name of another macro.
fn is_macro_name(value: &str) -> bool {
    value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KV: &str = include_str!("../../../examples-c/interfaces/tenon_examples/kv.h");
    const GREETER: &str = include_str!("../../../examples-c/interfaces/tenon_examples/greeter.h");

    #[test]
    fn reads_the_example_kv_header() {
        let models = parse_header_text(KV).unwrap();
        assert_eq!(models.len(), 1);
        let kv = &models[0];
        assert_eq!(kv.id, "org.tenon.example.kv");
        assert_eq!(kv.version, 1);
        assert_eq!(kv.id_macro, "EXAMPLE_KV_ID");
        assert_eq!(kv.version_macro, "EXAMPLE_KV_VERSION");
        assert_eq!(kv.vtable, "example_kv_v1");
        let kinds: Vec<_> = kv
            .methods
            .iter()
            .map(|m| (m.name.as_str(), m.kinds()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("get", (vec![ValueKind::Utf8], Some(ValueKind::Bytes))),
                ("put", (vec![ValueKind::Utf8, ValueKind::Bytes], None)),
                ("remove", (vec![ValueKind::Utf8], None)),
                ("len", (vec![], Some(ValueKind::U64))),
            ]
        );
        assert_eq!(kv.methods[1].args[1].name, "value");
        assert!(kv.methods[3].doc.contains("number of keys"));
        assert_eq!(kv.revision(), 1);
    }

    #[test]
    fn buffer_results_default_to_bytes_and_can_be_overridden() {
        let mut greeter = parse_header_text(GREETER).unwrap().remove(0);
        let greet = greeter.method("greet").unwrap();
        assert_eq!(greet.result.as_ref().unwrap().kind, DEFAULT_BUFFER_RESULT);
        assert_eq!(greet.result.as_ref().unwrap().source, KindSource::Default);
        greeter.set_result_kind("greet", ValueKind::Utf8).unwrap();
        let result = greeter.method("greet").unwrap().result.clone().unwrap();
        assert_eq!(
            (result.kind, result.source),
            (ValueKind::Utf8, KindSource::Override)
        );
        assert!(greeter.set_result_kind("wave", ValueKind::Utf8).is_err());
        assert!(greeter.set_result_kind("greet", ValueKind::U8).is_err());
    }

    const TAGGED: &str = r#"
/* Shapes: one vtable, tags, a method of revision 2. */
#include <tenon/plugin.h>
#define ACME_SHAPES_ID "com.acme.shapes" /* the id */
#define ACME_SHAPES_VERSION 1u

/* Draws shapes. */
typedef struct acme_shapes_v1 {
    uint32_t struct_size;
    /* The shape's name. [out: text] [instance] */
    tenon_status (*name)(void *instance, tenon_buffer *out, tenon_buffer *error);
    // Area for a scale.
    tenon_status (*area)(void *instance, double scale, int32_t sides, bool exact,
                         double *area, tenon_buffer *error);
    /* Resets. [revision 2] */
    tenon_status (*reset)(void *instance, const tenon_bytes state, tenon_buffer *error);
} acme_shapes_v1;
"#;

    #[test]
    fn reads_tags_scalars_and_revisions() {
        let mut shapes = parse_header_text(TAGGED).unwrap().remove(0);
        assert_eq!(shapes.id, "com.acme.shapes");
        assert_eq!(shapes.doc, "Draws shapes.");
        let name = shapes.method("name").unwrap();
        assert_eq!(name.result.as_ref().unwrap().kind, ValueKind::Utf8);
        assert_eq!(name.result.as_ref().unwrap().source, KindSource::Tag);
        assert_eq!(name.doc_without_tags(), "The shape's name. [instance]");
        assert_eq!(
            shapes.method("area").unwrap().kinds(),
            (
                vec![ValueKind::F64, ValueKind::I32, ValueKind::Bool],
                Some(ValueKind::F64)
            )
        );
        assert_eq!(shapes.method("area").unwrap().doc, "Area for a scale.");
        assert_eq!(shapes.method("reset").unwrap().since, 2);
        assert_eq!(shapes.revision(), 2);
        assert_eq!(shapes.methods_of_revision(1).count(), 2);
        assert!(shapes.set_result_kind("area", ValueKind::Utf8).is_err());
    }

    #[test]
    fn a_method_of_a_later_revision_before_an_earlier_one_is_refused() {
        // Inserted in the middle, tagged: the revision-1 `reset`... after it.
        let inserted = TAGGED.replace(
            "    // Area for a scale.",
            "    /* Inserted. [revision 2] */\n    tenon_status (*early)(void *instance, tenon_buffer *error);\n    // Area for a scale.",
        );
        let error = parse_header_text(&inserted).unwrap_err().to_string();
        assert!(
            error.contains("method area (revision 1) comes after early (revision 2)")
                && error.contains("appended"),
            "{error}"
        );
        // Appended after a revision-2 method without a tag (revision 1).
        let untagged = TAGGED.replace(
            "} acme_shapes_v1;",
            "    tenon_status (*late)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        );
        let error = parse_header_text(&untagged).unwrap_err().to_string();
        assert!(
            error.contains("method late (revision 1) comes after reset (revision 2)")
                && error.contains("without a [revision N] tag is revision 1"),
            "{error}"
        );
        // Revisions in order, a later one skipping a number, are fine.
        let appended = TAGGED.replace(
            "} acme_shapes_v1;",
            "    /* [revision 4] */\n    tenon_status (*late)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        );
        assert_eq!(parse_header_text(&appended).unwrap()[0].revision(), 4);
    }

    #[test]
    fn a_revision_0_tag_is_refused_as_a_tag_not_as_a_method_form() {
        let zero = TAGGED.replace(
            "} acme_shapes_v1;",
            "    /* [revision 0] */\n    tenon_status (*late)(void *instance, tenon_buffer *error);\n} acme_shapes_v1;",
        );
        let error = parse_header_text(&zero).unwrap_err().to_string();
        assert!(
            error.contains("method late is tagged [revision 0], but revisions start at 1")
                && !error.contains("is not a method of the form"),
            "{error}"
        );
    }

    #[test]
    fn unsupported_members_are_errors_that_say_why() {
        let bad = TAGGED.replace("int32_t sides", "char *sides");
        let error = parse_header_text(&bad).unwrap_err().to_string();
        assert!(
            error.contains("area") && error.contains("pointer"),
            "{error}"
        );

        let bad = TAGGED.replace("int32_t sides", "long sides");
        let error = parse_header_text(&bad).unwrap_err().to_string();
        assert!(error.contains("cannot cross"), "{error}");

        // A parameters struct, the first thing an application reaches for:
        // the message says what to pass instead.
        let bad = TAGGED.replace("int32_t sides", "acme_shape_params params");
        let error = parse_header_text(&bad).unwrap_err().to_string();
        assert!(
            error.contains("parameter params has type acme_shape_params")
                && error.contains("pass a struct's fields as arguments of their own"),
            "{error}"
        );

        let bad = TAGGED.replace(", tenon_buffer *error);\n} acme", ");\n} acme");
        let error = parse_header_text(&bad).unwrap_err().to_string();
        assert!(error.contains("tenon_buffer *error"), "{error}");

        let bad = TAGGED
            .replace("ACME_SHAPES_ID", "ACME_ID")
            .replace("ACME_SHAPES_VERSION", "V");
        let error = parse_header_text(&bad).unwrap_err().to_string();
        assert!(error.contains("ACME_SHAPES_VERSION"), "{error}");
    }

    /// The model of each example header agrees with the example's
    /// `interface!` declaration, once the text results the header cannot
    /// express are said.
    #[test]
    fn models_of_the_example_headers_match_their_declarations() {
        use tenon_example_interfaces::{Greeter, Kv, Processor};
        use tenon_interface::Interface;
        fn check<I: ?Sized + Interface>(header: &str, text_results: &[&str]) {
            let mut model = parse_header_text(header).unwrap().remove(0);
            for method in text_results {
                model.set_result_kind(method, ValueKind::Utf8).unwrap();
            }
            assert_eq!(model.id, I::ID);
            assert_eq!(model.version, I::VERSION);
            assert_eq!(model.methods.len(), I::METHODS.len());
            for (method, declared) in model.methods.iter().zip(I::METHODS) {
                assert_eq!(method.name, declared.name);
                assert_eq!(method.kinds(), (declared.args.to_vec(), declared.result));
                assert_eq!(method.since, declared.revision);
            }
        }
        check::<dyn Greeter>(GREETER, &["greet"]);
        check::<dyn Kv>(KV, &[]);
        check::<dyn Processor>(
            include_str!("../../../examples-c/interfaces/tenon_examples/processor.h"),
            &["name"],
        );
    }

    /// A scratch directory of this test process, emptied.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tenon-bindgen-model-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("include/acme")).unwrap();
        dir
    }

    /// `include/acme/shapes.h`, `TAGGED` with `macros` for its own
    /// `#define`s and including `common.h` and `units.h`, which hold
    /// `common` and `units`.
    fn write_headers(dir: &Path, macros: &str, common: &str, units: &str) -> PathBuf {
        let acme = dir.join("include/acme");
        std::fs::write(acme.join("common.h"), common).unwrap();
        std::fs::write(acme.join("units.h"), units).unwrap();
        let header = acme.join("shapes.h");
        let text = TAGGED
            .replace(
                "#define ACME_SHAPES_ID \"com.acme.shapes\" /* the id */\n\
                 #define ACME_SHAPES_VERSION 1u\n",
                macros,
            )
            .replace(
                "#include <tenon/plugin.h>\n",
                "#include <tenon/plugin.h>\n#include \"acme/common.h\"\n#include <acme/units.h>\n",
            );
        assert_ne!(text, TAGGED);
        std::fs::write(&header, text).unwrap();
        header
    }

    #[test]
    fn id_and_version_macros_are_read_from_the_included_headers() {
        let dir = scratch("included");
        let header = write_headers(
            &dir,
            "#define ACME_SHAPES_ID \"com.acme.shapes\"\n",
            "#define ACME_OTHER_VERSION 9u\n",
            "#include \"acme/common.h\"\n#define ACME_SHAPES_VERSION 3u\n",
        );
        let model = InterfaceModel::from_header(&header).unwrap();
        assert_eq!((model.id.as_str(), model.version), ("com.acme.shapes", 3));
        assert_eq!(model.version_macro, "ACME_SHAPES_VERSION");
        // Given the included headers, the model reads those, without
        // looking for them again: none given, none read.
        let includes = crate::includes::included_headers(&header, &[]).unwrap();
        assert_eq!(
            InterfaceModel::from_header_and_includes(&header, Ok(&includes)).unwrap(),
            model
        );
        let error = InterfaceModel::from_header_and_includes(&header, Ok(&Includes::default()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("neither in the header nor in a header of the application"),
            "{error}"
        );
        let why = ModelError::header("the walk failed");
        let error = InterfaceModel::from_header_and_includes(&header, Err(&why))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("could not all be followed: the walk failed"),
            "{error}"
        );
        // The text alone has no version macro.
        let text = std::fs::read_to_string(&header).unwrap();
        let error = parse_header_text(&text).unwrap_err().to_string();
        assert!(error.contains("ACME_SHAPES_VERSION"), "{error}");

        // The header's own definition is the one read.
        let header = write_headers(
            &dir,
            "#define ACME_SHAPES_ID \"com.acme.shapes\"\n#define ACME_SHAPES_VERSION 1u\n",
            "",
            "#define ACME_SHAPES_VERSION 3u\n",
        );
        assert_eq!(InterfaceModel::from_header(&header).unwrap().version, 1);

        // A macro defined as another's name, in the header or an included
        // one, is followed to a literal in either; the interface keeps the
        // macros it was looked up by.
        let header = write_headers(
            &dir,
            "#define ACME_SHAPES_ID ACME_ID_SHAPES\n",
            "#define ACME_ID_SHAPES \"com.acme.shapes\"\n#define ACME_API_VERSION 7u\n",
            "#define ACME_SHAPES_VERSION ACME_API_VERSION\n",
        );
        let model = InterfaceModel::from_header(&header).unwrap();
        assert_eq!(
            (
                model.id.as_str(),
                model.version,
                model.id_macro.as_str(),
                model.version_macro.as_str()
            ),
            (
                "com.acme.shapes",
                7,
                "ACME_SHAPES_ID",
                "ACME_SHAPES_VERSION"
            )
        );
        let text = TAGGED.replace(
            "#define ACME_SHAPES_VERSION 1u",
            "#define ACME_V 3\n#define ACME_SHAPES_VERSION ACME_V",
        );
        assert_eq!(parse_header_text(&text).unwrap()[0].version, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn macros_of_included_headers_that_cannot_be_used_are_refused_with_the_reason() {
        let dir = scratch("included-refused");
        let acme = dir.join("include/acme");
        let id = "#define ACME_SHAPES_ID \"com.acme.shapes\"\n";
        let refused = |common: &str, units: &str| {
            let header = write_headers(&dir, id, common, units);
            InterfaceModel::from_header(&header)
                .unwrap_err()
                .to_string()
        };
        // Defined differently in two of them.
        let error = refused(
            "#define ACME_SHAPES_VERSION 2u\n",
            "\n#define ACME_SHAPES_VERSION 3u\n",
        );
        assert!(
            error.contains("ACME_SHAPES_VERSION is defined as \"2u\" in ")
                && error.contains(&format!("{} (line 1)", acme.join("common.h").display()))
                && error.contains(&format!("{} (line 2)", acme.join("units.h").display())),
            "{error}"
        );
        // Only the exact name is taken from an included header.
        let error = refused("#define ACME_OTHER_VERSION 2u\n", "");
        assert!(
            error.contains(
                "no `#define ACME_SHAPES_VERSION <integer>` for the vtable acme_shapes_v1"
            ) && error.contains(&acme.join("shapes.h").display().to_string())
                && error.contains(&acme.join("units.h").display().to_string()),
            "{error}"
        );
        // A macro naming one that is nowhere, or an expression; the error
        // is in the header that has it.
        let error = refused("", "#define ACME_SHAPES_VERSION ACME_BASE_VERSION\n");
        assert!(
            error.starts_with(&format!("{}: line 1: ", acme.join("units.h").display()))
                && error.contains(
                    "ACME_SHAPES_VERSION is defined as ACME_BASE_VERSION, which neither the \
                     header nor an application header it includes defines"
                ),
            "{error}"
        );
        let error = refused(
            "#define ACME_BASE_VERSION 2u\n",
            "#define ACME_SHAPES_VERSION (ACME_BASE_VERSION + 1)\n",
        );
        assert!(
            error.starts_with(&format!("{}: line 1: ", acme.join("units.h").display()))
                && error.contains("evaluates no expression"),
            "{error}"
        );
        // Macros defined as each other.
        let error = refused(
            "#define ACME_A ACME_SHAPES_VERSION\n",
            "#define ACME_SHAPES_VERSION ACME_A\n",
        );
        assert!(error.contains("more than 16 deep"), "{error}");
        // An include that cannot be followed is named.
        let header = write_headers(&dir, id, "", "#include \"acme/gone.h\"\n");
        let error = InterfaceModel::from_header(&header)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("ACME_SHAPES_VERSION") && error.contains("#include \"acme/gone.h\""),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `TAGGED` with its two macros replaced by `macros`.
    fn with_macros(macros: &str) -> String {
        let text = TAGGED.replace(
            "#define ACME_SHAPES_ID \"com.acme.shapes\" /* the id */\n\
             #define ACME_SHAPES_VERSION 1u\n",
            macros,
        );
        assert_ne!(text, TAGGED);
        text
    }

    #[test]
    fn include_guards_the_cplusplus_wrapper_and_branches_not_taken_are_followed() {
        // The usual layout of a header shared with C++; an `#if 0`d older
        // vtable and version; a branch taken on a macro defined above it.
        let text = format!(
            "/* shapes.h */\n#ifndef ACME_SHAPES_H\n#define ACME_SHAPES_H\n#pragma once\n\
             #ifdef __cplusplus\nextern \"C\" {{\n#endif\n\
             #if 0\n#define ACME_SHAPES_VERSION 7u\ntypedef struct acme_shapes_v0 {{\n\
             uint32_t struct_size;\n}} acme_shapes_v0; /* don't */\n#endif\n\
             #define ACME_WIDE\n#if defined(ACME_WIDE) && !defined(__cplusplus)\n\
             #define ACME_SHAPES_VERSION 2u\n#elif 1\n#define ACME_SHAPES_VERSION 5u\n\
             #else\n#define ACME_SHAPES_VERSION 6u\n#endif\n{}\
             #ifdef __cplusplus\n}}\n#endif\n#endif /* ACME_SHAPES_H */\n",
            with_macros("#define ACME_SHAPES_ID \"com.acme.shapes\"\n")
        );
        let models = parse_header_text(&text).unwrap();
        assert_eq!(models.len(), 1);
        assert_eq!(
            (models[0].vtable.as_str(), models[0].version),
            ("acme_shapes_v1", 2)
        );
        assert_eq!(models[0].methods.len(), 3);
        // `#pragma once` before the include guard.
        let text = text.replace("#pragma once\n", "").replacen(
            "#ifndef ACME_SHAPES_H",
            "#pragma once\n#ifndef ACME_SHAPES_H",
            1,
        );
        assert_eq!(parse_header_text(&text).unwrap()[0].version, 2);
        // `#undef` is followed too.
        let text = with_macros(
            "#define ACME_SHAPES_ID \"com.acme.shapes\"\n#define ACME_SHAPES_VERSION 1u\n\
             #undef ACME_SHAPES_VERSION\n#ifndef ACME_SHAPES_VERSION\n\
             #define ACME_SHAPES_VERSION 3u\n#endif\n",
        );
        assert_eq!(parse_header_text(&text).unwrap()[0].version, 3);
    }

    #[test]
    fn a_macro_or_vtable_under_a_condition_the_reader_cannot_evaluate_is_refused() {
        let id = "#define ACME_SHAPES_ID \"com.acme.shapes\"\n";
        let refused = |macros: &str| {
            parse_header_text(&with_macros(&format!("{id}{macros}")))
                .unwrap_err()
                .to_string()
        };
        // A macro of the command line (or of another header).
        let error = refused(
            "#ifdef ACME_BIG\n#define ACME_SHAPES_VERSION 2u\n#else\n\
             #define ACME_SHAPES_VERSION 1u\n#endif\n",
        );
        assert!(
            error.starts_with(
                "line 6: ACME_SHAPES_VERSION is defined under `#ifdef ACME_BIG` (line 5), \
                 which the header reader cannot evaluate"
            ),
            "{error}"
        );
        // An expression it does not evaluate; the `#else` is named.
        let error = refused("#if ACME_LEVEL > 1\n#else\n#define ACME_SHAPES_VERSION 1u\n#endif\n");
        assert!(
            error.starts_with(
                "line 7: ACME_SHAPES_VERSION is defined under `#else` (line 6) of \
                 `#if ACME_LEVEL > 1` (line 5)"
            ),
            "{error}"
        );
        // A default the command line may override: an `#ifndef` that is
        // not the include guard, and one that looks like it but is not
        // (something follows its `#endif`).
        let error =
            refused("#ifndef ACME_SHAPES_VERSION\n#define ACME_SHAPES_VERSION 1u\n#endif\n");
        assert!(
            error.contains("ACME_SHAPES_VERSION is defined under `#ifndef ACME_SHAPES_VERSION`"),
            "{error}"
        );
        let text = format!(
            "#ifndef ACME_SHAPES_H\n#define ACME_SHAPES_H\n{id}#define ACME_SHAPES_VERSION 1u\n\
             #endif\n{}",
            with_macros("")
        );
        let error = parse_header_text(&text).unwrap_err().to_string();
        assert!(
            error.contains("is defined under `#ifndef ACME_SHAPES_H` (line 1)"),
            "{error}"
        );
        // An `#undef` under one.
        let error = refused(
            "#define ACME_SHAPES_VERSION 1u\n#if ACME_OLD\n#undef ACME_SHAPES_VERSION\n#endif\n",
        );
        assert!(
            error.contains("ACME_SHAPES_VERSION is defined under `#if ACME_OLD` (line 6)"),
            "{error}"
        );
        // A vtable, or some of its methods.
        let text = format!(
            "{id}#define ACME_SHAPES_VERSION 1u\n#ifdef ACME_SHAPES\n{}#endif\n",
            with_macros("")
        );
        let error = parse_header_text(&text).unwrap_err().to_string();
        assert!(
            error.contains(
                "the vtable acme_shapes_v1 is declared under `#ifdef ACME_SHAPES` (line 3)"
            ),
            "{error}"
        );
        let text = with_macros(&format!("{id}#define ACME_SHAPES_VERSION 1u\n")).replace(
            "} acme_shapes_v1;",
            "#if ACME_RESETS\n    tenon_status (*clear)(void *instance, tenon_buffer *error);\n\
             #endif\n} acme_shapes_v1;",
        );
        let error = parse_header_text(&text).unwrap_err().to_string();
        assert!(
            error.contains("the vtable acme_shapes_v1 is declared under `#if ACME_RESETS`"),
            "{error}"
        );
        // Conditionals that do not pair up.
        let error = refused("#define ACME_SHAPES_VERSION 1u\n#endif\n");
        assert!(error.contains("line 6: #endif without #if"), "{error}");
        let error = refused("#define ACME_SHAPES_VERSION 1u\n#if 1\n");
        assert!(error.contains("line 6: #if has no #endif"), "{error}");
    }

    #[test]
    fn a_macro_of_an_included_header_under_a_condition_is_refused_in_that_header() {
        let dir = scratch("included-conditional");
        let id = "#define ACME_SHAPES_ID \"com.acme.shapes\"\n";
        // Inside the include guard: read.
        let header = write_headers(
            &dir,
            id,
            "#ifndef ACME_COMMON_H\n#define ACME_COMMON_H\n#define ACME_SHAPES_VERSION 4u\n#endif\n",
            "#if 0\n#define ACME_SHAPES_VERSION 5u\n#endif\n",
        );
        assert_eq!(InterfaceModel::from_header(&header).unwrap().version, 4);
        let header = write_headers(
            &dir,
            id,
            "",
            "#if defined(ACME_NEW_API)\n#define ACME_SHAPES_VERSION 5u\n#endif\n",
        );
        let error = InterfaceModel::from_header(&header)
            .unwrap_err()
            .to_string();
        let units = dir.join("include/acme/units.h");
        assert!(
            error.starts_with(&format!(
                "{}: line 2: ACME_SHAPES_VERSION is defined under \
                 `#if defined(ACME_NEW_API)` (line 1)",
                units.display()
            )),
            "{error}"
        );
        // A header that is nothing but a default for a macro is no include
        // guard: its macro is what it guards.
        let header = write_headers(
            &dir,
            id,
            "",
            "#ifndef ACME_SHAPES_VERSION\n#define ACME_SHAPES_VERSION 5u\n#endif\n",
        );
        let error = InterfaceModel::from_header(&header)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("is defined under `#ifndef ACME_SHAPES_VERSION` (line 1)"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn structs_that_are_not_vtables_are_skipped() {
        let text = format!("typedef struct pair {{ int32_t a; int32_t b; }} pair;\n{TAGGED}");
        assert_eq!(parse_header_text(&text).unwrap().len(), 1);
        assert!(parse_header_text("int x;").unwrap().is_empty());
    }
}
