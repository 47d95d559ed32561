//! Builds every example plugin, fixture and the isolation runner for the
//! target named by `TENON_TEST_PLUGINS_TARGET` (default: this program's)
//! and prints the path of their list, for test binaries that cannot build
//! them themselves (Windows tests under Wine: `scripts/test-windows.sh`).

use std::process::ExitCode;

fn main() -> ExitCode {
    match tenon_test_plugins::prebuild() {
        Ok(list) => {
            println!("{}", list.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("tenon-prebuild-plugins: {error}");
            ExitCode::FAILURE
        }
    }
}
