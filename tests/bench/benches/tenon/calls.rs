//! Calls through a typed handle, against the same call written as a C host
//! writes it and against a plain Rust function doing the same work.

use crate::c_host::{self, OutBuffer, Target};
use crate::harness::{run_group, Case, Row, Settings};
use crate::plain;
use std::hint::black_box;
use std::path::Path;
use tenon::{HostBuffer, Plugin};
use tenon_example_interfaces::{Greeter, Kv, Processor};

/// The value stored under [`KEY`] for `get`: 16 bytes, a small record.
const VALUE: &[u8] = b"0123456789abcdef";
const KEY: &str = "key";
const NAME: &str = "world";

/// `len` (trivial) and `get` (bytes out) of kv plugins.
pub fn kv(settings: &Settings, plugins: &[(&str, &Path)]) -> Vec<Row> {
    let loaded: Vec<_> = plugins
        .iter()
        .map(|(label, path)| {
            let plugin = Plugin::load(path).expect("kv plugin loads");
            let instance = plugin.instantiate("").expect("kv plugin instantiates");
            // Shared instances skip the busy flag of an `Instance`.
            let shared = plugin.instantiate_shared("").ok();
            (*label, instance, shared)
        })
        .collect();
    let shared: Vec<_> = loaded
        .iter()
        .filter_map(|(label, _, shared)| {
            let kv = shared.as_ref()?.interface::<dyn Kv>().expect("kv resolves");
            Some((*label, kv))
        })
        .collect();
    let handles: Vec<_> = loaded
        .iter()
        .map(|(label, instance, _)| {
            let kv = instance.interface::<dyn Kv>().expect("kv resolves");
            kv.put(KEY, VALUE).expect("put works");
            (*label, kv)
        })
        .collect();
    let store = plain::Store::with(KEY, VALUE);
    let store = &store;
    let mut cases = Vec::new();
    for (label, kv) in &handles {
        let target = Target::of(kv);
        let base = format!("call/{label}/len/c-host");
        cases.push(Case::repeat(base.clone(), move || {
            black_box(c_host::kv_len(black_box(&target)));
        }));
        cases.push(
            Case::repeat(format!("call/{label}/len/typed"), move || {
                black_box(kv.len().unwrap());
            })
            .against(&base),
        );
    }
    for (label, kv) in &shared {
        cases.push(
            Case::repeat(format!("call/{label}/len/typed-shared"), move || {
                black_box(kv.len().unwrap());
            })
            .against(&format!("call/{label}/len/c-host")),
        );
    }
    let first_len = format!("call/{}/len/c-host", handles[0].0);
    cases.push(
        Case::repeat("call/plain-rust/len", move || {
            black_box(black_box(store).len());
        })
        .against(&first_len),
    );
    for (label, kv) in &handles {
        let target = Target::of(kv);
        let mut out = OutBuffer::new();
        let base = format!("call/{label}/get/c-host");
        cases.push(Case::repeat(base.clone(), move || {
            black_box(c_host::kv_get(&target, black_box(KEY), &mut out));
        }));
        cases.push(
            Case::repeat(format!("call/{label}/get/typed"), move || {
                black_box(kv.get(black_box(KEY)).unwrap());
            })
            .against(&base),
        );
        let mut reused = HostBuffer::new();
        cases.push(
            Case::repeat(format!("call/{label}/get/typed-reusing"), move || {
                black_box(kv.reusing(&mut reused).get(black_box(KEY)).unwrap());
            })
            .against(&base),
        );
    }
    let first_get = format!("call/{}/get/c-host", handles[0].0);
    cases.push(
        Case::repeat("call/plain-rust/get", move || {
            black_box(black_box(store).get(black_box(KEY)).unwrap());
        })
        .against(&first_get),
    );
    run_group(settings, "kv: len() -> u64 and get(key) -> 16 bytes", cases)
}

/// `greet` (a string in, a string out).
pub fn greet(settings: &Settings, label: &str, path: &Path) -> Vec<Row> {
    let plugin = Plugin::load(path).expect("greeter loads");
    let instance = plugin.instantiate("").expect("greeter instantiates");
    let greeter = instance
        .interface::<dyn Greeter>()
        .expect("greeter resolves");
    let greeter = &greeter;
    // The same plugin as a `SharedInstance`, whose calls skip the busy flag
    // an `Instance` sets and clears around each call.
    let shared = plugin
        .instantiate_shared("")
        .expect("greeter is thread-safe");
    let shared = shared.interface::<dyn Greeter>().expect("greeter resolves");
    let shared = &shared;
    let target = Target::of(greeter);
    let target_read = Target::of(greeter);
    let mut out = OutBuffer::new();
    let mut reused = HostBuffer::new();
    let mut reused_shared = HostBuffer::new();
    let mut out_read = OutBuffer::new();
    let base = format!("call/{label}/greet/c-host");
    let cases = vec![
        Case::repeat(base.clone(), move || {
            black_box(c_host::greet(&target, black_box(NAME), &mut out));
        }),
        // The same C host, also looking at the text it got (is it ASCII?):
        // reading bytes the plugin has just written in pieces costs a
        // store-forwarding stall, which any host that uses its result pays
        // and the UTF-8 check of a `&str` result cannot avoid.
        Case::repeat(format!("call/{label}/greet/c-host-reading"), move || {
            black_box(c_host::greet(&target_read, black_box(NAME), &mut out_read).is_ascii());
        })
        .against(&base),
        Case::repeat(format!("call/{label}/greet/typed"), move || {
            black_box(greeter.greet(black_box(NAME)).unwrap());
        })
        .against(&base),
        Case::repeat(format!("call/{label}/greet/typed-reusing"), move || {
            black_box(greeter.reusing(&mut reused).greet(black_box(NAME)).unwrap());
        })
        .against(&base),
        Case::repeat(
            format!("call/{label}/greet/typed-reusing-shared"),
            move || {
                black_box(
                    shared
                        .reusing(&mut reused_shared)
                        .greet(black_box(NAME))
                        .unwrap(),
                );
            },
        )
        .against(&base),
        Case::repeat("call/plain-rust/greet", move || {
            black_box(plain::greet(black_box(NAME)));
        })
        .against(&base),
    ];
    run_group(settings, "greeter: greet(\"world\") -> String", cases)
}

/// The sizes of the bytes cases.
pub const SIZES: [(usize, &str); 3] = [(64, "64B"), (4096, "4KiB"), (1 << 20, "1MiB")];

/// `process` of the echo plugin: the input comes back, so the result is as
/// large as the input.
pub fn bytes(settings: &Settings, label: &str, path: &Path) -> Vec<Row> {
    let plugin = Plugin::load(path).expect("echo loads");
    let instance = plugin.instantiate("").expect("echo instantiates");
    let echo = instance
        .interface::<dyn Processor>()
        .expect("processor resolves");
    let echo = &echo;
    let mut rows = Vec::new();
    for (size, size_label) in SIZES {
        // The input starts half a page into its allocation: placed at the
        // start, the output buffer allocated right after it sat a multiple
        // of 4 KiB (plus a chunk header) away, and in some runs `memcpy`
        // then ran 30x slower on 4 KiB (loads falsely waiting on stores to
        // a 4K-aliased address), which measured the allocator's placement
        // instead of the call.
        let storage: Vec<u8> = (0..size + 4096).map(|i| i as u8).collect();
        let input = &storage[2048..2048 + size];
        assert_eq!(echo.process(input).unwrap(), input, "echo echoes");
        let target = Target::of(echo);
        let mut out = OutBuffer::new();
        let mut reused = HostBuffer::new();
        let base = format!("call/{label}/process-{size_label}/c-host");
        let cases = vec![
            Case::repeat(base.clone(), move || {
                black_box(c_host::process(&target, black_box(input), &mut out));
            }),
            Case::repeat(
                format!("call/{label}/process-{size_label}/typed"),
                move || {
                    black_box(echo.process(black_box(input)).unwrap());
                },
            )
            .against(&base),
            Case::repeat(
                format!("call/{label}/process-{size_label}/typed-reusing"),
                move || {
                    black_box(echo.reusing(&mut reused).process(black_box(input)).unwrap());
                },
            )
            .against(&base),
            Case::repeat(format!("call/plain-rust/echo-{size_label}"), move || {
                black_box(plain::echo(black_box(input)));
            })
            .against(&base),
        ];
        rows.extend(run_group(
            settings,
            &format!("echo processor: process({size_label}) -> {size_label}"),
            cases,
        ));
    }
    rows
}
