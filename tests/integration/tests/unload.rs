//! Dropping the last plugin, instance and handle unloads the library. Alone
//! in its test binary, so that no other test holds the same library.

#[cfg(target_os = "linux")]
#[test]
fn the_library_is_unloaded_when_the_last_owner_is_dropped() {
    use tenon::Plugin;
    use tenon_example_interfaces::Greeter;

    let path = std::fs::canonicalize(tenon_example_plugins::c_plugin("greeter")).unwrap();
    let mapped = || {
        std::fs::read_to_string("/proc/self/maps")
            .unwrap()
            .lines()
            .any(|line| line.ends_with(path.to_str().unwrap()))
    };
    assert!(!mapped());
    let plugin = Plugin::load(&path).unwrap();
    assert!(mapped());
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    drop(plugin);
    assert!(mapped(), "the instance keeps the library loaded");
    assert_eq!(greeter.greet("you").unwrap(), "Hello, you!");
    drop(greeter);
    drop(instance);
    assert!(!mapped(), "the last owner is gone: the library is unloaded");

    // Clones share one library.
    let plugin = Plugin::load(&path).unwrap();
    let clone = plugin.clone();
    drop(plugin);
    assert!(mapped());
    drop(clone);
    assert!(!mapped());
}
