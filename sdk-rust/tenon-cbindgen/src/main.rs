//! `cargo run -p tenon-cbindgen`: regenerates `include/tenon/host.h` from
//! the C API crate. With `--check` it only compares, and exits with status
//! 1 if the checked-in header is out of date (2 on a generation error).

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let path = tenon_cbindgen::workspace_root().join(tenon_cbindgen::HEADER);
    let text = match tenon_cbindgen::generate() {
        Ok(text) => text,
        Err(error) => {
            eprintln!("tenon-cbindgen: {error}");
            return ExitCode::from(2);
        }
    };
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == text {
        println!("up to date: {}", tenon_cbindgen::HEADER);
        return ExitCode::SUCCESS;
    }
    if check {
        println!(
            "OUT OF DATE: {}; regenerate with `{}`",
            tenon_cbindgen::HEADER,
            tenon_cbindgen::REGENERATE_COMMAND
        );
        return ExitCode::from(1);
    }
    if let Err(error) = std::fs::write(&path, text) {
        eprintln!("tenon-cbindgen: writing {}: {error}", path.display());
        return ExitCode::from(2);
    }
    println!("written: {}", tenon_cbindgen::HEADER);
    ExitCode::SUCCESS
}
