//! Reading the borrowed slices of `plugin.h` (`tenon_str`, `tenon_bytes`):
//! the one place where a pointer and a length from the other side become a
//! Rust slice, for arguments, configuration text, log messages and ids.

use crate::CallError;
use tenon_sys::{tenon_bytes, tenon_str};

/// The bytes of a `tenon_str`, not checked for UTF-8 (for text that is
/// shown lossily, or compared as bytes). NULL is allowed for the empty
/// string only.
///
/// `scope` bounds the result: pass a borrow of a local of the call the
/// string was lent to, so the slice cannot outlive it.
///
/// # Safety
///
/// A non-NULL `raw.ptr` must point to `raw.len` readable bytes that stay
/// unchanged while `scope` is borrowed.
pub unsafe fn str_bytes(raw: tenon_str, scope: &()) -> Result<&[u8], CallError> {
    // SAFETY: forwarded to the caller.
    unsafe { slice(raw.ptr.cast(), raw.len, scope) }
}

/// A `tenon_str` as `&str`; fails with `TENON_INVALID_ARGUMENT` if it is
/// not UTF-8 or is NULL with a length.
///
/// # Safety
///
/// As for [`str_bytes`].
pub unsafe fn str(raw: tenon_str, scope: &()) -> Result<&str, CallError> {
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { str_bytes(raw, scope) }?;
    core::str::from_utf8(bytes).map_err(|e| {
        CallError::invalid_argument(format!("string argument is not valid UTF-8: {e}"))
    })
}

/// A `tenon_bytes` as `&[u8]`; fails with `TENON_INVALID_ARGUMENT` if it
/// is NULL with a length.
///
/// # Safety
///
/// As for [`str_bytes`].
pub unsafe fn bytes(raw: tenon_bytes, scope: &()) -> Result<&[u8], CallError> {
    // SAFETY: forwarded to the caller.
    unsafe { slice(raw.ptr, raw.len, scope) }
}

/// # Safety
///
/// As for [`str_bytes`].
unsafe fn slice(ptr: *const u8, len: usize, _scope: &()) -> Result<&[u8], CallError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CallError::invalid_argument(format!(
            "a NULL pointer was passed with length {len}"
        )));
    }
    // No object is that large: a length like this is a C caller's
    // `strlen(text) - 1` of an empty text, and making a slice of it would
    // be undefined behaviour before a byte is read.
    if len > isize::MAX as usize {
        return Err(CallError::invalid_argument(format!(
            "a length of {len} bytes was passed, larger than any object"
        )));
    }
    // SAFETY: non-NULL and readable for `len` bytes while `scope` lives, by
    // the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_empty_only() {
        let scope = ();
        let empty = tenon_str {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: NULL with length 0 is never read.
        assert_eq!(unsafe { str(empty, &scope) }.unwrap(), "");
        let bad = tenon_str {
            ptr: core::ptr::null(),
            len: 3,
        };
        // SAFETY: refused before anything is read.
        assert!(unsafe { str(bad, &scope) }.is_err());
        let text = "héllo";
        let raw = tenon_str {
            ptr: text.as_ptr().cast(),
            len: text.len(),
        };
        // SAFETY: borrows `text`, which outlives `scope`.
        assert_eq!(unsafe { str(raw, &scope) }.unwrap(), "héllo");
        let invalid = [0xffu8];
        let raw = tenon_str {
            ptr: invalid.as_ptr().cast(),
            len: 1,
        };
        // SAFETY: borrows `invalid`.
        assert!(unsafe { str(raw, &scope) }.is_err());
        let huge = tenon_str {
            ptr: text.as_ptr().cast(),
            len: usize::MAX,
        };
        // SAFETY: refused before anything is read.
        assert!(unsafe { str(huge, &scope) }.is_err());
    }
}
