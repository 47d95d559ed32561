//! An isolated plugin's log messages, and what it prints, reach the host's
//! `tracing` subscriber with the plugin's name.
// Where process isolation is implemented (docs/isolation.md); elsewhere
// `tests/isolation.rs` checks the clean `isolation_unsupported`.
#![cfg(any(target_os = "linux", target_os = "windows"))]

mod support;

use support::{capture_events, plugin_event};
use tenon::isolation::Isolation;
use tenon::Plugin;
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::{c_fixture, c_plugin, isolation_runner, rust_plugin};

#[test]
fn an_isolated_plugins_logs_reach_tracing_with_its_name_and_level() {
    let runner = isolation_runner().expect("the test runner builds");
    let c_path = c_plugin("greeter");
    let rust_path = rust_plugin("greeter-rust").unwrap();
    let events = capture_events(|| {
        for path in [&c_path, &rust_path] {
            let plugin = Plugin::loader()
                .isolated(Isolation::new().runner(&runner))
                .load(path)
                .unwrap();
            drop(plugin.instantiate("").unwrap());
            // The record travels on the child's standard error, beside the
            // reply: dropping the plugin delivers it.
            drop(plugin);
        }
    });
    for name in ["greeter-c", "greeter-rust"] {
        let event = plugin_event(&events, name);
        assert_eq!(event.level, tracing::Level::DEBUG, "{name}");
        assert!(
            event.message.contains("instance created"),
            "{name}: {event:?}"
        );
    }
}

#[test]
fn a_log_message_or_printed_line_without_end_is_cut_not_kept_whole() {
    let runner = isolation_runner().expect("the test runner builds");
    let events = capture_events(|| {
        let plugin = Plugin::loader()
            .isolated(Isolation::new().runner(&runner))
            .load(c_fixture("output_flood"))
            .unwrap();
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        // 16 MiB each, on one line.
        assert_eq!(greeter.greet("log").unwrap(), "Hello, log!");
        assert_eq!(greeter.greet("print").unwrap(), "Hello, print!");
        // Dropping the plugin delivers the rest of its output.
        drop(greeter);
        drop(instance);
        drop(plugin);
    });
    let flood: Vec<_> = events
        .iter()
        .filter(|event| event.plugin == "fixture-output-flood")
        .collect();
    // What is kept, and the count of what was dropped, make up the line;
    // a log record's line also holds its prefix and level.
    let cut = |message: &str, letter: char| -> Option<(usize, usize)> {
        let (kept, note) = message.split_once("... (")?;
        let dropped = note
            .strip_suffix(" more bytes of this line dropped)")?
            .parse()
            .ok()?;
        kept.chars()
            .all(|c| c == letter)
            .then_some((kept.len(), dropped))
    };
    for (letter, what) in [('x', "the log message"), ('y', "the printed line")] {
        let found = flood.iter().find_map(|event| cut(&event.message, letter));
        let lengths: Vec<_> = flood.iter().map(|event| event.message.len()).collect();
        let (kept, dropped) =
            found.unwrap_or_else(|| panic!("{what} was not cut: messages of {lengths:?} bytes"));
        assert!(kept <= 64 << 10 && kept > 60 << 10, "{what}: kept {kept}");
        assert_eq!(kept + dropped, 16 << 20, "{what}");
    }
}

/// An interface the test runner does not link: the host can offer it, the
/// isolated plugin cannot reach it.
mod not_in_runner {
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct Vtable {
        pub struct_size: u32,
        pub tick: Option<
            unsafe extern "C" fn(
                *mut core::ffi::c_void,
                *mut u64,
                *mut tenon::sys::tenon_buffer,
            ) -> tenon::sys::tenon_status,
        >,
    }

    tenon::interface! {
        pub trait Ticker {
            const ID = c"org.tenon.test.not-in-runner";
            const VERSION = 1;
            type Vtable = Vtable;
            fn tick(&self) -> u64;
        }
    }
}

struct Ticks;

impl not_in_runner::Ticker for Ticks {
    fn tick(&self) -> tenon::CallResult<u64> {
        Ok(1)
    }
}

/// A host service the child program does not declare is NULL for the
/// plugin (as if not offered), and the host's log says why, naming it:
/// once for the runner and plugin file, not again when the plugin is
/// loaded again or its process restarted, which would only repeat it.
#[test]
fn a_host_service_the_runner_does_not_declare_is_a_warning_naming_it() {
    let runner = isolation_runner().expect("the test runner builds");
    let events = capture_events(|| {
        let loader = Plugin::loader()
            .services(tenon::HostServices::new().offer::<dyn not_in_runner::Ticker, _>(Ticks))
            .isolated(
                Isolation::new()
                    .runner(&runner)
                    .restart(tenon::Restart::AtMost {
                        n: 1,
                        window: std::time::Duration::from_secs(60),
                    }),
            );
        for _ in 0..2 {
            let plugin = loader.load(c_fixture("fault_segfault")).unwrap();
            let instance = plugin.instantiate("").unwrap();
            let greeter = instance.interface::<dyn Greeter>().unwrap();
            // A crash, then a restart for the next instance.
            assert_eq!(greeter.greet("crash").unwrap_err().kind_name(), "crashed");
            drop(plugin.instantiate("").unwrap());
            // Dropping the plugin (here, and the crashed process when the
            // restart replaced it) delivers the rest of its output.
            drop(greeter);
            drop(instance);
            drop(plugin);
        }
    });
    let warnings: Vec<_> = events
        .iter()
        .filter(|event| event.target == "tenon::plugin" && event.message.contains("not-in-runner"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "four processes, one warning: {warnings:?}"
    );
    let warning = warnings[0];
    assert_eq!(warning.level, tracing::Level::WARN, "{warning:?}");
    assert!(
        warning.message.contains("get_interface returns NULL")
            && warning.message.contains("runner"),
        "{warning:?}"
    );
}

/// A host service the host does not declare (a C host's raw offer of an
/// interface its libtenon lacks) cannot be carried back from the child,
/// even when the runner declares it: the plugin gets NULL, not a proxy
/// whose every call fails, and the host's log says why, naming it.
#[test]
fn a_host_service_only_the_runner_declares_is_a_warning_naming_it() {
    // The runner links the evolution tests' interface; this test does not.
    const EVOLVE: &str = "org.tenon.test.evolve";
    assert!(tenon_interface::declared(EVOLVE, 1).is_err());
    static VTABLE: u32 = 4; // a struct_size alone: never called
    let runner = isolation_runner().expect("the test runner builds");
    let path = c_plugin("greeter");
    let events = capture_events(|| {
        // SAFETY: the vtable is never called: the offer cannot reach the
        // isolated plugin, which is what this test checks, and the greeter
        // does not look it up.
        let services = unsafe {
            tenon::HostServices::new().offer_raw(
                EVOLVE,
                1,
                std::ptr::from_ref(&VTABLE).cast(),
                std::ptr::null_mut(),
                std::sync::Arc::new(()),
            )
        };
        let plugin = Plugin::loader()
            .services(services)
            .isolated(Isolation::new().runner(&runner))
            .load(&path)
            .unwrap();
        let instance = plugin.instantiate("").unwrap();
        assert!(instance
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("x")
            .is_ok());
        drop(instance);
        drop(plugin);
    });
    let warnings: Vec<_> = events
        .iter()
        .filter(|event| event.target == "tenon::plugin" && event.message.contains(EVOLVE))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0];
    assert_eq!(warning.level, tracing::Level::WARN, "{warning:?}");
    // Before the plugin tells its name: by its file's.
    let file = path.file_name().unwrap().to_string_lossy();
    assert_eq!(warning.plugin, file, "{warning:?}");
    assert!(
        warning.message.contains("get_interface returns NULL")
            && warning.message.contains("the host itself cannot carry it"),
        "{warning:?}"
    );
}

/// A subscriber slow to take a plugin's printed lines, so that they are
/// still being read when the plugin is dropped.
struct Slow;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Slow {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "tenon::plugin" {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

/// docs/isolation.md: dropping an isolated plugin delivers the rest of its
/// process's output, and a process the plugin started that holds the
/// output open (the fixture forks one that sleeps 20 s; on Windows its
/// create starts rundll32 sleeping 20 s) does not make it wait: once the
/// plugin's process is gone and what it wrote is read (Linux, macOS), or
/// once the killed job has ended that process too (Windows), the drop
/// returns (before, it waited out a one-second bound).
#[test]
fn dropping_a_plugin_whose_grandchild_holds_its_output_delivers_it_at_once() {
    use tracing_subscriber::layer::SubscriberExt;
    let runner = isolation_runner().expect("the test runner builds");
    let captured = support::Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(Slow)
        .with(captured.clone());
    let elapsed = tracing::subscriber::with_default(subscriber, || {
        let plugin = Plugin::loader()
            .isolated(Isolation::new().runner(&runner))
            .load(c_fixture("fork_in_initializer"))
            .unwrap();
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        for round in 0..20 {
            assert_eq!(
                greeter.greet(&round.to_string()).unwrap(),
                format!("Hello, {round}!")
            );
        }
        drop(greeter);
        drop(instance);
        let started = std::time::Instant::now();
        drop(plugin);
        started.elapsed()
    });
    let events = captured.take();
    // Standard output's lines are info events, standard error's warnings.
    let printed = |prefix: &str, level: tracing::Level| {
        events
            .iter()
            .filter(|e| e.message.starts_with(prefix) && e.level == level)
            .count()
    };
    // Every line, though the subscriber was still taking them at the drop.
    assert_eq!(
        (
            printed("fork-in-initializer: greeting ", tracing::Level::INFO),
            printed("fork-in-initializer: greeted ", tracing::Level::WARN)
        ),
        (20, 20),
        "{events:#?}"
    );
    // The slow subscriber's 40 ms or so, never the bound.
    assert!(
        elapsed < std::time::Duration::from_millis(800),
        "the drop took {elapsed:?}"
    );
}
