//! Isolated calls: the same plugin files, loaded in a child process
//! (`Plugin::loader().isolated(…)`), beside the same calls in process and,
//! in the `peers` group, hashicorp/go-plugin's.
//!
//! Every isolated call is timed on its own (one `Instant` pair per call),
//! so that the p99 is a p99 of calls, not of batches:
//!
//! - `isolated/greeter-c/greet/in-process`: the baseline, `greet("world")`
//!   in process, timed the same way (the timer's own cost is in it);
//! - `…/back-to-back`: isolated, one call right after the other, with the
//!   default linger;
//! - `…/idle-200us`: isolated, the host sleeping at least 200 µs between
//!   calls (a sleep overshoots by some tens of µs), so that only a child
//!   still lingering can answer without being woken;
//! - `…/idle-200us-linger-0`: the same with no linger, the cost of a wake-up;
//! - `isolated/echo-c/process-1MiB`: a 1 MiB argument and a 1 MiB result
//!   through the echo plugin, isolated, against the same call in process;
//! - `isolated/greeter-c/start-self` and `start-runner`: a fresh child —
//!   spawn, handshake, load, create and the first `greet` — re-executing
//!   this (large) benchmark binary or the small `tenon-test-runner`
//!   (`tenon_test_plugins::isolation_runner`).
//!
//! The child's CPU use during the idle run (what lingering costs) is
//! printed as a `#` note.

use crate::harness::{print_row, summarize, Row, Settings, Stats};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use tenon::isolation::Isolation;
use tenon::Plugin;
use tenon_example_interfaces::{Greeter, Processor};

const NAME: &str = "world";

/// How many calls each case times.
struct Counts {
    back_to_back: usize,
    idle: usize,
    large: usize,
    starts: usize,
}

impl Counts {
    fn from(settings: &Settings) -> Counts {
        if settings.samples < 100 {
            Counts {
                back_to_back: 2_000,
                idle: 200,
                large: 30,
                starts: 5,
            }
        } else {
            Counts {
                back_to_back: 50_000,
                idle: 3_000,
                large: 300,
                starts: 51,
            }
        }
    }
}

/// Times `count` single calls of `call`, each preceded by `before` (not
/// timed).
fn time_each(count: usize, mut before: impl FnMut(), mut call: impl FnMut()) -> Stats {
    for _ in 0..count.min(200) {
        call();
    }
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        before();
        let start = Instant::now();
        call();
        samples.push(start.elapsed().as_nanos() as f64);
    }
    summarize(&mut samples)
}

fn row(name: &str, stats: Stats, baseline: Option<(&str, Stats)>) -> Row {
    let row = Row {
        name: name.to_owned(),
        stats,
        ratio: baseline.map(|(b, s)| (b.to_owned(), stats.median_ns / s.median_ns)),
    };
    print_row(&row);
    row
}

fn isolated(linger: Option<Duration>) -> Isolation {
    let isolation = Isolation::new();
    match linger {
        Some(linger) => isolation.linger(linger),
        None => isolation,
    }
}

/// Live children of this process (the isolated plugins' processes).
fn children() -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| stat_fields(*pid).is_some_and(|f| f.get(1) == Some(&me.to_string())))
        .collect()
}

/// The fields of `/proc/PID/stat` after the command name (state first).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    Some(rest.split(' ').map(str::to_owned).collect())
}

/// User + system CPU time of process `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let fields = stat_fields(pid)?;
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Prints what the child costs in memory: its resident set (what it alone
/// uses, and what it shares: the shared-memory slots, libraries).
fn print_memory(pid: u32) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return;
    };
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    println!(
        "# memory: the child's resident set is {} KiB (Rss), {} KiB proportional (Pss), \
         {} KiB of it private",
        field("Rss:"),
        field("Pss:"),
        field("Private_Dirty:")
    );
}

/// The isolated rows of the greeter and the echo plugin.
pub fn run(settings: &Settings, greeter: &Path, echo: &Path, runner: &Path) -> Vec<Row> {
    println!("\n## isolated: the same plugins in a child process (ratio = isolated / in process)");
    let counts = Counts::from(settings);
    let mut rows = Vec::new();

    // In process, timed call by call like the isolated cases.
    let plugin = Plugin::load(greeter).expect("greeter loads");
    let instance = plugin.instantiate("").expect("greeter instantiates");
    let local = instance
        .interface::<dyn Greeter>()
        .expect("greeter resolves");
    let base_name = "isolated/greeter-c/greet/in-process";
    let base = time_each(
        counts.back_to_back,
        || {},
        || {
            black_box(local.greet(black_box(NAME)).unwrap());
        },
    );
    rows.push(row(base_name, base, None));

    for (suffix, linger) in [("", None), ("-linger-0", Some(Duration::ZERO))] {
        let before = children();
        let plugin = Plugin::loader()
            .isolated(isolated(linger))
            .load(greeter)
            .unwrap_or_else(|e| panic!("greeter loads isolated: {e} [{}]", e.kind()));
        let instance = plugin
            .instantiate("")
            .expect("greeter instantiates isolated");
        let remote = instance
            .interface::<dyn Greeter>()
            .expect("greeter resolves");
        assert_eq!(remote.greet(NAME).unwrap(), "Hello, world!");
        let child = children().into_iter().find(|pid| !before.contains(pid));
        if let (Some(pid), true) = (child, suffix.is_empty()) {
            print_memory(pid);
        }

        let stats = time_each(
            counts.back_to_back,
            || {},
            || {
                black_box(remote.greet(black_box(NAME)).unwrap());
            },
        );
        rows.push(row(
            &format!("isolated/greeter-c/greet/back-to-back{suffix}"),
            stats,
            Some((base_name, base)),
        ));

        let ticks_before = child.and_then(cpu_ticks);
        let started = Instant::now();
        let stats = time_each(
            counts.idle,
            || std::thread::sleep(Duration::from_micros(200)),
            || {
                black_box(remote.greet(black_box(NAME)).unwrap());
            },
        );
        let wall = started.elapsed();
        rows.push(row(
            &format!("isolated/greeter-c/greet/idle-200us{suffix}"),
            stats,
            Some((base_name, base)),
        ));
        if let (Some(pid), Some(before)) = (child, ticks_before) {
            if let Some(after) = cpu_ticks(pid) {
                // Clock ticks are 1/100 s on Linux.
                let cpu = Duration::from_millis((after - before) * 10);
                println!(
                    "# linger{}: the child used {:.0}% of a core while the host called every \
                     ~{:.0} µs",
                    if suffix.is_empty() {
                        " (default)"
                    } else {
                        " 0"
                    },
                    100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
                    wall.as_secs_f64() * 1e6 / counts.idle as f64
                );
            }
        }
    }

    // 1 MiB in, 1 MiB out.
    let input: Vec<u8> = (0..1usize << 20).map(|i| i as u8).collect();
    let echo_local = Plugin::load(echo).expect("echo loads");
    let echo_local_instance = echo_local.instantiate("").expect("echo instantiates");
    let echo_local = echo_local_instance
        .interface::<dyn Processor>()
        .expect("processor resolves");
    let echo_base_name = "isolated/echo-c/process-1MiB/in-process";
    let echo_base = time_each(
        counts.large,
        || {},
        || {
            black_box(echo_local.process(black_box(&input)).unwrap());
        },
    );
    rows.push(row(echo_base_name, echo_base, None));
    let echo_plugin = Plugin::loader()
        .isolated(Isolation::new())
        .load(echo)
        .unwrap_or_else(|e| panic!("echo loads isolated: {e} [{}]", e.kind()));
    let echo_instance = echo_plugin.instantiate("").expect("echo instantiates");
    let echo_remote = echo_instance
        .interface::<dyn Processor>()
        .expect("processor resolves");
    assert_eq!(echo_remote.process(&input).unwrap(), input, "echo echoes");
    let stats = time_each(
        counts.large,
        || {},
        || {
            black_box(echo_remote.process(black_box(&input)).unwrap());
        },
    );
    rows.push(row(
        "isolated/echo-c/process-1MiB",
        stats,
        Some((echo_base_name, echo_base)),
    ));

    // A fresh child each time: spawn, handshake, load, create, first call.
    for (label, isolation) in [
        ("start-self", Isolation::new()),
        ("start-runner", Isolation::new().runner(runner)),
    ] {
        let mut samples = Vec::with_capacity(counts.starts);
        for _ in 0..counts.starts {
            let start = Instant::now();
            let plugin = Plugin::loader()
                .isolated(isolation.clone())
                .load(greeter)
                .unwrap_or_else(|e| panic!("{label}: {e} [{}]", e.kind()));
            let instance = plugin.instantiate("").expect("instantiates");
            let greeting = instance
                .interface::<dyn Greeter>()
                .expect("resolves")
                .greet(NAME)
                .expect("the first call");
            samples.push(start.elapsed().as_nanos() as f64);
            black_box(greeting);
            drop(instance);
            drop(plugin);
        }
        rows.push(row(
            &format!("isolated/greeter-c/{label}"),
            summarize(&mut samples),
            None,
        ));
    }
    rows
}
