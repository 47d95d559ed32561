//! tenon-sys
