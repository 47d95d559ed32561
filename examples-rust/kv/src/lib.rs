//! Example plugin: `org.tenon.example.kv` in Rust, an in-memory store.
//!
//! Thread-safe: the map sits behind a `Mutex`, so one instance may be shared
//! by every thread of the host.
//!
//! It also offers `org.tenon.state`, so that a host can reload it without
//! losing what it stores (`docs/reload.md`), in the state format every kv
//! example shares, whose reference is the C kv's (`examples-c/kv/kv.c`):
//! `tkv1`, the number of entries as a little-endian `u64`, then each key and
//! value as a little-endian `u64` length and the bytes. A host may hand the
//! state of any kv example to any other (`tests/capi/reload_state.c` hands
//! the C kv's to this one and this one's to the C++ kv).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tenon_example_interfaces::Kv;
use tenon_plugin::{CallError, CallResult, Host, Plugin, State};

/// One store.
struct Store {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl Store {
    fn entries(&self) -> MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // A panic while the lock was held cannot leave the map half-written
        // (every operation is a single HashMap call), so poisoning is
        // ignored rather than turning every later call into an error.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Plugin for Store {
    fn create(_host: Host<'_>, _config: &str) -> CallResult<Self> {
        Ok(Store {
            entries: Mutex::new(HashMap::new()),
        })
    }
}

impl Kv for Store {
    fn get(&self, key: &str) -> CallResult<Vec<u8>> {
        self.entries()
            .get(key)
            .cloned()
            .ok_or_else(|| CallError::not_found(format!("no value stored under {key:?}")))
    }

    fn put(&self, key: &str, value: &[u8]) -> CallResult {
        self.entries().insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&self, key: &str) -> CallResult {
        match self.entries().remove(key) {
            Some(_) => Ok(()),
            None => Err(CallError::not_found(format!(
                "no value stored under {key:?}"
            ))),
        }
    }

    fn len(&self) -> CallResult<u64> {
        Ok(self.entries().len() as u64)
    }
}

/// The first bytes of a saved state.
const MAGIC: &[u8; 4] = b"tkv1";

impl State for Store {
    fn save(&self) -> CallResult<Vec<u8>> {
        let entries = self.entries();
        let mut state = MAGIC.to_vec();
        state.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for (key, value) in entries.iter() {
            for bytes in [key.as_bytes(), value.as_slice()] {
                state.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                state.extend_from_slice(bytes);
            }
        }
        Ok(state)
    }

    fn restore(&self, state: &[u8]) -> CallResult {
        let restored =
            decode(state).map_err(|why| CallError::invalid_argument(format!("restore: {why}")))?;
        *self.entries() = restored;
        Ok(())
    }
}

/// The entries of a saved state, or why it cannot be read.
fn decode(state: &[u8]) -> Result<HashMap<String, Vec<u8>>, &'static str> {
    let rest = state.strip_prefix(MAGIC).ok_or("not a kv state (tkv1)")?;
    let mut reader = Reader(rest);
    let count = reader.u64()?;
    let mut entries = HashMap::new();
    for _ in 0..count {
        let key = std::str::from_utf8(reader.bytes()?).map_err(|_| "a key is not UTF-8")?;
        let value = reader.bytes()?;
        entries.insert(key.to_owned(), value.to_owned());
    }
    if !reader.0.is_empty() {
        return Err("bytes after the last entry");
    }
    Ok(entries)
}

/// Reads a saved state front to back.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u64(&mut self) -> Result<u64, &'static str> {
        let (head, rest) = self
            .0
            .split_first_chunk::<8>()
            .ok_or("the state is cut short")?;
        self.0 = rest;
        Ok(u64::from_le_bytes(*head))
    }

    fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        let len = self.u64()?;
        let len = usize::try_from(len).map_err(|_| "the state is cut short")?;
        if len > self.0.len() {
            return Err("the state is cut short");
        }
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(bytes)
    }
}

tenon_plugin::export! {
    plugin: Store,
    name: "kv-rust",
    version: env!("CARGO_PKG_VERSION"),
    description: "An in-memory key-value store",
    thread_safe: true,
    interfaces: [dyn Kv, dyn State],
}
