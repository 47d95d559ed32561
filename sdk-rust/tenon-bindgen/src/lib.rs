//! tenon-bindgen
