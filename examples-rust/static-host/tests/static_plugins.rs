//! The four greeters linked in statically and the same four as shared
//! libraries, through one registry: eight plugins, told apart by origin,
//! each called; nothing exported by the binary; a broken static plugin
//! refused with the same kind of error as its file build.

use std::collections::BTreeMap;
use std::process::Command;
use tenon::{static_entry, Origin, Plugin, Prefer, Registry};
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::toolchain::{missing, required};
use tenon_test_plugins::{c_fixture, c_plugin, cpp_plugin, rust_plugin, zig_plugin};

/// The shared-library builds of the four greeters (Zig's when Zig is
/// installed, like its static build).
fn greeter_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![
        c_plugin("greeter"),
        rust_plugin("greeter-rust").expect("the Rust greeter builds"),
    ];
    if tenon_static_host::cpp_linked_in() {
        files.push(cpp_plugin("greeter-cpp"));
    }
    match zig_plugin("greeter") {
        Ok(path) => files.push(path),
        Err(error) => missing("zig", &error.to_string()),
    }
    files
}

/// Both builds of every greeter in one registry.
fn both_builds(prefer: Prefer) -> Registry {
    if required() {
        assert!(
            tenon_static_host::zig_linked_in() && tenon_static_host::cpp_linked_in(),
            "TOOLCHAIN MISSING: zig or c++ was not found when tenon-static-host was built"
        );
    }
    let mut registry = tenon_static_host::built_in(Registry::new()).prefer(prefer);
    for file in greeter_files() {
        registry = registry.with_file(file);
    }
    registry
}

fn greet(plugin: &Plugin, name: &str) -> String {
    let instance = plugin.instantiate("").expect("an instance");
    let greeter = instance.interface::<dyn Greeter>().expect("the greeter");
    greeter.greet(name).expect("a greeting")
}

#[test]
fn eight_greeters_four_linked_in_four_files_are_listed_and_called() {
    let registry = both_builds(Prefer::File);
    // Eight with every toolchain; two fewer per missing one.
    let expected = 2 * tenon_static_host::linked_in_names().len();
    assert_eq!(registry.entries().len(), expected);
    if tenon_static_host::zig_linked_in() && tenon_static_host::cpp_linked_in() {
        assert_eq!(expected, 8);
    }
    let mut builds: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for entry in registry.entries() {
        let plugin = entry
            .plugin()
            .unwrap_or_else(|e| panic!("{} refused: {e}", entry.origin()));
        assert_eq!(entry.origin().is_static(), plugin.is_static());
        match entry.origin() {
            Origin::Static(name) => {
                assert_eq!(name, plugin.name());
                assert_eq!(
                    plugin.info().path.to_str(),
                    Some(&*format!("static:{name}"))
                );
            }
            Origin::File(path) => assert!(path.is_file(), "{}", path.display()),
        }
        assert_eq!(
            greet(plugin, "world"),
            "Hello, world!",
            "{}",
            entry.origin()
        );
        builds
            .entry(plugin.name().to_owned())
            .or_default()
            .push(plugin.is_static());
    }
    for (name, kinds) in &builds {
        assert_eq!(kinds.len(), 2, "{name}: {kinds:?}");
        assert!(kinds.contains(&true) && kinds.contains(&false), "{name}");
    }
    let mut names: Vec<&str> = builds.keys().map(String::as_str).collect();
    let mut linked = tenon_static_host::linked_in_names();
    names.sort_unstable();
    linked.sort_unstable();
    assert_eq!(names, linked);
}

#[test]
fn the_preferred_build_is_chosen_and_the_other_stays_reachable() {
    let files_first = both_builds(Prefer::File);
    let statics_first = both_builds(Prefer::Static);
    for name in tenon_static_host::linked_in_names() {
        assert!(!files_first.get(name).expect(name).is_static(), "{name}");
        assert!(statics_first.get(name).expect(name).is_static(), "{name}");
        assert!(files_first.get_from(name, true).expect(name).is_static());
        assert!(!statics_first.get_from(name, false).expect(name).is_static());
    }
    // Only linked in: the static build, whatever the preference.
    let alone = tenon_static_host::built_in(Registry::new());
    assert!(alone.get("greeter-c").expect("greeter-c").is_static());
}

#[test]
fn instances_of_a_static_plugin_are_independent_and_outlive_the_registry() {
    let registry = tenon_static_host::built_in(Registry::new());
    let plugin = registry.get("greeter-rust").expect("greeter-rust").clone();
    drop(registry);
    let french = plugin.instantiate("fr").expect("fr");
    let english = plugin.instantiate("en").expect("en");
    drop(plugin);
    let fr = french.interface::<dyn Greeter>().expect("greeter");
    let en = english.interface::<dyn Greeter>().expect("greeter");
    assert_eq!(fr.greet("Ada").expect("greet"), "Bonjour, Ada!");
    assert_eq!(en.greet("Ada").expect("greet"), "Hello, Ada!");
}

#[test]
fn a_broken_static_plugin_is_refused_like_its_file_build() {
    let registry =
        Registry::new().with_static("null-create", static_entry!(tenon_plugin_v1_null_create));
    let entry = &registry.entries()[0];
    assert_eq!(entry.origin(), &Origin::Static("null-create".to_owned()));
    let linked = entry.plugin().expect_err("create is NULL");
    let file = Plugin::load(c_fixture("null_create")).expect_err("create is NULL");
    assert_eq!(linked.kind(), "invalid_metadata");
    assert_eq!(linked.kind(), file.kind());
    let message = linked.to_string();
    assert!(message.contains("static:null-create"), "{message}");
    assert!(message.contains("create"), "{message}");
    assert_eq!(registry.plugins().count(), 0);
    assert!(registry.get("fixture-null-create").is_none());
}

#[test]
fn a_loader_verifies_a_static_plugin_without_a_registry() {
    let plugin = Plugin::loader()
        .load_static("greeter-c", static_entry!(tenon_plugin_v1_greeter_c))
        .expect("the linked-in C greeter");
    assert!(plugin.is_static());
    assert_eq!(plugin.info().path.to_str(), Some("static:greeter-c"));
    assert_eq!(greet(&plugin, "Ada"), "Hello, Ada!");
    let error = Plugin::loader()
        .isolated(tenon::isolation::Isolation::new())
        .load_static("greeter-c", static_entry!(tenon_plugin_v1_greeter_c))
        .expect_err("linked in");
    assert_eq!(error.kind(), "isolation_unsupported");
}

#[test]
fn a_static_plugin_cannot_be_isolated() {
    let registry = tenon_static_host::built_in(Registry::with_loader(
        Plugin::loader().isolated(tenon::isolation::Isolation::new()),
    ));
    for entry in registry.entries() {
        let error = entry.plugin().expect_err("linked in");
        assert_eq!(error.kind(), "isolation_unsupported", "{}", entry.origin());
    }
}

/// The binary exports no entry (nor anything of Tenon's), and each static
/// entry is in it once, under its own name, local to the binary.
#[test]
fn the_host_binary_exports_no_entry_and_has_no_collision() {
    let binary = env!("CARGO_BIN_EXE_tenon-static-host");
    let nm = |args: &[&str]| -> String {
        let output = Command::new("nm")
            .args(args)
            .arg(binary)
            .output()
            .expect("nm runs (binutils)");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let exported = nm(&["-D", "--defined-only"]);
    assert!(
        !exported.contains("tenon"),
        "the host exports Tenon symbols:\n{exported}"
    );
    let all = nm(&[]);
    let symbols: Vec<(&str, &str)> = all
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().rev();
            let name = fields.next()?;
            let kind = fields.next()?;
            Some((kind, name))
        })
        .collect();
    assert!(
        !symbols.iter().any(|(_, name)| *name == "tenon_plugin_v1"),
        "a plain tenon_plugin_v1 is linked in"
    );
    let mut entries = vec!["tenon_plugin_v1_greeter_c"];
    if tenon_static_host::cpp_linked_in() {
        entries.push("tenon_plugin_v1_greeter_cpp");
    }
    if tenon_static_host::zig_linked_in() {
        entries.push("tenon_plugin_v1_greeter_zig");
    }
    for entry in entries {
        let found: Vec<&(&str, &str)> = symbols.iter().filter(|(_, n)| *n == entry).collect();
        assert_eq!(found.len(), 1, "{entry}: {found:?}");
        // Hidden in its object, so local to the binary.
        assert_eq!(found[0].0, "t", "{entry} is not local: {found:?}");
    }
    // The Rust entry is a mangled path, never the plain symbol.
    assert!(
        symbols
            .iter()
            .any(|(_, n)| n.contains("greeter_rust_static") && n.contains("tenon_plugin_v1")),
        "the Rust greeter's entry is missing"
    );
    // The test fixture is referenced by the tests only.
    assert!(!symbols.iter().any(|(_, n)| n.contains("null_create")));
}

/// docs/static.md's registry example is compiled as a doctest of this
/// crate, but a doctest that is not run is not linked either: that each
/// entry it names exists is checked here, against the registrations of
/// src/lib.rs, which this binary links and the tests above call.
#[test]
fn the_static_guide_registers_the_entries_this_crate_links() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let guide = std::fs::read_to_string(root.join("docs/static.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("examples-rust/static-host/src/lib.rs")).unwrap();
    // lib.rs writes one registration a line, the guide a chain of them.
    let registered: Vec<String> = lib
        .lines()
        .filter_map(|line| line.split_once(".with_static("))
        .map(|(_, call)| call.trim_end_matches(';').to_owned())
        .collect();
    let named: Vec<&str> = guide
        .lines()
        .filter_map(|line| line.trim().strip_prefix(".with_static("))
        .collect();
    assert_eq!(
        named.len(),
        4,
        "docs/static.md registers the four greeters: {named:?}"
    );
    for call in named {
        assert!(
            registered.iter().any(|r| r == call),
            "docs/static.md registers .with_static({call}, which src/lib.rs does not: {registered:?}"
        );
    }
}
