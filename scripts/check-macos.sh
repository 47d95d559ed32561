#!/usr/bin/env bash
# What can be checked of macOS without a Mac: `cargo check` of the host
# crates and the `tenon` command for aarch64-apple-darwin and
# x86_64-apple-darwin (pure Rust needs no SDK to check), the C and C++
# example plugins linked as Mach-O dylibs by Zig's cross compiler, and
# `tenon inspect` on Linux reading them as libraries of another platform;
# `cargo clippy` of `tenon` and the integration tests for both targets.
# Running anything is left to the workflow's macOS runner.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "check-macos: $*"; }
fail() { echo "check-macos: FAILED: $*" >&2; exit 1; }

zig=(python3 -m ziglang)
"${zig[@]}" version >/dev/null 2>&1 || fail "Zig is missing (pip install ziglang)"
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
cargo build -q -p tenon-cli
tenon="$target_dir/debug/tenon"

# C and C++ compilers for the integration tests' build scripts (the static
# host compiles the greeters): Zig's, with the flags cc-rs adds for Apple's
# clang dropped (Zig takes the target from -target instead).
wrappers="$target_dir/macos/bin"
mkdir -p "$wrappers"
for arch in aarch64 x86_64; do
    for tool in cc c++; do
        cat >"$wrappers/$tool-$arch" <<WRAPPER
#!/usr/bin/env bash
# cc-rs probes the compiler with "-?" and "--version"; Zig's cc answers
# and also writes ./a.o, in the build script's source folder: probes run
# in a folder of their own, removed after.
case "\$*" in
    "-?" | --version)
        probe=\$(mktemp -d)
        (cd "\$probe" && python3 -m ziglang $tool -target $arch-macos "\$@")
        status=\$?
        rm -rf "\$probe"
        exit "\$status" ;;
esac
args=()
skip=0
for a in "\$@"; do
    if [ "\$skip" = 1 ]; then skip=0; continue; fi
    case "\$a" in -arch) skip=1 ;; -mmacosx-version-min=*|--target=*) ;; *) args+=("\$a") ;; esac
done
exec python3 -m ziglang $tool -target $arch-macos "\${args[@]}"
WRAPPER
        chmod +x "$wrappers/$tool-$arch"
    done
done
printf '#!/usr/bin/env bash\nexec python3 -m ziglang ar "$@"\n' >"$wrappers/ar"
chmod +x "$wrappers/ar"

for triple in aarch64-apple-darwin x86_64-apple-darwin; do
    rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
    say "cargo check --target $triple (host crates, CLI)"
    cargo check -q --target "$triple" -p tenon-sys -p tenon-interface -p tenon -p tenon-plugin -p tenon-cli
    # The isolation backend's macOS-only lines (os_sync, the memory limit
    # refused) and the macOS variants of the isolation tests are compiled
    # and linted here; nothing of them runs (docs/isolation.md).
    say "cargo clippy --target $triple (tenon, the integration tests)"
    arch=${triple%%-*}
    env_triple=${triple//-/_}
    env "CC_$env_triple=$wrappers/cc-$arch" "CXX_$env_triple=$wrappers/c++-$arch" \
        "AR_$env_triple=$wrappers/ar" \
        cargo clippy -q --target "$triple" -p tenon -p tenon-integration-tests --all-targets -- -D warnings
done

includes=(-I include -I sdk-c/include -I examples-c/interfaces)
strict=(-Wall -Wextra -Wpedantic -Werror -fvisibility=hidden)
for arch in aarch64 x86_64; do
    out="$target_dir/macos/$arch"
    mkdir -p "$out"
    case $arch in aarch64) cpu=arm64 ;; x86_64) cpu=x86-64 ;; esac
    for example in greeter processor; do
        "${zig[@]}" cc -target "$arch-macos" -shared -std=c99 "${strict[@]}" "${includes[@]}" \
            "examples-c/$example/$example.c" -o "$out/lib$example.dylib"
    done
    for example in greeter-cpp kv-cpp; do
        # Zig's Mach-O linker takes no -exported_symbol; its libc++ is
        # linked in with hidden visibility, so hidden visibility suffices.
        "${zig[@]}" c++ -target "$arch-macos" -shared -std=c++17 "${strict[@]}" \
            -fvisibility-inlines-hidden "${includes[@]}" \
            examples-c/$example/*.cpp -o "$out/lib$example.dylib"
    done
    for library in "$out"/*.dylib; do
        set +e
        report=$("$tenon" inspect --json "$library")
        status=$?
        set -e
        [ "$status" -eq 1 ] || fail "tenon inspect $library: status $status"
        python3 - "$report" "$cpu" "$library" <<'EOF' || fail "tenon inspect $library: $report"
import json, sys
report, cpu, library = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
error = report["error"]
assert error["kind"] == "wrong_architecture", error
expected = f"the file is a Mach-O library (macOS, iOS) for {cpu}, 64-bit little-endian, but"
assert expected in error["message"], error["message"]
EOF
    done
    say "$arch: $(ls "$out" | wc -l) Mach-O dylibs built and read as foreign by tenon inspect"
done
say "passed"
