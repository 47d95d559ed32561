//! Go's two plugin systems, measured in the same run as Tenon: the `plugin`
//! package (a Go plugin opened in-process) and hashicorp/go-plugin (a plugin
//! process over net/rpc or gRPC). The Go sources are in `go/src/tenonpeer`
//! beside this crate; they are built here, offline, and print `PEER` lines
//! that become `BENCH` lines with a ratio against Tenon's equivalent case
//! (peer / Tenon: how many times longer the peer takes): go-plugin's
//! against Tenon's isolated cases when they ran (both are a plugin in a
//! process of its own), the `plugin` package's against in-process ones.
//!
//! Skipped with a note when Go (or, for go-plugin, Debian's
//! `golang-github-hashicorp-go-plugin-dev`) is missing, or when
//! `TENON_BENCH_PEERS=0`.

use crate::harness::{print_row, summarize, Row, Settings, Stats};
use crate::installed::Installed;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each peer case and the Tenon case it is compared with.
const EQUIVALENTS: &[(&str, &str)] = &[
    ("go-plugin-pkg/open-cold", "load-cold/greeter-c/tenon-ready"),
    ("go-plugin-pkg/len", "call/kv-cpp/len/typed"),
    ("go-plugin-pkg/greet", "call/greeter-c/greet/typed"),
    ("go-plugin-pkg/echo-64B", "call/echo-c/process-64B/typed"),
    ("go-plugin-pkg/echo-4KiB", "call/echo-c/process-4KiB/typed"),
    ("go-plugin-pkg/echo-1MiB", "call/echo-c/process-1MiB/typed"),
    ("go-plugin-netrpc/start", "load-cold/greeter-c/tenon"),
    ("go-plugin-netrpc/len", "call/kv-cpp/len/typed"),
    ("go-plugin-netrpc/echo-64B", "call/echo-c/process-64B/typed"),
    (
        "go-plugin-netrpc/echo-1MiB",
        "call/echo-c/process-1MiB/typed",
    ),
    ("go-plugin-grpc/start", "load-cold/greeter-c/tenon"),
    ("go-plugin-grpc/len", "call/kv-cpp/len/typed"),
    ("go-plugin-grpc/echo-64B", "call/echo-c/process-64B/typed"),
    ("go-plugin-grpc/echo-1MiB", "call/echo-c/process-1MiB/typed"),
];

/// go-plugin runs its plugin in a process of its own, so where this run
/// measured Tenon's isolated equivalent, that is what it is compared with
/// (instead of the in-process case of [`EQUIVALENTS`]).
const ISOLATED_EQUIVALENTS: &[(&str, &str)] = &[
    ("go-plugin-netrpc/start", "isolated/greeter-c/start-self"),
    (
        "go-plugin-netrpc/len",
        "isolated/greeter-c/greet/back-to-back",
    ),
    ("go-plugin-netrpc/echo-1MiB", "isolated/echo-c/process-1MiB"),
    ("go-plugin-grpc/start", "isolated/greeter-c/start-self"),
    (
        "go-plugin-grpc/len",
        "isolated/greeter-c/greet/back-to-back",
    ),
    ("go-plugin-grpc/echo-1MiB", "isolated/echo-c/process-1MiB"),
];

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("go")
}

fn out_dir() -> PathBuf {
    Path::new(env!("OUT_DIR")).join("go-peers")
}

/// Runs a command and returns its stdout, or a note saying why it failed.
fn output(command: &mut Command) -> Result<String, String> {
    let described = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| format!("could not run {described}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{described} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn go() -> Command {
    let mut command = Command::new("go");
    command.env_remove("GOFLAGS").env("CGO_ENABLED", "1");
    command
}

/// The Go `plugin` package peer, built in module mode with no network.
fn build_plugin_pkg(out: &Path) -> Result<(PathBuf, PathBuf), String> {
    let module = source_dir().join("src/tenonpeer");
    let plugin = out.join("peer.so");
    let host = out.join("plugin-host");
    for (args, what) in [
        (vec!["-buildmode=plugin", "-o"], (&plugin, "./plugin/peer")),
        (vec!["-o"], (&host, "./plugin/host")),
    ] {
        output(
            go().current_dir(&module)
                .env("GO111MODULE", "on")
                .env("GOPROXY", "off")
                .arg("build")
                .args(args)
                .arg(what.0)
                .arg(what.1),
        )?;
    }
    Ok((plugin, host))
}

/// The hashicorp/go-plugin peer, built in GOPATH mode against Debian's
/// packaged sources (module mode cannot build it offline).
fn build_go_plugin(out: &Path) -> Result<(PathBuf, PathBuf), String> {
    let gopath = std::env::join_paths([source_dir(), PathBuf::from("/usr/share/gocode")])
        .map_err(|e| e.to_string())?;
    let server = out.join("rpc-server");
    let client = out.join("rpc-client");
    for (binary, package) in [
        (&server, "tenonpeer/rpc/server"),
        (&client, "tenonpeer/rpc/client"),
    ] {
        output(
            go().current_dir(source_dir())
                .env("GO111MODULE", "off")
                .env("GOPATH", &gopath)
                .arg("build")
                .arg("-o")
                .arg(binary)
                .arg(package),
        )?;
    }
    Ok((server, client))
}

fn sampling_flags(settings: &Settings) -> Vec<String> {
    vec![
        format!("-samples={}", settings.samples),
        format!("-sample-target={}ns", settings.sample_target.as_nanos()),
        format!("-warmup={}ns", settings.warmup.as_nanos()),
    ]
}

/// The `PEER {json}` lines of a peer's output.
fn parse(text: &str) -> Vec<(String, Stats)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("PEER "))
        .map(|json| {
            let value: serde_json::Value = serde_json::from_str(json).expect("PEER lines are JSON");
            let name = value["name"].as_str().expect("a name").to_owned();
            let stats = Stats {
                median_ns: value["median_ns"].as_f64().expect("a median"),
                p99_ns: value["p99_ns"].as_f64().expect("a p99"),
            };
            (name, stats)
        })
        .collect()
}

/// Builds and runs every peer it can, printing rows with ratios against the
/// Tenon rows measured earlier in this run.
pub fn run(settings: &Settings, tenon: &[Row]) -> Vec<Row> {
    println!("\n## Go peers (ratio = peer / Tenon's equivalent, from this run)");
    if std::env::var("TENON_BENCH_PEERS").is_ok_and(|v| v == "0") {
        println!("PEERS SKIPPED: TENON_BENCH_PEERS=0");
        return Vec::new();
    }
    match output(go().arg("version")) {
        Ok(version) => println!("  {}", version.trim()),
        Err(why) => {
            println!("PEERS SKIPPED: Go is not installed ({why}); install golang-go to compare");
            return Vec::new();
        }
    }
    let out = out_dir();
    std::fs::create_dir_all(&out).expect("the peers' build directory can be made");
    let mut measured = Vec::new();

    match build_plugin_pkg(&out) {
        Ok((plugin, host)) => {
            // Installed copies, as Tenon's cold loads run (`installed.rs`).
            let mut installed = Installed::new("go");
            let (installed_host, installed_plugin) =
                (installed.copy(&host), installed.copy(&plugin));
            let starts = settings.samples.min(51);
            let mut open_ns = Vec::with_capacity(starts);
            let mut failed = None;
            for _ in 0..starts {
                match output(
                    Command::new(&installed_host)
                        .arg("-mode=open")
                        .arg("-plugin")
                        .arg(&installed_plugin),
                ) {
                    Ok(text) => open_ns.push(text.trim().parse::<f64>().expect("nanoseconds")),
                    Err(why) => {
                        failed = Some(why);
                        break;
                    }
                }
            }
            match failed {
                None => measured.push((
                    "go-plugin-pkg/open-cold".to_owned(),
                    summarize(&mut open_ns),
                )),
                Some(why) => println!("PEER FAILED: go plugin open: {why}"),
            }
            match output(
                Command::new(&host)
                    .arg("-mode=calls")
                    .arg("-plugin")
                    .arg(&plugin)
                    .args(sampling_flags(settings)),
            ) {
                Ok(text) => measured.extend(parse(&text)),
                Err(why) => println!("PEER FAILED: go plugin calls: {why}"),
            }
        }
        Err(why) => println!("PEER SKIPPED: Go's plugin package peer did not build: {why}"),
    }

    match build_go_plugin(&out) {
        Ok((server, client)) => {
            for protocol in ["netrpc", "grpc"] {
                match output(
                    Command::new(&client)
                        .arg("-server")
                        .arg(&server)
                        .arg(format!("-protocol={protocol}"))
                        .arg(format!("-starts={}", settings.samples.min(31)))
                        .args(sampling_flags(settings)),
                ) {
                    Ok(text) => measured.extend(parse(&text)),
                    Err(why) => println!("PEER FAILED: go-plugin over {protocol}: {why}"),
                }
            }
        }
        Err(why) => println!(
            "PEER SKIPPED: the hashicorp/go-plugin peer did not build (Debian's \
             golang-github-hashicorp-go-plugin-dev and golang-google-grpc-dev provide it): {why}"
        ),
    }

    let mut rows = Vec::new();
    for (name, stats) in measured {
        let equivalent = |table: &[(&str, &str)]| {
            table
                .iter()
                .find(|(peer, _)| *peer == name)
                .and_then(|(_, equivalent)| tenon.iter().find(|row| row.name == *equivalent))
        };
        let ratio = equivalent(ISOLATED_EQUIVALENTS)
            .or_else(|| equivalent(EQUIVALENTS))
            .map(|row| (row.name.clone(), stats.median_ns / row.stats.median_ns));
        let row = Row { name, stats, ratio };
        print_row(&row);
        rows.push(row);
    }
    rows
}
