//! The standard state interface, `org.tenon.state` version 1
//! (`include/tenon/state.h`), through which a host carries an instance's
//! state from one build of a plugin to the next when it reloads it.

// `interface!` is written for other crates, where lints inside an external
// macro's expansion are silent; expanded in its own crate they are not.
#![allow(unused_parens, unused_variables, unused_unsafe)]

use crate::c_id;

crate::interface! {
    /// Saves an instance's state to bytes and restores it from them
    /// (`org.tenon.state`, version 1, declared in `include/tenon/state.h`).
    ///
    /// A host that reloads a plugin with state hand-over (`tenon::reload`)
    /// calls [`save`](State::save) on the old instance when no other call is
    /// in flight, and [`restore`](State::restore) on the new build's fresh
    /// instance before any other call; a failing `restore` keeps the old
    /// build serving. The bytes are the plugin's own format: start them
    /// with a format version so that a later build can tell what it reads.
    pub trait State {
        const ID = c_id(crate::sys::TENON_STATE_ID);
        const VERSION = crate::sys::TENON_STATE_VERSION;
        type Vtable = crate::sys::tenon_state_v1;

        /// The instance's whole state, as a consistent snapshot; must not
        /// change the instance.
        fn save(&self) -> Vec<u8>;
        /// Replaces the instance's state with `state`, which an earlier
        /// `save` (possibly of another build) wrote; fails with
        /// `invalid_argument` when it cannot read it.
        fn restore(&self, state: &[u8]);
    }
}
