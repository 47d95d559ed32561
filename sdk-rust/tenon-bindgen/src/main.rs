//! `cargo run -p tenon-bindgen`: regenerates the checked-in bindings.
//!
//! Without arguments it rewrites every file of [`tenon_bindgen::Target::ALL`]
//! whose text differs from what the headers produce. With `--check` it only
//! compares and exits with status 1 if a file is out of date.
//!
//! Exit status: 0 success, 1 a file is out of date (`--check`), 2 usage or
//! generation error, 3 a needed tool (libclang, rustfmt) is missing.

use std::process::ExitCode;

use tenon_bindgen::{diff_summary, workspace_root, write_target, Inputs, Target, WriteOutcome};

const USAGE: &str = "\
usage: cargo run -p tenon-bindgen [-- --check]

Regenerates the Rust mirrors of the Tenon C headers:
  sdk-rust/tenon-sys/src/bindings.rs          from include/tenon/plugin.h
  examples-rust/interfaces/src/bindings.rs    from examples-c/interfaces/tenon_examples/*.h

  --check   do not write; exit 1 if a checked-in file is out of date
  --help    show this text

Needs libclang (set LIBCLANG_PATH if it is not found) and rustfmt.";

fn main() -> ExitCode {
    let mut check = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("tenon-bindgen: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let root = workspace_root();
    let inputs = Inputs::from_workspace(&root);
    let mut out_of_date = false;
    for target in Target::ALL {
        let result = if check {
            target.generate(&inputs).map(|text| {
                let current = std::fs::read_to_string(target.path_in(&root)).unwrap_or_default();
                match diff_summary(&current, &text, 10) {
                    None => println!("up to date: {target}"),
                    Some(summary) => {
                        out_of_date = true;
                        println!("OUT OF DATE: {target}\n{summary}");
                    }
                }
            })
        } else {
            write_target(target, &inputs, &root).map(|outcome| match outcome {
                WriteOutcome::Unchanged => println!("unchanged: {target}"),
                WriteOutcome::Written => println!("written:   {target}"),
            })
        };
        if let Err(error) = result {
            eprintln!("tenon-bindgen: {target}: {error}");
            return ExitCode::from(if error.is_toolchain_missing() { 3 } else { 2 });
        }
    }
    if out_of_date {
        println!("regenerate with: {}", tenon_bindgen::REGENERATE_COMMAND);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
