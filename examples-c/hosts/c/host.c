/*
 * A C program hosting Tenon plugins through libtenon (tenon/host.h).
 *
 *   host [--isolated] <plugin> ... [--reloadable <greeter plugin>]
 *
 * Loads each plugin (in this process; after --isolated, in a child process),
 * prints its metadata, and calls each example interface it offers: greeter,
 * processor, kv. After --reloadable, loads a greeter reloadable, calls it,
 * reloads it from its file and calls the new build. It offers the plugins a greeter of its own (a host service).
 * A plugin that fails to load, or a call that fails, is reported with the
 * error's kind and message, and makes the exit status 1.
 */
#include <tenon/host.h>
#include <tenon_examples/greeter.h>
#include <tenon_examples/kv.h>
#include <tenon_examples/processor.h>

#include <stdio.h>
#include <string.h>

/* Prints and frees an error; returns 1 if there was one. */
static int report(const char *what, tenon_error *error) {
    if (error == NULL) {
        return 0;
    }
    fprintf(stderr, "error: %s: [%s] %s\n", what, tenon_error_kind(error),
            tenon_error_message(error));
    tenon_error_free(error);
    return 1;
}

static tenon_str str(const char *text) {
    tenon_str s;
    s.ptr = text;
    s.len = strlen(text);
    return s;
}

/* Reports a failed call: its status and the plugin's message. */
static int failed_call(const char *what, tenon_status status, const tenon_buffer *error) {
    fprintf(stderr, "error: %s: status %d: %.*s\n", what, (int)status, (int)error->len,
            (const char *)error->data);
    return 1;
}

/* Prints a greeting, or reports the failed call; returns 1 if it failed. */
static int failed_call_or_print(tenon_status status, const tenon_buffer *out,
                                const tenon_buffer *error) {
    if (status != TENON_OK) {
        return failed_call("greet", status, error);
    }
    printf("  reloadable greet(\"world\") = \"%.*s\"\n", (int)out->len, (const char *)out->data);
    return 0;
}

/* --- The host's own greeter, offered to every plugin ------------------ */

static tenon_status host_greet(void *instance, tenon_str name, tenon_buffer *out,
                               tenon_buffer *error) {
    (void)instance;
    (void)error;
    tenon_status status = tenon_buffer_append_cstr(out, "Greetings from the C host, ");
    if (status == TENON_OK) {
        status = tenon_buffer_append(out, name.ptr, name.len);
    }
    return status;
}

static const example_greeter_v1 HOST_GREETER = {sizeof(example_greeter_v1), host_greet};

/* --- Calling the example interfaces ------------------------------------ */

static int call_greeter(tenon_instance *instance, tenon_buffer *out, tenon_buffer *error) {
    const void *vtable;
    void *self;
    if (report("greeter", tenon_instance_interface(instance, EXAMPLE_GREETER_ID,
                                                   EXAMPLE_GREETER_VERSION,
                                                   sizeof(example_greeter_v1), &vtable, &self))) {
        return 1;
    }
    const example_greeter_v1 *greeter = (const example_greeter_v1 *)vtable;
    tenon_status status = greeter->greet(self, str("world"), out, error);
    if (status != TENON_OK) {
        return failed_call("greet", status, error);
    }
    printf("  greet(\"world\") = \"%.*s\"\n", (int)out->len, (const char *)out->data);
    return 0;
}

static int call_processor(tenon_instance *instance, tenon_buffer *out, tenon_buffer *error) {
    const void *vtable;
    void *self;
    if (report("processor", tenon_instance_interface(instance, EXAMPLE_PROCESSOR_ID,
                                                     EXAMPLE_PROCESSOR_VERSION,
                                                     sizeof(example_processor_v1), &vtable,
                                                     &self))) {
        return 1;
    }
    const example_processor_v1 *processor = (const example_processor_v1 *)vtable;
    tenon_status status = processor->name(self, out, error);
    if (status != TENON_OK) {
        return failed_call("name", status, error);
    }
    printf("  processor name = \"%.*s\"\n", (int)out->len, (const char *)out->data);
    tenon_buffer_clear(out);
    const char *input = "123456789";
    tenon_bytes bytes;
    bytes.ptr = (const uint8_t *)input;
    bytes.len = strlen(input);
    status = processor->process(self, bytes, out, error);
    if (status != TENON_OK) {
        return failed_call("process", status, error);
    }
    printf("  process(\"123456789\") =");
    for (size_t i = 0; i < out->len; i++) {
        printf(" %02x", out->data[i]);
    }
    printf("\n");
    return 0;
}

static int call_kv(tenon_instance *instance, tenon_buffer *out, tenon_buffer *error) {
    const void *vtable;
    void *self;
    if (report("kv", tenon_instance_interface(instance, EXAMPLE_KV_ID, EXAMPLE_KV_VERSION,
                                              sizeof(example_kv_v1), &vtable, &self))) {
        return 1;
    }
    const example_kv_v1 *kv = (const example_kv_v1 *)vtable;
    tenon_bytes value;
    value.ptr = (const uint8_t *)"mortise";
    value.len = 7;
    tenon_status status = kv->put(self, str("tenon"), value, error);
    if (status != TENON_OK) {
        return failed_call("put", status, error);
    }
    status = kv->get(self, str("tenon"), out, error);
    if (status != TENON_OK) {
        return failed_call("get", status, error);
    }
    printf("  kv put/get \"tenon\" = \"%.*s\"\n", (int)out->len, (const char *)out->data);
    return 0;
}

/* Loads one plugin, prints what it is, calls what it offers. */
static int run_plugin(const char *path, const tenon_options *options) {
    tenon_plugin *plugin;
    if (report(path, tenon_plugin_load(path, options, &plugin))) {
        return 1;
    }
    printf("%s %s%s\n", tenon_plugin_name(plugin), tenon_plugin_version(plugin),
           tenon_plugin_is_isolated(plugin) ? " (isolated)" : "");
    int failures = 0;
    tenon_instance *instance;
    if (report("create", tenon_instance_create(plugin, "", &instance))) {
        tenon_plugin_free(plugin);
        return 1;
    }
    tenon_buffer *out = tenon_buffer_new();
    tenon_buffer *error = tenon_buffer_new();
    for (size_t i = 0; i < tenon_plugin_interface_count(plugin); i++) {
        const char *id;
        uint32_t version;
        failures += report("interface", tenon_plugin_interface(plugin, i, &id, &version));
        tenon_buffer_clear(out);
        tenon_buffer_clear(error);
        if (strcmp(id, EXAMPLE_GREETER_ID) == 0) {
            failures += call_greeter(instance, out, error);
        } else if (strcmp(id, EXAMPLE_PROCESSOR_ID) == 0) {
            failures += call_processor(instance, out, error);
        } else if (strcmp(id, EXAMPLE_KV_ID) == 0) {
            failures += call_kv(instance, out, error);
        } else {
            printf("  (offers %s version %u, which this host does not know)\n", id, version);
        }
    }
    tenon_buffer_free(error);
    tenon_buffer_free(out);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
    return failures != 0;
}

/* --- A reloadable greeter --------------------------------------------- */

static void greet_world(void *context, const void *vtable, void *self) {
    tenon_buffer *out = tenon_buffer_new();
    tenon_buffer *error = tenon_buffer_new();
    tenon_status status = ((const example_greeter_v1 *)vtable)->greet(self, str("world"), out,
                                                                     error);
    *(int *)context = failed_call_or_print(status, out, error);
    tenon_buffer_free(error);
    tenon_buffer_free(out);
}

static int run_reloadable(const char *path) {
    tenon_reloadable *greeter;
    if (report(path, tenon_reloadable_load(path, NULL, "", EXAMPLE_GREETER_ID,
                                           EXAMPLE_GREETER_VERSION, sizeof(example_greeter_v1),
                                           &greeter))) {
        return 1;
    }
    int failures = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            /* Rebuilding the file in place and reloading gives the new build;
             * here the same build comes back as generation 2. */
            uint64_t generation = 0;
            failures += report("reload", tenon_reloadable_reload(greeter, &generation));
            printf("  reloaded: generation %llu\n", (unsigned long long)generation);
        }
        int failed = 1;
        failures += report("call", tenon_reloadable_call(greeter, greet_world, &failed));
        failures += failed;
    }
    tenon_reloadable_free(greeter);
    return failures != 0;
}

int main(int argc, char **argv) {
    /* First: when this program is started again as an isolated plugin's
     * child process, this call serves the plugin and never returns. */
    tenon_isolation_init();
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--isolated] <plugin> ... [--reloadable <greeter plugin>]\n",
                argv[0]);
        return 2;
    }
    tenon_services *services = tenon_services_new();
    tenon_options *in_process = tenon_options_new();
    tenon_options *isolated = tenon_options_new();
    int failures = report("offer", tenon_services_offer(services, EXAMPLE_GREETER_ID,
                                                        EXAMPLE_GREETER_VERSION, &HOST_GREETER,
                                                        NULL, NULL));
    failures += report("options", tenon_options_services(in_process, services));
    failures += report("options", tenon_options_services(isolated, services));
    failures += report("options", tenon_options_isolated(isolated, 5000));
    const tenon_options *options = in_process;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--isolated") == 0) {
            options = isolated;
            continue;
        }
        if (strcmp(argv[i], "--reloadable") == 0 && i + 1 < argc) {
            failures += run_reloadable(argv[++i]);
            continue;
        }
        failures += run_plugin(argv[i], options);
    }
    tenon_options_free(isolated);
    tenon_options_free(in_process);
    tenon_services_free(services);
    return failures == 0 ? 0 : 1;
}
