//! Conformance cases an application adds to `tenon check`.

use super::{CheckArgs, Problem, StepArgs};
use clap::{CommandFactory, FromArgMatches, Parser};
use std::process::ExitCode;
use tenon::{Client, Instance, Interface};

/// A checker: the checks of `tenon check`, plus the cases an application
/// registers for its own interfaces. Each case is a closure that receives
/// a typed, verified handle ([`Client`]) to a fresh instance and fails
/// with a [`Problem`] (`?` turns a failed call into one); it runs, as a
/// check named `case:NAME`, in a child process of its own like every
/// check, so a crash or a hang in it fails that case only. A case whose
/// interface the plugin does not offer (at its version) is skipped.
///
/// An application writes a small binary whose `main` is a checker's
/// [`main`](Cases::main): it takes the options of `tenon check`, and the
/// report is the same. The child processes are that binary again, which
/// is why the cases are registered in `main` every time, the same way.
///
/// ```no_run
/// use tenon_cli::check::{Cases, Problem};
/// use tenon_example_interfaces::Greeter;
///
/// fn main() -> std::process::ExitCode {
///     Cases::new()
///         .case::<dyn Greeter>("greets-by-name", |greeter| {
///             let greeting = greeter.greet("Ada")?;
///             if !greeting.contains("Ada") {
///                 return Err(Problem::new(format!("{greeting:?} does not name Ada")));
///             }
///             Ok(())
///         })
///         .main()
/// }
/// ```
#[derive(Default)]
pub struct Cases {
    pub(super) cases: Vec<Case>,
}

/// A case's closure, erased: gets the handle from the instance and runs.
type RunCase = Box<dyn Fn(&Instance) -> Result<(), Problem> + Send + Sync>;

/// One registered case.
pub(super) struct Case {
    /// Without the `case:` prefix.
    pub name: String,
    /// The interface the case calls.
    pub id: &'static str,
    /// Its version.
    pub version: u32,
    /// Gets the handle from the instance and runs the closure.
    pub run: RunCase,
}

impl Cases {
    /// No case: the checks of `tenon check` only.
    pub fn new() -> Self {
        Cases::default()
    }

    /// Adds the case `name` for interface `I`: `check` is called with a
    /// handle to `I` on a new instance of the plugin (destroyed after it
    /// returns), and the case passes when it returns `Ok`.
    ///
    /// # Panics
    ///
    /// If `name` is empty, holds anything but ASCII letters, digits, `-`,
    /// `_` and `.`, or was registered before: names are how the child
    /// process finds its case, so they must be unique and plain.
    pub fn case<I: ?Sized + Interface>(
        mut self,
        name: &str,
        check: impl Fn(&Client<I>) -> Result<(), Problem> + Send + Sync + 'static,
    ) -> Self {
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "a case name is ASCII letters, digits, '-', '_' and '.': {name:?}"
        );
        assert!(
            self.find(name).is_none(),
            "the case {name:?} is registered twice"
        );
        self.cases.push(Case {
            name: name.to_owned(),
            id: I::ID,
            version: I::VERSION,
            run: Box::new(move |instance| {
                let handle = instance.interface::<I>().map_err(Problem::from)?;
                check(&handle)
            }),
        });
        self
    }

    /// The case called `name`.
    pub(super) fn find(&self, name: &str) -> Option<&Case> {
        self.cases.iter().find(|case| case.name == name)
    }

    /// Runs the checker as a command: `PROGRAM PATH [OPTIONS]` with the
    /// options of `tenon check` (see `docs/cli.md`), printing the same
    /// report and returning the same exit status (0: every check passed,
    /// 1: a check failed, 2: a usage error). When this executable was
    /// started as one of its own check steps, runs that step instead.
    ///
    /// Call it first thing in `main`: it also serves the plugin's process
    /// for `--isolated` (see `tenon::isolation::init`).
    pub fn main(self) -> ExitCode {
        tenon::isolation::init();
        let mut args = std::env::args_os();
        let program = args.next().unwrap_or_default();
        let mut rest: Vec<_> = args.collect();
        if rest.first().is_some_and(|first| first == "__check-step") {
            rest.remove(0);
            let step = StepCommand::parse_from(std::iter::once(program).chain(rest));
            return self.run_step(&step.args);
        }
        let name = std::path::Path::new(&program)
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "check".to_owned());
        // Once per process: the command's name lives as long as it.
        let name: &'static str = Box::leak(name.into_boxed_str());
        let matches = CheckCommand::command()
            .name(name)
            .get_matches_from(std::iter::once(program).chain(rest));
        match CheckCommand::from_arg_matches(&matches) {
            Ok(command) => self.run(&command.args),
            Err(error) => error.exit(),
        }
    }
}

/// An application's checker, as a command.
#[derive(Parser)]
#[command(
    about = "Check a Tenon plugin: the checks of `tenon check`, and this application's own cases",
    after_help = "Exit status: 0 when every check passed, 1 when a check failed, 2 for a usage \
        error.\nDocumentation: docs/cli.md in the Tenon repository (`tenon check`)."
)]
struct CheckCommand {
    #[command(flatten)]
    args: CheckArgs,
}

/// The hidden child command of an application's checker.
#[derive(Parser)]
struct StepCommand {
    #[command(flatten)]
    args: StepArgs,
}
