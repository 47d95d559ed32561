//! `Loader::sha256`: a plugin loads only if its bytes have the digest the
//! host requires, and a mismatch runs none of its code.

use std::path::Path;
use std::process::Command;
use tenon::Plugin;
use tenon_example_interfaces::Greeter;
use tenon_test_plugins::c_plugin;

/// The file's SHA-256 as `sha256sum` computes it (an implementation
/// independent of the host's).
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "sha256sum failed");
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
#[cfg_attr(
    windows,
    ignore = "the reference digest comes from sha256sum, a Unix tool"
)]
fn a_plugin_with_the_required_digest_loads_and_works() {
    let path = c_plugin("greeter");
    let digest = sha256sum(&path);
    for given in [digest.clone(), digest.to_uppercase()] {
        let plugin = Plugin::loader().sha256(given).load(&path).unwrap();
        assert_eq!(plugin.info().path, std::fs::canonicalize(&path).unwrap());
        let instance = plugin.instantiate("").unwrap();
        let greeter = instance.interface::<dyn Greeter>().unwrap();
        assert!(greeter.greet("Ada").unwrap().contains("Ada"));
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "the reference digest comes from sha256sum, a Unix tool"
)]
fn a_plugin_whose_digest_differs_is_checksum_mismatch() {
    let path = c_plugin("greeter");
    let mut wrong = sha256sum(&path).into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).unwrap();
    let error = Plugin::loader().sha256(&wrong).load(&path).unwrap_err();
    assert_eq!(error.kind(), "checksum_mismatch", "{error}");
    let tenon::Error::ChecksumMismatch {
        expected, actual, ..
    } = &error
    else {
        panic!("expected ChecksumMismatch, got {error:?}");
    };
    assert_eq!(expected, &wrong);
    assert_eq!(actual, &sha256sum(&path));
    assert!(error.to_string().contains("SHA-256"), "{error}");
}

#[test]
fn a_digest_that_is_not_hex_is_refused_as_checksum_mismatch() {
    let error = Plugin::loader()
        .sha256("not a digest")
        .load(c_plugin("greeter"))
        .unwrap_err();
    assert_eq!(error.kind(), "checksum_mismatch", "{error}");
    assert!(error.to_string().contains("64 hexadecimal"), "{error}");
}
