/*
 * What a C host sees when an isolated plugin fails during a call through
 * its vtable (tenon_options_isolated):
 *   - the fixture crash_in_greet dies of SIGSEGV on a name over 4096 bytes:
 *     the call returns TENON_CRASHED, with the reason in the call's error
 *     buffer; the next call on that instance TENON_INSTANCE_LOST, with its
 *     reason too; the host carries on;
 *   - with a restart policy (tenon_options_restart), a new instance of the
 *     same plugin handle works; without one (the default), creating an
 *     instance fails with kind "crashed", and so it does once the policy's
 *     restarts within its window are used up (then libtenon's log says so);
 *   - the fixture hang_in_greet never returns on such a name: with a call
 *     deadline the call returns TENON_TIMED_OUT, with the reason, after
 *     about that long, and the next call TENON_INSTANCE_LOST;
 *   - tenon_plugin_ping answers while the process lives, restarts it after
 *     a crash when the policy allows, and fails with kind "crashed" when
 *     not; in process it answers 0;
 *   - the isolation limits: arguments larger than a slot's share are
 *     refused (TENON_INVALID_ARGUMENT, with the reason) and pass once
 *     tenon_options_slots makes the slots larger; fault_allocation's
 *     runaway allocation under tenon_options_memory_limit ends its process
 *     (TENON_CRASHED, its reason naming the limit), not this one;
 *     hang_in_initializer's load fails with kind "timed_out" after
 *     tenon_options_start_timeout; out-of-range limits are refused with
 *     kind "invalid_argument".
 *
 * Usage: isolated_faults <crash_in_greet> <hang_in_greet> <greeter>
 *                        <fault_allocation> <hang_in_initializer>
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include <tenon/host.h>
#include <tenon_examples/greeter.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

#include "checks.h"

/* Whether the bytes of buffer contain text. */
static int buffer_contains(const tenon_buffer *buffer, const char *text) {
    size_t n = strlen(text);
    size_t at;
    for (at = 0; at + n <= buffer->len; at++) {
        if (memcmp(buffer->data + at, text, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The name that sends both fixtures down their failing path. */
static char long_name[5000];

typedef struct greeting {
    tenon_status status;
    tenon_buffer *out;
    tenon_buffer *error;
} greeting;

static greeting greet(const example_greeter_v1 *greeter, void *self, const char *name,
                      size_t len) {
    greeting result;
    tenon_str text;
    text.ptr = name;
    text.len = len;
    result.out = tenon_buffer_new();
    result.error = tenon_buffer_new();
    result.status = greeter->greet(self, text, result.out, result.error);
    return result;
}

static void greeting_free(greeting *result) {
    tenon_buffer_free(result->out);
    tenon_buffer_free(result->error);
}

/* Loads path isolated with a call deadline of timeout_ms and creates an
 * instance; NULL (with the failure counted) if that fails. */
static tenon_instance *isolated_instance(const char *path, uint64_t timeout_ms,
                                         uint32_t max_restarts, tenon_plugin **plugin) {
    tenon_options *options = tenon_options_new();
    tenon_instance *instance = NULL;
    *plugin = NULL;
    if (OK(tenon_options_isolated(options, timeout_ms)) &&
        (max_restarts == 0 || OK(tenon_options_restart(options, max_restarts, 60000))) &&
        OK(tenon_plugin_load(path, options, plugin))) {
        OK(tenon_instance_create(*plugin, "", &instance));
    }
    tenon_options_free(options);
    return instance;
}

static const example_greeter_v1 *greeter_of(tenon_instance *instance, void **self) {
    const void *vtable = NULL;
    if (!OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                           sizeof(example_greeter_v1), &vtable, self))) {
        return NULL;
    }
    return vtable;
}

static void crash(const char *path, uint32_t max_restarts) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = isolated_instance(path, 10000, max_restarts, &plugin);
    void *self = NULL;
    const example_greeter_v1 *greeter = instance ? greeter_of(instance, &self) : NULL;
    greeting result;
    if (greeter == NULL) {
        tenon_instance_free(instance);
        tenon_plugin_free(plugin);
        return;
    }

    result = greet(greeter, self, "world", 5);
    CHECK(result.status == TENON_OK);
    CHECK(result.out->len == 13 && memcmp(result.out->data, "Hello, world!", 13) == 0);
    greeting_free(&result);

    result = greet(greeter, self, long_name, sizeof long_name);
    CHECK(result.status == TENON_CRASHED);
    CHECK(result.out->len == 0);
    CHECK(buffer_contains(result.error, "process died during the call"));
#if !defined(_WIN32)
    CHECK(buffer_contains(result.error, "killed by signal 11"));
#endif
    if (result.status != TENON_OK) {
        printf("  crashed call's message: %.*s\n", (int)result.error->len,
               (const char *)result.error->data);
    }
    greeting_free(&result);

    result = greet(greeter, self, "again", 5);
    CHECK(result.status == TENON_INSTANCE_LOST);
    CHECK(buffer_contains(result.error, "has died"));
    /* What to do depends on the restart policy: create a new instance, or
     * load the plugin again (or set a policy). */
    if (max_restarts > 0) {
        CHECK(buffer_contains(result.error, "create a new instance (Plugin::instantiate; tenon_instance_create in C)"));
    } else {
        CHECK(buffer_contains(result.error, "no restart policy is set"));
        CHECK(buffer_contains(result.error, "tenon_plugin_load"));
        CHECK(buffer_contains(result.error, "tenon_options_restart"));
    }
    greeting_free(&result);
    tenon_instance_free(instance);

    /* The host and the plugin handle carry on. */
    instance = NULL;
    if (max_restarts > 0) {
        if (OK(tenon_instance_create(plugin, "", &instance)) &&
            (greeter = greeter_of(instance, &self)) != NULL) {
            result = greet(greeter, self, "restart", 7);
            CHECK(result.status == TENON_OK);
            CHECK(result.out->len == 15 && memcmp(result.out->data, "Hello, restart!", 15) == 0);
            greeting_free(&result);
        }
    } else {
        EXPECT(tenon_instance_create(plugin, "", &instance), TENON_ERROR_CRASHED, "crashed",
               "earlier and was found dead: no restart policy started a new one");
        CHECK(instance == NULL);
    }
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

/* libtenon's lines saying it did not restart the fixture's process. */
static atomic_int not_restarted;

static void record_not_restarted(void *user_data, tenon_log_level level, const char *plugin,
                                 const char *message) {
    (void)user_data;
    if (plugin == NULL && level == TENON_LOG_INFO &&
        strstr(message, "restarts within the window are used up") != NULL &&
        strstr(message, "plugin=fixture-crash-in-greet") != NULL) {
        atomic_fetch_add(&not_restarted, 1);
    }
}

/* Crashes the process made at load, then the one restart a policy of one
 * a minute allows: the next instance finds no process and no restart. */
static void restarts_used_up(const char *path) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = isolated_instance(path, 10000, 1, &plugin);
    tenon_log_set_handler(record_not_restarted, NULL, TENON_LOG_INFO);
    int round;
    for (round = 0; round < 2 && instance != NULL; round++) {
        void *self = NULL;
        const example_greeter_v1 *greeter = greeter_of(instance, &self);
        if (greeter != NULL) {
            greeting result = greet(greeter, self, long_name, sizeof long_name);
            CHECK(result.status == TENON_CRASHED);
            greeting_free(&result);
        }
        tenon_instance_free(instance);
        instance = NULL;
        if (round == 0) {
            /* The policy's one restart. */
            OK(tenon_instance_create(plugin, "", &instance));
        }
    }
    CHECK(atomic_load(&not_restarted) == 0);
    EXPECT(tenon_instance_create(plugin, "", &instance), TENON_ERROR_CRASHED, "crashed", NULL);
    CHECK(instance == NULL);
    /* Logged on this thread, before the create returned. */
    CHECK(atomic_load(&not_restarted) == 1);
    tenon_log_set_handler(NULL, NULL, TENON_LOG_TRACE);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

/* A monotonic clock, in seconds. */
static double now_seconds(void) {
#if defined(_WIN32)
    return (double)GetTickCount64() / 1000.0;
#else
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
#endif
}

static void hang(const char *path) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = isolated_instance(path, 300, 0, &plugin);
    void *self = NULL;
    const example_greeter_v1 *greeter = instance ? greeter_of(instance, &self) : NULL;
    greeting result;
    double start, took;
    if (greeter != NULL) {
        start = now_seconds();
        result = greet(greeter, self, long_name, sizeof long_name);
        took = now_seconds() - start;
        CHECK(result.status == TENON_TIMED_OUT);
        CHECK(buffer_contains(result.error, "deadline"));
        CHECK(took >= 0.25 && took < 10.0);
        greeting_free(&result);
        /* The process was killed: the instance is lost (at once, not a
         * crash of the next call). */
        result = greet(greeter, self, "after", 5);
        CHECK(result.status == TENON_INSTANCE_LOST);
        greeting_free(&result);
    }
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

static void ping(const char *path) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    void *self = NULL;
    const example_greeter_v1 *greeter;
    uint64_t round_trip = 99;
    greeting result;
    int restarts;

    /* In process: at once, 0. */
    if (OK(tenon_plugin_load(path, NULL, &plugin))) {
        CHECK(!tenon_plugin_is_static(plugin));
        OK(tenon_plugin_ping(plugin, 1000, &round_trip));
        CHECK(round_trip == 0);
        EXPECT(tenon_plugin_ping(plugin, 0, &round_trip), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
        tenon_plugin_free(plugin);
    }

    for (restarts = 1; restarts >= 0; restarts--) {
        instance = isolated_instance(path, 10000, (uint32_t)restarts, &plugin);
        greeter = instance ? greeter_of(instance, &self) : NULL;
        if (greeter != NULL) {
            round_trip = 0;
            OK(tenon_plugin_ping(plugin, 5000, &round_trip));
            CHECK(round_trip > 0 && round_trip < 5000000);
            OK(tenon_plugin_ping(plugin, 5000, NULL));
            result = greet(greeter, self, long_name, sizeof long_name);
            CHECK(result.status == TENON_CRASHED);
            greeting_free(&result);
            if (restarts > 0) {
                /* A fresh process answers. */
                OK(tenon_plugin_ping(plugin, 5000, &round_trip));
            } else {
                EXPECT(tenon_plugin_ping(plugin, 5000, &round_trip), TENON_ERROR_CRASHED, "crashed", NULL);
                CHECK(round_trip == 0);
            }
        }
        tenon_instance_free(instance);
        tenon_plugin_free(plugin);
    }
}

/* Greets through the greeter at path, isolated with options, with a name
 * of size bytes; the status, and the output's length. */
static tenon_status greet_isolated(const char *path, tenon_options *options, size_t size,
                                   size_t *out_len) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    void *self = NULL;
    const example_greeter_v1 *greeter = NULL;
    tenon_status status = TENON_ERROR;
    char *name = malloc(size);
    *out_len = 0;
    if (name != NULL && OK(tenon_options_isolated(options, 30000)) &&
        OK(tenon_plugin_load(path, options, &plugin)) &&
        OK(tenon_instance_create(plugin, "", &instance)) &&
        (greeter = greeter_of(instance, &self)) != NULL) {
        greeting result;
        memset(name, 'y', size);
        result = greet(greeter, self, name, size);
        status = result.status;
        *out_len = result.out->len;
        if (status == TENON_INVALID_ARGUMENT) {
            CHECK(buffer_contains(result.error, "slot"));
        }
        greeting_free(&result);
    }
    free(name);
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
    return status;
}

static void limits(const char *greeter_path, const char *allocation, const char *hang) {
    const size_t big = 2u << 20; /* more than 3/8 of the default 4 MiB slot */
    size_t out_len;
    tenon_options *options = tenon_options_new();
    tenon_plugin *plugin = NULL;

    CHECK(greet_isolated(greeter_path, options, big, &out_len) == TENON_INVALID_ARGUMENT);
    OK(tenon_options_slots(options, 2, 16u << 20));
    CHECK(greet_isolated(greeter_path, options, big, &out_len) == TENON_OK);
    CHECK(out_len == big + 8); /* "Hello, " + name + "!" */
    /* The smallest slots still carry a call (64 KiB ones left no room for
     * the reply, and the plugin never answered). */
    OK(tenon_options_slots(options, 1, 256u << 10));
    CHECK(greet_isolated(greeter_path, options, 1000, &out_len) == TENON_OK);
    CHECK(out_len == 1000 + 8);
    tenon_options_free(options);

    options = tenon_options_new();
    EXPECT(tenon_options_slots(options, 0, 4u << 20), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_slots(options, 257, 4u << 20), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_slots(options, 8, 1000), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_slots(options, 8, 64u << 10), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_memory_limit(options, 0), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_start_timeout(options, 0), TENON_ERROR_INVALID_ARGUMENT, "invalid_argument", NULL);
    EXPECT(tenon_options_memory_limit(NULL, 1), TENON_ERROR_NULL_ARGUMENT, "null_argument", NULL);
    tenon_options_free(options);

    /* Runaway allocation ends the plugin's process, not this one. */
    options = tenon_options_new();
    OK(tenon_options_isolated(options, 60000));
    OK(tenon_options_memory_limit(options, 512u << 20));
    {
        tenon_error *error = tenon_plugin_load(allocation, options, &plugin);
#if defined(_WIN32)
        /* Wine accepts a job's memory limit and enforces none: Tenon
         * refuses to pretend. Windows itself enforces it. */
        if (error != NULL && strcmp(tenon_error_kind(error), "isolation_unsupported") == 0) {
            CHECK(plugin == NULL);
            tenon_error_free(error);
            error = NULL;
        } else
#endif
        if (OK(error)) {
            tenon_instance *instance = NULL;
            void *self = NULL;
            const example_greeter_v1 *greeter;
            if (OK(tenon_instance_create(plugin, "", &instance)) &&
                (greeter = greeter_of(instance, &self)) != NULL) {
                greeting result = greet(greeter, self, "crash", 5);
                CHECK(result.status == TENON_CRASHED);
                /* Running out of the limit looks like any crash (SIGABRT,
                 * SIGKILL): the reason names the limit. */
                CHECK(buffer_contains(result.error, "under a memory limit of 536870912 bytes"));
                greeting_free(&result);
            }
            tenon_instance_free(instance);
            tenon_plugin_free(plugin);
        }
    }
    tenon_options_free(options);

    /* A load that never finishes is cut at the start timeout. */
    options = tenon_options_new();
    plugin = NULL;
    OK(tenon_options_isolated(options, 0));
    OK(tenon_options_start_timeout(options, 500));
    {
        double start = now_seconds(), took;
        EXPECT(tenon_plugin_load(hang, options, &plugin), TENON_ERROR_TIMED_OUT, "timed_out", NULL);
        took = now_seconds() - start;
        CHECK(plugin == NULL);
        CHECK(took >= 0.4 && took < 9.0);
    }
    tenon_options_free(options);
}

int main(int argc, char **argv) {
    /* First: in the child started for an isolated plugin, this serves the
     * plugin and never returns. */
    tenon_isolation_init();
    if (argc != 6) {
        fprintf(stderr,
                "usage: %s <crash_in_greet> <hang_in_greet> <greeter> <fault_allocation> "
                "<hang_in_initializer>\n",
                argv[0]);
        return 2;
    }
    memset(long_name, 'x', sizeof long_name);
    crash(argv[1], 2);
    crash(argv[1], 0);
    restarts_used_up(argv[1]);
    hang(argv[2]);
    ping(argv[1]);
    limits(argv[3], argv[4], argv[5]);
    return report();
}
