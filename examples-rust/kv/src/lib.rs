//! kv-rust
