#!/usr/bin/env bash
# Runs the Rust host's in-process concurrency under ThreadSanitizer: the
# `tenon` crate's own tests and the integration test files whose hosts use
# threads (calls from several threads, reloads under callers, unloading,
# host services, logging, the conformance suite, and the host-side threads of
# isolation), and the in-process files that share the host's process-wide
# state between libtest's parallel test threads (loading, verification,
# panics, nesting, interface evolution). Any report fails the run; suppressions, each with its reason,
# are in scripts/tsan.supp. Reports go to $TSAN_LOGS (one file per process).
#
# Needs nightly with rust-src (std is rebuilt instrumented, -Zbuild-std).
# Builds into its own target directory, $TSAN_TARGET_DIR (target/tsan):
# about 4.5 minutes from nothing on 2 busy cores, about a minute once built.
#
# How it is set up, and why:
# - The test binaries export every symbol (--export-dynamic) so that the
#   Rust plugins the tests build (tests/plugins runs cargo with this
#   environment, so they are instrumented too) find the TSan runtime's
#   __tsan_* entry points in the executable; without it dlopen refuses them
#   ("undefined symbol: __tsan_func_entry"). The C, C++ and Zig plugins are
#   built by tests/plugins with fixed flags, not instrumented: their own
#   accesses are not checked, only the host's around their calls.
# - CARGO_UNSTABLE_BUILD_STD and CARGO_BUILD_TARGET reach the cargo that
#   tests/plugins runs for the Rust plugins and the isolation runner, which
#   must be built the same way (mixing instrumented and plain std fails).
# - allocator_may_return_null=1: soundness.rs makes a plugin ask the host for
#   an impossible buffer, which must fail as an error, not abort.
# - handle_segv=0, handle_abort=0: isolated_basics.rs crashes plugins'
#   processes on purpose and checks the signal they die from; TSan's own
#   handlers would turn the signal into exit code 66.
# - isolated_basics.rs skips its memory-limit tests: an isolated plugin's
#   process under RLIMIT_AS cannot map TSan's shadow memory (terabytes of
#   address space) and dies at start.
# - reload.rs runs one test at a time: a_half_written_file_is_never_loaded
#   times a reload against a writer thread's sleep (the reload must wait
#   >= 200 ms of a 300 ms pause begun 50 ms before it), and under TSan's
#   slowdown the other reload tests' threads, run beside it, delayed its
#   start enough to break that (159 ms once); alone it passes.
set -euo pipefail
cd "$(dirname "$0")/.."

here=$(pwd)
export TSAN_TARGET_DIR=${TSAN_TARGET_DIR:-$here/target/tsan}
export TSAN_LOGS=${TSAN_LOGS:-$TSAN_TARGET_DIR/tsan-logs}
export RUSTFLAGS="-Zsanitizer=thread -Clink-arg=-Wl,--export-dynamic"
export RUSTDOCFLAGS="-Zsanitizer=thread"
export CARGO_TARGET_DIR=$TSAN_TARGET_DIR
export CARGO_UNSTABLE_BUILD_STD=std
export CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu
export TENON_REQUIRE_TOOLCHAINS=1
export TSAN_OPTIONS="log_path=$TSAN_LOGS/tsan suppressions=$here/scripts/tsan.supp second_deadlock_stack=1 allocator_may_return_null=1 handle_segv=0 handle_abort=0"

cargo_test() { nice -n 19 cargo +nightly test -Zbuild-std "$@"; }

rm -rf "$TSAN_LOGS"
mkdir -p "$TSAN_LOGS"
status=0
cargo_test -p tenon --lib --tests || status=1
cargo_test -p tenon-integration-tests --no-fail-fast \
    --test threads --test unload --test host_services --test soundness \
    --test logging --test conformance --test isolated_logging \
    --test unload_verdict --test load_rules \
    --test nesting --test panics --test kinds --test evolution \
    --test long_messages --test bad_plugins --test verification || status=1
cargo_test -p tenon-integration-tests --test reload -- --test-threads=1 || status=1
cargo_test -p tenon-integration-tests --test isolated_basics -- \
    --skip memory_limit || status=1

if compgen -G "$TSAN_LOGS/tsan.*" >/dev/null; then
    echo "tsan: ThreadSanitizer reported (one file per process):" >&2
    grep -H "SUMMARY" "$TSAN_LOGS"/tsan.* >&2 || true
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "tsan: FAILED" >&2
    exit 1
fi
echo "tsan: no reports"
