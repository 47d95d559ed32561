//! Making a C program able to serve as an isolated plugin's child.

use crate::boundary::infallible;

/// Call first thing in `main` of a host that loads plugins isolated
/// without a runner (`tenon_options_runner`): an isolated plugin's child
/// process is this program started again, and in that process this call
/// never returns — it loads the plugin, serves its calls and exits when
/// the host goes away. In the host it returns at once.
///
/// Threads: the main thread, before any other thread is started.
#[no_mangle]
pub extern "C" fn tenon_isolation_init() {
    infallible((), tenon::isolation::init);
}
