//! The C API of the Tenon host: what `include/tenon/host.h` declares.
//!
//! A C or C++ program loads, verifies and calls Tenon plugins through
//! these functions, exactly as a Rust program does through the `tenon`
//! crate (which they wrap). The crate is an rlib; the `libtenon` crate
//! builds it into `libtenon.so` / `libtenon.a`, together with the
//! `interface!` declarations isolated plugins are called through (so a
//! host with its own interfaces builds its own libtenon the same way).
//!
//! The header is generated from this crate by cbindgen
//! (`cargo run -p tenon-cbindgen`) and a test fails when it drifts.
//!
//! Conventions (repeated at the top of the header):
//! * every handle is opaque, made and freed by libtenon, and checked on
//!   every call against a table of live handles;
//! * every fallible function returns `tenon_error *`: NULL on success, else
//!   an error the caller frees with `tenon_error_free`;
//! * `_free(NULL)` is a no-op, and so is freeing a handle that is not live;
//! * every pointer argument is checked, and every function runs behind a
//!   panic boundary: a bug in libtenon becomes an error of kind `panic`.
#![allow(non_camel_case_types)]
// The exported functions are for C, where `unsafe` means nothing: each
// checks its pointers as far as it can (NULL, live handles) and documents
// the rest of its contract in the header.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
#![deny(missing_docs)]

mod boundary;
mod buffer;
mod error;
mod handle;
mod instance;
mod isolation;
mod logging;
mod options;
mod plugin;
mod reload;
mod services;

pub use buffer::{tenon_buffer_clear, tenon_buffer_free, tenon_buffer_new};
pub use error::*;
pub use instance::{
    tenon_instance, tenon_instance_create, tenon_instance_free, tenon_instance_interface,
};
pub use isolation::tenon_isolation_init;
pub use logging::{tenon_log_handler, tenon_log_set_handler};
pub use options::*;
pub use plugin::*;
pub use reload::*;
pub use services::*;
