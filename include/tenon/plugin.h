/*
 * tenon/plugin.h - the Tenon plugin contract, ABI 1.0.
 *
 * This header is the only thing a plugin and a host share. A plugin is an
 * ordinary shared library that exports one symbol, tenon_plugin_v1 (and
 * should export nothing else), and everything else is reached through the
 * tables declared here.
 *
 * Conventions used on every declaration below (docs/ABI.md explains them):
 *
 *   Threads
 *     [any-thread]    may be called from any thread, concurrently with any
 *                     other [any-thread] call.
 *     [instance]      a call on one instance. If the plugin does not set
 *                     TENON_PLUGIN_THREAD_SAFE, the host never makes two
 *                     [instance] calls on the same instance at the same time
 *                     (they may still come from different threads, one after
 *                     the other), nor re-enters it: a host service the
 *                     instance calls does not call back into it before
 *                     returning (the Rust host refuses such a call with an
 *                     error). If it does set it, they may overlap and nest.
 *     [lifecycle]     create/destroy: never concurrent with any [instance]
 *                     call on the instance being created or destroyed.
 *                     Different instances may be created and destroyed at
 *                     the same time from different threads, whatever the
 *                     plugin's flags: state shared between instances must
 *                     be synchronized by the plugin.
 *
 *   Ownership
 *     Every pointer passed into a function is borrowed for the duration of
 *     that call only, unless its documentation says otherwise. Nothing
 *     allocated by one side is ever freed by the other: results are written
 *     into host-owned tenon_buffer objects that the plugin grows through the
 *     buffer's own reserve callback.
 *
 *   Strings
 *     Strings are UTF-8. Strings passed to functions are tenon_str (pointer
 *     and length, not NUL-terminated). Static metadata strings in the
 *     descriptor are NUL-terminated, because they live in the plugin's
 *     read-only data and are read before any plugin code runs. A metadata
 *     string holds no ASCII control character (0x00-0x1F, 0x7F) and is at
 *     most 255 bytes long before its NUL (the plugin name, its version,
 *     interface ids) or 4096 bytes (the description); hosts refuse a plugin
 *     that breaks either rule.
 *
 *   Alignment
 *     Every structure a plugin hands the host (the descriptor, the interface
 *     table and its entries, vtables) is aligned as its C type requires,
 *     which static definitions in C, C++, Zig and Rust always are. Hosts
 *     refuse a misaligned one instead of reading it.
 *
 *   Growth
 *     Every struct that may gain fields starts with uint32_t struct_size,
 *     written by the side that owns the struct. Fields are only appended
 *     within ABI major 1. A reader never reads past the struct_size it was
 *     given; a field beyond it reads as "not provided".
 *
 *     Interface vtables grow the same way: a method added to an interface
 *     without a version bump is appended to the end of its vtable (the
 *     interface's revision 2, 3, ...). A plugin built against an earlier
 *     revision has a smaller struct_size; hosts accept it if it holds every
 *     method of revision 1, and report a call to a method past its
 *     struct_size as "not provided" without making it. A plugin built
 *     against a later revision than the host's loads too: the host reads
 *     its own prefix. Every slot within struct_size must be non-NULL.
 *
 * The header is C99 and C++11, uses fixed-width types (and size_t for
 * lengths), and has no compiler extensions outside #if blocks.
 */
#ifndef TENON_PLUGIN_H
#define TENON_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                 */
/* ------------------------------------------------------------------------ */

/* A host loads a plugin only if the majors are equal. A major bump renames
 * the entry symbol (tenon_plugin_v2), so a host of another major never
 * calls the entry or reads the descriptor; hosts that look for the other
 * majors' entries (the Rust host, libtenon) report abi_mismatch, others
 * find no entry (docs/ABI.md, "Versioning"). */
#define TENON_ABI_MAJOR 1
/* Minor versions only append fields; both directions stay compatible. */
#define TENON_ABI_MINOR 0

/* The exported entry symbol of ABI major 1, as a string for dlsym. */
#define TENON_ENTRY_SYMBOL_V1 "tenon_plugin_v1"

/* ------------------------------------------------------------------------ */
/* Export macro                                                             */
/* ------------------------------------------------------------------------ */

/* Marks the entry function as the library's one export. Build plugins with
 * hidden visibility (-fvisibility=hidden) so nothing else is exported. */
#if defined(_WIN32) || defined(__CYGWIN__)
#define TENON_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define TENON_EXPORT __attribute__((visibility("default")))
#else
#define TENON_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/* The result of every fallible call. Values are never reused or renumbered.
 * Every value other than TENON_OK is a failure. 1..999 are reserved for
 * Tenon: those not defined below (10..999) may gain a meaning in a later
 * minor version, so plugins must not return them; a host that receives one,
 * or a negative value, treats it as a failure and reports the number as it
 * is. Interfaces may define their own codes from 1000 up and must document
 * them. */
typedef int32_t tenon_status;

/* Success. */
#define TENON_OK 0
/* A failure with no more specific code; the message says what happened. */
#define TENON_ERROR 1
/* The thing asked for does not exist (a missing key, an unknown id). */
#define TENON_NOT_FOUND 2
/* An argument was rejected (malformed input, out of range). */
#define TENON_INVALID_ARGUMENT 3
/* A buffer could not grow, or the plugin could not allocate. */
#define TENON_OUT_OF_MEMORY 4
/* A Rust panic or C++ exception was caught at the boundary. */
#define TENON_PANIC 5
/* The operation is not supported by this implementation. */
#define TENON_UNSUPPORTED 6

/* Host-reported faults. A host that runs a plugin in another process (an
 * isolated plugin) returns these from the proxy vtables it hands out when
 * the call could not be completed there; a plugin never returns them (a
 * host that carries calls across a process boundary refuses them from a
 * plugin and reports TENON_ERROR instead). */
/* The plugin's process died during the call (a signal, or exit). */
#define TENON_CRASHED 7
/* The call outlived its deadline; the plugin's process was killed. */
#define TENON_TIMED_OUT 8
/* The instance lived in a plugin process that has died; a restarted
 * process does not have it, so every call on it fails this way. */
#define TENON_INSTANCE_LOST 9
/* First code an interface may define for itself. */
#define TENON_STATUS_INTERFACE_FIRST 1000

/* ------------------------------------------------------------------------ */
/* Borrowed data                                                            */
/* ------------------------------------------------------------------------ */

/* A borrowed UTF-8 string. ptr may be NULL only when len is 0. The bytes are
 * not NUL-terminated and stay valid until the call they are passed to
 * returns. Senders guarantee valid UTF-8. */
typedef struct tenon_str {
    const char *ptr;
    size_t len;
} tenon_str;

/* A borrowed byte slice, with the same rules as tenon_str minus UTF-8. */
typedef struct tenon_bytes {
    const uint8_t *ptr;
    size_t len;
} tenon_bytes;

/* ------------------------------------------------------------------------ */
/* Host-owned output buffers                                                */
/* ------------------------------------------------------------------------ */

/* A growable byte buffer owned by the host and lent to the plugin for one
 * call, used for every result of variable size and for error messages.
 * Hosts pass every buffer a method takes (its result and its error buffer)
 * non-NULL and empty (len 0).
 *
 * The plugin writes bytes at data[len .. capacity) and then advances len. To
 * get more room it calls reserve, which may move data; it must never free,
 * reallocate or keep data itself. After the call returns the plugin must not
 * touch the buffer again.
 *
 * Two rules protect the host from what it cannot see: reserve may only be
 * passed the very pointer the plugin received (never a copy of the struct;
 * a host may recognise its buffers through host_data and refuses anything
 * else with TENON_INVALID_ARGUMENT), and every byte below len must have been
 * written by the plugin (a host may zero-fill the room it lends, but the
 * plugin must not rely on it).
 *
 * What the host does with what it gets back: a result declared as text
 * that is not valid UTF-8 is rejected even when the method returned
 * TENON_OK (the Rust host's CallError kind invalid_output); an error
 * message that is not valid UTF-8 is kept, with the invalid bytes
 * replaced; a buffer whose data or capacity changed without reserve, or
 * whose len exceeds capacity, is rejected as invalid_output, and the host
 * never frees storage whose bookkeeping it can no longer trust.
 *
 * When a plugin calls an interface its host offers (get_interface below),
 * the roles swap: the plugin is the caller and lends the buffers (ones it
 * received, or its own with a reserve it wrote), the host's method appends
 * through their reserve, and everything above applies with host and plugin
 * exchanged.
 *
 * The layout of this struct is frozen for ABI major 1 (it has no
 * struct_size): hosts may place the bytes anywhere, shared memory included,
 * and plugins only ever use the five fields below. */
typedef struct tenon_buffer {
    /* Start of the storage. May be NULL or dangling while capacity is 0. */
    uint8_t *data;
    /* Bytes written so far, starting at data. */
    size_t len;
    /* Bytes available at data. Invariant: len <= capacity. */
    size_t capacity;
    /* Ensures capacity - len >= additional, possibly moving data (len and
     * the bytes already written are kept). Returns TENON_OK; or
     * TENON_OUT_OF_MEMORY and leaves the buffer unchanged; or
     * TENON_INVALID_ARGUMENT when buffer is not the buffer the host lent or
     * its fields were overwritten, and then nothing more may be written.
     * Never NULL.
     * [instance]: called only by the plugin, only during the call that
     * received the buffer. */
    tenon_status (*reserve)(struct tenon_buffer *buffer, size_t additional);
    /* Private to the side that lent the buffer (the host, for every buffer
     * a plugin's method receives): the other side must not read or write
     * it. */
    void *host_data;
} tenon_buffer;

/* Appends len bytes to buffer, growing it through reserve when needed.
 * Returns TENON_OK or the status reserve returned. bytes may be NULL only
 * when len is 0. */
static inline tenon_status tenon_buffer_append(tenon_buffer *buffer, const void *bytes,
                                               size_t len) {
    if (len == 0) {
        return TENON_OK;
    }
    if (buffer->capacity - buffer->len < len) {
        tenon_status status = buffer->reserve(buffer, len);
        if (status != TENON_OK) {
            return status;
        }
    }
    memcpy(buffer->data + buffer->len, bytes, len);
    buffer->len += len;
    return TENON_OK;
}

/* Appends a NUL-terminated UTF-8 string (without its NUL) to buffer. */
static inline tenon_status tenon_buffer_append_cstr(tenon_buffer *buffer, const char *text) {
    return tenon_buffer_append(buffer, text, strlen(text));
}

/* Writes message into the error buffer a method received and returns status,
 * so that a failing method can end with
 *     return tenon_fail(error, TENON_NOT_FOUND, "no such key");
 * A host may limit how long a message can be (an isolated plugin's error
 * buffer holds 64 KiB: reserve then returns TENON_OUT_OF_MEMORY): a message
 * that does not fit is cut to the start that does, at a UTF-8 character
 * boundary, rather than dropped. If nothing can be stored the status is
 * still returned. */
static inline tenon_status tenon_fail(tenon_buffer *error, tenon_status status,
                                      const char *message) {
    size_t len;
    size_t room;
    /* Not `== NULL`: C++ defines NULL as 0 (clang++), which
     * -Wzero-as-null-pointer-constant flags in a C++ plugin's build. */
    if (!error || !message) {
        return status;
    }
    len = strlen(message);
    if (tenon_buffer_append(error, message, len) == TENON_OUT_OF_MEMORY) {
        /* reserve failed and left the buffer as it was: fill the room it has. */
        room = error->capacity - error->len;
        if (len > room) {
            len = room;
            while (len > 0 && (message[len] & 0xC0) == 0x80) {
                len--;
            }
        }
        (void)tenon_buffer_append(error, message, len);
    }
    return status;
}

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

/* Severity of a message sent to the host's log. */
typedef int32_t tenon_log_level;
#define TENON_LOG_ERROR 1
#define TENON_LOG_WARN 2
#define TENON_LOG_INFO 3
#define TENON_LOG_DEBUG 4
#define TENON_LOG_TRACE 5

/* Services the host offers to a plugin instance. Owned by the host; passed
 * to create and valid until destroy of that instance has returned, so an
 * instance may keep the pointer. The plugin must not write to it. Every call
 * through it, or through an interface found with get_interface, including
 * calls from threads the plugin started, must have returned by the time
 * destroy returns (or create returns a failure), and none may start after. */
typedef struct tenon_host {
    /* sizeof(tenon_host) as compiled by the host. */
    uint32_t struct_size;
    /* The ABI the host was compiled against. */
    uint16_t abi_major;
    uint16_t abi_minor;
    /* Private to the host. */
    void *host_data;
    /* Sends one message to the host's log, attributed to this plugin.
     * Unknown levels are treated as TENON_LOG_INFO. message need not be
     * NUL-terminated and is copied before the call returns; bytes that are
     * not UTF-8 are logged replaced (U+FFFD), not refused.
     * [any-thread]. Never NULL. */
    void (*log)(const struct tenon_host *host, tenon_log_level level, tenon_str message);
    /* Looks up an interface that the host itself implements, so plugins can
     * call back into the host. Returns the interface's vtable and stores the
     * instance pointer to pass to its methods in *out_instance, or returns
     * NULL (and stores NULL) if the host offers no interface with this id
     * and version. Both pointers stay valid until destroy of the calling
     * instance has returned, and the interface's methods are [any-thread],
     * with one exception: a host that runs the plugin in another process
     * (an isolated plugin, docs/isolation.md) carries them only on a thread
     * serving a call the host made, and from any other thread (one the
     * plugin started, even while such a call waits for it) they return
     * TENON_UNSUPPORTED. [any-thread]. Never NULL. */
    const void *(*get_interface)(const struct tenon_host *host, tenon_str id, uint32_t version,
                                 void **out_instance);
} tenon_host;

/* ------------------------------------------------------------------------ */
/* Interfaces                                                               */
/* ------------------------------------------------------------------------ */

/* Every interface vtable starts with this field, followed by function
 * pointers that each take the instance as their first argument and end with
 * tenon_buffer *error (see docs/ABI.md, "Declaring an interface"). Hosts
 * pass every pointer argument of a method (out-parameters, buffers)
 * non-NULL. */
typedef struct tenon_vtable_header {
    /* sizeof(the vtable struct) as compiled by the plugin: it tells the
     * host which revision's methods are there (see Growth above). At least
     * sizeof(tenon_vtable_header) (4); a host requires at least the size of
     * the interface's revision 1. */
    uint32_t struct_size;
} tenon_vtable_header;

/* One interface a plugin implements. Owned by the plugin, static and
 * immutable for as long as the library is loaded. */
typedef struct tenon_interface {
    /* sizeof(tenon_interface) as compiled by the plugin. */
    uint32_t struct_size;
    /* Version of the interface, bumped on any incompatible change. */
    uint32_t version;
    /* Reverse-DNS id, NUL-terminated UTF-8, e.g. "org.example.greeter".
     * Not empty. One plugin may list an id in several entries, each at a
     * different version (one build serving hosts of each version); the same
     * id and version twice is refused. Compared byte for byte. Hosts of
     * Tenon releases before this rule refuse any id listed twice. */
    const char *id;
    /* The vtable: a struct starting with tenon_vtable_header. Never NULL. */
    const void *vtable;
} tenon_interface;

/* ------------------------------------------------------------------------ */
/* The plugin descriptor                                                    */
/* ------------------------------------------------------------------------ */

/* Instances may be called concurrently from several threads. Flags are bits
 * of the uint64_t flags field; the macros are plain integers so that every
 * language binding can read them. */
#define TENON_PLUGIN_THREAD_SAFE 1

/* Everything a host needs to know about a plugin, readable without running
 * plugin code beyond the entry function. Owned by the plugin, static and
 * immutable for as long as the library is loaded. */
typedef struct tenon_plugin_descriptor {
    /* sizeof(tenon_plugin_descriptor) as compiled by the plugin. */
    uint32_t struct_size;
    /* TENON_ABI_MAJOR and TENON_ABI_MINOR as compiled by the plugin. */
    uint16_t abi_major;
    uint16_t abi_minor;
    /* Plugin name, NUL-terminated UTF-8, not empty. Never NULL. */
    const char *name;
    /* Plugin version, NUL-terminated semantic version ("1.2.0"). Never NULL. */
    const char *version;
    /* One-line description, NUL-terminated UTF-8. May be NULL. */
    const char *description;
    /* TENON_PLUGIN_* flags; unknown bits are ignored by hosts. */
    uint64_t flags;
    /* Number of entries in interfaces; at most 4096 (a larger count is
     * taken for corruption). */
    uint32_t interface_count;
    /* interface_count pointers to interface entries, followed by a NULL
     * terminator that lets hosts check the count. May be NULL only when
     * interface_count is 0. */
    const tenon_interface *const *interfaces;
    /* Creates an instance. config is the host's configuration text (often
     * empty). On success stores the instance in *out_instance (an opaque
     * pointer the host passes back to every method; NULL is allowed for a
     * plugin without per-instance state) and returns TENON_OK; on failure
     * returns another status, may append a message to error, and the host
     * will not call destroy. host and error are never NULL, and
     * *out_instance is NULL when create is called (so a plugin that
     * returns TENON_OK without storing anything has made a NULL instance).
     * host is valid until destroy of this instance returns. [lifecycle].
     * Never NULL. */
    tenon_status (*create)(const tenon_host *host, tenon_str config, void **out_instance,
                           tenon_buffer *error);
    /* Destroys an instance that create returned. Called exactly once per
     * successful create, after every other call on the instance has
     * returned. [lifecycle]. Never NULL. */
    void (*destroy)(void *instance);
} tenon_plugin_descriptor;

/* The type of the entry function. Hosts and tools may call it more than
 * once (every load of the library calls it, and an inspector may call it
 * without creating anything), from any thread; it must return the same
 * pointer every time and must not fail other than by returning NULL. */
typedef const tenon_plugin_descriptor *(*tenon_plugin_entry_v1)(void);

/* The symbol a plugin exports. Defined by the plugin. Hosts look up this
 * symbol only and ignore every other export, but a plugin should export
 * nothing else (build with hidden visibility), so that none of its symbols
 * can clash with the host's or another plugin's; tenon check warns about
 * extra exports. */
TENON_EXPORT const tenon_plugin_descriptor *tenon_plugin_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* TENON_PLUGIN_H */
