//! Dropping the last plugin, instance and handle unloads the library. Alone
//! in its test binary, so that no other test holds the same library.
//!
//! The Rust case matters on its own: a Rust plugin links its own copy of
//! `tenon-interface`, and a thread-local that needs dropping, touched on a
//! host thread by that copy (in `create`, a call or `destroy`), would make
//! glibc keep the library mapped until the thread exits.

/// Whether `path` is mapped into this process.
#[cfg(target_os = "linux")]
fn mapped(path: &std::path::Path) -> bool {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .any(|line| line.ends_with(path.to_str().unwrap()))
}

#[cfg(target_os = "linux")]
#[test]
fn the_library_is_unloaded_when_the_last_owner_is_dropped() {
    use tenon::Plugin;
    use tenon_example_interfaces::Greeter;

    let path = std::fs::canonicalize(tenon_test_plugins::c_plugin("greeter")).unwrap();
    let mapped = || mapped(&path);
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

#[cfg(target_os = "linux")]
#[test]
fn a_rust_plugin_is_unloaded_after_use_on_this_thread() {
    use tenon::Plugin;
    use tenon_example_interfaces::Greeter;

    let path =
        std::fs::canonicalize(tenon_test_plugins::rust_plugin("greeter-rust").unwrap()).unwrap();
    assert!(!mapped(&path));
    let plugin = Plugin::load(&path).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("you").unwrap(), "Hello, you!");
    drop(greeter);
    drop(instance);
    drop(plugin);
    assert!(
        !mapped(&path),
        "a Rust plugin created, called and destroyed on this thread must leave no thread-local \
         destructor behind that pins its library"
    );
}
