//! The interfaces this command knows, and how it probes them.
//!
//! `tenon check` can only call methods whose signatures it knows: those of
//! the example interfaces (`tenon-example-interfaces`) and of Tenon's own
//! state interface (`org.tenon.state`, whose probe is the round trip in
//! `check/steps.rs`). For each it has a
//! sequential probe (every method, its edge cases and its documented error
//! statuses), a quick call (for load/unload cycles) and a probe that many
//! threads run at once on one shared instance.

use crate::check::Problem;
use crate::supervisor::child::enter as calling;
use tenon::{CallError, Client, Instance, Interface, Plugin, SharedInstance, State, Status};
use tenon_example_interfaces::{Greeter, Kv, Processor};

/// An interface known to this command.
pub struct Known {
    /// Its id.
    pub id: &'static str,
    /// The version known here.
    pub version: u32,
    /// A short name (`greeter`).
    pub short: &'static str,
    /// Its methods, in vtable order.
    pub methods: &'static [tenon_interface::Method],
    /// Checks the plugin's vtable: version, size and every slot.
    pub require: fn(&Plugin) -> Result<(), tenon::Error>,
    /// Calls every method, edge cases included; details on success.
    pub probe: fn(&Instance) -> Result<Vec<String>, Problem>,
    /// One cheap call.
    pub quick: fn(&Instance) -> Result<(), Problem>,
    /// The probe one of several threads runs on a shared instance
    /// (`thread` numbers the thread, `rounds` how often it repeats); `None`
    /// for an interface whose calls must not overlap other calls on the
    /// instance (`org.tenon.state`).
    pub concurrent: Option<Concurrent>,
}

/// A probe run by one of several threads on a shared instance.
pub type Concurrent = fn(&SharedInstance, usize, usize) -> Result<(), Problem>;

/// Every interface known here.
pub const KNOWN: &[Known] = &[
    known::<dyn Greeter>("greeter", probe_greeter, quick_greeter, concurrent_greeter),
    known::<dyn Kv>("kv", probe_kv, quick_kv, concurrent_kv),
    known::<dyn Processor>(
        "processor",
        probe_processor,
        quick_processor,
        concurrent_processor,
    ),
    Known {
        concurrent: None,
        ..known::<dyn State>("state", probe_state, quick_state, concurrent_greeter)
    },
];

const fn known<I: ?Sized + Interface>(
    short: &'static str,
    probe: fn(&Instance) -> Result<Vec<String>, Problem>,
    quick: fn(&Instance) -> Result<(), Problem>,
    concurrent: Concurrent,
) -> Known {
    Known {
        id: I::ID,
        version: I::VERSION,
        short,
        methods: I::METHODS,
        require: Plugin::require::<I>,
        probe,
        quick,
        concurrent: Some(concurrent),
    }
}

/// The known interface with this id, at any version.
pub fn by_id(id: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|known| known.id == id)
}

/// Announces `what` to the supervisor, makes the call, and describes a
/// failure with its kind.
fn call<T>(what: &str, f: impl FnOnce() -> Result<T, CallError>) -> Result<T, Problem> {
    calling(what);
    f().map_err(|e| failed(what, e))
}

/// `greet("world") failed: <error>`, with the call error's kind.
fn failed(call: &str, error: CallError) -> Problem {
    Problem::call(call, &error)
}

/// Checks that `result` is an error with status `expected`.
fn expect_status<T: std::fmt::Debug>(
    call: &str,
    result: Result<T, CallError>,
    expected: Status,
) -> Result<(), Problem> {
    match result {
        Err(error) if error.status() == expected => Ok(()),
        Err(error) => Err(Problem {
            message: format!("{call} must fail with {expected}, but failed with {error}"),
            ..Problem::call(call, &error)
        }),
        Ok(value) => Err(Problem::new(format!(
            "{call} must fail with {expected}, but succeeded with {value:?}"
        ))),
    }
}

// ---------------------------------------------------------------------------
// greeter
// ---------------------------------------------------------------------------

fn greeter_calls(greeter: &Client<dyn Greeter>) -> Result<Vec<String>, Problem> {
    let mut details = Vec::new();
    let greeting = call("greet(\"world\")", || greeter.greet("world"))?;
    if greeting.is_empty() {
        return Err("greet(\"world\") returned an empty greeting".into());
    }
    details.push(format!("greet(\"world\") = {greeting:?}"));
    call("greet(\"\") (an empty name is valid)", || greeter.greet(""))?;
    details.push("greet(\"\") succeeds".to_owned());
    let unicode = call("greet(\"wörld ✓\")", || greeter.greet("wörld ✓"))?;
    details.push(format!("greet(\"wörld ✓\") = {unicode:?}"));
    let long_name = "n".repeat(64 * 1024);
    call("greet(<a 64 KiB name>)", || greeter.greet(&long_name))?;
    details.push("greet(<a 64 KiB name>) succeeds".to_owned());
    Ok(details)
}

fn probe_greeter(instance: &Instance) -> Result<Vec<String>, Problem> {
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|e| Problem::from(&e))?;
    greeter_calls(&greeter)
}

fn quick_greeter(instance: &Instance) -> Result<(), Problem> {
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|e| Problem::from(&e))?;
    greeter
        .greet("reload")
        .map(drop)
        .map_err(|e| failed("greet(\"reload\")", e))
}

fn concurrent_greeter(
    instance: &SharedInstance,
    thread: usize,
    rounds: usize,
) -> Result<(), Problem> {
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|e| Problem::from(&e))?;
    let name = format!("thread {thread}");
    let first = greeter.greet(&name).map_err(|e| failed("greet", e))?;
    for _ in 1..rounds {
        let again = greeter.greet(&name).map_err(|e| failed("greet", e))?;
        if again != first {
            return Err(format!(
                "greet({name:?}) returned {first:?} and then {again:?} under concurrent calls"
            )
            .into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// kv
// ---------------------------------------------------------------------------

const KV_PREFIX: &str = "tenon-check/";

fn kv_calls(kv: &Client<dyn Kv>) -> Result<Vec<String>, Problem> {
    let mut details = Vec::new();
    let before = call("len()", || kv.len())?;
    details.push(format!("len() = {before} on a new instance"));
    let missing = format!("{KV_PREFIX}never-stored");
    let what = format!("get({missing:?})");
    calling(&what);
    expect_status(&what, kv.get(&missing), Status::NOT_FOUND)?;
    let what = format!("remove({missing:?})");
    calling(&what);
    expect_status(&what, kv.remove(&missing), Status::NOT_FOUND)?;
    details.push("get and remove of a missing key fail with not_found".to_owned());

    let values: [(String, &[u8]); 3] = [
        (format!("{KV_PREFIX}text"), b"one"),
        (format!("{KV_PREFIX}binary"), &[0, 255, 0, 10, 13]),
        (format!("{KV_PREFIX}empty ключ"), b""),
    ];
    for (key, value) in &values {
        call(&format!("put({key:?}, {value:?})"), || kv.put(key, value))?;
    }
    for (key, value) in &values {
        let got = call(&format!("get({key:?}) after put"), || kv.get(key))?;
        if got != *value {
            return Err(format!("get({key:?}) returned {got:?}, but {value:?} was put").into());
        }
    }
    details.push("put then get round-trips text, binary and empty values".to_owned());
    let key = &values[0].0;
    call(&format!("put({key:?}, b\"uno\") over b\"one\""), || {
        kv.put(key, b"uno")
    })?;
    let got = call(&format!("get({key:?}) after replacing"), || kv.get(key))?;
    if got != b"uno" {
        return Err(
            format!("put must replace: get({key:?}) returned {got:?} instead of b\"uno\"").into(),
        );
    }
    details.push("put replaces an existing value".to_owned());
    let during = call("len()", || kv.len())?;
    if during != before + values.len() as u64 {
        return Err(format!(
            "len() is {during} after storing {} new keys in a store of {before}",
            values.len()
        )
        .into());
    }
    for (key, _) in &values {
        call(&format!("remove({key:?})"), || kv.remove(key))?;
        let what = format!("get({key:?}) after remove");
        calling(&what);
        expect_status(&what, kv.get(key), Status::NOT_FOUND)?;
    }
    let after = call("len()", || kv.len())?;
    if after != before {
        return Err(format!(
            "len() is {after} after removing every key stored, but was {before} before"
        )
        .into());
    }
    details.push("len() counts keys; remove removes them".to_owned());
    Ok(details)
}

fn probe_kv(instance: &Instance) -> Result<Vec<String>, Problem> {
    let kv = instance
        .interface::<dyn Kv>()
        .map_err(|e| Problem::from(&e))?;
    kv_calls(&kv)
}

fn quick_kv(instance: &Instance) -> Result<(), Problem> {
    let kv = instance
        .interface::<dyn Kv>()
        .map_err(|e| Problem::from(&e))?;
    let key = format!("{KV_PREFIX}reload");
    kv.put(&key, b"x").map_err(|e| failed("put", e))?;
    let got = kv.get(&key).map_err(|e| failed("get", e))?;
    if got != b"x" {
        return Err(format!("get returned {got:?} after put(b\"x\")").into());
    }
    Ok(())
}

fn concurrent_kv(instance: &SharedInstance, thread: usize, rounds: usize) -> Result<(), Problem> {
    let kv = instance
        .interface::<dyn Kv>()
        .map_err(|e| Problem::from(&e))?;
    for round in 0..rounds {
        let key = format!("{KV_PREFIX}thread-{thread}/{round}");
        let value = format!("{thread}:{round}");
        kv.put(&key, value.as_bytes())
            .map_err(|e| failed(&format!("put({key:?})"), e))?;
        let got = kv
            .get(&key)
            .map_err(|e| failed(&format!("get({key:?})"), e))?;
        if got != value.as_bytes() {
            return Err(format!(
                "get({key:?}) returned {got:?} instead of {value:?} under concurrent calls"
            )
            .into());
        }
        kv.len().map_err(|e| failed("len()", e))?;
        kv.remove(&key)
            .map_err(|e| failed(&format!("remove({key:?})"), e))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// processor
// ---------------------------------------------------------------------------

fn processor_calls(processor: &Client<dyn Processor>) -> Result<Vec<String>, Problem> {
    let mut details = Vec::new();
    let name = call("name()", || processor.name())?;
    if name.is_empty() {
        return Err("name() returned an empty name".into());
    }
    details.push(format!("name() = {name:?}"));
    let empty = call("process(<empty input>) (empty input is valid)", || {
        processor.process(b"")
    })?;
    details.push(format!("process(<empty>) = {} bytes", empty.len()));
    let input = b"The quick brown fox jumps over the lazy dog";
    let first = call("process(<43 bytes>)", || processor.process(input))?;
    let second = call("process(<43 bytes>) again", || processor.process(input))?;
    details.push(format!(
        "process(<43 bytes>) = {} bytes ({})",
        first.len(),
        if first == second {
            "the same twice"
        } else {
            "different each time"
        }
    ));
    let large: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let out = call("process(<1 MiB>)", || processor.process(&large))?;
    details.push(format!("process(<1 MiB>) = {} bytes", out.len()));
    Ok(details)
}

fn probe_processor(instance: &Instance) -> Result<Vec<String>, Problem> {
    let processor = instance
        .interface::<dyn Processor>()
        .map_err(|e| Problem::from(&e))?;
    processor_calls(&processor)
}

fn quick_processor(instance: &Instance) -> Result<(), Problem> {
    let processor = instance
        .interface::<dyn Processor>()
        .map_err(|e| Problem::from(&e))?;
    processor
        .process(b"reload")
        .map(drop)
        .map_err(|e| failed("process", e))
}

fn concurrent_processor(
    instance: &SharedInstance,
    thread: usize,
    rounds: usize,
) -> Result<(), Problem> {
    let processor = instance
        .interface::<dyn Processor>()
        .map_err(|e| Problem::from(&e))?;
    let input = format!("thread {thread}");
    for _ in 0..rounds {
        processor.name().map_err(|e| failed("name()", e))?;
        processor
            .process(input.as_bytes())
            .map_err(|e| failed("process", e))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// state
// ---------------------------------------------------------------------------

/// One `save()`: the probe of `org.tenon.state` on its own instance. The
/// check's `probe:org.tenon.state` is the round trip across two instances
/// (`check/steps.rs`), which this cannot do.
fn probe_state(instance: &Instance) -> Result<Vec<String>, Problem> {
    let state = instance
        .interface::<dyn State>()
        .map_err(|e| Problem::from(&e))?;
    let saved = call("save()", || state.save())?;
    Ok(vec![format!("save() wrote {} bytes", saved.len())])
}

fn quick_state(instance: &Instance) -> Result<(), Problem> {
    let state = instance
        .interface::<dyn State>()
        .map_err(|e| Problem::from(&e))?;
    state.save().map(drop).map_err(|e| failed("save()", e))
}
