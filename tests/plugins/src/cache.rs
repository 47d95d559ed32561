//! Plugins built on demand are built once per process.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use crate::BuildError;

/// The result of building each plugin asked for so far, by name.
pub(crate) type Cache = Mutex<BTreeMap<String, Result<PathBuf, BuildError>>>;

/// The result of `build(name)`: the first call for `name` builds it, later
/// ones return the same result, success or failure, without building again.
/// Calls from several threads are serialized.
pub(crate) fn build_once(
    cache: &Cache,
    name: &str,
    build: impl FnOnce(&str) -> Result<PathBuf, BuildError>,
) -> Result<PathBuf, BuildError> {
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = cache.get(name) {
        return result.clone();
    }
    let result = build(name);
    cache.insert(name.to_owned(), result.clone());
    result
}
