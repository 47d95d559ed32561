//! Tenon's performance numbers, in one command:
//!
//! ```text
//! cargo bench -p tenon-bench                 # everything, Go peers included when Go is installed
//! cargo bench -p tenon-bench -- load call    # only the groups whose names contain a filter
//! TENON_BENCH_PEERS=0 cargo bench -p tenon-bench   # without the Go peers
//! TENON_BENCH_QUICK=1 cargo bench -p tenon-bench   # a quick pass: does every case run?
//! ```
//!
//! Every case prints a line for people and a line for scripts:
//! `BENCH {"name":…,"median_ns":…,"p99_ns":…,"ratio":…,"baseline":…}`,
//! where `ratio` is this case's median over its baseline's, both measured
//! in this run. Groups are `load-warm`, `load-cold`, `kv`, `greet`, `bytes`,
//! `isolated` (Linux), `reload` and `peers`. `docs/PERFORMANCE.md` explains the cases and the results.

mod c_host;
mod calls;
mod harness;
mod installed;
mod isolated;
mod load;
mod peers;
mod plain;
mod reload;

use harness::{selected, Settings};
use load::Subject;
use std::path::PathBuf;

fn main() {
    optimize_plugins();
    // The isolated cases' children are this executable: serve a plugin,
    // never return.
    tenon::isolation::init();
    if load::child() {
        return;
    }
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let settings = Settings::from_env();
    println!(
        "# tenon-bench: {} samples per case, {:?} per batched sample, {:?} warm-up",
        settings.samples, settings.sample_target, settings.warmup
    );

    let greeter_c = tenon_test_plugins::c_plugin("greeter");
    let kv_cpp = tenon_test_plugins::cpp_plugin("kv-cpp");
    let echo_c = PathBuf::from(env!("TENON_BENCH_ECHO_PLUGIN"));
    let rust = |package: &str| {
        tenon_test_plugins::rust_plugin(package)
            .unwrap_or_else(|e| panic!("building {package}: {e}"))
    };
    let greeter_rust = rust("greeter-rust");
    let kv_rust = rust("kv-rust");

    let subjects = [
        Subject {
            label: "greeter-c".to_owned(),
            path: greeter_c.clone(),
            interface: "greeter",
        },
        Subject {
            label: "greeter-rust".to_owned(),
            path: greeter_rust.clone(),
            interface: "greeter",
        },
    ];

    let mut rows = Vec::new();
    if selected(&filters, &["load-warm", "load"]) {
        rows.extend(load::warm(&settings, &subjects));
    }
    if selected(&filters, &["load-cold", "load", "peers"]) {
        rows.extend(load::cold(&settings, &subjects));
    }
    if selected(&filters, &["kv", "call", "peers"]) {
        rows.extend(calls::kv(
            &settings,
            &[("kv-cpp", &kv_cpp), ("kv-rust", &kv_rust)],
        ));
    }
    if selected(&filters, &["greet", "call", "peers"]) {
        rows.extend(calls::greet(&settings, "greeter-c", &greeter_c));
    }
    if selected(&filters, &["bytes", "call", "peers"]) {
        rows.extend(calls::bytes(&settings, "echo-c", &echo_c));
    }
    if cfg!(target_os = "linux") && selected(&filters, &["isolated", "peers"]) {
        rows.extend(isolated::run(
            &settings,
            &greeter_c,
            &echo_c,
            &tenon_test_plugins::isolation_runner()
                .unwrap_or_else(|e| panic!("building the isolation runner: {e}")),
        ));
    }
    if selected(&filters, &["reload"]) {
        let runner = cfg!(target_os = "linux").then(|| {
            tenon_test_plugins::isolation_runner()
                .unwrap_or_else(|e| panic!("building the isolation runner: {e}"))
        });
        rows.extend(reload::run(&settings, runner.as_deref()));
    }
    if selected(&filters, &["peers"]) {
        peers::run(&settings, &rows);
    }
}

/// Plugins are measured as they ship: optimized. `tenon-test-plugins` builds
/// C and C++ plugins at `-O0` (for the tests, where build time matters and
/// speed does not), and the `cc` crate it builds with appends `CFLAGS` and
/// `CXXFLAGS` after its own flags, so `-O2` here wins — the flag
/// `echo/echo.c` is built with. A user's own setting is kept.
fn optimize_plugins() {
    for variable in ["CFLAGS", "CXXFLAGS"] {
        if std::env::var_os(variable).is_none() {
            std::env::set_var(variable, "-O2");
        }
    }
}
