/*
 * A C host with a plugin linked into it (tenon_plugin_load_static): the
 * example C greeter, compiled into this program with
 * -DTENON_STATIC_PLUGIN=greeter_c, reached through its entry
 * tenon_plugin_v1_greeter_c:
 *   - it is verified and answers like a file build: name, version, the
 *     path "static:<name>", its interface, greet;
 *   - an instance outlives the plugin handle;
 *   - an entry that returns NULL fails as a file's would (null_descriptor),
 *     naming static:<name>;
 *   - isolated options are refused (isolation_unsupported), and NULL or
 *     non-UTF-8 arguments are refused (null_argument, invalid_argument),
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

/* Checks that call failed with kind and left *plugin NULL. */
static void refused(tenon_error *error, tenon_plugin *plugin, const char *kind, int line) {
    check(error != NULL && strcmp(tenon_error_kind(error), kind) == 0, kind, line);
    check(plugin == NULL, "*out is NULL", line);
    if (error != NULL && strcmp(tenon_error_kind(error), kind) != 0) {
        printf("  got [%s] %s\n", tenon_error_kind(error), tenon_error_message(error));
    }
    tenon_error_free(error);
}

#define REFUSED(call, kind) refused((call), plugin, (kind), __LINE__)

static void linked_in(void) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    const void *vtable = NULL;
    void *self = NULL;
    tenon_error *error = tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, NULL,
                                                  &plugin);
    CHECK(error == NULL);
    tenon_error_free(error);
    if (plugin == NULL) {
        return;
    }
    CHECK(strcmp(tenon_plugin_name(plugin), "greeter-c") == 0);
    CHECK(strcmp(tenon_plugin_path(plugin), "static:greeter-c") == 0);
    CHECK(!tenon_plugin_is_isolated(plugin));
    CHECK(tenon_plugin_is_static(plugin));
    CHECK(tenon_plugin_interface_count(plugin) == 1);

    error = tenon_instance_create(plugin, "", &instance);
    CHECK(error == NULL);
    tenon_error_free(error);
    /* The instance keeps the plugin, as with a file. */
    tenon_plugin_free(plugin);
    if (instance == NULL) {
        return;
    }
    error = tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                     sizeof(example_greeter_v1), &vtable, &self);
    CHECK(error == NULL);
    tenon_error_free(error);
    if (vtable != NULL) {
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
    tenon_error *error = tenon_plugin_load_static("empty", no_descriptor, NULL, &plugin);
    CHECK(error != NULL && tenon_error_code(error) == TENON_ERROR_NULL_DESCRIPTOR);
    CHECK(error != NULL && strstr(tenon_error_message(error), "static:empty") != NULL);
    CHECK(plugin == NULL);
    tenon_error_free(error);

    CHECK(tenon_options_isolated(options, 0) == NULL);
    REFUSED(tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, options, &plugin),
            "isolation_unsupported");
    tenon_options_free(options);

    REFUSED(tenon_plugin_load_static(NULL, tenon_plugin_v1_greeter_c, NULL, &plugin),
            "null_argument");
    REFUSED(tenon_plugin_load_static("greeter-c", NULL, NULL, &plugin), "null_argument");
    REFUSED(tenon_plugin_load_static("\xff", tenon_plugin_v1_greeter_c, NULL, &plugin),
            "invalid_argument");
    error = tenon_plugin_load_static("greeter-c", tenon_plugin_v1_greeter_c, NULL, NULL);
    CHECK(error != NULL && strcmp(tenon_error_kind(error), "null_argument") == 0);
    tenon_error_free(error);
}

int main(void) {
    linked_in();
    refusals();
    return report();
}
