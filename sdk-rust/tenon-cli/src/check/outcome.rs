//! The result of one check, as a step produces it and the report shows it.

use crate::json;
use serde_json::{json, Value};

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed.
    Fail,
    /// The check did not apply (or could not run because another failed).
    Skip,
}

impl Status {
    /// `pass`, `fail` or `skip`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }

    fn from_name(name: &str) -> Option<Status> {
        match name {
            "pass" => Some(Status::Pass),
            "fail" => Some(Status::Fail),
            "skip" => Some(Status::Skip),
            _ => None,
        }
    }
}

/// The result of one step.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Pass, fail or skip.
    pub status: Status,
    /// One line for the report.
    pub summary: String,
    /// More lines: what was checked, or what went wrong.
    pub details: Vec<String>,
    /// Things that do not fail the check but that the author should fix.
    pub warnings: Vec<String>,
    /// For a failure that stems from an error with a kind (a Tenon error, a
    /// failed call, a crash, a timeout): `{"kind","message"}`.
    pub error: Option<Value>,
    /// Step-specific data for the parent (the plugin's metadata from
    /// `load`, the failed interface ids from `interfaces`); not reported.
    pub data: Value,
}

impl Outcome {
    fn new(status: Status, summary: impl Into<String>) -> Self {
        Outcome {
            status,
            summary: summary.into(),
            details: Vec::new(),
            warnings: Vec::new(),
            error: None,
            data: Value::Null,
        }
    }

    /// A passed check.
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }

    /// A failed check with no error kind (the plugin misbehaved without
    /// reporting an error: a wrong value, an empty result).
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, summary)
    }

    /// A check that did not apply.
    pub fn skip(summary: impl Into<String>) -> Self {
        Self::new(Status::Skip, summary)
    }

    /// The same, with these details.
    pub fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// A failure from a Tenon error, with its kind.
    pub fn from_error(summary: &str, error: &tenon::Error) -> Self {
        Self::from_problem(summary, Problem::from(error))
    }

    /// A failure from a [`Problem`], with its kind when it has one.
    pub fn from_problem(summary: &str, problem: Problem) -> Self {
        let mut outcome = Self::fail(format!("{summary}: {}", problem.message));
        outcome.error = problem.error;
        outcome
    }

    /// The step's result as the child sends it to the parent.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "status": self.status.name(),
            "summary": self.summary,
            "details": self.details,
            "warnings": self.warnings,
        });
        if let Some(error) = &self.error {
            value["error"] = error.clone();
        }
        if !self.data.is_null() {
            value["data"] = self.data.clone();
        }
        value
    }

    /// The step's result as the parent receives it; `None` if malformed.
    pub fn from_json(value: &Value) -> Option<Self> {
        let strings = |key: &str| -> Option<Vec<String>> {
            Some(
                value[key]
                    .as_array()?
                    .iter()
                    .filter_map(|d| d.as_str().map(str::to_owned))
                    .collect(),
            )
        };
        Some(Outcome {
            status: Status::from_name(value["status"].as_str()?)?,
            summary: value["summary"].as_str()?.to_owned(),
            details: strings("details")?,
            warnings: strings("warnings").unwrap_or_default(),
            error: value.get("error").cloned(),
            data: value.get("data").cloned().unwrap_or(Value::Null),
        })
    }
}

/// What went wrong in a step: a sentence, and the error's
/// `{"kind","message"}` when it has a kind.
#[derive(Clone, Debug)]
pub struct Problem {
    /// What went wrong.
    pub message: String,
    /// `{"kind","message"}`, when the problem is an error with a kind.
    pub error: Option<Value>,
}

impl Problem {
    /// A problem without an error kind.
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            error: None,
        }
    }

    /// A problem with the error kind `kind` (`null_slot`, …).
    pub fn with_kind(kind: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Problem {
            error: Some(json!({ "kind": kind, "message": message })),
            message,
        }
    }

    /// `call` failed with `error`: the message names the call, the kind is
    /// the call error's (`not_found`, `panic`, `invalid_output`, …).
    pub fn call(call: &str, error: &tenon::CallError) -> Self {
        Problem {
            message: format!("{call} failed: {error}"),
            error: Some(json::call_error(error)),
        }
    }

    /// The same problem, its message prefixed with `context: `.
    pub fn context(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem::new(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Problem::new(message)
    }
}

impl From<tenon::CallError> for Problem {
    /// A failed call, with its kind: what `?` makes of a call's error in a
    /// registered case.
    fn from(error: tenon::CallError) -> Self {
        Problem {
            message: error.to_string(),
            error: Some(json::call_error(&error)),
        }
    }
}

impl From<tenon::Error> for Problem {
    fn from(error: tenon::Error) -> Self {
        Problem::from(&error)
    }
}

impl From<&tenon::Error> for Problem {
    fn from(error: &tenon::Error) -> Self {
        Problem {
            message: error.to_string(),
            error: Some(json::error(error)),
        }
    }
}
