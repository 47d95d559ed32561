//! Builds {{name}}, a Tenon plugin written in Zig, as a shared library:
//!
//!     zig build        # zig-out/lib/lib{{ident}}.so (.dylib on macOS; zig-out/bin/{{ident}}.dll on Windows)
//!
//! The build is the Zig SDK's (sdk-zig/, the dependency `tenon` in
//! build.zig.zon): it translates the headers src/tenon.h lists, from
//! include/ (both copied from the Tenon SDK by `tenon new`), and gives them
//! to src/plugin.zig as `@import("c")`, next to the helpers,
//! `@import("tenon")`.
const std = @import("std");
const tenon = @import("tenon");

pub fn build(b: *std.Build) void {
    _ = tenon.addPlugin(b, .{
        .name = "{{ident}}",
        .root_source_file = b.path("src/plugin.zig"),
        .c_header = b.path("src/tenon.h"),
        .include = b.path("include"),
    });
}
