//! Gives libtenon.so its SONAME, so that programs linked against it record
//! `libtenon.so` (found through their rpath or the loader's search path)
//! rather than the path it was linked from.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtenon.so");
    }
}
