/*
 * A plugin that imports a library of its own, which lies beside it and
 * nowhere the system looks by default (on Windows: not the program's
 * directory, not on PATH). It must load, and its greet reach that library,
 * in every way a host loads a file:
 *   - in process, from the file itself;
 *   - with a required digest (tenon_options_sha256), in process and
 *     isolated: loaded from a private copy, which lies elsewhere;
 *   - reloadable, from a private copy, and again after a reload;
 *   - isolated, in the child process.
 * And a copy of the plugin in a directory without its libraries fails to
 * load with kind not_a_library and the system's reason (on Windows
 * "os error 126", the module was not found, and the host's own words
 * naming the DLL), in process and isolated;
 * a copy beside its library but not that library's own names the library
 * that did not load; and the program goes on.
 *
 * Usage: plugin_dependencies PLUGIN SHA256_OF_PLUGIN PLUGIN_WITHOUT_ITS_LIBRARIES
 *                            PLUGIN_WITHOUT_THE_INNER_LIBRARY
 * (scripts/test-windows.sh builds tests/windows/greeter_with_dependency.c,
 * beside_dependency.c and beside_dependency_inner.c into one directory, the
 * copies into others, and runs this under Wine.) Prints each failed check, then "N passed, N failed"; exits
 * 1 if any check failed.
 */
#include <tenon/host.h>
#include <tenon_examples/greeter.h>

#include <stdio.h>
#include <string.h>

#include "checks.h"

static const char EXPECTED[] = "Hello, world! (from the DLL beside the plugin)";

/* Greets "world" through vtable and self; 1 if the answer is EXPECTED. */
static int greets(const void *vtable, void *self) {
    const example_greeter_v1 *greeter = vtable;
    tenon_buffer *out = tenon_buffer_new(), *message = tenon_buffer_new();
    tenon_str name = {"world", 5};
    int ok = greeter->greet(self, name, out, message) == TENON_OK &&
             out->len == sizeof EXPECTED - 1 && memcmp(out->data, EXPECTED, out->len) == 0;
    if (!ok) {
        printf("  greet answered \"%.*s\" (message \"%.*s\")\n", (int)out->len,
               (const char *)out->data, (int)message->len, (const char *)message->data);
    }
    tenon_buffer_free(message);
    tenon_buffer_free(out);
    return ok;
}

/* Loads path with options, then greets through a new instance. */
static void loads_and_greets(const char *path, const tenon_options *options) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    const void *vtable = NULL;
    void *self = NULL;
    if (OK(tenon_plugin_load(path, options, &plugin)) &&
        OK(tenon_instance_create(plugin, "", &instance)) &&
        OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                    sizeof(example_greeter_v1), &vtable, &self))) {
        CHECK(greets(vtable, self));
    }
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

static void greet_body(void *context, const void *vtable, void *self) {
    *(int *)context = greets(vtable, self);
}

/* Reloadable: a private copy per build. */
static void reloadable(const char *path, const tenon_options *options) {
    tenon_reloadable *greeter = NULL;
    if (!OK(tenon_reloadable_load(path, options, "", EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                  sizeof(example_greeter_v1), &greeter))) {
        return;
    }
    int ok = 0;
    OK(tenon_reloadable_call(greeter, greet_body, &ok));
    CHECK(ok);
    uint64_t generation = 0;
    OK(tenon_reloadable_reload(greeter, &generation));
    CHECK(generation == 2);
    ok = 0;
    OK(tenon_reloadable_call(greeter, greet_body, &ok));
    CHECK(ok);
    tenon_reloadable_free(greeter);
}

int main(int argc, char **argv) {
    tenon_isolation_init(); /* first: the isolated loads' child is this program */
    if (argc != 5) {
        fprintf(stderr,
                "usage: %s PLUGIN SHA256_OF_PLUGIN PLUGIN_WITHOUT_ITS_LIBRARIES "
                "PLUGIN_WITHOUT_THE_INNER_LIBRARY\n",
                argv[0]);
        return 2;
    }
    const char *plugin = argv[1], *digest = argv[2], *without = argv[3], *half = argv[4];
    tenon_options *in_process = tenon_options_new();
    tenon_options *checked = tenon_options_new();
    tenon_options *isolated = tenon_options_new();
    tenon_options *isolated_checked = tenon_options_new();
    OK(tenon_options_sha256(checked, digest));
    OK(tenon_options_isolated(isolated, 10000));
    OK(tenon_options_isolated(isolated_checked, 10000));
    OK(tenon_options_sha256(isolated_checked, digest));

    loads_and_greets(plugin, in_process);
    loads_and_greets(plugin, checked);
    reloadable(plugin, in_process);
    reloadable(plugin, checked);
    loads_and_greets(plugin, isolated);
    loads_and_greets(plugin, isolated_checked);
    reloadable(plugin, isolated);

    tenon_plugin *refused = NULL;
    EXPECT(tenon_plugin_load(without, in_process, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "os error 126");
    CHECK(refused == NULL);
    EXPECT(tenon_plugin_load(without, isolated, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "os error 126");
    CHECK(refused == NULL);
    /* Windows does not say which DLL it did not find: the host does. */
    EXPECT(tenon_plugin_load(without, in_process, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "it imports beside_dependency.dll, found neither");
    EXPECT(tenon_plugin_load(without, isolated, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "it imports beside_dependency.dll, found neither");
    CHECK(refused == NULL);
    EXPECT(tenon_plugin_load(half, in_process, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "beside_dependency.dll, did not load");
    EXPECT(tenon_plugin_load(half, in_process, &refused), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", "os error 126");
    CHECK(refused == NULL);
    /* The host goes on: the plugin beside its library still loads. */
    loads_and_greets(plugin, in_process);

    tenon_options_free(isolated_checked);
    tenon_options_free(isolated);
    tenon_options_free(checked);
    tenon_options_free(in_process);
    return report();
}
