//! The options of `tenon check` (and of an application's own checker,
//! [`Cases::main`](super::Cases::main)), and of the hidden child command
//! that runs one step.

use std::path::PathBuf;
use std::time::Duration;

/// The options of `tenon check PATH`.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// The plugin's shared library.
    pub path: PathBuf,
    /// Print one JSON report instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the details of passing checks too, among them what the plugin
    /// logged (tenon_host.log) as `plugin log | LEVEL: MESSAGE` lines.
    #[arg(short, long)]
    pub verbose: bool,
    /// Seconds each check may take before it counts as hung (a whole
    /// number, 1 or more).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = super::DEFAULT_STEP_TIMEOUT,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub timeout: u64,
    /// Seconds all the checks together may take; checks left when it
    /// is spent fail as not run (timed_out). A whole number, 1 or more.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = super::DEFAULT_TOTAL_TIMEOUT,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub total_timeout: u64,
    /// Run every check in this process (no crash isolation; for
    /// debugging a check under a debugger).
    #[arg(long, conflicts_with = "isolated")]
    pub in_process: bool,
    /// Run every check with the plugin loaded isolated, as a host that
    /// asks for isolation loads it (Linux, Windows, macOS): the checks run in this
    /// process and the plugin in a child process of it, so a crash or a
    /// hang is reported as the failed call's error (kind crashed or
    /// timed_out), and a plugin that passes works isolated. --timeout is
    /// each call's deadline. Methods known only from --interface are not
    /// called isolated.
    #[arg(long)]
    pub isolated: bool,
    /// The C header of an interface the plugin offers (repeatable): every
    /// method it declares is called with edge-case arguments (empty, long,
    /// non-ASCII and NUL-holding text and bytes; 0, -1 and the extremes of
    /// integers), and each call must return a status plugin.h or the
    /// interface defines and a well-formed result (text results UTF-8).
    /// Without it, an interface this command does not know gets its
    /// vtable checked but no method called. Headers of several versions
    /// of one interface may be given: the plugin's methods are called
    /// through the header of the version it offers.
    #[arg(long, value_name = "HEADER")]
    pub interface: Vec<PathBuf>,
    /// The config and host services every instance gets.
    #[command(flatten)]
    pub host: HostArgs,
}

/// What the check's host gives every instance it creates: the config
/// passed to `create`, and the host services it offers. The parent and
/// each step's child take the same options.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct HostArgs {
    /// The config text passed to every `create` the check makes (in
    /// process and --isolated alike). Default: "" (empty), so a plugin
    /// that needs a config fails create without it.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "config_file",
        allow_hyphen_values = true
    )]
    pub config: Option<String>,
    /// Like --config, with the text read from a file (UTF-8).
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
    /// Offer this interface to the plugin as a host service
    /// (tenon_host.get_interface), implemented by tenon check: greeter,
    /// kv or processor, or its id (repeatable). By default the check offers
    /// none, so a plugin that asks its host for one fails create.
    #[arg(long, value_name = "INTERFACE", value_parser = super::offer::parse)]
    pub offer: Vec<String>,
}

impl HostArgs {
    /// The config text: --config, the file of --config-file, or "".
    pub(crate) fn config(&self) -> Result<String, String> {
        if let Some(path) = &self.config_file {
            return std::fs::read_to_string(path)
                .map_err(|e| format!("--config-file {}: {e}", path.display()));
        }
        Ok(self.config.clone().unwrap_or_default())
    }

    /// Whether a config was given (--config or --config-file).
    pub(crate) fn config_given(&self) -> bool {
        self.config.is_some() || self.config_file.is_some()
    }

    /// The same options as arguments of a step's child.
    pub(crate) fn to_args(&self) -> Vec<std::ffi::OsString> {
        let mut args = Vec::new();
        if let Some(config) = &self.config {
            // One argument, so that a config that starts with `-` or is
            // empty reaches the child as it is.
            args.push(format!("--config={config}").into());
        }
        if let Some(path) = &self.config_file {
            args.push("--config-file".into());
            args.push(path.into());
        }
        for name in &self.offer {
            args.push("--offer".into());
            args.push(name.into());
        }
        args
    }
}

impl CheckArgs {
    /// `--timeout`, at least a second.
    pub(crate) fn step_timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    /// `--total-timeout`, at least a second.
    pub(crate) fn total(&self) -> Duration {
        Duration::from_secs(self.total_timeout.max(1))
    }
}

/// The arguments of the hidden `__check-step` command: one step of a
/// `tenon check` run, in a child process of it.
#[derive(clap::Args, Clone, Debug)]
pub struct StepArgs {
    /// The check's name.
    pub step: String,
    /// The plugin's shared library.
    pub path: PathBuf,
    /// The interface headers the parent was given.
    #[arg(long, value_name = "HEADER")]
    pub interface: Vec<PathBuf>,
    /// The config and host services the parent was given.
    #[command(flatten)]
    pub host: HostArgs,
}
