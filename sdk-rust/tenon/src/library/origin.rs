//! Linux: the libraries a plugin finds through `$ORIGIN` when it is mapped
//! from a descriptor.
//!
//! A private copy (a required digest, every build of a reloadable) and an
//! isolated plugin are handed to `dlopen` as `/proc/self/fd/N`, so that the
//! bytes checked are the bytes mapped. The dynamic loader takes `$ORIGIN`
//! from the text of that name, `/proc/self/fd`, and the libraries a plugin
//! ships beside itself would not be found. So before such a plugin is
//! loaded, every library it needs that its run path finds through
//! `$ORIGIN` (or `${ORIGIN}`), read as the directory of the original file,
//! is loaded by its full path, the libraries it needs first. Loaded from a
//! real path, their own `$ORIGIN` is right. The loader then satisfies the
//! plugin's `DT_NEEDED` entry from the library already loaded, which it
//! recognises by its `DT_SONAME` (glibc compares a needed name with the
//! names a loaded library was opened by, here a full path, and with its
//! SONAME): a library without a SONAME equal to the needed name would not
//! be recognised, and is refused with a reason that says so.
//!
//! The run path is searched as the loader searches it, in order: an entry
//! that does not use `$ORIGIN` and has the library is left to the loader,
//! which then finds it there itself, and so is a name that is already
//! loaded (the loader would use that one) or, for a `DT_RUNPATH`, one in
//! `LD_LIBRARY_PATH`, which the loader searches first. A `DT_RPATH` (used
//! only without a `DT_RUNPATH`) also serves the libraries those need,
//! unless they have a `DT_RUNPATH` of their own; a `DT_RUNPATH` serves the
//! plugin's own needs only. Everything is loaded `RTLD_LOCAL`, as the
//! plugin is, and the host's references are dropped once the plugin holds
//! its own, so the libraries leave the process with it.

use object::elf::{FileHeader32, FileHeader64, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME};
use object::elf::{DT_STRSZ, DT_STRTAB, PT_DYNAMIC, PT_LOAD};
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use object::read::ReadCache;
use object::{Endianness, ReadRef};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Why a library the plugin finds through `$ORIGIN` was not loaded.
pub(crate) struct DependencyRefused {
    /// The library, in the plugin's directory (or where its run path
    /// points from there).
    pub path: PathBuf,
    /// The name the plugin (or a library of its) needs it by.
    pub needed: String,
    /// Why: the loader's words, or the SONAME that does not match.
    pub reason: String,
}

/// Loads the libraries that `plugin` (the file about to be loaded through
/// its descriptor, whose original lies in `dir`) finds through `$ORIGIN`.
/// Hold the result until the plugin is loaded, then drop it.
pub(crate) fn load(
    plugin: &File,
    dir: &Path,
) -> Result<Vec<libloading::Library>, DependencyRefused> {
    let mut loaded = Vec::new();
    let Some(dynamic) = read_dynamic(plugin) else {
        // Not an ELF file the loader would map anyway: it says why.
        return Ok(loaded);
    };
    let (path, inherited) = match (&dynamic.runpath, &dynamic.rpath) {
        (Some(runpath), _) => (runpath, false),
        (None, Some(rpath)) => (rpath, true),
        (None, None) => return Ok(loaded),
    };
    let entries = run_path(path, dir, true);
    if !entries.iter().any(|entry| entry.origin) {
        return Ok(loaded);
    }
    let mut seen = HashSet::new();
    for name in &dynamic.needed {
        load_one(name, &entries, inherited, &mut seen, &mut loaded)?;
    }
    Ok(loaded)
}

/// A directory of a run path, and whether it came from the plugin's
/// `$ORIGIN` (the one the loader gets wrong).
struct Entry {
    dir: PathBuf,
    origin: bool,
}

/// The entries of the run path `path` of a library in `dir`; `plugin`
/// says whether that library is the plugin (whose `$ORIGIN` entries are
/// the loader's mistake) or one of its libraries (mapped from a real path,
/// every entry of which the loader gets right).
fn run_path(path: &[u8], dir: &Path, plugin: bool) -> Vec<Entry> {
    let mut entries = Vec::new();
    for entry in path.split(|&b| b == b':') {
        let origin = contains(entry, b"$ORIGIN") || contains(entry, b"${ORIGIN}");
        let expanded = replace(&replace(entry, b"${ORIGIN}", dir), b"$ORIGIN", dir);
        if expanded.is_empty() || expanded.contains(&b'$') {
            // The current directory, or `$LIB`, `$PLATFORM`: the loader's
            // own business, and never beside the plugin.
            continue;
        }
        entries.push(Entry {
            dir: PathBuf::from(OsStr::from_bytes(&expanded)),
            origin: origin && plugin,
        });
    }
    entries
}

/// Loads the library `name` if `entries` find it through the plugin's
/// `$ORIGIN` before anywhere the loader looks itself, after the libraries
/// it needs that `entries` serve too (`inherited`, a `DT_RPATH`).
fn load_one(
    name: &[u8],
    entries: &[Entry],
    inherited: bool,
    seen: &mut HashSet<Vec<u8>>,
    loaded: &mut Vec<libloading::Library>,
) -> Result<(), DependencyRefused> {
    if name.is_empty() || name.contains(&b'/') || !seen.insert(name.to_vec()) {
        // A name with a slash is a path, which the loader does not search for.
        return Ok(());
    }
    let name_os = OsStr::from_bytes(name);
    if already_loaded(name_os) || (!inherited && in_library_path(name_os)) {
        return Ok(());
    }
    let Some(found) = entries.iter().find(|e| e.dir.join(name_os).is_file()) else {
        // Nowhere on the run path: the loader searches further, and says
        // so if it is nowhere.
        return Ok(());
    };
    if !found.origin {
        return Ok(());
    }
    let path = found.dir.join(name_os);
    let needed = String::from_utf8_lossy(name).into_owned();
    let refuse = |reason: String| DependencyRefused {
        path: path.clone(),
        needed: needed.clone(),
        reason,
    };
    let file = File::open(&path).map_err(|e| refuse(format!("cannot open it: {e}")))?;
    let dynamic = read_dynamic(&file);
    drop(file);
    if let Some(dynamic) = &dynamic {
        // musl recognises a loaded library by its file name too; glibc only
        // by the names it was opened by and its SONAME.
        if cfg!(target_env = "gnu") && dynamic.soname.as_deref() != Some(name) {
            let has = match &dynamic.soname {
                None => "has no SONAME".to_owned(),
                Some(soname) => format!("has the SONAME `{}`", String::from_utf8_lossy(soname)),
            };
            return Err(refuse(format!(
                "it {has}, so the loader would not recognise it as `{needed}` once loaded from the plugin's directory (link it with `-Wl,-soname,{needed}`)"
            )));
        }
        if inherited && dynamic.runpath.is_none() {
            // The plugin's DT_RPATH serves this library's needs too, after
            // its own DT_RPATH.
            let parent = path.parent().unwrap_or(Path::new("/"));
            let mut own = dynamic
                .rpath
                .as_deref()
                .map(|rpath| run_path(rpath, parent, false))
                .unwrap_or_default();
            own.extend(entries.iter().map(|e| Entry {
                dir: e.dir.clone(),
                origin: e.origin,
            }));
            for inner in &dynamic.needed {
                load_one(inner, &own, inherited, seen, loaded)?;
            }
        }
    }
    // SAFETY: loading runs the library's initializers: it is a dependency
    // of the plugin, which the loader would run anyway when loading the
    // plugin (the trust a host places in every in-process plugin). The
    // path holds a slash, so no search path is consulted for it.
    match unsafe { libloading::Library::new(&path) } {
        Ok(library) => {
            loaded.push(library);
            Ok(())
        }
        Err(error) => Err(refuse(error.to_string())),
    }
}

/// Whether a library that a plugin needing `name` would be given is loaded
/// in this process: one opened by that name or whose SONAME it is.
fn already_loaded(name: &OsStr) -> bool {
    // RTLD_NOLOAD (glibc and musl): only look, load nothing. libloading
    // does not name the flag.
    const RTLD_NOLOAD: i32 = 0x4;
    // SAFETY: with RTLD_NOLOAD nothing is loaded and no initializer runs;
    // a library found is only closed again (dropping the handle undoes the
    // reference the probe took).
    unsafe {
        libloading::os::unix::Library::open(
            Some(name),
            RTLD_NOLOAD | libloading::os::unix::RTLD_LAZY,
        )
    }
    .is_ok()
}

/// Whether a directory of `LD_LIBRARY_PATH`, which the loader searches
/// before a `DT_RUNPATH`, has a file named `name`.
fn in_library_path(name: &OsStr) -> bool {
    let Some(path) = std::env::var_os("LD_LIBRARY_PATH") else {
        return false;
    };
    path.as_bytes()
        .split(|&b| b == b':' || b == b';')
        .filter(|dir| !dir.is_empty())
        .any(|dir| Path::new(OsStr::from_bytes(dir)).join(name).is_file())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn replace(text: &[u8], pattern: &[u8], dir: &Path) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with(pattern) {
            out.extend_from_slice(dir.as_os_str().as_bytes());
            rest = &rest[pattern.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// What a library's dynamic section says about finding what it needs.
#[derive(Default)]
struct Dynamic {
    needed: Vec<Vec<u8>>,
    runpath: Option<Vec<u8>>,
    rpath: Option<Vec<u8>>,
    soname: Option<Vec<u8>>,
}

/// The dynamic section of an ELF file, read as the loader reads it (from
/// the program headers; sections may be stripped). `None` for a file that
/// is not ELF or whose dynamic section cannot be read: the loader judges
/// it.
fn read_dynamic(file: &File) -> Option<Dynamic> {
    let data = ReadCache::new(file);
    let ident = data.read_bytes_at(0, 16).ok()?;
    match ident.get(4) {
        Some(&object::elf::ELFCLASS64) => dynamic_as::<FileHeader64<Endianness>, _>(&data),
        Some(&object::elf::ELFCLASS32) => dynamic_as::<FileHeader32<Endianness>, _>(&data),
        _ => None,
    }
}

fn dynamic_as<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: R,
) -> Option<Dynamic> {
    let header = Elf::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let segments = header.program_headers(endian, data).ok()?;
    let entries = segments
        .iter()
        .find(|s| s.p_type(endian) == PT_DYNAMIC)?
        .dynamic(endian, data)
        .ok()??;
    let tag_of = |d: &Elf::Dyn| -> i64 { d.d_tag(endian).into() };
    let value = |tag: i64| {
        entries
            .iter()
            .find(|d| tag_of(d) == tag)
            .map(|d| d.d_val(endian).into())
    };
    let (strtab, strsz): (u64, u64) = (value(DT_STRTAB)?, value(DT_STRSZ)?);
    let strings = segments
        .iter()
        .filter(|s| s.p_type(endian) == PT_LOAD)
        .find_map(|s| s.data_range(endian, data, strtab, strsz).ok().flatten())?;
    let string = |offset: u64| -> Option<Vec<u8>> {
        let rest = strings.get(usize::try_from(offset).ok()?..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some(rest[..end].to_vec())
    };
    let mut dynamic = Dynamic::default();
    for entry in entries {
        let tag = tag_of(entry);
        if tag == object::elf::DT_NULL {
            break;
        }
        let offset: u64 = entry.d_val(endian).into();
        match tag {
            DT_NEEDED => dynamic.needed.extend(string(offset)),
            DT_RUNPATH => dynamic.runpath = string(offset),
            DT_RPATH => dynamic.rpath = string(offset),
            DT_SONAME => dynamic.soname = string(offset),
            _ => {}
        }
    }
    Some(dynamic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(entries: &[Entry]) -> Vec<(String, bool)> {
        entries
            .iter()
            .map(|e| (e.dir.display().to_string(), e.origin))
            .collect()
    }

    #[test]
    fn both_spellings_of_origin_are_the_original_directory() {
        let entries = run_path(
            b"/opt/lib:$ORIGIN:${ORIGIN}/../lib::$ORIGIN/$LIB",
            Path::new("/plugins"),
            true,
        );
        assert_eq!(
            dirs(&entries),
            [
                ("/opt/lib".to_owned(), false),
                ("/plugins".to_owned(), true),
                ("/plugins/../lib".to_owned(), true),
            ]
        );
    }

    #[test]
    fn a_library_s_own_origin_is_the_loader_s_business() {
        let entries = run_path(b"$ORIGIN", Path::new("/plugins"), false);
        assert_eq!(dirs(&entries), [("/plugins".to_owned(), false)]);
    }

    #[test]
    fn the_dynamic_section_of_a_library_is_read() {
        // This test program needs the C library, by its SONAME.
        let exe = File::open("/proc/self/exe").unwrap();
        let dynamic = read_dynamic(&exe).expect("an ELF file");
        assert!(
            dynamic.needed.iter().any(|n| n.starts_with(b"libc.so")),
            "{:?}",
            dynamic
                .needed
                .iter()
                .map(|n| String::from_utf8_lossy(n))
                .collect::<Vec<_>>()
        );
    }
}
