//! Example plugin: `org.tenon.example.kv` in Rust, an in-memory store.
//!
//! Thread-safe: the map sits behind a `Mutex`, so one instance may be shared
//! by every thread of the host.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tenon_example_interfaces::Kv;
use tenon_plugin::{CallError, CallResult, Host, Plugin};

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

tenon_plugin::export! {
    plugin: Store,
    name: "kv-rust",
    version: env!("CARGO_PKG_VERSION"),
    description: "An in-memory key-value store",
    thread_safe: true,
    interfaces: [dyn Kv],
}
