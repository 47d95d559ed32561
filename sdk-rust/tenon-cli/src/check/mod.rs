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
//! - `interfaces`: every declared interface's vtable: for one known to this
//!   command (or described by an `--interface` header) at its version, a
//!   large enough vtable and no NULL slot; for any other, a `struct_size`
//!   C can give a vtable and no NULL slot within it.
//! - `lifecycle`: create and destroy, repeatedly and many at once.
//! - `probe:<id>`: every method of a known interface, with edge cases and
//!   documented error statuses; for `org.tenon.state`, `restore(save())`
//!   into a fresh instance.
//! - `methods:<id>`: every method an `--interface` header declares, called
//!   with edge-case arguments ([`methods`]).
//! - `case:<name>`: a case an application registered ([`Cases`]).
//! - `threads`: concurrent calls on one shared instance for a plugin that
//!   declares thread safety; otherwise one instance handed from thread to
//!   thread. Either way, instances created and destroyed on several
//!   threads at once.
//! - `reload`: load, use and unload the library repeatedly.
//!
//! Every instance gets the config of `--config` (default "") and is
//! offered the host services of `--offer` ([`offer`]); what the plugin
//! logs and the services it looks up are collected per step
//! ([`capture`]).
//!
//! [`supervisor`]: crate::supervisor

mod args;
mod capture;
mod cases;
pub(crate) mod described;
mod dyncall;
mod methods;
mod offer;
mod outcome;
mod report;
mod steps;
mod vtable;

pub use args::{CheckArgs, HostArgs, StepArgs};
pub use cases::Cases;
pub use outcome::Problem;

use crate::known;
use crate::supervisor::{self, Job};
use described::Described;
use outcome::{Outcome, Status};
use report::Check;
use serde_json::{json, Value};
use std::ffi::OsString;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Seconds one step may take by default (`--timeout`).
pub const DEFAULT_STEP_TIMEOUT: u64 = 10;

/// Seconds the whole run may take by default (`--total-timeout`): a plugin
/// that hangs in every step is done with in this time, not in one step
/// timeout per step.
pub const DEFAULT_TOTAL_TIMEOUT: u64 = 30;

use crate::USAGE;

impl Cases {
    /// `tenon check PATH` with these cases.
    pub(crate) fn run(&self, args: &CheckArgs) -> ExitCode {
        let read = described::read(&args.interface)
            .and_then(|described| args.host.config().map(|config| (described, config)));
        let (described, config) = match read {
            Ok(read) => read,
            Err(problem) => {
                err_line!("error: {problem}");
                return ExitCode::from(USAGE);
            }
        };
        if args.in_process || args.isolated {
            // The steps run here: collect what the plugin logs.
            capture::start();
        }
        let runner = Runner {
            args,
            described: &described,
            cases: self,
            config: &config,
            services: offer::services(&args.host.offer),
            started: Instant::now(),
        };
        let path = &args.path;
        let mode = if args.isolated {
            report::Mode::Isolated
        } else if args.in_process {
            report::Mode::InProcess
        } else {
            report::Mode::Child
        };
        let checks = runner.run_checks();
        if args.json {
            crate::json::print(&report::json(path, mode, &checks));
        } else {
            crate::print_out(&report::text(path, mode, &checks, args.verbose));
        }
        if report::passed(&checks) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::FAILURE)
        }
    }

    /// `__check-step STEP PATH`: runs one step here and delivers its
    /// result to the supervising parent.
    pub(crate) fn run_step(&self, args: &StepArgs) -> ExitCode {
        if let Err(problem) = supervisor::child::connect() {
            err_line!("__check-step is run by `tenon check` only: {problem}");
            return ExitCode::from(USAGE);
        }
        capture::start();
        let read = described::read(&args.interface)
            .and_then(|described| args.host.config().map(|config| (described, config)));
        let outcome = match read {
            Ok((described, config)) => {
                let services = offer::services(&args.host.offer);
                let context = steps::Context {
                    described: &described,
                    cases: self,
                    config: &config,
                    config_given: args.host.config_given(),
                    services: &services,
                };
                steps::run(&args.step, &args.path, &steps::Mode::InProcess, &context)
            }
            Err(problem) => Outcome::fail(problem),
        };
        supervisor::child::deliver(outcome.to_json());
        ExitCode::SUCCESS
    }
}

struct Runner<'a> {
    args: &'a CheckArgs,
    described: &'a [Described],
    cases: &'a Cases,
    /// `--config`'s text, or the file's of `--config-file`, or "".
    config: &'a str,
    /// `--offer`'s.
    services: tenon::HostServices,
    started: Instant,
}

impl Runner<'_> {
    fn context(&self) -> steps::Context<'_> {
        steps::Context {
            described: self.described,
            cases: self.cases,
            config: self.config,
            config_given: self.args.host.config_given(),
            services: &self.services,
        }
    }

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
        // By id and version: a plugin may offer one id at several
        // versions, and one failing leaves the others usable.
        let unusable: Vec<(String, u32)> = match interfaces.status {
            Status::Fail => interfaces.data["failed"]
                .as_array()
                .map(|failed| {
                    failed
                        .iter()
                        .filter_map(|f| {
                            Some((
                                f["id"].as_str()?.to_owned(),
                                u32::try_from(f["version"].as_u64()?).ok()?,
                            ))
                        })
                        .collect()
                })
                // A crashed step said nothing: trust no interface.
                .unwrap_or_else(|| offered(&info)),
            _ => Vec::new(),
        };
        checks.push(Check::new("interfaces", interfaces));
        checks.push(Check::new("lifecycle", self.step("lifecycle")));
        let usable = |id: &str, version: u32| !unusable.iter().any(|u| u.0 == id && u.1 == version);
        let skipped = || Outcome::skip("the interface failed the interfaces check");
        for known in probed(&info) {
            let name = format!("probe:{}", known.id);
            let outcome = if usable(known.id, known.version) {
                self.step(&name)
            } else {
                skipped()
            };
            checks.push(Check::new(&name, outcome));
        }
        let offered = offered(&info);
        let offers = |id: &str, version: u32| offered.iter().any(|o| o.0 == id && o.1 == version);
        for described in self.described {
            let model = &described.model;
            if !offers(&model.id, model.version) {
                // The interfaces check says so.
                continue;
            }
            let name = methods_step(&offered, &model.id, model.version);
            let outcome = if usable(&model.id, model.version) {
                self.step(&name)
            } else {
                skipped()
            };
            checks.push(Check::new(&name, outcome));
        }
        for case in &self.cases.cases {
            let name = format!("case:{}", case.name);
            let outcome = if !offers(case.id, case.version) {
                Outcome::skip(format!(
                    "the plugin does not offer {} version {}",
                    case.id, case.version
                ))
            } else if !usable(case.id, case.version) {
                skipped()
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
        let path = &self.args.path;
        if self.args.in_process {
            return steps::run(step, path, &steps::Mode::InProcess, &self.context());
        }
        if self.args.isolated {
            return self.step_isolated(step);
        }
        let Some(left) = self.time_left() else {
            return self.out_of_time();
        };
        let clipped = left < self.args.step_timeout();
        let mut args: Vec<OsString> = vec!["__check-step".into(), step.into(), path.into()];
        for header in &self.args.interface {
            args.push("--interface".into());
            args.push(header.into());
        }
        args.extend(self.args.host.to_args());
        let job = Job {
            args,
            timeout: left.min(self.args.step_timeout()),
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
        let left = self.args.total().saturating_sub(self.started.elapsed());
        (!left.is_zero()).then_some(left)
    }

    /// The failed outcome of a check not run because `--total-timeout` is
    /// spent.
    fn out_of_time(&self) -> Outcome {
        let mut outcome = Outcome::fail(format!(
            "not run: the whole run's time limit (--total-timeout {}) was spent",
            supervisor::seconds(self.args.total())
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
        let deadline = left.min(self.args.step_timeout());
        steps::run(
            step,
            &self.args.path,
            &steps::Mode::Isolated { deadline },
            &self.context(),
        )
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

/// The name of the step that calls the methods of `id` at `version`:
/// `methods:ID`, or `methods:ID@vN` when the plugin offers `id` at several
/// versions (each has a step of its own).
fn methods_step(offered: &[(String, u32)], id: &str, version: u32) -> String {
    if offered.iter().filter(|o| o.0 == id).count() > 1 {
        format!("methods:{id}@v{version}")
    } else {
        format!("methods:{id}")
    }
}

/// Every interface the plugin (as `load` described it) offers: id and
/// version.
fn offered(info: &Value) -> Vec<(String, u32)> {
    info["interfaces"]
        .as_array()
        .map(|interfaces| {
            interfaces
                .iter()
                .filter_map(|i| {
                    Some((
                        i["id"].as_str()?.to_owned(),
                        u32::try_from(i["version"].as_u64()?).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
