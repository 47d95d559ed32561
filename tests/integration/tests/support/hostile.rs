//! Plugins that break the rules of `plugin.h` at run time (their buffers,
//! their `create`, the host services they call), checked the same way in
//! process (`tests/soundness.rs`, which CI runs under valgrind) and isolated
//! (`tests/isolated_basics.rs`): each breach must end in the documented
//! error or behaviour, with the host and the instance going on.

use tenon::{CallResult, Error, HostServices, Plugin, Status};
use tenon_example_interfaces::Greeter;

/// What an isolated call says instead of an error message that does not
/// fit in its reply.
pub const MESSAGE_DROPPED: &str =
    "(the plugin's error message was longer than the 64 KiB an isolated call carries, and was dropped)";

/// The fixture `buffer_abuse`: an output buffer whose bookkeeping the
/// plugin corrupted is `invalid_output`; a `reserve` too large to grant is
/// `TENON_OUT_OF_MEMORY` to the plugin; an error message beside a success
/// is ignored, one that is not UTF-8 is kept lossily, and one of a mebibyte
/// is kept whole in process (`isolated` false) or replaced by
/// [`MESSAGE_DROPPED`]; a failure whose message buffer was corrupted keeps
/// its status and says so instead of its message.
pub fn check_buffer_abuse(plugin: &Plugin, isolated: bool) {
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    for abuse in ["len-past-capacity", "data-moved"] {
        let error = greeter.greet(abuse).unwrap_err();
        assert_eq!(error.kind_name(), "invalid_output", "{abuse}: {error}");
        assert!(
            error.message().contains("corrupted an output buffer"),
            "{abuse}: {error}"
        );
    }
    assert_eq!(
        greeter.greet("huge-reserve").unwrap(),
        "max=4 rest=4 half=4"
    );
    assert_eq!(greeter.greet("error-and-ok").unwrap(), "fine");
    let error = greeter.greet("bad-utf8-error").unwrap_err();
    assert_eq!(error.kind_name(), "error", "{error}");
    assert_eq!(error.message(), "bad \u{fffd} byte");
    let error = greeter.greet("big-error").unwrap_err();
    assert_eq!(error.kind_name(), "error", "{error}");
    if isolated {
        assert_eq!(error.message(), MESSAGE_DROPPED);
    } else {
        assert_eq!(error.message(), "m".repeat(1 << 20));
    }
    // A failure keeps its status; a message buffer the plugin corrupted
    // is not read.
    let error = greeter.greet("corrupt-error").unwrap_err();
    assert_eq!(error.kind_name(), "not_found", "{error}");
    assert_eq!(
        error.message(),
        "the plugin corrupted an output buffer (pointer, capacity or length changed without reserve)"
    );
    // The instance goes on.
    assert_eq!(greeter.greet("Ada").unwrap(), "Hello, Ada!");
}

/// Host services offering the guides' host greeter ("host says hello to
/// <name>"; `not_found` for "nobody"), for the relay and abuse fixtures to
/// call.
pub fn host_greeter() -> HostServices {
    HostServices::new().offer::<dyn Greeter, _>(super::docs::HostGreeter)
}

/// The fixture `relay_own_buffer`, loaded with [`host_greeter`]: the plugin
/// is the caller of the host's greeter, so it lends buffers of its own, which
/// the host grows through the plugin's `reserve` (whose `host_data` is the
/// plugin's); the host's error reaches the plugin's caller.
pub fn check_relay_own_buffer(plugin: &Plugin) {
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("Zoë").unwrap(), "HOST SAYS HELLO TO ZOë");
    let error = greeter.greet("nobody").unwrap_err();
    assert_eq!(error.status(), Status::NOT_FOUND);
    assert_eq!(error.message(), "the host knows nobody");
}

/// The fixture `host_service_abuse`, loaded with [`host_greeter`]: logging
/// at unknown levels, with a NULL message, one of length `SIZE_MAX` or no
/// host, and looking up an id that is not UTF-8, NULL or of length
/// `SIZE_MAX` pass; the offered greeter called with a NULL instance, a name
/// that is not UTF-8, NULL or of length `SIZE_MAX`, or no output buffer
/// answers `TENON_INVALID_ARGUMENT` (3), with or without an error buffer.
pub fn check_host_service_abuse(plugin: &Plugin) {
    let instance = plugin.instantiate("").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(
        greeter.greet("").unwrap(),
        "bad_id=null null_id=null huge_id=null null_out_instance=vtable null_instance=3 \
         bad_utf8=3 null_name=3 huge_name=3 null_out=3 null_error=3 ok=0: host says hello to ok"
    );
}

/// The fixture `create_abuse`: a `create` that stores an instance and
/// fails is `create_failed` and its instance is never destroyed; one that
/// writes a message and succeeds gives a working instance; messages are
/// kept as [`check_buffer_abuse`] says.
pub fn check_create_abuse(plugin: &Plugin, isolated: bool) {
    let message = |config| match plugin.instantiate(config) {
        Err(Error::CreateFailed {
            status, message, ..
        }) => {
            assert_eq!(status, Status::ERROR, "{config}");
            message
        }
        other => panic!("{config}: expected create_failed, got {:?}", other.err()),
    };
    // The fixture aborts if the instance it stored is destroyed.
    assert_eq!(
        message("fail-with-instance"),
        "failed, but stored an instance"
    );
    let instance = plugin.instantiate("ok-with-message").unwrap();
    let greeter = instance.interface::<dyn Greeter>().unwrap();
    assert_eq!(greeter.greet("Ada").unwrap(), "Hello, Ada!");
    assert_eq!(message("fail-bad-utf8"), "bad \u{fffd} byte");
    if isolated {
        assert_eq!(message("fail-big-message"), MESSAGE_DROPPED);
    } else {
        assert_eq!(message("fail-big-message"), "m".repeat(1 << 20));
    }
    // A fault status from the plugin: in process it cannot be told from
    // the host's own and keeps its name; isolated, only the host reports
    // faults, so it is an error that says what the plugin returned.
    match plugin.instantiate("fail-as-crashed") {
        Err(Error::CreateFailed {
            status, message, ..
        }) if isolated => {
            assert_eq!(status, Status::ERROR);
            assert_eq!(
                message,
                "pretends to crash (the plugin returned crashed (7), a status only hosts report; reported as error)"
            );
        }
        Err(Error::CreateFailed {
            status, message, ..
        }) => {
            assert_eq!(status, Status::CRASHED);
            assert_eq!(message, "pretends to crash");
        }
        other => panic!("expected create_failed, got {:?}", other.err()),
    }
}

thread_local! {
    /// The instance a [`CallsBack`] greeter calls back into.
    static CALLED_BACK: std::cell::RefCell<Option<tenon::Instance>> =
        const { std::cell::RefCell::new(None) };
}

/// A host greeter that calls back into the instance in [`CALLED_BACK`],
/// which is in a call to it, and answers with the kind of error it got.
struct CallsBack;

impl Greeter for CallsBack {
    fn greet(&self, _name: &str) -> CallResult<String> {
        let inner = CALLED_BACK.with(|slot| {
            let slot = slot.borrow();
            let instance = slot.as_ref().expect("the test stored the instance");
            instance.interface::<dyn Greeter>().unwrap().greet("inner")
        });
        match inner {
            Ok(answer) => Ok(format!("re-entered: {answer}")),
            Err(error) => Ok(format!("refused: {}", error.kind_name())),
        }
    }
}

/// Services offering [`CallsBack`].
pub fn calls_back() -> HostServices {
    HostServices::new().offer::<dyn Greeter, _>(CallsBack)
}

/// `plugin`, loaded with [`calls_back`], relays a greeting to the host's
/// greeter and is not thread-safe: the host's greeter calling back into the
/// same instance is refused with `reentrant_call` before the plugin is
/// reached, and the instance goes on.
pub fn check_reentry_refused(plugin: &Plugin) {
    assert!(!plugin.info().thread_safe());
    let instance = plugin.instantiate("").unwrap();
    CALLED_BACK.with(|slot| *slot.borrow_mut() = Some(instance));
    for _ in 0..2 {
        let answer = CALLED_BACK.with(|slot| {
            let slot = slot.borrow();
            let greeter = slot.as_ref().unwrap().interface::<dyn Greeter>().unwrap();
            greeter.greet("outer")
        });
        assert_eq!(answer.unwrap(), "relayed: refused: reentrant_call");
    }
    CALLED_BACK.with(|slot| slot.borrow_mut().take());
}
