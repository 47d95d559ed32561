//! What safe code must not be able to do with plugins that break the rules
//! or hosts that tear things down at awkward moments (issue 7). Each test
//! would read freed or uninitialized memory without the check it covers;
//! CI runs this file under valgrind (`.ci/run`).

mod support;

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use tenon::{CallError, CallResult, HostServices, Instance, Plugin, Status};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, rust_plugin};

/// The keeper fixture, offering `services`.
fn keeper(services: &HostServices) -> Plugin {
    Plugin::loader()
        .services(services.clone())
        .load(rust_plugin("keeper-rust").expect("keeper-rust builds"))
        .unwrap()
}

#[test]
fn bytes_a_plugin_claims_without_writing_them_read_as_zeros() {
    let plugin = Plugin::load(c_fixture("unwritten_output")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("x").unwrap(), "\0".repeat(64));
}

#[test]
fn reserve_on_a_copy_of_the_buffer_is_refused() {
    let plugin = Plugin::load(c_fixture("reserve_on_copy")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("x").unwrap_err();
    assert_eq!(error.status(), Status::INVALID_ARGUMENT);
    assert_eq!(error.message(), "reserve refused the copy");
}

thread_local! {
    static REENTERED: RefCell<Option<Instance>> = const { RefCell::new(None) };
}

/// A host greeter that calls back into the instance that called it.
struct CallsBack {
    seen: Arc<Mutex<Vec<&'static str>>>,
}

impl Greeter for CallsBack {
    fn greet(&self, _name: &str) -> CallResult<String> {
        let inner = REENTERED.with(|slot| {
            let slot = slot.borrow();
            let instance = slot.as_ref().expect("the test stored the instance");
            instance.interface::<dyn Greeter>().unwrap().greet("inner")
        });
        let error = inner.expect_err("a re-entrant call must be refused");
        self.seen.lock().unwrap().push(error.kind_name());
        Err(error)
    }
}

#[test]
fn a_host_service_cannot_reenter_an_exclusive_instance() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let services = HostServices::new().offer::<dyn Greeter, _>(CallsBack {
        seen: Arc::clone(&seen),
    });
    let plugin = keeper(&services);
    assert!(!plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    REENTERED.with(|slot| *slot.borrow_mut() = Some(instance));
    let outer = REENTERED.with(|slot| {
        let slot = slot.borrow();
        let greeter = slot.as_ref().unwrap().interface::<dyn Greeter>().unwrap();
        greeter.greet("outer")
    });
    let error = outer.unwrap_err();
    assert!(error.message().contains("re-entrant"), "{error}");
    assert_eq!(*seen.lock().unwrap(), ["reentrant_call"]);
    // The refusal left the instance usable.
    REENTERED.with(|slot| {
        let slot = slot.borrow();
        let greeter = slot.as_ref().unwrap().interface::<dyn Greeter>().unwrap();
        assert!(greeter.greet("again").is_err());
    });
    assert_eq!(seen.lock().unwrap().len(), 2);
    REENTERED.with(|slot| slot.borrow_mut().take());
}

/// A host greeter whose first call from the plugin's worker blocks until
/// the test releases it.
struct Blocking {
    calls: Arc<AtomicUsize>,
    entered: Mutex<Sender<()>>,
    release: Mutex<Receiver<()>>,
}

impl Greeter for Blocking {
    fn greet(&self, name: &str) -> CallResult<String> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            self.entered.lock().unwrap().send(()).unwrap();
            self.release.lock().unwrap().recv().unwrap();
        }
        Ok(format!("hello, {name}"))
    }
}

#[test]
fn destroy_waits_for_a_kept_host_call_and_refuses_later_ones() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let services = HostServices::new().offer::<dyn Greeter, _>(Blocking {
        calls: Arc::clone(&calls),
        entered: Mutex::new(entered_tx),
        release: Mutex::new(release_rx),
    });
    let plugin = keeper(&services);
    let instance = plugin.instantiate("worker").unwrap();
    // The plugin's own thread is now inside a call to the host.
    entered.recv_timeout(Duration::from_secs(30)).unwrap();

    let (done_tx, done) = mpsc::channel();
    let dropper = thread::spawn(move || {
        drop(instance);
        done_tx.send(()).unwrap();
    });
    assert!(
        done.recv_timeout(Duration::from_millis(200)).is_err(),
        "destroy returned while the plugin's thread was still in a host call"
    );
    release.send(()).unwrap();
    done.recv_timeout(Duration::from_secs(30)).unwrap();
    dropper.join().unwrap();

    // Every call after destroy is refused inside the plugin: none reaches
    // the host (whose table is freed) again.
    let after = calls.load(Ordering::SeqCst);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(calls.load(Ordering::SeqCst), after);
    drop(plugin);
}

/// A host greeter that, called from the plugin's worker thread, destroys the
/// instance that called it and then goes on using itself.
struct DropsItsInstance {
    slot: Arc<Mutex<Option<Instance>>>,
    greeting: String,
    done: Mutex<Sender<String>>,
}

impl Greeter for DropsItsInstance {
    fn greet(&self, name: &str) -> CallResult<String> {
        let Some(instance) = self.slot.lock().unwrap().take() else {
            return Err(CallError::not_found("no instance yet"));
        };
        // Destroys the instance; its host table, the last `HostServices`
        // and so the last owner of `self` go with it.
        drop(instance);
        let answer = format!("{}, {name}", self.greeting);
        self.done.lock().unwrap().send(answer.clone()).unwrap();
        Ok(answer)
    }
}

#[test]
fn a_host_service_may_destroy_the_instance_that_calls_it() {
    let slot = Arc::new(Mutex::new(None));
    let (done_tx, done) = mpsc::channel();
    let services = HostServices::new().offer::<dyn Greeter, _>(DropsItsInstance {
        slot: Arc::clone(&slot),
        greeting: "goodbye".to_owned(),
        done: Mutex::new(done_tx),
    });
    let plugin = keeper(&services);
    let instance = plugin.instantiate("worker").unwrap();
    // From here on the instance (through its host table) is the only owner
    // of the service, and the only thing keeping the library loaded.
    drop(services);
    drop(plugin);
    *slot.lock().unwrap() = Some(instance);
    assert_eq!(
        done.recv_timeout(Duration::from_secs(30)).unwrap(),
        "goodbye, worker"
    );
    // Let the worker see that it was destroyed and end.
    thread::sleep(Duration::from_millis(50));
    assert!(slot.lock().unwrap().is_none());
}

#[test]
fn an_output_buffer_a_plugin_abuses_is_refused_and_the_instance_goes_on() {
    support::hostile::check_buffer_abuse(&Plugin::load(c_fixture("buffer_abuse")).unwrap(), false);
}

#[test]
fn host_services_called_with_forbidden_arguments_refuse_them() {
    let plugin = Plugin::loader()
        .services(support::hostile::host_greeter())
        .load(c_fixture("host_service_abuse"))
        .unwrap();
    let events = support::capture_events(|| support::hostile::check_host_service_abuse(&plugin));
    // The log calls it could read arrived; the one it could not says why.
    let logged: Vec<_> = events
        .iter()
        .filter(|event| event.plugin == "fixture-host-service-abuse")
        .map(|event| event.message.as_str())
        .collect();
    for expected in [
        "level 0",
        "level 99",
        "level -1",
        "not \u{fffd} UTF-8",
        "(an unreadable log message: a NULL pointer was passed with length 5)",
        "(an unreadable log message: a length of 18446744073709551615 bytes was passed, larger than any object)",
    ] {
        assert!(logged.contains(&expected), "{expected:?} not in {logged:?}");
    }
}

#[test]
fn a_create_that_breaks_its_rules_is_create_failed_or_a_working_instance() {
    support::hostile::check_create_abuse(&Plugin::load(c_fixture("create_abuse")).unwrap(), false);
}

#[test]
fn a_reused_buffer_whose_callbacks_a_plugin_overwrote_serves_the_next_call() {
    let abuser = Plugin::load(c_fixture("buffer_abuse")).unwrap();
    let abused = abuser.instantiate("").unwrap();
    let good = Plugin::load(c_fixture("plain_greeter")).unwrap();
    let served = good.instantiate("").unwrap();
    let mut out = tenon::HostBuffer::new();
    // The plugin sets `reserve` and `host_data` of the buffer to NULL.
    let clobbered = abused
        .interface::<dyn Greeter>()
        .unwrap()
        .reusing(&mut out)
        .greet("clobber-callbacks")
        .map(str::to_owned);
    assert_eq!(clobbered.unwrap(), "");
    // The next plugin lent the same buffer grows it through `reserve`.
    let greeter = served.interface::<dyn Greeter>().unwrap();
    assert_eq!(
        greeter.reusing(&mut out).greet("Ada").unwrap(),
        "Hello, Ada!"
    );
}

#[test]
fn a_c_plugin_that_is_not_thread_safe_is_not_reentered_through_a_host_service() {
    let plugin = Plugin::loader()
        .services(support::hostile::calls_back())
        .load(c_fixture("relay_c"))
        .unwrap();
    support::hostile::check_reentry_refused(&plugin);
}
