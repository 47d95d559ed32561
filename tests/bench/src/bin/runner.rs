//! The small program the `isolated/greeter-c/start-runner` case spawns as
//! the plugin's child (`Isolation::runner`), to compare with re-executing
//! the large benchmark binary itself: nothing but
//! `tenon::isolation::init()` and the example interfaces it dispatches.

use tenon_example_interfaces as _;

fn main() {
    tenon::isolation::init();
    eprintln!("tenon-bench-runner is started by an isolating host, not by hand");
    std::process::exit(2);
}
