//! tenon-interface
