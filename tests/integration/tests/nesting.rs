//! A plugin that declares `TENON_PLUGIN_THREAD_SAFE` accepts nested calls
//! (`plugin.h`, `[instance]`), so the host lets a host service call back
//! into the instance that called it, even through an `Instance` (whose
//! handles then skip the busy flag that guards plugins that are not
//! thread-safe; `soundness.rs` covers those).

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tenon::{CallResult, HostServices, Instance, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::rust_plugin;

thread_local! {
    static INSTANCE: RefCell<Option<Instance>> = const { RefCell::new(None) };
}

/// A host greeter that, on its first call, calls back into the instance
/// that called it.
struct CallsBackOnce {
    calls: Arc<AtomicUsize>,
}

impl Greeter for CallsBackOnce {
    fn greet(&self, name: &str) -> CallResult<String> {
        if self.calls.fetch_add(1, Ordering::SeqCst) > 0 {
            return Ok(format!("host says hi to {name}"));
        }
        let inner = INSTANCE.with(|slot| {
            let slot = slot.borrow();
            let instance = slot.as_ref().expect("the test stored the instance");
            instance.interface::<dyn Greeter>().unwrap().greet("inner")
        })?;
        Ok(format!("nested [{inner}]"))
    }
}

#[test]
fn a_thread_safe_plugin_accepts_a_nested_call_through_an_instance() {
    let calls = Arc::new(AtomicUsize::new(0));
    let services = HostServices::new().offer::<dyn Greeter, _>(CallsBackOnce {
        calls: Arc::clone(&calls),
    });
    let plugin = Plugin::loader()
        .services(services)
        .load(rust_plugin("relay-rust").expect("relay-rust builds"))
        .unwrap();
    assert!(plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    INSTANCE.with(|slot| *slot.borrow_mut() = Some(instance));
    let outer = INSTANCE.with(|slot| {
        let slot = slot.borrow();
        let greeter = slot.as_ref().unwrap().interface::<dyn Greeter>().unwrap();
        greeter.greet("outer")
    });
    assert_eq!(
        outer.unwrap(),
        "relayed: nested [relayed: host says hi to inner]"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    INSTANCE.with(|slot| slot.borrow_mut().take());
}
