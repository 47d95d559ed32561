//! The `methods:<id>` check: every method an `--interface` header
//! declares, called with edge-case arguments. It knows nothing of what the
//! methods mean, so it checks only what the contract promises of every
//! call: it returns (no crash, no hang: the step's child process and
//! deadline catch those, blamed on the call), its status is one plugin.h
//! or an interface defines, and its result is well formed — the buffer's
//! bookkeeping within what `reserve` lent, text results valid UTF-8,
//! `bool` results 0 or 1.

use super::described::Described;
use super::dyncall::{self, Returned, Signature};
use super::outcome::{Outcome, Problem};
use super::steps::{create, destroy};
use crate::supervisor::child::enter as calling;
use std::collections::BTreeMap;
use tenon::{Plugin, Status};
use tenon_interface::{ValueKind, WireArg};

/// The size of the long text and bytes arguments.
const LONG: usize = 1024 * 1024;

/// One argument value, owned for the call.
#[derive(Clone)]
enum Value {
    Slice(Vec<u8>),
    Word(u64),
}

impl Value {
    fn wire(&self) -> WireArg<'_> {
        match self {
            Value::Slice(bytes) => WireArg::Slice(bytes),
            Value::Word(word) => WireArg::Word(*word),
        }
    }
}

/// The value every argument has while another one is varied.
fn ordinary(kind: ValueKind) -> (String, Value) {
    match kind {
        ValueKind::Utf8 | ValueKind::Bytes => (
            "\"tenon-check\"".to_owned(),
            Value::Slice(b"tenon-check".to_vec()),
        ),
        ValueKind::F32 => ("1.0".to_owned(), Value::Word(u64::from(1f32.to_bits()))),
        ValueKind::F64 => ("1.0".to_owned(), Value::Word(1f64.to_bits())),
        ValueKind::Bool => ("true".to_owned(), Value::Word(1)),
        _ => ("1".to_owned(), Value::Word(1)),
    }
}

/// The edge cases of a kind, each with how the report shows it.
fn edges(kind: ValueKind) -> Vec<(String, Value)> {
    let text = |label: &str, text: String| (label.to_owned(), Value::Slice(text.into_bytes()));
    let bytes = |label: &str, bytes: Vec<u8>| (label.to_owned(), Value::Slice(bytes));
    let word = |label: String, word: u64| (label, Value::Word(word));
    // Signed values cross as their bits at their own width.
    let signed = |bits: u32| {
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        vec![
            word("0".to_owned(), 0),
            word("-1".to_owned(), mask),
            word(format!("i{bits}::MIN"), 1u64 << (bits - 1)),
            word(format!("i{bits}::MAX"), mask >> 1),
        ]
    };
    let unsigned = |bits: u32| {
        let max = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        vec![word("0".to_owned(), 0), word(format!("u{bits}::MAX"), max)]
    };
    match kind {
        ValueKind::Utf8 => vec![
            text("\"\" (empty)", String::new()),
            text(
                "\"wörld ✓ 日本語\" (non-ASCII)",
                "wörld ✓ 日本語".to_owned(),
            ),
            text("<1 MiB of text>", "n".repeat(LONG)),
            text("<1 MiB of non-ASCII text>", "✓".repeat(LONG / "✓".len())),
        ],
        ValueKind::Bytes => vec![
            bytes("<empty bytes>", Vec::new()),
            bytes(
                "<bytes with NULs: 00 ff 00 0a 0d>",
                vec![0, 0xff, 0, b'\n', b'\r'],
            ),
            bytes(
                "<1 MiB of bytes>",
                (0..LONG).map(|i| (i % 251) as u8).collect(),
            ),
        ],
        ValueKind::U8 => unsigned(8),
        ValueKind::U16 => unsigned(16),
        ValueKind::U32 => unsigned(32),
        ValueKind::U64 => unsigned(64),
        ValueKind::I8 => signed(8),
        ValueKind::I16 => signed(16),
        ValueKind::I32 => signed(32),
        ValueKind::I64 => signed(64),
        ValueKind::F32 => [0.0f32, -1.0, f32::MAX, f32::NAN]
            .into_iter()
            .map(|f| word(format!("{f:?}"), u64::from(f.to_bits())))
            .collect(),
        ValueKind::F64 => [0.0f64, -1.0, f64::MAX, f64::NAN]
            .into_iter()
            .map(|f| word(format!("{f:?}"), f.to_bits()))
            .collect(),
        ValueKind::Bool => vec![word("false".to_owned(), 0)],
        _ => Vec::new(),
    }
}

/// The calls made to a method of these argument kinds: every argument
/// ordinary once, then each edge case of each argument with the others
/// ordinary. Each call is its argument labels and values.
fn calls(kinds: &[ValueKind]) -> Vec<(String, Vec<Value>)> {
    let ordinary: Vec<(String, Value)> = kinds.iter().map(|k| ordinary(*k)).collect();
    let join = |args: &[(String, Value)]| {
        let labels: Vec<&str> = args.iter().map(|(label, _)| label.as_str()).collect();
        (
            labels.join(", "),
            args.iter().map(|(_, value)| value.clone()).collect(),
        )
    };
    let mut calls = vec![join(&ordinary)];
    for (position, kind) in kinds.iter().enumerate() {
        for edge in edges(*kind) {
            let mut args = ordinary.clone();
            args[position] = edge;
            calls.push(join(&args));
        }
    }
    calls
}

/// Runs the check on a fresh instance of `plugin`.
pub fn step(plugin: &Plugin, described: &Described, config: &str) -> Outcome {
    let model = &described.model;
    let label = format!("{} v{}", model.id, model.version);
    if !dyncall::SUPPORTED {
        return Outcome::skip(format!(
            "{label}: calling methods described by a header needs libffi, which this build \
             uses on Linux only"
        ));
    }
    let instance = match create(plugin, config, "") {
        Ok(instance) => instance,
        Err(error) => return Outcome::from_error("create failed", &error),
    };
    let outcome = match instance.raw_interface(&model.id, model.version) {
        Ok(raw) => exercise(&raw, described),
        Err(error) if error.kind() == "isolation_unsupported" => Outcome::skip(format!(
            "{label}: methods known only from a header are called in process only, not with \
             --isolated"
        )),
        Err(error) => Outcome::from_error(&label, &error),
    };
    destroy(instance, "");
    outcome
}

fn exercise(raw: &tenon::RawInterface<'_>, described: &Described) -> Outcome {
    let model = &described.model;
    let provided = described.provided(raw.vtable().slot_count());
    let mut details = Vec::new();
    let mut warnings = Vec::new();
    let mut total = 0;
    for (index, method) in model.methods.iter().enumerate().take(provided) {
        let (kinds, result) = method.kinds();
        let signature = Signature {
            name: &method.name,
            args: &kinds,
            result,
        };
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        for (labels, values) in calls(&kinds) {
            let what = format!("{}({labels})", method.name);
            calling(&what);
            let args: Vec<WireArg<'_>> = values.iter().map(Value::wire).collect();
            // SAFETY: the header the user gave declares slot `index` of
            // this interface with this signature (the model reads it from
            // the C declaration). A plugin built from another declaration
            // is what `tenon check` exists to catch: the call runs in the
            // step's child process, whose crash fails this check.
            let returned = unsafe { dyncall::call(raw, index, &signature, &args) };
            let returned = match returned {
                Ok(returned) => returned,
                Err(error) => {
                    return Outcome::from_problem(&model.id, Problem::call(&what, &error))
                }
            };
            match judge(&what, &returned) {
                Ok(warning) => warnings.extend(warning),
                Err(problem) => return Outcome::from_problem(&model.id, problem).details(details),
            }
            *statuses.entry(status_name(returned.status)).or_default() += 1;
            total += 1;
        }
        details.push(format!(
            "{}: {}",
            method.name,
            statuses
                .iter()
                .map(|(status, count)| format!("{status} x{count}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if provided < model.methods.len() {
        details.push(format!(
            "not provided by this plugin's revision of the interface: {}",
            model.methods[provided..]
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // One warning per kind of finding is enough to act on.
    warnings.sort();
    warnings.dedup();
    let mut summary = format!(
        "{provided} method{} called {total} times with edge-case arguments: every status known, \
         every result well formed",
        if provided == 1 { "" } else { "s" }
    );
    if provided < model.methods.len() {
        summary += &lacking(described, raw.vtable().slot_count());
    }
    let mut outcome = Outcome::pass(summary).details(details);
    outcome.warnings = warnings;
    outcome
}

/// Calls every method `described` declares that `raw`'s vtable holds,
/// with the ordinary arguments, `rounds` times over: what each of the
/// threads check's threads does on one shared instance of a thread-safe
/// plugin. Each call must keep the contract as in the `methods:<id>`
/// check; a method that refuses the ordinary arguments with an error
/// status passes, as there. The number of calls made.
pub fn call_ordinary(
    raw: &tenon::RawInterface<'_>,
    described: &Described,
    rounds: usize,
) -> Result<usize, Problem> {
    let model = &described.model;
    let provided = described.provided(raw.vtable().slot_count());
    let mut made = 0;
    for _ in 0..rounds {
        for (index, method) in model.methods.iter().enumerate().take(provided) {
            let (kinds, result) = method.kinds();
            let signature = Signature {
                name: &method.name,
                args: &kinds,
                result,
            };
            let (labels, values): (Vec<String>, Vec<Value>) =
                kinds.iter().map(|kind| ordinary(*kind)).unzip();
            let what = format!("{}({})", method.name, labels.join(", "));
            let args: Vec<WireArg<'_>> = values.iter().map(Value::wire).collect();
            // SAFETY: as in `exercise`: the header declares slot `index`
            // with this signature, and the call runs in the step's child.
            // The plugin declared TENON_PLUGIN_THREAD_SAFE, so calls on one
            // instance may overlap.
            let returned = unsafe { dyncall::call(raw, index, &signature, &args) }
                .map_err(|error| Problem::call(&what, &error))?;
            judge(&what, &returned)?;
            made += 1;
        }
    }
    Ok(made)
}

/// What the summary line says of a plugin built against an earlier
/// revision than the header's (`; revision 1 of 2, lacks 1 method:
/// farewell`): the methods it lacks were not called, and a line that kept
/// quiet about them would read as if every method the header declares had
/// been. The first few are named; `-v` lists them all.
fn lacking(described: &Described, slots: usize) -> String {
    const NAMED: usize = 3;
    let model = &described.model;
    let absent: Vec<&str> = model.methods[described.provided(slots)..]
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    let mut names = absent[..absent.len().min(NAMED)].join(", ");
    if absent.len() > NAMED {
        names += &format!(" and {} more", absent.len() - NAMED);
    }
    format!(
        "; revision {} of {}, lacks {} method{}: {names}",
        described.reached(slots),
        model.revision(),
        absent.len(),
        if absent.len() == 1 { "" } else { "s" }
    )
}

fn status_name(status: Status) -> String {
    status
        .name()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("status {}", status.0))
}

/// Whether one call's outcome keeps the contract; `Ok` may carry a
/// warning.
fn judge(what: &str, returned: &Returned) -> Result<Option<String>, Problem> {
    let status = returned.status;
    if status.is_ok() {
        return match &returned.result {
            Some(Err(error)) => Err(Problem::call(what, error)),
            _ => Ok(None),
        };
    }
    if let Err(error) = &returned.message {
        return Err(Problem::call(what, error));
    }
    if status.is_fault() {
        return Err(Problem::with_kind(
            "invalid_status",
            format!("{what} returned {status}, a status only hosts report"),
        ));
    }
    if status.name().is_none() && status.0 < Status::INTERFACE_FIRST.0 {
        return Err(Problem::with_kind(
            "unknown_status",
            format!(
                "{what} returned status {}, which plugin.h does not define (an interface's own \
                 codes start at {})",
                status.0,
                Status::INTERFACE_FIRST.0
            ),
        ));
    }
    if status == Status::PANIC {
        return Ok(Some(format!(
            "{what} panicked (or threw), caught at the boundary: {}",
            returned.message.as_deref().unwrap_or_default()
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Revision 1 with two methods, revision 2 with one, revision 3 with
    /// four.
    fn described() -> Described {
        let mut text = String::from(
            "#include <tenon/plugin.h>\n#define ACME_R_ID \"com.acme.r\"\n\
             #define ACME_R_VERSION 1u\ntypedef struct acme_r_v1 {\n    uint32_t struct_size;\n",
        );
        for (name, revision) in [
            ("a", 1),
            ("b", 1),
            ("c", 2),
            ("d", 3),
            ("e", 3),
            ("f", 3),
            ("g", 3),
        ] {
            if revision > 1 {
                text.push_str(&format!("    /* [revision {revision}] */\n"));
            }
            text.push_str(&format!(
                "    tenon_status (*{name})(void *instance, tenon_buffer *error);\n"
            ));
        }
        text.push_str("} acme_r_v1;\n");
        Described {
            header: "r.h".into(),
            model: tenon_bindgen::parse_header_text(&text).unwrap().remove(0),
        }
    }

    #[test]
    fn the_summary_names_the_revisions_and_the_methods_a_plugin_lacks() {
        let described = described();
        assert_eq!(
            lacking(&described, 2),
            "; revision 1 of 3, lacks 5 methods: c, d, e and 2 more"
        );
        assert_eq!(
            lacking(&described, 3),
            "; revision 2 of 3, lacks 4 methods: d, e, f and 1 more"
        );
        assert_eq!(
            lacking(&described, 6),
            "; revision 2 of 3, lacks 1 method: g"
        );
        assert_eq!(described.reached(7), 3);
        assert_eq!(described.reached(9), 3);
    }
}
