//! The isolation runtime's own checks (iso-core): example plugins loaded
//! isolated through the test runner answer as in process; a slow call
//! times out; the process is gone after the plugin is dropped.
// Where process isolation is implemented (docs/isolation.md); elsewhere
// `tests/isolation.rs` checks the clean `isolation_unsupported`. The
// checks that read `/proc` or need an enforced memory limit are Linux's;
// `tests/isolation/` has Windows' own (a crash's exit code in `crash.rs`,
// the child ending with its host in `windows.rs`).
#![cfg(any(target_os = "linux", target_os = "windows"))]

mod support;

use std::time::Duration;
use tenon::isolation::Isolation;
use tenon::{Fault, Plugin};
use tenon_example_interfaces::{Greeter, Kv};
use tenon_test_plugins::{c_fixture, c_plugin, isolation_runner, rust_plugin};

fn isolated() -> Isolation {
    Isolation::new().runner(isolation_runner().expect("the test runner builds"))
}

#[test]
fn an_isolated_greeter_answers_as_in_process() {
    for path in [c_plugin("greeter"), rust_plugin("greeter-rust").unwrap()] {
        let local = Plugin::load(&path).unwrap();
        let remote = Plugin::loader().isolated(isolated()).load(&path).unwrap();
        assert!(remote.is_isolated());
        assert_eq!(remote.info().name, local.info().name);
        assert_eq!(remote.info().interfaces, local.info().interfaces);
        let a = local.instantiate("").unwrap();
        let b = remote.instantiate("").unwrap();
        let ga = a.interface::<dyn Greeter>().unwrap();
        let gb = b.interface::<dyn Greeter>().unwrap();
        for name in ["Ada", "", "Zoë 🌍", &"x".repeat(100_000)] {
            assert_eq!(ga.greet(name).unwrap(), gb.greet(name).unwrap());
        }
        assert!(remote.ping(Duration::from_secs(5)).is_ok());
    }
}

#[test]
fn isolated_kv_round_trips_errors_and_a_mebibyte() {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(rust_plugin("kv-rust").unwrap())
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();
    let big: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    kv.put("big", &big).unwrap();
    assert_eq!(kv.get("big").unwrap(), big);
    assert_eq!(kv.len().unwrap(), 1);
    let missing = kv.get("nothing").unwrap_err();
    assert_eq!(missing.kind_name(), "not_found", "{missing}");
    assert!(missing.fault().is_none());
}

#[test]
fn a_crash_in_a_call_is_crashed_then_instance_lost_then_a_restart_serves() {
    let plugin = Plugin::loader()
        .isolated(isolated().restart(tenon::isolation::Restart::Always {
            backoff: Duration::from_millis(1),
        }))
        .load(c_fixture("crash_in_greet"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert!(greeter.greet("Ada").unwrap().contains("Ada"));
    let error = greeter.greet(&"x".repeat(5000)).unwrap_err();
    assert_eq!(error.kind_name(), "crashed", "{error}");
    match error.fault() {
        #[cfg(unix)]
        Some(Fault::Crashed { signal, .. }) => assert_eq!(*signal, Some(11), "{error}"),
        // STATUS_ACCESS_VIOLATION: a Windows child ends with its exception's code.
        #[cfg(windows)]
        Some(Fault::Crashed { exit_code, .. }) => {
            assert_eq!(*exit_code, Some(0xC000_0005_u32 as i32), "{error}")
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    let lost = greeter.greet("Ada").unwrap_err();
    assert_eq!(lost.kind_name(), "instance_lost", "{lost}");
    // A new instance lives in a new process.
    let fresh = plugin.instantiate("").unwrap();
    let greeter = fresh.interface::<dyn Greeter>().unwrap();
    assert!(greeter.greet("Grace").unwrap().contains("Grace"));
    assert!(plugin.ping(Duration::from_secs(5)).is_ok());
}

/// docs/isolation.md, "Restarts", and `Restart::Always`: the backoff is
/// waited out on the thread of the call that needs the process back (here
/// `ping`, whose short deadline does not cover the wait, then
/// `instantiate`), before the first restart too, and doubles when the next
/// death comes within a minute of the previous restart.
#[test]
fn a_restart_waits_out_its_backoff_in_the_call_that_needs_it() {
    let backoff = Duration::from_millis(400);
    let plugin = Plugin::loader()
        .isolated(isolated().restart(tenon::isolation::Restart::Always { backoff }))
        .load(c_fixture("crash_in_greet"))
        .unwrap();
    let crash = |plugin: &Plugin| {
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        let error = greeter.greet(&"x".repeat(5000)).unwrap_err();
        assert_eq!(error.kind_name(), "crashed", "{error}");
    };
    crash(&plugin);
    let start = std::time::Instant::now();
    plugin
        .ping(Duration::from_millis(50))
        .expect("the ping restarts the process, then answers");
    let first = start.elapsed();
    assert!(first >= backoff, "the first restart waited {first:?}");

    crash(&plugin);
    let start = std::time::Instant::now();
    let fresh = plugin.instantiate("").expect("restarted again");
    let second = start.elapsed();
    assert!(
        second >= 2 * backoff,
        "the second restart waited {second:?}"
    );
    let greeter = fresh.interface::<dyn Greeter>().unwrap();
    assert!(greeter.greet("Ada").unwrap().contains("Ada"));
}

#[test]
fn a_hung_call_times_out_at_its_deadline_and_the_process_is_killed() {
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(Duration::from_secs(30)))
        .load(c_fixture("hang_in_greet"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let start = std::time::Instant::now();
    let error = tenon::isolation::with_deadline(Duration::from_millis(200), || {
        greeter.greet(&"x".repeat(5000))
    })
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(error.kind_name(), "timed_out", "{error}");
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert!(
        matches!(error.fault(), Some(Fault::TimedOut { .. })),
        "{error}"
    );
    // No restart policy: the plugin stays dead.
    let error = plugin.instantiate("").unwrap_err();
    assert_eq!(error.kind(), "crashed", "{error}");
}

/// docs/guide-rust.md's error table and docs/isolation.md, "Deadlines" and
/// "Restarts": an isolated `create` that never returns fails `instantiate`
/// with `timed_out` (`Error::TimedOut`, naming the deadline that passed,
/// the call timeout or one set with `with_deadline`) and the child is
/// killed; the host goes on, and the restart policy decides whether the
/// next `instantiate` gets a fresh child or `crashed`.
#[test]
fn a_create_that_hangs_times_out_and_the_restart_policy_decides_what_follows() {
    let timeout = Duration::from_millis(300);
    let timed_out = |plugin: &Plugin, expected: Duration| {
        let start = std::time::Instant::now();
        let error = plugin.instantiate("hang").unwrap_err();
        let took = start.elapsed();
        match &error {
            tenon::Error::TimedOut { deadline, .. } => {
                // `with_deadline`'s is what was left of it when the
                // request was sent.
                assert!(
                    *deadline <= expected && *deadline > expected / 2,
                    "{deadline:?}, expected {expected:?}: {error}"
                );
            }
            other => panic!("expected Error::TimedOut, got {other:?}"),
        }
        assert_eq!(error.kind(), "timed_out", "{error}");
        assert!(
            took + Duration::from_millis(50) >= expected && took < Duration::from_secs(5),
            "{took:?}"
        );
    };
    let bystander = Plugin::loader()
        .isolated(isolated())
        .load(c_plugin("greeter"))
        .unwrap();
    let bystander = bystander.instantiate("").unwrap();

    // No restart policy: the plugin stays down.
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(timeout))
        .load(c_fixture("hang_in_create"))
        .unwrap();
    timed_out(&plugin, timeout);
    let error = plugin.instantiate("").unwrap_err();
    assert_eq!(error.kind(), "crashed", "{error}");

    // A restart policy: the next instantiate gets a fresh child, which
    // serves; a deadline set around the call is the one that passes.
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(Duration::from_secs(60)).restart(
            tenon::isolation::Restart::AtMost {
                n: 1,
                window: Duration::from_secs(60),
            },
        ))
        .load(c_fixture("hang_in_create"))
        .unwrap();
    tenon::isolation::with_deadline(timeout, || timed_out(&plugin, timeout));
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("again").unwrap(), "Hello, again!");

    // Other plugins' processes were never touched.
    let greeter = bystander.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("Ada").unwrap(), "Hello, Ada!");
}

#[test]
fn a_plugin_calls_a_host_service_during_an_isolated_call() {
    let services = support::hostile::host_greeter();
    for path in [c_fixture("relay_c"), rust_plugin("relay-rust").unwrap()] {
        let plugin = Plugin::loader()
            .services(services.clone())
            .isolated(isolated())
            .load(path)
            .unwrap();
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        let answer = greeter.greet("Zoë").unwrap();
        assert!(answer.contains("host says hello to Zoë"), "{answer}");
    }
}

/// docs/isolation.md, "Host services from a plugin's own threads", and
/// plugin.h's `get_interface`: in process a plugin's own thread reaches the
/// host's service; isolated, that thread has no host call to travel on, and
/// its call fails with `TENON_UNSUPPORTED` (and a message) instead of
/// reaching the host, although the fixture starts the thread inside `greet`
/// and joins it there: a host call is in flight, waiting for it, the whole
/// time. It is the thread that counts, not the moment.
#[test]
fn a_host_service_from_a_plugins_own_thread_is_unsupported_isolated() {
    let services = support::hostile::host_greeter();
    let path = c_fixture("relay_from_own_thread");

    let local = Plugin::loader()
        .services(services.clone())
        .load(&path)
        .unwrap();
    let instance = local.instantiate("").unwrap();
    let answer = instance
        .interface::<dyn Greeter>()
        .unwrap()
        .greet("Zoë")
        .unwrap();
    assert_eq!(answer, "relayed from own thread: host says hello to Zoë");

    let remote = Plugin::loader()
        .services(services)
        .isolated(isolated())
        .load(&path)
        .unwrap();
    let instance = remote.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("Zoë").unwrap_err();
    assert_eq!(error.kind_name(), "unsupported", "{error}");
    assert!(!error.message().is_empty(), "{error:?}");
    // The instance and its process carry on.
    let error = greeter.greet("Ada").unwrap_err();
    assert_eq!(error.kind_name(), "unsupported", "{error}");
    assert!(remote.ping(Duration::from_secs(5)).is_ok());
}

#[test]
fn a_corrupt_or_aborting_file_is_a_typed_load_error() {
    let error = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("abort_in_initializer"))
        .unwrap_err();
    assert_eq!(error.kind(), "crashed", "{error}");
    let error = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("no_entry"))
        .unwrap_err();
    assert_eq!(error.kind(), "missing_entry", "{error}");
}

/// The pids of this process's children running `runner`.
#[cfg(target_os = "linux")]
fn runner_children() -> Vec<u32> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // pid (comm) state ppid ...
            let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
            let fields: Vec<&str> = after.split_whitespace().collect();
            fields.get(1) == Some(&me.as_str()) && stat.contains("(tenon-test-runn")
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn dropping_the_plugin_ends_its_process_and_leaves_no_zombie() {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_plugin("greeter"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    greeter.greet("Ada").unwrap();
    let before = runner_children();
    assert!(!before.is_empty());
    drop(greeter);
    drop(instance);
    drop(plugin);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left: Vec<u32> = runner_children()
            .into_iter()
            .filter(|pid| before.contains(pid))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running or unreaped: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_shared_isolated_instance_serves_several_threads_at_once() {
    let plugin = Plugin::loader()
        .isolated(isolated().slots(4))
        .load(rust_plugin("greeter-rust").unwrap())
        .unwrap();
    assert!(plugin.info().thread_safe());
    let instance = plugin.instantiate_shared("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    std::thread::scope(|scope| {
        for t in 0..6 {
            let greeter = &greeter;
            scope.spawn(move || {
                for i in 0..300 {
                    let name = format!("t{t}-{i}");
                    assert!(greeter.greet(&name).unwrap().contains(&name));
                }
            });
        }
    });
}

#[test]
fn every_example_plugin_of_every_language_works_isolated() {
    use tenon_example_interfaces::Processor;
    for example in tenon_test_plugins::all_examples() {
        let label = example.label();
        let plugin = Plugin::loader()
            .isolated(isolated())
            .load(&example.path)
            .unwrap_or_else(|e| panic!("{label} {}: {e}", example.name));
        assert_eq!(plugin.name(), example.name, "{label}");
        let instance = plugin.instantiate("").unwrap();
        match example.interface {
            "org.tenon.example.greeter" => {
                let greeter = instance.interface::<dyn Greeter>().unwrap();
                let greeting = greeter.greet("Zoë").unwrap();
                assert!(greeting.contains("Zoë"), "{label}: {greeting}");
            }
            "org.tenon.example.kv" => {
                let kv = instance.interface::<dyn Kv>().unwrap();
                kv.put("k", b"value").unwrap();
                assert_eq!(kv.get("k").unwrap(), b"value", "{label}");
                assert_eq!(kv.len().unwrap(), 1, "{label}");
                kv.remove("k").unwrap();
                assert_eq!(kv.get("k").unwrap_err().kind_name(), "not_found");
            }
            "org.tenon.example.processor" => {
                let processor = instance.interface::<dyn Processor>().unwrap();
                assert!(!processor.name().unwrap().is_empty(), "{label}");
                let input = vec![1u8; 100_000];
                let local = Plugin::load(&example.path).unwrap();
                let local = local.instantiate("").unwrap();
                let local = local.interface::<dyn Processor>().unwrap();
                assert_eq!(
                    processor.process(&input).unwrap(),
                    local.process(&input).unwrap(),
                    "{label}"
                );
            }
            other => panic!("{label}: unknown interface {other}"),
        }
    }
}

/// Linux's `RLIMIT_AS`; Wine does not enforce a job's memory limit, so
/// asking for one there is refused (`tests/isolation/windows.rs`).
#[cfg(target_os = "linux")]
#[test]
fn a_plugin_under_a_memory_limit_still_serves_and_is_capped() {
    let plugin = Plugin::loader()
        .isolated(isolated().memory_limit(256 << 20))
        .load(rust_plugin("kv-rust").unwrap())
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();
    kv.put("k", b"v").unwrap();
    assert_eq!(kv.get("k").unwrap(), b"v");
    // 1 MiB values until the cap: the process cannot hold 512 of them.
    let value = vec![1u8; 1 << 20];
    let mut failed = None;
    for i in 0..512 {
        if let Err(error) = kv.put(&format!("v{i}"), &value) {
            failed = Some(error);
            break;
        }
    }
    let error = failed.expect("the memory limit stops the plugin");
    assert!(
        ["crashed", "out_of_memory", "panic"].contains(&error.kind_name()),
        "{error}"
    );
}

#[test]
fn an_output_buffer_an_isolated_plugin_abuses_is_refused_as_in_process() {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("buffer_abuse"))
        .unwrap();
    support::hostile::check_buffer_abuse(&plugin, true);
}

#[test]
fn an_isolated_plugin_lends_the_host_service_buffers_of_its_own() {
    let plugin = Plugin::loader()
        .services(support::hostile::host_greeter())
        .isolated(isolated())
        .load(c_fixture("relay_own_buffer"))
        .unwrap();
    support::hostile::check_relay_own_buffer(&plugin);
}

#[test]
fn host_services_an_isolated_plugin_calls_with_forbidden_arguments_refuse_them() {
    let plugin = Plugin::loader()
        .services(support::hostile::host_greeter())
        .isolated(isolated())
        .load(c_fixture("host_service_abuse"))
        .unwrap();
    support::hostile::check_host_service_abuse(&plugin);
}

#[test]
fn an_isolated_create_that_breaks_its_rules_is_create_failed_or_a_working_instance() {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("create_abuse"))
        .unwrap();
    support::hostile::check_create_abuse(&plugin, true);
}

#[test]
fn a_plugin_at_every_metadata_limit_loads_isolated_as_in_process() {
    // 4096 interfaces with ids of 255 bytes: the handshake that carries
    // them to the host is larger than 1 MiB.
    let path = c_fixture("interface_count_at_limit");
    let local = Plugin::load(&path).unwrap();
    let remote = Plugin::loader().isolated(isolated()).load(&path).unwrap();
    let interfaces = &remote.info().interfaces;
    assert_eq!(interfaces.len(), 4096);
    assert!(interfaces.iter().all(|offered| offered.id.len() == 255));
    assert_eq!(interfaces.last().unwrap().id.get(251..), Some("xfff"));
    assert_eq!(*interfaces, local.info().interfaces);
    assert!(remote.ping(Duration::from_secs(5)).is_ok());
}

#[test]
fn an_isolated_plugin_that_is_not_thread_safe_is_not_reentered_through_a_host_service() {
    let plugin = Plugin::loader()
        .services(support::hostile::calls_back())
        .isolated(isolated())
        .load(c_fixture("relay_c"))
        .unwrap();
    support::hostile::check_reentry_refused(&plugin);
}

/// The default slot's bounds, as isolation.md gives them: a result of
/// 3/8 of 4 MiB less the 64 KiB kept for the error message comes back, one
/// byte more fails as `out_of_memory`, saying so; arguments of 3/8 of 4 MiB with
/// their framing are carried (`put("", value)`: 8 bytes, 16 for the empty
/// key, 16 + the value's length rounded up to 8), one byte more is refused
/// with `invalid_argument` naming `slot_size`. The plugin carries on.
#[test]
fn the_default_slot_carries_what_isolation_md_says() {
    const RESULT_MAX: usize = (3 << 20) / 2 - (64 << 10);
    const VALUE_MAX: usize = (3 << 20) / 2 - 8 - 16 - 16;
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(rust_plugin("kv-rust").unwrap())
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();
    kv.put("fits", &vec![7u8; RESULT_MAX]).unwrap();
    assert_eq!(kv.get("fits").unwrap().len(), RESULT_MAX);
    kv.put("over", &vec![7u8; RESULT_MAX + 1]).unwrap();
    let error = kv.get("over").unwrap_err();
    assert_eq!(error.kind_name(), "out_of_memory", "{error}");
    // The plugin's own words, then why: the slot.
    assert!(
        error.message().contains(&format!(
            "the result needed at least {} bytes, more than the {RESULT_MAX} bytes a slot carries",
            RESULT_MAX + 1
        )) && error.message().contains("slot_size"),
        "{error}"
    );
    kv.put("", &vec![1u8; VALUE_MAX]).unwrap();
    let error = kv.put("", &vec![1u8; VALUE_MAX + 1]).unwrap_err();
    assert_eq!(error.kind_name(), "invalid_argument", "{error}");
    assert!(error.message().contains("slot_size"), "{error}");
    assert_eq!(kv.len().unwrap(), 3);
}

/// A memory limit the shared memory alone exceeds is refused before a
/// child is started, naming the limit and the slots; one that only the
/// child's own start-up exceeds fails the load, never the host.
#[cfg(target_os = "linux")]
#[test]
fn a_memory_limit_below_the_shared_memory_is_refused_by_name() {
    let path = rust_plugin("kv-rust").unwrap();
    let error = Plugin::loader()
        .isolated(isolated().memory_limit(16 << 20))
        .load(&path)
        .unwrap_err();
    assert_eq!(error.kind(), "isolation_failed", "{error}");
    let message = error.to_string();
    assert!(
        message.contains("memory_limit") && message.contains("slot_size"),
        "{message}"
    );
    let error = Plugin::loader()
        .isolated(isolated().memory_limit(34 << 20))
        .load(&path)
        .unwrap_err();
    assert!(
        ["crashed", "not_a_library"].contains(&error.kind()),
        "{error}"
    );
    if error.kind() == "not_a_library" {
        assert!(error.to_string().contains("memory_limit"), "{error}");
    }
}

/// A child that loads the plugin but cannot start its slot threads under
/// the memory limit dies while loading: the error names the limit, which
/// its last words (only what the child wrote) cannot.
#[cfg(target_os = "linux")]
#[test]
fn a_child_that_dies_starting_under_a_memory_limit_is_crashed_naming_the_limit() {
    // 64 slots of 256 KiB: 16 MiB of shared memory, but 128 MiB of slot
    // thread stacks, which a 48 MiB limit cannot hold; the program and the
    // plugin fit with room to spare (64 MiB holds them and the default
    // 32 MiB of slots with 8 stacks).
    let limit = 48 << 20;
    let error = Plugin::loader()
        .isolated(
            isolated()
                .slots(64)
                .slot_size(256 << 10)
                .memory_limit(limit),
        )
        .load(c_plugin("greeter"))
        .unwrap_err();
    match &error {
        tenon::Error::Crashed {
            memory_limit,
            last_words,
            site,
            ..
        } => {
            assert_eq!(*memory_limit, Some(limit), "{error}");
            assert!(last_words.contains("slot thread"), "{error}");
            assert_eq!(*site, tenon::CrashSite::Loading, "{error}");
        }
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&format!("memory limit of {limit} bytes")),
        "{message}"
    );
    assert!(message.contains("while loading the plugin"), "{message}");
}

/// docs/isolation.md, "How the child is found": this test binary (libtest's
/// `main`) never calls `tenon::isolation::init()`, so isolating without a
/// runner is refused before anything is spawned, with a message that says
/// what to do.
#[test]
fn isolation_without_init_or_a_runner_is_refused_by_name() {
    let error = Plugin::loader()
        .isolated(Isolation::new())
        .load(c_plugin("greeter"))
        .unwrap_err();
    assert_eq!(error.kind(), "isolation_unsupported", "{error}");
    let message = error.to_string();
    assert!(message.contains("tenon::isolation::init()"), "{message}");
    assert!(message.contains("Isolation::runner"), "{message}");
}

/// docs/isolation.md, the fault model, and `Fault::Crashed::last_words`:
/// the last six lines the process wrote on stderr, oldest first, joined
/// with " | ", in the fault and in the `crashed` error's message.
#[cfg(target_os = "linux")]
#[test]
fn a_crashs_last_words_are_its_last_six_stderr_lines_joined() {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("fault_last_words"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("crash").unwrap_err();
    let expected = (3..=8)
        .map(|line| format!("fixture-last-words: line {line}"))
        .collect::<Vec<_>>()
        .join(" | ");
    match error.fault() {
        Some(Fault::Crashed {
            signal,
            last_words,
            memory_limit,
            ..
        }) => {
            assert_eq!(*signal, Some(6), "{error}");
            assert_eq!(last_words, &expected, "{error}");
            assert_eq!(*memory_limit, None, "no limit was set: {error}");
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    assert!(error.to_string().contains(&expected), "{error}");
    assert!(!error.to_string().contains("memory limit"), "{error}");
}

/// docs/isolation.md, the fault model: a process that runs out of its
/// `memory_limit` during a call dies as any crash does (`SIGABRT` from its
/// allocator, or `SIGKILL`), so the fault names the limit it ran under, in
/// its `memory_limit` and in the message a C host reads too.
#[cfg(target_os = "linux")]
#[test]
fn a_call_that_dies_under_a_memory_limit_names_the_limit() {
    let limit = 256 << 20;
    let plugin = Plugin::loader()
        .isolated(isolated().memory_limit(limit))
        .load(c_fixture("fault_allocation"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    let error = greeter.greet("crash").unwrap_err();
    assert_eq!(error.kind_name(), "crashed", "{error}");
    match error.fault() {
        Some(Fault::Crashed {
            signal,
            memory_limit,
            ..
        }) => {
            assert!(matches!(signal, Some(6 | 9)), "{error}");
            assert_eq!(*memory_limit, Some(limit), "{error}");
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&format!("under a memory limit of {limit} bytes")),
        "{message}"
    );
}

/// docs/isolation.md, "Memory": a process that dies under its
/// `memory_limit` outside a call, in `create` (`instantiate`) or found dead
/// by a health check (`ping`), is `Error::Crashed` naming the limit it ran
/// under, as a death while loading is, and saying where it died
/// (`Error::Crashed::site`), not that it was loading.
#[cfg(target_os = "linux")]
#[test]
fn a_create_or_ping_that_finds_the_child_dead_under_a_memory_limit_names_the_limit() {
    use tenon::CrashSite;
    let limit = 256 << 20;
    let expect_limit = |what: &str, error: &tenon::Error, expected: CrashSite, phrase: &str| {
        match error {
            tenon::Error::Crashed {
                memory_limit, site, ..
            } => {
                assert_eq!(*memory_limit, Some(limit), "{what}: {error}");
                assert_eq!(*site, expected, "{what}: {error}");
            }
            other => panic!("{what}: expected Error::Crashed, got {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.contains(&format!("ran under a memory limit of {limit} bytes")),
            "{what}: {message}"
        );
        assert!(message.contains(phrase), "{what}: {message}");
        assert!(!message.contains("loading"), "{what}: {message}");
    };
    let found_dead = "was found dead: no restart policy started a new one";

    // create allocates past the limit: the child dies during instantiate.
    let plugin = Plugin::loader()
        .isolated(isolated().memory_limit(limit))
        .load(c_fixture("fault_allocation"))
        .unwrap();
    let error = plugin.instantiate("allocate").unwrap_err();
    expect_limit(
        "instantiate",
        &error,
        CrashSite::Create,
        "in the plugin's create (instantiate)",
    );
    // The process stays dead (no restart policy): a health check and a
    // further create find it so, and name the limit too.
    expect_limit(
        "ping",
        &plugin.ping(Duration::from_secs(5)).unwrap_err(),
        CrashSite::FoundDead,
        found_dead,
    );
    expect_limit(
        "instantiate again",
        &plugin.instantiate("").unwrap_err(),
        CrashSite::FoundDead,
        found_dead,
    );

    // A call ran the child out of memory; the next health check finds it
    // dead.
    let plugin = Plugin::loader()
        .isolated(isolated().memory_limit(limit))
        .load(c_fixture("fault_allocation"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("crash").unwrap_err().kind_name(), "crashed");
    expect_limit(
        "ping after a call",
        &plugin.ping(Duration::from_secs(5)).unwrap_err(),
        CrashSite::FoundDead,
        found_dead,
    );

    // Without a limit, the same death names none.
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_fixture("crash_in_greet"))
        .unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(
        greeter.greet(&"x".repeat(8192)).unwrap_err().kind_name(),
        "crashed"
    );
    match plugin.ping(Duration::from_secs(5)).unwrap_err() {
        tenon::Error::Crashed { memory_limit, .. } => assert_eq!(memory_limit, None),
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
}

/// docs/isolation.md, "Memory": under `memory_limit` the child keeps one
/// malloc arena, so that the 64 MiB glibc would reserve per allocating
/// slot thread does not fill the limit. Before, with eight calls at once,
/// a plugin's `pthread_create` failed under 256 to 512 MiB (and not under
/// 128 MiB, too small for a second arena). Each call here starts a thread;
/// the thread's host call is refused as isolated ones are, which shows
/// that it ran.
#[cfg(target_os = "linux")]
#[test]
fn a_plugin_starts_threads_under_a_memory_limit_with_calls_on_every_slot() {
    for mib in [256u64, 384, 512] {
        let plugin = Plugin::loader()
            .services(support::hostile::host_greeter())
            .isolated(isolated().memory_limit(mib << 20))
            .load(c_fixture("relay_from_own_thread"))
            .unwrap_or_else(|error| panic!("{mib} MiB: {error}"));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let instance = plugin.instantiate("").unwrap();
                    let greeter = instance.interface::<dyn Greeter>().unwrap();
                    for _ in 0..20 {
                        let error = greeter.greet("x").unwrap_err();
                        assert_eq!(
                            error.kind_name(),
                            "unsupported",
                            "{mib} MiB: the plugin's thread must start: {error}"
                        );
                    }
                });
            }
        });
    }
}

/// docs/isolation.md, "How the child is found": a runner named by a bare
/// file name is the program of that name beside the host's executable (not
/// one in `PATH` or the current directory); a path with a directory is
/// used as given, a relative one against the current directory; a runner
/// that does not exist is an `isolation_failed` naming the path tried.
#[cfg(target_os = "linux")]
#[test]
fn a_runner_named_by_its_file_name_alone_is_found_beside_the_host() {
    let runner = isolation_runner().expect("the test runner builds");
    let exe = std::env::current_exe().unwrap();
    let name = format!("tenon-runner-beside-{}", std::process::id());
    let beside = exe.with_file_name(&name);
    /// Removes the link also when an assertion fails.
    struct Remove(std::path::PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    std::os::unix::fs::symlink(&runner, &beside).unwrap();
    let _remove = Remove(beside);
    let plugin = Plugin::loader()
        .isolated(Isolation::new().runner(&name))
        .load(c_plugin("greeter"))
        .unwrap_or_else(|error| panic!("{error}"));
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("beside").unwrap(), "Hello, beside!");

    let missing = format!("tenon-no-such-runner-{}", std::process::id());
    for (named, tried) in [
        (missing.clone(), exe.with_file_name(&missing)),
        (format!("./{missing}"), format!("./{missing}").into()),
    ] {
        let error = Plugin::loader()
            .isolated(Isolation::new().runner(&named))
            .load(c_plugin("greeter"))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(error.kind(), "isolation_failed", "{named}: {error}");
        let message = error.to_string();
        assert!(
            message.contains(&format!("cannot start {}:", tried.display())),
            "{named}: {message}"
        );
    }
}
