//! Cross-language integration tests live in `tests/`. This library only
//! compiles the README's Rust snippets as doctests, so the tutorial cannot
//! drift from the API.

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
