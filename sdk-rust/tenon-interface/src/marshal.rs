//! How Rust argument and result types map to the C types of a vtable.
//!
//! Only types that can cross a process boundary are implemented: integers,
//! floats, `bool`, borrowed UTF-8 (`&str` ↔ `tenon_str`), borrowed bytes
//! (`&[u8]` ↔ `tenon_bytes`), and owned results written into host-owned
//! buffers (`String`, `Vec<u8>` ↔ `tenon_buffer *`).

use crate::buffer::{append, HostBuffer};
use crate::{CallError, ValueKind};
use tenon_sys::{tenon_buffer, tenon_bytes, tenon_str};

/// A type that a host passes to a plugin method as an argument.
///
/// # Safety
///
/// `Raw` must be the C type of this argument in the vtable, and
/// `from_raw(to_raw(x))` must give back `x` for as long as `x` is borrowed.
pub unsafe trait Arg: Sized {
    /// The C type of the argument.
    type Raw: Copy;
    /// What crosses the boundary.
    const KIND: ValueKind;

    /// The host's side: borrow `self` as its C form, valid while `self` is.
    fn to_raw(&self) -> Self::Raw;

    /// The plugin's side: check and convert the C form.
    ///
    /// # Safety
    ///
    /// `raw` must be what the host passed to the current call; the result
    /// must not outlive that call.
    unsafe fn from_raw(raw: Self::Raw) -> Result<Self, CallError>;
}

/// A type that a plugin method produces as its result.
///
/// The C method receives an out-parameter of type `Raw` just before its
/// trailing `tenon_buffer *error`.
///
/// # Safety
///
/// `Raw` must be the C out-parameter type of this result in the vtable, and
/// `slot_raw` must return a pointer that `write` can write through for as
/// long as the slot lives.
pub unsafe trait Ret: Sized {
    /// Host-side storage the plugin writes into.
    type Slot;
    /// The C type of the out-parameter.
    type Raw: Copy;
    /// What crosses the boundary.
    const KIND: ValueKind;

    /// The host's side: fresh storage for one call. Must not allocate.
    fn new_slot() -> Self::Slot;
    /// The host's side: the out-parameter pointing into `slot`.
    fn slot_raw(slot: &mut Self::Slot) -> Self::Raw;
    /// The host's side: the value the plugin wrote, checked.
    fn finish(slot: Self::Slot) -> Result<Self, CallError>;

    /// The plugin's side: store `self` through the out-parameter.
    ///
    /// # Safety
    ///
    /// `raw` must be the out-parameter the host passed to the current call.
    unsafe fn write(self, raw: Self::Raw) -> Result<(), CallError>;
}

// SAFETY: `tenon_str` borrows exactly the bytes of the `&str`.
unsafe impl Arg for &str {
    type Raw = tenon_str;
    const KIND: ValueKind = ValueKind::Utf8;

    fn to_raw(&self) -> tenon_str {
        tenon_str {
            ptr: self.as_ptr().cast(),
            len: self.len(),
        }
    }

    unsafe fn from_raw(raw: tenon_str) -> Result<Self, CallError> {
        // SAFETY: forwarded to the caller: `raw` is a live borrowed slice.
        let bytes = unsafe { raw_slice(raw.ptr.cast(), raw.len) }?;
        core::str::from_utf8(bytes).map_err(|e| {
            CallError::invalid_argument(format!("string argument is not valid UTF-8: {e}"))
        })
    }
}

// SAFETY: `tenon_bytes` borrows exactly the bytes of the slice.
unsafe impl Arg for &[u8] {
    type Raw = tenon_bytes;
    const KIND: ValueKind = ValueKind::Bytes;

    fn to_raw(&self) -> tenon_bytes {
        tenon_bytes {
            ptr: self.as_ptr(),
            len: self.len(),
        }
    }

    unsafe fn from_raw(raw: tenon_bytes) -> Result<Self, CallError> {
        // SAFETY: forwarded to the caller: `raw` is a live borrowed slice.
        unsafe { raw_slice(raw.ptr, raw.len) }
    }
}

/// A slice from a pointer and length that the other side lent us; NULL is
/// allowed for the empty slice only.
///
/// # Safety
///
/// A non-NULL `ptr` must point to `len` readable bytes that stay unchanged
/// for `'a`.
unsafe fn raw_slice<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], CallError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CallError::invalid_argument(format!(
            "a NULL pointer was passed with length {len}"
        )));
    }
    // SAFETY: non-NULL and readable for `len` bytes, by the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

macro_rules! scalar {
    ($($ty:ty => $kind:ident),*) => {$(
        // SAFETY: the C type is the same fixed-width scalar.
        unsafe impl Arg for $ty {
            type Raw = $ty;
            const KIND: ValueKind = ValueKind::$kind;

            fn to_raw(&self) -> $ty {
                *self
            }

            unsafe fn from_raw(raw: $ty) -> Result<Self, CallError> {
                Ok(raw)
            }
        }

        // SAFETY: the out-parameter points at a `$ty` owned by the slot.
        unsafe impl Ret for $ty {
            type Slot = $ty;
            type Raw = *mut $ty;
            const KIND: ValueKind = ValueKind::$kind;

            fn new_slot() -> $ty {
                <$ty>::default()
            }

            fn slot_raw(slot: &mut $ty) -> *mut $ty {
                slot
            }

            fn finish(slot: $ty) -> Result<Self, CallError> {
                Ok(slot)
            }

            unsafe fn write(self, raw: *mut $ty) -> Result<(), CallError> {
                if raw.is_null() {
                    return Err(CallError::invalid_argument("the host passed a NULL out-parameter"));
                }
                // SAFETY: non-NULL, and the caller guarantees it is the
                // host's out-parameter for this call.
                unsafe { raw.write(self) };
                Ok(())
            }
        }
    )*};
}

scalar!(
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    f32 => F32, f64 => F64, bool => Bool
);

// SAFETY: the out-parameter is the slot's own `tenon_buffer`.
unsafe impl Ret for Vec<u8> {
    type Slot = HostBuffer;
    type Raw = *mut tenon_buffer;
    const KIND: ValueKind = ValueKind::Bytes;

    fn new_slot() -> HostBuffer {
        HostBuffer::new()
    }

    fn slot_raw(slot: &mut HostBuffer) -> *mut tenon_buffer {
        slot.as_raw()
    }

    fn finish(slot: HostBuffer) -> Result<Self, CallError> {
        slot.into_vec()
    }

    unsafe fn write(self, raw: *mut tenon_buffer) -> Result<(), CallError> {
        // SAFETY: forwarded to the caller.
        unsafe { append(raw, &self) }
    }
}

// SAFETY: the out-parameter is the slot's own `tenon_buffer`.
unsafe impl Ret for String {
    type Slot = HostBuffer;
    type Raw = *mut tenon_buffer;
    const KIND: ValueKind = ValueKind::Utf8;

    fn new_slot() -> HostBuffer {
        HostBuffer::new()
    }

    fn slot_raw(slot: &mut HostBuffer) -> *mut tenon_buffer {
        slot.as_raw()
    }

    fn finish(slot: HostBuffer) -> Result<Self, CallError> {
        String::from_utf8(slot.into_vec()?).map_err(|e| {
            CallError::invalid_output(format!(
                "the plugin returned a string that is not valid UTF-8: {}",
                e.utf8_error()
            ))
        })
    }

    unsafe fn write(self, raw: *mut tenon_buffer) -> Result<(), CallError> {
        // SAFETY: forwarded to the caller.
        unsafe { append(raw, self.as_bytes()) }
    }
}
