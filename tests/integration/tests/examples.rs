//! Every example plugin, in every language, behaves as its interface says.

use tenon::{Plugin, Status};
use tenon_example_interfaces::{Greeter, Kv, Processor};
use tenon_example_plugins::{c_plugin, rust_plugin};

fn greeters() -> Vec<(&'static str, Plugin)> {
    vec![
        (
            "c",
            Plugin::load(c_plugin("greeter")).expect("C greeter loads"),
        ),
        (
            "rust",
            Plugin::load(rust_plugin("greeter-rust").expect("Rust greeter builds"))
                .expect("Rust greeter loads"),
        ),
    ]
}

#[test]
fn greeters_greet_by_name_in_every_language() {
    for (language, plugin) in greeters() {
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        assert_eq!(
            greeter.greet("world").unwrap(),
            "Hello, world!",
            "{language}"
        );
        assert_eq!(
            greeter.greet("").unwrap(),
            "Hello, !",
            "{language}: empty name"
        );
        assert_eq!(
            greeter.greet("Zoë 👋 世界").unwrap(),
            "Hello, Zoë 👋 世界!",
            "{language}: non-ASCII"
        );
        let long = "x".repeat(1 << 20);
        assert_eq!(
            greeter.greet(&long).unwrap(),
            format!("Hello, {long}!"),
            "{language}: 1 MiB name"
        );
    }
}

#[test]
fn greeter_metadata_is_read_from_the_descriptor() {
    for (language, plugin) in greeters() {
        let info = plugin.info();
        assert_eq!(info.name, format!("greeter-{language}"));
        assert_eq!(info.version, tenon::semver::Version::new(1, 0, 0));
        assert_eq!(info.abi, tenon::AbiVersion::HOST);
        assert!(info.thread_safe(), "{language}");
        assert_eq!(info.interfaces.len(), 1);
        assert_eq!(info.interfaces[0].id, "org.tenon.example.greeter");
        assert_eq!(info.interfaces[0].version, 1);
        assert!(info.interfaces[0].vtable_size >= 16, "{language}");
        assert!(
            info.description.as_deref().is_some_and(|d| !d.is_empty()),
            "{language}"
        );
    }
}

#[test]
fn the_rust_greeter_reads_its_config_and_rejects_unknown_languages() {
    let plugin = Plugin::load(rust_plugin("greeter-rust").unwrap()).unwrap();
    let french = plugin.instantiate("fr").unwrap();
    assert_eq!(
        french
            .interface::<dyn Greeter>()
            .unwrap()
            .greet("monde")
            .unwrap(),
        "Bonjour, monde!"
    );
    let error = plugin
        .instantiate("tlh")
        .expect_err("unknown language is refused");
    assert_eq!(error.kind(), "create_failed");
    match error {
        tenon::Error::CreateFailed {
            status, message, ..
        } => {
            assert_eq!(status, Status::INVALID_ARGUMENT);
            assert!(message.contains("unknown language \"tlh\""), "{message}");
        }
        other => panic!("expected CreateFailed, got {other:?}"),
    }
}

#[test]
fn the_c_processor_computes_crc32() {
    let plugin = Plugin::load(c_plugin("processor")).unwrap();
    assert_eq!(plugin.info().name, "processor-c");
    let instance = plugin.instantiate("").unwrap();
    let processor = instance.interface::<dyn Processor>().unwrap();
    assert_eq!(processor.name().unwrap(), "crc32");
    // The check value of CRC-32/ISO-HDLC (zlib's crc32).
    assert_eq!(
        processor.process(b"123456789").unwrap(),
        0xCBF4_3926u32.to_be_bytes()
    );
    assert_eq!(processor.process(b"").unwrap(), 0u32.to_be_bytes());
    let large = vec![0xA5u8; 1 << 20];
    assert_eq!(
        processor.process(&large).unwrap(),
        crc32(&large).to_be_bytes()
    );
}

/// A bitwise reference CRC-32 (reflected, polynomial 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_rust_kv_stores_and_reports_missing_keys_distinctly() {
    let plugin = Plugin::load(rust_plugin("kv-rust").unwrap()).unwrap();
    let instance = plugin.instantiate("").unwrap();
    let kv = instance.interface::<dyn Kv>().unwrap();

    assert_eq!(kv.len().unwrap(), 0);
    let missing = kv.get("absent").unwrap_err();
    assert_eq!(missing.status(), Status::NOT_FOUND);
    assert!(missing.message().contains("absent"), "{missing}");

    kv.put("ключ", b"value").unwrap();
    kv.put("empty", b"").unwrap();
    let large = vec![7u8; 1 << 20];
    kv.put("large", &large).unwrap();
    assert_eq!(kv.get("ключ").unwrap(), b"value");
    assert_eq!(kv.get("empty").unwrap(), b"");
    assert_eq!(kv.get("large").unwrap(), large);
    assert_eq!(kv.len().unwrap(), 3);

    kv.put("ключ", b"replaced").unwrap();
    assert_eq!(kv.get("ключ").unwrap(), b"replaced");
    kv.remove("ключ").unwrap();
    assert_eq!(kv.remove("ключ").unwrap_err().status(), Status::NOT_FOUND);
    assert_eq!(kv.get("ключ").unwrap_err().status(), Status::NOT_FOUND);
    assert_eq!(kv.len().unwrap(), 2);
}

#[test]
fn instances_of_one_plugin_are_independent() {
    let plugin = Plugin::load(rust_plugin("kv-rust").unwrap()).unwrap();
    let first = plugin.instantiate("").unwrap();
    let second = plugin.instantiate("").unwrap();
    first.interface::<dyn Kv>().unwrap().put("k", b"1").unwrap();
    assert_eq!(second.interface::<dyn Kv>().unwrap().len().unwrap(), 0);
}

#[test]
fn an_instance_keeps_its_library_loaded_after_the_plugin_is_dropped() {
    let instance = {
        let plugin = Plugin::load(c_plugin("greeter")).unwrap();
        plugin.instantiate("").unwrap()
    };
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("still here").unwrap(), "Hello, still here!");
}
