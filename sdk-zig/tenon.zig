//! Helpers for Tenon plugins written in Zig, what sdk.h is to C and
//! plugin.hpp to C++. Imported as `@import("tenon")` by a plugin built with
//! build.zig's `addPlugin`, next to the translated C headers, `@import("c")`.
//!
//! Results go into the host's buffers through plugin.h's own
//! tenon_buffer_append; only `Buffer`, a buffer of the plugin's own for
//! calling a host service, allocates (with libc's allocator).
const std = @import("std");
const c = @import("c");
const build = @import("tenon_build");

/// Appends `data` to a host-owned buffer, growing it through its reserve
/// callback (never freeing it). TENON_OK, or the status reserve returned.
pub fn append(buffer: [*c]c.tenon_buffer, data: []const u8) c.tenon_status {
    return c.tenon_buffer_append(buffer, data.ptr, data.len);
}

/// Writes `message` into the error buffer (if there is one) and returns
/// `status`: `return tenon.fail(@"error", c.TENON_NOT_FOUND, "no such key");`.
pub fn fail(@"error": [*c]c.tenon_buffer, status: c.tenon_status, message: [:0]const u8) c.tenon_status {
    return c.tenon_fail(@"error", status, message.ptr);
}

/// The borrowed string as a slice; null when its pointer is NULL with a
/// non-zero length (a host error the caller reports).
pub fn str(s: c.tenon_str) ?[]const u8 {
    if (s.len == 0) return &.{};
    if (s.ptr == null) return null;
    return s.ptr[0..s.len];
}

/// The borrowed bytes as a slice; null when the pointer is NULL with a
/// non-zero length (a host error the caller reports).
pub fn bytes(b: c.tenon_bytes) ?[]const u8 {
    if (b.len == 0) return &.{};
    if (b.ptr == null) return null;
    return b.ptr[0..b.len];
}

/// A lock for the state of a TENON_PLUGIN_THREAD_SAFE plugin's instances,
/// whose methods run concurrently. Zig 0.17 has no lock without an
/// `std.Io` (`std.Io.Mutex` takes one, `std.Thread.Mutex` is gone), and a
/// plugin is never handed one: its host is not a Zig program. This one
/// waits as `std.Io.Threaded` does (a futex on Linux, `__ulock_wait` on
/// macOS, Zig's own queue of parked threads on Windows), through its
/// global instance, whose waits use none of the instance's state, so any
/// thread, the host's included, may lock it. Starts unlocked (`.{}`); lock
/// and unlock the same object, never a copy:
///
///     self.lock.lock();
///     defer self.lock.unlock();
pub const Mutex = struct {
    inner: std.Io.Mutex = .init,

    /// Waits until the lock is free, then takes it.
    pub fn lock(m: *Mutex) void {
        m.inner.lockUncancelable(lockIo());
    }

    /// Takes the lock if it is free; false (and nothing taken) otherwise.
    pub fn tryLock(m: *Mutex) bool {
        return m.inner.tryLock();
    }

    /// Releases the lock this thread holds, waking one waiter.
    pub fn unlock(m: *Mutex) void {
        m.inner.unlock(lockIo());
    }
};

fn lockIo() std.Io {
    return std.Io.Threaded.global_single_threaded.io();
}

/// A growable buffer of the plugin's own, to lend a host service (an
/// interface from `host.*.get_interface`) as a result or error buffer when
/// the plugin reads the answer itself; forwarding the buffers its own method
/// received needs none. Its reserve grows it with libc's `realloc` (a
/// plugin that translates the headers links libc); `deinit` frees it.
/// Lend `&buf.buffer`, and do not move or copy the `Buffer` while it is
/// lent: the host calls reserve with that very address (plugin.h).
///
///     var answer: tenon.Buffer = .{};
///     defer answer.deinit();
///     const status = greeter.greet.?(host_instance, name, &answer.buffer, &message.buffer);
///     // answer.items() is what the host wrote
pub const Buffer = struct {
    buffer: c.tenon_buffer = .{
        .data = null,
        .len = 0,
        .capacity = 0,
        .reserve = reserveOwn,
        .host_data = null,
    },

    /// The bytes written so far; valid until the next write or `deinit`.
    pub fn items(self: *const Buffer) []const u8 {
        if (self.buffer.len == 0 or self.buffer.data == null) return &.{};
        return self.buffer.data[0..self.buffer.len];
    }

    /// Frees the storage; the buffer is empty again, and may be reused.
    pub fn deinit(self: *Buffer) void {
        std.c.free(self.buffer.data);
        self.* = .{};
    }
};

/// `Buffer`'s reserve: grows the storage to hold `additional` more bytes
/// (at least doubling it, so appends stay cheap).
fn reserveOwn(buffer: [*c]c.tenon_buffer, additional: usize) callconv(.c) c.tenon_status {
    if (buffer == null) return c.TENON_INVALID_ARGUMENT;
    const own = &buffer[0];
    if (own.reserve != reserveOwn or own.len > own.capacity) return c.TENON_INVALID_ARGUMENT;
    if (own.capacity - own.len >= additional) return c.TENON_OK;
    const needed = std.math.add(usize, own.len, additional) catch return c.TENON_OUT_OF_MEMORY;
    const capacity = @max(needed, own.capacity *| 2, 64);
    const data = std.c.realloc(own.data, capacity) orelse return c.TENON_OUT_OF_MEMORY;
    own.data = @ptrCast(data);
    own.capacity = capacity;
    return c.TENON_OK;
}

/// One entry of the plugin's interface table: interface `id` at `version`
/// (the interface header's *_ID and *_VERSION), implemented by the vtable
/// `Vtable` (e.g. c.example_greeter_v1) with its struct_size set and every
/// method taken from `methods`, a struct with one field per vtable slot:
///
///     tenon.interface(c.EXAMPLE_GREETER_ID, c.EXAMPLE_GREETER_VERSION,
///         c.example_greeter_v1, .{ .greet = greet })
///
/// Assigning each function to its slot checks its signature against the C
/// declaration at compile time; a slot left out does not compile.
///
/// A plugin may list one id at several versions, one entry per version with
/// that version's vtable type, to serve hosts of each from one build (hosts
/// of Tenon releases before this rule refuse an id listed twice); the same
/// id and version twice is refused.
///
/// Revisions: `Vtable` comes from the interface header the plugin is built
/// against, and its size (the struct_size written here) tells the host
/// which revision of the interface the plugin implements. A plugin built
/// against an older header, before methods were appended, stays valid:
/// hosts of later revisions load it and report its missing methods as not
/// provided. To implement an earlier revision, build against that
/// revision's header (-Dtenon-interfaces), not a newer one.
pub fn interface(
    comptime id: [*:0]const u8,
    comptime version: u32,
    comptime Vtable: type,
    comptime methods: anytype,
) c.tenon_interface {
    const Static = struct {
        const vtable: Vtable = vtable: {
            var table: Vtable = undefined;
            for (std.meta.fieldNames(Vtable)) |slot| {
                if (std.mem.eql(u8, slot, "struct_size")) {
                    table.struct_size = @sizeOf(Vtable);
                } else if (@hasField(@TypeOf(methods), slot)) {
                    @field(table, slot) = @field(methods, slot);
                } else {
                    @compileError("no method for the vtable slot " ++ slot);
                }
            }
            for (std.meta.fieldNames(@TypeOf(methods))) |method| {
                if (!@hasField(Vtable, method)) {
                    @compileError("the vtable has no slot " ++ method);
                }
            }
            break :vtable table;
        };
    };
    return .{
        .struct_size = @sizeOf(c.tenon_interface),
        .version = version,
        .id = id,
        .vtable = &Static.vtable,
    };
}

/// The instance every `createStateless` hands out; only its address is
/// used.
var stateless_instance: u8 = 0;

/// A create for stateless plugins: accepts any config and hands out the same
/// static object as every instance (the default of `Plugin.create`).
pub fn createStateless(
    host: [*c]const c.tenon_host,
    config: c.tenon_str,
    out_instance: [*c]?*anyopaque,
    @"error": [*c]c.tenon_buffer,
) callconv(.c) c.tenon_status {
    _ = host;
    _ = config;
    if (out_instance == null) {
        return fail(@"error", c.TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    out_instance.* = &stateless_instance;
    return c.TENON_OK;
}

/// A destroy with nothing to free (the default of `Plugin.destroy`).
pub fn destroyNothing(instance: ?*anyopaque) callconv(.c) void {
    _ = instance;
}

/// A panic handler that ends with the panic's message, for plugins that may
/// run isolated (docs/isolation.md). Zig's own handler writes the message,
/// then the stack trace, and aborts; an isolating host keeps only the last
/// lines of its plugin process's stderr as the crash's last words, which
/// are then the trace's last frames. This one writes the same message and
/// trace, then the message once more, and aborts as Zig's does. A plugin
/// opts in from its root source file:
///
///     pub const panic = tenon.panic;
pub const panic = std.debug.FullPanic(panicMessageLast);

/// Set by the first thread to panic: it alone writes, then aborts.
var panicked = std.atomic.Value(bool).init(false);
/// Set while this thread is in the handler: a panic while writing a panic
/// aborts at once.
threadlocal var in_panic = false;

fn panicMessageLast(message: []const u8, first_trace_address: ?usize) noreturn {
    @branchHint(.cold);
    if (in_panic) std.process.abort();
    in_panic = true;
    if (panicked.swap(true, .acq_rel)) {
        // Another thread is writing its panic and will end the process;
        // writing this one too would interleave the two.
        const never: u32 = 0;
        while (true) std.Options.debug_io.futexWaitUncancelable(u32, &never, 0);
    }
    std.debug.print("thread {d} panic: {s}\n", .{ std.Thread.getCurrentId(), message });
    std.debug.dumpCurrentStackTrace(.{
        .first_address = first_trace_address orelse @returnAddress(),
        .allow_unsafe_unwind = true,
    });
    std.debug.print("panic: {s}\n", .{message});
    std.process.abort();
}

/// What `exportPlugin` puts in the descriptor.
pub const Plugin = struct {
    name: [:0]const u8,
    version: [:0]const u8,
    description: [:0]const u8,
    /// TENON_PLUGIN_* flags, e.g. TENON_PLUGIN_THREAD_SAFE.
    flags: u64 = 0,
    /// The interfaces, in order; the NULL terminator is added.
    interfaces: []const c.tenon_interface,
    create: @FieldType(c.tenon_plugin_descriptor, "create") = createStateless,
    destroy: @FieldType(c.tenon_plugin_descriptor, "destroy") = destroyNothing,
};

/// Builds the static descriptor (ABI version, interface count and
/// NULL-terminated interface table included) and exports `tenon_plugin_v1`
/// returning it. Call it once, at comptime:
///
///     comptime {
///         tenon.exportPlugin(.{ .name = "greeter-zig", ... });
///     }
pub fn exportPlugin(comptime plugin: Plugin) void {
    const Static = struct {
        const entries: [plugin.interfaces.len]c.tenon_interface = plugin.interfaces[0..plugin.interfaces.len].*;
        const table = table: {
            var pointers: [entries.len + 1][*c]const c.tenon_interface = undefined;
            for (&entries, 0..) |*item, i| pointers[i] = item;
            pointers[entries.len] = null;
            break :table pointers;
        };
        const descriptor = c.tenon_plugin_descriptor{
            .struct_size = @sizeOf(c.tenon_plugin_descriptor),
            .abi_major = c.TENON_ABI_MAJOR,
            .abi_minor = c.TENON_ABI_MINOR,
            .name = plugin.name,
            .version = plugin.version,
            .description = plugin.description,
            .flags = plugin.flags,
            .interface_count = entries.len,
            .interfaces = &table,
            .create = plugin.create,
            .destroy = plugin.destroy,
        };
        fn entry() callconv(.c) [*c]const c.tenon_plugin_descriptor {
            return &descriptor;
        }
    };
    // The entry has exactly the type plugin.h declares for it.
    const checked: c.tenon_plugin_entry_v1 = &Static.entry;
    _ = checked;
    // `zig build -Dstatic=<id>` (sdk-zig/build.zig): a hidden entry with a
    // name of its own, so several static plugins link into one host.
    if (build.static_id) |id| {
        @export(&Static.entry, .{ .name = "tenon_plugin_v1_" ++ id, .visibility = .hidden });
    } else {
        @export(&Static.entry, .{ .name = "tenon_plugin_v1" });
    }
}
