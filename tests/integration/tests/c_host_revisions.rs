//! A C++ host of an interface that grew: `tests/capi/revisions.cpp`, built
//! with g++ and clang++ (C++17, warnings as errors) against the debug
//! libtenon, asks the fixtures `evolve_r1` and `evolve_r2` (the two
//! revisions of `tenon_test/evolve.h`) for the whole revision-2 vtable and
//! for revision 1's part (`instance::get` with a vtable size), and checks
//! which calls `TENON_HAS_FIELD` allows, also through a reloadable that
//! reloads from the first revision to the second; it must report `0 failed`.
//! `tests/capi/multiversion.c` asks one build for two versions of an id.
//!
//! A missing compiler is reported as `TOOLCHAIN MISSING` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`.

mod support;

use support::c_api;
use tenon_test_plugins::c_fixture;

#[test]
fn a_cpp_host_asks_for_the_revision_it_can_use() {
    c_api::Program {
        file: "revisions.cpp",
        std: "c++17",
        include_dirs: &["sdk-c/include", "tests/fixtures/include"],
        args: vec![c_fixture("evolve_r1"), c_fixture("evolve_r2")],
    }
    .passes_with(&["g++", "clang++"]);
}

/// `tests/capi/multiversion.c`, built with gcc and clang (C11, warnings as
/// errors): a C host asks one build (`evolve_v1_v2`) for
/// `org.tenon.test.evolve` at version 1 and at version 2 with
/// `tenon_instance_interface` and gets each its own vtable; version 3 is
/// `interface_version_mismatch` naming both; a reloadable of version 2
/// refuses a build of version 1 only, one of version 1 takes it.
#[test]
fn a_c_host_gets_each_version_of_a_two_version_build() {
    c_api::Program {
        file: "multiversion.c",
        std: "c11",
        include_dirs: &["sdk-c/include", "tests/fixtures/include"],
        args: vec![c_fixture("evolve_v1_v2"), c_fixture("evolve_r2")],
    }
    .passes_with(&["gcc", "clang"]);
}
