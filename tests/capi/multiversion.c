/*
 * A C host of one plugin build that offers org.tenon.test.evolve at two
 * versions (the fixture evolve_v1_v2: version 1 from tenon_test/evolve.h,
 * version 2 from tenon_test/evolve_v2.h), in process:
 *   - tenon_plugin_interface lists the id twice, at versions 1 and 2;
 *   - tenon_instance_interface gives each version its own vtable, and each
 *     greets as its version does;
 *   - version 3 is interface_version_mismatch naming versions 1 and 2;
 *   - a reloadable of version 2 made from it refuses a reload to evolve_r2,
 *     which offers version 1 only (interface_version_mismatch, the hint
 *     for a reload), and goes on serving; one of version 1 takes it.
 *
 * Usage: multiversion <evolve_v1_v2 fixture> <evolve_r2 fixture>
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed.
 */
#include <tenon/sdk.h>
#include <tenon_test/evolve.h>
#include <tenon_test/evolve_v2.h>

#include <stdio.h>
#include <string.h>

#include "checks.h"

/* Whether `out` holds exactly `expected`. */
static int holds(const tenon_buffer *out, const char *expected) {
    size_t len = strlen(expected);
    return out->len == len && memcmp(out->data, expected, len) == 0;
}

/* What a call through a reloadable greets with. */
typedef struct {
    int version;
    tenon_status status;
    tenon_buffer *out;
} greeting;

static void greet_body(void *context, const void *vtable, void *self) {
    greeting *call = context;
    tenon_buffer *error = tenon_buffer_new();
    tenon_str ada = {"Ada", 3};
    tenon_str fr = {"fr", 2};
    if (call->version == 1) {
        call->status = ((const test_evolve_v1 *)vtable)->greet(self, ada, call->out, error);
    } else {
        call->status = ((const test_evolve_v2 *)vtable)->greet(self, ada, fr, call->out, error);
    }
    tenon_buffer_free(error);
}

/* Whether `reloadable` (of `version`) greets Ada with `expected`. */
static int greets(tenon_reloadable *reloadable, int version, const char *expected) {
    greeting call = {version, TENON_ERROR, tenon_buffer_new()};
    int ok = OK(tenon_reloadable_call(reloadable, greet_body, &call)) &&
             CHECK(call.status == TENON_OK) && CHECK(holds(call.out, expected));
    tenon_buffer_free(call.out);
    return ok;
}

static void reloadables(const char *both, const char *only_1) {
    tenon_reloadable *v2 = NULL;
    tenon_reloadable *v1 = NULL;
    uint64_t generation = 0;
    if (OK(tenon_reloadable_load(both, NULL, "", TEST_EVOLVE_V2_ID, TEST_EVOLVE_V2_VERSION,
                                 sizeof(test_evolve_v2), &v2))) {
        EXPECT(tenon_reloadable_reload_from(v2, only_1, &generation),
               TENON_ERROR_INTERFACE_VERSION_MISMATCH, "interface_version_mismatch",
               "a reloaded build must offer the version the reloadable was made for");
        CHECK(tenon_reloadable_generation(v2) == 1);
        greets(v2, 2, "v2 C bonjour, Ada");
        tenon_reloadable_free(v2);
    }
    if (OK(tenon_reloadable_load(both, NULL, "", TEST_EVOLVE_ID, TEST_EVOLVE_VERSION,
                                 sizeof(test_evolve_v1), &v1))) {
        greets(v1, 1, "v1 C hello, Ada");
        if (OK(tenon_reloadable_reload_from(v1, only_1, &generation))) {
            CHECK(generation == 2);
            greets(v1, 1, "r2 C hello, Ada");
        }
        tenon_reloadable_free(v1);
    }
}

int main(int argc, char **argv) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: multiversion <evolve_v1_v2 fixture> <evolve_r2 fixture>\n");
        return 2;
    }
    if (!OK(tenon_plugin_load(argv[1], NULL, &plugin))) {
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    CHECK(tenon_plugin_interface_count(plugin) == 2);
    for (size_t index = 0; index < 2; index++) {
        const char *id = NULL;
        uint32_t version = 0;
        if (OK(tenon_plugin_interface(plugin, index, &id, &version))) {
            CHECK(strcmp(id, TEST_EVOLVE_ID) == 0);
            CHECK(version == (uint32_t)index + 1u);
        }
    }

    if (OK(tenon_instance_create(plugin, "", &instance))) {
        const void *vtable = NULL;
        void *self = NULL;
        tenon_buffer *out = tenon_buffer_new();
        tenon_buffer *error = tenon_buffer_new();
        tenon_str ada = {"Ada", 3};
        tenon_str fr = {"fr", 2};
        if (OK(tenon_instance_interface(instance, TEST_EVOLVE_ID, TEST_EVOLVE_VERSION,
                                        sizeof(test_evolve_v1), &vtable, &self))) {
            const test_evolve_v1 *v1 = vtable;
            CHECK(v1->struct_size == sizeof(test_evolve_v1));
            CHECK(v1->greet(self, ada, out, error) == TENON_OK);
            CHECK(holds(out, "v1 C hello, Ada"));
        }
        tenon_buffer_clear(out);
        if (OK(tenon_instance_interface(instance, TEST_EVOLVE_V2_ID, TEST_EVOLVE_V2_VERSION,
                                        sizeof(test_evolve_v2), &vtable, &self))) {
            const test_evolve_v2 *v2 = vtable;
            CHECK(v2->struct_size == sizeof(test_evolve_v2));
            CHECK(v2->greet(self, ada, fr, out, error) == TENON_OK);
            CHECK(holds(out, "v2 C bonjour, Ada"));
        }
        EXPECT(tenon_instance_interface(instance, TEST_EVOLVE_ID, 3u, sizeof(test_evolve_v2),
                                        &vtable, &self),
               TENON_ERROR_INTERFACE_VERSION_MISMATCH, "interface_version_mismatch",
               "at versions 1 and 2 only");
        tenon_buffer_free(out);
        tenon_buffer_free(error);
        tenon_instance_free(instance);
    }
    tenon_plugin_free(plugin);
    reloadables(argv[1], argv[2]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
