/*
 * Host services offered to isolated plugins (docs/guide-c-host.md, "Host
 * services"), against the fixtures relay_c and relay_undeclared:
 *   - relay_c, isolated, calls the greeter this host offers (an interface
 *     libtenon declares): its greet answers "relayed: <this host's
 *     greeting>";
 *   - relay_undeclared looks up "org.tenon.test.undeclared", which this host
 *     offers but libtenon does not declare: in process the plugin gets the
 *     offer ("found: ..."); isolated its get_interface returns NULL
 *     ("missing"), the log handler gets a TENON_LOG_WARN line naming the
 *     interface (relay_c, offered it too, gets one as well), attributed to
 *     the plugin by its file's name (always: the child says it before the
 *     plugin tells its name, fixture-relay-undeclared) and saying
 *     that a C host declares it in its libtenon, and the lookup event at
 *     TENON_LOG_DEBUG reads offered=false.
 *
 * Usage: isolated_services <relay_c> <relay_undeclared>
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include <tenon/host.h>
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

#include "checks.h"

#define UNDECLARED_ID "org.tenon.test.undeclared"

/* What the handler saw; it runs on libtenon's threads too. */
static atomic_int warned_undeclared;   /* the warning, from the plugin */
static atomic_int warned_no_remedy;    /* ... not naming a C host's remedy */
static atomic_int warned_as_other;     /* ... attributed to another name */
static const char *relay_files[2];     /* the plugins' file names */
static atomic_int looked_up_offered;   /* the lookup event, offered=true */
static atomic_int looked_up_refused;   /* the lookup event, offered=false */

static void record(void *user_data, tenon_log_level level, const char *plugin,
                   const char *message) {
    (void)user_data;
    printf("  log: level %d, plugin %s: %s\n", (int)level, plugin ? plugin : "(libtenon)",
           message);
    if (strstr(message, UNDECLARED_ID) == NULL) {
        return;
    }
    if (plugin != NULL && level == TENON_LOG_WARN) {
        /* Counted before warned_undeclared, which main waits for. */
        if (strcmp(plugin, relay_files[0]) != 0 && strcmp(plugin, relay_files[1]) != 0) {
            atomic_fetch_add(&warned_as_other, 1);
        }
        if (strstr(message, "libtenon") == NULL) {
            atomic_fetch_add(&warned_no_remedy, 1);
        }
        atomic_fetch_add(&warned_undeclared, 1);
    } else if (plugin == NULL && level == TENON_LOG_DEBUG &&
               strstr(message, "looked up a host service") != NULL) {
        if (strstr(message, "offered=true") != NULL) {
            atomic_fetch_add(&looked_up_offered, 1);
        } else if (strstr(message, "offered=false") != NULL) {
            atomic_fetch_add(&looked_up_refused, 1);
        }
    }
}

static void sleep_ms(unsigned ms) {
#if defined(_WIN32)
    Sleep(ms);
#else
    struct timespec pause = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
#endif
}

/* An isolated plugin's lines are forwarded by a thread of libtenon: they
 * arrive soon after the call that logged them, not necessarily before. */
static int wait_for(atomic_int *count) {
    for (int waited = 0; waited < 20000; waited += 10) {
        if (atomic_load(count) > 0) {
            return 1;
        }
        sleep_ms(10);
    }
    return 0;
}

static tenon_status host_greet(void *instance, tenon_str name, tenon_buffer *out,
                               tenon_buffer *error) {
    (void)instance;
    if (tenon_buffer_append_cstr(out, "the host greets ") != TENON_OK ||
        tenon_buffer_append_str(out, name) != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "greet: no room for the greeting");
    }
    return TENON_OK;
}

static const example_greeter_v1 host_greeter = {sizeof(example_greeter_v1), host_greet};

/* Loads path with options, greets "world" through it and checks the
 * greeting is `expected`. */
static void greets(const char *path, const tenon_options *options, const char *expected) {
    tenon_plugin *plugin = NULL;
    tenon_instance *instance = NULL;
    const void *vtable = NULL;
    void *self = NULL;
    if (OK(tenon_plugin_load(path, options, &plugin)) &&
        OK(tenon_instance_create(plugin, "", &instance)) &&
        OK(tenon_instance_interface(instance, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                    sizeof(example_greeter_v1), &vtable, &self))) {
        tenon_buffer *out = tenon_buffer_new();
        tenon_buffer *message = tenon_buffer_new();
        tenon_str name = {"world", 5};
        tenon_status status = ((const example_greeter_v1 *)vtable)->greet(self, name, out, message);
        CHECK(status == TENON_OK);
        CHECK(out->len == strlen(expected) && memcmp(out->data, expected, out->len) == 0);
        printf("  %s: %.*s\n", path, (int)out->len, (const char *)out->data);
        tenon_buffer_free(message);
        tenon_buffer_free(out);
    }
    tenon_instance_free(instance);
    tenon_plugin_free(plugin);
}

int main(int argc, char **argv) {
    /* An isolated plugin's child process is this program started again. */
    tenon_isolation_init();
    if (argc != 3) {
        fprintf(stderr, "usage: %s <relay_c> <relay_undeclared>\n", argv[0]);
        return 2;
    }
    for (int i = 0; i < 2; i++) {
        relay_files[i] = argv[i + 1];
        for (const char *c = argv[i + 1]; *c != '\0'; c++) {
            if (*c == '/' || *c == '\\') {
                relay_files[i] = c + 1;
            }
        }
    }
    tenon_log_set_handler(record, NULL, TENON_LOG_DEBUG);
    tenon_services *services = tenon_services_new();
    tenon_options *options = tenon_options_new();
    if (OK(tenon_services_offer(services, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                &host_greeter, NULL, NULL)) &&
        OK(tenon_services_offer(services, UNDECLARED_ID, 1, &host_greeter, NULL, NULL)) &&
        OK(tenon_options_services(options, services))) {
        greets(argv[2], options, "found: the host greets world");
        CHECK(atomic_load(&looked_up_offered) == 1);
        CHECK(atomic_load(&warned_undeclared) == 0);

        if (OK(tenon_options_isolated(options, 10000))) {
            greets(argv[1], options, "relayed: the host greets world");
            greets(argv[2], options, "missing");
            CHECK(wait_for(&warned_undeclared));
            CHECK(wait_for(&looked_up_refused));
            CHECK(atomic_load(&warned_no_remedy) == 0);
            CHECK(atomic_load(&warned_as_other) == 0);
            CHECK(atomic_load(&looked_up_offered) == 1);
        }
    }
    tenon_options_free(options);
    tenon_services_free(services);
    tenon_log_set_handler(NULL, NULL, TENON_LOG_TRACE);
    return report();
}
