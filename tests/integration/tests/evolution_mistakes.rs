//! An interface author's mistake seen from the host: a method appended to
//! `org.tenon.test.evolve` but declared without `#[revision(2)]` makes it
//! part of revision 1, so a plugin built before it is refused with
//! `vtable_too_small`, and the message names the missing revision as a
//! cause. In process only, and in a test binary of its own, so that this
//! declaration of the interface is not the one other tests' programs
//! register for it.

use tenon::Plugin;
use tenon_test_plugins::c_fixture;

tenon::interface! {
    /// `org.tenon.test.evolve` with `farewell` appended but not tagged.
    pub trait UntaggedEvolve {
        const ID = c"org.tenon.test.evolve";
        const VERSION = 1;
        type Vtable = tenon_test_evolve::r2::test_evolve_v1;

        /// A greeting for `name`.
        fn greet(&self, name: &str) -> String;
        /// Appended in revision 2, declared as if it were revision 1.
        fn farewell(&self, name: &str) -> String;
    }
}

#[test]
fn a_method_appended_without_its_revision_refuses_older_plugins_and_says_why() {
    let plugin = Plugin::load(c_fixture("evolve_r1")).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let error = instance.interface::<dyn UntaggedEvolve>().unwrap_err();
    assert_eq!(error.kind(), "vtable_too_small", "{error}");
    let message = error.to_string();
    assert!(
        message.contains("#[revision(N)] in Rust")
            && message.contains("[revision N] in the header"),
        "{message}"
    );
}
