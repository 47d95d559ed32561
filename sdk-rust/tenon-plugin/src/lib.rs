//! tenon-plugin
