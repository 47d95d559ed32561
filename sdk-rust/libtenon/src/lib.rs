//! libtenon, the Tenon host for C and C++ programs (`include/tenon/host.h`):
//! the `tenon-capi` crate built as `libtenon.so` / `libtenon.a`, together
//! with the `interface!` declarations that isolated plugins are called
//! through (`tenon_instance_interface` needs the declaration of an
//! interface to hand out its proxy vtable).
//!
//! This build declares the example interfaces (feature
//! `example-interfaces`, on by default). A host with interfaces of its own
//! builds its own library the same way: a crate like this one depending on
//! `tenon-capi` and on the crates that declare its interfaces.
#![deny(missing_docs)]

pub use tenon_capi::*;

// Linked for their registrations alone: nothing here calls them.
#[cfg(feature = "example-interfaces")]
extern crate tenon_example_interfaces;
