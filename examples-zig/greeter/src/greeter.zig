//! Example Tenon plugin in Zig: org.tenon.example.greeter v1.
//!
//! greet(name) appends "Hello, <name>!" to the host's buffer. The name's
//! bytes are copied through untouched, so any UTF-8 the host sends comes back
//! as it was.
//!
//! Stateless, hence thread-safe: every instance is the same static object and
//! no method writes to it. Accepts any config.
//!
//! Every declaration comes from the C headers (`c`, see build.zig), the
//! helpers from the SDK (`tenon`, sdk-zig/tenon.zig); the only symbol
//! exported is tenon_plugin_v1. Functions the host calls use the C calling
//! convention (`callconv(.c)`), and nothing here allocates: results go into
//! the host's buffers.
const c = @import("c");
const tenon = @import("tenon");

fn greet(
    instance: ?*anyopaque,
    name: c.tenon_str,
    out: [*c]c.tenon_buffer,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = instance;
    if (out == null) {
        return tenon.fail(@"error", c.TENON_INVALID_ARGUMENT, "greet: out buffer is NULL");
    }
    const text = tenon.str(name) orelse {
        return tenon.fail(@"error", c.TENON_INVALID_ARGUMENT, "greet: name is NULL but not empty");
    };
    var status = tenon.append(out, "Hello, ");
    if (status == c.TENON_OK) status = tenon.append(out, text);
    if (status == c.TENON_OK) status = tenon.append(out, "!");
    if (status != c.TENON_OK) {
        return tenon.fail(@"error", status, "greet: could not grow the output buffer");
    }
    return c.TENON_OK;
}

/// The stateless create of the SDK (every instance is the same static
/// object, any config accepted), plus the debug log line the conformance
/// suite expects.
fn create(
    host: [*c]const c.tenon_host,
    config: c.tenon_str,
    out_instance: [*c]?*anyopaque,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    const status = tenon.createStateless(host, config, out_instance, @"error");
    if (status == c.TENON_OK) {
        c.tenon_host_log(host, c.TENON_LOG_DEBUG, "greeter-zig instance created");
    }
    return status;
}

// A panic aborts the process. The SDK's handler writes the panic's message
// last, so a host that runs this plugin isolated names it in the crash.
pub const panic = tenon.panic;

comptime {
    // The descriptor, its NULL-terminated interface table, and the export
    // tenon_plugin_v1 returning it; nothing to free, so the default destroy.
    tenon.exportPlugin(.{
        .name = "greeter-zig",
        .version = "1.0.0",
        .description = "Greets people by name (example plugin written in Zig)",
        .flags = c.TENON_PLUGIN_THREAD_SAFE,
        .interfaces = &.{
            tenon.interface(c.EXAMPLE_GREETER_ID, c.EXAMPLE_GREETER_VERSION, c.example_greeter_v1, .{
                .greet = greet,
            }),
        },
        .create = create,
    });
}
