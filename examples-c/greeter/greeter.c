/*
 * greeter.c - example Tenon plugin in C: org.tenon.example.greeter v1.
 *
 * greet(name) appends "Hello, <name>!" to out. The name's bytes are copied
 * through untouched, so any UTF-8 the host sends comes back as it was.
 *
 * Stateless, hence thread-safe: every instance is the same static object and
 * no method writes to it. Accepts any config.
 *
 * Build: make (see Makefile beside this file).
 */
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>

/* The one instance every create hands out. Its contents are never read: it
 * only gives the instance a non-NULL address. */
static char greeter_instance;

static tenon_status greeter_greet(void *instance, tenon_str name, tenon_buffer *out,
                                  tenon_buffer *error) {
    tenon_status status;
    TENON_UNUSED(instance);
    if (out == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "greet: out buffer is NULL");
    }
    status = tenon_buffer_append_cstr(out, "Hello, ");
    if (status == TENON_OK) {
        status = tenon_buffer_append_str(out, name);
    }
    if (status == TENON_OK) {
        status = tenon_buffer_append_cstr(out, "!");
    }
    if (status != TENON_OK) {
        return tenon_fail(error, status, "greet: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status greeter_create(const tenon_host *host, tenon_str config, void **out_instance,
                                   tenon_buffer *error) {
    TENON_UNUSED(config);
    if (out_instance == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    *out_instance = &greeter_instance;
    tenon_host_log(host, TENON_LOG_DEBUG, "greeter-c instance created");
    return TENON_OK;
}

static void greeter_destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_greeter_v1 greeter_vtable = TENON_VTABLE(example_greeter_v1, greeter_greet);

TENON_PLUGIN("greeter-c", "1.0.0", "Greets people by name (example plugin written in C)",
             TENON_PLUGIN_THREAD_SAFE, greeter_create, greeter_destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION, &greeter_vtable));
