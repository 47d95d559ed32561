//! Loaded plugins and their metadata.

use crate::boundary::{fallible, infallible};
use crate::error::{c_str, c_string, out, tenon_error, CError};
use crate::handle::{borrow, into_handle, release, release_by, Handle, Kind};
use crate::options::tenon_options;
use core::ffi::c_char;
use std::ffi::CString;
use tenon::sys::tenon_plugin_entry_v1;

/// A loaded, verified plugin. Opaque; made by `tenon_plugin_load`, freed
/// with `tenon_plugin_free`.
pub struct tenon_plugin {
    pub(crate) plugin: tenon::Plugin,
    name: CString,
    version: CString,
    description: Option<CString>,
    path: CString,
    interfaces: Vec<(CString, u32)>,
}

impl Handle for tenon_plugin {
    const KIND: Kind = Kind::Plugin;
}

impl tenon_plugin {
    fn new(plugin: tenon::Plugin) -> Self {
        let info = plugin.info();
        tenon_plugin {
            name: c_string(info.name.clone()),
            version: c_string(info.version.to_string()),
            description: info.description.clone().map(c_string),
            path: c_string(info.path.display().to_string()),
            interfaces: info
                .interfaces
                .iter()
                .map(|i| (c_string(i.id.clone()), i.version))
                .collect(),
            plugin,
        }
    }
}

/// Loads and verifies the plugin at `path` (NUL-terminated UTF-8) with
/// `options` (NULL: in process, no services, no checksum), as the Rust
/// host's `Loader::load` does: the file's headers, its entry, its ABI and
/// its metadata are checked before anything is trusted.
///
/// Ownership: on success `*out` is a new plugin the caller frees with
/// `tenon_plugin_free`, and NULL is returned; on failure `*out` is set to
/// NULL and an error the caller frees is returned. `options` is only read.
///
/// Loading in process runs the library's initializers: load only plugins
/// you trust as much as your own code, or load them isolated.
///
/// Threads: any thread; several loads may run at once.
#[no_mangle]
pub extern "C" fn tenon_plugin_load(
    path: *const c_char,
    options: *const tenon_options,
    out_plugin: *mut *mut tenon_plugin,
) -> *mut tenon_error {
    load_into(out_plugin, options, |loader| {
        let path = c_str(path, "path")?;
        Ok(loader.load(path)?)
    })
}

/// What both loads share: `*out_plugin` cleared first, the loader the
/// `options` describe (NULL: the defaults) given to `load`, and the plugin
/// it makes handed out as a new handle.
fn load_into(
    out_plugin: *mut *mut tenon_plugin,
    options: *const tenon_options,
    load: impl FnOnce(&tenon::Loader) -> Result<tenon::Plugin, CError>,
) -> *mut tenon_error {
    fallible(|| {
        let out_plugin = out(out_plugin, "out")?;
        // SAFETY: checked non-NULL; the caller lends a writable pointer.
        unsafe { out_plugin.write(core::ptr::null_mut()) };
        // An isolated plugin's output goes to the subscriber current now.
        crate::logging::install();
        let loader = if options.is_null() {
            tenon::Loader::new()
        } else {
            borrow(options, "options")?.loader()?
        };
        let plugin = load(&loader)?;
        let handle = into_handle(tenon_plugin::new(plugin));
        // SAFETY: as above.
        unsafe { out_plugin.write(handle) };
        Ok(())
    })
}

/// Verifies a plugin linked into this program (a static build,
/// `docs/static.md`) through its entry `entry` — `tenon_plugin_v1_<id>` of
/// a C or C++ plugin compiled with `-DTENON_STATIC_PLUGIN=<id>`, or of a
/// Zig plugin built with `zig build -Dstatic=<id>` — exactly as a loaded
/// file's descriptor is verified, and gives it as a plugin labelled `name`
/// (NUL-terminated UTF-8, not empty): its errors and `tenon_plugin_path`
/// say `static:<name>`, where a file's say its path. The label is the
/// host's own and is not checked against the plugin: `tenon_plugin_name`
/// returns the name in the plugin's metadata, as for a file. The entry
/// runs now, as a file's entry runs when it is loaded.
///
/// `options` (NULL: none) give its host services. A static plugin runs in
/// this process and is never unloaded: options that isolate fail the call
/// with kind `isolation_unsupported` (isolate a file build instead), and a
/// digest set with `tenon_options_sha256` does not apply (there is no
/// file).
///
/// Ownership: on success `*out` is a new plugin the caller frees with
/// `tenon_plugin_free` (which unloads nothing), and NULL is returned; on
/// failure `*out` is set to NULL and an error the caller frees is
/// returned. A plugin whose descriptor fails verification gives the error
/// a file build of it would (`null_descriptor`, `invalid_metadata`, ...).
///
/// Threads: any thread; several calls may run at once.
#[no_mangle]
pub extern "C" fn tenon_plugin_load_static(
    name: *const c_char,
    entry: tenon_plugin_entry_v1,
    options: *const tenon_options,
    out_plugin: *mut *mut tenon_plugin,
) -> *mut tenon_error {
    load_into(out_plugin, options, |loader| {
        let name = c_str(name, "name")?;
        if name.is_empty() {
            return Err(CError::invalid_argument(
                "argument `name` is empty: a static plugin is known by its name".to_owned(),
            ));
        }
        let entry = entry.ok_or_else(|| CError::null_argument("entry"))?;
        Ok(loader.load_static(name, entry)?)
    })
}

/// Frees a plugin handle. The library is closed (or the isolated
/// plugin's process ended) once this handle and every instance made from
/// it are freed; instances stay usable until then. NULL is a no-op, and so
/// is a pointer that is not a live plugin.
///
/// Closing is not unloading: the dynamic loader may keep a closed library
/// mapped (`-z nodelete`, g++'s unique symbols, thread-local destructors
/// still owed by a live thread; `docs/unload.md`), and this call does not
/// check whether it did: free with `tenon_plugin_unload` instead to learn
/// it. A static plugin is never unloaded; an isolated plugin's process
/// always ends.
///
/// When the free that ends an isolated plugin's process returns, every
/// line the plugin logged or printed has been passed to the log handler
/// (`tenon_log_set_handler`): it waits for them until the process's output
/// is read to its end (on Windows the free ends the processes the plugin
/// started too, which would keep it open) or (Linux, macOS) up to the
/// process's exit, a second at most, and not at all when no handler is
/// set. So do not free it while holding a lock the handler takes.
///
/// Threads: any thread, once no other call uses `plugin`.
#[no_mangle]
pub extern "C" fn tenon_plugin_free(plugin: *mut tenon_plugin) {
    infallible((), || drop(release(plugin)));
}

/// Frees `plugin` as `tenon_plugin_free` does and, when it was the last
/// owner of its library (no other instance made from it is alive),
/// closes the library and checks whether it really left the process
/// (`docs/unload.md`). Returns the outcome's stable name, a static string:
///
/// - `"unloaded"`: closed, and no longer mapped (checked on Linux and
///   Windows);
/// - `"process_ended"`: an isolated plugin, whose process was ended;
/// - `"still_in_use"`: instances made from it are alive; nothing was
///   closed yet (it is closed, unchecked, when the last is freed);
/// - `"still_mapped"`: closed but still mapped; a `warn` log event (target
///   `tenon`, to the handler of `tenon_log_set_handler`) names each likely
///   reason (`nodelete`, `unique_symbols`, `thread_local_destructors`,
///   `opened_again`, `unknown`) with how to build the plugin so it goes
///   away (for `thread_local_destructors` on the process's main thread,
///   also that if the plugin was called on that thread, it cannot go away
///   before the process exits);
/// - `"static"`: linked into the host (`tenon_plugin_load_static`), never
///   unloaded;
/// - `"not_verified"`: closed; this platform has no check, or it failed.
///
/// NULL, and nothing freed, when `plugin` is NULL or not a live plugin.
///
/// Threads: any thread, once no other call uses `plugin`.
#[no_mangle]
pub extern "C" fn tenon_plugin_unload(plugin: *mut tenon_plugin) -> *const c_char {
    infallible(core::ptr::null(), || {
        let Some(plugin) = release_by(plugin, "tenon_plugin_unload") else {
            return core::ptr::null();
        };
        let outcome = plugin.plugin.unload();
        if let tenon::UnloadOutcome::StillMapped(still) = &outcome {
            for reason in still.reasons() {
                let note = match still.main_thread_note() {
                    Some(note) if *reason == tenon::PinReason::ThreadLocalDestructors => {
                        format!("; {note}")
                    }
                    _ => String::new(),
                };
                tracing::warn!(
                    target: "tenon",
                    plugin = %plugin.name.to_string_lossy(),
                    path = %plugin.path.to_string_lossy(),
                    reason = reason.name(),
                    "the library stays in the process after unloading: {reason}; to fix: {}{note}",
                    reason.advice()
                );
            }
        }
        outcome_name(&outcome).as_ptr()
    })
}

/// The outcome's name as a static C string. `UnloadOutcome` is
/// non-exhaustive: a kind this list does not know yet claims nothing.
fn outcome_name(outcome: &tenon::UnloadOutcome) -> &'static core::ffi::CStr {
    match outcome.name() {
        "unloaded" => c"unloaded",
        "process_ended" => c"process_ended",
        "still_in_use" => c"still_in_use",
        "still_mapped" => c"still_mapped",
        "static" => c"static",
        _ => c"not_verified",
    }
}

/// Reads a metadata string of a live plugin, or NULL.
fn text(
    plugin: *const tenon_plugin,
    field: fn(&tenon_plugin) -> Option<&CString>,
) -> *const c_char {
    infallible(core::ptr::null(), || {
        borrow(plugin, "plugin")
            .ok()
            .and_then(field)
            .map_or(core::ptr::null(), |s| s.as_ptr())
    })
}

/// The plugin's name (UTF-8). Valid until `tenon_plugin_free(plugin)`;
/// NULL if `plugin` is not a live plugin. Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_name(plugin: *const tenon_plugin) -> *const c_char {
    text(plugin, |p| Some(&p.name))
}

/// The plugin's version (semver text). Valid until
/// `tenon_plugin_free(plugin)`; NULL if `plugin` is not a live plugin.
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_version(plugin: *const tenon_plugin) -> *const c_char {
    text(plugin, |p| Some(&p.version))
}

/// The plugin's one-line description, or NULL if it has none (or `plugin`
/// is not a live plugin). Valid until `tenon_plugin_free(plugin)`.
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_description(plugin: *const tenon_plugin) -> *const c_char {
    text(plugin, |p| p.description.as_ref())
}

/// The file the plugin was loaded from (canonical path). Valid until
/// `tenon_plugin_free(plugin)`; NULL if `plugin` is not a live plugin.
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_path(plugin: *const tenon_plugin) -> *const c_char {
    text(plugin, |p| Some(&p.path))
}

/// The plugin's raw `TENON_PLUGIN_*` flags (0 if `plugin` is not a live
/// plugin). Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_flags(plugin: *const tenon_plugin) -> u64 {
    infallible(0, || {
        borrow(plugin, "plugin").map_or(0, |p| p.plugin.info().flags)
    })
}

/// Whether the plugin runs in a child process (false too if `plugin` is
/// not a live plugin). Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_is_isolated(plugin: *const tenon_plugin) -> bool {
    infallible(false, || {
        borrow(plugin, "plugin").is_ok_and(|p| p.plugin.is_isolated())
    })
}

/// Whether the plugin is linked into this program
/// (`tenon_plugin_load_static`) rather than loaded from a file (false too
/// if `plugin` is not a live plugin). Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_is_static(plugin: *const tenon_plugin) -> bool {
    infallible(false, || {
        borrow(plugin, "plugin").is_ok_and(|p| p.plugin.is_static())
    })
}

/// A health check. For an isolated plugin, a round trip to its process,
/// which must answer within `deadline_ms` (1 ms to one day,
/// 86 400 000 ms; else `invalid_argument`); `*round_trip_us`
/// (if not NULL) receives the time it took in microseconds. A process that
/// has died is restarted first when the restart policy allows
/// (`tenon_options_restart`), else the check fails with kind `crashed`; no
/// answer in time fails with kind `timed_out`, and the process is killed.
/// In process it succeeds at once with 0.
///
/// Returns NULL, or an error the caller frees.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_ping(
    plugin: *const tenon_plugin,
    deadline_ms: u64,
    round_trip_us: *mut u64,
) -> *mut tenon_error {
    fallible(|| {
        if !round_trip_us.is_null() {
            // SAFETY: the caller lends a writable pointer or NULL (checked).
            unsafe { round_trip_us.write(0) };
        }
        let plugin = borrow(plugin, "plugin")?;
        if !(1..=86_400_000).contains(&deadline_ms) {
            return Err(CError::invalid_argument(format!(
                "a deadline of {deadline_ms} ms: between 1 ms and one day"
            )));
        }
        let deadline = std::time::Duration::from_millis(deadline_ms);
        let took = plugin.plugin.ping(deadline)?;
        if !round_trip_us.is_null() {
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            // SAFETY: as above.
            unsafe { round_trip_us.write(micros) };
        }
        Ok(())
    })
}

/// How many interfaces the plugin offers (0 if `plugin` is not a live
/// plugin). Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_interface_count(plugin: *const tenon_plugin) -> usize {
    infallible(0, || {
        borrow(plugin, "plugin").map_or(0, |p| p.interfaces.len())
    })
}

/// The id and version of the plugin's interface number `index` (from 0,
/// in the plugin's table order). `*id` is valid until
/// `tenon_plugin_free(plugin)`. Returns NULL, or an error the caller frees
/// (kind `invalid_argument` for an index out of range).
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_plugin_interface(
    plugin: *const tenon_plugin,
    index: usize,
    id: *mut *const c_char,
    version: *mut u32,
) -> *mut tenon_error {
    fallible(|| {
        let plugin = borrow(plugin, "plugin")?;
        let id = out(id, "id")?;
        let version = out(version, "version")?;
        let (offered_id, offered_version) = plugin.interfaces.get(index).ok_or_else(|| {
            CError::invalid_argument(format!(
                "interface index {index} is out of range: the plugin offers {}",
                plugin.interfaces.len()
            ))
        })?;
        // SAFETY: both checked non-NULL; the caller lends writable pointers.
        unsafe {
            id.write(offered_id.as_ptr());
            version.write(*offered_version);
        }
        Ok(())
    })
}
