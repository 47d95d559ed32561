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
/// The lifetime `'a` is the call's: a borrowed argument (`&'a str`,
/// `&'a [u8]`) is only lent for the call it is passed to, and the code that
/// [`interface!`](crate::interface) generates decodes it against a borrow of
/// a local of that call. So a declaration that asks for more, such as
/// `&'static str`, does not compile, and an implementation (a plugin's, or a
/// service a host offers) cannot keep what it was lent (the stable compiler
/// reports E0597; nightly reports the same error as E0716):
///
/// ```compile_fail,E0597
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &'static str) -> String;
///     }
/// }
/// ```
///
/// # Safety
///
/// `from_raw(to_raw(x))` must give back `x` for as long as `x` is borrowed.
pub unsafe trait Arg<'a>: ArgType {
    /// The host's side: borrow `self` as its C form, valid while `self` is.
    fn to_raw(&self) -> Self::Raw;

    /// The plugin's side: check and convert the C form. `scope` is a
    /// borrow of a local of the call, which bounds what is returned.
    ///
    /// # Safety
    ///
    /// `raw` must be what the host passed to the current call, and `scope`
    /// must not outlive that call.
    unsafe fn from_raw(raw: Self::Raw, scope: &'a ()) -> Result<Self, CallError>;
}

/// The C form of an [`Arg`], whatever lifetime it borrows for: what the
/// generated C signatures are written with.
///
/// # Safety
///
/// `Raw` must be the C type of this argument in the vtable.
pub unsafe trait ArgType: Sized {
    /// The C type of the argument.
    type Raw: Copy;
    /// What crosses the boundary.
    const KIND: ValueKind;
}

// SAFETY: a `&str` crosses as the `tenon_str` of its bytes.
unsafe impl ArgType for &str {
    type Raw = tenon_str;
    const KIND: ValueKind = ValueKind::Utf8;
}

// SAFETY: a `&[u8]` crosses as the `tenon_bytes` of its bytes.
unsafe impl ArgType for &[u8] {
    type Raw = tenon_bytes;
    const KIND: ValueKind = ValueKind::Bytes;
}

// SAFETY: `tenon_str` borrows exactly the bytes of the `&str`.
unsafe impl<'a> Arg<'a> for &'a str {
    fn to_raw(&self) -> tenon_str {
        tenon_str {
            ptr: self.as_ptr().cast(),
            len: self.len(),
        }
    }

    unsafe fn from_raw(raw: tenon_str, scope: &'a ()) -> Result<Self, CallError> {
        // SAFETY: forwarded to the caller: `raw` is a live borrowed slice.
        unsafe { crate::raw::str(raw, scope) }
    }
}

// SAFETY: `tenon_bytes` borrows exactly the bytes of the slice.
unsafe impl<'a> Arg<'a> for &'a [u8] {
    fn to_raw(&self) -> tenon_bytes {
        tenon_bytes {
            ptr: self.as_ptr(),
            len: self.len(),
        }
    }

    unsafe fn from_raw(raw: tenon_bytes, scope: &'a ()) -> Result<Self, CallError> {
        // SAFETY: forwarded to the caller: `raw` is a live borrowed slice.
        unsafe { crate::raw::bytes(raw, scope) }
    }
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

    /// What a call made through [`Client::reusing`](crate::Client::reusing)
    /// returns: a borrow of the caller's buffer for a buffer result
    /// (`&[u8]`, `&str`), the value itself for a scalar.
    type Reused<'b>;
    /// Host-side storage of a reusing call: nothing for a buffer result
    /// (the caller's buffer is the storage), the scalar itself otherwise.
    type ReuseSlot;

    /// The host's side of a reusing call: fresh storage. Must not allocate.
    fn new_reuse_slot() -> Self::ReuseSlot;
    /// The host's side of a reusing call: the out-parameter, pointing into
    /// `slot` or into `out`, which is emptied first.
    fn reuse_raw(slot: &mut Self::ReuseSlot, out: &mut HostBuffer) -> Self::Raw;
    /// The host's side of a reusing call: the value the plugin wrote,
    /// checked.
    fn finish_reused(
        slot: Self::ReuseSlot,
        out: &HostBuffer,
    ) -> Result<Self::Reused<'_>, CallError>;

    /// The plugin's side: store `self` through the out-parameter.
    ///
    /// # Safety
    ///
    /// `raw` must be the out-parameter the host passed to the current call.
    unsafe fn write(self, raw: Self::Raw) -> Result<(), CallError>;
}

macro_rules! scalar_arg {
    ($($ty:ty => $kind:ident),*) => {$(
        // SAFETY: the C type is the same fixed-width scalar.
        unsafe impl ArgType for $ty {
            type Raw = $ty;
            const KIND: ValueKind = ValueKind::$kind;
        }

        // SAFETY: a copy crosses; nothing is borrowed.
        unsafe impl Arg<'_> for $ty {
            fn to_raw(&self) -> $ty {
                *self
            }

            unsafe fn from_raw(raw: $ty, _scope: &()) -> Result<Self, CallError> {
                Ok(raw)
            }
        }
    )*};
}

/// Results of scalar types every bit pattern of which is a value (all but
/// `bool`, whose result has an impl of its own).
macro_rules! scalar_ret {
    ($($ty:ty => $kind:ident),*) => {$(
        // SAFETY: the out-parameter points at a `$ty` owned by the slot.
        unsafe impl Ret for $ty {
            type Slot = $ty;
            type Raw = *mut $ty;
            const KIND: ValueKind = ValueKind::$kind;

            type Reused<'b> = $ty;
            type ReuseSlot = $ty;

            #[inline]
            fn new_slot() -> $ty {
                <$ty>::default()
            }

            #[inline]
            fn slot_raw(slot: &mut $ty) -> *mut $ty {
                slot
            }

            #[inline]
            fn finish(slot: $ty) -> Result<Self, CallError> {
                Ok(slot)
            }

            #[inline]
            fn new_reuse_slot() -> $ty {
                <$ty>::default()
            }

            #[inline]
            fn reuse_raw(slot: &mut $ty, _out: &mut HostBuffer) -> *mut $ty {
                slot
            }

            #[inline]
            fn finish_reused(slot: $ty, _out: &HostBuffer) -> Result<$ty, CallError> {
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

scalar_arg!(
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    f32 => F32, f64 => F64, bool => Bool
);
scalar_ret!(
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    f32 => F32, f64 => F64
);

/// A `bool` result lands in a byte, not in a Rust `bool`: a C plugin can
/// store any byte through its `bool *` (by `memcpy`, or a header that says
/// `uint8_t *`), and a Rust `bool` holding 2 is undefined behaviour. The
/// byte is checked, as the dispatcher of an isolated call checks it.
// SAFETY: the out-parameter points at a byte owned by the slot, which has
// the size and alignment of C's and Rust's `bool`.
unsafe impl Ret for bool {
    type Slot = u8;
    type Raw = *mut bool;
    const KIND: ValueKind = ValueKind::Bool;

    type Reused<'b> = bool;
    type ReuseSlot = u8;

    #[inline]
    fn new_slot() -> u8 {
        0
    }

    #[inline]
    fn slot_raw(slot: &mut u8) -> *mut bool {
        core::ptr::from_mut(slot).cast()
    }

    #[inline]
    fn finish(slot: u8) -> Result<bool, CallError> {
        stored_bool(slot)
    }

    #[inline]
    fn new_reuse_slot() -> u8 {
        0
    }

    #[inline]
    fn reuse_raw(slot: &mut u8, _out: &mut HostBuffer) -> *mut bool {
        core::ptr::from_mut(slot).cast()
    }

    #[inline]
    fn finish_reused(slot: u8, _out: &HostBuffer) -> Result<bool, CallError> {
        stored_bool(slot)
    }

    unsafe fn write(self, raw: *mut bool) -> Result<(), CallError> {
        if raw.is_null() {
            return Err(CallError::invalid_argument(
                "the host passed a NULL out-parameter",
            ));
        }
        // SAFETY: non-NULL, and the caller guarantees it is the host's
        // out-parameter for this call.
        unsafe { raw.write(self) };
        Ok(())
    }
}

/// The `bool` a plugin stored as a byte, if it is one.
#[inline]
fn stored_bool(byte: u8) -> Result<bool, CallError> {
    match byte {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(not_a_bool(byte)),
    }
}

#[cold]
#[inline(never)]
fn not_a_bool(byte: u8) -> CallError {
    CallError::invalid_output(format!(
        "the plugin stored {byte}, which is not a bool (0 or 1), in its bool result"
    ))
}

// SAFETY: the out-parameter is the slot's own `tenon_buffer`.
unsafe impl Ret for Vec<u8> {
    type Slot = HostBuffer;
    type Raw = *mut tenon_buffer;
    const KIND: ValueKind = ValueKind::Bytes;

    type Reused<'b> = &'b [u8];
    type ReuseSlot = ();

    #[inline]
    fn new_slot() -> HostBuffer {
        HostBuffer::new()
    }

    #[inline]
    fn slot_raw(slot: &mut HostBuffer) -> *mut tenon_buffer {
        slot.as_raw()
    }

    #[inline]
    fn finish(slot: HostBuffer) -> Result<Self, CallError> {
        slot.into_vec()
    }

    #[inline]
    fn new_reuse_slot() {}

    #[inline]
    fn reuse_raw(_slot: &mut (), out: &mut HostBuffer) -> *mut tenon_buffer {
        out.clear();
        out.as_raw()
    }

    #[inline]
    fn finish_reused(_slot: (), out: &HostBuffer) -> Result<&[u8], CallError> {
        out.written()
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

    type Reused<'b> = &'b str;
    type ReuseSlot = ();

    #[inline]
    fn new_slot() -> HostBuffer {
        HostBuffer::new()
    }

    #[inline]
    fn slot_raw(slot: &mut HostBuffer) -> *mut tenon_buffer {
        slot.as_raw()
    }

    #[inline]
    fn finish(slot: HostBuffer) -> Result<Self, CallError> {
        let bytes = slot.into_vec()?;
        utf8(&bytes)?;
        // SAFETY: `utf8` just accepted these very bytes.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    }

    #[inline]
    fn new_reuse_slot() {}

    #[inline]
    fn reuse_raw(_slot: &mut (), out: &mut HostBuffer) -> *mut tenon_buffer {
        out.clear();
        out.as_raw()
    }

    #[inline]
    fn finish_reused(_slot: (), out: &HostBuffer) -> Result<&str, CallError> {
        utf8(out.written()?)
    }

    unsafe fn write(self, raw: *mut tenon_buffer) -> Result<(), CallError> {
        // SAFETY: forwarded to the caller.
        unsafe { append(raw, self.as_bytes()) }
    }
}

/// `bytes` as text, if they are UTF-8. Short results are the common case
/// of a reusing call, and for them `str::from_utf8` (byte by byte below 16
/// bytes) costs as much as the plugin call itself. A result of 4 to 16
/// bytes is decided inline by two overlapping word loads, which run in
/// parallel (the plugin has just written those bytes, often in pieces, so
/// the first load of them waits for its stores to drain; a chain of byte
/// loads behind it waited longer); anything else, or any byte above 0x7F,
/// goes out of line to the full check.
#[inline(always)]
fn utf8(bytes: &[u8]) -> Result<&str, CallError> {
    if short_ascii(bytes) {
        // SAFETY: ASCII is UTF-8.
        Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
    } else {
        utf8_checked(bytes)
    }
}

/// Whether `bytes` is 4 to 16 bytes of ASCII (false says "not decided",
/// not "not ASCII").
#[inline(always)]
fn short_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let len = bytes.len();
    let word = |at: usize| -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(word)
    };
    let half = |at: usize| -> u64 {
        let mut half = [0u8; 4];
        half.copy_from_slice(&bytes[at..at + 4]);
        u64::from(u32::from_ne_bytes(half))
    };
    if (8..=16).contains(&len) {
        (word(0) | word(len - 8)) & HIGH == 0
    } else if (4..8).contains(&len) {
        (half(0) | half(len - 4)) & HIGH == 0
    } else {
        false
    }
}

/// The full check, for what [`short_ascii`] did not decide. Kept out of
/// line: it is large, and the generated methods around `utf8` are inlined.
#[inline(never)]
fn utf8_checked(bytes: &[u8]) -> Result<&str, CallError> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
    } else {
        core::str::from_utf8(bytes).map_err(not_utf8)
    }
}

#[cold]
#[inline(never)]
fn not_utf8(error: core::str::Utf8Error) -> CallError {
    CallError::invalid_output(format!(
        "the plugin returned a string that is not valid UTF-8: {error}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_results_of_every_short_length_are_checked_at_every_byte() {
        for len in 0..=20 {
            let ascii: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(utf8(&ascii).unwrap().as_bytes(), &ascii[..], "len {len}");
            for at in 0..len {
                let mut bad = ascii.clone();
                bad[at] = 0xFF;
                assert!(
                    utf8(&bad).unwrap_err().is_invalid_output(),
                    "0xFF at {at} of {len}"
                );
                // A two-byte character is not ASCII but is UTF-8.
                if at + 1 < len {
                    let mut accented = ascii.clone();
                    accented[at..at + 2].copy_from_slice("é".as_bytes());
                    assert_eq!(utf8(&accented).unwrap().as_bytes(), &accented[..]);
                }
            }
        }
    }
}
