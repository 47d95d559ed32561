//! Example Tenon plugin in Zig: org.tenon.example.greeter v1.
//!
//! greet(name) appends "Hello, <name>!" to the host's buffer. The name's
//! bytes are copied through untouched, so any UTF-8 the host sends comes back
//! as it was.
//!
//! Stateless, hence thread-safe: every instance is the same static object and
//! no method writes to it. Accepts any config.
//!
//! Every declaration comes from the C headers (`c`, see build.zig); the only
//! symbol exported is tenon_plugin_v1. Functions the host calls use the C
//! calling convention (`callconv(.c)`), and nothing here allocates: results
//! go into the host's buffers through the header's own tenon_buffer_append.
const c = @import("c");

/// The one instance every create hands out. Its contents are never read: it
/// only gives the instance a non-NULL address.
var instance_marker: u8 = 0;

/// Appends `bytes` to a host-owned buffer (growing it through its reserve
/// callback, never freeing it).
fn append(buffer: [*c]c.tenon_buffer, bytes: []const u8) c.tenon_status {
    return c.tenon_buffer_append(buffer, bytes.ptr, bytes.len);
}

fn greet(
    instance: ?*anyopaque,
    name: c.tenon_str,
    out: [*c]c.tenon_buffer,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = instance;
    if (out == null) {
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "greet: out buffer is NULL");
    }
    var status = append(out, "Hello, ");
    if (status == c.TENON_OK and name.len != 0) status = append(out, name.ptr[0..name.len]);
    if (status == c.TENON_OK) status = append(out, "!");
    if (status != c.TENON_OK) {
        return c.tenon_fail(@"error", status, "greet: could not grow the output buffer");
    }
    return c.TENON_OK;
}

fn create(
    host: [*c]const c.tenon_host,
    config: c.tenon_str,
    out_instance: [*c]?*anyopaque,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = config;
    if (out_instance == null) {
        return c.tenon_fail(@"error", c.TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    out_instance.* = &instance_marker;
    c.tenon_host_log(host, c.TENON_LOG_DEBUG, "greeter-zig instance created");
    return c.TENON_OK;
}

fn destroy(instance: ?*anyopaque) callconv(.c) void {
    _ = instance;
}

/// The vtable: assigning greet to the slot checks its signature against the
/// C declaration at compile time.
const greeter_vtable = c.example_greeter_v1{
    .struct_size = @sizeOf(c.example_greeter_v1),
    .greet = greet,
};

const greeter_entry = c.tenon_interface{
    .struct_size = @sizeOf(c.tenon_interface),
    .version = c.EXAMPLE_GREETER_VERSION,
    .id = c.EXAMPLE_GREETER_ID,
    .vtable = &greeter_vtable,
};

/// The interface table: one pointer per interface, then the NULL terminator
/// plugin.h requires.
const interface_table = [_][*c]const c.tenon_interface{ &greeter_entry, null };

const descriptor = c.tenon_plugin_descriptor{
    .struct_size = @sizeOf(c.tenon_plugin_descriptor),
    .abi_major = c.TENON_ABI_MAJOR,
    .abi_minor = c.TENON_ABI_MINOR,
    .name = "greeter-zig",
    .version = "1.0.0",
    .description = "Greets people by name (example plugin written in Zig)",
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
