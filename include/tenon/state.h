/*
 * tenon/state.h - the standard state interface, org.tenon.state version 1.
 *
 * A plugin that offers this interface lets a host carry an instance's state
 * from one build of the plugin to the next when it reloads it
 * (docs/reload.md): the host asks the old instance to save its state into
 * bytes, creates an instance of the new build, and asks that one to restore
 * from those bytes before any other call reaches it. The bytes are the
 * plugin's own format; the host never reads them. A build that cannot read
 * what an older build saved fails restore, and the host then keeps the old
 * build serving, so nothing is lost. Start the bytes with a format version
 * of your own so that a later build can tell what it is given.
 *
 * It is an ordinary interface (plugin.h's conventions apply: the instance
 * first, host-owned buffers, a status, an error message), offered in the
 * descriptor's interface table like any other, so plugins in C, C++, Zig and
 * Rust implement it the same way, and it works for isolated plugins too.
 */
#ifndef TENON_STATE_H
#define TENON_STATE_H

#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The interface id and version to put in the plugin's tenon_interface entry. */
#define TENON_STATE_ID "org.tenon.state"
#define TENON_STATE_VERSION 1u

/* The vtable of org.tenon.state version 1. Owned by the plugin, static and
 * immutable for as long as the library is loaded. */
typedef struct tenon_state_v1 {
    /* sizeof(tenon_state_v1) as compiled by the plugin. */
    uint32_t struct_size;
    /* Appends the instance's whole state to state (host-owned, empty when
     * called), in a format of the plugin's choosing, and returns TENON_OK;
     * on failure returns another status and may append a message to error.
     * The host calls it when no other call on the instance is in flight and
     * makes none until it returns, so the bytes are a consistent snapshot;
     * saving must not change the instance, which may go on serving if the
     * reload is abandoned. [instance]. Never NULL. */
    tenon_status (*save)(void *instance, tenon_buffer *state, tenon_buffer *error);
    /* Replaces the instance's state with the one in state (borrowed for the
     * call), as an earlier save of this plugin wrote it, possibly by another
     * build. Returns TENON_OK, or TENON_INVALID_ARGUMENT (or another
     * status) with a message when it cannot read the bytes; the host then
     * destroys this instance and keeps the old one. Called on a fresh
     * instance, right after create, before any other call. [instance].
     * Never NULL. */
    tenon_status (*restore)(void *instance, tenon_bytes state, tenon_buffer *error);
} tenon_state_v1;

#ifdef __cplusplus
}
#endif

#endif /* TENON_STATE_H */
