//! The generic marshalling of `tenon-interface` against real plugins: every
//! example plugin (C, C++, Zig, Rust) is loaded in process, and each call is
//! made twice, once directly and once through the interface's proxy vtable,
//! a loopback `Remote` that copies every argument and result as a transport
//! between processes would, and the dispatcher found in this host's
//! registry by the interface's id and version (`tenon_interface::declared`)
//! into the plugin's own vtable. Both calls must give the same result,
//! status and message.
//!
//! This is the path an isolated plugin's calls take, without the process:
//! it shows that no interface needs glue of its own, that the dispatcher
//! drives vtables built by every language's SDK, and that Rust plugins,
//! which register the interfaces they link too, load and run unchanged.
//!
//! Runs on Windows too (`scripts/test-windows.sh`, under Wine): the
//! registry is filled in MinGW builds since each `interface!` keeps its
//! entry from GNU ld's `--gc-sections`.

// The loopback is tenon-interface's test module (its tests/remote.rs runs
// calls through it too, under Miri).
#[path = "../../../sdk-rust/tenon-interface/tests/support/loopback.rs"]
mod loopback;

use loopback::Loopback;
use std::ffi::c_void;
use std::sync::Arc;
use tenon::{CallError, Client, Interface, Plugin};
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_interface::{declared, HostBuffer, ProxyInstance};

/// A client of `I` whose calls reach `direct`'s plugin vtable through the
/// proxy, the loopback and the registry's dispatcher. `proxy` must outlive
/// the client.
fn proxied<I: ?Sized + Interface>(
    direct: &Client<I>,
    proxy: &mut Option<Arc<ProxyInstance>>,
) -> Client<I> {
    let declared = declared(I::ID, I::VERSION).expect("the example interfaces are registered");
    let vtable = (direct.vtable() as *const I::Vtable).cast::<c_void>();
    // SAFETY: the plugin's vtable, which the host verified for `I`.
    unsafe { declared.verify(vtable) }.expect("a verified vtable passes again");
    // SAFETY: the plugin's verified vtable and its live instance; every
    // loopback is used on the thread that made it, which also owns the
    // instance (the calls are those of one test), and `direct` outlives it.
    let remote = Arc::new(unsafe { Loopback::new(declared, vtable, direct.instance_ptr()) });
    let instance = proxy.insert(Arc::new(ProxyInstance::new(remote)));
    // SAFETY: the proxy vtable of `I`; `instance` is kept alive by `proxy`,
    // which the caller keeps for longer than the client.
    unsafe { Client::new(instance.as_ptr(), I::PROXY_VTABLE) }
}

/// A call's outcome as it can be compared: the value, or status, kind and
/// message.
fn outcome<T: std::fmt::Debug>(result: Result<T, CallError>) -> String {
    match result {
        Ok(value) => format!("ok {value:?}"),
        Err(error) => format!(
            "{} [{}] {:?}",
            error.status(),
            error.kind_name(),
            error.message()
        ),
    }
}

fn examples_of(id: &str) -> Vec<tenon_test_plugins::ExamplePlugin> {
    let examples: Vec<_> = tenon_test_plugins::try_all_examples()
        .unwrap_or_else(|error| panic!("the example plugins could not all be built: {error}"))
        .into_iter()
        .filter(|example| example.interface == id)
        .collect();
    assert!(!examples.is_empty(), "no example implements {id}");
    examples
}

fn megabyte() -> Vec<u8> {
    (0..1u32 << 20).map(|i| (i % 251) as u8).collect()
}

#[test]
fn every_example_greeter_answers_the_same_through_the_wire() {
    let long = "ünïcödé ".repeat(150_000);
    for example in examples_of(<dyn Greeter as Interface>::ID) {
        let plugin = Plugin::load(&example.path).expect("an example loads");
        let instance = plugin.instantiate("").expect("an example instantiates");
        let direct = instance.interface::<dyn Greeter>().unwrap();
        let mut proxy = None;
        let wire = proxied::<dyn Greeter>(&direct, &mut proxy);
        for name in ["world", "", "Zoë 🦀 日本語", "a\0b", long.as_str()] {
            assert_eq!(
                outcome(wire.greet(name)),
                outcome(direct.greet(name)),
                "{} ({}): greet({:.20?})",
                example.name,
                example.language,
                name
            );
        }
    }
}

/// One call of a sequence, made on either client.
type Step<'a> = Box<dyn Fn(&Client<dyn Kv>) -> String + 'a>;

#[test]
fn every_example_kv_store_answers_the_same_through_the_wire() {
    let big = megabyte();
    for example in examples_of(<dyn Kv as Interface>::ID) {
        let plugin = Plugin::load(&example.path).expect("an example loads");
        // Two instances, so that the same sequence of calls gives the same
        // answers when one goes through the wire and the other does not.
        let direct_instance = plugin.instantiate("").unwrap();
        let wire_instance = plugin.instantiate("").unwrap();
        let direct = direct_instance.interface::<dyn Kv>().unwrap();
        let wire_direct = wire_instance.interface::<dyn Kv>().unwrap();
        let mut proxy = None;
        let wire = proxied::<dyn Kv>(&wire_direct, &mut proxy);
        let label = format!("{} ({})", example.name, example.language);
        let steps: Vec<(&str, Step)> = vec![
            ("len", Box::new(|kv| outcome(kv.len()))),
            ("get missing", Box::new(|kv| outcome(kv.get("missing")))),
            ("put big", Box::new(|kv| outcome(kv.put("big", &big)))),
            ("put empty", Box::new(|kv| outcome(kv.put("", b"")))),
            (
                "put nul",
                Box::new(|kv| outcome(kv.put("clé\0", b"\0\xff"))),
            ),
            ("len", Box::new(|kv| outcome(kv.len()))),
            (
                "get big",
                Box::new(|kv| outcome(kv.get("big").map(|v| v == big))),
            ),
            ("get empty", Box::new(|kv| outcome(kv.get("")))),
            ("get nul", Box::new(|kv| outcome(kv.get("clé\0")))),
            ("remove", Box::new(|kv| outcome(kv.remove("big")))),
            ("remove again", Box::new(|kv| outcome(kv.remove("big")))),
            ("len", Box::new(|kv| outcome(kv.len()))),
        ];
        for (step, run) in &steps {
            assert_eq!(run(&wire), run(&direct), "{label}: {step}");
        }
        assert_eq!(outcome(wire.len()), "ok 2", "{label}");
    }
}

#[test]
fn every_example_processor_answers_the_same_through_the_wire() {
    let big = megabyte();
    for example in examples_of(<dyn Processor as Interface>::ID) {
        let plugin = Plugin::load(&example.path).expect("an example loads");
        let instance = plugin.instantiate("").unwrap();
        let direct = instance.interface::<dyn Processor>().unwrap();
        let mut proxy = None;
        let wire = proxied::<dyn Processor>(&direct, &mut proxy);
        let label = format!("{} ({})", example.name, example.language);
        assert_eq!(outcome(wire.name()), outcome(direct.name()), "{label}");
        for input in [&b""[..], b"abc\0\xff", &big] {
            assert_eq!(
                outcome(wire.process(input)),
                outcome(direct.process(input)),
                "{label}: process({} bytes)",
                input.len()
            );
        }
        let mut out = HostBuffer::new();
        let reused = wire.reusing(&mut out).process(b"xyz").map(<[u8]>::to_vec);
        assert_eq!(outcome(reused), outcome(direct.process(b"xyz")), "{label}");
    }
}

#[test]
fn a_panicking_rust_plugin_panics_the_same_through_the_wire() {
    let path = tenon_test_plugins::rust_plugin("panicking-rust").expect("the fixture builds");
    let plugin = Plugin::load(&path).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let direct = instance.interface::<dyn Greeter>().unwrap();
    let mut proxy = None;
    let wire = proxied::<dyn Greeter>(&direct, &mut proxy);
    let through = wire.greet("panic").unwrap_err();
    assert_eq!(through.kind_name(), "panic");
    assert_eq!(
        outcome(Err::<(), _>(through)),
        outcome(direct.greet("panic").map(|_| ()))
    );
    assert_eq!(outcome(wire.greet("after")), outcome(direct.greet("after")));
}
