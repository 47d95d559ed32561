//! tenon-demo
