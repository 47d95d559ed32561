//! Calling a method whose C signature is known only at run time, from an
//! interface header: the arguments come as [`WireArg`]s checked against the
//! method's [`ValueKind`]s — the same forms isolation carries calls in —
//! and libffi makes the C call from those kinds. The result is read back
//! with the host's own checks ([`HostBuffer`]: bookkeeping within what
//! `reserve` lent; UTF-8 for text; 0 or 1 for `bool`).

// Without libffi (used on Linux only) the arguments are still checked and
// converted, so that a bad argument is refused alike everywhere, but no
// call reads them and no result is decoded.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use tenon::{CallError, RawInterface, Status};
use tenon_interface::{ValueKind, WireArg};

/// What a call gave back.
#[derive(Debug)]
pub struct Returned {
    /// The status the method returned.
    pub status: Status,
    /// On `TENON_OK`, the result (for a method that has one), checked;
    /// the error is `invalid_output` for a malformed result.
    pub result: Option<Result<Value, CallError>>,
    /// On failure, what the plugin wrote to the error buffer (lossy), or
    /// `invalid_output` if it corrupted the buffer's bookkeeping.
    pub message: Result<String, CallError>,
}

/// A method's C signature, in kinds.
#[derive(Clone, Copy, Debug)]
pub struct Signature<'a> {
    /// The method's name (the vtable field).
    pub name: &'a str,
    /// Its arguments' kinds, after the instance.
    pub args: &'a [ValueKind],
    /// Its result's kind, if it has an out-parameter.
    pub result: Option<ValueKind>,
}

/// A method's result.
#[derive(Debug, PartialEq)]
pub enum Value {
    /// A text result (valid UTF-8).
    Text(String),
    /// A bytes result.
    Bytes(Vec<u8>),
    /// A scalar result, as a [`WireArg::Word`] would carry it.
    Word(u64),
}

/// Calls method `index` of `interface`, whose C signature `method`
/// describes, with `args`. `Err` when the call cannot be made (the slot is
/// NULL or past `struct_size`, the arguments do not fit the kinds): the
/// method was not called.
///
/// # Safety
///
/// Slot `index` of the vtable must have the C signature `method` describes
/// (instance, arguments, the result's out-parameter, `tenon_buffer *error`,
/// returning `tenon_status`), and the instance may be called from this
/// thread now.
pub unsafe fn call(
    interface: &RawInterface<'_>,
    index: usize,
    method: &Signature<'_>,
    args: &[WireArg<'_>],
) -> Result<Returned, CallError> {
    let Some(slot) = interface.vtable().slot(index) else {
        return Err(CallError::new(
            Status::UNSUPPORTED,
            format!(
                "`{}` is past the vtable's struct_size ({} bytes)",
                method.name,
                interface.vtable().struct_size()
            ),
        ));
    };
    if slot.is_null() {
        return Err(CallError::invalid_argument(format!(
            "the vtable's `{}` is NULL",
            method.name
        )));
    }
    if args.len() != method.args.len() {
        return Err(CallError::invalid_argument(format!(
            "`{}` takes {} argument(s), not {}",
            method.name,
            method.args.len(),
            args.len()
        )));
    }
    let values = method
        .args
        .iter()
        .zip(args)
        .map(|(kind, arg)| CValue::new(*kind, arg))
        .collect::<Result<Vec<_>, _>>()?;
    // SAFETY: forwarded to the caller.
    Ok(unsafe { ffi::call(slot, interface.instance_ptr(), method, &values) })
}

/// One argument in its C form.
enum CValue {
    /// `tenon_str` and `tenon_bytes`, which share one layout.
    Slice(tenon::sys::tenon_bytes),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64),
}

impl CValue {
    fn new(kind: ValueKind, arg: &WireArg<'_>) -> Result<CValue, CallError> {
        if !arg.fits(kind) {
            return Err(CallError::invalid_argument(format!(
                "{arg:?} is not a {kind:?}"
            )));
        }
        let word = match *arg {
            WireArg::Slice(bytes) => {
                if kind == ValueKind::Utf8 && std::str::from_utf8(bytes).is_err() {
                    return Err(CallError::invalid_argument("text that is not UTF-8"));
                }
                return Ok(CValue::Slice(tenon::sys::tenon_bytes {
                    ptr: bytes.as_ptr(),
                    len: bytes.len(),
                }));
            }
            WireArg::Word(word) => word,
        };
        let narrow = |bits: u32| {
            if bits < 64 && word >> bits != 0 {
                Err(CallError::invalid_argument(format!(
                    "{word:#x} does not fit a {kind:?}"
                )))
            } else {
                Ok(word)
            }
        };
        // Signed kinds cross as their bits at their own width (see
        // `WireArg::Word`); C reads the same bits.
        Ok(match kind {
            ValueKind::U8 | ValueKind::I8 => CValue::U8(narrow(8)? as u8),
            ValueKind::Bool if word > 1 => {
                return Err(CallError::invalid_argument(format!("{word} is not a bool")))
            }
            ValueKind::Bool => CValue::U8(word as u8),
            ValueKind::U16 | ValueKind::I16 => CValue::U16(narrow(16)? as u16),
            ValueKind::U32 | ValueKind::I32 => CValue::U32(narrow(32)? as u32),
            ValueKind::F32 => CValue::F32(f32::from_bits(narrow(32)? as u32)),
            ValueKind::F64 => CValue::F64(f64::from_bits(word)),
            _ => CValue::U64(word),
        })
    }
}

/// The scalar result of kind `kind` from the 8 bytes a method stored into.
fn scalar(kind: ValueKind, stored: [u8; 8]) -> Result<Value, CallError> {
    let width = match kind {
        ValueKind::U8 | ValueKind::I8 | ValueKind::Bool => 1,
        ValueKind::U16 | ValueKind::I16 => 2,
        ValueKind::U32 | ValueKind::I32 | ValueKind::F32 => 4,
        _ => 8,
    };
    let mut word = [0u8; 8];
    word[..width].copy_from_slice(&stored[..width]);
    let word = u64::from_ne_bytes(word);
    if kind == ValueKind::Bool && word > 1 {
        return Err(CallError::invalid_output(format!(
            "the plugin stored {word} into its bool result"
        )));
    }
    Ok(Value::Word(word))
}

#[cfg(target_os = "linux")]
mod ffi {
    use super::{scalar, CValue, Returned, Signature, Value};
    use core::ffi::c_void;
    use libffi::middle::{Arg, Cif, CodePtr, Ret, Type};
    use tenon::{CallError, HostBuffer, Status};
    use tenon_interface::ValueKind;

    fn c_type(value: &CValue) -> Type {
        match value {
            CValue::Slice(_) => Type::structure([Type::pointer(), Type::usize()]),
            CValue::U8(_) => Type::u8(),
            CValue::U16(_) => Type::u16(),
            CValue::U32(_) => Type::u32(),
            CValue::U64(_) => Type::u64(),
            CValue::F32(_) => Type::f32(),
            CValue::F64(_) => Type::f64(),
        }
    }

    fn c_arg(value: &CValue) -> Arg<'_> {
        match value {
            CValue::Slice(slice) => Arg::new(slice),
            CValue::U8(v) => Arg::new(v),
            CValue::U16(v) => Arg::new(v),
            CValue::U32(v) => Arg::new(v),
            CValue::U64(v) => Arg::new(v),
            CValue::F32(v) => Arg::new(v),
            CValue::F64(v) => Arg::new(v),
        }
    }

    /// Where a method stores its result.
    enum Out {
        None,
        Buffer(HostBuffer),
        /// Eight bytes, aligned for every scalar.
        Scalar(u64),
    }

    /// # Safety
    ///
    /// As for [`super::call`]; `slot` is its non-NULL function pointer.
    pub(super) unsafe fn call(
        slot: *const c_void,
        instance: *mut c_void,
        method: &Signature<'_>,
        values: &[CValue],
    ) -> Returned {
        let mut out = match method.result {
            None => Out::None,
            Some(ValueKind::Utf8 | ValueKind::Bytes) => Out::Buffer(HostBuffer::new()),
            Some(_) => Out::Scalar(0),
        };
        let mut error = HostBuffer::new();
        let out_ptr: *mut c_void = match &mut out {
            Out::None => core::ptr::null_mut(),
            Out::Buffer(buffer) => buffer.as_raw().cast(),
            Out::Scalar(word) => (word as *mut u64).cast(),
        };
        let error_ptr: *mut c_void = error.as_raw().cast();

        let mut types = vec![Type::pointer()];
        types.extend(values.iter().map(c_type));
        if method.result.is_some() {
            types.push(Type::pointer());
        }
        types.push(Type::pointer());
        let cif = Cif::new(types, Type::i32());

        let mut args = vec![Arg::new(&instance)];
        args.extend(values.iter().map(c_arg));
        if method.result.is_some() {
            args.push(Arg::new(&out_ptr));
        }
        args.push(Arg::new(&error_ptr));
        // libffi widens a small integer result to a whole `ffi_arg`.
        let mut status: u64 = 0;
        // SAFETY: the caller promises that `slot` has the signature the cif
        // describes: the instance pointer, each argument in its C type
        // (`tenon_str`/`tenon_bytes` as their `{pointer, size_t}` struct),
        // the out-parameter, the error buffer, returning an `int32_t`;
        // every `Arg` borrows a local that outlives the call, and the
        // buffers are lent for this call only.
        unsafe {
            cif.call_return_into(CodePtr::from_ptr(slot), &args, Ret::new(&mut status));
        }
        drop(args);
        // The low 32 bits are the `int32_t`, whatever libffi extended it
        // with.
        let status = Status(status as u32 as i32);
        if status != Status::OK {
            return Returned {
                status,
                result: None,
                message: error
                    .into_vec()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
            };
        }
        let result = match (out, method.result) {
            (Out::None, _) | (_, None) => None,
            (Out::Buffer(buffer), Some(kind)) => Some(buffer.into_vec().and_then(|bytes| {
                if kind == ValueKind::Bytes {
                    return Ok(Value::Bytes(bytes));
                }
                String::from_utf8(bytes).map(Value::Text).map_err(|e| {
                    CallError::invalid_output(format!(
                        "the plugin returned text that is not valid UTF-8: {}",
                        e.utf8_error()
                    ))
                })
            })),
            (Out::Scalar(word), Some(kind)) => Some(scalar(kind, word.to_ne_bytes())),
        };
        Returned {
            status,
            result,
            message: Ok(String::new()),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod ffi {
    use super::{CValue, Returned, Signature};
    use core::ffi::c_void;
    use tenon::Status;

    /// Without libffi here, nothing is called.
    ///
    /// # Safety
    ///
    /// None needed: nothing is called.
    pub(super) unsafe fn call(
        _slot: *const c_void,
        _instance: *mut c_void,
        _method: &Signature<'_>,
        _values: &[CValue],
    ) -> Returned {
        Returned {
            status: Status::UNSUPPORTED,
            result: None,
            message: Ok(
                "calls from an interface header need libffi, used on Linux only".to_owned(),
            ),
        }
    }
}

/// Whether this build can call methods from an interface header.
pub const SUPPORTED: bool = cfg!(target_os = "linux");
