//! Two revisions of one interface (the same id and version, a method
//! appended in revision 2 with `#[revision(2)]`), each side built against
//! either: an implementation of revision 1 called by a client of revision
//! 2 gets `not_provided` for the new method, and one of revision 2 called
//! by a client of revision 1 works. In process, and through a proxy and
//! dispatcher as an isolated plugin's calls go.

use std::ffi::c_void;
use tenon_interface::{sys, CallResult, Client, Implement, Interface};

type Greet = Option<
    unsafe extern "C" fn(
        *mut c_void,
        sys::tenon_str,
        *mut sys::tenon_buffer,
        *mut sys::tenon_buffer,
    ) -> sys::tenon_status,
>;
type Count = Option<
    unsafe extern "C" fn(*mut c_void, *mut u32, *mut sys::tenon_buffer) -> sys::tenon_status,
>;

/// Revision 1, as an old copy of the interface crate declares it.
mod v1 {
    use super::*;

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct EvolveV1 {
        pub struct_size: u32,
        pub greet: Greet,
    }

    tenon_interface::interface! {
        /// Revision 1.
        pub trait Evolve {
            const ID = c"org.tenon.test.evolve.unit";
            const VERSION = 1;
            type Vtable = EvolveV1;
            fn greet(&self, name: &str) -> String;
        }
    }
}

/// Revision 2: `count` appended.
mod v2 {
    use super::*;

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct EvolveV1 {
        pub struct_size: u32,
        pub greet: Greet,
        pub count: Count,
    }

    tenon_interface::interface! {
        /// Revision 2.
        pub trait Evolve {
            const ID = c"org.tenon.test.evolve.unit";
            const VERSION = 1;
            type Vtable = EvolveV1;
            /// Greets.
            fn greet(&self, name: &str) -> String;
            /// How many greetings so far.
            #[revision(2)]
            fn count(&self) -> u32;
        }
    }
}

struct Old;
impl v1::Evolve for Old {
    fn greet(&self, name: &str) -> CallResult<String> {
        Ok(format!("old {name}"))
    }
}

struct New;
impl v2::Evolve for New {
    fn greet(&self, name: &str) -> CallResult<String> {
        Ok(format!("new {name}"))
    }
    fn count(&self) -> CallResult<u32> {
        Ok(7)
    }
}

fn client<I: ?Sized + Interface>(instance: *const c_void, vtable: *const c_void) -> Client<I> {
    // SAFETY: a generated vtable of the same id and version (of either
    // revision) with its instance, both `'static` or outliving the client.
    let vtable = unsafe { tenon_interface::verify_vtable::<I>(vtable) }.unwrap();
    // SAFETY: as above.
    unsafe { Client::new(instance.cast_mut(), vtable) }
}

#[test]
fn revisions_are_recorded_and_the_minimum_is_revision_one() {
    use v2::Evolve as _;
    let methods = <dyn v2::Evolve as Interface>::METHODS;
    assert_eq!(methods[0].revision, 1);
    assert_eq!(methods[1].revision, 2);
    assert_eq!(
        <dyn v2::Evolve as Interface>::MIN_VTABLE_SIZE,
        core::mem::size_of::<v1::EvolveV1>()
    );
    assert_eq!(
        <dyn v1::Evolve as Interface>::MIN_VTABLE_SIZE,
        core::mem::size_of::<v1::EvolveV1>()
    );
    let _ = <Client<dyn v2::Evolve>>::count;
}

#[test]
fn an_old_implementation_in_a_new_client_does_not_provide_the_new_method() {
    use v2::Evolve as _;
    let vtable = <dyn v1::Evolve as Implement<Old>>::VTABLE;
    let client = client::<dyn v2::Evolve>(
        (&Old as *const Old).cast(),
        (vtable as *const v1::EvolveV1).cast(),
    );
    assert_eq!(client.greet("Ada").unwrap(), "old Ada");
    assert!(client.provides("greet"));
    assert!(!client.provides("count"));
    assert!(!client.provides("nothing"));
    assert_eq!(client.revision(), 1);
    assert!(client.vtable().count.is_none());
    let error = client.count().unwrap_err();
    assert_eq!(error.kind_name(), "not_provided");
    assert!(error.is_not_provided());
    assert!(error.message().contains("`count` (revision 2"), "{error}");
    let mut out = tenon_interface::HostBuffer::new();
    let error = client.reusing(&mut out).count().unwrap_err();
    assert_eq!(error.kind_name(), "not_provided");
}

#[test]
fn a_new_implementation_in_an_old_client_works() {
    use v1::Evolve as _;
    let vtable = <dyn v2::Evolve as Implement<New>>::VTABLE;
    let client = client::<dyn v1::Evolve>(
        (&New as *const New).cast(),
        (vtable as *const v2::EvolveV1).cast(),
    );
    assert_eq!(client.greet("Ada").unwrap(), "new Ada");
    assert_eq!(client.revision(), 1);
}

#[test]
fn a_new_implementation_in_a_new_client_provides_everything() {
    use v2::Evolve as _;
    let vtable = <dyn v2::Evolve as Implement<New>>::VTABLE;
    let client = client::<dyn v2::Evolve>(
        (&New as *const New).cast(),
        (vtable as *const v2::EvolveV1).cast(),
    );
    assert_eq!(client.count().unwrap(), 7);
    assert!(client.provides("count"));
    assert_eq!(client.revision(), 2);
}

#[test]
fn a_vtable_smaller_than_revision_one_or_with_a_null_slot_is_refused() {
    let short = v1::EvolveV1 {
        struct_size: 4,
        greet: None,
    };
    // SAFETY: a readable vtable of this interface.
    let refusal = unsafe {
        tenon_interface::verify_vtable::<dyn v2::Evolve>((&short as *const v1::EvolveV1).cast())
    }
    .unwrap_err();
    assert!(
        matches!(
            refusal,
            tenon_interface::VtableRefusal::TooSmall { size: 4, .. }
        ),
        "{refusal:?}"
    );
    let mut null = *<dyn v2::Evolve as Implement<New>>::VTABLE;
    null.count = None;
    // SAFETY: as above.
    let refusal = unsafe {
        tenon_interface::verify_vtable::<dyn v2::Evolve>((&null as *const v2::EvolveV1).cast())
    }
    .unwrap_err();
    assert_eq!(
        refusal,
        tenon_interface::VtableRefusal::NullSlot { method: "count" }
    );
}

#[test]
fn the_dispatcher_of_a_new_declaration_refuses_a_method_an_old_vtable_lacks() {
    let vtable = <dyn v1::Evolve as Implement<Old>>::VTABLE;
    let mut out = tenon_interface::HostBuffer::new();
    let mut error = tenon_interface::HostBuffer::new();
    // SAFETY: a verified vtable of this id and version with its instance;
    // buffers lent to the call.
    let status = unsafe {
        <dyn v2::Evolve as Interface>::dispatch(
            (vtable as *const v1::EvolveV1).cast(),
            (&Old as *const Old).cast_mut().cast(),
            1,
            &[],
            out.as_raw(),
            error.as_raw(),
        )
    };
    assert_eq!(status, tenon_interface::Status::UNSUPPORTED.0);
    assert!(error.into_message().contains("not provided"));
}

#[test]
fn a_proxy_client_limited_to_an_old_vtable_does_not_call_the_new_method() {
    use v2::Evolve as _;
    let proxy = <dyn v2::Evolve as Interface>::PROXY_VTABLE;
    // The proxy is never called: an instance pointer it would reject.
    let client = client::<dyn v2::Evolve>(core::ptr::null(), (proxy as *const v2::EvolveV1).cast())
        .limited_to(core::mem::size_of::<v1::EvolveV1>() as u32);
    assert!(!client.provides("count"));
    assert_eq!(client.count().unwrap_err().kind_name(), "not_provided");
}

#[test]
fn both_revisions_in_one_program_resolve_to_the_later_one() {
    if !tenon_interface::registry_supported() {
        return;
    }
    let declared = tenon_interface::declared("org.tenon.test.evolve.unit", 1).unwrap();
    assert_eq!(declared.methods().len(), 2);
}
