//! tenon-layout-tests
