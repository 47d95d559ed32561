//! Windows: the DLLs a plugin imports from its own directory.
//!
//! `LoadLibraryExW` of a plugin looks for the DLLs the plugin imports in
//! the program's directory, the system directories, the current directory
//! and `PATH`, but not in the plugin's directory; and a private copy (a
//! reloadable, a required digest) lies in the temporary directory, where
//! none of them are. So before the plugin is loaded, every DLL in the
//! directory of the original file that the plugin imports, directly or
//! through other DLLs found there, is loaded by its full path, the ones it
//! imports first; a name the process has already loaded is left alone, as
//! the loader would use the loaded module. The loader then finds each of
//! them among the modules already loaded, which it checks before any
//! directory, and the plugin takes its own references to them: ours are
//! released as soon as the plugin is loaded (or refused), so they leave the
//! process with it.
//!
//! Nothing process-wide is changed (`SetDllDirectoryW`, `AddDllDirectory`
//! would be seen by every load on every thread meanwhile, and the
//! `LOAD_LIBRARY_SEARCH_*` flags would drop the current directory and
//! `PATH` from the search), so loads on other threads are not affected and
//! everything not beside the plugin is found as before.

use object::read::pe::{ImageNtHeaders, PeFile};
use object::read::ReadCache;
use object::{FileKind, LittleEndian as LE, ReadRef};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::File;
use std::os::windows::ffi::OsStrExt;
use std::path::{Path, PathBuf};

extern "system" {
    fn GetModuleHandleW(name: *const u16) -> isize;
    fn SearchPathW(
        path: *const u16,
        file_name: *const u16,
        extension: *const u16,
        buffer_length: u32,
        buffer: *mut u16,
        file_part: *mut *mut u16,
    ) -> u32;
}

/// A DLL beside the plugin that did not load: its path and the loader's
/// error.
pub(crate) struct DependencyRefused {
    /// The DLL, in the plugin's directory.
    pub path: PathBuf,
    /// Why the loader refused it.
    pub error: libloading::Error,
}

/// Loads the DLLs in `dir` that `plugin` (the file about to be loaded,
/// whose original is `dir`'s file named `original_name`) imports, directly
/// or through each other. Hold the result until the plugin is loaded, then
/// drop it.
pub(crate) fn load(
    plugin: &File,
    dir: &Path,
    original_name: Option<&OsStr>,
) -> Result<Vec<libloading::Library>, DependencyRefused> {
    let mut seen = HashSet::new();
    // The plugin itself is never loaded from its directory here: for a
    // private copy that would map, and lock, the original.
    if let Some(name) = original_name.and_then(OsStr::to_str) {
        seen.insert(name.to_ascii_lowercase());
    }
    let mut loaded = Vec::new();
    for name in imported_dlls(&ReadCache::new(plugin)) {
        load_one(dir, &name, &mut seen, &mut loaded)?;
    }
    Ok(loaded)
}

/// Loads `dir\name`, after the DLLs in `dir` it imports, if it is there,
/// not seen before and not already in the process.
fn load_one(
    dir: &Path,
    name: &str,
    seen: &mut HashSet<String>,
    loaded: &mut Vec<libloading::Library>,
) -> Result<(), DependencyRefused> {
    if !plain_file_name(name) || !seen.insert(name.to_ascii_lowercase()) || already_loaded(name) {
        return Ok(());
    }
    let path = dir.join(name);
    let Ok(file) = File::open(&path) else {
        // Not beside the plugin (or unreadable): the loader searches for it
        // as for any other, and says so if it is nowhere.
        return Ok(());
    };
    for import in imported_dlls(&ReadCache::new(&file)) {
        load_one(dir, &import, seen, loaded)?;
    }
    drop(file);
    // SAFETY: loading runs the DLL's initializers: it is a dependency of
    // the plugin, which the loader would run anyway when loading the
    // plugin (the trust a host places in every in-process plugin). The
    // path is absolute, so no search path is consulted for it.
    match unsafe { libloading::Library::new(&path) } {
        Ok(library) => {
            loaded.push(library);
            Ok(())
        }
        Err(error) => Err(DependencyRefused { path, error }),
    }
}

/// The DLLs `plugin` imports that Windows finds nowhere: none of that name
/// is loaded in this process, none is in `dir`, and `SearchPathW` (the
/// program's directory, the current directory, the system directories,
/// `PATH`) finds none. For the error of a load that failed with
/// `ERROR_MOD_NOT_FOUND` (os error 126), whose words do not say which. API
/// set names (`api-ms-*`, `ext-ms-*`), which the loader resolves without a
/// file of that name, are never listed.
pub(crate) fn found_nowhere(plugin: &File, dir: &Path) -> Vec<String> {
    imported_dlls(&ReadCache::new(plugin))
        .into_iter()
        .filter(|name| {
            let lower = name.to_ascii_lowercase();
            let api_set = lower.starts_with("api-ms-") || lower.starts_with("ext-ms-");
            let beside = plain_file_name(name) && dir.join(name).is_file();
            !(api_set || beside || already_loaded(name) || on_search_path(name))
        })
        .collect()
}

/// Whether `SearchPathW` finds a file named `name` where it looks by
/// default.
fn on_search_path(name: &str) -> bool {
    let wide: Vec<u16> = OsStr::new(name).encode_wide().chain([0]).collect();
    let mut found = vec![0u16; 1024];
    let capacity = u32::try_from(found.len()).unwrap_or(u32::MAX);
    // SAFETY: `wide` is NUL-terminated, `found` holds `capacity` u16s and
    // both outlive the call; a NULL path asks for the default search, and
    // a NULL file part is allowed.
    let length = unsafe {
        SearchPathW(
            std::ptr::null(),
            wide.as_ptr(),
            std::ptr::null(),
            capacity,
            found.as_mut_ptr(),
            std::ptr::null_mut(),
        )
    };
    length != 0
}

/// Whether a DLL named `name` is loaded in this process (by base name, as
/// the loader matches an import).
fn already_loaded(name: &str) -> bool {
    let wide: Vec<u16> = OsStr::new(name).encode_wide().chain([0]).collect();
    // SAFETY: `wide` is NUL-terminated and outlives the call, which only
    // looks the name up and takes no reference on the module.
    unsafe { GetModuleHandleW(wide.as_ptr()) != 0 }
}

/// A bare file name: an import naming a path (`..\x.dll`, `C:x.dll`) is
/// left to the loader.
fn plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', ':'])
}

/// The names of the DLLs a PE file imports (its import directory; delay
/// loads are not included: they are searched for when first called); none
/// for a file that is not PE or whose table cannot be read, which the
/// loader then judges.
fn imported_dlls<'data, R: ReadRef<'data>>(data: R) -> Vec<String> {
    match FileKind::parse(data) {
        Ok(FileKind::Pe64) => imports::<object::pe::ImageNtHeaders64, R>(data),
        Ok(FileKind::Pe32) => imports::<object::pe::ImageNtHeaders32, R>(data),
        _ => Vec::new(),
    }
}

fn imports<'data, Pe: ImageNtHeaders, R: ReadRef<'data>>(data: R) -> Vec<String> {
    let mut names = Vec::new();
    let Ok(file) = PeFile::<Pe, R>::parse(data) else {
        return names;
    };
    let Ok(Some(table)) = file.import_table() else {
        return names;
    };
    let Ok(mut descriptors) = table.descriptors() else {
        return names;
    };
    while let Ok(Some(descriptor)) = descriptors.next() {
        if let Ok(name) = table.name(descriptor.name.get(LE)) {
            if let Ok(name) = std::str::from_utf8(name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}
