//! The `tenon` command as a library: inspect and check Tenon plugins, and
//! start new ones.
//!
//! ```text
//! tenon inspect PATH [--json] [--interface HEADER]...
//!                                 what a plugin says about itself
//! tenon check PATH [--json] [--isolated] [--interface HEADER]...
//!                                 validate a plugin before shipping it
//! tenon new NAME --lang LANG [--interface greeter|kv|processor|HEADER]
//!                                 a new plugin project that passes `tenon check`
//! tenon bindgen HEADER -o FILE [--check]
//!                                 the Rust bindings of an interface header
//! ```
//!
//! Exit status: 0 on success, 1 when the plugin is bad (or a check failed),
//! 2 for a usage error, 3 when libclang or rustfmt is missing (`tenon bindgen`,
//! and `tenon new --lang rust --interface HEADER`, which runs it).
//! See `docs/cli.md`.
//!
//! The `tenon` executable is [`main`]. An application extends `tenon check`
//! with conformance cases of its own through [`check::Cases`]: a small
//! binary of its own registers them and runs the same checker, with the
//! same options and report (see the `check-greeter` example).
#![deny(missing_docs)]

/// `eprintln!` without its panic: writes a line to stderr through
/// [`print_err`]. Defined before the modules so that they can use it.
macro_rules! err_line {
    ($($arg:tt)*) => {
        $crate::print_err(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod bindgen;
pub mod check;
mod inspect;
mod json;
mod known;
mod new;
mod new_header;
mod supervisor;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status for a bad plugin or a failed check.
const FAILURE: u8 = 1;

/// Exit status for a usage error (a header that cannot be read, …).
const USAGE: u8 = 2;

/// Writes `text` to stdout. A reader that has gone away (`tenon check PATH |
/// head -1`) is no error: what is left has nowhere to go, and the exit status
/// still tells the verdict, where `println!` would panic and exit with 101.
fn print_out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = written {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            err_line!("error: cannot write to stdout: {error}");
        }
    }
}

/// Writes `text` to stderr, ignoring a failure (a closed pipe, a full
/// disk): there is nowhere left to report it, and the exit status still
/// tells the outcome, where `eprintln!` would panic and exit with 101.
fn print_err(text: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

#[derive(Parser)]
#[command(
    name = "tenon",
    version,
    about = "Inspect and check Tenon plugins, and start new ones",
    long_about = "Inspect and check Tenon plugins, and start new ones.\n\n\
        A Tenon plugin is a shared library (.so, .dylib, .dll) built against the C header \
        tenon/plugin.h, in C, C++, Zig or Rust. `tenon inspect` shows what a plugin says \
        about itself, `tenon check` validates it the way a host will use it, and `tenon new` \
        creates a plugin project that builds with its language's usual tool and passes \
        `tenon check` out of the box.",
    after_help = "Exit status: 0 on success, 1 when the plugin is bad or a check failed, \
        2 for a usage error, 3 when libclang or rustfmt is missing (`tenon bindgen`, and `tenon \
        new --lang rust --interface HEADER`, which runs it).\n\
        Documentation: docs/cli.md in the Tenon repository."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the Rust bindings of an interface header: the bindgen mirror
    /// of its vtable and constants and the `interface!` declaration of its
    /// trait, in one file to check in (or check that file).
    ///
    /// Needs libclang (set LIBCLANG_PATH if it is not found) and rustfmt.
    /// Exits with 1 under --check when the file is out of date, 2 for a
    /// header that does not follow the convention, 3 when libclang or
    /// rustfmt is missing.
    Bindgen {
        /// The interface header.
        header: PathBuf,
        /// The Rust file to write (or compare with --check).
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
        /// Do not write; exit 1 if FILE differs from what the header generates.
        #[arg(long)]
        check: bool,
        /// A directory for the header's own #includes (-I); the SDK's
        /// include/ is always searched.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
        /// A method whose tenon_buffer result is UTF-8 text (String),
        /// whatever the header says; repeatable.
        #[arg(long, value_name = "METHOD")]
        text: Vec<String>,
        /// A method whose tenon_buffer result is bytes (Vec<u8>); repeatable.
        #[arg(long, value_name = "METHOD")]
        bytes: Vec<String>,
        /// The trait's name [default: from the vtable, acme_greeter_v1 ->
        /// AcmeGreeter].
        #[arg(long = "trait", value_name = "NAME")]
        trait_name: Option<String>,
    },

    /// Show a plugin's name, version, description, ABI, flags and interfaces.
    ///
    /// Loads the library and verifies its descriptor exactly as a host does,
    /// running no plugin code beyond the library's initializers and its entry
    /// function, in a child process: a plugin that crashes, exits or hangs
    /// while loading (or a corrupted file that crashes the dynamic loader)
    /// cannot take this command down, and what the plugin prints goes to
    /// stderr, labelled `plugin stdout |` or `plugin stderr |`. Exits with
    /// status 0 only for a plugin it could read; otherwise with status 1,
    /// saying what is wrong; with --json it then prints
    /// {"error":{"kind","message"}}, where kind is the stable snake_case name
    /// of the failure (missing_entry, abi_mismatch, ..., crashed, timed_out).
    Inspect {
        /// The plugin's shared library.
        path: PathBuf,
        /// Print one JSON object instead of text:
        /// {"path","name","version","description","abi":{"major","minor"},
        /// "thread_safe","interfaces":[{"id","version","vtable_size","slots",
        /// "revision"}]}: slots is how many method pointers the vtable
        /// holds, revision the latest revision whose methods all fit, for an
        /// interface this command knows or an --interface header describes
        /// (null otherwise).
        #[arg(long)]
        json: bool,
        /// The C header of an interface the plugin may offer (repeatable):
        /// an interface it describes, at its version, gets its revision
        /// named from the header's [revision N] tags.
        #[arg(long, value_name = "HEADER")]
        interface: Vec<PathBuf>,
        /// Seconds the load may take before it counts as hung (a whole
        /// number, 1 or more).
        #[arg(
            long,
            value_name = "SECONDS",
            default_value_t = inspect::DEFAULT_TIMEOUT,
            value_parser = clap::value_parser!(u64).range(1..)
        )]
        timeout: u64,
    },

    /// Validate a plugin: load-time verification, lifecycle, interfaces,
    /// threads, reloading, and calls to every method it offers that this
    /// command knows or an interface header describes.
    ///
    /// Each check runs in a child process of this command, so a plugin that
    /// crashes, aborts, exits or hangs fails that check (with the signal,
    /// the exit status or the timeout, and the call it was in) instead of
    /// killing or fooling the validator: the child reports on a private
    /// channel, never on the stdout plugin code can print to. By default a
    /// check that runs longer than 10 seconds has hung, and the whole run
    /// stops after 30 seconds. The example interfaces
    /// (org.tenon.example.greeter, .kv and .processor, version 1) are known to
    /// this command and are probed method by method, and so is Tenon's
    /// org.tenon.state (restore(save()) into a fresh instance); other
    /// interfaces get the checks every plugin gets: its vtable's size and
    /// slots are checked, and, given the interface's C header (--interface),
    /// every method is called with edge-case arguments. Every instance is
    /// created with the config "" unless --config or --config-file gives
    /// one, and is offered no host service unless --offer names one. With
    /// -v each check also shows what the plugin logged (tenon_host.log).
    /// Exits with status 0 only if every check passed (skipped checks do not
    /// fail).
    Check(check::CheckArgs),

    /// Create a new plugin project that builds with its language's usual
    /// tool and passes `tenon check` as generated.
    ///
    /// C builds with make, C++ with CMake, Zig with `zig build`, Rust with
    /// cargo. The C, C++ and Zig projects carry a copy of the Tenon headers
    /// they need (include/), taken from the SDK this command was built
    /// with; the Rust project depends on the tenon-plugin and
    /// tenon-example-interfaces crates (by path when a Tenon source tree is
    /// known, see --sdk).
    New {
        /// The plugin's name: lowercase letters, digits, '-' and '_',
        /// starting with a letter. Also the directory created.
        name: String,
        /// The language of the plugin.
        #[arg(long, value_enum)]
        lang: Lang,
        /// The interface the plugin implements: an example (greeter, kv,
        /// processor), or the path of an interface header (e.g.
        /// include/acme/greeter.h), for which every method gets a stub.
        /// The header convention is in docs/guide-your-interface.md.
        #[arg(
            long,
            value_name = "greeter|kv|processor|HEADER",
            default_value = "greeter"
        )]
        interface: String,
        /// Where to create the project [default: ./NAME].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The Tenon SDK source tree the Rust project depends on by path
        /// (its sdk-rust/ crates) [default: $TENON_SDK_DIR, else the tree
        /// this command was built from, if it still exists, else crates.io
        /// versions]. For a Zig project, an installed SDK's prefix (with
        /// share/tenon/sdk-zig) makes build.zig.zon depend on that Zig
        /// package instead of a copy in sdk-zig/. A directory that is not a
        /// usable SDK is refused.
        #[arg(long, value_name = "DIR")]
        sdk: Option<PathBuf>,
    },

    /// Runs one check of `tenon check` and delivers its result on the
    /// private channel of its supervising `tenon check` (its stdin).
    #[command(name = "__check-step", hide = true)]
    CheckStep(check::StepArgs),

    /// Loads a plugin and delivers what `tenon inspect` prints on the
    /// private channel of its supervising `tenon inspect` (its stdin).
    #[command(name = "__inspect", hide = true)]
    InspectChild {
        /// The plugin's shared library.
        path: PathBuf,
    },
}

/// A language `tenon new` writes projects in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// C99, built with make.
    C,
    /// C++17 (tenon/plugin.hpp), built with CMake.
    Cpp,
    /// Zig, built with `zig build`.
    Zig,
    /// Rust, built with cargo.
    Rust,
}

/// An example interface a new project implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InterfaceChoice {
    /// org.tenon.example.greeter: greet(name) -> text.
    Greeter,
    /// org.tenon.example.kv: get, put, remove, len.
    Kv,
    /// org.tenon.example.processor: name() and process(bytes) -> bytes.
    Processor,
}

/// The `tenon` command: parses the command line and runs it.
pub fn main() -> ExitCode {
    // Before anything else: when this process was started as an isolated
    // plugin's child (by `tenon check --isolated`), serve the plugin and
    // never return.
    tenon::isolation::init();
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect {
            path,
            json,
            interface,
            timeout,
        } => inspect::run(
            &path,
            json,
            &interface,
            std::time::Duration::from_secs(timeout.max(1)),
        ),
        Command::Check(args) => check::Cases::new().run(&args),
        Command::New {
            name,
            lang,
            interface,
            dir,
            sdk,
        } => new::run(&name, lang, &interface, dir, sdk),
        Command::Bindgen {
            header,
            out,
            check,
            include,
            text,
            bytes,
            trait_name,
        } => bindgen::run(&bindgen::Options {
            header,
            out,
            check,
            include,
            text,
            bytes,
            trait_name,
        }),
        Command::CheckStep(args) => check::Cases::new().run_step(&args),
        Command::InspectChild { path } => inspect::run_in_child(&path),
    }
}
