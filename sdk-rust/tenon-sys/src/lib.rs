//! Raw Rust mirror of the Tenon plugin contract, `include/tenon/plugin.h`.
//!
//! Every type, field and constant of the C header appears here under its C
//! name, with the header's comments as documentation; nothing is added, renamed
//! or made safe. Higher-level crates (`tenon` for hosts, `tenon-plugin` for
//! plugins) build safe APIs on top of it.
//!
//! # How it is made
//!
//! The items live in `src/bindings.rs`, which is **generated** by bindgen
//! through the `tenon-bindgen` crate and checked in, so building this crate
//! needs neither libclang nor a build script, and the crate has no
//! dependencies. After a change to `plugin.h`, regenerate with
//!
//! ```text
//! cargo run -p tenon-bindgen
//! ```
//!
//! Two tests keep the mirror honest:
//!
//! * `cargo test -p tenon-bindgen` regenerates the file and fails if the
//!   checked-in copy differs (drift test).
//! * `cargo test -p tenon-layout-tests` compiles a C probe with the target's C
//!   compiler and compares the size and alignment of every struct, and the
//!   offset and size of every field, with what Rust computes from this crate.
//!
//! # What to expect
//!
//! * `#![no_std]`: only `core` types (`core::ffi::c_char`, `c_void`).
//! * Structs are `#[repr(C)]` and derive `Debug`, `Copy` and `Clone`.
//! * Function pointers are `Option<unsafe extern "C" fn(..)>`: `None` is the
//!   C `NULL`.
//! * `size_t` is `usize`; `uint32_t` is `u32`, and so on.
//! * The header's integer macros have their real types: status codes
//!   ([`TENON_OK`], [`TENON_NOT_FOUND`], ...) are [`tenon_status`], log levels
//!   are [`tenon_log_level`], [`TENON_PLUGIN_THREAD_SAFE`] is a `u64` flag and
//!   [`TENON_ABI_MAJOR`]/[`TENON_ABI_MINOR`] are `u16`, like the descriptor
//!   fields they are compared with.
//! * String macros are NUL-terminated byte strings: [`TENON_ENTRY_SYMBOL_V1`]
//!   is `b"tenon_plugin_v1\0"`, ready for `dlsym`.
//! * The entry function `tenon_plugin_v1` itself is deliberately **not**
//!   declared: a host must look it up in the loaded library, never link to
//!   it. Its type is [`tenon_plugin_entry_v1`].
//! * The header's `static inline` helpers (`tenon_buffer_append`,
//!   `tenon_fail`, ...) have no symbol and are not mirrored.
//!
//! ```
//! use tenon_sys::*;
//!
//! // Read the header's version and status codes with their C types.
//! let status: tenon_status = TENON_NOT_FOUND;
//! assert_eq!(status, 2);
//! assert_eq!(TENON_ABI_MAJOR, 1);
//! assert_eq!(TENON_ENTRY_SYMBOL_V1, b"tenon_plugin_v1\0");
//!
//! // A borrowed string, as a host passes it to a plugin.
//! let config = "verbose";
//! let config = tenon_str { ptr: config.as_ptr().cast(), len: config.len() };
//! assert_eq!(config.len, 7);
//! ```

#![no_std]
#![warn(missing_docs)]

// The generated file carries its own `#![allow(non_camel_case_types, ...)]`,
// so the C names are allowed there and nowhere else.
mod bindings;

pub use bindings::*;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    #[test]
    fn constants_have_their_c_types() {
        let _: tenon_status = TENON_OK;
        let _: tenon_status = TENON_STATUS_INTERFACE_FIRST;
        let _: tenon_log_level = TENON_LOG_TRACE;
        let _: u64 = TENON_PLUGIN_THREAD_SAFE;
        let _: u16 = TENON_ABI_MAJOR;
        let _: u16 = TENON_ABI_MINOR;
        assert_eq!(size_of::<tenon_status>(), 4);
        assert_eq!(
            [
                TENON_OK,
                TENON_ERROR,
                TENON_NOT_FOUND,
                TENON_INVALID_ARGUMENT,
                TENON_OUT_OF_MEMORY,
                TENON_PANIC,
                TENON_UNSUPPORTED,
                TENON_CRASHED,
                TENON_TIMED_OUT,
                TENON_INSTANCE_LOST,
            ],
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        );
        assert_eq!(TENON_STATUS_INTERFACE_FIRST, 1000);
        assert_eq!((TENON_ABI_MAJOR, TENON_ABI_MINOR), (1, 0));
    }

    #[test]
    fn entry_symbol_is_nul_terminated() {
        assert_eq!(TENON_ENTRY_SYMBOL_V1.last(), Some(&0));
        assert_eq!(&TENON_ENTRY_SYMBOL_V1[..], b"tenon_plugin_v1\0");
    }

    #[test]
    fn function_pointers_are_nullable() {
        // Option<fn> has the size of a pointer, with None as NULL.
        assert_eq!(size_of::<tenon_plugin_entry_v1>(), size_of::<usize>());
        let entry: tenon_plugin_entry_v1 = None;
        assert!(entry.is_none());
    }

    #[test]
    fn structs_are_copy_and_debug() {
        let text = "abc";
        let s = tenon_str {
            ptr: text.as_ptr().cast(),
            len: text.len(),
        };
        let copy = s;
        assert_eq!(copy.len, s.len);
        fn debug_copy<T: core::fmt::Debug + Copy>() {}
        debug_copy::<tenon_str>();
        debug_copy::<tenon_bytes>();
        debug_copy::<tenon_buffer>();
        debug_copy::<tenon_host>();
        debug_copy::<tenon_vtable_header>();
        debug_copy::<tenon_interface>();
        debug_copy::<tenon_plugin_descriptor>();
    }
}
