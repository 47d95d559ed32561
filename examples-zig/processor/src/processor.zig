//! Example Tenon plugin in Zig: org.tenon.example.processor v1.
//!
//! name() is "crc32"; process(input) appends the CRC-32 of input (IEEE 802.3,
//! reflected polynomial 0xEDB88320, zlib's crc32: Zig's std.hash.Crc32) as 4
//! bytes, most significant first, exactly like examples-c/processor.
//! "123456789" gives CB F4 39 26.
//!
//! Stateless, hence thread-safe. Accepts any config.
//!
//! Every declaration comes from the C headers (`c`, see build.zig), the
//! helpers from the SDK (`tenon`, sdk-zig/tenon.zig); the only symbol
//! exported is tenon_plugin_v1. Functions the host calls use the C calling
//! convention (`callconv(.c)`), and nothing here allocates: results go into
//! the host's buffers.
const std = @import("std");
const c = @import("c");
const tenon = @import("tenon");

fn name(
    instance: ?*anyopaque,
    out: [*c]c.tenon_buffer,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = instance;
    if (out == null) {
        return tenon.fail(@"error", c.TENON_INVALID_ARGUMENT, "name: out buffer is NULL");
    }
    if (tenon.append(out, "crc32") != c.TENON_OK) {
        return tenon.fail(@"error", c.TENON_OUT_OF_MEMORY, "name: could not grow the output buffer");
    }
    return c.TENON_OK;
}

fn process(
    instance: ?*anyopaque,
    input: c.tenon_bytes,
    out: [*c]c.tenon_buffer,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = instance;
    if (out == null) {
        return tenon.fail(@"error", c.TENON_INVALID_ARGUMENT, "process: out buffer is NULL");
    }
    const bytes = tenon.bytes(input) orelse {
        return tenon.fail(@"error", c.TENON_INVALID_ARGUMENT, "process: input is NULL but not empty");
    };
    var digest: [4]u8 = undefined;
    std.mem.writeInt(u32, &digest, std.hash.Crc32.hash(bytes), .big);
    if (tenon.append(out, &digest) != c.TENON_OK) {
        return tenon.fail(@"error", c.TENON_OUT_OF_MEMORY, "process: could not grow the output buffer");
    }
    return c.TENON_OK;
}

// A panic aborts the process. The SDK's handler writes the panic's message
// last, so a host that runs this plugin isolated names it in the crash.
pub const panic = tenon.panic;

comptime {
    // The descriptor, its NULL-terminated interface table, and the export
    // tenon_plugin_v1 returning it. Stateless, so the SDK's default create
    // (every instance the same static object) and destroy (nothing to free).
    tenon.exportPlugin(.{
        .name = "processor-zig",
        .version = "1.0.0",
        .description = "CRC-32 checksum processor (example plugin written in Zig)",
        .flags = c.TENON_PLUGIN_THREAD_SAFE,
        .interfaces = &.{
            tenon.interface(c.EXAMPLE_PROCESSOR_ID, c.EXAMPLE_PROCESSOR_VERSION, c.example_processor_v1, .{
                .name = name,
                .process = process,
            }),
        },
    });
}
