//! Errors as C sees them: owned objects with a stable kind (a number and
//! the name the Rust host and the `tenon` tool use for it) and a message.

use crate::boundary::infallible;
use crate::handle::{borrow, release, Handle, Kind};
use core::ffi::{c_char, CStr};
use std::ffi::CString;

/// The kind is not one this header lists (a newer libtenon than the
/// header): read its name with `tenon_error_kind`.
pub const TENON_ERROR_OTHER: u32 = 0;
/// `file_not_found`: the plugin file does not exist or is not a regular file.
pub const TENON_ERROR_FILE_NOT_FOUND: u32 = 1;
/// `not_a_library`: the file is not a loadable shared library.
pub const TENON_ERROR_NOT_A_LIBRARY: u32 = 2;
/// `wrong_architecture`: a library for another platform or architecture.
pub const TENON_ERROR_WRONG_ARCHITECTURE: u32 = 3;
/// `missing_entry`: no `tenon_plugin_v1` symbol.
pub const TENON_ERROR_MISSING_ENTRY: u32 = 4;
/// `entry_not_a_function`: the entry symbol is data.
pub const TENON_ERROR_ENTRY_NOT_A_FUNCTION: u32 = 5;
/// `abi_mismatch`: the plugin speaks another ABI major.
pub const TENON_ERROR_ABI_MISMATCH: u32 = 6;
/// `null_descriptor`: the entry returned NULL.
pub const TENON_ERROR_NULL_DESCRIPTOR: u32 = 7;
/// `misaligned`: a structure the plugin handed over is misaligned.
pub const TENON_ERROR_MISALIGNED: u32 = 8;
/// `descriptor_too_small`: the descriptor's struct_size is too small.
pub const TENON_ERROR_DESCRIPTOR_TOO_SMALL: u32 = 9;
/// `invalid_metadata`: a metadata string breaks the rules of `plugin.h`.
pub const TENON_ERROR_INVALID_METADATA: u32 = 10;
/// `invalid_version`: the plugin's version is not semver.
pub const TENON_ERROR_INVALID_VERSION: u32 = 11;
/// `invalid_interface_table`: the interface table is malformed.
pub const TENON_ERROR_INVALID_INTERFACE_TABLE: u32 = 12;
/// `interface_not_found`: the plugin does not offer the interface id.
pub const TENON_ERROR_INTERFACE_NOT_FOUND: u32 = 13;
/// `interface_version_mismatch`: offered at another version.
pub const TENON_ERROR_INTERFACE_VERSION_MISMATCH: u32 = 14;
/// `vtable_too_small`: the vtable is smaller than the host's type.
pub const TENON_ERROR_VTABLE_TOO_SMALL: u32 = 15;
/// `null_slot`: a method of the vtable is NULL.
pub const TENON_ERROR_NULL_SLOT: u32 = 16;
/// `create_failed`: the plugin's `create` failed.
pub const TENON_ERROR_CREATE_FAILED: u32 = 17;
/// `not_thread_safe`: the plugin does not declare TENON_PLUGIN_THREAD_SAFE.
pub const TENON_ERROR_NOT_THREAD_SAFE: u32 = 18;
/// `checksum_mismatch`: the file's SHA-256 is not the one required.
pub const TENON_ERROR_CHECKSUM_MISMATCH: u32 = 19;
/// `isolation_unsupported`: process isolation is not available here.
pub const TENON_ERROR_ISOLATION_UNSUPPORTED: u32 = 20;
/// `crashed`: an isolated plugin's process died.
pub const TENON_ERROR_CRASHED: u32 = 21;
/// `timed_out`: an isolated plugin did not answer in time.
pub const TENON_ERROR_TIMED_OUT: u32 = 22;
/// `isolation_failed`: starting or talking to an isolated plugin's process
/// failed, or the interface has no declaration to call it through.
pub const TENON_ERROR_ISOLATION_FAILED: u32 = 23;
/// `call_failed`: a call into the plugin failed.
pub const TENON_ERROR_CALL_FAILED: u32 = 24;
/// `state_hand_over_failed`: a reload with `TENON_RELOAD_HAND_OVER` was
/// abandoned because the old build's `save` or the new build's `restore`
/// failed (the message says which, and the plugin's reason); the old build
/// keeps serving, with its state.
pub const TENON_ERROR_STATE_HAND_OVER_FAILED: u32 = 25;
/// `drain_timed_out`: a reload with `TENON_RELOAD_HAND_OVER` was abandoned
/// because calls in flight on the old build did not return within the
/// drain timeout; the old build keeps serving, with its state.
pub const TENON_ERROR_DRAIN_TIMED_OUT: u32 = 26;
/// `reentrant_call`: refused because it would wait for itself forever:
/// `tenon_reloadable_call` made from inside a body already running on the
/// same reloadable, on the same thread.
pub const TENON_ERROR_REENTRANT_CALL: u32 = 27;
/// `null_argument`: a pointer argument that must not be NULL was NULL.
pub const TENON_ERROR_NULL_ARGUMENT: u32 = 100;
/// `invalid_handle`: a handle argument is not a live handle of its type
/// (never made by libtenon, or already freed).
pub const TENON_ERROR_INVALID_HANDLE: u32 = 101;
/// `invalid_argument`: an argument's value is refused (a string that is
/// not UTF-8, a size too small, ...).
pub const TENON_ERROR_INVALID_ARGUMENT: u32 = 102;
/// `panic`: libtenon itself failed unexpectedly (a bug, reported instead
/// of aborting the host).
pub const TENON_ERROR_PANIC: u32 = 103;

/// Every kind name with its number. Numbers are never reused; the names
/// below 100 are those of `tenon::Error::kind`.
pub(crate) const KINDS: &[(&str, u32)] = &[
    ("file_not_found", TENON_ERROR_FILE_NOT_FOUND),
    ("not_a_library", TENON_ERROR_NOT_A_LIBRARY),
    ("wrong_architecture", TENON_ERROR_WRONG_ARCHITECTURE),
    ("missing_entry", TENON_ERROR_MISSING_ENTRY),
    ("entry_not_a_function", TENON_ERROR_ENTRY_NOT_A_FUNCTION),
    ("abi_mismatch", TENON_ERROR_ABI_MISMATCH),
    ("null_descriptor", TENON_ERROR_NULL_DESCRIPTOR),
    ("misaligned", TENON_ERROR_MISALIGNED),
    ("descriptor_too_small", TENON_ERROR_DESCRIPTOR_TOO_SMALL),
    ("invalid_metadata", TENON_ERROR_INVALID_METADATA),
    ("invalid_version", TENON_ERROR_INVALID_VERSION),
    (
        "invalid_interface_table",
        TENON_ERROR_INVALID_INTERFACE_TABLE,
    ),
    ("interface_not_found", TENON_ERROR_INTERFACE_NOT_FOUND),
    (
        "interface_version_mismatch",
        TENON_ERROR_INTERFACE_VERSION_MISMATCH,
    ),
    ("vtable_too_small", TENON_ERROR_VTABLE_TOO_SMALL),
    ("null_slot", TENON_ERROR_NULL_SLOT),
    ("create_failed", TENON_ERROR_CREATE_FAILED),
    ("not_thread_safe", TENON_ERROR_NOT_THREAD_SAFE),
    ("checksum_mismatch", TENON_ERROR_CHECKSUM_MISMATCH),
    ("isolation_unsupported", TENON_ERROR_ISOLATION_UNSUPPORTED),
    ("crashed", TENON_ERROR_CRASHED),
    ("timed_out", TENON_ERROR_TIMED_OUT),
    ("isolation_failed", TENON_ERROR_ISOLATION_FAILED),
    ("call_failed", TENON_ERROR_CALL_FAILED),
    ("state_hand_over_failed", TENON_ERROR_STATE_HAND_OVER_FAILED),
    ("drain_timed_out", TENON_ERROR_DRAIN_TIMED_OUT),
    ("reentrant_call", TENON_ERROR_REENTRANT_CALL),
    ("null_argument", TENON_ERROR_NULL_ARGUMENT),
    ("invalid_handle", TENON_ERROR_INVALID_HANDLE),
    ("invalid_argument", TENON_ERROR_INVALID_ARGUMENT),
    ("panic", TENON_ERROR_PANIC),
];

/// An error inside the C API, before it is handed to C.
#[derive(Debug)]
pub(crate) struct CError {
    kind: &'static str,
    message: String,
}

impl CError {
    pub(crate) fn null_argument(what: &str) -> Self {
        CError {
            kind: "null_argument",
            message: format!("argument `{what}` is NULL"),
        }
    }

    pub(crate) fn invalid_handle(what: &str, type_name: &str) -> Self {
        CError {
            kind: "invalid_handle",
            message: format!(
                "argument `{what}` is not a live {type_name} (already freed, or not made by libtenon)"
            ),
        }
    }

    pub(crate) fn reentrant_call(message: String) -> Self {
        CError {
            kind: "reentrant_call",
            message,
        }
    }

    pub(crate) fn invalid_argument(message: String) -> Self {
        CError {
            kind: "invalid_argument",
            message,
        }
    }

    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        CError {
            kind: "panic",
            message: format!("libtenon panicked (a bug in libtenon): {what}"),
        }
    }

    pub(crate) fn into_c(self) -> tenon_error {
        let code = KINDS
            .iter()
            .find(|(name, _)| *name == self.kind)
            .map_or(TENON_ERROR_OTHER, |(_, code)| *code);
        tenon_error {
            code,
            kind: CString::new(self.kind).unwrap_or_default(),
            message: c_string(self.message),
        }
    }
}

impl From<tenon::Error> for CError {
    fn from(error: tenon::Error) -> Self {
        CError {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

/// `text` as a C string, with any NUL (which C cannot see past) replaced.
pub(crate) fn c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|e| {
        let text = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(text).unwrap_or_default()
    })
}

/// An error: a kind and a message. Opaque; made by libtenon, freed with
/// `tenon_error_free`.
pub struct tenon_error {
    code: u32,
    kind: CString,
    message: CString,
}

impl Handle for tenon_error {
    const KIND: Kind = Kind::Error;
}

/// The error's kind as a number: one of the `TENON_ERROR_*` constants, or
/// `TENON_ERROR_OTHER` (0) for a kind this header does not list. Returns 0
/// too when `error` is NULL or not a live error.
///
/// Threads: any thread; an error is not changed after it is made.
#[no_mangle]
pub extern "C" fn tenon_error_code(error: *const tenon_error) -> u32 {
    infallible(TENON_ERROR_OTHER, || {
        borrow(error, "error").map_or(TENON_ERROR_OTHER, |e| e.code)
    })
}

/// The error's kind as a name (`"file_not_found"`, `"null_argument"`, ...):
/// the name `tenon::Error::kind` and the `tenon` tool give the same failure.
///
/// Ownership: the string belongs to `error` and is valid until
/// `tenon_error_free(error)`. Returns NULL when `error` is NULL or not a
/// live error.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_error_kind(error: *const tenon_error) -> *const c_char {
    infallible(core::ptr::null(), || {
        borrow(error, "error").map_or(core::ptr::null(), |e| e.kind.as_ptr())
    })
}

/// The error's message: one line of UTF-8 saying what failed and why.
///
/// Ownership: the string belongs to `error` and is valid until
/// `tenon_error_free(error)`. Returns NULL when `error` is NULL or not a
/// live error.
///
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tenon_error_message(error: *const tenon_error) -> *const c_char {
    infallible(core::ptr::null(), || {
        borrow(error, "error").map_or(core::ptr::null(), |e| e.message.as_ptr())
    })
}

/// Frees an error. NULL is a no-op; so is a pointer that is not a live
/// error (freed already: reported on standard error in debug builds of
/// libtenon).
///
/// Threads: any thread, once no other call uses `error`.
#[no_mangle]
pub extern "C" fn tenon_error_free(error: *mut tenon_error) {
    infallible((), || drop(release(error)));
}

/// Reads a NUL-terminated UTF-8 string argument.
pub(crate) fn c_str<'a>(pointer: *const c_char, what: &str) -> Result<&'a str, CError> {
    if pointer.is_null() {
        return Err(CError::null_argument(what));
    }
    // SAFETY: the caller passes a NUL-terminated string valid for the call
    // (`host.h`, "Conventions"); it is only read, and not kept past the call
    // (every use copies what it keeps).
    let text = unsafe { CStr::from_ptr(pointer) };
    text.to_str()
        .map_err(|_| CError::invalid_argument(format!("argument `{what}` is not UTF-8")))
}

/// Checks that an out-parameter is not NULL.
pub(crate) fn out<T>(pointer: *mut T, what: &str) -> Result<*mut T, CError> {
    if pointer.is_null() {
        Err(CError::null_argument(what))
    } else {
        Ok(pointer)
    }
}
