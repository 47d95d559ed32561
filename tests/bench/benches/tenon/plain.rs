//! The same work as the plugins' methods, as plain Rust functions called
//! directly (never inlined): what each call would cost with no boundary.

use std::collections::HashMap;
use std::sync::Mutex;

/// A store like the kv examples: a map behind a lock.
pub struct Store {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl Store {
    /// A store holding `key` → `value`.
    pub fn with(key: &str, value: &[u8]) -> Store {
        Store {
            entries: Mutex::new(HashMap::from([(key.to_owned(), value.to_owned())])),
        }
    }

    /// The number of keys, as `len` computes it.
    #[inline(never)]
    pub fn len(&self) -> u64 {
        self.entries.lock().unwrap().len() as u64
    }

    /// The value under `key`, copied out, as `get` returns it.
    #[inline(never)]
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.entries.lock().unwrap().get(key).cloned()
    }
}

/// The greeting `greet` builds.
#[inline(never)]
pub fn greet(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push_str("Hello, ");
    out.push_str(name);
    out.push('!');
    out
}

/// The echo processor's work: the input, copied.
#[inline(never)]
pub fn echo(input: &[u8]) -> Vec<u8> {
    input.to_vec()
}
