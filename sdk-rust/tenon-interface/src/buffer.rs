//! `tenon_buffer`: output storage that the host owns and the plugin grows.
//!
//! The host side is [`HostBuffer`], backed by a `Vec<u8>` that is lent to the
//! plugin for one call. The plugin side is [`append`], which writes through
//! the buffer's own `reserve` callback, so bytes are never freed by the side
//! that did not allocate them.

use crate::{CallError, Status};
use core::mem::ManuallyDrop;
use tenon_sys::{tenon_buffer, tenon_status};

/// A `tenon_buffer` owned by the host, backed by a `Vec<u8>`.
///
/// Creating one does not allocate; the plugin's first `reserve` does. The raw
/// buffer is the first field so that `reserve` can find the shadow copy of
/// the allocation it handed out and refuse a buffer whose pointer or capacity
/// the plugin overwrote.
#[repr(C)]
pub struct HostBuffer {
    raw: tenon_buffer,
    data: *mut u8,
    capacity: usize,
}

impl HostBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        let mut storage = ManuallyDrop::new(Vec::<u8>::new());
        let data = storage.as_mut_ptr();
        let capacity = storage.capacity();
        HostBuffer {
            raw: tenon_buffer {
                data,
                len: 0,
                capacity,
                reserve: Some(reserve_vec),
                host_data: core::ptr::null_mut(),
            },
            data,
            capacity,
        }
    }

    /// The raw buffer to pass to a plugin. It stays valid while `self` is
    /// neither moved nor dropped.
    pub fn as_raw(&mut self) -> *mut tenon_buffer {
        &mut self.raw
    }

    /// Whether the plugin left the buffer as `reserve` made it, with
    /// `len <= capacity`.
    fn is_intact(&self) -> bool {
        self.raw.data == self.data
            && self.raw.capacity == self.capacity
            && self.raw.len <= self.capacity
    }

    /// The bytes written, or an error if the plugin corrupted the buffer's
    /// bookkeeping (the allocation is then leaked, because it can no longer
    /// be freed safely).
    pub fn into_vec(self) -> Result<Vec<u8>, CallError> {
        let this = ManuallyDrop::new(self);
        if !this.is_intact() {
            return Err(CallError::invalid_output(
                "the plugin corrupted an output buffer (pointer, capacity or length changed without reserve)",
            ));
        }
        // SAFETY: `data` and `capacity` are exactly what a `Vec<u8>` gave up
        // in `new` or `reserve_vec` (checked just above), and `len` bytes
        // were initialized by the plugin, which may only write below `len`
        // and `len <= capacity`.
        Ok(unsafe { Vec::from_raw_parts(this.data, this.raw.len, this.capacity) })
    }

    /// The bytes written, as text: invalid UTF-8 is replaced, since error
    /// messages are for people and must never be lost.
    pub fn into_message(self) -> String {
        match self.into_vec() {
            Ok(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(e) => e.message().to_owned(),
        }
    }
}

impl Default for HostBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for HostBuffer {
    fn drop(&mut self) {
        if self.is_intact() {
            // SAFETY: as in `into_vec`; the length is irrelevant to `u8`
            // drops, so 0 is used.
            drop(unsafe { Vec::from_raw_parts(self.data, 0, self.capacity) });
        }
    }
}

/// The `reserve` callback of every [`HostBuffer`].
unsafe extern "C" fn reserve_vec(buffer: *mut tenon_buffer, additional: usize) -> tenon_status {
    if buffer.is_null() {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: this callback is installed only in `HostBuffer::new`, whose
    // `raw` field is the first field of a `#[repr(C)]` struct, so a pointer
    // to it is a pointer to the whole `HostBuffer`, which outlives the call
    // it was lent to.
    let host = unsafe { &mut *(buffer as *mut HostBuffer) };
    if !host.is_intact() {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: checked intact just above: the parts came from a `Vec<u8>`.
    let mut storage = unsafe { Vec::from_raw_parts(host.data, host.raw.len, host.capacity) };
    let result = storage.try_reserve(additional);
    let mut storage = ManuallyDrop::new(storage);
    host.data = storage.as_mut_ptr();
    host.capacity = storage.capacity();
    host.raw.data = host.data;
    host.raw.capacity = host.capacity;
    match result {
        Ok(()) => Status::OK.0,
        Err(_) => Status::OUT_OF_MEMORY.0,
    }
}

/// Appends `bytes` to a buffer the plugin received, growing it through its
/// `reserve` callback.
///
/// # Safety
///
/// `buffer` must be NULL or point to a `tenon_buffer` lent to the current
/// call, whose fields obey the rules of `plugin.h`.
pub unsafe fn append(buffer: *mut tenon_buffer, bytes: &[u8]) -> Result<(), CallError> {
    if buffer.is_null() {
        return Err(CallError::invalid_argument(
            "the host passed a NULL output buffer",
        ));
    }
    // SAFETY: the caller guarantees a valid buffer for this call.
    let buffer = unsafe { &mut *buffer };
    if bytes.is_empty() {
        return Ok(());
    }
    if buffer.capacity - buffer.len < bytes.len() {
        let reserve = buffer.reserve.ok_or_else(|| {
            CallError::invalid_argument("the host passed a buffer without reserve")
        })?;
        // SAFETY: `reserve` is the host's callback for this very buffer.
        let status = Status(unsafe { reserve(buffer, bytes.len()) });
        if !status.is_ok() {
            return Err(CallError::new(
                status,
                "the host could not grow an output buffer",
            ));
        }
        if buffer.capacity - buffer.len < bytes.len() {
            return Err(CallError::new(
                Status::OUT_OF_MEMORY,
                "the host's reserve reported success but did not make room",
            ));
        }
    }
    // SAFETY: there are at least `bytes.len()` writable bytes at
    // `data + len` (checked above), and host storage never overlaps the
    // plugin's own `bytes`.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer.data.add(buffer.len), bytes.len());
    }
    buffer.len += bytes.len();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_grows_and_keeps_earlier_bytes() {
        let mut buffer = HostBuffer::new();
        for chunk in [&b"hello"[..], b", ", &[7u8; 5000], b"!"] {
            // SAFETY: the buffer is a live HostBuffer.
            unsafe { append(buffer.as_raw(), chunk).unwrap() };
        }
        let bytes = buffer.into_vec().unwrap();
        assert_eq!(bytes.len(), 5 + 2 + 5000 + 1);
        assert_eq!(&bytes[..7], b"hello, ");
        assert_eq!(bytes[5006], 7);
        assert_eq!(*bytes.last().unwrap(), b'!');
    }

    #[test]
    fn a_buffer_whose_length_was_overwritten_is_rejected() {
        let mut buffer = HostBuffer::new();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), b"abc").unwrap() };
        // SAFETY: simulating a plugin that breaks the len <= capacity rule.
        unsafe { (*buffer.as_raw()).len = usize::MAX };
        let error = buffer.into_vec().unwrap_err();
        assert!(error.is_invalid_output());
    }

    #[test]
    fn invalid_utf8_messages_are_kept_lossily() {
        let mut buffer = HostBuffer::new();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), b"bad \xff byte").unwrap() };
        assert_eq!(buffer.into_message(), "bad \u{fffd} byte");
    }
}
