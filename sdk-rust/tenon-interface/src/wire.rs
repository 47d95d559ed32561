//! The form a call's values take when they cross a process boundary: each
//! argument a [`WireArg`], each result the bytes appended to a buffer.
//!
//! Two directions, both used by the code [`interface!`](crate::interface)
//! generates: a proxy turns the C arguments it receives into `WireArg`s and
//! the result bytes back into the C out-parameter; a dispatcher, on the far
//! side, checks `WireArg`s against the method's kinds, rebuilds the C
//! arguments and turns the real method's out-parameter into result bytes.
//! The far side never trusts what it receives: every mismatch is an error,
//! never undefined behaviour.

use crate::buffer::append;
use crate::{CallError, Status, ValueKind};
use tenon_sys::{tenon_buffer, tenon_bytes, tenon_status, tenon_str};

/// One argument of a call carried across a process boundary. Its kind is
/// the method's [`Method::args`](crate::Method::args)`[i]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireArg<'a> {
    /// Every scalar kind, as its bits zero-extended to 64 (`bool`: 0 or 1;
    /// `f32`, `f64`: `to_bits`; signed integers: their two's complement
    /// bits at their own width, so `-1i8` is `0xff`).
    Word(u64),
    /// [`ValueKind::Utf8`] and [`ValueKind::Bytes`]: the borrowed bytes (on
    /// the calling side, the caller's own; on the far side, wherever the
    /// transport put them).
    Slice(&'a [u8]),
}

impl WireArg<'_> {
    /// Whether this is the form `kind` takes (a `Slice` for text and bytes,
    /// a `Word` otherwise). A `Word` may still be out of range for the
    /// kind's width; the dispatcher refuses that too.
    pub fn fits(&self, kind: ValueKind) -> bool {
        matches!(
            (self, kind),
            (WireArg::Slice(_), ValueKind::Utf8 | ValueKind::Bytes)
        ) || matches!(self, WireArg::Word(_)) && !matches!(kind, ValueKind::Utf8 | ValueKind::Bytes)
    }
}

/// The C type of an argument, as it becomes a [`WireArg`] and back.
///
/// # Safety
///
/// `from_wire` must return a value that is valid as the C argument of its
/// kind, whatever `WireArg` it is given (or an error).
#[doc(hidden)]
pub unsafe trait WireRaw: Copy {
    /// The calling side: the C argument as it crosses.
    ///
    /// # Safety
    ///
    /// A borrowed argument must point to its bytes for as long as `scope`
    /// is borrowed.
    unsafe fn to_wire(self, scope: &()) -> Result<WireArg<'_>, CallError>;

    /// The far side: the C argument, or why `arg` is not one. `arg`'s bytes
    /// must outlive the use of the result.
    fn from_wire(arg: &WireArg<'_>) -> Result<Self, String>;
}

// SAFETY: the `tenon_str` borrows the slice's bytes, checked as UTF-8.
unsafe impl WireRaw for tenon_str {
    unsafe fn to_wire(self, scope: &()) -> Result<WireArg<'_>, CallError> {
        // SAFETY: forwarded to the caller. Text is not checked here: the
        // far side checks it before anything reads it as text.
        unsafe { crate::raw::str_bytes(self, scope) }.map(WireArg::Slice)
    }

    fn from_wire(arg: &WireArg<'_>) -> Result<Self, String> {
        match arg {
            WireArg::Slice(bytes) => match core::str::from_utf8(bytes) {
                Ok(text) => Ok(tenon_str {
                    ptr: text.as_ptr().cast(),
                    len: text.len(),
                }),
                Err(e) => Err(format!("is not valid UTF-8: {e}")),
            },
            WireArg::Word(_) => Err("is a word, but text was expected".into()),
        }
    }
}

// SAFETY: the `tenon_bytes` borrows the slice's bytes.
unsafe impl WireRaw for tenon_bytes {
    unsafe fn to_wire(self, scope: &()) -> Result<WireArg<'_>, CallError> {
        // SAFETY: forwarded to the caller.
        unsafe { crate::raw::bytes(self, scope) }.map(WireArg::Slice)
    }

    fn from_wire(arg: &WireArg<'_>) -> Result<Self, String> {
        match arg {
            WireArg::Slice(bytes) => Ok(tenon_bytes {
                ptr: bytes.as_ptr(),
                len: bytes.len(),
            }),
            WireArg::Word(_) => Err("is a word, but bytes were expected".into()),
        }
    }
}

/// A scalar's bits as a [`WireArg::Word`] and as the little-endian bytes
/// of a result, and the storage a C method writes it into.
#[doc(hidden)]
pub trait Scalar: Copy {
    /// What a C method's out-parameter points to: the scalar itself, or for
    /// `bool` a byte, so that a C plugin that stores some other value into
    /// its `bool *` is caught instead of being undefined behaviour.
    type Storage: Copy + Default;
    /// The C width in bytes.
    const WIDTH: usize;
    /// The bits at the scalar's own width, zero-extended.
    fn to_word(self) -> u64;
    /// The value of a word, if it is one (in range for the width, and for
    /// `bool` 0 or 1).
    fn from_word(word: u64) -> Option<Self>;
    /// The value a C method stored, if it is one.
    fn from_storage(storage: Self::Storage) -> Option<Self>;
}

macro_rules! scalars {
    ($($ty:tt => $bits:ty;)*) => {$(
        impl Scalar for $ty {
            type Storage = $ty;
            const WIDTH: usize = core::mem::size_of::<$ty>();

            #[inline]
            fn to_word(self) -> u64 {
                // Two's complement bits at the same width for the signed
                // kinds; IEEE 754 bits for the floats.
                #[allow(clippy::cast_sign_loss)]
                let bits = scalar_to_bits!(self, $ty, $bits);
                u64::from(bits)
            }

            #[inline]
            fn from_word(word: u64) -> Option<Self> {
                let bits = <$bits>::try_from(word).ok()?;
                #[allow(clippy::cast_possible_wrap)]
                let value = scalar_from_bits!(bits, $ty, $bits);
                Some(value)
            }

            #[inline]
            fn from_storage(storage: $ty) -> Option<Self> {
                Some(storage)
            }
        }
    )*};
}

macro_rules! scalar_to_bits {
    ($value:expr, f32, $bits:ty) => {
        f32::to_bits($value)
    };
    ($value:expr, f64, $bits:ty) => {
        f64::to_bits($value)
    };
    ($value:expr, $ty:ty, $bits:ty) => {
        $value as $bits
    };
}

macro_rules! scalar_from_bits {
    ($bits:expr, f32, $b:ty) => {
        f32::from_bits($bits)
    };
    ($bits:expr, f64, $b:ty) => {
        f64::from_bits($bits)
    };
    ($bits:expr, $ty:ty, $b:ty) => {
        $bits as $ty
    };
}

scalars! {
    u8 => u8;
    u16 => u16;
    u32 => u32;
    u64 => u64;
    i8 => u8;
    i16 => u16;
    i32 => u32;
    i64 => u64;
    f32 => u32;
    f64 => u64;
}

impl Scalar for bool {
    type Storage = u8;
    const WIDTH: usize = 1;

    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self)
    }

    #[inline]
    fn from_word(word: u64) -> Option<Self> {
        match word {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    #[inline]
    fn from_storage(storage: u8) -> Option<Self> {
        Self::from_word(u64::from(storage))
    }
}

macro_rules! wire_scalars {
    ($($ty:ty),*) => {$(
        // SAFETY: `from_wire` only returns values `from_word` accepted.
        unsafe impl WireRaw for $ty {
            #[inline]
            unsafe fn to_wire(self, _scope: &()) -> Result<WireArg<'_>, CallError> {
                Ok(WireArg::Word(self.to_word()))
            }

            fn from_wire(arg: &WireArg<'_>) -> Result<Self, String> {
                match *arg {
                    WireArg::Word(word) => <$ty>::from_word(word).ok_or_else(|| {
                        format!("is {word:#x}, which is not a {}", stringify!($ty))
                    }),
                    WireArg::Slice(_) => {
                        Err(format!("is a slice, but a {} was expected", stringify!($ty)))
                    }
                }
            }
        }

        // SAFETY: the out-parameter is a `*mut $ty`; the proxy passes its
        // caller's, the dispatcher one to its own storage.
        unsafe impl WireRet for $ty {
            type Out = *mut $ty;

            unsafe fn proxy(
                out: *mut $ty,
                call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
            ) -> Result<tenon_status, CallError> {
                // SAFETY: forwarded to the caller.
                unsafe { proxy_scalar(out, call) }
            }

            unsafe fn dispatch(
                out: *mut tenon_buffer,
                call: impl FnOnce(*mut $ty) -> tenon_status,
            ) -> Result<tenon_status, CallError> {
                // SAFETY: forwarded to the caller.
                unsafe { dispatch_scalar(out, call) }
            }
        }
    )*};
}

wire_scalars!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, bool);

/// A method's result (or `()` for none), as the bytes appended to a buffer
/// when it crosses.
///
/// # Safety
///
/// `Out` must be the method's C out-parameter (`()` for none), and
/// `dispatch` must pass `call` an out-parameter valid for the call.
#[doc(hidden)]
pub unsafe trait WireRet {
    /// The C out-parameter, `()` when the method has none.
    type Out: Copy;

    /// The calling side: runs `call` with the buffer the result bytes are
    /// appended to (NULL for a method without a result), and stores them
    /// through `out`.
    ///
    /// # Safety
    ///
    /// `out` must be the out-parameter the proxy's caller passed.
    unsafe fn proxy(
        out: Self::Out,
        call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
    ) -> Result<tenon_status, CallError>;

    /// The far side: runs `call` (the real method) with an out-parameter,
    /// and appends what it stored to `out`.
    ///
    /// # Safety
    ///
    /// `out` must be NULL or a buffer lent to this call.
    unsafe fn dispatch(
        out: *mut tenon_buffer,
        call: impl FnOnce(Self::Out) -> tenon_status,
    ) -> Result<tenon_status, CallError>;
}

// SAFETY: no out-parameter.
unsafe impl WireRet for () {
    type Out = ();

    unsafe fn proxy(
        _out: (),
        call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
    ) -> Result<tenon_status, CallError> {
        Ok(call(core::ptr::null_mut()))
    }

    unsafe fn dispatch(
        _out: *mut tenon_buffer,
        call: impl FnOnce(()) -> tenon_status,
    ) -> Result<tenon_status, CallError> {
        Ok(call(()))
    }
}

macro_rules! wire_buffers {
    ($($ty:ty),*) => {$(
        // SAFETY: the out-parameter is the buffer itself, on both sides.
        unsafe impl WireRet for $ty {
            type Out = *mut tenon_buffer;

            unsafe fn proxy(
                out: *mut tenon_buffer,
                call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
            ) -> Result<tenon_status, CallError> {
                if out.is_null() {
                    return Err(null_out());
                }
                Ok(call(out))
            }

            unsafe fn dispatch(
                out: *mut tenon_buffer,
                call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
            ) -> Result<tenon_status, CallError> {
                if out.is_null() {
                    return Err(null_out());
                }
                Ok(call(out))
            }
        }
    )*};
}

wire_buffers!(String, Vec<u8>);

#[cold]
fn null_out() -> CallError {
    CallError::invalid_argument("a NULL result buffer was passed")
}

/// Room for the bytes of one scalar result, lent as a `tenon_buffer` that
/// never allocates.
#[repr(C)]
struct Scratch {
    raw: tenon_buffer,
    bytes: [u8; SCRATCH],
}

/// Larger than every scalar, so that a result of the wrong width is seen
/// as such rather than refused by `reserve`.
const SCRATCH: usize = 16;

/// The `reserve` of a [`Scratch`]: there is room for `SCRATCH` bytes, and
/// never more.
unsafe extern "C" fn scratch_reserve(buffer: *mut tenon_buffer, additional: usize) -> tenon_status {
    if buffer.is_null() {
        return Status::INVALID_ARGUMENT.0;
    }
    // SAFETY: a non-NULL buffer the callee was lent (or a copy of it); its
    // fields are readable.
    let room = unsafe { (*buffer).capacity.saturating_sub((*buffer).len) };
    if room >= additional {
        Status::OK.0
    } else {
        Status::OUT_OF_MEMORY.0
    }
}

/// The proxy side of a scalar result.
///
/// # Safety
///
/// `out` must be NULL or point to a writable `T`.
unsafe fn proxy_scalar<T: Scalar>(
    out: *mut T,
    call: impl FnOnce(*mut tenon_buffer) -> tenon_status,
) -> Result<tenon_status, CallError> {
    if out.is_null() {
        return Err(CallError::invalid_argument(
            "a NULL result out-parameter was passed",
        ));
    }
    let mut scratch = Scratch {
        raw: tenon_buffer {
            data: core::ptr::null_mut(),
            len: 0,
            capacity: SCRATCH,
            reserve: Some(scratch_reserve),
            host_data: core::ptr::null_mut(),
        },
        bytes: [0; SCRATCH],
    };
    // Only this pointer is used from here on, so that the buffer's `data`
    // (into the same struct) stays valid.
    let whole: *mut Scratch = &mut scratch;
    // SAFETY: `whole` points to the live local above.
    let data = unsafe { core::ptr::addr_of_mut!((*whole).bytes) }.cast::<u8>();
    // SAFETY: as above.
    unsafe { (*whole).raw.data = data };
    let buffer = whole.cast::<tenon_buffer>();
    let status = call(buffer);
    if status != Status::OK.0 {
        return Ok(status);
    }
    // SAFETY: the scratch is still live; the callee may only have written
    // `len` (and bytes below it) through its own copy of the pointer.
    let (kept, len) = unsafe {
        (
            (*whole).raw.data == data && (*whole).raw.capacity == SCRATCH,
            (*whole).raw.len,
        )
    };
    if !kept || len != T::WIDTH {
        return Err(CallError::invalid_output(format!(
            "the result of a call carried across a process boundary is {len} bytes, not the {} of its kind",
            T::WIDTH
        )));
    }
    let mut word = [0u8; 8];
    // SAFETY: `len` (checked above) bytes of the live scratch, read as
    // one copy (no reference to the struct is made while `buffer` is out).
    let bytes = unsafe { core::ptr::addr_of!((*whole).bytes).read() };
    word[..len].copy_from_slice(&bytes[..len]);
    let value = T::from_word(u64::from_le_bytes(word)).ok_or_else(|| {
        CallError::invalid_output(format!(
            "the result of a call carried across a process boundary, {:#x}, is not a valid value of its kind",
            u64::from_le_bytes(word)
        ))
    })?;
    // SAFETY: non-NULL, and the caller's out-parameter for this call.
    unsafe { out.write(value) };
    Ok(status)
}

/// The far side of a scalar result.
///
/// # Safety
///
/// `out` must be NULL or a buffer lent to this call.
unsafe fn dispatch_scalar<T: Scalar>(
    out: *mut tenon_buffer,
    call: impl FnOnce(*mut T) -> tenon_status,
) -> Result<tenon_status, CallError> {
    if out.is_null() {
        return Err(null_out());
    }
    let mut storage = T::Storage::default();
    // `T::Storage` is `T`, or a byte for `bool` (same size and alignment).
    let status = call(core::ptr::addr_of_mut!(storage).cast::<T>());
    if status != Status::OK.0 {
        return Ok(status);
    }
    let value = T::from_storage(storage).ok_or_else(|| {
        CallError::invalid_output("the plugin stored a value that is not a bool in its bool result")
    })?;
    let word = value.to_word().to_le_bytes();
    // SAFETY: `out` is lent to this call (the caller).
    unsafe { append(out, &word[..T::WIDTH]) }?;
    Ok(status)
}

/// Converts one argument for the wire.
///
/// # Safety
///
/// As for [`WireRaw::to_wire`].
#[doc(hidden)]
#[inline]
pub unsafe fn to_wire<R: WireRaw>(raw: R, scope: &()) -> Result<WireArg<'_>, CallError> {
    // SAFETY: forwarded to the caller.
    unsafe { raw.to_wire(scope) }
}

/// Checks the number and forms of `args` against `method`.
#[doc(hidden)]
pub fn check_args(method: &crate::Method, args: &[WireArg<'_>]) -> Result<(), CallError> {
    if args.len() != method.args.len() {
        return Err(CallError::invalid_argument(format!(
            "`{}` takes {} argument(s), but the call carried {}",
            method.name,
            method.args.len(),
            args.len()
        )));
    }
    for (index, (arg, kind)) in args.iter().zip(method.args).enumerate() {
        if !arg.fits(*kind) {
            return Err(CallError::invalid_argument(format!(
                "argument {} of `{}` should be {kind:?} but is a {}",
                index + 1,
                method.name,
                match arg {
                    WireArg::Word(_) => "word",
                    WireArg::Slice(_) => "slice",
                }
            )));
        }
    }
    Ok(())
}

/// The next argument of a call whose arguments `check_args` accepted, as
/// its C type.
#[doc(hidden)]
pub fn from_wire<'a, R: WireRaw>(
    method: &crate::Method,
    args: &[WireArg<'a>],
    position: &mut usize,
) -> Result<R, CallError> {
    let index = *position;
    *position += 1;
    let arg = args.get(index).ok_or_else(|| {
        CallError::invalid_argument(format!(
            "`{}` is missing argument {}",
            method.name,
            index + 1
        ))
    })?;
    R::from_wire(arg).map_err(|why| {
        CallError::invalid_argument(format!("argument {} of `{}` {why}", index + 1, method.name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word<R: WireRaw>(raw: R) -> WireArg<'static> {
        // SAFETY: a scalar borrows nothing.
        match unsafe { raw.to_wire(&()) }.unwrap() {
            WireArg::Word(word) => WireArg::Word(word),
            WireArg::Slice(_) => unreachable!(),
        }
    }

    #[test]
    fn scalars_cross_as_their_bits_zero_extended() {
        assert_eq!(word(-1i8), WireArg::Word(0xff));
        assert_eq!(word(-2i16), WireArg::Word(0xfffe));
        assert_eq!(word(-1i32), WireArg::Word(0xffff_ffff));
        assert_eq!(word(-1i64), WireArg::Word(u64::MAX));
        assert_eq!(word(true), WireArg::Word(1));
        assert_eq!(word(-0.0f32), WireArg::Word(0x8000_0000));
        assert_eq!(word(1.0f64), WireArg::Word(0x3ff0_0000_0000_0000));
        assert_eq!(i8::from_wire(&WireArg::Word(0x80)), Ok(i8::MIN));
        assert!(i8::from_wire(&WireArg::Word(0x100)).is_err());
        assert!(bool::from_wire(&WireArg::Word(2)).is_err());
        assert!(u64::from_wire(&WireArg::Slice(b"")).is_err());
    }

    #[test]
    fn text_is_checked_on_the_far_side() {
        assert!(tenon_str::from_wire(&WireArg::Slice(b"\xc3")).is_err());
        let text = tenon_str::from_wire(&WireArg::Slice("é".as_bytes())).unwrap();
        assert_eq!(text.len, 2);
        assert!(tenon_bytes::from_wire(&WireArg::Word(0)).is_err());
    }

    #[test]
    fn a_scalar_result_crosses_as_its_little_endian_bytes() {
        let mut out = crate::HostBuffer::new();
        // SAFETY: a live buffer; the "method" stores through the pointer it
        // is given.
        let status = unsafe {
            dispatch_scalar::<i16>(out.as_raw(), |slot| {
                slot.write(-2);
                Status::OK.0
            })
        }
        .unwrap();
        assert_eq!(status, Status::OK.0);
        assert_eq!(out.written().unwrap(), &[0xfe, 0xff]);
        let mut out = crate::HostBuffer::new();
        // SAFETY: as above; a C plugin storing 2 into its `bool *`.
        let refused = unsafe {
            dispatch_scalar::<bool>(out.as_raw(), |slot| {
                slot.cast::<u8>().write(2);
                Status::OK.0
            })
        };
        assert!(refused.is_err());
        let mut value = 0u32;
        // SAFETY: `value` is the out-parameter; the "remote" appends four
        // bytes to the scratch it is lent.
        let status = unsafe {
            proxy_scalar::<u32>(&mut value, |out| match append(out, &[1, 2, 3, 4]) {
                Ok(()) => Status::OK.0,
                Err(e) => e.status().0,
            })
        }
        .unwrap();
        assert_eq!((status, value), (Status::OK.0, 0x0403_0201));
    }
}
