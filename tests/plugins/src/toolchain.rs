//! Reporting missing toolchains: loudly, on stderr, and as errors when
//! `TENON_REQUIRE_TOOLCHAINS=1`.

use std::env;
use std::sync::{Mutex, PoisonError};

use crate::{BuildError, ExamplePlugin, Examples};

/// Reports every missing example on stderr as `TOOLCHAIN MISSING: ...`
/// (each message once per process), and returns the built ones, or, when
/// `TENON_REQUIRE_TOOLCHAINS=1`, the first missing toolchain as an error.
pub(crate) fn report_missing(examples: Examples) -> Result<Vec<ExamplePlugin>, BuildError> {
    static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let required = env::var("TENON_REQUIRE_TOOLCHAINS").as_deref() == Ok("1");
    let consequence = if required {
        "an error, as TENON_REQUIRE_TOOLCHAINS=1"
    } else {
        "skipped (TENON_REQUIRE_TOOLCHAINS=1 makes this an error)"
    };
    {
        let mut reported = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
        for missing in &examples.missing {
            let message = format!("\n*** {missing}; {consequence} ***\n\n");
            if !reported.contains(&message) {
                to_stderr(&message);
                reported.push(message);
            }
        }
    }
    match examples.missing.into_iter().next() {
        Some(missing) if required => Err(missing.error),
        _ => Ok(examples.built),
    }
}

/// Writes `message` straight to stderr: not through eprintln!, which test
/// harnesses capture and hide for passing tests.
pub(crate) fn to_stderr(message: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
}
