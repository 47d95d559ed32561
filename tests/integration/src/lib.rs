//! tenon-integration-tests
