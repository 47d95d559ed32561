//! Builds the Zig greeter example as a shared library: `zig build` writes
//! zig-out/lib/libgreeter-zig.so (.dylib on macOS, zig-out/bin/greeter-zig.dll
//! on Windows).
//!
//! The build is the SDK's (sdk-zig, the dependency `tenon` in
//! build.zig.zon): it translates the C headers listed in src/tenon.h, which
//! src/greeter.zig imports as `@import("c")`, next to the helpers,
//! `@import("tenon")`. By default the headers are read from this repository;
//! the Zig SDK installed with CMake (share/tenon/sdk-zig) reads them from
//! its prefix instead. Against any other copy of sdk-zig, name the
//! directory that holds all of them:
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
        .name = "greeter-zig",
        .root_source_file = b.path("src/greeter.zig"),
        .c_header = b.path("src/tenon.h"),
    });
}
