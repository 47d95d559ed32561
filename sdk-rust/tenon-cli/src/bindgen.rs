//! `tenon bindgen HEADER -o FILE [--check]`: the checked-in Rust bindings of
//! an application's interface header, and their drift check, through
//! `tenon_bindgen::InterfaceBindings` (the same library a `build.rs` uses).

use std::path::PathBuf;
use std::process::ExitCode;

use tenon_bindgen::{InterfaceBindings, WriteOutcome};

/// The command's arguments.
pub struct Options {
    /// The interface header.
    pub header: PathBuf,
    /// The Rust file written or compared.
    pub out: PathBuf,
    /// Compare instead of writing.
    pub check: bool,
    /// Extra include directories.
    pub include: Vec<PathBuf>,
    /// Methods whose buffer result is text.
    pub text: Vec<String>,
    /// Methods whose buffer result is bytes.
    pub bytes: Vec<String>,
    /// The trait's name, if not the default.
    pub trait_name: Option<String>,
}

/// The bindings `options` describe.
pub fn bindings(options: &Options) -> InterfaceBindings {
    let mut bindings = InterfaceBindings::new(&options.header);
    for dir in &options.include {
        bindings = bindings.include_dir(dir);
    }
    for method in &options.text {
        bindings = bindings.text_result(method);
    }
    for method in &options.bytes {
        bindings = bindings.bytes_result(method);
    }
    if let Some(name) = &options.trait_name {
        bindings = bindings.trait_name(name);
    }
    bindings
}

/// Exit status 3: a tool bindgen needs is missing (as `tenon-bindgen`).
pub(crate) const TOOL_MISSING: u8 = 3;

/// Writes or checks the bindings; the exit status is the command's.
pub fn run(options: &Options) -> ExitCode {
    let bindings = bindings(options);
    let out = options.out.display();
    let result = if options.check {
        bindings.check(&options.out).map(|diff| match diff {
            None => {
                crate::print_out(&format!("up to date: {out}\n"));
                ExitCode::SUCCESS
            }
            Some(summary) => {
                crate::print_out(&format!(
                    "OUT OF DATE: {out}\n{summary}\n\
                     regenerate with the same command without --check\n"
                ));
                ExitCode::from(crate::FAILURE)
            }
        })
    } else {
        bindings.write_to(&options.out).map(|outcome| {
            match outcome {
                WriteOutcome::Unchanged => crate::print_out(&format!("unchanged: {out}\n")),
                WriteOutcome::Written => crate::print_out(&format!("written:   {out}\n")),
            }
            ExitCode::SUCCESS
        })
    };
    result.unwrap_or_else(|error| {
        err_line!("error: {error}");
        ExitCode::from(if error.is_toolchain_missing() {
            TOOL_MISSING
        } else {
            2
        })
    })
}
