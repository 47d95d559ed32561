//! The machinery of the conformance suite: implementations, cases, running
//! every case against every implementation, and reporting every failure
//! with the interface, language, compiler, plugin and case it belongs to.

use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tenon::{CallError, CallResult, Instance, Plugin, SharedInstance, Status};
use tenon_test_plugins::Compiler;

/// An input on which an implementation fails on purpose: calling the method
/// with `trigger` panics (Rust) or throws (C++) inside the plugin, which
/// must come back as [`Status::PANIC`] with `message`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The input that makes the method panic or throw.
    pub trigger: &'static str,
    /// The message the call must fail with.
    pub message: &'static str,
}

/// One implementation of an interface, as the suite sees it.
#[derive(Debug, Clone)]
pub struct Implementation {
    /// The language it is written in: `c`, `cpp`, `zig`, `rust`.
    pub language: String,
    /// The compiler that built it, for C and C++ (`gcc`, `clang`).
    pub compiler: Option<Compiler>,
    /// The plugin's name, as its descriptor must state it.
    pub name: String,
    /// Its shared library.
    pub path: PathBuf,
    /// The inputs that make a method panic or throw, for fixtures built
    /// to (none for the examples).
    pub faults: Vec<Fault>,
    /// The plugin already verified, for one linked into the test binary
    /// (`tenon::Registry::with_static`); `None`: loaded from `path`.
    pub linked_in: Option<Plugin>,
}

impl Implementation {
    /// An implementation without a deliberate fault, built by `compiler`
    /// (C and C++) or its language's own toolchain (`None`).
    pub fn new(language: &str, compiler: Option<Compiler>, name: &str, path: PathBuf) -> Self {
        Implementation {
            language: language.to_owned(),
            compiler,
            name: name.to_owned(),
            path,
            faults: Vec::new(),
            linked_in: None,
        }
    }

    /// A plugin linked into the test binary, as the registry verified it:
    /// labelled `<language>/static`.
    pub fn linked_in(language: &str, plugin: Plugin) -> Self {
        Implementation {
            linked_in: Some(plugin.clone()),
            ..Implementation::new(
                &format!("{language}/static"),
                None,
                plugin.name(),
                plugin.info().path.clone(),
            )
        }
    }

    /// How failures name it: interface, then language and compiler in
    /// brackets, then the plugin (`greeter [c/clang] greeter-c`).
    pub fn label(&self, interface: &str) -> String {
        match self.compiler {
            Some(compiler) => format!("{interface} [{}/{compiler}] {}", self.language, self.name),
            None => format!("{interface} [{}] {}", self.language, self.name),
        }
    }
}

/// A loaded implementation, handed to every case.
pub struct Subject<'a> {
    /// What is being tested.
    pub implementation: &'a Implementation,
    /// The loaded plugin.
    pub plugin: Plugin,
}

impl Subject<'_> {
    /// A fresh instance with an empty configuration.
    pub fn instance(&self) -> Result<Instance, String> {
        self.plugin
            .instantiate("")
            .map_err(|error| format!("create failed: {error} [{}]", error.kind()))
    }

    /// A fresh instance several threads may call at once, if the plugin
    /// declares itself thread-safe.
    pub fn shared_instance(&self) -> Result<SharedInstance, String> {
        self.plugin
            .instantiate_shared("")
            .map_err(|error| format!("create (shared) failed: {error} [{}]", error.kind()))
    }
}

/// What one case does with one implementation; `Err` describes the first
/// step that went wrong (what was called, what was expected, what came).
pub type CaseFn = fn(&Subject) -> Result<(), String>;

/// One behavioural case of an interface.
pub struct Case {
    /// A short human name, quoted in every failure (`"non-ASCII name"`).
    pub name: &'static str,
    /// Whether the case applies to an implementation (most apply to all).
    pub applies: fn(&Implementation) -> bool,
    /// The case itself.
    pub run: CaseFn,
}

/// A case for every implementation.
pub const fn case(name: &'static str, run: CaseFn) -> Case {
    Case {
        name,
        applies: |_| true,
        run,
    }
}

/// The outcome of running a set of cases against a set of implementations.
#[derive(Debug, Default)]
pub struct Report {
    /// One line per failure: interface, language and compiler, plugin,
    /// case, detail.
    pub failures: Vec<String>,
    /// One line per implementation: how many cases passed, failed, did not
    /// apply.
    pub summary: Vec<String>,
    /// (implementation, case) pairs that ran.
    pub ran: usize,
}

impl Report {
    /// Panics with every failure, if there is any; prints the summary.
    pub fn assert_passed(&self, interface: &str) {
        eprintln!("{interface}: {} case runs", self.ran);
        for line in &self.summary {
            eprintln!("  {line}");
        }
        assert!(
            self.failures.is_empty(),
            "{interface}: {} conformance failure(s):\n\n{}\n",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// How the suite loads each implementation.
pub type Load = fn(&Path) -> Result<Plugin, tenon::Error>;

/// Runs every case of `cases` against every implementation, collecting
/// every failure (a case that panics in the host is a failure too).
pub fn run(interface: &str, implementations: &[Implementation], cases: &[Case]) -> Report {
    run_loaded_by(|path| Plugin::load(path), interface, implementations, cases)
}

/// [`run`], loading every implementation with `load` (for instance
/// isolated, in a child process); the cases, and what they expect, are the
/// same.
pub fn run_loaded_by(
    load: Load,
    interface: &str,
    implementations: &[Implementation],
    cases: &[Case],
) -> Report {
    let mut report = Report::default();
    for implementation in implementations {
        let label = implementation.label(interface);
        let loaded = match &implementation.linked_in {
            Some(plugin) => Ok(plugin.clone()),
            None => load(&implementation.path),
        };
        let plugin = match loaded {
            Ok(plugin) => plugin,
            Err(error) => {
                report.failures.push(format!(
                    "{label}: could not load {}: {error} [{}]; none of its {} cases ran",
                    implementation.path.display(),
                    error.kind(),
                    cases.len()
                ));
                report.summary.push(format!("{label}: did not load"));
                continue;
            }
        };
        let subject = Subject {
            implementation,
            plugin,
        };
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for case in cases {
            if !(case.applies)(implementation) {
                skipped += 1;
                continue;
            }
            report.ran += 1;
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| (case.run)(&subject)))
                .unwrap_or_else(|payload| {
                    Err(format!("the host panicked: {}", panic_text(payload)))
                });
            match outcome {
                Ok(()) => passed += 1,
                Err(detail) => {
                    failed += 1;
                    report
                        .failures
                        .push(format!("{label}: case {:?}: {detail}", case.name));
                }
            }
        }
        report.summary.push(format!(
            "{label}: {passed} passed, {failed} failed, {skipped} not applicable"
        ));
    }
    report
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_owned()
    }
}

/// What a step is expected to return: a value, or an error status with its
/// exact message.
pub type Expected<T> = Result<T, (Status, String)>;

/// Compares what `step` returned with what it should have; `show` renders a
/// value for the message (long values are abbreviated).
pub fn check<T: PartialEq + Show>(
    step: &str,
    expected: Expected<T>,
    got: CallResult<T>,
) -> Result<(), String> {
    let same = match (&expected, &got) {
        (Ok(expected), Ok(got)) => expected == got,
        (Err((status, message)), Err(error)) => {
            error.status() == *status && error.message() == message && !error.is_invalid_output()
        }
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(format!(
            "{step}: expected {} got {}",
            show_expected(&expected),
            show_got(&got)
        ))
    }
}

/// Checks that `step` succeeded with `expected`.
pub fn check_ok<T: PartialEq + Show>(
    step: &str,
    expected: T,
    got: CallResult<T>,
) -> Result<(), String> {
    check(step, Ok(expected), got)
}

fn show_expected<T: Show>(expected: &Expected<T>) -> String {
    match expected {
        Ok(value) => value.show(),
        Err((status, message)) => format!("error {status} {}", show_str(message)),
    }
}

fn show_got<T: Show>(got: &CallResult<T>) -> String {
    match got {
        Ok(value) => value.show(),
        Err(error) => show_error(error),
    }
}

/// An error as failures print it.
pub fn show_error(error: &CallError) -> String {
    if error.is_invalid_output() {
        format!("output the host rejected ({})", show_str(error.message()))
    } else {
        format!("error {} {}", error.status(), show_str(error.message()))
    }
}

/// The longest text shown whole; longer ones show their ends and length.
const SHOWN_CHARS: usize = 48;

/// A string, quoted; a long one as its start, its end and its length, so
/// that a failing 1 MiB case does not print 1 MiB.
pub fn show_str(text: &str) -> String {
    let chars = text.chars().count();
    if chars <= SHOWN_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(24).collect();
    let tail: String = text.chars().skip(chars - 12).collect();
    format!("{head:?}…{tail:?} ({} bytes)", text.len())
}

/// A value as failures print it: long ones abbreviated.
pub trait Show {
    /// The value, for a failure message.
    fn show(&self) -> String;
}

impl Show for String {
    fn show(&self) -> String {
        show_str(self)
    }
}

impl Show for Vec<u8> {
    fn show(&self) -> String {
        show_bytes(self)
    }
}

/// `()`: a method with no result.
impl Show for () {
    fn show(&self) -> String {
        "success".to_owned()
    }
}

impl Show for u64 {
    fn show(&self) -> String {
        self.to_string()
    }
}

/// Bytes in hex; long ones as their ends and length.
pub fn show_bytes(bytes: &[u8]) -> String {
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
    }
    if bytes.len() <= 24 {
        format!("bytes [{}]", hex(bytes))
    } else {
        format!(
            "bytes [{}…{}] ({} bytes)",
            hex(&bytes[..12]),
            hex(&bytes[bytes.len() - 6..]),
            bytes.len()
        )
    }
}

/// A 1 MiB (plus a little) text of varied ASCII and multi-byte characters,
/// so that a truncated or reordered copy differs from it.
pub fn large_text() -> String {
    let pattern = "abcdefghijklmnopqrstuvwxyz0123456789 Zoë 👋 世界 ";
    let mut text = String::with_capacity((1 << 20) + pattern.len());
    while text.len() < 1 << 20 {
        text.push_str(pattern);
    }
    text
}

/// 1 MiB of pseudo-random bytes (every value occurs, NUL included).
pub fn large_bytes() -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..1 << 20)
        .map(|_| {
            // xorshift64*: deterministic, no dependency.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}
