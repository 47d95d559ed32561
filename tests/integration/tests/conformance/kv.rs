//! The cases of `org.tenon.example.kv`: an in-memory store of byte values
//! under UTF-8 keys. A key that is not stored makes `get` and `remove` fail
//! with `TENON_NOT_FOUND` and the message `no value stored under "<key>"`,
//! word for word in every implementation.

use crate::harness::{case, check, check_ok, large_bytes, show_bytes, show_str, Case, Subject};
use tenon::{Client, Status};
use tenon_example_interfaces::Kv;

/// Every kv case.
pub const CASES: &[Case] = &[
    case("metadata", metadata),
    case("normal calls", normal_calls),
    case("empty key and empty value", empty_inputs),
    case("large value (1 MiB)", large_value),
    case("non-ASCII keys", non_ascii_keys),
    case("binary value with NUL bytes", binary_value),
    case("missing key: get and remove", missing_key),
    case("missing key that needs quoting", missing_key_quoted),
    case("removed key is missing", removed_key),
    case("keys are compared whole", distinct_keys),
    case("instance independence", instance_independence),
    case("concurrent calls", concurrent_calls),
];

/// The message of `get` and `remove` for a key that is not stored (for keys
/// without quotes, backslashes or control characters).
fn not_found(key: &str) -> (Status, String) {
    (
        Status::NOT_FOUND,
        format!("no value stored under \"{key}\""),
    )
}

fn put(kv: &Client<dyn Kv>, key: &str, value: &[u8]) -> Result<(), String> {
    check_ok(
        &format!("put({}, {})", show_str(key), show_bytes(value)),
        (),
        kv.put(key, value),
    )
}

fn get(kv: &Client<dyn Kv>, key: &str, expected: &[u8]) -> Result<(), String> {
    check_ok(
        &format!("get({})", show_str(key)),
        expected.to_vec(),
        kv.get(key),
    )
}

fn len(kv: &Client<dyn Kv>, expected: u64) -> Result<(), String> {
    check_ok("len()", expected, kv.len())
}

fn get_missing(kv: &Client<dyn Kv>, key: &str) -> Result<(), String> {
    check(
        &format!("get({}) of a missing key", show_str(key)),
        Err(not_found(key)),
        kv.get(key),
    )
}

fn remove_missing(kv: &Client<dyn Kv>, key: &str) -> Result<(), String> {
    check(
        &format!("remove({}) of a missing key", show_str(key)),
        Err(not_found(key)),
        kv.remove(key),
    )
}

fn with_kv(
    subject: &Subject,
    body: impl FnOnce(&Client<dyn Kv>) -> Result<(), String>,
) -> Result<(), String> {
    let instance = subject.instance()?;
    let kv = instance
        .interface::<dyn Kv>()
        .map_err(|error| format!("interface: {error} [{}]", error.kind()))?;
    body(&kv)
}

fn metadata(subject: &Subject) -> Result<(), String> {
    crate::check_metadata::<dyn Kv>(subject)
}

fn normal_calls(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        len(kv, 0)?;
        put(kv, "language", b"Rust")?;
        get(kv, "language", b"Rust")?;
        len(kv, 1)?;
        put(kv, "colour", b"blue")?;
        len(kv, 2)?;
        put(kv, "language", b"C++")?;
        get(kv, "language", b"C++")?;
        len(kv, 2)?;
        check_ok("remove(\"language\")", (), kv.remove("language"))?;
        len(kv, 1)?;
        get(kv, "colour", b"blue")
    })
}

fn empty_inputs(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        put(kv, "empty", b"")?;
        get(kv, "empty", b"")?;
        put(kv, "", b"under the empty key")?;
        get(kv, "", b"under the empty key")?;
        len(kv, 2)?;
        check_ok("remove(\"\")", (), kv.remove(""))?;
        get_missing(kv, "")?;
        len(kv, 1)
    })
}

fn large_value(subject: &Subject) -> Result<(), String> {
    let large = large_bytes();
    with_kv(subject, |kv| {
        put(kv, "large", &large)?;
        get(kv, "large", &large)?;
        // Twice: a value is not consumed by reading it.
        get(kv, "large", &large)?;
        let mut larger = large.clone();
        larger.extend_from_slice(&large);
        put(kv, "large", &larger)?;
        get(kv, "large", &larger)?;
        len(kv, 1)
    })
}

fn non_ascii_keys(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        put(kv, "ключ", "значение".as_bytes())?;
        put(kv, "鍵 🔑", "値".as_bytes())?;
        put(kv, "Zoë", b"1")?;
        get(kv, "ключ", "значение".as_bytes())?;
        get(kv, "鍵 🔑", "値".as_bytes())?;
        get(kv, "Zoë", b"1")?;
        len(kv, 3)?;
        get_missing(kv, "Zoe")?;
        remove_missing(kv, "ключи")
    })
}

fn binary_value(subject: &Subject) -> Result<(), String> {
    let value: Vec<u8> = (0..=255u8).rev().chain([0, 0, 0xFF]).collect();
    with_kv(subject, |kv| {
        put(kv, "bytes", &value)?;
        get(kv, "bytes", &value)?;
        put(kv, "nul", b"\0")?;
        get(kv, "nul", b"\0")
    })
}

fn missing_key(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        get_missing(kv, "absent")?;
        remove_missing(kv, "absent")?;
        get_missing(kv, "ключ 🔑")?;
        remove_missing(kv, "ключ 🔑")?;
        len(kv, 0)?;
        // An error leaves the store usable.
        put(kv, "present", b"yes")?;
        get(kv, "present", b"yes")?;
        get_missing(kv, "absent")
    })
}

/// The key in the message is quoted and escaped the way Rust's `{:?}`
/// formats a string, in every implementation.
fn missing_key_quoted(subject: &Subject) -> Result<(), String> {
    let key = "say \"hi\" \\ \n\t\r\0\u{1}\u{1f}\u{7f} é";
    let message = r#"no value stored under "say \"hi\" \\ \n\t\r\0\u{1}\u{1f}\u{7f} é""#;
    with_kv(subject, |kv| {
        check(
            &format!("get({})", show_str(key)),
            Err((Status::NOT_FOUND, message.to_owned())),
            kv.get(key),
        )?;
        check(
            &format!("remove({})", show_str(key)),
            Err((Status::NOT_FOUND, message.to_owned())),
            kv.remove(key),
        )?;
        // And such a key is stored like any other.
        put(kv, key, b"quoted")?;
        get(kv, key, b"quoted")
    })
}

fn removed_key(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        put(kv, "k", b"v")?;
        check_ok("remove(\"k\")", (), kv.remove("k"))?;
        get_missing(kv, "k")?;
        remove_missing(kv, "k")?;
        len(kv, 0)
    })
}

fn distinct_keys(subject: &Subject) -> Result<(), String> {
    with_kv(subject, |kv| {
        put(kv, "k", b"short")?;
        put(kv, "kk", b"long")?;
        put(kv, "K", b"upper")?;
        get(kv, "k", b"short")?;
        get(kv, "kk", b"long")?;
        get(kv, "K", b"upper")?;
        len(kv, 3)?;
        get_missing(kv, "kkk")
    })
}

fn instance_independence(subject: &Subject) -> Result<(), String> {
    let first = subject.instance()?;
    let second = subject.instance()?;
    {
        let a = first.interface::<dyn Kv>().map_err(|e| e.to_string())?;
        let b = second.interface::<dyn Kv>().map_err(|e| e.to_string())?;
        put(&a, "shared name", b"first")?;
        len(&b, 0).map_err(|e| format!("in the second instance: {e}"))?;
        get_missing(&b, "shared name").map_err(|e| format!("in the second instance: {e}"))?;
        put(&b, "shared name", b"second")?;
        get(&a, "shared name", b"first")?;
        get(&b, "shared name", b"second")?;
    }
    drop(first);
    let b = second.interface::<dyn Kv>().map_err(|e| e.to_string())?;
    get(&b, "shared name", b"second").map_err(|e| format!("after destroying the first: {e}"))?;
    len(&b, 1)
}

/// Thread-safe plugins: four threads write and read their own keys at once
/// on one instance. Others: one other thread uses the instance.
fn concurrent_calls(subject: &Subject) -> Result<(), String> {
    if !subject.plugin.info().thread_safe() {
        let instance = subject.instance()?;
        return std::thread::spawn(move || {
            let kv = instance.interface::<dyn Kv>().map_err(|e| e.to_string())?;
            put(&kv, "thread", b"other")?;
            get(&kv, "thread", b"other")
        })
        .join()
        .map_err(|_| "the calling thread panicked".to_owned())?;
    }
    let instance = subject.shared_instance()?;
    let kv = instance.interface::<dyn Kv>().map_err(|e| e.to_string())?;
    const THREADS: u64 = 4;
    const KEYS: u64 = 100;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let kv = &kv;
                scope.spawn(move || {
                    (0..KEYS).try_for_each(|i| {
                        let key = format!("t{thread}-k{i}");
                        let value = format!("value {thread} {i}");
                        put(kv, &key, value.as_bytes())?;
                        get(kv, &key, value.as_bytes())
                    })
                })
            })
            .collect();
        threads.into_iter().try_for_each(|thread| {
            thread
                .join()
                .map_err(|_| "a calling thread panicked".to_owned())?
        })
    })?;
    len(&kv, THREADS * KEYS)
}
