//! `tenon`: inspect and check Tenon plugins, and start new ones. The
//! command is the library's [`tenon_cli::main`]; see `docs/cli.md`.

fn main() -> std::process::ExitCode {
    tenon_cli::main()
}
