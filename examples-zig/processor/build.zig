//! Builds the Zig processor example as a shared library: `zig build` writes
//! zig-out/lib/libprocessor-zig.so (.dylib on macOS, zig-out/bin/processor-zig.dll
//! on Windows).
//!
//! The build is the SDK's (sdk-zig, the dependency `tenon` in
//! build.zig.zon): it translates the C headers listed in src/tenon.h, which
//! src/processor.zig imports as `@import("c")`, next to the helpers,
//! `@import("tenon")`. By default the headers are read from this repository;
//! outside it, point the build at an installed SDK, whose include directory
//! holds all of them:
//!
//!     zig build -Dtenon-include=/usr/local/include
//!
//! (-Dtenon-sdk-include and -Dtenon-interfaces set the directories of
//! tenon/sdk.h and of the interface headers separately when they are
//! elsewhere.)
//!
//! Written for Zig 0.17 (`python3 -m ziglang build` after
//! `pip install ziglang`).
const std = @import("std");
const tenon = @import("tenon");

pub fn build(b: *std.Build) void {
    _ = tenon.addPlugin(b, .{
        .name = "processor-zig",
        .root_source_file = b.path("src/processor.zig"),
        .c_header = b.path("src/tenon.h"),
    });
}
