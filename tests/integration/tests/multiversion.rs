//! One build that offers two versions of an interface: `evolve_v1_v2.c`,
//! `evolve-v1-v2-rust`, `evolve_v1_v2_cpp.cpp` (`tenon/plugin.hpp`) and the
//! Zig fixture `evolve_v1_v2` (`sdk-zig`) list `org.tenon.test.evolve`
//! twice in their interface table, at version 1 (revision 2) and at version 2 (an
//! incompatible `greet(name, language)`, `tenon_test/evolve_v2.h`).
//!
//! - a host of version 1 and a host of version 2 each get their own entry
//!   of the one build, whichever the table lists first (the Rust fixture
//!   lists version 2 first, the others version 1), in process and isolated, through the Rust traits
//!   and the C vtable (`Instance::c_interface`);
//! - a host asking for a version the build does not offer gets
//!   `interface_version_mismatch` naming every version it does;
//! - a reloadable keeps the version it was made for: a new build that
//!   offers only another is refused, with a hint that fits a reload;
//! - a static plugin (linked into the host) serves each version too.

use std::path::PathBuf;

use tenon::isolation::Isolation;
use tenon::{Error, Interface, Plugin};
use tenon_test_evolve::{r2, v2};
use tenon_test_plugins::{
    c_fixture, cpp_fixture, cpp_toolchain, isolation_runner, rust_plugin, toolchain, zig_fixture,
    BuildError,
};

/// The two-version builds, with their language's label as their greetings
/// spell it. Languages whose toolchain is missing are reported and left
/// out (unless `TENON_REQUIRE_TOOLCHAINS=1`).
fn plugins() -> Vec<(&'static str, PathBuf)> {
    let mut plugins = vec![
        ("C", c_fixture("evolve_v1_v2")),
        (
            "Rust",
            rust_plugin("evolve-v1-v2-rust").expect("the Rust fixture builds"),
        ),
    ];
    match cpp_toolchain() {
        Ok(()) => plugins.push(("C++", cpp_fixture("evolve_v1_v2_cpp"))),
        Err(error) => toolchain::missing("c++", &error.to_string()),
    }
    match zig_fixture("evolve_v1_v2") {
        Ok(path) => plugins.push(("Zig", path)),
        Err(error @ BuildError::ToolchainMissing { .. }) => {
            toolchain::missing("zig", &error.to_string())
        }
        Err(error) => panic!("the Zig fixture does not build: {error}"),
    }
    plugins
}

fn loaders() -> Vec<(&'static str, tenon::Loader)> {
    let mut loaders = vec![("in process", Plugin::loader())];
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        loaders.push((
            "isolated",
            Plugin::loader().isolated(
                Isolation::new().runner(isolation_runner().expect("the test runner builds")),
            ),
        ));
    }
    loaders
}

tenon::interface! {
    /// `org.tenon.test.evolve` at a version no fixture offers.
    pub trait EvolveV3 {
        const ID = c"org.tenon.test.evolve";
        const VERSION = 3;
        type Vtable = v2::test_evolve_v2;
        fn greet(&self, name: &str, language: &str) -> String;
    }
}

#[test]
fn one_build_serves_a_version_1_host_and_a_version_2_host() {
    use r2::Evolve as _;
    use v2::EvolveV2 as _;
    let id = <dyn v2::EvolveV2 as Interface>::ID;
    for (language, path) in plugins() {
        for (mode, loader) in loaders() {
            let what = format!("{language} {mode}");
            let plugin = loader
                .load(&path)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            let mut offered: Vec<(&str, u32)> = plugin
                .info()
                .interfaces
                .iter()
                .map(|i| (i.id.as_str(), i.version))
                .collect();
            // In the table's order, which differs between the fixtures.
            offered.sort_unstable();
            assert_eq!(offered, [(id, 1), (id, 2)], "{what}");
            plugin.require::<dyn r2::Evolve>().unwrap();
            plugin.require::<dyn v2::EvolveV2>().unwrap();

            let instance = plugin.instantiate("").unwrap();
            let v1 = instance.interface::<dyn r2::Evolve>().unwrap();
            assert_eq!(
                v1.greet("Ada").unwrap(),
                format!("v1 {language} hello, Ada")
            );
            assert_eq!(
                v1.farewell("Ada").unwrap(),
                format!("v1 {language} goodbye, Ada")
            );
            assert_eq!(v1.revision(), 2, "{what}");
            let v2 = instance.interface::<dyn v2::EvolveV2>().unwrap();
            assert_eq!(
                v2.greet("Ada", "fr").unwrap(),
                format!("v2 {language} bonjour, Ada")
            );
            assert!(v2.provides("greet"), "{what}");
            assert_eq!(v2.revision(), 1, "{what}");
            // Both at once, and version 1 again after version 2.
            assert_eq!(
                v1.greet("Grace").unwrap(),
                format!("v1 {language} hello, Grace")
            );

            // A C caller asks by id and version: each gets its own vtable.
            let size_1 = size_of::<r2::test_evolve_v1>();
            let size_2 = size_of::<v2::test_evolve_v2>();
            for (version, size) in [(1, size_1), (2, size_2)] {
                let found = instance
                    .c_interface(id, version, size)
                    .unwrap_or_else(|error| panic!("{what}, version {version}: {error}"));
                // SAFETY: every vtable, the proxy's included, starts with
                // its `uint32_t struct_size`, and the instance is alive.
                let struct_size = unsafe { found.vtable.cast::<u32>().read() };
                assert_eq!(struct_size as usize, size, "{what}, version {version}");
            }
        }
    }
}

#[test]
fn a_version_the_build_does_not_offer_names_every_version_it_does() {
    for (language, path) in plugins() {
        for (mode, loader) in loaders() {
            let what = format!("{language} {mode}");
            let plugin = loader.load(&path).unwrap();
            let instance = plugin.instantiate("").unwrap();
            let error = instance.interface::<dyn EvolveV3>().unwrap_err();
            match &error {
                Error::InterfaceVersionMismatch {
                    id,
                    offered,
                    versions,
                    requested,
                    ..
                } => {
                    assert_eq!(id, "org.tenon.test.evolve", "{what}");
                    assert_eq!((*offered, *requested), (2, 3), "{what}");
                    assert_eq!(versions, &[1, 2], "{what}");
                }
                other => panic!("{what}: expected InterfaceVersionMismatch, got {other:?}"),
            }
            let message = error.to_string();
            assert!(
                message.contains("at versions 1 and 2 only, but version 3 was asked for"),
                "{what}: {message}"
            );
            assert!(
                message.contains("one of versions 1 and 2 asks for it instead"),
                "{what}: {message}"
            );
            let error = instance
                .c_interface("org.tenon.test.evolve", 3, size_of::<v2::test_evolve_v2>())
                .err()
                .unwrap_or_else(|| panic!("{what}: version 3 was given"));
            assert_eq!(error.kind(), "interface_version_mismatch", "{what}");
            assert!(error.to_string().contains("versions 1 and 2"), "{what}");
        }
    }
}

/// A reloadable of version 2 made from the two-version build is refused a
/// new build that offers version 1 only, and goes on with the build it
/// has; one of version 1 takes that build, its entry of version 1 in
/// either.
#[test]
fn a_reloadable_keeps_the_version_it_was_made_for() {
    use r2::Evolve as _;
    use v2::EvolveV2 as _;
    let only_1 = c_fixture("evolve_r2");
    for (language, both) in plugins() {
        for (mode, loader) in loaders() {
            let what = format!("{language} {mode}");
            let evolve = loader
                .reloadable::<dyn v2::EvolveV2>(&both, "", tenon::ReloadOptions::stateless())
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            let error = evolve.reload_from(&only_1).unwrap_err();
            assert_eq!(
                error.kind(),
                "interface_version_mismatch",
                "{what}: {error}"
            );
            let message = error.to_string();
            assert!(
                message.contains("at version 1 only, but version 2 was asked for"),
                "{what}: {message}"
            );
            assert!(
                message.contains(
                    "a reloaded build must offer the version the reloadable was made for"
                ),
                "{what}: {message}"
            );
            assert_eq!(
                evolve.with(|e| e.greet("Ada", "fr")).unwrap(),
                format!("v2 {language} bonjour, Ada"),
                "{what}: the old build goes on"
            );

            let evolve = loader
                .reloadable::<dyn r2::Evolve>(&both, "", tenon::ReloadOptions::stateless())
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            evolve
                .reload_from(&only_1)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            assert_eq!(evolve.with(|e| e.greet("Ada")).unwrap(), "r2 C hello, Ada");
            evolve
                .reload_from(&both)
                .unwrap_or_else(|error| panic!("{what}: {error}"));
            assert_eq!(
                evolve.with(|e| e.greet("Ada")).unwrap(),
                format!("v1 {language} hello, Ada"),
                "{what}"
            );
        }
    }
}

/// A Rust plugin offering versions 1 and 2, linked into this test binary
/// as a static plugin is.
mod linked_in {
    use tenon_plugin::{CallResult, Host, Plugin};
    use tenon_test_evolve::r2::Evolve;
    use tenon_test_evolve::v2::EvolveV2;

    pub struct Both;

    impl Plugin for Both {
        fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
            Ok(Both)
        }
    }

    impl Evolve for Both {
        fn greet(&self, name: &str) -> CallResult<String> {
            Ok(format!("v1 static hello, {name}"))
        }

        fn farewell(&self, name: &str) -> CallResult<String> {
            Ok(format!("v1 static goodbye, {name}"))
        }
    }

    impl EvolveV2 for Both {
        fn greet(&self, name: &str, language: &str) -> CallResult<String> {
            Ok(format!("v2 static {language}, {name}"))
        }
    }

    tenon_plugin::export! {
        plugin: Both,
        name: "evolve-v1-v2-static",
        version: "1.0.0",
        description: "org.tenon.test.evolve, versions 1 and 2, linked in",
        thread_safe: true,
        interfaces: [dyn Evolve, dyn EvolveV2],
    }
}

#[test]
fn a_static_plugin_serves_each_version_it_offers() {
    use r2::Evolve as _;
    use v2::EvolveV2 as _;
    let registry =
        tenon::Registry::new().with_static("evolve-v1-v2-static", linked_in::tenon_plugin_v1);
    let plugin = registry.get("evolve-v1-v2-static").expect("registered");
    let instance = plugin.instantiate("").unwrap();
    let v1 = instance.interface::<dyn r2::Evolve>().unwrap();
    assert_eq!(v1.greet("Ada").unwrap(), "v1 static hello, Ada");
    assert_eq!(v1.farewell("Ada").unwrap(), "v1 static goodbye, Ada");
    let v2 = instance.interface::<dyn v2::EvolveV2>().unwrap();
    assert_eq!(v2.greet("Ada", "fr").unwrap(), "v2 static fr, Ada");
    let error = instance.interface::<dyn EvolveV3>().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("at versions 1 and 2 only, but version 3 was asked for"),
        "{error}"
    );
}
