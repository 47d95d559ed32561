//! `create` and `destroy` as a host calls them, with a host table made here
//! (no library is loaded, so Miri runs this too): what a plugin keeps of its
//! host stops working when the instance is destroyed or its create fails,
//! and a panic in `Drop` whose payload panics again does not escape.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use tenon_plugin::sys::{self, tenon_host, tenon_log_level, tenon_str};
use tenon_plugin::{CallError, CallResult, Host, KeptHost, Plugin, Status};

static LOGGED: AtomicUsize = AtomicUsize::new(0);
static KEPT: Mutex<Vec<KeptHost>> = Mutex::new(Vec::new());

unsafe extern "C" fn log(_host: *const tenon_host, _level: tenon_log_level, _message: tenon_str) {
    LOGGED.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn get_interface(
    _host: *const tenon_host,
    _id: tenon_str,
    _version: u32,
    out_instance: *mut *mut c_void,
) -> *const c_void {
    // SAFETY: the plugin passes a valid out-parameter.
    unsafe { out_instance.write(core::ptr::null_mut()) };
    core::ptr::null()
}

fn host_table() -> Box<tenon_host> {
    Box::new(tenon_host {
        struct_size: size_of::<tenon_host>() as u32,
        abi_major: sys::TENON_ABI_MAJOR,
        abi_minor: sys::TENON_ABI_MINOR,
        host_data: core::ptr::null_mut(),
        log: Some(log),
        get_interface: Some(get_interface),
    })
}

/// A payload whose own drop panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload panics too");
    }
}

/// Keeps its host in a static (which a `KeptHost` may be), fails create
/// when told to, and panics in `Drop` with a payload that panics again.
struct Keeper;

impl Plugin for Keeper {
    fn create(host: Host<'_>, config: &str) -> CallResult<Self> {
        host.info("creating");
        KEPT.lock().unwrap().push(host.keep());
        if config == "fail" {
            return Err(CallError::failed("told to fail"));
        }
        Ok(Keeper)
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        std::panic::panic_any(Bomb);
    }
}

fn create(host: &tenon_host, config: &str) -> (i32, *mut c_void) {
    let mut instance = core::ptr::null_mut();
    let config = tenon_str {
        ptr: config.as_ptr().cast(),
        len: config.len(),
    };
    // SAFETY: called as a host calls `create`: a table that outlives the
    // instance, a borrowed config, an out-parameter, no error buffer.
    let status = unsafe {
        tenon_plugin::lifecycle::create::<Keeper>(
            host,
            config,
            &mut instance,
            core::ptr::null_mut(),
        )
    };
    (status, instance)
}

#[test]
fn what_a_plugin_kept_of_its_host_stops_at_destroy_and_failed_create() {
    let host = host_table();
    let (status, instance) = create(&host, "");
    assert_eq!(status, Status::OK.0);
    let kept = KEPT.lock().unwrap().pop().unwrap();
    let before = LOGGED.load(Ordering::SeqCst);
    kept.info("alive");
    assert_eq!(LOGGED.load(Ordering::SeqCst), before + 1);
    assert_eq!(
        kept.interface::<dyn Nothing>().err().unwrap().kind_name(),
        "not_found"
    );

    // SAFETY: once, for the instance `create` returned; its `Drop` panics
    // with a payload whose drop panics, which must not escape.
    unsafe { tenon_plugin::lifecycle::destroy::<Keeper>(instance) };
    // The panics in `Drop` went to the host's log, while the table was
    // still valid (destroy had not returned).
    let after_destroy = LOGGED.load(Ordering::SeqCst);
    assert!(after_destroy > before + 1, "the panic in Drop is logged");
    drop(host);
    assert!(kept.is_gone());
    kept.info("gone");
    assert_eq!(
        LOGGED.load(Ordering::SeqCst),
        after_destroy,
        "no call after destroy"
    );
    let error = kept.interface::<dyn Nothing>().err().unwrap();
    assert_eq!(error.kind_name(), "instance_destroyed");

    let host = host_table();
    let (status, _) = create(&host, "fail");
    assert_eq!(status, Status::ERROR.0);
    drop(host);
    let kept = KEPT.lock().unwrap().pop().unwrap();
    assert!(kept.is_gone(), "no destroy follows a failed create");
    kept.info("gone too");
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct NothingV1 {
    pub struct_size: u32,
    pub poke:
        Option<unsafe extern "C" fn(*mut c_void, *mut sys::tenon_buffer) -> sys::tenon_status>,
}

tenon_plugin::interface! {
    /// An interface the test host does not offer.
    pub trait Nothing {
        const ID = c"org.tenon.test.nothing";
        const VERSION = 1;
        type Vtable = NothingV1;
        fn poke(&self);
    }
}
