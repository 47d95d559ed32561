//! The JSON shapes the command prints.

use serde_json::{json, Value};
use tenon::PluginInfo;

/// `{"path","name","version","description","abi":{"major","minor"},
/// "thread_safe","interfaces":[{"id","version","vtable_size","slots",
/// "revision"}]}`: `slots` is how many method pointers the vtable's
/// `struct_size` holds, `revision` the latest revision of an interface
/// this command knows ([`crate::known`], at the version it knows) whose
/// methods all fit in them, `null` when it knows none of it.
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
            "slots": slots(i.vtable_size),
            "revision": revision(&i.id, i.version, slots(i.vtable_size)),
        })).collect::<Vec<_>>(),
    })
}

/// How many whole method pointers a vtable of `struct_size` bytes holds:
/// the methods follow `uint32_t struct_size`, from the first offset a
/// pointer is aligned to (ABI.md), in this process's pointer size, which
/// is the plugin's (a plugin of another architecture does not load).
pub fn slots(struct_size: u32) -> usize {
    #[repr(C)]
    struct Vtable {
        struct_size: u32,
        first: Option<extern "C" fn()>,
    }
    (struct_size as usize).saturating_sub(std::mem::offset_of!(Vtable, first))
        / std::mem::size_of::<Option<extern "C" fn()>>()
}

/// The latest revision of interface `id` at `version` whose methods all
/// fit in `slots`, if this command knows the interface at that version
/// and the slots hold at least revision 1. A vtable with more slots than
/// the methods known here may be of a later revision: the latest known is
/// what can be told.
pub fn revision(id: &str, version: u32, slots: usize) -> Option<u32> {
    let known = crate::known::by_id(id).filter(|known| known.version == version)?;
    revision_of(known.methods, slots)
}

/// The latest revision of an interface declared with `methods` (in slot
/// order, revisions ascending) that `slots` hold in full; `None` short of
/// revision 1.
fn revision_of(methods: &[tenon_interface::Method], slots: usize) -> Option<u32> {
    match methods.get(slots) {
        Some(missing) if missing.revision > 1 => Some(missing.revision - 1),
        Some(_) => None,
        None => methods.last().map(|last| last.revision).or(Some(1)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tenon_interface::{Method, ValueKind};

    const fn method(name: &'static str, revision: u32) -> Method {
        Method {
            name,
            args: &[ValueKind::Utf8],
            result: None,
            revision,
        }
    }

    /// Revision 1 with two methods, then one method each in revisions 2
    /// and 4 (3 added none).
    const METHODS: &[Method] = &[
        method("a", 1),
        method("b", 1),
        method("c", 2),
        method("d", 4),
    ];

    #[test]
    fn the_revision_is_the_latest_whose_methods_all_fit() {
        let reached: Vec<_> = (0..6).map(|slots| revision_of(METHODS, slots)).collect();
        assert_eq!(reached, [None, None, Some(1), Some(3), Some(4), Some(4)]);
        assert_eq!(revision_of(&[], 0), Some(1));
    }

    #[test]
    fn slots_follow_the_size_field_at_pointer_alignment() {
        let pointer = std::mem::size_of::<usize>() as u32;
        assert_eq!(slots(4), 0);
        assert_eq!(slots(pointer), 0);
        assert_eq!(slots(2 * pointer), 1);
        assert_eq!(slots(5 * pointer), 4);
        assert_eq!(slots(0), 0);
    }

    #[test]
    fn only_an_interface_known_at_its_version_has_a_revision() {
        assert_eq!(revision("org.tenon.example.greeter", 1, 1), Some(1));
        assert_eq!(revision("org.tenon.example.greeter", 2, 1), None);
        assert_eq!(revision("org.tenon.example.greeter", 1, 0), None);
        assert_eq!(revision("org.tenon.state", 1, 2), Some(1));
        assert_eq!(revision("com.acme.unknown", 1, 3), None);
    }
}
