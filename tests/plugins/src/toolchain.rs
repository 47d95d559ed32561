//! Missing toolchains, for every test, tool and build of this workspace:
//! reported loudly on stderr, or a failure when `TENON_REQUIRE_TOOLCHAINS=1`
//! (as CI sets it). This is the one place that reads the variable.

use std::env;
use std::io::Write as _;

/// The environment variable that turns every skip for a missing toolchain
/// into a failure: set it to `1`.
pub const REQUIRE_TOOLCHAINS_ENV: &str = "TENON_REQUIRE_TOOLCHAINS";

/// Whether every toolchain is required: `TENON_REQUIRE_TOOLCHAINS` is `1`.
pub fn required() -> bool {
    env::var(REQUIRE_TOOLCHAINS_ENV).as_deref() == Ok("1")
}

/// Reports that `tool` is missing (`why`: what was tried, how to get it)
/// and that what needs it is skipped: a loud line on stderr, or, when
/// [`required`], a panic with the same words.
pub fn missing(tool: &str, why: &str) {
    let message = format!("TOOLCHAIN MISSING: {tool} ({why}); skipping what needs it");
    if required() {
        panic!("{message}, but {REQUIRE_TOOLCHAINS_ENV}=1 requires every toolchain");
    }
    loud(&message);
}

/// Writes `message`, set off by blank lines and stars, straight to stderr:
/// not through `eprintln!`, which the test harness captures and hides for
/// passing tests.
pub fn loud(message: &str) {
    let _ = write!(std::io::stderr(), "\n*** {message} ***\n\n");
}
