//! Hot reload: what a `reload()` costs, and what it costs the callers.
//!
//! - `reload/<plugin>/load-instantiate` (baseline): `Plugin::load` and
//!   `instantiate` of the same file, what a host without reload would do.
//! - `reload/<plugin>/stateless`: `Reloadable::reload_from`, alternating
//!   between two builds (`tests/fixtures/reload_build_{a,b}.c`): copy,
//!   verify, load, instantiate, swap, and release the old build.
//! - `reload/kv-c/hand-over-1000`: the same with state hand-over of a C kv
//!   holding 1,000 entries (save, restore).
//! - `reload/<plugin>/worst-call-during-reload`: one thread calls the
//!   plugin back-to-back while the main thread reloads it; each sample is
//!   the slowest call that overlapped one reload. Its baseline,
//!   `worst-call-no-reload`, is the slowest call in a window of the same
//!   length with no reload.
//! - `reload/<plugin>/isolated`: a stateless reload of an isolated plugin
//!   (a new process takes over, the old one exits).

use crate::harness::{run_group, Case, Row, Settings};
use std::cell::Cell;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenon::{Plugin, ReloadOptions, Reloadable};
use tenon_example_interfaces::{Greeter, Kv};

/// The reload cases.
pub fn run(settings: &Settings, runner: Option<&Path>) -> Vec<Row> {
    let builds = [
        tenon_test_plugins::c_fixture("reload_build_a"),
        tenon_test_plugins::c_fixture("reload_build_b"),
    ];
    let greeter: Reloadable<dyn Greeter> = Plugin::loader()
        .reloadable(&builds[0], "", ReloadOptions::stateless())
        .expect("the greeter loads");
    // Alternates between the two builds, so each reload loads the other.
    let turn = Cell::new(0usize);
    let next = || {
        turn.set(turn.get() + 1);
        builds[turn.get() % 2].clone()
    };

    let kv_c = tenon_test_plugins::c_plugin("kv");
    let kv: Reloadable<dyn Kv> = Plugin::loader()
        .reloadable(&kv_c, "", ReloadOptions::hand_over())
        .expect("the C kv loads");
    for i in 0..1000 {
        kv.with(|kv| kv.put(&format!("key {i}"), &[i as u8; 32]))
            .expect("put");
    }

    // The caller whose latency is watched.
    let recording = Arc::new(AtomicBool::new(false));
    let worst = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let caller = {
        let (greeter, recording, worst, stop, calls) = (
            greeter.clone(),
            Arc::clone(&recording),
            Arc::clone(&worst),
            Arc::clone(&stop),
            Arc::clone(&calls),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // A call counts when it overlaps the window: it started or
                // ended inside it.
                let started_inside = recording.load(Ordering::SeqCst);
                let start = Instant::now();
                black_box(greeter.with(|g| g.greet("x")).expect("no call fails"));
                let took = start.elapsed().as_nanos() as u64;
                if started_inside || recording.load(Ordering::SeqCst) {
                    worst.fetch_max(took, Ordering::SeqCst);
                }
                calls.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    // Runs `body` with the caller's calls recorded, and keeps recording
    // until the caller has finished a call that started after `body`, so
    // that every sample has seen the calls that overlapped it.
    let window = |body: &mut dyn FnMut()| {
        worst.store(0, Ordering::SeqCst);
        recording.store(true, Ordering::SeqCst);
        body();
        let seen = calls.load(Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_millis(200);
        while calls.load(Ordering::SeqCst) < seen + 2 && Instant::now() < deadline {
            std::thread::yield_now();
        }
        recording.store(false, Ordering::SeqCst);
        Duration::from_nanos(worst.load(Ordering::SeqCst))
    };
    let last_reload = Cell::new(Duration::from_micros(200));

    let isolated: Option<Reloadable<dyn Greeter>> = runner.map(|runner| {
        Plugin::loader()
            .isolated(tenon::isolation::Isolation::new().runner(runner))
            .reloadable(&builds[0], "", ReloadOptions::stateless())
            .expect("the isolated greeter loads")
    });

    let mut cases = vec![
        Case::once("reload/greeter-c/load-instantiate", || {
            let start = Instant::now();
            let plugin = Plugin::load(&builds[0]).expect("loads");
            black_box(plugin.instantiate_shared("").expect("instantiates"));
            start.elapsed()
        }),
        Case::once("reload/greeter-c/stateless", || {
            let path = next();
            let start = Instant::now();
            greeter.reload_from(&path).expect("reloads");
            start.elapsed()
        })
        .against("reload/greeter-c/load-instantiate"),
        Case::once("reload/kv-c/hand-over-1000", || {
            let start = Instant::now();
            kv.reload_from(&kv_c).expect("reloads");
            start.elapsed()
        })
        .against("reload/greeter-c/load-instantiate"),
        Case::once("reload/greeter-c/worst-call-no-reload", || {
            let length = last_reload.get();
            window(&mut || {
                let start = Instant::now();
                while start.elapsed() < length {
                    std::hint::spin_loop();
                }
            })
        }),
        Case::once("reload/greeter-c/worst-call-during-reload", || {
            let path = next();
            window(&mut || {
                let start = Instant::now();
                greeter.reload_from(&path).expect("reloads");
                last_reload.set(start.elapsed());
            })
        })
        .against("reload/greeter-c/worst-call-no-reload"),
    ];
    if let Some(isolated) = &isolated {
        cases.push(
            Case::once("reload/greeter-c/isolated", || {
                let path = next();
                let start = Instant::now();
                isolated.reload_from(&path).expect("reloads isolated");
                start.elapsed()
            })
            .against("reload/greeter-c/load-instantiate"),
        );
    }
    let rows = run_group(settings, "reload", cases);
    stop.store(true, Ordering::Relaxed);
    caller.join().expect("the caller thread ends");
    rows
}
