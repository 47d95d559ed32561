//! Output buffers a C host lends to plugin methods.

use crate::boundary::infallible;
use crate::handle::{borrow_mut, into_handle, release, Handle, Kind};
use tenon::sys::tenon_buffer;
use tenon::HostBuffer;

impl Handle for HostBuffer {
    const KIND: Kind = Kind::Buffer;
}

/// A new, empty buffer to lend to plugin methods (their `out` and `error`
/// arguments). Read what a call wrote from `buffer->data` and
/// `buffer->len`; the plugin grows it through `buffer->reserve`. Plugins
/// expect an empty buffer and append to it: `tenon_buffer_clear` it before
/// lending it to another call (nothing else empties it).
///
/// Ownership: the caller owns it and frees it with `tenon_buffer_free`.
/// `data` stays valid until the next call given the buffer, or
/// `tenon_buffer_clear`, or `tenon_buffer_free`. Never NULL.
///
/// Threads: lend it to one call at a time.
#[no_mangle]
pub extern "C" fn tenon_buffer_new() -> *mut tenon_buffer {
    infallible(core::ptr::null_mut(), || {
        let buffer = into_handle(HostBuffer::new());
        // SAFETY: just made and registered; `as_raw` records the box's
        // address in `host_data` and returns the address of its first field,
        // which is the box's own (`HostBuffer` is `#[repr(C)]`, `raw` first).
        unsafe { (*buffer).as_raw() }
    })
}

/// Empties a buffer for another call, keeping its storage (and repairing
/// what a plugin corrupted: `data`, `len`, `capacity`, and the `reserve`
/// and `host_data` the next plugin lent it relies on). NULL, or a pointer
/// that is not a live buffer from `tenon_buffer_new`, is a no-op.
///
/// Threads: not while a call is writing to it.
#[no_mangle]
pub extern "C" fn tenon_buffer_clear(buffer: *mut tenon_buffer) {
    infallible((), || {
        if let Ok(buffer) = borrow_mut(buffer.cast::<HostBuffer>(), "buffer") {
            buffer.clear();
        }
    });
}

/// Frees a buffer from `tenon_buffer_new`. NULL is a no-op, and so is a
/// pointer that is not a live buffer made by it (a plugin's, or freed).
///
/// Threads: not while a call is writing to it.
#[no_mangle]
pub extern "C" fn tenon_buffer_free(buffer: *mut tenon_buffer) {
    infallible((), || drop(release(buffer.cast::<HostBuffer>())));
}
