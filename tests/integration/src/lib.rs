//! Cross-language integration tests live in `tests/`. This library only
//! compiles the Rust snippets of the README, the Rust guide, the C guide (its Rust host), the isolation,
//! reload and unload guides as doctests (docs/static.md's are
//! tenon-static-host's, which links the plugins they name),
//! so the tutorials cannot drift from the API.

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide-rust.md")]
pub struct RustGuideDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/isolation.md")]
pub struct IsolationDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/reload.md")]
pub struct ReloadDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/unload.md")]
pub struct UnloadDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide-c.md")]
pub struct CGuideDoctests;
