//! Builds {{name}}, a Tenon plugin written in Zig, as a shared library:
//!
//!     zig build        # zig-out/lib/lib{{ident}}.so (.dylib on macOS; zig-out/bin/{{ident}}.dll on Windows)
//!
//! The Tenon headers are in include/ (copied by `tenon new`); src/c.h is
//! what Zig translates from them.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});

    // plugin.h and the interface header, translated to Zig declarations.
    const c = b.addTranslateC(.{
        .root_source_file = b.path("src/c.h"),
        .target = target,
        .optimize = optimize,
    });
    c.addIncludePath(b.path("include"));

    const lib = b.addLibrary(.{
        .name = "{{ident}}",
        .linkage = .dynamic,
        .root_module = b.createModule(.{
            .root_source_file = b.path("src/plugin.zig"),
            .target = target,
            .optimize = optimize,
            .link_libc = true,
            .imports = &.{.{ .name = "c", .module = c.createModule() }},
        }),
    });
    // A plugin exports tenon_plugin_v1 alone; no sanitizer runtime with it.
    lib.bundle_ubsan_rt = false;
    b.installArtifact(lib);
}
