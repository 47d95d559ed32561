//! `Client::reusing`: results written into a buffer the caller keeps, with
//! the same checks as the allocating methods. Both sides run in this
//! process (no library), so Miri can check the path too.

use std::cell::Cell;
use std::ffi::c_void;
use tenon_interface::{sys, CallError, CallResult, Client, HostBuffer, Implement};

#[repr(C)]
#[derive(Clone, Copy)]
pub struct RecordsV1 {
    pub struct_size: u32,
    pub name: Option<
        unsafe extern "C" fn(
            *mut c_void,
            sys::tenon_str,
            *mut sys::tenon_buffer,
            *mut sys::tenon_buffer,
        ) -> sys::tenon_status,
    >,
    pub record: Option<
        unsafe extern "C" fn(
            *mut c_void,
            u32,
            *mut sys::tenon_buffer,
            *mut sys::tenon_buffer,
        ) -> sys::tenon_status,
    >,
    pub count: Option<
        unsafe extern "C" fn(*mut c_void, *mut u64, *mut sys::tenon_buffer) -> sys::tenon_status,
    >,
    pub touch:
        Option<unsafe extern "C" fn(*mut c_void, *mut sys::tenon_buffer) -> sys::tenon_status>,
}

tenon_interface::interface! {
    /// A test interface with every kind of result.
    pub trait Records {
        const ID = c"org.tenon.test.records";
        const VERSION = 1;
        type Vtable = RecordsV1;
        /// A name, made from a key.
        fn name(&self, key: &str) -> String;
        /// `size` bytes, all equal to `size as u8`.
        fn record(&self, size: u32) -> Vec<u8>;
        /// How many calls were made.
        fn count(&self) -> u64;
        /// Does nothing.
        fn touch(&self);
    }
}

#[derive(Default)]
struct Impl {
    calls: Cell<u64>,
}

impl Records for Impl {
    fn name(&self, key: &str) -> CallResult<String> {
        self.calls.set(self.calls.get() + 1);
        if key.is_empty() {
            return Err(CallError::not_found("no name for an empty key"));
        }
        Ok(format!("name of {key}"))
    }

    fn record(&self, size: u32) -> CallResult<Vec<u8>> {
        self.calls.set(self.calls.get() + 1);
        Ok(vec![size as u8; size as usize])
    }

    fn count(&self) -> CallResult<u64> {
        Ok(self.calls.get())
    }

    fn touch(&self) -> CallResult {
        Ok(())
    }
}

fn client(instance: &Impl, busy: &Cell<bool>) -> Client<dyn Records> {
    let vtable = <dyn Records as Implement<Impl>>::VTABLE;
    // SAFETY: the vtable is generated for `Impl`, the instance and the busy
    // flag outlive the client, and the client stays on this thread.
    unsafe { Client::exclusive((instance as *const Impl).cast_mut().cast(), vtable, busy) }
}

#[test]
fn results_land_in_the_callers_buffer_without_a_new_allocation() {
    let instance = Impl::default();
    let busy = Cell::new(false);
    let client = client(&instance, &busy);
    let mut out = HostBuffer::new();

    let record = client.reusing(&mut out).record(1000).unwrap();
    assert_eq!(record, &[232u8; 1000][..]);
    let storage = record.as_ptr();
    // Smaller and equal results reuse the storage the first call grew.
    for size in [10, 1000, 0, 999] {
        let record = client.reusing(&mut out).record(size).unwrap();
        assert_eq!(record.len(), size as usize);
        assert!(record.iter().all(|&b| b == size as u8));
        if size > 0 {
            assert_eq!(record.as_ptr(), storage, "no new allocation");
        }
    }
    let name: &str = client.reusing(&mut out).name("k").unwrap();
    assert_eq!(name, "name of k");
    assert_eq!(name.as_ptr(), storage, "the same storage, for a string too");

    // Scalar and empty results come back as themselves.
    assert_eq!(client.reusing(&mut out).count().unwrap(), 6);
    client.reusing(&mut out).touch().unwrap();
    // The allocating methods still agree.
    assert_eq!(client.name("k").unwrap(), "name of k");
    assert_eq!(client.record(3).unwrap(), vec![3u8; 3]);
}

#[test]
fn errors_are_reported_and_the_buffer_stays_usable() {
    let instance = Impl::default();
    let busy = Cell::new(false);
    let client = client(&instance, &busy);
    let mut out = HostBuffer::new();
    let error = client.reusing(&mut out).name("").unwrap_err();
    assert_eq!(error.kind_name(), "not_found");
    assert_eq!(error.message(), "no name for an empty key");
    assert_eq!(client.reusing(&mut out).name("x").unwrap(), "name of x");
    assert!(!busy.get(), "the busy flag is released after each call");
}

/// A C-style `name` that claims success but writes bytes that are not UTF-8.
unsafe extern "C" fn bad_name(
    _instance: *mut c_void,
    _key: sys::tenon_str,
    out: *mut sys::tenon_buffer,
    _error: *mut sys::tenon_buffer,
) -> sys::tenon_status {
    // SAFETY: `out` is the buffer the host lent to this call.
    match unsafe { tenon_interface::append(out, b"bad \xff") } {
        Ok(()) => sys::TENON_OK,
        Err(e) => e.status().0,
    }
}

/// A C-style `record` that overwrites `len` past the capacity it was given.
unsafe extern "C" fn lying_record(
    _instance: *mut c_void,
    _size: u32,
    out: *mut sys::tenon_buffer,
    _error: *mut sys::tenon_buffer,
) -> sys::tenon_status {
    // SAFETY: `out` is the buffer the host lent to this call.
    unsafe { (*out).len = (*out).capacity + 1 };
    sys::TENON_OK
}

#[test]
fn invalid_utf8_and_corrupted_bookkeeping_are_refused() {
    let generated = <dyn Records as Implement<Impl>>::VTABLE;
    let vtable = RecordsV1 {
        name: Some(bad_name),
        record: Some(lying_record),
        ..*generated
    };
    let instance = Impl::default();
    // SAFETY: the functions never touch the instance; the vtable and the
    // instance outlive the client.
    let client = unsafe {
        Client::<dyn Records>::new((&instance as *const Impl).cast_mut().cast(), &vtable)
    };
    let mut out = HostBuffer::new();
    let error = client.reusing(&mut out).name("k").unwrap_err();
    assert!(error.is_invalid_output(), "{error}");
    let error = client.reusing(&mut out).record(4).unwrap_err();
    assert!(error.is_invalid_output(), "{error}");
    // The next call starts from the storage the buffer really owns.
    assert_eq!(client.reusing(&mut out).count().unwrap(), 0);
    let error = client.reusing(&mut out).name("k").unwrap_err();
    assert!(error.is_invalid_output());
}
