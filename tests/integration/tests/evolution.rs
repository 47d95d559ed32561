//! Interface evolution across languages: `org.tenon.test.evolve`, version
//! 1, gained `farewell` in revision 2 (`tests/fixtures/include/tenon_test/`:
//! `evolve_r1.h`, `evolve.h`; Rust: `tenon-test-evolve`'s `r1` and `r2`).
//!
//! For a plugin in C, C++, Zig and Rust built against each revision:
//!
//! - a host that knows revision 2 loads a revision-1 plugin: `greet`
//!   works, `farewell` is the `CallError` kind `not_provided` (nothing is
//!   called), `provides("farewell")` is false and `revision()` 1;
//! - a host that knows only revision 1 loads a revision-2 plugin and calls
//!   it (it reads its own prefix of the larger vtable);
//! - a revision-2 plugin in a revision-2 host provides everything;
//! - the same, isolated (the proxy and the child's dispatcher honour the
//!   plugin's shorter vtable).
//!
//! The Rust guide's "Adding a method later" fragment, spliced into its `Kv`
//! declaration by this crate's `build.rs`, compiles and keeps the promises
//! the guide makes next to it for the C and Rust kv examples (revision 1).
//!
//! A missing toolchain (C++ compiler, zig) is reported as `TOOLCHAIN
//! MISSING` and its plugins skipped, unless `TENON_REQUIRE_TOOLCHAINS=1`.

use std::path::PathBuf;

use tenon::isolation::Isolation;
use tenon::Plugin;
use tenon_test_evolve::{r1, r2};
use tenon_test_plugins::{
    c_fixture, c_plugin, cpp_fixture, cpp_toolchain, isolation_runner, rust_plugin, toolchain,
    zig_fixture, BuildError,
};

/// The plugins built against `revision`, with their language's label as
/// their greetings spell it. Languages whose toolchain is missing are
/// reported and left out.
fn plugins(revision: u32) -> Vec<(&'static str, PathBuf)> {
    let mut plugins = vec![
        ("C", c_fixture(&format!("evolve_r{revision}"))),
        (
            "Rust",
            rust_plugin(&format!("evolve-r{revision}-rust")).expect("the Rust fixture builds"),
        ),
    ];
    match cpp_toolchain() {
        Ok(()) => plugins.push(("C++", cpp_fixture(&format!("evolve_r{revision}_cpp")))),
        Err(error) => toolchain::missing("c++", &error.to_string()),
    }
    match zig_fixture(&format!("evolve_r{revision}")) {
        Ok(path) => plugins.push(("Zig", path)),
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain::missing("zig", &error.to_string())
        }
        Err(error) => panic!("the Zig fixture does not build: {error}"),
    }
    plugins
}

fn isolated() -> Isolation {
    Isolation::new().runner(isolation_runner().expect("the test runner builds"))
}

/// Both ways of loading: in process, and isolated where supported.
fn load_both(path: &PathBuf) -> Vec<(&'static str, Plugin)> {
    let mut loaded = vec![("in process", Plugin::load(path).unwrap())];
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        loaded.push((
            "isolated",
            Plugin::loader().isolated(isolated()).load(path).unwrap(),
        ));
    }
    loaded
}

#[test]
fn a_revision_1_plugin_in_a_revision_2_host_does_not_provide_the_new_method() {
    use r2::Evolve as _;
    for (language, path) in plugins(1) {
        for (mode, plugin) in load_both(&path) {
            let what = format!("{language} {mode}");
            plugin
                .require::<dyn r2::Evolve>()
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            let instance = plugin.instantiate("").unwrap();
            let evolve = instance.interface::<dyn r2::Evolve>().unwrap();
            assert_eq!(
                evolve.greet("Ada").unwrap(),
                format!("r1 {language} hello, Ada"),
                "{what}"
            );
            assert!(evolve.provides("greet"), "{what}");
            assert!(!evolve.provides("farewell"), "{what}");
            assert_eq!(evolve.revision(), 1, "{what}");
            let error = evolve.farewell("Ada").unwrap_err();
            assert_eq!(error.kind_name(), "not_provided", "{what}: {error}");
            assert!(error.message().contains("farewell"), "{what}: {error}");
            let mut out = tenon::HostBuffer::new();
            let error = evolve.reusing(&mut out).farewell("Ada").unwrap_err();
            assert_eq!(error.kind_name(), "not_provided", "{what}: {error}");
            // The instance goes on.
            assert_eq!(
                evolve.greet("Grace").unwrap(),
                format!("r1 {language} hello, Grace"),
                "{what}"
            );
        }
    }
}

/// A reloadable of a revision-2 host sees each build's revision: a
/// revision-1 build lacks `farewell` (`not_provided`, nothing called), a
/// reload to a revision-2 build provides it, and a reload back lacks it
/// again; in process and isolated, where every build is reached through
/// the whole proxy vtable and only the build's own `struct_size` tells.
#[test]
fn a_reloadable_follows_the_revision_of_each_build() {
    use r2::Evolve as _;
    let revision_1 = plugins(1);
    let revision_2 = plugins(2);
    let mut loaders = vec![("in process", Plugin::loader())];
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        loaders.push(("isolated", Plugin::loader().isolated(isolated())));
    }
    for (mode, loader) in loaders {
        for ((language, old), (_, new)) in revision_1.iter().zip(&revision_2) {
            let what = format!("{language} {mode}");
            let evolve = loader
                .reloadable::<dyn r2::Evolve>(old, "", tenon::ReloadOptions::stateless())
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            let seen = |evolve: &tenon::Reloadable<dyn r2::Evolve>| {
                evolve.with(|e| {
                    (
                        e.revision(),
                        e.provides("farewell"),
                        e.farewell("Ada").map_err(|error| error.kind_name()),
                    )
                })
            };
            assert_eq!(seen(&evolve), (1, false, Err("not_provided")), "{what}");
            evolve
                .reload_from(new)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            let (revision, provides, farewell) = seen(&evolve);
            assert_eq!((revision, provides), (2, true), "{what}");
            assert!(farewell.is_ok(), "{what}: {farewell:?}");
            evolve
                .reload_from(old)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            assert_eq!(seen(&evolve), (1, false, Err("not_provided")), "{what}");
        }
    }
}

/// A reloadable's calls into a build of an earlier revision share one
/// vtable limited to the build's methods, made with the generation, rather
/// than each call's client copying its own: two clients alive at once (a
/// call made from inside another, on the thread-safe C build) go through
/// the same vtable, which still lacks `farewell`; in process and isolated.
/// After a reload, the new generation's build has its own.
#[test]
fn a_reloadable_limits_an_earlier_revision_once_per_build() {
    use r2::Evolve as _;
    let old = c_fixture("evolve_r1");
    let new = c_fixture("evolve_r2");
    let mut loaders = vec![("in process", Plugin::loader())];
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        loaders.push(("isolated", Plugin::loader().isolated(isolated())));
    }
    for (mode, loader) in loaders {
        let evolve = loader
            .reloadable::<dyn r2::Evolve>(&old, "", tenon::ReloadOptions::stateless())
            .unwrap_or_else(|error| panic!("{mode}: {error}"));
        let vtables = |evolve: &tenon::Reloadable<dyn r2::Evolve>| {
            evolve.with(|outer| {
                let inner = evolve.with(|inner| {
                    assert!(!inner.provides("farewell"), "{mode}");
                    std::ptr::from_ref(inner.vtable()) as usize
                });
                assert!(!outer.provides("farewell"), "{mode}");
                (std::ptr::from_ref(outer.vtable()) as usize, inner)
            })
        };
        let (outer, inner) = vtables(&evolve);
        assert_eq!(outer, inner, "{mode}: one vtable for both calls");
        assert_eq!(vtables(&evolve), (outer, outer), "{mode}: and for the next");
        assert_eq!(
            evolve.with(|e| e.farewell("Ada").map_err(|error| error.kind_name())),
            Err("not_provided"),
            "{mode}"
        );
        evolve.reload_from(&new).unwrap();
        assert!(evolve.with(|e| e.provides("farewell")), "{mode}");
        evolve.reload_from(&old).unwrap();
        let (outer, inner) = vtables(&evolve);
        assert_eq!(outer, inner, "{mode}: the new generation's own");
    }
}

/// A host that calls the C vtable itself (the C API's
/// `tenon_instance_interface`) and asks for the whole revision-2 struct is
/// refused a revision-1 plugin with `vtable_too_small`, isolated as in
/// process: the proxy's vtable is whole, but the plugin's is not. Revision
/// 1's part is given either way, and the vtable's `struct_size` is the
/// plugin's own, so that `TENON_HAS_FIELD` tells the revisions apart
/// isolated too.
#[test]
fn a_c_caller_asking_for_the_whole_revision_2_struct_is_refused_a_revision_1_plugin() {
    use tenon::Interface;
    let id = <dyn r2::Evolve as Interface>::ID;
    let version = <dyn r2::Evolve as Interface>::VERSION;
    let whole = std::mem::size_of::<<dyn r2::Evolve as Interface>::Vtable>();
    let revision_1 = std::mem::size_of::<<dyn r1::Evolve as Interface>::Vtable>();
    assert!(revision_1 < whole);
    for (language, path) in plugins(1) {
        for (mode, plugin) in load_both(&path) {
            let what = format!("{language} {mode}");
            let instance = plugin.instantiate("").unwrap();
            let error = instance
                .c_interface(id, version, whole)
                .err()
                .unwrap_or_else(|| panic!("{what}: the whole revision-2 struct was given"));
            assert_eq!(error.kind(), "vtable_too_small", "{what}: {error}");
            let found = instance
                .c_interface(id, version, revision_1)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            // SAFETY: every vtable, the proxy's included, starts with its
            // `uint32_t struct_size`, and the instance is alive.
            let struct_size = unsafe { found.vtable.cast::<u32>().read() };
            assert_eq!(struct_size as usize, revision_1, "{what}");
        }
    }
    for (language, path) in plugins(2) {
        for (mode, plugin) in load_both(&path) {
            let what = format!("{language} {mode}, revision 2");
            let instance = plugin.instantiate("").unwrap();
            let found = instance
                .c_interface(id, version, revision_1)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            // SAFETY: as above.
            let struct_size = unsafe { found.vtable.cast::<u32>().read() };
            assert_eq!(struct_size as usize, whole, "{what}");
        }
    }
}

#[test]
fn a_revision_2_plugin_in_a_revision_1_host_works() {
    use r1::Evolve as _;
    for (language, path) in plugins(2) {
        for (mode, plugin) in load_both(&path) {
            let what = format!("{language} {mode}");
            let instance = plugin.instantiate("").unwrap();
            let evolve = instance
                .interface::<dyn r1::Evolve>()
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            assert_eq!(
                evolve.greet("Ada").unwrap(),
                format!("r2 {language} hello, Ada"),
                "{what}"
            );
            assert_eq!(evolve.revision(), 1, "{what}");
        }
    }
}

#[test]
fn a_revision_2_plugin_in_a_revision_2_host_provides_everything() {
    use r2::Evolve as _;
    for (language, path) in plugins(2) {
        for (mode, plugin) in load_both(&path) {
            let what = format!("{language} {mode}");
            let instance = plugin.instantiate("").unwrap();
            let evolve = instance.interface::<dyn r2::Evolve>().unwrap();
            assert!(evolve.provides("farewell"), "{what}");
            assert_eq!(evolve.revision(), 2, "{what}");
            assert_eq!(
                evolve.farewell("Ada").unwrap(),
                format!("r2 {language} bye, Ada"),
                "{what}"
            );
        }
    }
}

/// A plugin built against revision 2 with the new slot left NULL loads;
/// a revision-2 host refuses the interface with `null_slot` naming the
/// method, while a revision-1 host, which reads only revision 1's slots,
/// uses it (guide-your-interface.md, "5. Revision 2"). Built at run time,
/// so not under Wine.
#[cfg(not(windows))]
#[test]
fn a_revision_2_plugin_with_the_new_slot_null_is_refused_by_a_revision_2_host_only() {
    let path = tenon_test_plugins::c_fixture_variant(
        "evolve_r2",
        &tenon_test_plugins::Variant::new().flag("-DEVOLVE_NULL_FAREWELL"),
    )
    .expect("the NULL-slot variant builds");
    let plugin = Plugin::load(&path).expect("a NULL slot is not a load error");
    let instance = plugin.instantiate("").unwrap();
    let Err(error) = instance.interface::<dyn r2::Evolve>() else {
        panic!("a revision-2 host took a NULL revision-2 slot");
    };
    assert_eq!(error.kind(), "null_slot", "{error}");
    assert!(error.to_string().contains("farewell"), "{error}");
    let error = plugin.require::<dyn r2::Evolve>().unwrap_err();
    assert_eq!(error.kind(), "null_slot", "{error}");
    use r1::Evolve as _;
    let evolve = instance.interface::<dyn r1::Evolve>().unwrap();
    assert_eq!(evolve.greet("Ada").unwrap(), "r2 C hello, Ada");
    assert_eq!(evolve.revision(), 1);
    // Isolated alike, though the runner declares revision 2 as well: it
    // checks only the slots the host's declaration has.
    if cfg!(target_os = "linux") {
        let plugin = Plugin::loader().isolated(isolated()).load(&path).unwrap();
        let instance = plugin.instantiate("").unwrap();
        let Err(error) = instance.interface::<dyn r2::Evolve>() else {
            panic!("a revision-2 host took a NULL revision-2 slot, isolated");
        };
        assert_eq!(error.kind(), "null_slot", "isolated: {error}");
        assert!(error.to_string().contains("farewell"), "isolated: {error}");
        let evolve = instance.interface::<dyn r1::Evolve>().unwrap();
        assert_eq!(evolve.greet("Ada").unwrap(), "r2 C hello, Ada");
        assert_eq!(evolve.revision(), 1);
        // Revision 1 asked first: revision 2 is still checked.
        let plugin = Plugin::loader().isolated(isolated()).load(&path).unwrap();
        let instance = plugin.instantiate("").unwrap();
        assert!(instance.interface::<dyn r1::Evolve>().is_ok());
        let Err(error) = instance.interface::<dyn r2::Evolve>() else {
            panic!("revision 2 after revision 1 took a NULL slot, isolated");
        };
        assert_eq!(error.kind(), "null_slot", "isolated: {error}");
    }
}

#[test]
fn the_rust_declarations_match_the_c_headers() {
    // The vtable sizes the C compiler gives each revision's header (the
    // `struct_size` the C plugins report) are those of the Rust structs.
    for (revision, size) in [
        (1, core::mem::size_of::<r1::test_evolve_v1>()),
        (2, core::mem::size_of::<r2::test_evolve_v1>()),
    ] {
        let plugin = Plugin::load(c_fixture(&format!("evolve_r{revision}"))).unwrap();
        assert_eq!(plugin.info().interfaces[0].vtable_size as usize, size);
    }
    assert_eq!(
        <dyn r2::Evolve as tenon::Interface>::MIN_VTABLE_SIZE,
        core::mem::size_of::<r1::test_evolve_v1>()
    );
}

/// A Rust plugin of revision 1 linked into this test binary, as a static
/// plugin would be.
mod linked_in {
    use tenon_plugin::{CallResult, Host, Plugin};
    use tenon_test_evolve::r1::Evolve;

    pub struct Old;

    impl Plugin for Old {
        fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
            Ok(Old)
        }
    }

    impl Evolve for Old {
        fn greet(&self, name: &str) -> CallResult<String> {
            Ok(format!("r1 static hello, {name}"))
        }
    }

    tenon_plugin::export! {
        plugin: Old,
        name: "evolve-r1-static",
        version: "1.0.0",
        description: "org.tenon.test.evolve, revision 1, linked in",
        thread_safe: true,
        interfaces: [dyn Evolve],
    }
}

#[test]
fn a_static_revision_1_plugin_in_a_revision_2_host_does_not_provide_the_new_method() {
    use r2::Evolve as _;
    let registry =
        tenon::Registry::new().with_static("evolve-r1-static", linked_in::tenon_plugin_v1);
    let plugin = registry.get("evolve-r1-static").expect("registered");
    let instance = plugin.instantiate("").unwrap();
    let evolve = instance.interface::<dyn r2::Evolve>().unwrap();
    assert_eq!(evolve.greet("Ada").unwrap(), "r1 static hello, Ada");
    assert_eq!(
        evolve.farewell("Ada").unwrap_err().kind_name(),
        "not_provided"
    );
    assert_eq!(evolve.revision(), 1);
}

/// `docs/guide-rust.md`'s `Kv` declaration grown by its "Adding a method
/// later" fragment (`build.rs` splices them), over the example kv vtable
/// with the fragment's `clear` appended, as the grown C header would have
/// it.
mod guide_kv_revision_2 {
    #![allow(missing_docs)]

    pub mod sys {
        use core::ffi::c_void;
        use tenon_interface::sys::{tenon_buffer, tenon_bytes, tenon_status, tenon_str};

        pub use tenon_example_interfaces::sys::{EXAMPLE_KV_ID, EXAMPLE_KV_VERSION};

        /// `example_kv_v1` of `tenon_examples/kv.h`, with `clear` appended.
        #[repr(C)]
        #[derive(Clone, Copy)]
        #[allow(non_camel_case_types)]
        pub struct example_kv_v1 {
            pub struct_size: u32,
            pub get: Option<
                unsafe extern "C" fn(
                    *mut c_void,
                    tenon_str,
                    *mut tenon_buffer,
                    *mut tenon_buffer,
                ) -> tenon_status,
            >,
            pub put: Option<
                unsafe extern "C" fn(
                    *mut c_void,
                    tenon_str,
                    tenon_bytes,
                    *mut tenon_buffer,
                ) -> tenon_status,
            >,
            pub remove: Option<
                unsafe extern "C" fn(*mut c_void, tenon_str, *mut tenon_buffer) -> tenon_status,
            >,
            pub len: Option<
                unsafe extern "C" fn(*mut c_void, *mut u64, *mut tenon_buffer) -> tenon_status,
            >,
            pub clear: Option<unsafe extern "C" fn(*mut c_void, *mut tenon_buffer) -> tenon_status>,
        }
    }

    include!(concat!(env!("OUT_DIR"), "/guide_rust_revision_2.rs"));
}

#[test]
fn the_rust_guide_revision_fragment_leaves_clear_not_provided_by_revision_1_plugins() {
    use guide_kv_revision_2::Kv as _;
    assert_eq!(
        <dyn guide_kv_revision_2::Kv as tenon::Interface>::MIN_VTABLE_SIZE,
        core::mem::size_of::<tenon_example_interfaces::sys::example_kv_v1>(),
        "clear is not part of revision 1"
    );
    for (what, path) in [
        ("C", c_plugin("kv")),
        ("Rust", rust_plugin("kv-rust").expect("kv-rust builds")),
    ] {
        let plugin = Plugin::load(&path).unwrap();
        let instance = plugin.instantiate("").unwrap();
        let kv = instance
            .interface::<dyn guide_kv_revision_2::Kv>()
            .unwrap_or_else(|error| panic!("{what}: {error}"));
        // What the guide says of a plugin built against the old declaration.
        assert!(!kv.provides("clear"), "{what}");
        assert_eq!(kv.revision(), 1, "{what}");
        kv.put("key", b"value").unwrap();
        let error = kv.clear().unwrap_err();
        assert_eq!(error.kind_name(), "not_provided", "{what}: {error}");
        assert_eq!(kv.len().unwrap(), 1, "{what}: clear reached the plugin");
    }
}
