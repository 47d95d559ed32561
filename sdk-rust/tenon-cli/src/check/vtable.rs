//! What can be checked of a vtable without knowing what its methods mean:
//! its `struct_size` is one C can give a vtable, and no slot within it is
//! NULL (given a header or not, whatever revision it is of); given the
//! interface's header, it also holds at least the methods of the
//! interface's first revision.

use super::described::Described;
use super::outcome::Problem;
use tenon::{InterfaceInfo, Plugin};

/// A vtable that passed [`check`].
pub struct Checked {
    /// The detail line for the report.
    pub detail: String,
    /// The vtable ends before methods the header declares: the plugin was
    /// built against an earlier revision of the interface.
    pub earlier_revision: bool,
    /// Slots past the methods the header declares: the plugin was built
    /// against a later revision of the interface than the header's.
    pub later_slots: usize,
}

impl From<String> for Checked {
    fn from(detail: String) -> Self {
        Checked {
            detail,
            earlier_revision: false,
            later_slots: 0,
        }
    }
}

/// Checks the vtable `plugin` offers for `interface`, against `described`
/// when a header describes it at this version.
pub fn check(
    plugin: &Plugin,
    interface: &InterfaceInfo,
    described: Option<&Described>,
) -> Result<Checked, Problem> {
    let vtable = match plugin.raw_vtable(&interface.id, interface.version) {
        Ok(vtable) => vtable,
        Err(error) if error.kind() == "isolation_unsupported" => {
            return Ok(format!(
                "vtable of {} bytes (its slots are read in process only, not with --isolated)",
                interface.vtable_size
            )
            .into())
        }
        Err(error) => return Err(Problem::from(&error)),
    };
    let size = vtable.struct_size();
    if !vtable.size_is_a_vtable_size() {
        return Err(Problem::with_kind(
            "invalid_vtable",
            format!(
                "struct_size is {size}, which no C vtable has: a vtable is a uint32_t \
                 struct_size followed by function pointers (sizeof the struct is {} with no \
                 method, {} with one, and so on); set struct_size = sizeof(the vtable struct)",
                core::mem::size_of::<u32>(),
                vtable_size(1)
            ),
        ));
    }
    let slots = vtable.slot_count();
    let Some(described) = described else {
        if let Some(null) = (0..slots).find(|&i| vtable.slot(i).is_some_and(|p| p.is_null())) {
            return Err(Problem::with_kind(
                "null_slot",
                format!(
                    "slot {} of {slots} (method {} in declaration order) is NULL: every \
                     method within struct_size must be set",
                    null,
                    null + 1
                ),
            ));
        }
        return Ok(format!(
            "vtable of {size} bytes, {slots} method slot{}, none NULL",
            if slots == 1 { "" } else { "s" }
        )
        .into());
    };
    let methods = &described.model.methods;
    let required = described.required();
    if slots < required {
        return Err(Problem::with_kind(
            "vtable_too_small",
            format!(
                "struct_size is {size} ({slots} methods), but the first revision of {} in {} \
                 has {required} ({} bytes): the plugin was built against another header, or \
                 methods were appended to this one without a [revision N] tag, which makes \
                 them revision 1",
                described.model.id,
                described.header.display(),
                vtable_size(required)
            ),
        ));
    }
    let provided = described.provided(slots);
    for (index, method) in methods.iter().enumerate().take(provided) {
        if vtable.slot(index).is_some_and(|p| p.is_null()) {
            return Err(Problem::with_kind(
                "null_slot",
                format!(
                    "`{}` (slot {index}, method {} in declaration order) is NULL",
                    method.name,
                    index + 1
                ),
            ));
        }
    }
    // Slots past the header's methods belong to a later revision than the
    // header's; a host of that revision refuses a NULL one, so the header
    // being older must not make this check weaker than the one without it.
    if let Some(null) =
        (methods.len()..slots).find(|&i| vtable.slot(i).is_some_and(|p| p.is_null()))
    {
        return Err(Problem::with_kind(
            "null_slot",
            format!(
                "slot {null} of {slots} (method {} in declaration order) is NULL: it lies past \
                 the {} methods {} declares (a later revision's), and every method within \
                 struct_size must be set",
                null + 1,
                methods.len(),
                described.header.display()
            ),
        ));
    }
    let mut detail = format!(
        "vtable of {size} bytes: {provided} of the {} methods {} declares present",
        methods.len(),
        described.header.display()
    );
    if provided < methods.len() {
        let absent: Vec<&str> = methods[provided..]
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        detail += &format!(" (an earlier revision: {} not provided)", absent.join(", "));
    }
    if slots > methods.len() {
        detail += &format!(
            ", and {} more slot(s) than the header declares: a later revision than the \
             header's (those slots are checked only for NULL)",
            slots - methods.len()
        );
    }
    Ok(Checked {
        detail,
        earlier_revision: provided < methods.len(),
        later_slots: slots.saturating_sub(methods.len()),
    })
}

/// `sizeof` a vtable of `methods` function pointers on this platform.
fn vtable_size(methods: usize) -> usize {
    let pointer = core::mem::size_of::<*const ()>();
    let first = core::mem::size_of::<u32>().div_ceil(pointer) * pointer;
    first + methods * pointer
}
