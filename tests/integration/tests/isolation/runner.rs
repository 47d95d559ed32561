//! A small test runner for the isolation tests.
//!
//! libtest owns `main`, but an isolating host must call
//! `tenon::isolation::init()` first thing in `main` (the child it spawns is
//! this very executable), so these tests bring their own `main` and this
//! runner: it runs every test whose name contains one of the filters given
//! on the command line, one after another, catching panics, and prints a
//! libtest-like report. Options libtest would take (`--nocapture`,
//! `--test-threads=1`, …) are accepted and ignored.

use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

/// One test: its name and its body.
pub type Test = (&'static str, fn());

/// Runs the selected `tests` and says whether every one passed.
pub fn run(tests: &[Test]) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let exact = args.iter().any(|arg| arg == "--exact");
    let filters: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    let selected: Vec<&Test> = tests
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for (name, body) in selected.iter().copied() {
        let started = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        let took = started.elapsed();
        match outcome {
            Ok(()) => println!("test {name} ... ok ({:.2} s)", took.as_secs_f64()),
            Err(_) => {
                println!("test {name} ... FAILED ({:.2} s)", took.as_secs_f64());
                failed.push(*name);
            }
        }
    }
    let passed = selected.len() - failed.len();
    if failed.is_empty() {
        println!("\ntest result: ok. {passed} passed; 0 failed\n");
        ExitCode::SUCCESS
    } else {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
        println!(
            "\ntest result: FAILED. {passed} passed; {} failed\n",
            failed.len()
        );
        ExitCode::FAILURE
    }
}
