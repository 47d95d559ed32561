//! The registry of declared interfaces: every `interface!` in every crate
//! linked into this test binary (here and in `tenon-example-interfaces`)
//! is found by id and version, and duplicate declarations are resolved or
//! refused as documented. Miri cannot read link sections, so these tests
//! are skipped under it.

use std::ffi::c_void;
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_interface::{declared, sys, Interface, NotDeclared};

#[test]
#[cfg_attr(miri, ignore = "Miri cannot read link sections")]
fn interfaces_declared_in_other_crates_are_found() {
    assert!(tenon_interface::registry_supported());
    for (id, version, methods) in [
        (
            <dyn Greeter as Interface>::ID,
            1,
            <dyn Greeter as Interface>::METHODS,
        ),
        (<dyn Kv as Interface>::ID, 1, <dyn Kv as Interface>::METHODS),
        (
            <dyn Processor as Interface>::ID,
            1,
            <dyn Processor as Interface>::METHODS,
        ),
    ] {
        let found = declared(id, version).unwrap();
        assert_eq!(found.id(), id);
        assert_eq!(found.c_id().to_str().unwrap(), id);
        assert_eq!(found.version(), version);
        assert_eq!(found.methods(), methods);
    }
    let kv = declared("org.tenon.example.kv", 1).unwrap();
    // The proxy vtable of the declaration (a constant: its address may
    // differ from one crate's use to another's, its contents do not).
    // SAFETY: a vtable of this interface, which starts with its size.
    let proxy = unsafe { &*kv.proxy_vtable().cast::<sys_kv::example_kv_v1>() };
    assert_eq!(
        proxy.struct_size as usize,
        core::mem::size_of::<sys_kv::example_kv_v1>()
    );
    assert_eq!(
        kv.vtable_size(),
        core::mem::size_of::<sys_kv::example_kv_v1>()
    );
    // SAFETY: the proxy vtable is a vtable of this interface.
    unsafe { kv.verify(kv.proxy_vtable()) }.unwrap();
}

use tenon_example_interfaces::sys as sys_kv;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot read link sections")]
fn a_missing_interface_or_version_is_not_declared() {
    assert_eq!(
        declared("org.tenon.example.greeter", 2).unwrap_err(),
        NotDeclared::Missing {
            id: "org.tenon.example.greeter".into(),
            version: 2
        }
    );
    let missing = declared("org.tenon.nothing", 1).unwrap_err();
    assert!(
        missing.to_string().contains("org.tenon.nothing version 1"),
        "{missing}"
    );
}

// The greeter declared again, by this crate: the same id, version and
// shape as `tenon_example_interfaces::Greeter`.
tenon_interface::interface! {
    /// The example greeter, declared a second time.
    pub trait GreeterAgain {
        const ID = tenon_interface::c_id(sys_kv::EXAMPLE_GREETER_ID);
        const VERSION = 1;
        type Vtable = sys_kv::example_greeter_v1;
        fn greet(&self, who: &str) -> String;
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot read link sections")]
fn an_interface_declared_twice_alike_is_found_once() {
    let all: Vec<_> = tenon_interface::all_declared()
        .iter()
        .filter(|d| d.id() == "org.tenon.example.greeter")
        .collect();
    assert_eq!(all.len(), 2, "both declarations are registered");
    let found = declared("org.tenon.example.greeter", 1).unwrap();
    assert!(std::ptr::eq(found, all[0]), "the first in link order wins");
}

type Status = sys::tenon_status;
type Buf = *mut sys::tenon_buffer;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct WithBytes {
    pub struct_size: u32,
    pub take: Option<unsafe extern "C" fn(*mut c_void, sys::tenon_bytes, Buf) -> Status>,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct WithText {
    pub struct_size: u32,
    pub take: Option<unsafe extern "C" fn(*mut c_void, sys::tenon_str, Buf) -> Status>,
}

tenon_interface::interface! {
    /// One of two declarations of the same id that disagree.
    pub trait TakesBytes {
        const ID = c"org.tenon.test.conflict";
        const VERSION = 3;
        type Vtable = WithBytes;
        fn take(&self, input: &[u8]);
    }
}

tenon_interface::interface! {
    /// The other.
    pub trait TakesText {
        const ID = c"org.tenon.test.conflict";
        const VERSION = 3;
        type Vtable = WithText;
        fn take(&self, input: &str);
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot read link sections")]
fn declarations_that_disagree_are_refused() {
    let refused = declared("org.tenon.test.conflict", 3).unwrap_err();
    assert_eq!(
        refused,
        NotDeclared::Conflicting {
            id: "org.tenon.test.conflict".into(),
            version: 3
        }
    );
    assert!(refused.to_string().contains("declared twice"), "{refused}");
}

// Whatever the platform's linker does with the list's sections (GNU ld for
// Windows once dropped every entry), a registry said to be supported must
// hold the interfaces this binary declares.
#[test]
fn a_supported_registry_is_not_empty() {
    if !tenon_interface::registry_supported() {
        return;
    }
    let ids: Vec<_> = tenon_interface::all_declared()
        .iter()
        .map(|d| (d.id(), d.version()))
        .collect();
    for id in [
        "org.tenon.example.greeter",
        "org.tenon.example.kv",
        "org.tenon.example.processor",
    ] {
        assert!(
            ids.contains(&(id, 1)),
            "{id} version 1 is missing from the registry: {ids:?}"
        );
    }
}
