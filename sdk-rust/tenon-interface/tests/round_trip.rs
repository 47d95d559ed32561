//! Calls through the code `interface!` generates, both sides in this process
//! and no library loaded, so that Miri checks the whole path: client, C
//! vtable, shim, implementation and host buffers.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::sync::{Arc, Mutex};
use tenon_interface::{sys, CallError, CallResult, Client, Implement, Interface};

#[repr(C)]
#[derive(Clone, Copy)]
pub struct NamesV1 {
    pub struct_size: u32,
    pub greet: Option<
        unsafe extern "C" fn(
            *mut c_void,
            sys::tenon_str,
            *mut sys::tenon_buffer,
            *mut sys::tenon_buffer,
        ) -> sys::tenon_status,
    >,
    pub echo: Option<
        unsafe extern "C" fn(
            *mut c_void,
            sys::tenon_bytes,
            *mut sys::tenon_buffer,
            *mut sys::tenon_buffer,
        ) -> sys::tenon_status,
    >,
    pub poke:
        Option<unsafe extern "C" fn(*mut c_void, *mut sys::tenon_buffer) -> sys::tenon_status>,
}

tenon_interface::interface! {
    /// A test interface.
    pub trait Names {
        const ID = c"org.tenon.test.names";
        const VERSION = 1;
        type Vtable = NamesV1;
        fn greet(&self, name: &str) -> String;
        fn echo(&self, bytes: &[u8]) -> Vec<u8>;
        fn poke(&self);
    }
}

type Callback = Box<dyn Fn() -> CallResult>;

/// An implementation whose `poke` runs whatever the test installs.
#[derive(Default)]
struct Impl {
    poke: RefCell<Option<Callback>>,
}

impl Names for Impl {
    fn greet(&self, name: &str) -> CallResult<String> {
        if name.is_empty() {
            return Err(CallError::not_found("nobody to greet"));
        }
        Ok(format!("hello, {name}"))
    }

    fn echo(&self, bytes: &[u8]) -> CallResult<Vec<u8>> {
        Ok(bytes.repeat(300))
    }

    fn poke(&self) -> CallResult {
        match &*self.poke.borrow() {
            Some(poke) => poke(),
            None => Ok(()),
        }
    }
}

fn exclusive_client(instance: &Impl, busy: &Cell<bool>) -> Client<dyn Names> {
    let vtable = <dyn Names as Implement<Impl>>::VTABLE;
    // SAFETY: the vtable is generated for `Impl`, the instance and the busy
    // flag outlive the client, and the client stays on this thread.
    let vtable =
        unsafe { tenon_interface::verify_vtable::<dyn Names>((vtable as *const NamesV1).cast()) }
            .unwrap();
    // SAFETY: as above.
    unsafe { Client::exclusive((instance as *const Impl).cast_mut().cast(), vtable, busy) }
}

#[test]
fn strings_bytes_and_errors_cross_both_ways() {
    let instance = Impl::default();
    let busy = Cell::new(false);
    let client = exclusive_client(&instance, &busy);
    assert_eq!(client.greet("Zoë").unwrap(), "hello, Zoë");
    let error = client.greet("").unwrap_err();
    assert_eq!(error.kind_name(), "not_found");
    assert_eq!(error.message(), "nobody to greet");
    let echoed = client.echo(b"ab").unwrap();
    assert_eq!(echoed.len(), 600);
    assert!(echoed.chunks(2).all(|pair| pair == b"ab"));
    assert_eq!(<dyn Names as Interface>::METHODS.len(), 3);
}

thread_local! {
    static CLIENT: RefCell<Option<Client<dyn Names>>> = const { RefCell::new(None) };
}

#[test]
fn a_reentrant_call_on_an_exclusive_instance_is_refused() {
    // Raw, so that the thread-local client may point at them; freed below.
    let instance_ptr = Box::into_raw(Box::<Impl>::default());
    let busy_ptr = Box::into_raw(Box::new(Cell::new(false)));
    // SAFETY: both live until the end of the test, after the client.
    let (instance, busy) = unsafe { (&*instance_ptr, &*busy_ptr) };
    CLIENT.with(|c| *c.borrow_mut() = Some(exclusive_client(instance, busy)));
    let seen = Arc::new(Mutex::new(None));
    *instance.poke.borrow_mut() = Some(Box::new({
        let seen = Arc::clone(&seen);
        move || {
            // Called back from inside `poke`, on the same thread.
            let inner = CLIENT.with(|c| c.borrow().as_ref().unwrap().greet("again"));
            *seen.lock().unwrap() = Some(inner.map_err(|e| e.kind_name()));
            Ok(())
        }
    }));
    CLIENT
        .with(|c| c.borrow().as_ref().unwrap().poke())
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(Err("reentrant_call")));
    // The flag is released after the call: a later call goes through.
    let again = CLIENT.with(|c| c.borrow().as_ref().unwrap().greet("later"));
    assert_eq!(again.unwrap(), "hello, later");
    CLIENT.with(|c| c.borrow_mut().take());
    // SAFETY: from `Box::into_raw` above; the client that pointed at them
    // is gone.
    unsafe {
        drop(Box::from_raw(instance_ptr));
        drop(Box::from_raw(busy_ptr));
    }
}

/// A service that drops the last other owner of itself while one of its
/// methods runs.
struct SelfDropping {
    owner: Mutex<Option<Arc<SelfDropping>>>,
    text: String,
}

impl Names for SelfDropping {
    fn greet(&self, name: &str) -> CallResult<String> {
        drop(self.owner.lock().unwrap().take());
        // Still alive: the call holds a strong reference.
        Ok(format!("{} {name}", self.text))
    }

    fn echo(&self, bytes: &[u8]) -> CallResult<Vec<u8>> {
        Ok(bytes.to_vec())
    }

    fn poke(&self) -> CallResult {
        Ok(())
    }
}

#[test]
fn a_shared_implementation_outlives_a_call_that_drops_its_owner() {
    let service = Arc::new(SelfDropping {
        owner: Mutex::new(None),
        text: "still here,".to_owned(),
    });
    let pointer = Arc::as_ptr(&service).cast_mut().cast::<c_void>();
    *service.owner.lock().unwrap() = Some(Arc::clone(&service));
    let weak = Arc::downgrade(&service);
    drop(service);
    let vtable = <dyn Names as Implement<SelfDropping>>::SHARED_VTABLE;
    // SAFETY: the pointer is `Arc::as_ptr` of a live `Arc<SelfDropping>`
    // (kept by its own `owner` field) and the vtable is the shared one.
    let client = unsafe { Client::<dyn Names>::new(pointer, vtable) };
    assert_eq!(client.greet("you").unwrap(), "still here, you");
    assert!(weak.upgrade().is_none(), "freed once the call returned");
}

#[test]
fn a_guarded_client_is_refused_after_close() {
    let instance = Impl::default();
    let guard = tenon_interface::CallGuard::new();
    // A vtable that goes away with the instance, as a C host's may.
    let vtable = Box::new(*<dyn Names as Implement<Impl>>::VTABLE);
    // SAFETY: the instance and the vtable outlive the guard's closing; the
    // vtable is `Impl`'s.
    let client = unsafe {
        Client::<dyn Names>::guarded(
            (&instance as *const Impl).cast_mut().cast(),
            &*vtable,
            Arc::clone(&guard),
        )
    };
    assert_eq!(client.greet("a").unwrap(), "hello, a");
    guard.close();
    drop(vtable);
    // The client's own copy is still readable.
    assert_eq!(client.vtable().struct_size as usize, size_of::<NamesV1>());
    let error = client.greet("b").unwrap_err();
    assert_eq!(error.kind_name(), "instance_destroyed");
    assert!(error.is_instance_destroyed());
}
