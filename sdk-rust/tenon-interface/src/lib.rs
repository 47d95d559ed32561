//! Declaring Tenon plugin interfaces in Rust.
//!
//! An interface is a C header (id, version, vtable struct) that every plugin
//! language includes. Rust gets the vtable struct through bindgen, and the
//! [`interface!`] macro turns a trait declaration into everything both sides
//! need — with the compiler checking that the trait and the C vtable agree.
//!
//! This crate is shared by hosts (the `tenon` crate) and Rust plugins (the
//! `tenon-plugin` crate); both re-export it, so applications rarely depend
//! on it directly.
//!
//! Conventions every generated method follows (see `docs/ABI.md`):
//! the instance comes first, then the arguments as [`Arg::Raw`], then the
//! result's out-parameter as [`Ret::Raw`], then `tenon_buffer *error`; the
//! return value is a `tenon_status`.
#![deny(missing_docs)]

pub mod boundary;
mod buffer;
mod call_error;
mod declare;
mod interface;
mod marshal;
mod status;

pub use buffer::{append, HostBuffer};
pub use call_error::{CallError, CallResult};
pub use interface::{Client, Implement, Interface, Method, ValueKind};
pub use marshal::{Arg, Ret};
pub use status::Status;
/// The raw C types of `plugin.h`.
pub use tenon_sys as sys;

/// The id of a C header's `#define X_ID "..."`, which bindgen renders as
/// NUL-terminated bytes, so that a Rust declaration takes its id from the
/// header instead of repeating it:
/// `const ID = tenon_interface::c_id(sys::EXAMPLE_GREETER_ID);`.
///
/// Fails to compile (in a `const`) unless the bytes are NUL-terminated UTF-8
/// without interior NULs.
pub const fn c_id(bytes: &'static [u8]) -> &'static core::ffi::CStr {
    match core::ffi::CStr::from_bytes_with_nul(bytes) {
        Ok(id) => {
            __private::c_str_text(id);
            id
        }
        Err(_) => panic!("an interface id must be a NUL-terminated C string without interior NULs"),
    }
}

#[doc(hidden)]
pub mod __private {
    use crate::{CallError, HostBuffer, Status};

    /// The text of an interface id; fails to compile if it is not UTF-8.
    pub const fn c_str_text(id: &'static core::ffi::CStr) -> &'static str {
        match core::str::from_utf8(id.to_bytes()) {
            Ok(text) => text,
            Err(_) => panic!("an interface id must be UTF-8"),
        }
    }

    /// The result kind of a method: the one listed, or none.
    pub const fn result_kind(kinds: &[crate::ValueKind]) -> Option<crate::ValueKind> {
        match kinds {
            [kind] => Some(*kind),
            _ => None,
        }
    }

    /// Turns a method's status into a result, taking the message from the
    /// error buffer on failure.
    #[inline]
    pub fn check(status: i32, error: HostBuffer) -> Result<(), CallError> {
        if status == Status::OK.0 {
            Ok(())
        } else {
            Err(CallError::new(Status(status), error.into_message()))
        }
    }
}
