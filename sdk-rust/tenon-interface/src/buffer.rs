//! `tenon_buffer`: output storage that the host owns and the plugin grows.
//!
//! The host side is [`HostBuffer`], backed by a `Vec<u8>` that is lent to the
//! plugin for one call. The plugin side is [`append`], which writes through
//! the buffer's own `reserve` callback, so bytes are never freed by the side
//! that did not allocate them.

use crate::{CallError, Status};
use core::ffi::c_void;
use tenon_sys::{tenon_buffer, tenon_status};

/// A `tenon_buffer` owned by the host, backed by a `Vec<u8>`.
///
/// Creating one does not allocate; the plugin's first `reserve` does.
///
/// Two rules of `plugin.h` are enforced here rather than trusted, because
/// what the plugin leaves in the buffer reaches safe host code:
///
/// - every byte the plugin is given room for is initialized (zero-filled
///   when `reserve` grows the storage), so a plugin that advances `len`
///   without writing yields zeros, never uninitialized memory;
/// - `reserve` accepts only the very `tenon_buffer` this value lent
///   ([`HostBuffer::as_raw`] records its address in `host_data`), so a
///   plugin calling it on a copy gets `TENON_INVALID_ARGUMENT` instead of
///   making the host read past the copy.
///
/// The storage's own pointer and length are kept beside the lent struct, so
/// a plugin that overwrote `data`, `capacity` or `len` is detected before
/// anything is read or freed.
///
/// A host may keep one and lend it to call after call
/// ([`Client::reusing`](crate::Client::reusing), [`HostBuffer::clear`]): its
/// storage stays allocated and initialized, so those calls neither allocate
/// nor zero-fill once it is large enough.
#[repr(C)]
pub struct HostBuffer {
    /// First, so that a pointer to the whole `HostBuffer` is also a pointer
    /// to the struct the plugin receives.
    raw: tenon_buffer,
    /// Fully initialized: its length is the capacity lent to the plugin.
    storage: Vec<u8>,
}

impl HostBuffer {
    /// An empty buffer.
    #[inline]
    pub fn new() -> Self {
        let mut storage = Vec::new();
        HostBuffer {
            raw: tenon_buffer {
                data: storage.as_mut_ptr(),
                len: 0,
                capacity: 0,
                reserve: Some(reserve_vec),
                host_data: core::ptr::null_mut(),
            },
            storage,
        }
    }

    /// The raw buffer to pass to a plugin. It stays valid while `self` is
    /// neither moved nor otherwise used; the pointer is derived from the
    /// whole `HostBuffer`, whose address it also records in `host_data` so
    /// that `reserve` can recognise it.
    #[inline]
    pub fn as_raw(&mut self) -> *mut tenon_buffer {
        let whole: *mut HostBuffer = self;
        // SAFETY: `whole` comes from a live `&mut self`; `raw` is its first
        // field (`#[repr(C)]`), so the cast below addresses that field with
        // the provenance of the whole struct.
        unsafe { (*whole).raw.host_data = whole.cast::<c_void>() };
        whole.cast::<tenon_buffer>()
    }

    /// Whether the plugin left the buffer as `reserve` made it, with
    /// `len <= capacity`.
    #[inline]
    fn is_intact(&self) -> bool {
        self.raw.data == self.storage.as_ptr().cast_mut()
            && self.raw.capacity == self.storage.len()
            && self.raw.len <= self.raw.capacity
    }

    /// The bytes written, or an error if the plugin corrupted the buffer's
    /// bookkeeping.
    #[inline]
    pub fn into_vec(mut self) -> Result<Vec<u8>, CallError> {
        if !self.is_intact() {
            return Err(corrupted());
        }
        let mut bytes = core::mem::take(&mut self.storage);
        bytes.truncate(self.raw.len);
        Ok(bytes)
    }

    /// Empties the buffer for another call, keeping its storage: a call
    /// that reuses the buffer allocates only when its result is larger than
    /// any before, and zero-fills only what it adds. Bookkeeping a plugin
    /// corrupted is restored from the storage the buffer really owns, and
    /// so are `reserve` and `host_data`, which the next plugin lent the
    /// buffer calls and the host recognises the buffer by (a plugin that
    /// set `reserve` to NULL would otherwise crash the next one).
    #[inline]
    pub fn clear(&mut self) {
        let whole: *mut HostBuffer = self;
        self.raw.data = self.storage.as_mut_ptr();
        self.raw.capacity = self.storage.len();
        self.raw.len = 0;
        self.raw.reserve = Some(reserve_vec);
        self.raw.host_data = whole.cast::<c_void>();
    }

    /// The bytes written since the buffer was made or last cleared, or an
    /// error if the plugin corrupted the buffer's bookkeeping.
    #[inline]
    pub fn written(&self) -> Result<&[u8], CallError> {
        if !self.is_intact() {
            return Err(corrupted());
        }
        Ok(&self.storage[..self.raw.len])
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

    /// Grows the storage so that `additional` bytes fit after `len`,
    /// zero-filling everything it adds.
    fn grow(&mut self, additional: usize) -> tenon_status {
        if !self.is_intact() {
            return Status::INVALID_ARGUMENT.0;
        }
        let Some(needed) = self.raw.len.checked_add(additional) else {
            return Status::OUT_OF_MEMORY.0;
        };
        if needed > self.storage.len() {
            // Plugins append a result in pieces ("Hello, ", name, "!"):
            // starting at MIN_CAPACITY makes one allocation of what would
            // otherwise be two or three small ones; later growth doubles.
            let wanted = needed.max(MIN_CAPACITY);
            if self
                .storage
                .try_reserve(wanted - self.storage.len())
                .is_err()
            {
                return Status::OUT_OF_MEMORY.0;
            }
            // All the capacity the allocator gave is lent, initialized.
            self.storage.resize(self.storage.capacity(), 0);
        }
        self.raw.data = self.storage.as_mut_ptr();
        self.raw.capacity = self.storage.len();
        Status::OK.0
    }
}

impl Default for HostBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for HostBuffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostBuffer")
            .field("len", &self.raw.len)
            .field("capacity", &self.raw.capacity)
            .finish()
    }
}

/// The smallest storage a growing buffer allocates.
const MIN_CAPACITY: usize = 64;

#[cold]
#[inline(never)]
pub(crate) fn corrupted() -> CallError {
    CallError::invalid_output(
        "the plugin corrupted an output buffer (pointer, capacity or length changed without reserve)",
    )
}

/// The `reserve` callback of every [`HostBuffer`].
unsafe extern "C" fn reserve_vec(buffer: *mut tenon_buffer, additional: usize) -> tenon_status {
    if buffer.is_null() {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: a non-NULL pointer the plugin passed as a buffer it was lent
    // (or a copy of one); reading its `host_data` field is allowed by
    // `plugin.h` (the struct is readable during the call).
    let host = unsafe { (*buffer).host_data }.cast::<HostBuffer>();
    // The pointer must be the one `as_raw` returned: a copy of the struct
    // carries the same `host_data` but lives elsewhere.
    if host.is_null() || host.cast::<tenon_buffer>() != buffer {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: `host` was derived from the whole `HostBuffer` in `as_raw`,
    // which outlives the call it was lent to, and nothing else uses it
    // while the plugin runs this callback.
    unsafe { (*host).grow(additional) }
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
    if bytes.is_empty() {
        return Ok(());
    }
    // The buffer is only ever reached through `buffer` itself, never through
    // a reference: `reserve` writes to it through the host's own pointer,
    // which a `&mut tenon_buffer` held across the call would forbid.
    let room = |buffer: *mut tenon_buffer| {
        // SAFETY: the caller guarantees a valid buffer for this call, and
        // `len <= capacity` is the buffer's invariant.
        unsafe { (*buffer).capacity.saturating_sub((*buffer).len) }
    };
    if room(buffer) < bytes.len() {
        // SAFETY: the caller guarantees a valid buffer for this call.
        let reserve = unsafe { (*buffer).reserve }.ok_or_else(|| {
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
        if room(buffer) < bytes.len() {
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
        let len = (*buffer).len;
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), (*buffer).data.add(len), bytes.len());
        (*buffer).len = len + bytes.len();
    }
    Ok(())
}

/// Appends the error `message` to `buffer` as [`append`] does, except that a
/// message the buffer cannot grow to hold is cut to the start that fits, at
/// a character boundary, instead of being dropped: a host may cap error
/// messages (an isolated plugin's hold 64 KiB), and its start says most.
/// The cut is silent; the status the caller returns reports the failure.
///
/// # Safety
///
/// As for [`append`].
pub unsafe fn append_message(buffer: *mut tenon_buffer, message: &str) {
    // SAFETY: forwarded to the caller.
    let Err(error) = (unsafe { append(buffer, message.as_bytes()) }) else {
        return;
    };
    if error.status() != Status::OUT_OF_MEMORY {
        // INVALID_ARGUMENT: the buffer is not to be written any more.
        return;
    }
    // SAFETY: `append` failed before writing and the buffer is still the
    // valid one the caller lent (a failed `reserve` leaves it unchanged).
    let room = unsafe { (*buffer).capacity.saturating_sub((*buffer).len) };
    let mut cut = room.min(message.len());
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    // SAFETY: as above; the prefix fits in the room already there, so
    // `append` does not call `reserve`.
    let _ = unsafe { append(buffer, &message.as_bytes()[..cut]) };
}

/// A buffer lending `storage` whose `reserve` never grows it, as a host
/// capping its buffers lends (an isolated plugin's error buffer).
#[cfg(test)]
pub(crate) fn capped(storage: &mut [u8]) -> tenon_buffer {
    extern "C" fn never_grows(_: *mut tenon_buffer, _: usize) -> tenon_status {
        Status::OUT_OF_MEMORY.0
    }
    tenon_buffer {
        data: storage.as_mut_ptr(),
        len: 0,
        capacity: storage.len(),
        reserve: Some(never_grows),
        host_data: core::ptr::null_mut(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_longer_than_a_capped_buffer_keeps_the_start_that_fits() {
        let mut storage = [0u8; 8];
        let mut raw = capped(&mut storage);
        // Byte 8 falls inside 'ë' (bytes 7 and 8): the cut moves before it.
        // SAFETY: `raw` lends `storage`, which outlives the call.
        unsafe { append_message(&mut raw, "abcdefgë and more") };
        assert_eq!(raw.len, 7);
        assert_eq!(&storage[..7], b"abcdefg");

        let mut fits = HostBuffer::new();
        // SAFETY: a live HostBuffer.
        unsafe { append_message(fits.as_raw(), "short") };
        assert_eq!(fits.into_message(), "short");
    }

    #[test]
    fn append_grows_and_keeps_earlier_bytes() {
        let mut buffer = HostBuffer::new();
        let raw = buffer.as_raw();
        for chunk in [&b"hello"[..], b", ", &[7u8; 5000], b"!"] {
            // SAFETY: the buffer is a live HostBuffer, lent through `raw`.
            unsafe { append(raw, chunk).unwrap() };
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
        let raw = buffer.as_raw();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(raw, b"abc").unwrap() };
        // SAFETY: simulating a plugin that breaks the len <= capacity rule.
        unsafe { (*raw).len = usize::MAX };
        let error = buffer.into_vec().unwrap_err();
        assert!(error.is_invalid_output());
    }

    #[test]
    fn a_cleared_buffer_keeps_its_storage_for_the_next_call() {
        let mut buffer = HostBuffer::new();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), &[1u8; 100]).unwrap() };
        let storage = buffer.written().unwrap().as_ptr();
        buffer.clear();
        assert_eq!(buffer.written().unwrap(), b"");
        // SAFETY: as above.
        unsafe { append(buffer.as_raw(), b"second").unwrap() };
        assert_eq!(buffer.written().unwrap(), b"second");
        assert_eq!(
            buffer.written().unwrap().as_ptr(),
            storage,
            "no new allocation"
        );
    }

    #[test]
    fn clearing_restores_bookkeeping_a_plugin_corrupted() {
        let mut buffer = HostBuffer::new();
        let raw = buffer.as_raw();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(raw, b"abc").unwrap() };
        // SAFETY: simulating a plugin that breaks the len <= capacity rule.
        unsafe { (*raw).len = usize::MAX };
        assert!(buffer.written().unwrap_err().is_invalid_output());
        buffer.clear();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), b"ok").unwrap() };
        assert_eq!(buffer.written().unwrap(), b"ok");
    }

    #[test]
    fn clearing_restores_the_callbacks_a_plugin_overwrote() {
        let mut buffer = HostBuffer::new();
        let raw = buffer.as_raw();
        // SAFETY: simulating a plugin that overwrites the fields plugin.h
        // gives the host.
        unsafe {
            (*raw).reserve = None;
            (*raw).host_data = core::ptr::null_mut();
        }
        buffer.clear();
        let whole: *mut HostBuffer = &mut buffer;
        assert_eq!(buffer.raw.host_data, whole.cast::<c_void>());
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), b"grown through reserve").unwrap() };
        assert_eq!(buffer.written().unwrap(), b"grown through reserve");
    }

    #[test]
    fn invalid_utf8_messages_are_kept_lossily() {
        let mut buffer = HostBuffer::new();
        // SAFETY: the buffer is a live HostBuffer.
        unsafe { append(buffer.as_raw(), b"bad \xff byte").unwrap() };
        assert_eq!(buffer.into_message(), "bad \u{fffd} byte");
    }

    #[test]
    fn length_advanced_without_writing_reads_zeros() {
        let mut buffer = HostBuffer::new();
        let raw = buffer.as_raw();
        // SAFETY: what a careless plugin does: reserve, then claim bytes it
        // never wrote.
        unsafe {
            let reserve = (*raw).reserve.unwrap();
            assert_eq!(reserve(raw, 64), Status::OK.0);
            assert!((*raw).capacity >= 64);
            (*raw).len = 64;
        }
        assert_eq!(buffer.into_vec().unwrap(), vec![0u8; 64]);
    }

    #[test]
    fn reserve_on_a_copy_is_refused() {
        let mut buffer = HostBuffer::new();
        let raw = buffer.as_raw();
        // SAFETY: the plugin copies the struct it was lent and grows the
        // copy; the host's buffer must stay untouched.
        let mut copy = unsafe { raw.read() };
        let reserve = copy.reserve.unwrap();
        // SAFETY: calling the host's callback as a C plugin would.
        let status = unsafe { reserve(&mut copy, 1 << 20) };
        assert_eq!(Status(status), Status::INVALID_ARGUMENT);
        // SAFETY: the original is still lent through `raw`.
        unsafe { append(raw, b"still fine").unwrap() };
        assert_eq!(buffer.into_vec().unwrap(), b"still fine");
    }

    #[test]
    fn reserve_on_a_buffer_never_lent_is_refused() {
        let mut foreign = HostBuffer::new().raw;
        let reserve = foreign.reserve.unwrap();
        // SAFETY: `host_data` is NULL: never lent through `as_raw`.
        let status = unsafe { reserve(&mut foreign, 8) };
        assert_eq!(Status(status), Status::INVALID_ARGUMENT);
    }
}
