//! `tenon check`: a validator for plugin authors.
//!
//! The parent process never loads the plugin in process. Each check is a *step*
//! ([`steps`]) that runs in a child process under the [`supervisor`]
//! (this same executable, `tenon __check-step STEP PATH`), which delivers
//! its verdict on a private channel plugin code cannot write to by
//! printing. A child that crashes, exits without a verdict (with status 0
//! too) or outlives its deadline fails its check, blamed on the call it was
//! in, and the validator goes on with the next one. The [`report`] is text
//! or JSON.
//!
//! Steps, in order:
//!
//! - `load`: load-time verification, as `Plugin::load` does it; its result
//!   carries the plugin's metadata, from which the parent plans the rest.
//! - `interfaces`: every declared interface known to this command resolves
//!   at its version with a large enough vtable and no NULL slot.
//! - `lifecycle`: create and destroy, repeatedly and many at once.
//! - `probe:<id>`: every method of a known interface, with edge cases and
//!   documented error statuses.
//! - `threads`: concurrent calls on one shared instance for a plugin that
//!   declares thread safety; otherwise one instance handed from thread to
//!   thread. Either way, instances created and destroyed on several
//!   threads at once.
//! - `reload`: load, use and unload the library repeatedly.
//!
//! [`supervisor`]: crate::supervisor

mod outcome;
mod report;
mod steps;

pub use outcome::Problem;

use crate::known;
use crate::supervisor::{self, Job};
use outcome::{Outcome, Status};
use report::Check;
use serde_json::{json, Value};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Seconds one step may take by default (`--timeout`).
pub const DEFAULT_STEP_TIMEOUT: u64 = 10;

/// Seconds the whole run may take by default (`--total-timeout`): a plugin
/// that hangs in every step is done with in this time, not in one step
/// timeout per step.
pub const DEFAULT_TOTAL_TIMEOUT: u64 = 30;

/// How `tenon check` runs.
pub struct Options {
    /// Print the JSON report.
    pub json: bool,
    /// Print the details of passing checks too.
    pub verbose: bool,
    /// How long one step may take.
    pub timeout: Duration,
    /// How long all the steps together may take.
    pub total_timeout: Duration,
    /// Run the steps in this process instead of children.
    pub in_process: bool,
    /// Run the steps in this process with the plugin loaded isolated.
    pub isolated: bool,
}

/// `tenon check PATH`.
pub fn run(path: &Path, options: &Options) -> ExitCode {
    let runner = Runner {
        path,
        options,
        started: Instant::now(),
    };
    let checks = runner.run_checks();
    if options.json {
        crate::json::print(&report::json(path, &checks));
    } else {
        print!("{}", report::text(path, &checks, options.verbose));
    }
    if report::passed(&checks) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::FAILURE)
    }
}

/// `tenon __check-step STEP PATH`: runs one step here and delivers its
/// result to the supervising parent.
pub fn run_step_in_child(step: &str, path: &Path) -> ExitCode {
    if let Err(problem) = supervisor::child::connect() {
        eprintln!("tenon __check-step is run by `tenon check` only: {problem}");
        return ExitCode::from(2);
    }
    let outcome = steps::run(step, path, &steps::Mode::InProcess);
    supervisor::child::deliver(outcome.to_json());
    ExitCode::SUCCESS
}

struct Runner<'a> {
    path: &'a Path,
    options: &'a Options,
    started: Instant,
}

impl Runner<'_> {
    /// Runs every step that applies, in order.
    fn run_checks(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let load = self.step("load");
        let info = (load.status == Status::Pass).then(|| load.data.clone());
        checks.push(Check::new("load", load));
        let Some(info) = info else {
            for name in ["interfaces", "lifecycle", "threads", "reload"] {
                checks.push(Check::new(name, Outcome::skip("the plugin did not load")));
            }
            return checks;
        };

        let interfaces = self.step("interfaces");
        let unusable: Vec<String> = match interfaces.status {
            Status::Fail => interfaces.data["failed"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| id.as_str().map(str::to_owned))
                        .collect()
                })
                // A crashed step said nothing: trust no interface.
                .unwrap_or_else(|| known::KNOWN.iter().map(|k| k.id.to_owned()).collect()),
            _ => Vec::new(),
        };
        checks.push(Check::new("interfaces", interfaces));
        checks.push(Check::new("lifecycle", self.step("lifecycle")));
        for known in probed(&info) {
            let name = format!("probe:{}", known.id);
            let outcome = if unusable.iter().any(|id| id == known.id) {
                Outcome::skip("the interface failed the interfaces check")
            } else {
                self.step(&name)
            };
            checks.push(Check::new(&name, outcome));
        }
        checks.push(Check::new("threads", self.step("threads")));
        checks.push(Check::new("reload", self.step("reload")));
        checks
    }

    /// Runs one step, in a child process unless `--in-process` or
    /// `--isolated` (where the plugin is in a child and the step is not).
    fn step(&self, step: &str) -> Outcome {
        if self.options.in_process {
            return steps::run(step, self.path, &steps::Mode::InProcess);
        }
        if self.options.isolated {
            return self.step_isolated(step);
        }
        let Some(left) = self.time_left() else {
            return self.out_of_time();
        };
        let clipped = left < self.options.timeout;
        let job = Job {
            args: vec![
                "__check-step".into(),
                step.into(),
                self.path.as_os_str().to_owned(),
            ],
            timeout: left.min(self.options.timeout),
        };
        let finished = match supervisor::run(&job) {
            Ok(finished) => finished,
            Err(problem) => return Outcome::fail(problem),
        };
        if let Some(failure) = finished.failure() {
            let hint = if failure.kind != "timed_out" {
                ""
            } else if clipped {
                "; the whole run's time limit (--total-timeout) cut this check short"
            } else {
                "; raise --timeout if it is only slow"
            };
            let mut outcome = Outcome::fail(format!("{}{hint}", failure.message))
                .details(finished.output_lines());
            outcome.error = Some(failure.to_json());
            return outcome;
        }
        let verdict = finished.verdict.as_ref().unwrap_or(&Value::Null);
        match Outcome::from_json(verdict) {
            Some(mut outcome) => {
                outcome.details.extend(finished.output_lines());
                outcome
            }
            None => Outcome::fail(format!(
                "the check's child sent a malformed verdict: {verdict}"
            ))
            .details(finished.output_lines()),
        }
    }
}

impl Runner<'_> {
    /// What is left of `--total-timeout`, if anything.
    fn time_left(&self) -> Option<Duration> {
        let left = self
            .options
            .total_timeout
            .saturating_sub(self.started.elapsed());
        (!left.is_zero()).then_some(left)
    }

    /// The failed outcome of a check not run because `--total-timeout` is
    /// spent.
    fn out_of_time(&self) -> Outcome {
        let mut outcome = Outcome::fail(format!(
            "not run: the whole run's time limit (--total-timeout {}) was spent",
            supervisor::seconds(self.options.total_timeout)
        ));
        outcome.error = Some(json!({"kind": "timed_out", "message": outcome.summary}));
        outcome
    }

    /// Runs one step here, with the plugin isolated: every call's deadline
    /// is `--timeout`, clipped to what is left of `--total-timeout`.
    fn step_isolated(&self, step: &str) -> Outcome {
        let Some(left) = self.time_left() else {
            return self.out_of_time();
        };
        let deadline = left.min(self.options.timeout);
        steps::run(step, self.path, &steps::Mode::Isolated { deadline })
    }
}

/// The known interfaces the plugin (as `load` described it) offers at the
/// known version.
fn probed(info: &Value) -> Vec<&'static known::Known> {
    info["interfaces"]
        .as_array()
        .map(|interfaces| {
            interfaces
                .iter()
                .filter_map(|i| {
                    let known = known::by_id(i["id"].as_str()?)?;
                    (i["version"].as_u64()? == u64::from(known.version)).then_some(known)
                })
                .collect()
        })
        .unwrap_or_default()
}
