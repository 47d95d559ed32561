//! The cases of `org.tenon.example.greeter`: with an empty configuration,
//! `greet(name)` is `"Hello, <name>!"` with the name's bytes untouched.

use crate::harness::{case, check_ok, large_text, show_str, Case, Subject};
use tenon::{Client, Status};
use tenon_example_interfaces::Greeter;

/// Every greeter case.
pub const CASES: &[Case] = &[
    case("metadata", metadata),
    case("normal call", normal_call),
    case("empty name", empty_name),
    case("non-ASCII name", non_ascii_name),
    case("name with a NUL byte", name_with_nul),
    case("large name (1 MiB)", large_name),
    case("many calls on one instance", many_calls),
    case("instance independence", instance_independence),
    case("concurrent calls", concurrent_calls),
    Case {
        name: "a panicking or throwing method",
        applies: |implementation| !implementation.faults.is_empty(),
        run: panicking_method,
    },
];

fn greeting(name: &str) -> String {
    format!("Hello, {name}!")
}

/// Checks that `greeter.greet(name)` is the standard greeting.
fn greets(greeter: &Client<dyn Greeter>, name: &str) -> Result<(), String> {
    check_ok(
        &format!("greet({})", show_str(name)),
        greeting(name),
        greeter.greet(name),
    )
}

fn with_greeter(
    subject: &Subject,
    body: impl FnOnce(&Client<dyn Greeter>) -> Result<(), String>,
) -> Result<(), String> {
    let instance = subject.instance()?;
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|error| format!("interface: {error} [{}]", error.kind()))?;
    body(&greeter)
}

pub(crate) fn metadata(subject: &Subject) -> Result<(), String> {
    crate::check_metadata::<dyn Greeter>(subject)
}

fn normal_call(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| {
        greets(greeter, "world")?;
        greets(greeter, "Ada Lovelace")
    })
}

fn empty_name(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| greets(greeter, ""))
}

fn non_ascii_name(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| {
        greets(greeter, "Zoë 👋")?;
        greets(greeter, "世界")?;
        greets(greeter, "Ωμέγα ß ñ \u{301}e")
    })
}

/// `tenon_str` is a pointer and a length, not a C string: a NUL inside the
/// name is part of it.
fn name_with_nul(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| greets(greeter, "a\0b"))
}

fn large_name(subject: &Subject) -> Result<(), String> {
    let name = large_text();
    with_greeter(subject, |greeter| greets(greeter, &name))
}

fn many_calls(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| {
        (0..1000).try_for_each(|i| greets(greeter, &format!("caller {i}")))
    })
}

fn instance_independence(subject: &Subject) -> Result<(), String> {
    let first = subject.instance()?;
    let second = subject.instance()?;
    {
        let first = first
            .interface::<dyn Greeter>()
            .map_err(|e| e.to_string())?;
        let second = second
            .interface::<dyn Greeter>()
            .map_err(|e| e.to_string())?;
        greets(&first, "first")?;
        greets(&second, "second")?;
        greets(&first, "first again")?;
    }
    drop(first);
    let second = second
        .interface::<dyn Greeter>()
        .map_err(|e| e.to_string())?;
    check_ok(
        "greet(\"second\") after the first instance was destroyed",
        greeting("second"),
        second.greet("second"),
    )
}

/// Thread-safe plugins are called from several threads at once; the others
/// from several threads one after the other.
fn concurrent_calls(subject: &Subject) -> Result<(), String> {
    if !subject.plugin.info().thread_safe() {
        let instance = subject.instance()?;
        return std::thread::spawn(move || {
            let greeter = instance
                .interface::<dyn Greeter>()
                .map_err(|e| e.to_string())?;
            greets(&greeter, "from another thread")
        })
        .join()
        .map_err(|_| "the calling thread panicked".to_owned())?;
    }
    let instance = subject.shared_instance()?;
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|e| e.to_string())?;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let greeter = &greeter;
                scope.spawn(move || {
                    (0..200).try_for_each(|i| {
                        let name = format!("thread {thread} call {i} ✓");
                        check_ok(
                            &format!("greet({name:?}) concurrently"),
                            greeting(&name),
                            greeter.greet(&name),
                        )
                    })
                })
            })
            .collect();
        threads.into_iter().try_for_each(|thread| {
            thread
                .join()
                .map_err(|_| "a calling thread panicked".to_owned())?
        })
    })
}

/// Every fault comes back as `TENON_PANIC` with its message, as often as
/// it is triggered, and the instance keeps working.
fn panicking_method(subject: &Subject) -> Result<(), String> {
    with_greeter(subject, |greeter| {
        for fault in &subject.implementation.faults {
            for attempt in ["", " again"] {
                crate::harness::check(
                    &format!("greet({}){attempt}", show_str(fault.trigger)),
                    Err((Status::PANIC, fault.message.to_owned())),
                    greeter.greet(fault.trigger),
                )?;
                greets(greeter, &format!("after {}", fault.trigger))?;
            }
        }
        Ok(())
    })
}
