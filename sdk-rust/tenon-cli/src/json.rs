//! The JSON shapes the command prints.

use serde_json::{json, Value};
use tenon::PluginInfo;

/// `{"path","name","version","description","abi":{"major","minor"},
/// "thread_safe","interfaces":[{"id","version","vtable_size"}]}`.
pub fn plugin(info: &PluginInfo) -> Value {
    json!({
        "path": info.path.display().to_string(),
        "name": info.name,
        "version": info.version.to_string(),
        "description": info.description,
        "abi": {"major": info.abi.major, "minor": info.abi.minor},
        "thread_safe": info.thread_safe(),
        "interfaces": info.interfaces.iter().map(|i| json!({
            "id": i.id,
            "version": i.version,
            "vtable_size": i.vtable_size,
        })).collect::<Vec<_>>(),
    })
}

/// `{"kind","message"}` of an error.
pub fn error(error: &tenon::Error) -> Value {
    json!({"kind": error.kind(), "message": error.to_string()})
}

/// `{"kind","message"}` of a failed call; `kind` is the call error's
/// (`not_found`, `panic`, `invalid_output`, `interface_status`, …).
pub fn call_error(error: &tenon::CallError) -> Value {
    json!({"kind": error.kind_name(), "message": error.to_string()})
}

/// Prints `value` on one line of stdout.
pub fn print(value: &Value) {
    crate::print_out(&format!("{value}\n"));
}
