#!/usr/bin/env bash
# The Windows build, run under Wine on Linux: the host crates, the `tenon`
# command, the test runner and every example plugin and fixture (C and C++
# by MinGW gcc/g++ and clang, Zig by `zig build -Dtarget=x86_64-windows-gnu`,
# Rust by cargo) for x86_64-pc-windows-gnu; then, under Wine, the
# integration tests, the `tenon` command's tests against plugins that
# crash, hang or lie, `tenon check` (each step in a child process) on every
# example plugin and `tenon inspect`; the plugins' export tables, and a
# plugin on a non-ASCII path, in process and isolated (the isolation tests
# and conformance's isolated runs load every language's DLLs in a child
# process too); a plugin whose own DLLs lie beside it, loaded every way a
# host loads one; and the SDK's host part installed from this build, with
# the example hosts built against it by CMake and by make (pkg-config).
#
# Needs the rustup target x86_64-pc-windows-gnu (added here when missing),
# Debian's mingw-w64 and wine (wine 8), cmake, make, pkg-config and Zig
# (`pip install ziglang`);
# .ci/run installs them. Takes about 13 minutes on a 2-core machine (an
# estimate: most of it compiles the Windows test binaries; the runs under
# Wine take about 4 minutes, half of it the `tenon` command's tests).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

triple=x86_64-pc-windows-gnu
say() { echo "test-windows: $*"; }
fail() { echo "test-windows: FAILED: $*" >&2; exit 1; }

rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
for tool in x86_64-w64-mingw32-gcc-posix x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-objdump wine \
    cmake make pkg-config; do
    command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install mingw-w64 wine wine64 cmake make pkg-config)"
done

target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

# MinGW's POSIX-threads compilers: C++ plugins use std::mutex, which the
# win32-threads default of Debian's mingw-w64 does not provide.
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc-posix
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++-posix
# Wine in a prefix of its own, quiet, and able to start Rust programs.
export WINEPREFIX="$target_dir/wine-prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
shims="$target_dir/wine-shims"
mkdir -p "$shims"
x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -shared \
    -o "$shims/bcryptprimitives.dll" scripts/wine/bcryptprimitives.c -ladvapi32
# Test binaries that link the static C++ greeter (tenon-static-host), and
# the C++ host test programs below, load MinGW's libstdc++ DLLs (the cc
# crate and g++ link them by default): Wine finds them here.
runtime_dirs=$(for dll in libstdc++-6.dll libwinpthread-1.dll; do
    dirname "$(realpath "$(x86_64-w64-mingw32-g++-posix -print-file-name=$dll)")"
done | sort -u | paste -sd ';')
export WINEPATH="$shims;$runtime_dirs"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine

started=$(date +%s)
say "wine prefix"
wine cmd /c exit 0 >/dev/null 2>&1 || fail "wine does not start"

say "building the plugins, fixtures and runner for $triple (on Linux)"
cargo build -q -p tenon-test-plugins --bin tenon-prebuild-plugins
manifest=$(TENON_TEST_PLUGINS_TARGET=$triple "$target_dir/debug/tenon-prebuild-plugins")
say "list: $manifest"

# Every example plugin exports its entry undecorated, and nothing else:
# C, C++ and Zig plugins by the SDK's TENON_EXPORT and link options, Rust
# plugins (examples and fixtures) because rustc exports from a cdylib only
# its `#[no_mangle]` items (a .def file for MinGW's ld, std's own symbols
# stay hidden), and tenon_plugin! makes exactly one: the entry.
say "export tables"
python3 - "$manifest" <<'EOF' || fail "export tables"
import json, subprocess, sys
listed = json.load(open(sys.argv[1]))["libraries"]
failures = 0
def plugin(key):
    return "/plugins/" in key or key.startswith(("zig/", "rust/"))
for key, path in sorted(listed.items()):
    if not plugin(key):
        continue
    dump = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", path],
                          capture_output=True, text=True, check=True).stdout
    table = dump.split("[Ordinal/Name Pointer] Table", 1)[-1].split("\n\n", 1)[0]
    names = [line.split("]", 1)[1].strip() for line in table.splitlines() if "]" in line]
    if names != ["tenon_plugin_v1"]:
        print(f"  {key}: exports {names}, expected only tenon_plugin_v1")
        failures += 1
print(f"  {len([k for k in listed if plugin(k)])} plugin DLLs checked")
sys.exit(1 if failures else 0)
EOF

# The integration tests, as Windows programs under Wine. Compiling at run
# time is impossible there (gcc, zig and cargo are Linux programs): every
# library comes from the list above, and the few tests that compile
# something of their own say TOOLCHAIN MISSING and skip, so
# TENON_REQUIRE_TOOLCHAINS is not set for this step.
# The test files that run on Windows (reload: not which processes come
# and go, read from /proc; unload_verdict: not the ELF-only reasons;
# isolated_basics: not /proc or the memory limit; plugin_path: not the
# symbolic links, plus the plain and verbatim Windows forms and a path past
# MAX_PATH; zig_panics: a
# Zig panic in process and isolated, from the Zig fixtures built for
# x86_64-windows-gnu). Left out:
# unload_leak (it measures /proc/self/maps and resident memory, which under
# Wine are the Linux mappings of Wine's own loader; the Windows unload
# verdict is tested by unload_verdict and `tenon check`'s reload step),
# c_host (it compiles its hosts at run time: its programs are built and run
# below instead, as are c_host_wrappers' wrappers.cpp and the other
# c_host_* programs), zig_reload (it rebuilds a Zig project with `zig
# build` while the host runs), build_systems and c_compilers (they run
# compilers, CMake and make: Linux programs), and of the `tenon` command's tests
# tutorial and authoring (they build `tenon new` projects with compilers).
windows_tests=()
for name in bad_plugins checksum conformance cpp_zig examples host_services \
    library_file load_rules logging nesting panics readme_c soundness threads \
    unload verification isolation reload unload_verdict evolution evolution_mistakes kinds \
    marshalling isolated_basics isolated_logging long_messages plugin_path zig_panics; do
    windows_tests+=(--test "$name")
done
log="$target_dir/test-windows.log"
: >"$log"
# Runs `cargo test --target $triple -p PACKAGE ARGS…` under Wine, its
# output appended to the log; fails the script when a test fails.
wine_tests() {
    local package=$1
    shift
    say "cargo test --target $triple -p $package (under wine)"
    set +e
    env -u TENON_REQUIRE_TOOLCHAINS TENON_TEST_PLUGINS_PREBUILT=1 \
        cargo test -q --target "$triple" -p "$package" "$@" 2>&1 | tee -a "$log" |
        grep -E '^test result|FAILED|panicked|TOOLCHAIN MISSING'
    local status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] || fail "$package tests under wine (log: $log)"
}
wine_tests tenon-integration-tests "${windows_tests[@]}"
# `tenon check` and `tenon inspect` against plugins that crash, hang, exit
# or print a fake verdict: each step's child process contains them; and on
# every example and malformed fixture (cli.rs; its `tenon new` builds need
# compilers and are skipped).
wine_tests tenon-cli --test hostile --test cli
# Every private copy a reloadable (or a required digest) loaded from is
# deleted when its build is unloaded or its process ends.
leftovers=$(find "$WINEPREFIX/drive_c/users" -maxdepth 6 -iname 'tenon-plugin-*.dll' | wc -l)
[ "$leftovers" -eq 0 ] || fail "$leftovers private copies of plugins left in Wine's temporary directory"
python3 - "$log" <<'EOF'
import re, sys
passed = failed = ignored = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed(?:; (\d+) ignored)?", line)
    if m:
        passed += int(m[1]); failed += int(m[2]); ignored += int(m[3] or 0)
print(f"test-windows: tests under wine: {passed} passed, {failed} failed, {ignored} ignored")
EOF

say "tenon check on every example plugin (under wine)"
cargo build -q --target "$triple" -p tenon-cli
tenon_exe="$target_dir/$triple/debug/tenon.exe"
mapfile -t examples < <(python3 - "$manifest" <<'EOF'
import json, sys
listed = json.load(open(sys.argv[1]))["libraries"]
for key, path in sorted(listed.items()):
    if "/plugins/" in key or key.startswith("zig/") or key in (
            "rust/greeter-rust", "rust/kv-rust", "rust/processor-rust"):
        print(path)
EOF
)
checked=0
for library in "${examples[@]}"; do
    # Each step in a child process of its own, as on Linux.
    wine "$tenon_exe" check "$library" >/dev/null || fail "tenon check $library"
    checked=$((checked + 1))
done
say "tenon check passed on $checked example plugins"
greeter=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["libraries"]["c/gcc/plugins/greeter"])' "$manifest")
out=$(wine "$tenon_exe" inspect --json "$greeter") && [[ $out == *'"name":"greeter-c"'* ]] ||
    fail "tenon inspect $greeter: $out"
# The path shown is the plain Windows one (Z:\…, the drive Wine gives /),
# not the verbatim \\?\Z:\… of canonicalization.
shown=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["path"])' "$out")
[[ $shown == 'Z:\'* ]] || fail "tenon inspect --json: path $shown, expected Z:\…"

# The C host API (tests/integration/tests/c_host*.rs on Linux): its test
# programs in C (every error path, the log handler, state hand-over,
# isolated faults, a linked-in plugin) and in C++ (the log handler and state
# hand-over through tenon/host.hpp), and the example C host, compiled here
# by MinGW gcc and g++ against tenon.dll, run under Wine. (The Linux tests
# compile them at run time, which cannot happen under Wine; their CMake/make
# builds, clang builds and sanitizer runs stay Linux-only.)
say "C and C++ hosts through libtenon (tenon.dll), built by MinGW gcc and g++ on Linux, under wine"
cargo build -q --target "$triple" -p libtenon
libdir="$target_dir/$triple/debug"
hosts="$target_dir/wine-tmp/c-hosts"
rm -rf "$hosts" && mkdir -p "$hosts"
# Beside the programs, where Windows looks for a DLL first.
cp "$libdir/tenon.dll" "$hosts/"
for source in tests/capi/error_paths.c examples-c/hosts/c/host.c; do
    x86_64-w64-mingw32-gcc-posix -std=c99 -Wall -Wextra -Wpedantic -Werror \
        -Iinclude -Iexamples-c/interfaces "$source" \
        -o "$hosts/$(basename "$source" .c).exe" -L"$libdir" -ltenon ||
        fail "compiling $source for $triple"
done
listed() {
    python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["libraries"]; print("\n".join(m[k] for k in sys.argv[2:]))' "$manifest" "$@"
}
# Runs the test program EXE (under $hosts) under Wine on the remaining
# arguments and checks its last line, "N passed, 0 failed" with N > 0;
# WHAT names it in the summary. Isolated checks included: isolation runs
# on Windows (platform/windows.rs).
capi_passes() {
    local exe=$1 what=$2 out summary
    shift 2
    out=$(wine "$hosts/$exe" "$@" 2>&1) || fail "$exe under wine: $out"
    summary=$(echo "$out" | tr -d '\r' | tail -1)
    [[ $summary == *" passed, 0 failed" && $summary != "0 passed"* ]] || fail "$exe: $out"
    say "$exe ($what): $summary"
}
mapfile -t error_paths_args < <(listed c/gcc/plugins/greeter c/gcc/fixtures/relay_c c/gcc/fixtures/greeter_v2)
error_paths_args+=("$root/tests/fixtures/not_a_library.txt")
mapfile -t more < <(listed c/gcc/fixtures/null_slot c/gcc/fixtures/reload_build_a c/gcc/fixtures/reload_build_b \
    c/gcc/fixtures/buffer_abuse)
error_paths_args+=("${more[@]}")
capi_passes error_paths.exe "the C API's error paths" "${error_paths_args[@]}"
# The log handler (C11 for its atomics): the greeter's line, and one a
# fixture logs from a thread it started, reach the C host's handler, in
# process and isolated.
x86_64-w64-mingw32-gcc-posix -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    tests/capi/log_handler.c -o "$hosts/log_handler.exe" -L"$libdir" -ltenon ||
    fail "compiling tests/capi/log_handler.c for $triple"
mapfile -t log_args < <(listed c/gcc/plugins/greeter c/gcc/fixtures/log_from_own_thread)
capi_passes log_handler.exe "plugins' log lines to a C handler" "${log_args[@]}"
# State hand-over: the C kv's state handed to the C++ kv, and through the
# Rust kv, in process and isolated, and each failure leaving the old build
# serving.
x86_64-w64-mingw32-gcc-posix -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Iexamples-c/interfaces tests/capi/reload_state.c -o "$hosts/reload_state.exe" \
    -L"$libdir" -ltenon || fail "compiling tests/capi/reload_state.c for $triple"
mapfile -t reload_state_args < <(listed c/gcc/plugins/kv cpp/gcc/plugins/kv-cpp c/gcc/fixtures/kv_restore_fails \
    c/gcc/fixtures/kv_save_fails c/gcc/fixtures/kv_without_state rust/kv-rust)
capi_passes reload_state.exe "state hand-over from a C host" "${reload_state_args[@]}"
# Isolated plugins that crash or hang during a call: the statuses and
# reasons a C host reads, restarts, the health check and the isolation
# limits (C11).
x86_64-w64-mingw32-gcc-posix -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Iexamples-c/interfaces tests/capi/isolated_faults.c -o "$hosts/isolated_faults.exe" \
    -L"$libdir" -ltenon || fail "compiling tests/capi/isolated_faults.c for $triple"
mapfile -t faults_args < <(listed c/gcc/fixtures/crash_in_greet c/gcc/fixtures/hang_in_greet \
    c/gcc/plugins/greeter c/gcc/fixtures/fault_allocation c/gcc/fixtures/hang_in_initializer)
capi_passes isolated_faults.exe "isolated faults seen from a C host" "${faults_args[@]}"
# A plugin linked into the C host (tenon_plugin_load_static): the C greeter
# compiled into the program with -DTENON_STATIC_PLUGIN.
x86_64-w64-mingw32-gcc-posix -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Isdk-c/include -Iexamples-c/interfaces -DTENON_STATIC_PLUGIN=greeter_c \
    tests/capi/static_plugin.c examples-c/greeter/greeter.c -o "$hosts/static_plugin.exe" \
    -L"$libdir" -ltenon || fail "compiling tests/capi/static_plugin.c for $triple"
capi_passes static_plugin.exe "a plugin linked into a C host"
# The same two through tenon/host.hpp, C++17 as on Linux: the C++ log
# handler (lambdas with captures, replaced and removed while other threads
# log, one that throws; an isolated plugin's line), and hand-over with
# options::hand_over, reloadable::with and a failure thrown as
# tenon::hosting::error (the first three plugins of the C program's). They
# load MinGW's libstdc++ and winpthread DLLs, found through WINEPATH.
for program in log_handler reload_state; do
    x86_64-w64-mingw32-g++-posix -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude \
        -Isdk-c/host/include -Iexamples-c/interfaces "tests/capi/$program.cpp" \
        -o "$hosts/${program}_cpp.exe" -L"$libdir" -ltenon ||
        fail "compiling tests/capi/$program.cpp for $triple"
done
capi_passes log_handler_cpp.exe "plugins' log lines to a C++ handler" "${log_args[@]}"
capi_passes reload_state_cpp.exe "state hand-over from a C++ host" "${reload_state_args[@]:0:3}"
# What tenon/host.hpp's owning wrappers promise as objects (moved-from
# objects, lifetimes, lent buffers, reloadable::with on named callables,
# a re-entered with), on the C greeter.
x86_64-w64-mingw32-g++-posix -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Isdk-c/host/include -Iexamples-c/interfaces tests/capi/wrappers.cpp \
    -o "$hosts/wrappers_cpp.exe" -L"$libdir" -ltenon ||
    fail "compiling tests/capi/wrappers.cpp for $triple"
capi_passes wrappers_cpp.exe "host.hpp's wrappers as objects" "$(listed c/gcc/plugins/greeter)"
# A grown interface from C++: the whole vtable or revision 1's part.
x86_64-w64-mingw32-g++-posix -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Isdk-c/include -Isdk-c/host/include -Itests/fixtures/include tests/capi/revisions.cpp \
    -o "$hosts/revisions_cpp.exe" -L"$libdir" -ltenon ||
    fail "compiling tests/capi/revisions.cpp for $triple"
mapfile -t revisions_args < <(listed c/gcc/fixtures/evolve_r1 c/gcc/fixtures/evolve_r2)
capi_passes revisions_cpp.exe "interface revisions from a C++ host" "${revisions_args[@]}"
mapfile -t host_args < <(listed c/gcc/plugins/greeter c/gcc/plugins/kv c/gcc/plugins/processor \
    cpp/gcc/plugins/greeter-cpp cpp/gcc/plugins/kv-cpp zig/greeter zig/processor \
    rust/greeter-rust rust/kv-rust rust/processor-rust)
plugins=${#host_args[@]}
host_args+=(--reloadable "$(listed c/gcc/plugins/greeter)")
out=$(wine "$hosts/host.exe" "${host_args[@]}" 2>&1 | tr -d '\r') || fail "host.exe under wine: $out"
for line in "greeter-c 1.0.0" "kv-cpp 1.0.0" "greeter-zig 1.0.0" "processor-rust 1.0.0" \
    '  reloadable greet("world") = "Hello, world!"' "  reloaded: generation 2" \
    '  greet("world") = "Hello, world!"' "  process(\"123456789\") = cb f4 39 26" \
    '  kv put/get "tenon" = "mortise"'; do
    grep -qxF -- "$line" <<<"$out" || fail "host.exe: no line '$line' in: $out"
done
set +e
out=$(wine "$hosts/host.exe" "$root/tests/fixtures/not_a_library.txt" 2>&1)
status=$?
set -e
[ "$status" -eq 1 ] && [[ $out == *"[not_a_library]"* ]] ||
    fail "host.exe on a bad plugin should fail with not_a_library (status $status): $out"
say "the example C host ran $plugins plugins and a reload through tenon.dll"

# A plugin whose own DLLs lie beside it, in a directory that is neither
# the host's nor on PATH (tests/windows/): the plugin imports
# beside_dependency.dll, which imports beside_dependency_inner.dll. It
# loads in process, with a required digest and reloadable (from private
# copies in %TEMP%), and isolated; a copy without its DLLs fails with
# not_a_library and os error 126 (docs/ABI.md, "Where a plugin's own
# libraries are found").
say "a plugin's own DLLs beside it (in process, copies, isolated)"
beside="$target_dir/wine-tmp/beside"
rm -rf "$beside" && mkdir -p "$beside/plugins" "$beside/import" "$beside/without" "$beside/half"
mingw_dll() { # OUTPUT SOURCE LINK-ARGS…
    local out=$1 source=$2
    shift 2
    x86_64-w64-mingw32-gcc-posix -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude \
        -Isdk-c/include -Iexamples-c/interfaces -shared -o "$beside/plugins/$out" "$source" \
        -Wl,--out-implib,"$beside/import/lib${out%.dll}.dll.a" -L"$beside/import" "$@" ||
        fail "compiling $source for $triple"
}
mingw_dll beside_dependency_inner.dll tests/windows/beside_dependency_inner.c
mingw_dll beside_dependency.dll tests/windows/beside_dependency.c -lbeside_dependency_inner
mingw_dll greeter_with_dependency.dll tests/windows/greeter_with_dependency.c -lbeside_dependency
dependent="$beside/plugins/greeter_with_dependency.dll"
cp "$dependent" "$beside/without/"
cp "$dependent" "$beside/plugins/beside_dependency.dll" "$beside/half/"
x86_64-w64-mingw32-gcc-posix -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude \
    -Iexamples-c/interfaces tests/capi/plugin_dependencies.c -o "$hosts/plugin_dependencies.exe" \
    -L"$libdir" -ltenon || fail "compiling tests/capi/plugin_dependencies.c for $triple"
capi_passes plugin_dependencies.exe "a plugin's own DLLs beside it" "$dependent" \
    "$(sha256sum "$dependent" | cut -d' ' -f1)" "$beside/without/greeter_with_dependency.dll" \
    "$beside/half/greeter_with_dependency.dll"
wine "$tenon_exe" check "$dependent" >/dev/null || fail "tenon check $dependent"

# The SDK's host part installed from this Windows build (bin/tenon.dll,
# lib/libtenon.dll.a, Tenon::host, tenon-host.pc), and the example hosts
# built against it as docs/guide-c-host.md ("Windows") says: with CMake
# (find_package, a MinGW toolchain file), whose build and install put
# tenon.dll beside the programs, and with make through pkg-config, which
# copies it there. Each runs the C greeter and the plugin with its own
# DLLs, in process, isolated and reloadable.
say "the SDK's host part installed for Windows; the example hosts built by CMake and make against it"
sdk="$target_dir/wine-tmp/sdk"
rm -rf "$sdk" && mkdir -p "$sdk"
cmake -S sdk-c -B "$sdk/build" -DTENON_HOST_LIBRARY_DIR="$libdir" \
    -DTENON_INSTALL_EXAMPLE_INTERFACES=ON >"$sdk/log" 2>&1 || fail "configuring sdk-c: $(cat "$sdk/log")"
cmake --install "$sdk/build" --prefix "$sdk/prefix" >>"$sdk/log" 2>&1 || fail "installing sdk-c: $(cat "$sdk/log")"
for file in bin/tenon.dll lib/libtenon.dll.a include/tenon/host.h include/tenon/host.hpp \
    share/cmake/Tenon/TenonHostTargets.cmake share/pkgconfig/tenon-host.pc; do
    [ -f "$sdk/prefix/$file" ] || fail "the Windows install lacks $file"
done
[ ! -e "$sdk/prefix/lib/libtenon.so" ] || fail "the Windows install has lib/libtenon.so"
# docs/guide-c-host.md's Windows lines, as they are written there: its
# toolchain file, its CMake program ("A host in C" with the CMake lines of
# "Building and installing") and its pkg-config commands, the prefix
# /opt/tenon-windows replaced with this one.
python3 - "$sdk" <<'EOF' || fail "docs/guide-c-host.md: the Windows blocks"
import os, re, sys
out = sys.argv[1]
text = open("docs/guide-c-host.md", encoding="utf-8").read()
def block(language, marker, within=text):
    found = [b for b in re.findall(r"```" + language + r"\n(.*?)```", within, re.S) if marker in b]
    assert len(found) == 1, f"want one {language} block with {marker!r}, found {len(found)}"
    return found[0].replace("/opt/tenon-windows", os.path.join(out, "prefix"))
guide = os.path.join(out, "guide")
os.makedirs(os.path.join(guide, "my_app"))
open(os.path.join(out, "mingw-w64.cmake"), "w").write(block("cmake", "CMAKE_SYSTEM_NAME Windows"))
open(os.path.join(guide, "my_app", "CMakeLists.txt"), "w").write(
    "cmake_minimum_required(VERSION 3.15)\nproject(my_app LANGUAGES C)\n"
    + block("cmake", "COMPONENTS host)"))
main = block("c", "int main", text.split("\n## A host in C\n", 1)[1].split("\n## ", 1)[0])
open(os.path.join(guide, "my_app", "main.c"), "w").write(main)
os.makedirs(os.path.join(guide, "make"))
open(os.path.join(guide, "make", "main.c"), "w").write(main)
open(os.path.join(guide, "make", "build.sh"), "w").write(block("sh", "--variable=dll tenon-host"))
EOF
warnings="-Wall -Wextra -Wpedantic -Werror"
{ cmake -S examples-c/hosts -B "$sdk/hosts" -DCMAKE_TOOLCHAIN_FILE="$sdk/mingw-w64.cmake" \
    -DCMAKE_PREFIX_PATH="$sdk/prefix" -DCMAKE_C_FLAGS="$warnings" -DCMAKE_CXX_FLAGS="$warnings" &&
    cmake --build "$sdk/hosts" && cmake --install "$sdk/hosts" --prefix "$sdk/installed"; } \
    >>"$sdk/log" 2>&1 || fail "building the example hosts with CMake for $triple: $(cat "$sdk/log")"
PKG_CONFIG_PATH="$sdk/prefix/share/pkgconfig" make -s -C examples-c/hosts O="$sdk/make" \
    CC=x86_64-w64-mingw32-gcc-posix CXX=x86_64-w64-mingw32-g++-posix >>"$sdk/log" 2>&1 ||
    fail "building the example hosts with make for $triple: $(cat "$sdk/log")"
for dir in "$sdk/hosts" "$sdk/installed/bin" "$sdk/make"; do
    cmp -s "$dir/tenon.dll" "$libdir/tenon.dll" || fail "no tenon.dll beside the programs in $dir"
    for exe in host.exe host-cpp.exe; do
        out=$(wine "$dir/$exe" "$greeter" "$dependent" --isolated "$dependent" \
            --reloadable "$dependent" 2>&1 | tr -d '\r') || fail "$dir/$exe under wine: $out"
        for line in '  greet("world") = "Hello, world!"' "greeter-with-dependency 1.0.0" \
            "greeter-with-dependency 1.0.0 (isolated)" \
            '  greet("world") = "Hello, world! (from the DLL beside the plugin)"' \
            '  reloadable greet("world") = "Hello, world! (from the DLL beside the plugin)"'; do
            grep -qxF -- "$line" <<<"$out" || fail "$dir/$exe: no line '$line' in: $out"
        done
    done
done
# The guide's program, built and installed with its CMake lines, and built
# with its pkg-config commands.
guide="$sdk/guide"
{ cmake -S "$guide/my_app" -B "$guide/build" -DCMAKE_TOOLCHAIN_FILE="$sdk/mingw-w64.cmake" \
    -DCMAKE_PREFIX_PATH="$sdk/prefix" -DCMAKE_C_FLAGS="$warnings" &&
    cmake --build "$guide/build" && cmake --install "$guide/build" --prefix "$guide/installed" &&
    (cd "$guide/make" && bash -e build.sh); } >>"$sdk/log" 2>&1 ||
    fail "building docs/guide-c-host.md's program for $triple: $(cat "$sdk/log")"
for exe in "$guide/build/my_app.exe" "$guide/installed/bin/my_app.exe" "$guide/make/my_app.exe"; do
    out=$(wine "$exe" "$greeter" 2>&1 | tr -d '\r') && [ "$out" = "Hello, world!" ] ||
        fail "$exe (docs/guide-c-host.md) under wine: $out"
done
say "CMake (build tree and install) and make hosts found tenon.dll beside them and ran"

say "a plugin on a non-ASCII path, in process and isolated"
odd="$target_dir/wine-tmp/plugins ünïcødé 插件"
rm -rf "$odd" && mkdir -p "$odd"
cp "$greeter" "$odd/grüße.dll"
wine "$tenon_exe" check "$odd/grüße.dll" >/dev/null || fail "tenon check on a non-ASCII path"
out=$(wine "$tenon_exe" inspect "$odd/grüße.dll") && [[ $out == *'插件\grüße.dll'* ]] &&
    [[ $out != *'\\?\'* ]] ||
    fail "tenon inspect on a non-ASCII path: $out"
# Isolated: the plugin in a child process of tenon.exe (docs/isolation.md,
# "Windows"), every check passing there too.
out=$(wine "$tenon_exe" check --isolated "$odd/grüße.dll" 2>&1) ||
    fail "tenon check --isolated on a non-ASCII path: $out"

say "passed in $(( $(date +%s) - started )) s"
