//! Host services `tenon check` can offer (`--offer`): reference
//! implementations of the interfaces it knows, for plugins that look one up
//! from their host (`tenon_host.get_interface`, `host.interface::<dyn
//! Greeter>()` in Rust) and fail `create` without it.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use tenon::{CallError, CallResult, HostServices, Interface};
use tenon_example_interfaces::{Greeter, Kv, Processor};

/// One interface `--offer` accepts.
pub struct Offerable {
    /// Its short name (`greeter`).
    pub short: &'static str,
    /// Its id.
    pub id: &'static str,
    /// Its version.
    pub version: u32,
    /// Adds the reference implementation to `services`.
    add: fn(HostServices) -> HostServices,
}

/// Every interface `--offer` accepts.
pub const OFFERABLE: &[Offerable] = &[
    Offerable {
        short: "greeter",
        id: <dyn Greeter as Interface>::ID,
        version: <dyn Greeter as Interface>::VERSION,
        add: |services| services.offer::<dyn Greeter, _>(CheckGreeter),
    },
    Offerable {
        short: "kv",
        id: <dyn Kv as Interface>::ID,
        version: <dyn Kv as Interface>::VERSION,
        add: |services| services.offer::<dyn Kv, _>(CheckKv::default()),
    },
    Offerable {
        short: "processor",
        id: <dyn Processor as Interface>::ID,
        version: <dyn Processor as Interface>::VERSION,
        add: |services| services.offer::<dyn Processor, _>(CheckProcessor),
    },
];

/// The offerable interface named `name`: its short name or its id.
pub fn by_name(name: &str) -> Option<&'static Offerable> {
    OFFERABLE.iter().find(|o| o.short == name || o.id == name)
}

/// The offerable interface with this id and version.
pub fn by_interface(id: &str, version: u32) -> Option<&'static Offerable> {
    OFFERABLE
        .iter()
        .find(|o| o.id == id && o.version == version)
}

/// `--offer`'s value parser: a short name or an id, else a usage error
/// listing what it accepts.
pub fn parse(name: &str) -> Result<String, String> {
    match by_name(name) {
        Some(offerable) => Ok(offerable.short.to_owned()),
        None => Err(format!(
            "tenon check offers only {} (or their ids)",
            OFFERABLE
                .iter()
                .map(|o| o.short)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The services of `--offer NAME...` (names as [`parse`] gave them).
pub fn services(names: &[String]) -> HostServices {
    names
        .iter()
        .filter_map(|name| by_name(name))
        .fold(HostServices::new(), |services, o| (o.add)(services))
}

/// Greets as the example greeters do.
struct CheckGreeter;

impl Greeter for CheckGreeter {
    fn greet(&self, name: &str) -> CallResult<String> {
        Ok(format!("Hello from tenon check, {name}!"))
    }
}

/// An in-memory store, shared by every instance of the plugin (one offer
/// serves them all, as a host's one service would).
#[derive(Default)]
struct CheckKv {
    entries: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl CheckKv {
    fn entries(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // Every operation is one map call: a panic cannot leave it half done.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Kv for CheckKv {
    fn get(&self, key: &str) -> CallResult<Vec<u8>> {
        self.entries()
            .get(key)
            .cloned()
            .ok_or_else(|| CallError::not_found(format!("no value under {key:?}")))
    }

    fn put(&self, key: &str, value: &[u8]) -> CallResult {
        self.entries().insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn remove(&self, key: &str) -> CallResult {
        self.entries()
            .remove(key)
            .map(drop)
            .ok_or_else(|| CallError::not_found(format!("no value under {key:?}")))
    }

    fn len(&self) -> CallResult<u64> {
        Ok(self.entries().len() as u64)
    }
}

/// Gives its input back unchanged.
struct CheckProcessor;

impl Processor for CheckProcessor {
    fn name(&self) -> CallResult<String> {
        Ok("tenon-check-identity".to_owned())
    }

    fn process(&self, input: &[u8]) -> CallResult<Vec<u8>> {
        Ok(input.to_vec())
    }
}
