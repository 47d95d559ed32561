//! The code examples of the documentation, as tests read them: the fenced
//! blocks of a page ([`code_blocks`], [`doc_blocks`]), and the relay plugin
//! the C and Zig guides show for host services, checked against a host
//! that offers it a greeter ([`check_relay`]).

use std::fs;
use std::path::Path;

use tenon::{CallError, CallResult, HostServices, Plugin, Status};
use tenon_example_interfaces::Greeter;

use super::{capture_events, plugin_event, repo_root};

/// The bodies of the fenced code blocks of `markdown` whose info string's
/// first word is `language`, in order.
pub fn code_blocks(markdown: &str, language: &str) -> Vec<String> {
    struct Open {
        fence_len: usize,
        wanted: bool,
        body: String,
    }
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let fence_len = trimmed.chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if fence_len >= 3 => {
                let info = trimmed[fence_len..].trim();
                let first = info.split([' ', ',', '{']).next().unwrap_or("");
                open = Some(Open {
                    fence_len,
                    wanted: first == language,
                    body: String::new(),
                });
            }
            None => {}
            Some(block)
                if fence_len >= block.fence_len && trimmed[fence_len..].trim().is_empty() =>
            {
                if block.wanted {
                    blocks.push(std::mem::take(&mut block.body));
                }
                open = None;
            }
            Some(block) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
        }
    }
    blocks
}

/// The ```<language> blocks of `document` (relative to the repository
/// root), in order.
pub fn doc_blocks(document: &str, language: &str) -> Vec<String> {
    let text = fs::read_to_string(repo_root().join(document))
        .unwrap_or_else(|error| panic!("read {document}: {error}"));
    code_blocks(&text, language)
}

/// The one ```<language> block of `document` that contains `marker`;
/// panics unless there is exactly one, so an edit that drops or splits the
/// example fails the test that checks it.
pub fn the_block(document: &str, language: &str, marker: &str) -> String {
    let mut found: Vec<String> = doc_blocks(document, language)
        .into_iter()
        .filter(|block| block.contains(marker))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{document}: want one ```{language} block containing {marker:?}"
    );
    found.remove(0)
}

/// The greeter a host offers its plugins in the guides' host-services
/// examples.
pub struct HostGreeter;

impl Greeter for HostGreeter {
    fn greet(&self, name: &str) -> CallResult<String> {
        if name == "nobody" {
            return Err(CallError::not_found("the host knows nobody"));
        }
        Ok(format!("host says hello to {name}"))
    }
}

/// Loads `library` offering it the host's greeter, in this process or
/// isolated.
pub fn load_offering_a_greeter(library: &Path, isolated: bool) -> Result<Plugin, String> {
    let mut loader =
        Plugin::loader().services(HostServices::new().offer::<dyn Greeter, _>(HostGreeter));
    if isolated {
        loader = loader.isolated(
            tenon::isolation::Isolation::new()
                .runner(tenon_test_plugins::isolation_runner().map_err(|e| e.to_string())?),
        );
    }
    loader.load(library).map_err(|error| error.to_string())
}

/// Checks a guide's relay plugin at `library` as loaded by `loader` with a
/// greeter offered: it logs at create, relays greetings and the host's
/// errors.
pub fn check_relay(library: &Path, isolated: bool) -> Result<(), String> {
    let plugin = load_offering_a_greeter(library, isolated)?;
    let mut created = None;
    let events = capture_events(|| created = Some(plugin.instantiate("")));
    let instance = created.unwrap().map_err(|error| error.to_string())?;
    if !isolated {
        // An isolated plugin's log lines come from its process's reader
        // thread, which this thread's subscriber does not see.
        let event = plugin_event(&events, "relay-greeter");
        if event.level != tracing::Level::INFO || event.message != "relay: found the host's greeter"
        {
            return Err(format!("log event {event:?}"));
        }
    }
    let greeter = instance
        .interface::<dyn Greeter>()
        .map_err(|e| e.to_string())?;
    let greeting = greeter.greet("Zoë").map_err(|e| e.to_string())?;
    if greeting != "relayed: host says hello to Zoë" {
        return Err(format!("greet(\"Zoë\") = {greeting:?}"));
    }
    let error = greeter.greet("nobody").unwrap_err();
    if error.status() != Status::NOT_FOUND || error.message() != "the host knows nobody" {
        return Err(format!("greet(\"nobody\") failed with {error}"));
    }
    Ok(())
}

/// Checks that the relay plugin at `library`, loaded with no greeter
/// offered, refuses create with `not_found` and says why in the host's log
/// (a warning).
pub fn check_relay_without_offer(library: &Path) -> Result<(), String> {
    let plugin = Plugin::load(library).map_err(|error| error.to_string())?;
    let mut created = None;
    let events = capture_events(|| created = Some(plugin.instantiate("").map(drop)));
    match created.unwrap() {
        Err(tenon::Error::CreateFailed {
            status, message, ..
        }) if status == Status::NOT_FOUND && message.contains("greeter") => {}
        other => return Err(format!("without an offer, instantiate gave {other:?}")),
    }
    let event = plugin_event(&events, "relay-greeter");
    if event.level != tracing::Level::WARN {
        return Err(format!("without an offer, logged {event:?}"));
    }
    Ok(())
}
