//! Tells the library the target triple it is compiled for: the plugins it
//! builds at run time are for that target, and the layout of cargo's target
//! directory depends on it. Nothing is compiled here.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=TENON_TEST_PLUGINS_TARGET={target}");
}
