//! Reading a plugin's descriptor without trusting it.
//!
//! Everything here runs before any plugin code except the entry function:
//! sizes are checked before fields are read, strings before they are used,
//! and the interface table against its count and its NULL terminator.

use crate::sys::{
    tenon_buffer, tenon_host, tenon_interface, tenon_plugin_descriptor, tenon_status, tenon_str,
};
use crate::{AbiVersion, Error, InterfaceInfo, PluginInfo};
use core::ffi::{c_char, c_void};
use std::collections::HashSet;
use std::mem::{offset_of, size_of};
use std::path::Path;

/// A plugin's `create`.
pub(crate) type CreateFn = unsafe extern "C" fn(
    *const tenon_host,
    tenon_str,
    *mut *mut c_void,
    *mut tenon_buffer,
) -> tenon_status;
/// A plugin's `destroy`.
pub(crate) type DestroyFn = unsafe extern "C" fn(*mut c_void);

/// More interfaces than this is a corrupt count, not a real plugin.
const MAX_INTERFACES: u32 = 4096;

/// One interface entry, checked.
pub(crate) struct Offered {
    pub info: InterfaceInfo,
    pub vtable: *const c_void,
}

/// A descriptor that passed every check.
pub(crate) struct Verified {
    pub info: PluginInfo,
    pub offered: Vec<Offered>,
    pub create: CreateFn,
    pub destroy: DestroyFn,
}

/// Checks the descriptor returned by a plugin's entry function.
///
/// # Safety
///
/// `descriptor` must be what the entry function of the library at `path`
/// returned, and that library must stay loaded while the returned pointers
/// are used. A non-NULL descriptor must be readable for at least its
/// `struct_size` bytes, and the non-NULL pointers it holds must point to
/// what `plugin.h` says; everything else is checked here.
pub(crate) unsafe fn verify(
    path: &Path,
    descriptor: *const tenon_plugin_descriptor,
) -> Result<Verified, Error> {
    let path_buf = || path.to_path_buf();
    if descriptor.is_null() {
        return Err(Error::NullDescriptor { path: path_buf() });
    }
    let minimum = size_of::<tenon_plugin_descriptor>();
    // SAFETY: every descriptor begins with its uint32_t struct_size.
    let size = unsafe { descriptor.cast::<u32>().read() };
    let header = offset_of!(tenon_plugin_descriptor, abi_minor) + size_of::<u16>();
    if (size as usize) < header {
        return Err(Error::DescriptorTooSmall {
            path: path_buf(),
            size,
            minimum,
        });
    }
    // SAFETY: the major lies within the `size` bytes the plugin vouched for.
    let major = unsafe {
        descriptor
            .cast::<u8>()
            .add(offset_of!(tenon_plugin_descriptor, abi_major))
            .cast::<u16>()
            .read()
    };
    if major != AbiVersion::HOST.major {
        return Err(Error::AbiMismatch {
            path: path_buf(),
            plugin_major: major.into(),
            host_major: AbiVersion::HOST.major.into(),
        });
    }
    if (size as usize) < minimum {
        return Err(Error::DescriptorTooSmall {
            path: path_buf(),
            size,
            minimum,
        });
    }
    // SAFETY: at least `minimum` bytes are readable; fields a newer minor
    // appended past them are not read.
    let d = unsafe { descriptor.read() };

    let metadata = |field: &'static str, problem: &str| Error::InvalidMetadata {
        path: path_buf(),
        field,
        problem: problem.to_owned(),
    };
    // SAFETY: the descriptor's strings are NUL-terminated or NULL.
    let name = unsafe { c_text(d.name, LABEL) }.map_err(|p| metadata("name", &p))?;
    if name.is_empty() {
        return Err(metadata("name", "is empty"));
    }
    // SAFETY: as above.
    let version_text = unsafe { c_text(d.version, LABEL) }.map_err(|p| metadata("version", &p))?;
    let version = semver::Version::parse(&version_text).map_err(|e| Error::InvalidVersion {
        path: path_buf(),
        version: version_text.clone(),
        reason: e.to_string(),
    })?;
    let description = if d.description.is_null() {
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { c_text(d.description, PROSE) }.map_err(|p| metadata("description", &p))?)
    };
    let create = d.create.ok_or_else(|| metadata("create", "is NULL"))?;
    let destroy = d.destroy.ok_or_else(|| metadata("destroy", "is NULL"))?;

    // SAFETY: forwarded from the caller.
    let offered =
        unsafe { interface_table(d.interface_count, d.interfaces) }.map_err(|problem| {
            Error::InvalidInterfaceTable {
                path: path_buf(),
                problem,
            }
        })?;

    Ok(Verified {
        info: PluginInfo {
            path: path_buf(),
            name,
            version,
            description,
            abi: AbiVersion {
                major: d.abi_major,
                minor: d.abi_minor,
            },
            flags: d.flags,
            interfaces: offered.iter().map(|o| o.info.clone()).collect(),
        },
        offered,
        create,
        destroy,
    })
}

/// Checks the interface table: `count` non-NULL entries, then NULL.
///
/// # Safety
///
/// As for [`verify`].
unsafe fn interface_table(
    count: u32,
    table: *const *const tenon_interface,
) -> Result<Vec<Offered>, String> {
    if count > MAX_INTERFACES {
        return Err(format!(
            "interface_count is {count}, more than the {MAX_INTERFACES} a plugin may offer"
        ));
    }
    if table.is_null() {
        return if count == 0 {
            Ok(Vec::new())
        } else {
            Err(format!("interface_count is {count} but interfaces is NULL"))
        };
    }
    let mut offered = Vec::with_capacity(count as usize);
    let mut ids = HashSet::new();
    for index in 0..count as usize {
        // SAFETY: a non-NULL table has `count` entries and a terminator; a
        // NULL met early stops the walk before reading past it.
        let entry = unsafe { table.add(index).read() };
        if entry.is_null() {
            return Err(format!(
                "entry {index} is NULL but interface_count is {count}; the count must equal the number of entries before the NULL terminator"
            ));
        }
        // SAFETY: a non-NULL entry begins with its struct_size.
        let size = unsafe { entry.cast::<u32>().read() };
        if (size as usize) < size_of::<tenon_interface>() {
            return Err(format!(
                "entry {index} has struct_size {size}, less than the {} bytes of ABI 1.0",
                size_of::<tenon_interface>()
            ));
        }
        // SAFETY: the entry has at least the fields of ABI 1.0.
        let entry = unsafe { entry.read() };
        // SAFETY: ids are NUL-terminated or NULL.
        let id =
            unsafe { c_text(entry.id, LABEL) }.map_err(|p| format!("entry {index}: id {p}"))?;
        if id.is_empty() {
            return Err(format!("entry {index}: id is empty"));
        }
        if entry.vtable.is_null() {
            return Err(format!("entry {index} ({id:?}): vtable is NULL"));
        }
        // SAFETY: every vtable begins with its uint32_t struct_size.
        let vtable_size = unsafe { entry.vtable.cast::<u32>().read() };
        if (vtable_size as usize) < size_of::<u32>() {
            return Err(format!(
                "entry {index} ({id:?}): vtable struct_size is {vtable_size}"
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(format!("interface {id:?} appears more than once"));
        }
        offered.push(Offered {
            info: InterfaceInfo {
                id,
                version: entry.version,
                vtable_size,
            },
            vtable: entry.vtable,
        });
    }
    // SAFETY: the table's terminator, which `plugin.h` requires.
    if !unsafe { table.add(count as usize).read() }.is_null() {
        return Err(format!(
            "interface_count is {count} but entry {count} is not the NULL terminator; the count is too small or the terminator is missing"
        ));
    }
    Ok(offered)
}

/// The limits `plugin.h` sets on one metadata string. None of them may hold
/// an ASCII control character (a newline in a name would forge lines in
/// logs and in `tenon inspect`'s text output).
#[derive(Clone, Copy)]
struct TextRule {
    /// The most bytes before the NUL.
    max_len: usize,
}

/// Plugin names, interface ids and versions: short, single-line labels.
const LABEL: TextRule = TextRule { max_len: 255 };
/// Descriptions: one line of prose, possibly long.
const PROSE: TextRule = TextRule { max_len: 4096 };

/// A NUL-terminated UTF-8 string from plugin metadata, checked against
/// `rule`. The scan for the NUL stops after `rule.max_len + 1` bytes, so an
/// unterminated or runaway string is refused without reading far past it.
///
/// # Safety
///
/// `text` must be NULL or point to a NUL-terminated string, or to at least
/// `rule.max_len + 1` readable bytes.
unsafe fn c_text(text: *const c_char, rule: TextRule) -> Result<String, String> {
    if text.is_null() {
        return Err("is NULL".to_owned());
    }
    let mut len = 0;
    // SAFETY: each byte read lies before the NUL or within the first
    // `max_len + 1` bytes, both readable by the caller's promise.
    while unsafe { text.add(len).read() } != 0 {
        if len == rule.max_len {
            return Err(format!("is longer than {} bytes", rule.max_len));
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL were just read.
    let bytes = unsafe { core::slice::from_raw_parts(text.cast::<u8>(), len) };
    let text = core::str::from_utf8(bytes).map_err(|_| "is not valid UTF-8".to_owned())?;
    if text.chars().any(|c| c.is_ascii_control()) {
        return Err("contains a control character".to_owned());
    }
    Ok(text.to_owned())
}
