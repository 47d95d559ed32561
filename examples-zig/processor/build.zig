//! Builds the Zig processor example as a shared library: `zig build` writes
//! zig-out/lib/libprocessor-zig.so (.dylib on macOS, zig-out/bin/processor-zig.dll
//! on Windows).
//!
//! The C headers are translated to Zig by the build (`addTranslateC`, the
//! successor of `@cImport`, which Zig 0.17 no longer has) and imported by
//! src/processor.zig as `@import("c")`. By default they are read from this
//! repository (../../include, ../../sdk-c/include and
//! ../../examples-c/interfaces); outside it, point the build at an installed
//! SDK, whose include directory holds all of them:
//!
//!     zig build -Dtenon-include=/usr/local/include
//!
//! (-Dtenon-sdk-include and -Dtenon-interfaces set the other two
//! directories separately when they are elsewhere.)
//!
//! Written for Zig 0.17 (`python3 -m ziglang build` after
//! `pip install ziglang`).
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});

    // Where the headers are: this repository by default; an installed SDK
    // (`cmake --install`, which puts all of them under <prefix>/include)
    // needs only -Dtenon-include=<prefix>/include.
    const given_include = b.option(
        std.Build.LazyPath,
        "tenon-include",
        "Directory holding tenon/plugin.h (default: this repository's include/)",
    );
    const tenon_include = given_include orelse b.path("../../include");
    const tenon_sdk_include = b.option(
        std.Build.LazyPath,
        "tenon-sdk-include",
        "Directory holding tenon/sdk.h (default: -Dtenon-include if given, else this repository's sdk-c/include/)",
    ) orelse given_include orelse b.path("../../sdk-c/include");
    const interfaces = b.option(
        std.Build.LazyPath,
        "tenon-interfaces",
        "Directory holding tenon_examples/processor.h (default: -Dtenon-include if given, else this repository's examples-c/interfaces/)",
    ) orelse given_include orelse b.path("../../examples-c/interfaces");

    // The C declarations, translated once per build configuration.
    const c = b.addTranslateC(.{
        .root_source_file = b.path("src/tenon.h"),
        .target = target,
        .optimize = optimize,
    });
    c.addIncludePath(tenon_include);
    c.addIncludePath(tenon_sdk_include);
    c.addIncludePath(interfaces);

    const lib = b.addLibrary(.{
        .name = "processor-zig",
        .linkage = .dynamic,
        .root_module = b.createModule(.{
            .root_source_file = b.path("src/processor.zig"),
            .target = target,
            .optimize = optimize,
            .imports = &.{.{ .name = "c", .module = c.createModule() }},
        }),
    });
    // The plugin contains no C code, so it needs no C sanitizer runtime;
    // bundling it would export its __ubsan_* symbols next to tenon_plugin_v1.
    lib.bundle_ubsan_rt = false;
    b.installArtifact(lib);
}
