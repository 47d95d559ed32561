//! tenon-example-interfaces
