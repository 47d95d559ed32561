//! Calls carried across a (simulated) process boundary: a typed client
//! calls a proxy vtable (`Interface::PROXY_VTABLE`), whose `WireArg`s go
//! through a loopback `Remote` that copies them as a transport would
//! (`support/loopback.rs`), then through the interface's dispatcher
//! (`Interface::dispatch`) into a real vtable of a Rust implementation, and
//! back. No process is involved, so Miri checks the whole path.

#[path = "support/loopback.rs"]
mod loopback;

use loopback::Loopback;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_interface::remote::set_fault;
use tenon_interface::{
    append, sys, CallError, CallResult, Client, Fault, HostBuffer, Implement, Interface,
    ProxyInstance, Remote, Status, WireArg,
};

/// A client of `I` whose calls go through `remote`.
fn client<I: ?Sized + Interface>(proxy: &ProxyInstance) -> Client<I> {
    // SAFETY: the proxy vtable is the interface's own; `proxy` outlives the
    // client in every test.
    let vtable = unsafe {
        tenon_interface::verify_vtable::<I>((I::PROXY_VTABLE as *const I::Vtable).cast())
    }
    .unwrap();
    // SAFETY: as above.
    unsafe { Client::new(proxy.as_ptr(), vtable) }
}

// ---------------------------------------------------------------- greeter

struct Polite;

impl Greeter for Polite {
    fn greet(&self, name: &str) -> CallResult<String> {
        match name {
            "panic" => panic!("asked to panic for {name}"),
            "fail" => Err(CallError::new(Status(1234), "the greeter refuses")),
            _ => Ok(format!("Hello, {name}!")),
        }
    }
}

#[test]
fn greeter_strings_round_trip() {
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Greeter, _>(Arc::new(Polite)));
    let greeter = client::<dyn Greeter>(&proxy);
    let long = "ß∂ƒ©".repeat(if cfg!(miri) { 500 } else { 50_000 });
    for name in [
        "",
        "Ada",
        "Zoë 🦀 日本語",
        "with\0embedded\0NULs",
        long.as_str(),
    ] {
        assert_eq!(greeter.greet(name).unwrap(), format!("Hello, {name}!"));
    }
    let mut out = HostBuffer::new();
    assert_eq!(
        greeter.reusing(&mut out).greet("again").unwrap(),
        "Hello, again!"
    );
}

#[test]
fn errors_and_panics_keep_their_status_and_message() {
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Greeter, _>(Arc::new(Polite)));
    let greeter = client::<dyn Greeter>(&proxy);
    let error = greeter.greet("fail").unwrap_err();
    assert_eq!(error.status(), Status(1234));
    assert_eq!(error.kind_name(), "interface_status");
    assert_eq!(error.message(), "the greeter refuses");
    let error = greeter.greet("panic").unwrap_err();
    assert_eq!(error.status(), Status::PANIC);
    assert_eq!(error.message(), "panic: asked to panic for panic");
    // The instance goes on.
    assert_eq!(greeter.greet("after").unwrap(), "Hello, after!");
}

// --------------------------------------------------------------------- kv

#[derive(Default)]
struct Store {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Kv for Store {
    fn get(&self, key: &str) -> CallResult<Vec<u8>> {
        let map = self.map.lock().unwrap();
        map.get(key)
            .cloned()
            .ok_or_else(|| CallError::not_found(format!("no key {key:?}")))
    }

    fn put(&self, key: &str, value: &[u8]) -> CallResult {
        self.map
            .lock()
            .unwrap()
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn remove(&self, key: &str) -> CallResult {
        match self.map.lock().unwrap().remove(key) {
            Some(_) => Ok(()),
            None => Err(CallError::not_found(format!("no key {key:?}"))),
        }
    }

    fn len(&self) -> CallResult<u64> {
        Ok(self.map.lock().unwrap().len() as u64)
    }
}

#[test]
fn kv_bytes_scalars_and_not_found_round_trip() {
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Kv, _>(Arc::new(Store::default())));
    let kv = client::<dyn Kv>(&proxy);
    assert_eq!(kv.len().unwrap(), 0);
    let big: Vec<u8> = (0..if cfg!(miri) { 4096 } else { 1 << 20 })
        .map(|i: u32| (i % 251) as u8)
        .collect();
    kv.put("big", &big).unwrap();
    kv.put("", b"").unwrap();
    kv.put("nul", b"a\0b\0").unwrap();
    assert_eq!(kv.len().unwrap(), 3);
    assert_eq!(kv.get("big").unwrap(), big);
    assert_eq!(kv.get("").unwrap(), b"");
    assert_eq!(kv.get("nul").unwrap(), b"a\0b\0");
    let missing = kv.get("missing").unwrap_err();
    assert_eq!(missing.status(), Status::NOT_FOUND);
    assert_eq!(missing.message(), "no key \"missing\"");
    kv.remove("big").unwrap();
    assert_eq!(kv.remove("big").unwrap_err().kind_name(), "not_found");
    assert_eq!(kv.len().unwrap(), 2);
}

// -------------------------------------------------------------- processor

struct Reverse;

impl Processor for Reverse {
    fn name(&self) -> CallResult<String> {
        Ok("reverse".into())
    }

    fn process(&self, input: &[u8]) -> CallResult<Vec<u8>> {
        Ok(input.iter().rev().copied().collect())
    }
}

#[test]
fn processor_round_trips() {
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Processor, _>(Arc::new(Reverse)));
    let processor = client::<dyn Processor>(&proxy);
    assert_eq!(processor.name().unwrap(), "reverse");
    assert_eq!(processor.process(b"").unwrap(), b"");
    assert_eq!(processor.process(b"abc\0").unwrap(), b"\0cba");
    let mut out = HostBuffer::new();
    assert_eq!(processor.reusing(&mut out).process(b"xy").unwrap(), b"yx");
}

// ------------------------------------------------------- every value kind

type Status_ = sys::tenon_status;
type Buf = *mut sys::tenon_buffer;

macro_rules! slot {
    ($($arg:ty),* => $out:ty) => {
        Option<unsafe extern "C" fn(*mut c_void, $($arg,)* $out, Buf) -> Status_>
    };
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct KindsV1 {
    pub struct_size: u32,
    pub u8: slot!(u8 => *mut u8),
    pub u16: slot!(u16 => *mut u16),
    pub u32: slot!(u32 => *mut u32),
    pub u64: slot!(u64 => *mut u64),
    pub i8: slot!(i8 => *mut i8),
    pub i16: slot!(i16 => *mut i16),
    pub i32: slot!(i32 => *mut i32),
    pub i64: slot!(i64 => *mut i64),
    pub f32: slot!(f32 => *mut f32),
    pub f64: slot!(f64 => *mut f64),
    pub bool: slot!(bool => *mut bool),
    pub mix: slot!(u8, sys::tenon_str, i64, sys::tenon_bytes, bool, f32 => Buf),
    pub nothing: Option<unsafe extern "C" fn(*mut c_void, Buf) -> Status_>,
}

tenon_interface::interface! {
    /// Every value kind, each echoed back.
    pub trait Kinds {
        const ID = c"org.tenon.test.kinds";
        const VERSION = 1;
        type Vtable = KindsV1;
        fn u8(&self, v: u8) -> u8;
        fn u16(&self, v: u16) -> u16;
        fn u32(&self, v: u32) -> u32;
        fn u64(&self, v: u64) -> u64;
        fn i8(&self, v: i8) -> i8;
        fn i16(&self, v: i16) -> i16;
        fn i32(&self, v: i32) -> i32;
        fn i64(&self, v: i64) -> i64;
        fn f32(&self, v: f32) -> f32;
        fn f64(&self, v: f64) -> f64;
        fn bool(&self, v: bool) -> bool;
        fn mix(&self, a: u8, b: &str, c: i64, d: &[u8], e: bool, f: f32) -> String;
        fn nothing(&self);
    }
}

struct Echo {
    nothing_calls: Mutex<usize>,
}

impl Kinds for Echo {
    fn u8(&self, v: u8) -> CallResult<u8> {
        Ok(v)
    }
    fn u16(&self, v: u16) -> CallResult<u16> {
        Ok(v)
    }
    fn u32(&self, v: u32) -> CallResult<u32> {
        Ok(v)
    }
    fn u64(&self, v: u64) -> CallResult<u64> {
        Ok(v)
    }
    fn i8(&self, v: i8) -> CallResult<i8> {
        Ok(v)
    }
    fn i16(&self, v: i16) -> CallResult<i16> {
        Ok(v)
    }
    fn i32(&self, v: i32) -> CallResult<i32> {
        Ok(v)
    }
    fn i64(&self, v: i64) -> CallResult<i64> {
        Ok(v)
    }
    fn f32(&self, v: f32) -> CallResult<f32> {
        Ok(v)
    }
    fn f64(&self, v: f64) -> CallResult<f64> {
        Ok(v)
    }
    fn bool(&self, v: bool) -> CallResult<bool> {
        Ok(!v)
    }
    fn mix(&self, a: u8, b: &str, c: i64, d: &[u8], e: bool, f: f32) -> CallResult<String> {
        Ok(format!("{a} {b} {c} {d:?} {e} {f}"))
    }
    fn nothing(&self) -> CallResult {
        *self.nothing_calls.lock().unwrap() += 1;
        Ok(())
    }
}

fn echo() -> Arc<Echo> {
    Arc::new(Echo {
        nothing_calls: Mutex::new(0),
    })
}

#[test]
fn every_value_kind_round_trips_at_its_extremes() {
    let echo = echo();
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Kinds, _>(echo.clone()));
    let kinds = client::<dyn Kinds>(&proxy);
    for v in [0, 1, u8::MAX] {
        assert_eq!(kinds.u8(v).unwrap(), v);
    }
    for v in [0, 0x1234, u16::MAX] {
        assert_eq!(kinds.u16(v).unwrap(), v);
    }
    for v in [0, 0xdead_beef, u32::MAX] {
        assert_eq!(kinds.u32(v).unwrap(), v);
    }
    for v in [0, 0x0123_4567_89ab_cdef, u64::MAX] {
        assert_eq!(kinds.u64(v).unwrap(), v);
    }
    for v in [i8::MIN, -1, 0, i8::MAX] {
        assert_eq!(kinds.i8(v).unwrap(), v);
    }
    for v in [i16::MIN, -1, 0, i16::MAX] {
        assert_eq!(kinds.i16(v).unwrap(), v);
    }
    for v in [i32::MIN, -1, 0, i32::MAX] {
        assert_eq!(kinds.i32(v).unwrap(), v);
    }
    for v in [i64::MIN, -1, 0, i64::MAX] {
        assert_eq!(kinds.i64(v).unwrap(), v);
    }
    for v in [
        0.0,
        -0.0,
        1.5,
        f32::MIN_POSITIVE,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ] {
        assert_eq!(kinds.f32(v).unwrap().to_bits(), v.to_bits());
    }
    assert!(kinds.f32(f32::NAN).unwrap().is_nan());
    for v in [0.0, -0.0, 1e300, f64::MIN_POSITIVE, f64::INFINITY] {
        assert_eq!(kinds.f64(v).unwrap().to_bits(), v.to_bits());
    }
    assert!(kinds.f64(f64::NAN).unwrap().is_nan());
    assert!(!kinds.bool(true).unwrap());
    assert!(kinds.bool(false).unwrap());
    assert_eq!(
        kinds.mix(7, "é", -3, &[1, 2], true, 0.5).unwrap(),
        "7 é -3 [1, 2] true 0.5"
    );
    kinds.nothing().unwrap();
    assert_eq!(*echo.nothing_calls.lock().unwrap(), 1);
}

/// What a C method can do that Rust's cannot: store a byte other than 0 or
/// 1 through its `bool *` (with `memcpy`, or a header that says `uint8_t *`).
unsafe extern "C" fn stores_two(
    _instance: *mut c_void,
    _v: bool,
    out: *mut bool,
    _error: Buf,
) -> Status_ {
    // SAFETY: the host's out-parameter for this call, one byte.
    unsafe { out.cast::<u8>().write(2) };
    Status::OK.0
}

#[test]
fn a_bool_result_that_is_not_0_or_1_is_invalid_output_in_process() {
    let echo = echo();
    // SAFETY: the generated vtable of `Echo`, read as the C struct it is.
    let mut vtable = unsafe { *(<dyn Kinds as Implement<Echo>>::VTABLE as *const KindsV1) };
    vtable.bool = Some(stores_two);
    // SAFETY: every slot is set; the instance is `echo`, which every slot
    // but `bool` borrows as an `Echo` and which outlives the client.
    let kinds = unsafe { Client::<dyn Kinds>::new(Arc::as_ptr(&echo).cast_mut().cast(), &vtable) };
    let error = kinds.bool(true).unwrap_err();
    assert!(error.is_invalid_output(), "{error}");
    assert!(error.message().contains("stored 2"), "{error}");
    let mut out = HostBuffer::new();
    assert!(kinds
        .reusing(&mut out)
        .bool(true)
        .unwrap_err()
        .is_invalid_output());
    // The untouched slots still answer.
    assert_eq!(kinds.u8(7).unwrap(), 7);
}

// -------------------------------------------------- malformed wire calls

/// Calls the dispatcher of `Kinds` directly, as a transport would with
/// whatever arrived, and returns the status and message.
fn dispatch_kinds(method: u32, args: &[WireArg<'_>], with_out: bool) -> (Status, String, usize) {
    let echo = echo();
    let vtable = <dyn Kinds as Implement<Echo>>::VTABLE as *const KindsV1;
    let mut out = HostBuffer::new();
    let mut error = HostBuffer::new();
    let out_ptr = if with_out {
        out.as_raw()
    } else {
        core::ptr::null_mut()
    };
    // SAFETY: the generated vtable of `Echo`, its instance, and buffers lent
    // for the call.
    let status = unsafe {
        <dyn Kinds as Interface>::dispatch(
            vtable.cast(),
            Arc::as_ptr(&echo).cast_mut().cast(),
            method,
            args,
            out_ptr,
            error.as_raw(),
        )
    };
    let written = out.written().unwrap().len();
    (Status(status), error.into_message(), written)
}

#[test]
fn a_well_formed_wire_call_is_dispatched() {
    let (status, message, written) = dispatch_kinds(0, &[WireArg::Word(200)], true);
    assert_eq!((status, message.as_str(), written), (Status::OK, "", 1));
    let (status, _, written) = dispatch_kinds(12, &[], true);
    assert_eq!((status, written), (Status::OK, 0));
}

#[test]
fn malformed_wire_calls_are_refused_with_a_message() {
    let cases: &[(u32, &[WireArg<'_>], &str)] = &[
        (
            13,
            &[],
            "method number 13 is out of range: the interface has 13 method(s)",
        ),
        (u32::MAX, &[], "out of range"),
        (0, &[], "`u8` takes 1 argument(s), but the call carried 0"),
        (
            0,
            &[WireArg::Word(1), WireArg::Word(2)],
            "`u8` takes 1 argument(s), but the call carried 2",
        ),
        (
            0,
            &[WireArg::Slice(b"x")],
            "argument 1 of `u8` should be U8 but is a slice",
        ),
        (
            0,
            &[WireArg::Word(0x100)],
            "argument 1 of `u8` is 0x100, which is not a u8",
        ),
        (
            4,
            &[WireArg::Word(0x1ff)],
            "argument 1 of `i8` is 0x1ff, which is not a i8",
        ),
        (8, &[WireArg::Word(1 << 32)], "which is not a f32"),
        (
            10,
            &[WireArg::Word(2)],
            "argument 1 of `bool` is 0x2, which is not a bool",
        ),
        (
            11,
            &[
                WireArg::Word(1),
                WireArg::Slice(b"\xff\xfe"),
                WireArg::Word(0),
                WireArg::Slice(b""),
                WireArg::Word(0),
                WireArg::Word(0),
            ],
            "argument 2 of `mix` is not valid UTF-8",
        ),
        (
            11,
            &[
                WireArg::Word(1),
                WireArg::Word(0),
                WireArg::Word(0),
                WireArg::Slice(b""),
                WireArg::Word(0),
                WireArg::Word(0),
            ],
            "argument 2 of `mix` should be Utf8 but is a word",
        ),
    ];
    for (method, args, expected) in cases {
        let (status, message, written) = dispatch_kinds(*method, args, true);
        assert_eq!(status, Status::INVALID_ARGUMENT, "{message}");
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        assert_eq!(written, 0);
    }
    // A result buffer is required for a method with a result.
    let (status, message, _) = dispatch_kinds(0, &[WireArg::Word(1)], false);
    assert_eq!(status, Status::INVALID_ARGUMENT);
    assert!(message.contains("NULL result buffer"), "{message}");
}

// ------------------------------------------------------ host-side faults

/// A remote that reports what the test tells it to, without dispatching.
struct Scripted {
    reply: Box<
        dyn Fn(*mut sys::tenon_buffer, *mut sys::tenon_buffer) -> sys::tenon_status + Send + Sync,
    >,
}

impl Remote for Scripted {
    unsafe fn call(
        &self,
        _method: u32,
        _args: &[WireArg<'_>],
        out: *mut sys::tenon_buffer,
        error: *mut sys::tenon_buffer,
    ) -> sys::tenon_status {
        (self.reply)(out, error)
    }
}

fn scripted(
    reply: impl Fn(*mut sys::tenon_buffer, *mut sys::tenon_buffer) -> sys::tenon_status
        + Send
        + Sync
        + 'static,
) -> ProxyInstance {
    ProxyInstance::new(Arc::new(Scripted {
        reply: Box::new(reply),
    }))
}

#[test]
fn a_fault_reaches_the_client_with_its_detail() {
    let crash = Fault::Crashed {
        signal: Some(11),
        exit_code: None,
        last_words: "SIGSEGV in greet".into(),
        memory_limit: None,
    };
    let fault = crash.clone();
    let proxy = scripted(move |_, error| {
        // SAFETY: the buffer the proxy lent.
        unsafe { append(error, b"the plugin's process died").unwrap() };
        set_fault(fault.clone());
        Status::CRASHED.0
    });
    let greeter = client::<dyn Greeter>(&proxy);
    let error = greeter.greet("x").unwrap_err();
    assert_eq!(error.kind_name(), "crashed");
    assert_eq!(error.fault(), Some(&crash));
    assert_eq!(error.message(), "the plugin's process died");

    let deadline = Duration::from_millis(250);
    let proxy = scripted(move |_, _| {
        set_fault(Fault::TimedOut { deadline });
        Status::TIMED_OUT.0
    });
    let kv = client::<dyn Kv>(&proxy);
    let error = kv.len().unwrap_err();
    assert_eq!(error.kind_name(), "timed_out");
    assert_eq!(error.fault(), Some(&Fault::TimedOut { deadline }));
    assert!(error.message().contains("deadline"), "{error}");

    let proxy = scripted(|_, _| {
        set_fault(Fault::InstanceLost);
        Status::INSTANCE_LOST.0
    });
    let error = client::<dyn Kv>(&proxy).put("k", b"v").unwrap_err();
    assert_eq!(error.kind_name(), "instance_lost");
    assert_eq!(error.fault(), Some(&Fault::InstanceLost));
}

#[test]
fn a_fault_left_by_an_unchecked_call_does_not_leak_into_the_next() {
    // A fault recorded for a call whose caller never checked it...
    set_fault(Fault::InstanceLost);
    // ...is not the detail of the next proxied call's failure.
    let proxy = scripted(|_, _| Status::INSTANCE_LOST.0);
    let error = client::<dyn Kv>(&proxy).len().unwrap_err();
    assert_eq!(error.kind_name(), "instance_lost");
    assert_eq!(error.fault(), None);
}

#[test]
fn a_scalar_result_of_the_wrong_width_is_invalid_output() {
    for bytes in [&b""[..], b"1234567", b"123456789", &[0u8; 17]] {
        let proxy = scripted(move |out, _| {
            // SAFETY: the scratch buffer the proxy lent; more than it holds
            // is refused by its `reserve`, which is what a transport sees.
            match unsafe { append(out, bytes) } {
                Ok(()) => Status::OK.0,
                Err(e) => e.status().0,
            }
        });
        let error = client::<dyn Kv>(&proxy).len().unwrap_err();
        if bytes.len() > 16 {
            assert_eq!(error.kind_name(), "out_of_memory", "{error}");
        } else {
            assert_eq!(error.kind_name(), "invalid_output", "{error}");
            assert!(error.message().contains("not the 8 of its kind"), "{error}");
        }
    }
    let proxy = scripted(|out, _| {
        // SAFETY: the buffer the proxy lent.
        unsafe { append(out, &[2]).unwrap() };
        Status::OK.0
    });
    let error = client::<dyn Kinds>(&proxy).bool(true).unwrap_err();
    assert_eq!(error.kind_name(), "invalid_output");
}

#[test]
fn a_panicking_remote_is_a_panic_status() {
    let proxy = scripted(|_, _| panic!("the transport broke"));
    let error = client::<dyn Greeter>(&proxy).greet("x").unwrap_err();
    assert_eq!(error.status(), Status::PANIC);
    assert_eq!(error.message(), "panic: the transport broke");
}

#[test]
fn a_plugin_cannot_report_a_host_fault() {
    struct Liar;
    impl Greeter for Liar {
        fn greet(&self, _: &str) -> CallResult<String> {
            Err(CallError::new(Status::CRASHED, "I crashed, honest"))
        }
    }
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Greeter, _>(Arc::new(Liar)));
    let error = client::<dyn Greeter>(&proxy).greet("x").unwrap_err();
    assert_eq!(error.status(), Status::ERROR);
    assert!(error.fault().is_none());
    assert!(error.message().starts_with("I crashed, honest"), "{error}");
    assert!(
        error.message().contains("a status only hosts report"),
        "{error}"
    );
}

/// A remote whose call drops the proxy instance that made it (a host
/// callback destroying the instance calling it).
struct SelfDestruct {
    owner: Mutex<Option<Arc<ProxyInstance>>>,
    dropped: Mutex<bool>,
}

impl Remote for SelfDestruct {
    unsafe fn call(
        &self,
        _method: u32,
        _args: &[WireArg<'_>],
        out: *mut sys::tenon_buffer,
        _error: *mut sys::tenon_buffer,
    ) -> sys::tenon_status {
        drop(self.owner.lock().unwrap().take());
        *self.dropped.lock().unwrap() = true;
        // SAFETY: the buffer the proxy lent; `self` is still alive, held by
        // the proxy call.
        unsafe { append(out, b"still here").unwrap() };
        Status::OK.0
    }
}

#[test]
fn a_call_keeps_its_remote_alive_when_its_proxy_instance_is_dropped() {
    let remote = Arc::new(SelfDestruct {
        owner: Mutex::new(None),
        dropped: Mutex::new(false),
    });
    let proxy = Arc::new(ProxyInstance::new(remote.clone()));
    let instance = proxy.as_ptr();
    *remote.owner.lock().unwrap() = Some(proxy);
    let weak = Arc::downgrade(&remote);
    drop(remote);
    let vtable = <dyn Greeter as Interface>::PROXY_VTABLE;
    let mut out = HostBuffer::new();
    let mut error = HostBuffer::new();
    // SAFETY: `instance` is live when the call starts; the call drops it.
    let status = unsafe {
        vtable.greet.unwrap()(
            instance,
            sys::tenon_str {
                ptr: b"x".as_ptr().cast(),
                len: 1,
            },
            out.as_raw(),
            error.as_raw(),
        )
    };
    assert_eq!(Status(status), Status::OK);
    assert_eq!(out.written().unwrap(), b"still here");
    assert!(weak.upgrade().is_none(), "the remote went with the call");
}

#[test]
fn a_proxy_refuses_null_pointers_from_a_c_caller() {
    let vtable = <dyn Kv as Interface>::PROXY_VTABLE;
    let proxy = ProxyInstance::new(Loopback::serving::<dyn Kv, _>(Arc::new(Store::default())));
    let mut error = HostBuffer::new();
    // SAFETY: a live proxy instance; a NULL with a length is refused before
    // anything reads it, and so is a NULL out-parameter.
    let status = unsafe {
        vtable.put.unwrap()(
            proxy.as_ptr(),
            sys::tenon_str {
                ptr: core::ptr::null(),
                len: 3,
            },
            sys::tenon_bytes {
                ptr: core::ptr::null(),
                len: 0,
            },
            error.as_raw(),
        )
    };
    assert_eq!(Status(status), Status::INVALID_ARGUMENT);
    assert!(error.into_message().contains("NULL pointer"));
    let mut error = HostBuffer::new();
    // SAFETY: as above.
    let status =
        unsafe { vtable.len.unwrap()(proxy.as_ptr(), core::ptr::null_mut(), error.as_raw()) };
    assert_eq!(Status(status), Status::INVALID_ARGUMENT);
    // SAFETY: a NULL instance is refused; so is a NULL error buffer
    // tolerated.
    let status =
        unsafe { vtable.len.unwrap()(core::ptr::null_mut(), &mut 0u64, core::ptr::null_mut()) };
    assert_eq!(Status(status), Status::INVALID_ARGUMENT);
}

#[test]
fn a_non_thread_safe_client_over_a_proxy_still_refuses_reentry() {
    let busy = Cell::new(false);
    struct Reenter {
        client: RefCell<Option<Client<dyn Greeter>>>,
    }
    // The remote calls back into the same client during the call, as a
    // plugin calling a host service that calls the plugin would.
    struct Back(*const Reenter);
    // SAFETY: used on the test's thread only.
    unsafe impl Send for Back {}
    // SAFETY: as above.
    unsafe impl Sync for Back {}
    impl Remote for Back {
        unsafe fn call(
            &self,
            _method: u32,
            _args: &[WireArg<'_>],
            out: *mut sys::tenon_buffer,
            _error: *mut sys::tenon_buffer,
        ) -> sys::tenon_status {
            // SAFETY: the `Reenter` outlives the call.
            let reenter = unsafe { &*self.0 };
            let inner = reenter.client.borrow().as_ref().unwrap().greet("inner");
            let text = inner.unwrap_err().kind_name();
            // SAFETY: the buffer the proxy lent.
            unsafe { append(out, text.as_bytes()).unwrap() };
            Status::OK.0
        }
    }
    let reenter = Reenter {
        client: RefCell::new(None),
    };
    let proxy = ProxyInstance::new(Arc::new(Back(&reenter)));
    let vtable = <dyn Greeter as Interface>::PROXY_VTABLE as *const _;
    // SAFETY: the proxy and the busy flag outlive the client, used on this
    // thread only.
    let client = unsafe { Client::<dyn Greeter>::exclusive(proxy.as_ptr(), vtable, &busy) };
    *reenter.client.borrow_mut() = Some(client);
    let outer = reenter.client.borrow().as_ref().unwrap().greet("outer");
    assert_eq!(outer.unwrap(), "reentrant_call");
    drop(reenter.client.borrow_mut().take());
}
