//! Reading a plugin's descriptor without trusting it.
//!
//! Everything here runs before any plugin code except the entry function:
//! every pointer's alignment is checked before anything is read through it
//! (reading a misaligned struct is undefined behaviour in Rust, even on
//! processors that tolerate it), sizes before fields are read, strings
//! before they are used, and the interface table against its count and its
//! NULL terminator.

use crate::sys::{
    tenon_buffer, tenon_host, tenon_interface, tenon_plugin_descriptor, tenon_status, tenon_str,
};
use crate::{AbiVersion, Error, InterfaceInfo, PluginInfo};
use core::ffi::{c_char, c_void};
use std::mem::{align_of, offset_of, size_of};
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
    aligned(descriptor, || "the descriptor".to_owned()).map_err(|m| m.into_error(path))?;
    let minimum = size_of::<tenon_plugin_descriptor>();
    // SAFETY: every descriptor begins with its uint32_t struct_size, and
    // this one is aligned for the whole descriptor (checked above).
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
    // SAFETY: aligned (checked above), and at least `minimum` bytes are
    // readable; fields a newer minor appended past them are not read.
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
    let version = match plain_version(&version_text) {
        Some(version) => version,
        None => semver::Version::parse(&version_text).map_err(|e| Error::InvalidVersion {
            path: path_buf(),
            version: version_text.clone(),
            reason: e.to_string(),
        })?,
    };
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
        unsafe { interface_table(d.interface_count, d.interfaces) }.map_err(|e| match e {
            TableError::Invalid(problem) => Error::InvalidInterfaceTable {
                path: path_buf(),
                problem,
            },
            TableError::Misaligned(m) => m.into_error(path),
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

/// `MAJOR.MINOR.PATCH` in plain decimal (no leading zero, no pre-release
/// or build), which nearly every plugin declares, read without `semver`'s
/// parser: a first load in a process pays for every piece of code it runs
/// for the first time. `None` for anything else, which `semver` then reads
/// (and accepts or refuses) as it always did; for the versions read here
/// it gives the same `Version`.
fn plain_version(text: &str) -> Option<semver::Version> {
    let mut parts = text.split('.');
    let mut number = || -> Option<u64> {
        let digits = parts.next()?;
        let plain = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !plain {
            return None;
        }
        digits.parse().ok()
    };
    let (major, minor, patch) = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    Some(semver::Version::new(major, minor, patch))
}

/// A pointer the plugin handed over that is not aligned for its type.
struct Misaligned {
    what: String,
    address: usize,
    align: usize,
}

impl Misaligned {
    fn into_error(self, path: &Path) -> Error {
        Error::Misaligned {
            path: path.to_path_buf(),
            what: self.what,
            address: self.address,
            align: self.align,
        }
    }
}

/// Refuses `pointer` unless it is aligned for `T`; `what` names it, and is
/// only called to say so (formatting a name for every pointer checked
/// would cost a first load more than the checks).
fn aligned<T>(pointer: *const T, what: impl FnOnce() -> String) -> Result<(), Misaligned> {
    aligned_to(pointer.cast(), align_of::<T>(), what)
}

fn aligned_to(
    pointer: *const u8,
    align: usize,
    what: impl FnOnce() -> String,
) -> Result<(), Misaligned> {
    if pointer.align_offset(align) == 0 {
        return Ok(());
    }
    Err(Misaligned {
        what: what(),
        address: pointer as usize,
        align,
    })
}

/// Why an interface table is refused.
enum TableError {
    Invalid(String),
    Misaligned(Misaligned),
}

impl From<String> for TableError {
    fn from(problem: String) -> Self {
        TableError::Invalid(problem)
    }
}

impl From<Misaligned> for TableError {
    fn from(misaligned: Misaligned) -> Self {
        TableError::Misaligned(misaligned)
    }
}

/// Checks the interface table: `count` non-NULL entries, then NULL.
///
/// # Safety
///
/// As for [`verify`].
unsafe fn interface_table(
    count: u32,
    table: *const *const tenon_interface,
) -> Result<Vec<Offered>, TableError> {
    if count > MAX_INTERFACES {
        return Err(format!(
            "interface_count is {count}, more than the {MAX_INTERFACES} a plugin may offer"
        )
        .into());
    }
    if table.is_null() {
        return if count == 0 {
            Ok(Vec::new())
        } else {
            Err(format!("interface_count is {count} but interfaces is NULL").into())
        };
    }
    aligned(table, || "the interface table".to_owned())?;
    let mut offered = Vec::with_capacity(count as usize);
    for index in 0..count as usize {
        // SAFETY: the table is aligned (checked above); a non-NULL table
        // has `count` entries and a terminator; a NULL met early stops the
        // walk before reading past it.
        let entry = unsafe { table.add(index).read() };
        if entry.is_null() {
            return Err(format!(
                "entry {index} is NULL but interface_count is {count}; the count must equal the number of entries before the NULL terminator"
            ).into());
        }
        aligned(entry, || format!("interface entry {index}"))?;
        // SAFETY: a non-NULL entry begins with its struct_size, and this
        // one is aligned for the whole entry (checked above).
        let size = unsafe { entry.cast::<u32>().read() };
        if (size as usize) < size_of::<tenon_interface>() {
            return Err(format!(
                "entry {index} has struct_size {size}, less than the {} bytes of ABI 1.0",
                size_of::<tenon_interface>()
            )
            .into());
        }
        // SAFETY: the entry has at least the fields of ABI 1.0.
        let entry = unsafe { entry.read() };
        // SAFETY: ids are NUL-terminated or NULL.
        let id =
            unsafe { c_text(entry.id, LABEL) }.map_err(|p| format!("entry {index}: id {p}"))?;
        if id.is_empty() {
            return Err(format!("entry {index}: id is empty").into());
        }
        if entry.vtable.is_null() {
            return Err(format!("entry {index} ({id:?}): vtable is NULL").into());
        }
        let vtable_name = || format!("the vtable of interface entry {index} ({id:?})");
        aligned(entry.vtable.cast::<u32>(), vtable_name)?;
        // SAFETY: every vtable begins with its uint32_t struct_size, and
        // this one is aligned for it.
        let vtable_size = unsafe { entry.vtable.cast::<u32>().read() };
        if (vtable_size as usize) < size_of::<u32>() {
            return Err(
                format!("entry {index} ({id:?}): vtable struct_size is {vtable_size}").into(),
            );
        }
        // Past struct_size come function pointers, which a C compiler
        // aligns the whole struct for; the host reads a vtable as its Rust
        // declaration, whose alignment is that of a pointer.
        if vtable_size as usize > size_of::<u32>() {
            aligned(entry.vtable.cast::<*const c_void>(), vtable_name)?;
        }
        // A scan, not a hash set: a plugin offers a handful of interfaces,
        // and a process's first `HashSet` seeds its hasher from the kernel
        // and runs code nothing else in a load needs (a tenth of the time
        // a first load spends outside `dlopen`). The worst case is bounded
        // by MAX_INTERFACES.
        // One id may be offered at several versions (a build that serves
        // hosts of both); the same id and version twice leaves a host no
        // way to tell which entry it asked for.
        if offered
            .iter()
            .any(|o: &Offered| o.info.id == id && o.info.version == entry.version)
        {
            return Err(format!(
                "interface {id:?} appears more than once at version {}",
                entry.version
            )
            .into());
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
        ).into());
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

#[cfg(test)]
mod tests {
    //! Misaligned tables, entries and vtables, built in memory: nothing
    //! here is read through a misaligned pointer, since each is refused
    //! before it is read.

    use super::*;
    use core::ptr::null;

    unsafe extern "C" fn create(
        _: *const tenon_host,
        _: tenon_str,
        _: *mut *mut c_void,
        _: *mut tenon_buffer,
    ) -> tenon_status {
        0
    }

    unsafe extern "C" fn destroy(_: *mut c_void) {}

    /// Bytes aligned for anything the host reads, to point into at an
    /// offset of our choosing.
    #[repr(C, align(16))]
    struct Bytes([u8; 64]);

    fn descriptor(
        count: u32,
        interfaces: *const *const tenon_interface,
    ) -> tenon_plugin_descriptor {
        tenon_plugin_descriptor {
            struct_size: size_of::<tenon_plugin_descriptor>() as u32,
            abi_major: AbiVersion::HOST.major,
            abi_minor: AbiVersion::HOST.minor,
            name: c"unit".as_ptr(),
            version: c"1.0.0".as_ptr(),
            description: null(),
            flags: 0,
            interface_count: count,
            interfaces,
            create: Some(create),
            destroy: Some(destroy),
        }
    }

    fn entry(vtable: *const c_void) -> tenon_interface {
        tenon_interface {
            struct_size: size_of::<tenon_interface>() as u32,
            version: 1,
            id: c"org.tenon.unit".as_ptr(),
            vtable,
        }
    }

    /// The misalignment `verify` reports for `descriptor`.
    fn misaligned(descriptor: &tenon_plugin_descriptor) -> (String, usize, usize) {
        // SAFETY: every pointer in the descriptor points to live memory
        // of this test, or is misaligned and refused before it is read.
        match unsafe { verify(Path::new("unit"), descriptor) } {
            Err(Error::Misaligned {
                what,
                address,
                align,
                ..
            }) => (what, address, align),
            Err(other) => panic!("expected Misaligned, got {other}"),
            Ok(_) => panic!("expected Misaligned, got a verified plugin"),
        }
    }

    #[test]
    fn a_misaligned_descriptor_is_refused_before_it_is_read() {
        let bytes = Bytes([0; 64]);
        let odd = bytes.0.as_ptr().wrapping_add(1);
        // SAFETY: refused before anything is read through it.
        let result = unsafe { verify(Path::new("unit"), odd.cast()) };
        match result {
            Err(Error::Misaligned { what, address, .. }) => {
                assert_eq!(what, "the descriptor");
                assert_eq!(address, odd as usize);
            }
            Err(other) => panic!("expected Misaligned, got {other}"),
            Ok(_) => panic!("expected Misaligned"),
        }
    }

    #[test]
    fn a_misaligned_interface_table_is_refused() {
        let bytes = Bytes([0; 64]);
        let table = bytes.0.as_ptr().wrapping_add(4).cast();
        let (what, _, align) = misaligned(&descriptor(1, table));
        assert_eq!(what, "the interface table");
        assert_eq!(align, align_of::<*const tenon_interface>());
    }

    #[test]
    fn a_misaligned_interface_entry_is_refused() {
        let bytes = Bytes([0; 64]);
        let table = [bytes.0.as_ptr().wrapping_add(2).cast(), null()];
        let (what, _, align) = misaligned(&descriptor(1, table.as_ptr()));
        assert_eq!(what, "interface entry 0");
        assert_eq!(align, align_of::<tenon_interface>());
    }

    #[test]
    fn a_vtable_not_aligned_for_its_struct_size_is_refused() {
        let bytes = Bytes([0; 64]);
        let odd = entry(bytes.0.as_ptr().wrapping_add(1).cast());
        let table = [&odd as *const tenon_interface, null()];
        let (what, _, align) = misaligned(&descriptor(1, table.as_ptr()));
        assert_eq!(what, "the vtable of interface entry 0 (\"org.tenon.unit\")");
        assert_eq!(align, align_of::<u32>());
    }

    #[test]
    fn a_vtable_with_methods_must_be_aligned_for_a_pointer() {
        if align_of::<*const c_void>() <= align_of::<u32>() {
            return;
        }
        // struct_size 16 (a size-first vtable with one method), at an
        // address aligned for the u32 but not for the function pointers.
        let mut bytes = Bytes([0; 64]);
        bytes.0[4..8].copy_from_slice(&16u32.to_ne_bytes());
        let vtable = entry(bytes.0.as_ptr().wrapping_add(4).cast());
        let table = [&vtable as *const tenon_interface, null()];
        let (what, _, align) = misaligned(&descriptor(1, table.as_ptr()));
        assert!(
            what.starts_with("the vtable of interface entry 0"),
            "{what}"
        );
        assert_eq!(align, align_of::<*const c_void>());

        // The same bytes at an aligned address pass.
        let mut bytes = Bytes([0; 64]);
        bytes.0[..4].copy_from_slice(&16u32.to_ne_bytes());
        let vtable = entry(bytes.0.as_ptr().cast());
        let table = [&vtable as *const tenon_interface, null()];
        // SAFETY: every pointer points to live memory of this test.
        let verified = unsafe { verify(Path::new("unit"), &descriptor(1, table.as_ptr())) };
        assert!(verified.is_ok());
    }

    /// One id may be offered at several versions, each once; the offered
    /// interfaces are then looked up by id and version.
    #[test]
    fn an_id_is_offered_once_per_version() {
        let mut bytes = Bytes([0; 64]);
        bytes.0[..4].copy_from_slice(&4u32.to_ne_bytes());
        let vtable = bytes.0.as_ptr().cast();
        let first = entry(vtable);
        let third = tenon_interface {
            version: 3,
            ..entry(vtable)
        };
        let table = [&first as *const tenon_interface, &third, null()];
        // SAFETY: every pointer points to live memory of this test.
        let verified = unsafe { verify(Path::new("unit"), &descriptor(2, table.as_ptr())) }
            .unwrap_or_else(|error| panic!("{error}"));
        let info = &verified.info;
        assert_eq!(
            crate::plugin::offered_index(info, "org.tenon.unit", 1).ok(),
            Some(0)
        );
        assert_eq!(
            crate::plugin::offered_index(info, "org.tenon.unit", 3).ok(),
            Some(1)
        );
        let error = crate::plugin::offered_index(info, "org.tenon.unit", 2).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("at versions 1 and 3 only, but version 2 was asked for"),
            "{error}"
        );
        assert!(matches!(
            error,
            Error::InterfaceVersionMismatch { offered: 3, ref versions, requested: 2, .. }
                if versions == &[1, 3]
        ));

        let again = entry(vtable);
        let table = [&first as *const tenon_interface, &third, &again, null()];
        // SAFETY: as above.
        match unsafe { verify(Path::new("unit"), &descriptor(3, table.as_ptr())) } {
            Err(Error::InvalidInterfaceTable { problem, .. }) => assert_eq!(
                problem,
                "interface \"org.tenon.unit\" appears more than once at version 1"
            ),
            Err(other) => panic!("expected InvalidInterfaceTable, got {other}"),
            Ok(_) => panic!("the same id and version twice was accepted"),
        }
    }
}

#[cfg(test)]
mod plain_version_tests {
    use super::plain_version;

    /// Every version read without `semver` is the one `semver` reads, and
    /// everything else is left to it.
    #[test]
    fn plain_versions_are_read_as_semver_reads_them() {
        for text in ["0.0.0", "1.2.3", "10.20.30", "18446744073709551615.0.1"] {
            assert_eq!(
                plain_version(text),
                Some(semver::Version::parse(text).unwrap())
            );
        }
        for text in [
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "1.2.3-rc.1",
            "1.2.3+build",
            "",
            "1..3",
            "a.b.c",
            " 1.2.3",
            "1.2.3 ",
            "+1.2.3",
            "18446744073709551616.0.0",
        ] {
            assert_eq!(plain_version(text), None, "{text:?}");
        }
    }
}
