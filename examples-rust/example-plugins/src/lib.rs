//! tenon-example-plugins
