//! A runner for isolated plugins: `tenon::isolation::init()` and the
//! interfaces the workspace's plugins implement (the example interfaces),
//! so that it can serve any of them. Test binaries cannot serve as the
//! child themselves (libtest owns their `main`), so they name this program
//! with `Isolation::runner` (`tenon_test_plugins::isolation_runner()`
//! builds it and gives its path).

// Links the crate that declares the interfaces: its `interface!`
// declarations register themselves, and the child finds them by id.
use tenon_example_interfaces as _;
use tenon_test_evolve as _;

fn main() {
    tenon::isolation::init();
    eprintln!(
        "tenon-test-runner serves isolated plugins; it is started by a Tenon host (Isolation::runner), not by hand"
    );
    std::process::exit(2);
}
