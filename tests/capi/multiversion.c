/*
 * A C host of one plugin build that offers org.tenon.test.evolve at two
 * versions (the fixture evolve_v1_v2: version 1 from tenon_test/evolve.h,
 * version 2 from tenon_test/evolve_v2.h), in process:
 *   - tenon_plugin_interface lists the id twice, at versions 1 and 2;
 *   - tenon_instance_interface gives each version its own vtable, and each
 *     greets as its version does;
 *   - version 3 is interface_version_mismatch naming versions 1 and 2.
 *
 * Usage: multiversion <evolve_v1_v2 fixture>
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

int main(int argc, char **argv) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    if (argc != 2) {
        fprintf(stderr, "usage: multiversion <evolve_v1_v2 fixture>\n");
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
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
