/*
 * echo.c - a benchmark plugin: org.tenon.example.processor v1 whose
 * process(input) appends input to out unchanged, and whose name() is "echo".
 *
 * The peers' "1 MiB echo" sends bytes and gets the same bytes back; this is
 * the same work for Tenon, so the comparison measures the call path and the
 * copy, not a checksum.
 */
#include <tenon/sdk.h>
#include <tenon_examples/processor.h>

/* The one instance every create hands out; only its address is used. */
static char echo_instance;

static tenon_status echo_name(void *instance, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance);
    if (out == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "name: out buffer is NULL");
    }
    return tenon_buffer_append_cstr(out, "echo");
}

static tenon_status echo_process(void *instance, tenon_bytes input, tenon_buffer *out,
                                 tenon_buffer *error) {
    TENON_UNUSED(instance);
    if (out == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "process: out buffer is NULL");
    }
    if (input.ptr == NULL && input.len != 0) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "process: input is NULL but not empty");
    }
    if (tenon_buffer_append(out, input.ptr, input.len) != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY,
                          "process: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status echo_create(const tenon_host *host, tenon_str config, void **out_instance,
                                tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    if (out_instance == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    *out_instance = &echo_instance;
    return TENON_OK;
}

static void echo_destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_processor_v1 echo_vtable =
    TENON_VTABLE(example_processor_v1, echo_name, echo_process);

TENON_PLUGIN("echo-c", "1.0.0", "Returns its input (benchmark plugin written in C)",
             TENON_PLUGIN_THREAD_SAFE, echo_create, echo_destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, EXAMPLE_PROCESSOR_VERSION, &echo_vtable));
