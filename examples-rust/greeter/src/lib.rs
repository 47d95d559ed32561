//! greeter-rust
