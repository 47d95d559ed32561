//! Example Tenon plugin in Zig: org.tenon.example.processor v1.
//!
//! name() is "crc32"; process(input) appends the CRC-32 of input (IEEE 802.3,
//! reflected polynomial 0xEDB88320, zlib's crc32: Zig's std.hash.Crc32) as 4
//! bytes, most significant first, exactly like examples-c/processor.
//! "123456789" gives CB F4 39 26.
//!
//! Stateless, hence thread-safe. Accepts any config.
//!
//! Every declaration comes from the C headers (`c`, see build.zig); the only
//! symbol exported is tenon_plugin_v1. Functions the host calls use the C
//! calling convention (`callconv(.c)`), and nothing here allocates: results
//! go into the host's buffers through the header's own tenon_buffer_append.
const std = @import("std");
const c = @import("c");

/// The one instance every create hands out; only its address is used.
var instance_marker: u8 = 0;

fn name(
    instance: ?*anyopaque,
    out: [*c]c.tenon_buffer,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = instance;
    if (out == null) {
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "name: out buffer is NULL");
    }
    const text = "crc32";
    if (c.tenon_buffer_append(out, text, text.len) != c.TENON_OK) {
        return c.tenon_fail(@"error", c.TENON_OUT_OF_MEMORY, "name: could not grow the output buffer");
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
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "process: out buffer is NULL");
    }
    if (input.ptr == null and input.len != 0) {
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "process: input is NULL but not empty");
    }
    // A NULL pointer is allowed only with length 0, which must not be sliced.
    const bytes: []const u8 = if (input.len == 0) &.{} else input.ptr[0..input.len];
    var digest: [4]u8 = undefined;
    std.mem.writeInt(u32, &digest, std.hash.Crc32.hash(bytes), .big);
    if (c.tenon_buffer_append(out, &digest, digest.len) != c.TENON_OK) {
        return c.tenon_fail(@"error", c.TENON_OUT_OF_MEMORY, "process: could not grow the output buffer");
    }
    return c.TENON_OK;
}

fn create(
    host: [*c]const c.tenon_host,
    config: c.tenon_str,
    out_instance: [*c]?*anyopaque,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = host;
    _ = config;
    if (out_instance == null) {
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    out_instance.* = &instance_marker;
    return c.TENON_OK;
}

fn destroy(instance: ?*anyopaque) callconv(.c) void {
    _ = instance;
}

/// The vtable, methods in declaration order: assigning each function to its
/// slot checks its signature against the C declaration at compile time.
const processor_vtable = c.example_processor_v1{
    .struct_size = @sizeOf(c.example_processor_v1),
    .name = name,
    .process = process,
};

const processor_entry = c.tenon_interface{
    .struct_size = @sizeOf(c.tenon_interface),
    .version = c.EXAMPLE_PROCESSOR_VERSION,
    .id = c.EXAMPLE_PROCESSOR_ID,
    .vtable = &processor_vtable,
};

/// The interface table: one pointer per interface, then the NULL terminator
/// plugin.h requires.
const interface_table = [_][*c]const c.tenon_interface{ &processor_entry, null };

const descriptor = c.tenon_plugin_descriptor{
    .struct_size = @sizeOf(c.tenon_plugin_descriptor),
    .abi_major = c.TENON_ABI_MAJOR,
    .abi_minor = c.TENON_ABI_MINOR,
    .name = "processor-zig",
    .version = "1.0.0",
    .description = "CRC-32 checksum processor (example plugin written in Zig)",
    .flags = c.TENON_PLUGIN_THREAD_SAFE,
    .interface_count = interface_table.len - 1,
    .interfaces = &interface_table,
    .create = create,
    .destroy = destroy,
};

/// The plugin's one export: returns the static descriptor.
export fn tenon_plugin_v1() callconv(.c) [*c]const c.tenon_plugin_descriptor {
    return &descriptor;
}

comptime {
    // The entry has exactly the type plugin.h declares for it.
    const entry: c.tenon_plugin_entry_v1 = &tenon_plugin_v1;
    _ = entry;
}
