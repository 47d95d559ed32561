//! Thread-safe plugins are called from many threads at once without a lock.

use std::sync::Arc;
use tenon::Plugin;
use tenon_example_interfaces::{Greeter, Kv};
use tenon_test_plugins::{c_plugin, rust_plugin};

#[test]
fn a_shared_kv_instance_takes_concurrent_writers() {
    let plugin = Plugin::load(rust_plugin("kv-rust").unwrap()).unwrap();
    let instance = Arc::new(plugin.instantiate_shared("").unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let instance = Arc::clone(&instance);
            std::thread::spawn(move || {
                let kv = instance.interface::<dyn Kv>().unwrap();
                for i in 0..250 {
                    kv.put(&format!("{t}/{i}"), &[t as u8; 3]).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let kv = instance.interface::<dyn Kv>().unwrap();
    assert_eq!(kv.len().unwrap(), 1000);
    assert_eq!(kv.get("3/249").unwrap(), [3, 3, 3]);
}

#[test]
fn one_shared_handle_is_used_from_several_threads() {
    let plugin = Plugin::load(c_plugin("greeter")).unwrap();
    let instance = plugin.instantiate_shared("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let greeter = &greeter;
            scope.spawn(move || {
                for _ in 0..100 {
                    assert_eq!(
                        greeter.greet(&t.to_string()).unwrap(),
                        format!("Hello, {t}!")
                    );
                }
            });
        }
    });
}

#[test]
fn an_exclusive_instance_can_move_to_another_thread() {
    let plugin = Plugin::load(rust_plugin("panicking-rust").unwrap()).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeting = std::thread::spawn(move || {
        instance
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("moved")
            .unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(greeting, "Hello, moved!");
}
