/*
 * greeter_with_dependency.c - a test plugin: a greeter that imports a
 * function from a library of its own, beside_dependency, which imports
 * beside_dependency_inner; both lie in the plugin's directory and nowhere
 * else (scripts/test-windows.sh builds the three into one directory that
 * is neither the host's nor on PATH). greet appends "Hello, <name>!" and
 * the libraries' text, so an answer proves they were found beside the
 * plugin (docs/ABI.md, "Where a plugin's own libraries are found").
 */
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>

#if defined(_WIN32)
__declspec(dllimport)
#endif
const char *beside_dependency_signature(void);

static char greeter_instance;

static tenon_status greet(void *instance, tenon_str name, tenon_buffer *out,
                          tenon_buffer *error) {
    tenon_status status = tenon_buffer_append_cstr(out, "Hello, ");
    TENON_UNUSED(instance);
    if (status == TENON_OK) {
        status = tenon_buffer_append_str(out, name);
    }
    if (status == TENON_OK) {
        status = tenon_buffer_append_cstr(out, "!");
    }
    if (status == TENON_OK) {
        status = tenon_buffer_append_cstr(out, beside_dependency_signature());
    }
    if (status != TENON_OK) {
        return tenon_fail(error, status, "greet: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                           tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    TENON_UNUSED(error);
    *out_instance = &greeter_instance;
    return TENON_OK;
}

static void destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_greeter_v1 vtable = TENON_VTABLE(example_greeter_v1, greet);

TENON_PLUGIN("greeter-with-dependency", "1.0.0", "Greets through a DLL of its own",
             TENON_PLUGIN_THREAD_SAFE, create, destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION, &vtable));
