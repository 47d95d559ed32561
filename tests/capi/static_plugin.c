/*
 * A C host with a plugin linked into it (tenon_plugin_load_static): the
 * example C greeter, compiled into this program with
 * -DTENON_STATIC_PLUGIN=greeter_c, reached through its entry
 * tenon_plugin_v1_greeter_c:
 *   - it is verified and answers like a file build: name, version, the
 *     path "static:<name>", its interface, greet;
 *   - an instance outlives the plugin handle, and tenon_plugin_unload of
 *     a static plugin says "static" even while an instance holds it;
 *   - an entry that returns NULL fails as a file's would (null_descriptor),
 *     naming static:<name>;
 *   - isolated options are refused (isolation_unsupported), and NULL,
 *     non-UTF-8 or empty arguments are refused (null_argument,
 *     invalid_argument),
 *     each leaving *out NULL.
 *
 * Usage: static_plugin (no arguments: the plugin is part of the program)
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed.
 */
#include <tenon/host.h>
#include <tenon_examples/greeter.h>

#include <stdio.h>
#include <string.h>

#include "checks.h"

/* The entry of the greeter linked into this program. */
const tenon_plugin_descriptor *tenon_plugin_v1_greeter_c(void);

static const tenon_plugin_descriptor *no_descriptor(void) {
    return NULL;
}

/* call fails with the error code and kind, leaving *out NULL. */
#define REFUSED(call, code, kind)                                                              \
    do {                                                                                       \
        EXPECT(call, code, kind, NULL);                                                        \
        CHECK(plugin == NULL);                                                                 \
    } while (0)

static void linked_in(void) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    const void *vtable = NULL;
    void *self = NULL;
    if (!OK(tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, NULL, &plugin))) {
        return;
    }
    CHECK(strcmp(tenon_plugin_name(plugin), "greeter-c") == 0);
    CHECK(strcmp(tenon_plugin_path(plugin), "static:greeter-c") == 0);
    CHECK(!tenon_plugin_is_isolated(plugin));
    CHECK(tenon_plugin_is_static(plugin));
    CHECK(tenon_plugin_interface_count(plugin) == 1);

    OK(tenon_instance_create(plugin, "", &instance));
    /* The instance keeps the plugin, as with a file; unloading says
     * "static" (never unloaded), not "still_in_use" (closed later). */
    const char *outcome = tenon_plugin_unload(plugin);
    CHECK(outcome != NULL && strcmp(outcome, "static") == 0);
    if (instance == NULL) {
        return;
    }
    if (OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                    sizeof(example_greeter_v1), &vtable, &self))) {
        const example_greeter_v1 *greeter = vtable;
        tenon_buffer *out = tenon_buffer_new(), *message = tenon_buffer_new();
        tenon_str name = {"world", 5};
        CHECK(greeter->greet(self, name, out, message) == TENON_OK);
        CHECK(out->len == 13 && memcmp(out->data, "Hello, world!", 13) == 0);
        tenon_buffer_free(message);
        tenon_buffer_free(out);
    }
    tenon_instance_free(instance);
}

static void refusals(void) {
    tenon_plugin *plugin = NULL;
    tenon_options *options = tenon_options_new();
    REFUSED(tenon_plugin_load_static("empty", no_descriptor, NULL, &plugin),
            TENON_ERROR_NULL_DESCRIPTOR, "null_descriptor");
    EXPECT(tenon_plugin_load_static("empty", no_descriptor, NULL, &plugin),
           TENON_ERROR_NULL_DESCRIPTOR, "null_descriptor", "static:empty");

    OK(tenon_options_isolated(options, 0));
    REFUSED(tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, options, &plugin),
            TENON_ERROR_ISOLATION_UNSUPPORTED, "isolation_unsupported");
    tenon_options_free(options);

    REFUSED(tenon_plugin_load_static(NULL, tenon_plugin_v1_greeter_c, NULL, &plugin),
            TENON_ERROR_NULL_ARGUMENT, "null_argument");
    REFUSED(tenon_plugin_load_static("greeter-c", NULL, NULL, &plugin), TENON_ERROR_NULL_ARGUMENT,
            "null_argument");
    REFUSED(tenon_plugin_load_static("\xff", tenon_plugin_v1_greeter_c, NULL, &plugin),
            TENON_ERROR_INVALID_ARGUMENT, "invalid_argument");
    REFUSED(tenon_plugin_load_static("", tenon_plugin_v1_greeter_c, NULL, &plugin),
            TENON_ERROR_INVALID_ARGUMENT, "invalid_argument");
    EXPECT(tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, NULL, NULL),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
}

int main(void) {
    linked_in();
    refusals();
    return report();
}
