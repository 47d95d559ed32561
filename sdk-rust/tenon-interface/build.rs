//! Decides once, for every `cfg` of the crate to test, whether this build
//! has the interface registry (`src/registry.rs`): `cfg(tenon_registry)` is
//! set on the targets `linkme` supports, except under Miri, which cannot
//! read link sections (cargo miri sets `CARGO_CFG_MIRI` for build scripts).
//!
//! A build script rather than the `cfg_aliases` crate: the condition is one
//! `matches!`, not worth a build dependency for every crate that depends on
//! this one.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(tenon_registry)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let linkme_supports = matches!(
        os.as_str(),
        "linux"
            | "android"
            | "macos"
            | "ios"
            | "windows"
            | "freebsd"
            | "openbsd"
            | "illumos"
            | "fuchsia"
    );
    let miri = std::env::var_os("CARGO_CFG_MIRI").is_some();
    if linkme_supports && !miri {
        println!("cargo::rustc-cfg=tenon_registry");
    }
}
