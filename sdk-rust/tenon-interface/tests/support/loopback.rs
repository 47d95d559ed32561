//! A loopback [`Remote`]: a proxy's calls carried to a real vtable the way
//! a transport between processes carries them. The far side sees copies of
//! the arguments, never the caller's memory, and is reached only through an
//! interface's dispatcher ([`Declared::dispatch`]); its result and message
//! are copied back.
//!
//! Shared by `tenon-interface`'s `tests/remote.rs` (the dispatchers of
//! interfaces declared in Rust, into Rust implementations; no link section
//! is read, so Miri runs it) and the integration tests' `marshalling.rs`
//! (the dispatchers found in the registry, into every example plugin), each
//! including this file as a module.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::any::Any;
use std::ffi::c_void;
use std::sync::Arc;
use tenon_interface::{append, sys, Declared, HostBuffer, Implement, Remote, WireArg};

/// The far side of a loopback: a vtable and its instance, reached through a
/// declaration's dispatcher.
pub struct Loopback {
    declared: &'static Declared,
    vtable: *const c_void,
    instance: *mut c_void,
    /// What `instance` points into, when the loopback owns it.
    _implementation: Option<Arc<dyn Any + Send + Sync>>,
}

// SAFETY: `Loopback::new`'s callers promise that the instance may be called
// from whichever thread uses the loopback; `Loopback::serving`'s instance
// is a `Send + Sync` implementation.
unsafe impl Send for Loopback {}
// SAFETY: as above.
unsafe impl Sync for Loopback {}

impl Loopback {
    /// Calls reach `instance` through `vtable`, by `declared`'s dispatcher.
    ///
    /// # Safety
    ///
    /// `vtable` is a vtable `declared.verify` accepts and `instance` an
    /// instance of it, both live, and callable from every thread the
    /// loopback is used on, for as long as the loopback is.
    pub unsafe fn new(
        declared: &'static Declared,
        vtable: *const c_void,
        instance: *mut c_void,
    ) -> Loopback {
        Loopback {
            declared,
            vtable,
            instance,
            _implementation: None,
        }
    }

    /// Calls reach `implementation` through the vtable `interface!`
    /// generates for it, by `I`'s own dispatcher (no registry involved).
    pub fn serving<I, T>(implementation: Arc<T>) -> Arc<Loopback>
    where
        I: ?Sized + Implement<T>,
        T: Send + Sync + 'static,
    {
        let declared: &'static Declared = const { &Declared::of::<I>() };
        let vtable = (I::VTABLE as *const I::Vtable).cast::<c_void>();
        // SAFETY: the interface's own generated vtable.
        unsafe { declared.verify(vtable) }.unwrap();
        let instance = Arc::as_ptr(&implementation).cast_mut().cast();
        // SAFETY: a verified vtable of `I` for a `T`, with an instance the
        // loopback keeps alive; `T` is `Send + Sync`.
        let mut loopback = unsafe { Loopback::new(declared, vtable, instance) };
        loopback._implementation = Some(implementation);
        Arc::new(loopback)
    }
}

impl Remote for Loopback {
    unsafe fn call(
        &self,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut sys::tenon_buffer,
        error: *mut sys::tenon_buffer,
    ) -> sys::tenon_status {
        let copies: Vec<Vec<u8>> = args
            .iter()
            .map(|arg| match arg {
                WireArg::Slice(bytes) => bytes.to_vec(),
                WireArg::Word(_) => Vec::new(),
            })
            .collect();
        let far_args: Vec<WireArg<'_>> = args
            .iter()
            .zip(&copies)
            .map(|(arg, copy)| match arg {
                WireArg::Slice(_) => WireArg::Slice(copy),
                WireArg::Word(word) => WireArg::Word(*word),
            })
            .collect();
        let mut far_out = HostBuffer::new();
        let mut far_error = HostBuffer::new();
        let far_out_ptr = if out.is_null() {
            core::ptr::null_mut()
        } else {
            far_out.as_raw()
        };
        // SAFETY: a verified vtable of the declared interface with its live
        // instance (`new`'s contract); buffers lent for this call.
        let status = unsafe {
            self.declared.dispatch(
                self.vtable,
                self.instance,
                method,
                &far_args,
                far_out_ptr,
                far_error.as_raw(),
            )
        };
        // SAFETY: the caller's buffers, lent for this call.
        unsafe {
            if !out.is_null() {
                append(out, far_out.written().expect("an intact result")).unwrap();
            }
            append(error, far_error.written().expect("an intact message")).unwrap();
        }
        status
    }
}
