/*
 * error_paths.c - drives every error path of the C host API (tenon/host.h):
 * NULL arguments, handles of the wrong type or already freed, double frees,
 * bad files, a wrong checksum, missing interfaces and versions, vtable sizes,
 * isolated lookups without a declaration, and host services released exactly
 * once.
 *
 *   error_paths <greeter> <relay> <greeter_v2> <not_a_library> <null_slot> <reload_a> <reload_b>
 *               <buffer_abuse>
 *
 * greeter: the C example greeter; relay: the relay_c fixture (greets through
 * the host's greeter); greeter_v2: offers greeter version 2, which libtenon
 * does not declare; not_a_library: a text file; null_slot: a greeter with a
 * NULL method; reload_a and reload_b: two builds of one greeter, answering
 * "a:<name>" and "b:<name>"; buffer_abuse: a greeter that, asked to greet
 * "clobber-callbacks", sets reserve and host_data of its buffers to NULL.
 * Prints one line per failed check and ends with
 * "N passed, N failed"; exits 1 if any check failed.
 *
 * Built and run by tests/integration/tests/c_host.rs, also under
 * AddressSanitizer and under valgrind (its ignored tests, which .ci/run runs).
 * TENON_C_TEST_SKIP_ISOLATION=1 skips the isolated checks (for valgrind).
 */
#include <tenon/host.h>
#include <tenon_examples/greeter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

/* --- A host service that counts its releases --------------------------- */

static int released;

static tenon_status host_greet(void *instance, tenon_str name, tenon_buffer *out,
                               tenon_buffer *error) {
    (void)error;
    tenon_status status = tenon_buffer_append_cstr(out, (const char *)instance);
    if (status == TENON_OK) {
        status = tenon_buffer_append(out, name.ptr, name.len);
    }
    return status;
}

static void release(void *instance) {
    (void)instance;
    released++;
}

static const example_greeter_v1 HOST_GREETER = {sizeof(example_greeter_v1), host_greet};

static void errors_and_frees(void) {
    /* Getters of a NULL error, and every _free(NULL). */
    CHECK(tenon_error_code(NULL) == TENON_ERROR_OTHER);
    CHECK(tenon_error_kind(NULL) == NULL);
    CHECK(tenon_error_message(NULL) == NULL);
    tenon_error_free(NULL);
    tenon_options_free(NULL);
    tenon_services_free(NULL);
    tenon_plugin_free(NULL);
    tenon_instance_free(NULL);
    tenon_buffer_free(NULL);
    tenon_buffer_clear(NULL);

    /* Double frees are refused by the handle table (reported on stderr in
     * debug builds), whatever the type. */
    tenon_options *options = tenon_options_new();
    tenon_options_free(options);
    tenon_options_free(options);
    tenon_services *services = tenon_services_new();
    tenon_services_free(services);
    tenon_services_free(services);
    tenon_buffer *buffer = tenon_buffer_new();
    tenon_buffer_free(buffer);
    tenon_buffer_free(buffer);
    tenon_error *error = NULL;
    tenon_plugin *plugin = NULL;
    error = tenon_plugin_load(NULL, NULL, &plugin);
    tenon_error_free(error);
    tenon_error_free(error);
    CHECK(plugin == NULL);

    /* A freed handle, and a handle of another type, are refused. */
    EXPECT(tenon_options_isolated(options, 0), TENON_ERROR_INVALID_HANDLE, "invalid_handle", NULL);
    tenon_services *other = tenon_services_new();
    EXPECT(tenon_options_in_process((tenon_options *)other), TENON_ERROR_INVALID_HANDLE,
           "invalid_handle", NULL);
    EXPECT(tenon_plugin_load("x.so", (const tenon_options *)other, &plugin),
           TENON_ERROR_INVALID_HANDLE, "invalid_handle", NULL);
    CHECK(plugin == NULL);
    /* A pointer libtenon never made is not dereferenced. */
    int stack_object = 0;
    EXPECT(tenon_services_offer((tenon_services *)&stack_object, "x", 1, &HOST_GREETER, NULL,
                                NULL),
           TENON_ERROR_INVALID_HANDLE, "invalid_handle", NULL);
    CHECK(tenon_plugin_name((const tenon_plugin *)&stack_object) == NULL);
    tenon_services_free((tenon_services *)&stack_object);
    tenon_services_free(other);
}

static void options_and_services(void) {
    EXPECT(tenon_options_isolated(NULL, 0), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_in_process(NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_restart(NULL, 1, 1000), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_sha256(NULL, "00"), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_services(NULL, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    tenon_options *options = tenon_options_new();
    EXPECT(tenon_options_sha256(options, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_runner(options, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_services(options, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_options_sha256(options, "\xff\xfe"), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", NULL);
    /* A malformed digest is refused when it is set, not at every load as a
     * checksum mismatch: too short, not hex, padded. */
    EXPECT(tenon_options_sha256(options, "00"), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument",
           "not 64 hexadecimal digits");
    EXPECT(tenon_options_sha256(options,
                                "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
           TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", "not 64 hexadecimal digits");
    EXPECT(tenon_options_sha256(options,
                                " 0000000000000000000000000000000000000000000000000000000000000000"),
           TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", "not 64 hexadecimal digits");
    tenon_options_free(options);

    EXPECT(tenon_services_offer(NULL, "x", 1, &HOST_GREETER, NULL, NULL),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    tenon_services *services = tenon_services_new();
    EXPECT(tenon_services_offer(services, NULL, 1, &HOST_GREETER, NULL, release),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_services_offer(services, "x", 1, NULL, NULL, release),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    tenon_services_free(services);
    CHECK(released == 0); /* refused offers are never released */
}

static void loading(const char *greeter, const char *not_a_library) {
    tenon_plugin *plugin = (tenon_plugin *)&plugin; /* must be reset to NULL */
    EXPECT(tenon_plugin_load(NULL, NULL, &plugin), TENON_ERROR_NULL_ARGUMENT, "null_argument",
           NULL);
    CHECK(plugin == NULL);
    EXPECT(tenon_plugin_load(greeter, NULL, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument",
           NULL);
    EXPECT(tenon_plugin_load("/nonexistent/libnothing.so", NULL, &plugin),
           TENON_ERROR_FILE_NOT_FOUND, "file_not_found", NULL);
    EXPECT(tenon_plugin_load(not_a_library, NULL, &plugin), TENON_ERROR_NOT_A_LIBRARY,
           "not_a_library", NULL);
    EXPECT(tenon_plugin_load("\xff.so", NULL, &plugin), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", NULL);
    CHECK(plugin == NULL);

    tenon_options *options = tenon_options_new();
    OK(tenon_options_sha256(options,
                            "0000000000000000000000000000000000000000000000000000000000000000"));
    EXPECT(tenon_plugin_load(greeter, options, &plugin), TENON_ERROR_CHECKSUM_MISMATCH,
           "checksum_mismatch", NULL);
    tenon_options_free(options);
    CHECK(plugin == NULL);

    /* An isolated plugin's setting on options that never chose a mode would
     * be ignored by the in-process load: refused, naming the setter. Once
     * tenon_options_in_process says in process on purpose, the options
     * load in process (the setting kept, unused). No process is started. */
    options = tenon_options_new();
    OK(tenon_options_memory_limit(options, 1u << 30));
    EXPECT(tenon_plugin_load(greeter, options, &plugin), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", "tenon_options_memory_limit");
    CHECK(plugin == NULL);
    OK(tenon_options_in_process(options));
    OK(tenon_plugin_load(greeter, options, &plugin));
    CHECK(plugin != NULL && !tenon_plugin_is_isolated(plugin));
    tenon_plugin_free(plugin);
    plugin = NULL;
    tenon_options_free(options);
    options = tenon_options_new();
    OK(tenon_options_restart(options, 3, 60000));
    OK(tenon_options_slots(options, 2, 1u << 20));
    EXPECT(tenon_plugin_load(greeter, options, &plugin), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", "tenon_options_restart");
    CHECK(plugin == NULL);
    tenon_options_free(options);
}

/* tenon_plugin_unload frees like tenon_plugin_free and says whether the
 * library left the process: not while an instance keeps it, "unloaded"
 * once the last owner goes (the example C greeter pins nothing), and
 * "process_ended" for an isolated plugin. Runs before anything else loads
 * the greeter, which would keep it mapped ("opened_again"). */
static void unloading(const char *greeter, int isolated) {
    CHECK(tenon_plugin_unload(NULL) == NULL);
    tenon_options *options = tenon_options_new();
    if (isolated) {
        OK(tenon_options_isolated(options, 10000));
    }
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    OK(tenon_plugin_load(greeter, options, &plugin));
    OK(tenon_instance_create(plugin, NULL, &instance));
    const char *outcome = tenon_plugin_unload(plugin);
    CHECK(outcome != NULL && strcmp(outcome, "still_in_use") == 0);
    tenon_instance_free(instance); /* closes it, unchecked */

    plugin = NULL;
    OK(tenon_plugin_load(greeter, options, &plugin));
    outcome = tenon_plugin_unload(plugin);
#if defined(__APPLE__)
    const char *expected = isolated ? "process_ended" : "not_verified";
#else
    const char *expected = isolated ? "process_ended" : "unloaded";
#endif
    CHECK(outcome != NULL && strcmp(outcome, expected) == 0);
    if (outcome != NULL && strcmp(outcome, expected) != 0) {
        fprintf(stderr, "  tenon_plugin_unload said %s, not %s\n", outcome, expected);
    }
    CHECK(tenon_plugin_unload(plugin) == NULL); /* already freed: refused */
    tenon_options_free(options);
}

static void metadata_and_instances(const char *greeter, const char *null_slot) {
    CHECK(tenon_plugin_name(NULL) == NULL);
    CHECK(tenon_plugin_version(NULL) == NULL);
    CHECK(tenon_plugin_description(NULL) == NULL);
    CHECK(tenon_plugin_path(NULL) == NULL);
    CHECK(tenon_plugin_flags(NULL) == 0);
    CHECK(!tenon_plugin_is_isolated(NULL));
    CHECK(tenon_plugin_interface_count(NULL) == 0);

    tenon_plugin *plugin = NULL;
    OK(tenon_plugin_load(greeter, NULL, &plugin));
    if (plugin == NULL) {
        return;
    }
    CHECK(strcmp(tenon_plugin_name(plugin), "greeter-c") == 0);
    CHECK(strcmp(tenon_plugin_version(plugin), "1.0.0") == 0);
    CHECK(strstr(tenon_plugin_path(plugin), "greeter") != NULL);
    CHECK(tenon_plugin_interface_count(plugin) == 1);
    const char *id = NULL;
    uint32_t version = 0;
    OK(tenon_plugin_interface(plugin, 0, &id, &version));
    CHECK(id != NULL && strcmp(id, EXAMPLE_GREETER_ID) == 0 && version == 1);
    EXPECT(tenon_plugin_interface(plugin, 1, &id, &version), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", NULL);
    EXPECT(tenon_plugin_interface(plugin, 0, NULL, &version), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    EXPECT(tenon_plugin_interface(plugin, 0, &id, NULL), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    EXPECT(tenon_plugin_interface(NULL, 0, &id, &version), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);

    tenon_instance *instance = (tenon_instance *)&instance;
    EXPECT(tenon_instance_create(NULL, "", &instance), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    CHECK(instance == NULL);
    EXPECT(tenon_instance_create(plugin, "", NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument",
           NULL);
    EXPECT(tenon_instance_create(plugin, "\xff", &instance), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", NULL);
    OK(tenon_instance_create(plugin, NULL, &instance));
    /* The instance keeps the library loaded after the plugin handle goes. */
    tenon_plugin_free(plugin);

    const void *vtable = &vtable;
    void *self = &self;
    EXPECT(tenon_instance_interface(NULL, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                    &vtable, &self),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    CHECK(vtable == NULL && self == NULL);
    EXPECT(tenon_instance_interface(instance, NULL, 1, sizeof(example_greeter_v1), &vtable,
                                    &self),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                    NULL, &self),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                    &vtable, NULL),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_instance_interface(instance, "org.example.nothing", 1,
                                    sizeof(example_greeter_v1), &vtable, &self),
           TENON_ERROR_INTERFACE_NOT_FOUND, "interface_not_found", NULL);
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 7, sizeof(example_greeter_v1),
                                    &vtable, &self),
           TENON_ERROR_INTERFACE_VERSION_MISMATCH, "interface_version_mismatch", NULL);
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, 2, &vtable, &self),
           TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1,
                                    sizeof(example_greeter_v1) + sizeof(void *), &vtable, &self),
           TENON_ERROR_VTABLE_TOO_SMALL, "vtable_too_small", "TENON_HAS_FIELD");
    CHECK(vtable == NULL && self == NULL);

    OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                &vtable, &self));
    tenon_buffer *out = tenon_buffer_new();
    tenon_buffer *error = tenon_buffer_new();
    const example_greeter_v1 *calls = (const example_greeter_v1 *)vtable;
    tenon_str name = {"C", 1};
    CHECK(calls->greet(self, name, out, error) == TENON_OK);
    CHECK(out->len == 9 && memcmp(out->data, "Hello, C!", 9) == 0);
    tenon_buffer_clear(out);
    CHECK(out->len == 0);
    tenon_buffer_free(error);
    tenon_buffer_free(out);
    tenon_instance_free(instance);
    tenon_instance_free(instance); /* double free: refused */

    /* A NULL method is refused before anything is called through it. */
    OK(tenon_plugin_load(null_slot, NULL, &plugin));
    OK(tenon_instance_create(plugin, "", &instance));
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                    &vtable, &self),
           TENON_ERROR_NULL_SLOT, "null_slot", NULL);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

/* A buffer whose reserve and host_data a plugin overwrote is whole again
 * after tenon_buffer_clear: the next plugin lent it can grow it. */
static void reused_buffers(const char *greeter, const char *buffer_abuse) {
    const char *paths[2] = {buffer_abuse, greeter};
    tenon_plugin *plugins[2] = {NULL, NULL};
    tenon_instance *instances[2] = {NULL, NULL};
    const void *vtables[2] = {NULL, NULL};
    void *selves[2] = {NULL, NULL};
    int i;
    for (i = 0; i < 2; i++) {
        OK(tenon_plugin_load(paths[i], NULL, &plugins[i]));
        OK(tenon_instance_create(plugins[i], "", &instances[i]));
        OK(tenon_instance_interface(instances[i], EXAMPLE_GREETER_ID, 1,
                                    sizeof(example_greeter_v1), &vtables[i], &selves[i]));
    }
    if (vtables[0] != NULL && vtables[1] != NULL) {
        tenon_buffer *out = tenon_buffer_new();
        tenon_buffer *error = tenon_buffer_new();
        tenon_str clobber = {"clobber-callbacks", 17};
        tenon_str name = {"C", 1};
        const example_greeter_v1 *abuser = (const example_greeter_v1 *)vtables[0];
        const example_greeter_v1 *good = (const example_greeter_v1 *)vtables[1];
        CHECK(abuser->greet(selves[0], clobber, out, error) == TENON_OK);
        CHECK(out->reserve == NULL && error->reserve == NULL);
        tenon_buffer_clear(out);
        tenon_buffer_clear(error);
        CHECK(out->reserve != NULL && error->reserve != NULL);
        CHECK(good->greet(selves[1], name, out, error) == TENON_OK);
        CHECK(out->len == 9 && memcmp(out->data, "Hello, C!", 9) == 0);
        tenon_buffer_free(error);
        tenon_buffer_free(out);
    }
    for (i = 0; i < 2; i++) {
        tenon_instance_free(instances[i]);
        tenon_plugin_free(plugins[i]);
    }
}

/* Services offered from C reach the plugin, in process and isolated, and
 * are released once, when the last user is gone. */
static void services(const char *relay, int isolated) {
    released = 0;
    tenon_services *services = tenon_services_new();
    OK(tenon_services_offer(services, EXAMPLE_GREETER_ID, 1, &HOST_GREETER, "host says hi, ",
                            release));
    tenon_options *options = tenon_options_new();
    OK(tenon_options_services(options, services));
    if (isolated) {
        OK(tenon_options_isolated(options, 10000));
    }
    tenon_services_free(services);
    tenon_plugin *plugin = NULL;
    OK(tenon_plugin_load(relay, options, &plugin));
    tenon_options_free(options);
    if (plugin == NULL) {
        return;
    }
    CHECK(tenon_plugin_is_isolated(plugin) == (isolated != 0));
    tenon_instance *instance = NULL;
    OK(tenon_instance_create(plugin, "", &instance));
    const void *vtable = NULL;
    void *self = NULL;
    OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                &vtable, &self));
    if (vtable != NULL) {
        tenon_buffer *out = tenon_buffer_new();
        tenon_buffer *error = tenon_buffer_new();
        tenon_str name = {"C", 1};
        CHECK(((const example_greeter_v1 *)vtable)->greet(self, name, out, error) == TENON_OK);
        CHECK(out->len > 0 && strstr((const char *)out->data, "host says hi, C") != NULL);
        tenon_buffer_free(error);
        tenon_buffer_free(out);
    }
    CHECK(released == 0);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
    CHECK(released == 1);
}

/* An isolated plugin is called through a proxy, which exists only for the
 * interfaces libtenon declares: greeter version 2 is not one of them. */
static void isolated_without_declaration(const char *greeter_v2) {
    tenon_options *options = tenon_options_new();
    OK(tenon_options_isolated(options, 10000));
    tenon_plugin *plugin = NULL;
    OK(tenon_plugin_load(greeter_v2, options, &plugin));
    tenon_options_free(options);
    if (plugin == NULL) {
        return;
    }
    tenon_instance *instance = NULL;
    OK(tenon_instance_create(plugin, "", &instance));
    const void *vtable = NULL;
    void *self = NULL;
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 2, sizeof(example_greeter_v1),
                                    &vtable, &self),
           TENON_ERROR_ISOLATION_FAILED, "isolation_failed", "docs/guide-c-host.md");
    EXPECT(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 1, sizeof(example_greeter_v1),
                                    &vtable, &self),
           TENON_ERROR_INTERFACE_VERSION_MISMATCH, "interface_version_mismatch", NULL);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);

    /* In process the same lookup needs no declaration. */
    OK(tenon_plugin_load(greeter_v2, NULL, &plugin));
    OK(tenon_instance_create(plugin, "", &instance));
    OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, 2, sizeof(example_greeter_v1),
                                &vtable, &self));
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

/* --- Reloadable plugins ------------------------------------------------ */

struct greeting {
    tenon_status status;
    char text[64];
};

/* A tenon_reloadable_call body: greets "C" through the current build. */
static void greet_c(void *context, const void *vtable, void *self) {
    struct greeting *greeting = context;
    tenon_buffer *out = tenon_buffer_new();
    tenon_buffer *error = tenon_buffer_new();
    tenon_str name = {"C", 1};
    greeting->status = ((const example_greeter_v1 *)vtable)->greet(self, name, out, error);
    size_t len = out->len < sizeof greeting->text - 1 ? out->len : sizeof greeting->text - 1;
    memcpy(greeting->text, out->data, len);
    greeting->text[len] = '\0';
    tenon_buffer_free(error);
    tenon_buffer_free(out);
}

static int greets(tenon_reloadable *reloadable, const char *expected) {
    struct greeting greeting = {TENON_ERROR, ""};
    tenon_error *error = tenon_reloadable_call(reloadable, greet_c, &greeting);
    if (error != NULL) {
        tenon_error_free(error);
        return 0;
    }
    return greeting.status == TENON_OK && strcmp(greeting.text, expected) == 0;
}

static void reloading(const char *build_a, const char *build_b, const char *not_a_library,
                      int isolated) {
    tenon_reloadable *reloadable = (tenon_reloadable *)&reloadable;
    size_t size = sizeof(example_greeter_v1);
    EXPECT(tenon_reloadable_load(NULL, NULL, NULL, EXAMPLE_GREETER_ID, 1, size, &reloadable),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    CHECK(reloadable == NULL);
    EXPECT(tenon_reloadable_load(build_a, NULL, NULL, NULL, 1, size, &reloadable),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_reloadable_load(build_a, NULL, NULL, EXAMPLE_GREETER_ID, 1, size, NULL),
           TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    EXPECT(tenon_reloadable_load(build_a, NULL, NULL, EXAMPLE_GREETER_ID, 1, 0, &reloadable),
           TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_reloadable_load(build_a, NULL, NULL, "org.example.nothing", 1, size,
                                 &reloadable),
           TENON_ERROR_INTERFACE_NOT_FOUND, "interface_not_found", NULL);
    EXPECT(tenon_reloadable_load(not_a_library, NULL, NULL, EXAMPLE_GREETER_ID, 1, size,
                                 &reloadable),
           TENON_ERROR_NOT_A_LIBRARY, "not_a_library", NULL);
    CHECK(tenon_reloadable_generation(NULL) == 0);
    EXPECT(tenon_reloadable_reload(NULL, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);

    tenon_options *options = tenon_options_new();
    if (isolated) {
        OK(tenon_options_isolated(options, 10000));
    }
    OK(tenon_reloadable_load(build_a, options, NULL, EXAMPLE_GREETER_ID, 1, size, &reloadable));
    tenon_options_free(options);
    if (reloadable == NULL) {
        return;
    }
    CHECK(tenon_reloadable_generation(reloadable) == 1);
    CHECK(greets(reloadable, "a:C"));
    EXPECT(tenon_reloadable_call(reloadable, NULL, NULL), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    /* A broken build is refused and the old one keeps serving. */
    EXPECT(tenon_reloadable_reload_from(reloadable, not_a_library, NULL),
           TENON_ERROR_NOT_A_LIBRARY, "not_a_library", NULL);
    EXPECT(tenon_reloadable_reload_from(reloadable, NULL, NULL), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    CHECK(tenon_reloadable_generation(reloadable) == 1);
    CHECK(greets(reloadable, "a:C"));
    uint64_t generation = 0;
    OK(tenon_reloadable_reload_from(reloadable, build_b, &generation));
    CHECK(generation == 2);
    CHECK(greets(reloadable, "b:C"));
    OK(tenon_reloadable_reload(reloadable, &generation)); /* build_b again */
    CHECK(generation == 3 && tenon_reloadable_generation(reloadable) == 3);
    CHECK(greets(reloadable, "b:C"));
    tenon_reloadable_free(reloadable);
    tenon_reloadable_free(reloadable); /* double free: refused */
}

int main(int argc, char **argv) {
    /* An isolated plugin's child process is this program started again. */
    tenon_isolation_init();
    if (argc != 9) {
        fprintf(stderr,
                "usage: %s <greeter> <relay> <greeter_v2> <not_a_library> <null_slot> "
                "<reload_a> <reload_b> <buffer_abuse>\n",
                argv[0]);
        return 2;
    }
    errors_and_frees();
    unloading(argv[1], 0);
    options_and_services();
    loading(argv[1], argv[4]);
    metadata_and_instances(argv[1], argv[5]);
    reused_buffers(argv[1], argv[8]);
    services(argv[2], 0);
    reloading(argv[6], argv[7], argv[4], 0);
    /* valgrind (3.19) cannot run isolation: it lacks pidfd_open. */
    const char *skip = getenv("TENON_C_TEST_SKIP_ISOLATION");
    if (skip != NULL && strcmp(skip, "1") == 0) {
        printf("isolated checks skipped (TENON_C_TEST_SKIP_ISOLATION=1)\n");
    } else {
        unloading(argv[1], 1);
        services(argv[2], 1);
        isolated_without_declaration(argv[3]);
        reloading(argv[6], argv[7], argv[4], 1);
    }
    return report();
}
