//! The child program of the isolated conformance suite: a host test that
//! runs under libtest cannot re-execute itself as the child (libtest owns
//! its `main`), so it names this program with `Isolation::runner`. Like any
//! runner, it is nothing but `tenon::isolation::init()` at the top of
//! `main`; it links the example interfaces so that the child can dispatch
//! their calls.

use tenon_example_interfaces as _;

fn main() {
    tenon::isolation::init();
    eprintln!(
        "tenon-isolation-runner serves isolated plugins for a Tenon host; it is started by \
         the host, not by hand"
    );
    std::process::exit(2);
}
