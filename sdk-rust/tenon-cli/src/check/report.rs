//! The report of `tenon check`: text for people, JSON for machines.

use super::outcome::{Outcome, Status};
use serde_json::{json, Value};
use std::path::Path;

/// One check in the report.
pub struct Check {
    /// `load`, `probe:<id>`, …
    pub name: String,
    /// What the check found.
    pub outcome: Outcome,
}

impl Check {
    /// A check named `name` with `outcome`.
    pub fn new(name: &str, outcome: Outcome) -> Self {
        Check {
            name: name.to_owned(),
            outcome,
        }
    }
}

fn count(checks: &[Check], status: Status) -> usize {
    checks.iter().filter(|c| c.outcome.status == status).count()
}

fn warnings(checks: &[Check]) -> usize {
    checks.iter().map(|c| c.outcome.warnings.len()).sum()
}

/// Whether no check failed.
pub fn passed(checks: &[Check]) -> bool {
    count(checks, Status::Fail) == 0
}

/// How the checks loaded the plugin, named in both reports, so that a
/// report read later says whether it vouches for the plugin isolated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The default: each check in a child process of its own.
    Child,
    /// `--in-process`: in the `tenon` process.
    InProcess,
    /// `--isolated`: loaded as a host that asks for isolation loads it.
    Isolated,
}

impl Mode {
    /// The name in the JSON report's `mode`.
    fn name(self) -> &'static str {
        match self {
            Mode::Child => "child",
            Mode::InProcess => "in_process",
            Mode::Isolated => "isolated",
        }
    }
}

/// `{"path","mode","passed","plugin","summary","checks"}`: see docs/cli.md.
pub fn json(path: &Path, mode: Mode, checks: &[Check]) -> Value {
    let plugin = checks
        .iter()
        .find(|c| c.name == "load" && c.outcome.status == Status::Pass)
        .map(|c| c.outcome.data.clone())
        .unwrap_or(Value::Null);
    json!({
        "path": path.display().to_string(),
        "mode": mode.name(),
        "passed": passed(checks),
        "plugin": plugin,
        "summary": {
            "passed": count(checks, Status::Pass),
            "failed": count(checks, Status::Fail),
            "skipped": count(checks, Status::Skip),
            "warnings": warnings(checks),
        },
        "checks": checks.iter().map(|c| {
            let mut check = serde_json::Map::new();
            check.insert("name".to_owned(), json!(c.name));
            if let Value::Object(fields) = c.outcome.to_json() {
                check.extend(fields.into_iter().filter(|(key, _)| key != "data"));
            }
            Value::Object(check)
        }).collect::<Vec<_>>(),
    })
}

/// One line per check, the details of failed checks (of every check when
/// `verbose`), every warning, and a last line with the verdict.
pub fn text(path: &Path, mode: Mode, checks: &[Check], verbose: bool) -> String {
    let how = match mode {
        Mode::Child => "",
        Mode::InProcess => " (in process)",
        Mode::Isolated => " (isolated)",
    };
    let mut text = format!("Checking {}{how}\n", path.display());
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for check in checks {
        let outcome = &check.outcome;
        let label = match outcome.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        };
        let kind = outcome
            .error
            .as_ref()
            .and_then(|e| e["kind"].as_str())
            .map(|kind| format!("[{kind}] "))
            .unwrap_or_default();
        text += &format!(
            "  {label}  {:width$}  {kind}{}\n",
            check.name, outcome.summary
        );
        for warning in &outcome.warnings {
            text += &format!("  {:4}  {:width$}    warning: {warning}\n", "", "");
        }
        if verbose || outcome.status == Status::Fail {
            for detail in &outcome.details {
                text += &format!("  {:4}  {:width$}    {detail}\n", "", "");
            }
        }
    }
    let failed = count(checks, Status::Fail);
    let skipped = count(checks, Status::Skip);
    let mut counts = Vec::new();
    if skipped > 0 {
        counts.push(format!("{skipped} skipped"));
    }
    match warnings(checks) {
        0 => {}
        1 => counts.push("1 warning".to_owned()),
        n => counts.push(format!("{n} warnings")),
    }
    let counts: String = counts.iter().map(|c| format!(", {c}")).collect();
    if failed == 0 {
        text += &format!(
            "OK: every check passed ({} run{counts})\n",
            checks.len() - skipped
        );
    } else {
        text += &format!(
            "FAILED: {failed} of {} checks failed{counts}\n",
            checks.len()
        );
    }
    text
}
