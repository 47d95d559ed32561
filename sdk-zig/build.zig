//! The Zig SDK's build helper: `addPlugin` builds a Tenon plugin as a shared
//! library, so a plugin's own build.zig is a few lines (see
//! examples-zig/greeter/build.zig). A plugin project depends on this
//! directory in its build.zig.zon:
//!
//!     .dependencies = .{ .tenon = .{ .path = "<path to sdk-zig>" } },
//!
//! and calls `@import("tenon").addPlugin(b, .{ ... })` from its build.zig.
//!
//! Written for Zig 0.17.
const std = @import("std");

/// Nothing to build on its own: the SDK is a build helper and the module
/// tenon.zig, which `addPlugin` hands to the plugin.
pub fn build(b: *std.Build) void {
    _ = b;
}

pub const PluginOptions = struct {
    /// The library's name: `lib<name>.so`, `.dylib`, or `<name>.dll`.
    name: []const u8,
    /// The plugin's Zig source, which imports the C declarations as
    /// `@import("c")` and the helpers as `@import("tenon")`.
    root_source_file: std.Build.LazyPath,
    /// The C header listing the headers to translate (`#include
    /// <tenon/plugin.h>`, `<tenon/sdk.h>`, the interface headers).
    c_header: std.Build.LazyPath,
    /// The name of this package in the plugin's build.zig.zon.
    dependency_name: []const u8 = "tenon",
    /// The directory holding every header (tenon/plugin.h, tenon/sdk.h, the
    /// interface headers) when `-Dtenon-include` is not given, as in a
    /// project that carries copies of them (`tenon new`); null: the Tenon
    /// repository around this SDK.
    include: ?std.Build.LazyPath = null,
};

/// Builds and installs the plugin `options.name` as a shared library, and
/// returns it; with `-Dstatic=<id>`, as a static library
/// (`lib<name>.a`) whose entry is the hidden `tenon_plugin_v1_<id>`.
///
/// - Target and optimization are the standard `-Dtarget` and `-Doptimize`.
/// - The C headers are translated by the build (`addTranslateC`, the
///   successor of `@cImport`, which Zig 0.17 no longer has) and given to the
///   plugin as the module `c`; tenon.zig is the module `tenon`.
/// - Where the headers are: `-Dtenon-include=<dir>` (tenon/plugin.h; an
///   installed SDK has all of them there), `-Dtenon-sdk-include=<dir>`
///   (tenon/sdk.h) and `-Dtenon-interfaces=<dir>` (interface headers), the
///   last two defaulting to `-Dtenon-include`, which defaults to
///   `options.include`. Without either they are read from the Tenon
///   repository around this SDK (../include, ../sdk-c/include,
///   ../examples-c/interfaces).
/// - The only export is whatever the plugin exports (with
///   `tenon.exportPlugin`, tenon_plugin_v1): Zig's C sanitizer runtime is
///   not bundled, since it would export its __ubsan_* symbols too.
pub fn addPlugin(b: *std.Build, options: PluginOptions) *std.Build.Step.Compile {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const sdk = b.dependency(options.dependency_name, .{});

    const given_include = b.option(
        std.Build.LazyPath,
        "tenon-include",
        "Directory holding tenon/plugin.h (default: the plugin's own include directory if it names one, else the Tenon repository's include/)",
    ) orelse options.include;
    const tenon_include = given_include orelse sdk.path("../include");
    const tenon_sdk_include = b.option(
        std.Build.LazyPath,
        "tenon-sdk-include",
        "Directory holding tenon/sdk.h (default: -Dtenon-include if given, else the Tenon repository's sdk-c/include/)",
    ) orelse given_include orelse sdk.path("../sdk-c/include");
    const interfaces = b.option(
        std.Build.LazyPath,
        "tenon-interfaces",
        "Directory holding the interface headers (default: -Dtenon-include if given, else the Tenon repository's examples-c/interfaces/)",
    ) orelse given_include orelse sdk.path("../examples-c/interfaces");

    const translate = b.addTranslateC(.{
        .root_source_file = options.c_header,
        .target = target,
        .optimize = optimize,
    });
    translate.addIncludePath(tenon_include);
    translate.addIncludePath(tenon_sdk_include);
    translate.addIncludePath(interfaces);
    const c = translate.createModule();

    // A static build (docs/static.md): the same source becomes a static
    // library whose entry is the hidden tenon_plugin_v1_<id>, linked into a
    // host and registered there by name.
    const static_id = b.option(
        []const u8,
        "static",
        "Build a static library whose entry is tenon_plugin_v1_<id> (not exported) instead of a shared library exporting tenon_plugin_v1; <id> is an identifier unique in the host",
    );
    const build_options = b.addOptions();
    build_options.addOption(?[]const u8, "static_id", static_id);

    const tenon = b.createModule(.{
        .root_source_file = sdk.path("tenon.zig"),
        .target = target,
        .optimize = optimize,
        .imports = &.{
            .{ .name = "c", .module = c },
            .{ .name = "tenon_build", .module = build_options.createModule() },
        },
    });

    const lib = b.addLibrary(.{
        .name = options.name,
        .linkage = if (static_id == null) .dynamic else .static,
        .root_module = b.createModule(.{
            .root_source_file = options.root_source_file,
            .target = target,
            .optimize = optimize,
            // Linked into position-independent executables (Rust's default).
            .pic = true,
            // A static library's stack protector calls __stack_chk_fail,
            // which the linking toolchain may not provide (MinGW's lives in
            // libssp, which rustc does not link).
            .stack_protector = if (static_id == null) null else false,
            .imports = &.{
                .{ .name = "c", .module = c },
                .{ .name = "tenon", .module = tenon },
            },
        }),
    });
    lib.bundle_ubsan_rt = false;
    // A static library is linked by another toolchain (cc, rustc), which
    // does not provide Zig's runtime helpers (__zig_probe_stack, ...).
    if (static_id != null) lib.bundle_compiler_rt = true;
    // Zig's own x86_64 backend (the Debug default) gives the entry default
    // visibility and the object no .note.GNU-stack, so a C host linking a
    // Debug build would export the entry under -rdynamic and get an
    // executable stack; LLVM emits both as for the other modes.
    if (static_id != null) lib.use_llvm = true;
    b.installArtifact(lib);
    return lib;
}
