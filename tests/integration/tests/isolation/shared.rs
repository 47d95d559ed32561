//! The isolation tests Unix and Windows share: the same fixtures and the
//! same checks, each platform saying how a crash shows there
//! ([`crate::crash`]) and adding what it checks more (`unix.rs`: the
//! plugins' processes; `windows.rs`: a run of quick calls).

use crate::crash::{assert_crashed, Crash, SEGFAULT};
use crate::{isolated, load_isolated};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenon::isolation::{Isolation, Restart};
use tenon::{CallError, CallResult, HostServices, Plugin};
use tenon_example_interfaces::Greeter;
use tenon_interface::Fault;
use tenon_test_plugins::{c_fixture, c_plugin};

pub fn greeter_of(instance: &tenon::Instance) -> tenon::Handle<'_, dyn Greeter> {
    instance
        .interface::<dyn Greeter>()
        .unwrap_or_else(|error| panic!("interface: {error} [{}]", error.kind()))
}

/// A restart policy that restarts at once.
pub fn always_restart() -> Restart {
    Restart::Always {
        backoff: Duration::from_millis(10),
    }
}

/// The C greeter, isolated, greets (a non-ASCII and a 1 MiB name too) and
/// answers a ping; then `meanwhile` runs with its greeter (what the
/// platform checks more), and unloading it ends its process.
pub fn healthy(meanwhile: impl FnOnce(&tenon::Handle<'_, dyn Greeter>)) {
    let plugin = Plugin::loader()
        .isolated(isolated())
        .load(c_plugin("greeter"))
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    assert_eq!(plugin.info().name, "greeter-c");
    let instance = plugin.instantiate("").expect("instantiate");
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    assert_eq!(greeter.greet("Zoë 👋").unwrap(), "Hello, Zoë 👋!");
    let big = "x".repeat(1 << 20);
    assert_eq!(greeter.greet(&big).unwrap().len(), big.len() + 8);
    plugin
        .ping(Duration::from_secs(1))
        .unwrap_or_else(|error| panic!("ping: {error} [{}]", error.kind()));
    meanwhile(&greeter);
    drop(greeter);
    drop(instance);
    // Unloading the last handle ends the child.
    let outcome = plugin.unload();
    assert_eq!(outcome.name(), "process_ended", "{outcome}");
    assert!(outcome.is_unloaded());
}

/// Arguments larger than half a slot are refused before anything is sent,
/// with `invalid_argument`, and the plugin carries on; the smallest slot
/// carries a small call; a larger slot carries them.
pub fn oversized_arguments() {
    let plugin = load_isolated("fault_segfault", isolated().slot_size(1 << 20));
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    let big = "x".repeat(1 << 20);
    let error = greeter.greet(&big).expect_err("1 MiB in a 1 MiB slot");
    assert_eq!(error.kind_name(), "invalid_argument", "{error}");
    assert!(error.message().contains("slot_size"), "{error}");
    assert_eq!(greeter.greet("after").unwrap(), "Hello, after!");
    // The smallest slot (64 KiB asked: clamped) still carries a call and
    // a ping; with 64 KiB the reply had no room and the child never answered.
    let small = load_isolated("fault_segfault", isolated().slot_size(64 << 10));
    small
        .ping(Duration::from_secs(5))
        .expect("ping, smallest slots");
    let instance = small.instantiate("").expect("instantiate, smallest slots");
    assert_eq!(
        greeter_of(&instance).greet("small").unwrap(),
        "Hello, small!"
    );
    drop(instance);
    let roomy = load_isolated("fault_segfault", isolated().slot_size(4 << 20));
    let instance = roomy.instantiate("").unwrap();
    assert_eq!(
        greeter_of(&instance).greet(&big).unwrap().len(),
        big.len() + 8
    );
}

/// How the fault fixtures fail on a platform, for [`each_fault`].
pub struct Faults<'a> {
    /// Each fault fixture, and how its crash shows.
    pub cases: &'a [(&'static str, Crash)],
    /// The fixtures whose process this system may not end: their call may
    /// outlive its deadline instead, as `timed_out`.
    pub may_hang: &'a [&'static str],
    /// What each fixture is loaded with (a restart policy is added).
    pub isolation: fn() -> Isolation,
    /// How soon a crash must be noticed.
    pub noticed_within: Duration,
    /// What the platform checks more of a crash, given the fixture, the
    /// error and its last words.
    pub more_checks: fn(&str, &CallError, &str),
}

/// Each fault fixture greets, then crashes as `faults` says, at once; what
/// it wrote last reaches the error; the instance is lost, the next one
/// works on a fresh child (a restart policy), and the host carries on.
pub fn each_fault(faults: &Faults) {
    for &(stem, crash) in faults.cases {
        let plugin = load_isolated(stem, (faults.isolation)().restart(always_restart()));
        let instance = plugin.instantiate("").expect("instantiate");
        let greeter = greeter_of(&instance);
        assert_eq!(greeter.greet("world").unwrap(), "Hello, world!", "{stem}");
        let started = Instant::now();
        let error = greeter.greet("crash").expect_err(stem);
        if faults.may_hang.contains(&stem) && error.kind_name() == "timed_out" {
            println!("{stem}: {error} (this system did not end the process)");
            let fresh = plugin.instantiate("").unwrap();
            assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
            continue;
        }
        let last_words = assert_crashed(stem, &error, crash);
        assert!(
            started.elapsed() < faults.noticed_within,
            "{stem}: the crash was noticed after {:?}, not at once",
            started.elapsed()
        );
        println!("{stem}: {error} (last words {last_words:?})");
        (faults.more_checks)(stem, &error, &last_words);
        if stem == "fault_abort" {
            assert!(
                last_words.contains("an invariant does not hold"),
                "{stem}: what the plugin wrote last reaches the error: {last_words:?}"
            );
        }
        // With a restart policy, the next instance works, on a fresh child;
        // the lost one's message says to make one, not to load again.
        let lost = greeter.greet("world").unwrap_err();
        assert_eq!(lost.kind_name(), "instance_lost", "{stem}");
        assert_eq!(lost.fault(), Some(&Fault::InstanceLost), "{stem}");
        assert!(
            lost.message().contains(
                "a new process the restart policy starts does not have it: create a new instance"
            ) && !lost.message().contains("no restart policy"),
            "{stem}: {lost}"
        );
        let fresh = plugin
            .instantiate("")
            .unwrap_or_else(|error| panic!("{stem}: after a restart: {error}"));
        assert_eq!(
            greeter_of(&fresh).greet("again").unwrap(),
            "Hello, again!",
            "{stem}"
        );
        // The host carries on: another plugin loads and works.
        let fine = Plugin::load(c_plugin("greeter")).expect("the host still loads plugins");
        let greeting = greeter_of(&fine.instantiate("").unwrap())
            .greet("after")
            .unwrap();
        assert_eq!(greeting, "Hello, after!");
    }
}

/// When one instance crashes its child, every instance of that child is
/// lost; without a restart policy the plugin stays down, and the lost
/// instance's message says so and what gives a new process. A later
/// `instantiate` finds the process dead, and says that too.
pub fn instances_lost() {
    let plugin = load_isolated("fault_segfault", isolated());
    let first = plugin.instantiate("").unwrap();
    let second = plugin.instantiate("").unwrap();
    let (a, b) = (greeter_of(&first), greeter_of(&second));
    assert_eq!(b.greet("b").unwrap(), "Hello, b!");
    assert_crashed("greet", &a.greet("crash").unwrap_err(), SEGFAULT);
    for (which, greeter) in [("the crashed instance", &a), ("its sibling", &b)] {
        let error = greeter.greet("world").expect_err(which);
        assert_eq!(error.kind_name(), "instance_lost", "{which}: {error}");
        assert!(
            matches!(error.fault(), Some(Fault::InstanceLost)),
            "{which}: {:?}",
            error.fault()
        );
        let message = error.message();
        assert!(
            message.contains("no restart policy is set, so the plugin stays dead")
                && message.contains("load it again")
                && message.contains("Isolation::restart")
                && !message.contains("create a new instance"),
            "{which}: {message}"
        );
    }
    let error = plugin.instantiate("").unwrap_err();
    match &error {
        tenon::Error::Crashed { site, .. } => {
            assert_eq!(*site, tenon::CrashSite::FoundDead, "{error}")
        }
        other => panic!("expected Error::Crashed, got {other:?}"),
    }
    assert!(error.to_string().contains("was found dead"), "{error}");
}

/// The host's greeter: slow for "crash during", so the plugin's process
/// dies while this callback is in flight.
struct SlowHostGreeter {
    calls: Arc<AtomicUsize>,
}

impl Greeter for SlowHostGreeter {
    fn greet(&self, name: &str) -> CallResult<String> {
        if name == "crash during" {
            std::thread::sleep(Duration::from_millis(300));
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(format!("host greets {name}"))
    }
}

/// A plugin that crashes right after, or during, a call back into its host
/// crashes the call; the host's callback runs to its end either way.
pub fn host_callback() {
    let calls = Arc::new(AtomicUsize::new(0));
    let services = HostServices::new().offer::<dyn Greeter, _>(SlowHostGreeter {
        calls: Arc::clone(&calls),
    });
    let plugin = Plugin::loader()
        .services(services)
        .isolated(isolated().restart(always_restart()))
        .load(c_fixture("crash_in_host_callback"))
        .unwrap_or_else(|error| panic!("{error} [{}]", error.kind()));
    for trigger in ["crash after", "crash during"] {
        let instance = plugin.instantiate("").unwrap();
        let greeter = greeter_of(&instance);
        assert_eq!(
            greeter.greet("world").unwrap(),
            "relayed: host greets world",
            "the callback works across the boundary"
        );
        let before = calls.load(Ordering::SeqCst);
        let error = greeter.greet(trigger).expect_err(trigger);
        assert_crashed(trigger, &error, SEGFAULT);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            before + 1,
            "{trigger}: the host callback ran to its end"
        );
    }
    let instance = plugin.instantiate("").unwrap();
    assert_eq!(
        greeter_of(&instance).greet("still").unwrap(),
        "relayed: host greets still"
    );
}

/// Greets "crash" through `greeter`, of the endless-loop fixture loaded
/// with a `deadline`: the call times out at it.
pub fn assert_times_out(greeter: &tenon::Handle<'_, dyn Greeter>, deadline: Duration) {
    let started = Instant::now();
    let error = greeter.greet("crash").expect_err("an endless loop");
    let took = started.elapsed();
    assert_eq!(error.kind_name(), "timed_out", "{error}");
    assert!(
        matches!(error.fault(), Some(Fault::TimedOut { deadline: d }) if *d == deadline),
        "{:?}",
        error.fault()
    );
    assert!(
        took >= deadline && took < deadline + Duration::from_secs(1),
        "timed out after {took:?} for a deadline of {deadline:?}"
    );
}

/// With a restart policy, an endless loop times out at its `deadline`,
/// the next call on its instance is `instance_lost`, and the hung process
/// having been ended, the next instance works on a fresh one.
pub fn endless_loop_restarted(deadline: Duration) {
    let plugin = load_isolated(
        "fault_endless_loop",
        isolated().call_timeout(deadline).restart(always_restart()),
    );
    let instance = plugin.instantiate("").unwrap();
    let greeter = greeter_of(&instance);
    assert_eq!(greeter.greet("world").unwrap(), "Hello, world!");
    assert_times_out(&greeter, deadline);
    // At once, before the killed child is reaped: the instance died with
    // it, so the next call is `instance_lost` (it was `crashed`, "killed
    // by the host after another call outlived its deadline").
    let error = greeter
        .greet("after")
        .expect_err("an instance of a killed child");
    assert_eq!(error.kind_name(), "instance_lost", "{error}");
    let fresh = plugin.instantiate("").unwrap();
    assert_eq!(greeter_of(&fresh).greet("again").unwrap(), "Hello, again!");
}

/// Initializers that abort, exit or hang are typed load errors, each in
/// well under `within`, given `start_timeout` to start.
pub fn initializers(start_timeout: Duration, within: Duration) {
    for (stem, kinds) in [
        ("abort_in_initializer", &["crashed"][..]),
        ("exit_in_initializer", &["crashed"][..]),
        ("hang_in_initializer", &["timed_out"][..]),
    ] {
        let started = Instant::now();
        let error = Plugin::loader()
            .isolated(isolated().start_timeout(start_timeout))
            .load(c_fixture(stem))
            .expect_err(stem);
        println!("{stem}: {error} [{}]", error.kind());
        assert!(
            kinds.contains(&error.kind()),
            "{stem}: {error} [{}]",
            error.kind()
        );
        if let tenon::Error::Crashed { site, .. } = &error {
            assert_eq!(*site, tenon::CrashSite::Loading, "{stem}: {error}");
            assert!(
                error.to_string().contains("while loading the plugin"),
                "{stem}: {error}"
            );
        }
        assert!(started.elapsed() < within, "{stem}");
    }
}

/// The environment variable that makes this executable play a host that
/// the test kills (see [`start_hanging_host`]).
const ROLE: &str = "TENON_ISOLATION_TEST_ROLE";

/// When this executable was started to play a role, plays it.
pub fn role() -> Option<ExitCode> {
    match std::env::var(ROLE).ok()?.as_str() {
        "hanging-host" => Some(hanging_host()),
        other => panic!("unknown role {other:?}"),
    }
}

/// The role a child of [`start_hanging_host`] plays: a host that loads the
/// endless-loop fixture isolated, says `ready <pid>` on stdout, and then
/// hangs in a call with a deadline far away, until it is killed.
fn hanging_host() -> ExitCode {
    let plugin = Plugin::loader()
        .isolated(isolated().call_timeout(Duration::from_secs(600)))
        .load(c_fixture("fault_endless_loop"))
        .expect("load");
    let instance = plugin.instantiate("").expect("instantiate");
    let greeter = greeter_of(&instance);
    greeter.greet("warm").expect("a first call");
    println!("ready {}", std::process::id());
    let _ = greeter.greet("crash");
    println!("the call returned: it should have hung");
    ExitCode::FAILURE
}

/// Starts this executable as a host whose isolated plugin spins in a call,
/// for a test to kill; returns once the host is inside that call.
pub fn start_hanging_host() -> Child {
    let mut host = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "hanging-host")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the host");
    let mut line = String::new();
    BufReader::new(host.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ready"), "the host said {line:?}");
    // The host is now inside a call the child spins in.
    std::thread::sleep(Duration::from_millis(100));
    host
}
