//! Sampling and reporting, shared by every case.
//!
//! A case is timed in samples: each sample runs the case's body `n` times in
//! a monomorphized loop (so the harness adds no indirect call per
//! iteration) and records the time per iteration. `n` is calibrated during
//! warm-up so that one sample takes about [`Settings::sample_target`]; cases
//! that are slow by nature (a load, a fresh process) use `n = 1`, so their
//! spread is the spread of single operations.
//!
//! The cases of a group are sampled in turn, round after round, so that
//! noise from the rest of the machine (2 cores shared with builds) falls on
//! a case and its baseline alike: only ratios within one group of one run
//! are meant to be compared.

use std::time::{Duration, Instant};

/// How long and how often to sample.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Samples per case.
    pub samples: usize,
    /// Wall time one calibrated sample aims for.
    pub sample_target: Duration,
    /// Wall time each case runs before sampling starts.
    pub warmup: Duration,
}

impl Settings {
    /// The defaults, or a quick pass when `TENON_BENCH_QUICK` is set (for
    /// checking that every case runs, not for numbers).
    pub fn from_env() -> Settings {
        if std::env::var_os("TENON_BENCH_QUICK").is_some() {
            Settings {
                samples: 11,
                sample_target: Duration::from_micros(200),
                warmup: Duration::from_millis(5),
            }
        } else {
            Settings {
                samples: 201,
                sample_target: Duration::from_micros(500),
                warmup: Duration::from_millis(100),
            }
        }
    }
}

/// One measured thing: a name, the case it is compared with, and its body.
pub struct Case<'a> {
    name: String,
    baseline: Option<String>,
    body: Body<'a>,
}

enum Body<'a> {
    /// Runs the body `n` times and returns the elapsed time.
    Repeat(Box<dyn FnMut(u64) -> Duration + 'a>),
    /// One operation per sample that times itself (a child process reports
    /// what it measured inside).
    Once(Box<dyn FnMut() -> Duration + 'a>),
}

impl<'a> Case<'a> {
    /// A case whose body is cheap enough to repeat within a sample.
    pub fn repeat(name: impl Into<String>, mut body: impl FnMut() + 'a) -> Self {
        Case {
            name: name.into(),
            baseline: None,
            body: Body::Repeat(Box::new(move |n| {
                let start = Instant::now();
                for _ in 0..n {
                    body();
                }
                start.elapsed()
            })),
        }
    }

    /// A case where each sample is one operation that reports its own time.
    pub fn once(name: impl Into<String>, body: impl FnMut() -> Duration + 'a) -> Self {
        Case {
            name: name.into(),
            baseline: None,
            body: Body::Once(Box::new(body)),
        }
    }

    /// Reports this case's ratio against the case named `baseline` of the
    /// same group.
    pub fn against(mut self, baseline: &str) -> Self {
        self.baseline = Some(baseline.to_owned());
        self
    }

    fn run(&mut self, n: u64) -> Duration {
        match &mut self.body {
            Body::Repeat(body) => body(n),
            Body::Once(body) => body(),
        }
    }
}

/// The summary of one case's samples (nanoseconds per operation).
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// The median sample.
    pub median_ns: f64,
    /// The 99th-percentile sample.
    pub p99_ns: f64,
}

/// One reported result.
#[derive(Clone, Debug)]
pub struct Row {
    /// The case's name.
    pub name: String,
    /// Its statistics.
    pub stats: Stats,
    /// The baseline's name and the ratio of medians (this / baseline).
    pub ratio: Option<(String, f64)>,
}

/// Whether a case or group named `name` is selected by the command line's
/// filters (`cargo bench -p tenon-bench -- <substring>...`); no filter
/// selects everything.
pub fn selected(filters: &[String], names: &[&str]) -> bool {
    filters.is_empty()
        || filters
            .iter()
            .any(|f| names.iter().any(|name| name.contains(f.as_str())))
}

/// Measures the cases of one group, interleaved, prints a line and a
/// `BENCH` line for each, and returns the rows.
pub fn run_group(settings: &Settings, title: &str, mut cases: Vec<Case<'_>>) -> Vec<Row> {
    println!("\n## {title}");
    let mut per_sample = Vec::with_capacity(cases.len());
    for case in &mut cases {
        per_sample.push(calibrate(settings, case));
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(settings.samples); cases.len()];
    for round in 0..settings.samples {
        // Rotating the starting case keeps a fixed order from favouring one.
        for k in 0..cases.len() {
            let i = (round + k) % cases.len();
            let n = per_sample[i];
            let elapsed = cases[i].run(n);
            samples[i].push(elapsed.as_nanos() as f64 / n as f64);
        }
    }
    let stats: Vec<Stats> = samples.iter_mut().map(|s| summarize(s)).collect();
    let mut rows: Vec<Row> = cases
        .iter()
        .zip(&stats)
        .map(|(case, stats)| Row {
            name: case.name.clone(),
            stats: *stats,
            ratio: None,
        })
        .collect();
    // Ratios need every case's median, so they are filled in afterwards.
    for (i, case) in cases.iter().enumerate() {
        if let Some(baseline) = &case.baseline {
            let b = cases
                .iter()
                .position(|c| &c.name == baseline)
                .unwrap_or_else(|| panic!("{}: no baseline {baseline} in the group", case.name));
            rows[i].ratio = Some((baseline.clone(), stats[i].median_ns / stats[b].median_ns));
        }
    }
    for row in &rows {
        print_row(row);
    }
    rows
}

/// Warms a case up and returns how many iterations make one sample.
fn calibrate(settings: &Settings, case: &mut Case<'_>) -> u64 {
    if matches!(case.body, Body::Once(_)) {
        let start = Instant::now();
        while start.elapsed() < settings.warmup.min(Duration::from_millis(20)) {
            case.run(1);
        }
        return 1;
    }
    let mut n = 1u64;
    let start = Instant::now();
    loop {
        let elapsed = case.run(n);
        if elapsed >= settings.sample_target {
            if start.elapsed() >= settings.warmup {
                break;
            }
        } else {
            n *= 2;
        }
    }
    n
}

/// Median and 99th percentile (nearest rank) of the samples.
pub fn summarize(samples: &mut [f64]) -> Stats {
    assert!(!samples.is_empty(), "no samples");
    samples.sort_by(f64::total_cmp);
    let len = samples.len();
    let median_ns = if len % 2 == 1 {
        samples[len / 2]
    } else {
        (samples[len / 2 - 1] + samples[len / 2]) / 2.0
    };
    let rank = ((len as f64) * 0.99).ceil() as usize;
    let p99_ns = samples[rank.clamp(1, len) - 1];
    Stats { median_ns, p99_ns }
}

/// Prints a row for people and a `BENCH` line for scripts.
pub fn print_row(row: &Row) {
    let ratio = match &row.ratio {
        Some((baseline, ratio)) => format!("{ratio:>7.2}x  vs {baseline}"),
        None => "      -   (baseline)".to_owned(),
    };
    println!(
        "  {:<44} median {:>12}  p99 {:>12}  {ratio}",
        row.name,
        human(row.stats.median_ns),
        human(row.stats.p99_ns)
    );
    let mut json = serde_json::json!({
        "name": row.name,
        "median_ns": round(row.stats.median_ns),
        "p99_ns": round(row.stats.p99_ns),
        "ratio": row.ratio.as_ref().map(|(_, r)| round(*r)),
    });
    if let Some((baseline, _)) = &row.ratio {
        json["baseline"] = baseline.clone().into();
    }
    println!("BENCH {json}");
}

fn round(value: f64) -> f64 {
    if value >= 100.0 {
        value.round()
    } else {
        (value * 100.0).round() / 100.0
    }
}

/// `12.3 ns`, `4.56 µs`, `7.89 ms`.
pub fn human(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}
