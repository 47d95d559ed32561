//! Cross-language integration tests live in `tests/`. This library only
//! compiles the Rust snippets of the README, the Rust guide and the
//! isolation guide as doctests,
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
