/*
 * reload_state.c - a C host reloads a stateful plugin with state hand-over
 * (tenon_options_reload with TENON_RELOAD_HAND_OVER; org.tenon.state,
 * tenon/state.h), through libtenon:
 *   - the kv's entries survive reloads from one build to another, the
 *     generation counts them, and the report gives the bytes handed over;
 *   - every failure comes back as a typed tenon_error and leaves the old
 *     build serving with its state: a new build without org.tenon.state
 *     (interface_not_found), one whose restore fails or an old build whose
 *     save fails (state_hand_over_failed), a call in flight that outlasts the
 *     drain timeout (drain_timed_out), a report of the wrong size
 *     (invalid_argument);
 *   - a plugin without org.tenon.state cannot be loaded for hand-over, and a
 *     stateless reload keeps no state;
 *   - given the Rust kv, the C kv's entries (binary values, a UTF-8 key)
 *     are handed over to it and from it to kv_b, each build adding one.
 *
 *   reload_state <kv_a> <kv_b> <kv_restore_fails> <kv_save_fails> <kv_without_state> [<kv_rust>]
 *
 * kv_a and kv_b: two kv builds sharing a state format (the C and the C++
 * example); kv_rust: the Rust example kv, in the same format (without it,
 * as scripts/test-windows.sh runs it, its hand-overs are skipped); the
 * others: the fixtures of the same names. Prints one line per
 * failed check and ends with "N passed, N failed"; exits 1 if any check
 * failed. TENON_C_TEST_SKIP_ISOLATION=1 skips the isolated run (for
 * valgrind, which cannot run isolation).
 *
 * Built and run by tests/integration/tests/c_host_reload.rs, also under
 * AddressSanitizer and under valgrind (its ignored tests, which .ci/run runs).
 */
#include <tenon/host.h>
#include <tenon_examples/kv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

/* --- Calls into the kv through tenon_reloadable_call ------------------- */

/* One kv method call: its arguments in, its status and output out. */
typedef struct {
    const char *key;
    const uint8_t *value;
    size_t value_len;
    tenon_status status;
    uint64_t count;
    tenon_buffer *out;
} kv_call;

static void put_body(void *context, const void *vtable, void *self) {
    kv_call *call = context;
    tenon_buffer *error = tenon_buffer_new();
    tenon_str key = {call->key, strlen(call->key)};
    tenon_bytes value = {call->value, call->value_len};
    call->status = ((const example_kv_v1 *)vtable)->put(self, key, value, error);
    tenon_buffer_free(error);
}

static void get_body(void *context, const void *vtable, void *self) {
    kv_call *call = context;
    tenon_buffer *error = tenon_buffer_new();
    tenon_str key = {call->key, strlen(call->key)};
    call->status = ((const example_kv_v1 *)vtable)->get(self, key, call->out, error);
    tenon_buffer_free(error);
}

static void len_body(void *context, const void *vtable, void *self) {
    kv_call *call = context;
    tenon_buffer *error = tenon_buffer_new();
    call->status = ((const example_kv_v1 *)vtable)->len(self, &call->count, error);
    tenon_buffer_free(error);
}

/* Whether `value` could be stored under `key`. */
static int put(tenon_reloadable *kv, const char *key, const void *value, size_t value_len) {
    kv_call call = {key, value, value_len, TENON_ERROR, 0, NULL};
    tenon_error *error = tenon_reloadable_call(kv, put_body, &call);
    if (error != NULL) {
        tenon_error_free(error);
        return 0;
    }
    return call.status == TENON_OK;
}

/* Whether the value stored under `key` is `expected`. */
static int holds(tenon_reloadable *kv, const char *key, const void *expected, size_t len) {
    kv_call call = {key, NULL, 0, TENON_ERROR, 0, tenon_buffer_new()};
    tenon_error *error = tenon_reloadable_call(kv, get_body, &call);
    int same = error == NULL && call.status == TENON_OK && call.out->len == len &&
               (len == 0 || memcmp(call.out->data, expected, len) == 0);
    tenon_error_free(error);
    tenon_buffer_free(call.out);
    return same;
}

/* The number of keys stored, or UINT64_MAX if len failed. */
static uint64_t count(tenon_reloadable *kv) {
    kv_call call = {NULL, NULL, 0, TENON_ERROR, 0, NULL};
    tenon_error *error = tenon_reloadable_call(kv, len_body, &call);
    if (error != NULL) {
        tenon_error_free(error);
        return UINT64_MAX;
    }
    return call.status == TENON_OK ? call.count : UINT64_MAX;
}

/* A body that reloads the reloadable it runs in: with hand-over it cannot
 * drain the call it is made from. */
typedef struct {
    tenon_reloadable *kv;
    tenon_error *error;
} reload_inside;

static void reload_body(void *context, const void *vtable, void *self) {
    reload_inside *inside = context;
    (void)vtable;
    (void)self;
    inside->error = tenon_reloadable_reload(inside->kv, NULL);
}

/* --- The checks -------------------------------------------------------- */

enum { LARGE = 100000 };
static uint8_t large[LARGE];

static const char *const KV_ID = EXAMPLE_KV_ID;
static const size_t KV_SIZE = sizeof(example_kv_v1);

/* New options for hand-over with `drain_timeout_ms`, isolated or not. */
static tenon_options *hand_over_options(uint64_t drain_timeout_ms, int isolated) {
    tenon_options *options = tenon_options_new();
    OK(tenon_options_reload(options, TENON_RELOAD_HAND_OVER, drain_timeout_ms));
    if (isolated) {
        OK(tenon_options_isolated(options, 10000));
    }
    return options;
}

/* The store the kv holds before each check, and must hold after. */
static int intact(tenon_reloadable *kv) {
    return count(kv) == 3 && holds(kv, "a", "1", 1) && holds(kv, "", "empty key", 9) &&
           holds(kv, "large", large, LARGE);
}

static void hand_over(const char *kv_a, const char *kv_b, const char *restore_fails,
                      const char *save_fails, const char *without_state, int isolated) {
    tenon_options *options = hand_over_options(TENON_RELOAD_DRAIN_TIMEOUT_MS, isolated);
    tenon_reloadable *kv = NULL;

    /* A plugin without org.tenon.state cannot be loaded for hand-over. */
    EXPECT(tenon_reloadable_load(without_state, options, NULL, KV_ID, 1, KV_SIZE, &kv),
           TENON_ERROR_INTERFACE_NOT_FOUND, "interface_not_found",
           "org.tenon.state\"; it offers: org.tenon.example.kv; a reload that hands");
    CHECK(kv == NULL);

    if (!OK(tenon_reloadable_load(kv_a, options, NULL, KV_ID, 1, KV_SIZE, &kv))) {
        tenon_options_free(options);
        return;
    }
    tenon_options_free(options); /* read at load: the reloadable keeps its own */
    CHECK(tenon_reloadable_generation(kv) == 1);
    CHECK(put(kv, "a", "1", 1));
    CHECK(put(kv, "", "empty key", 9));
    CHECK(put(kv, "large", large, LARGE));
    CHECK(intact(kv));

    /* To the other build: the entries come along, and the report says how
     * many bytes carried them. */
    tenon_reload_report done;
    memset(&done, 0xab, sizeof done);
    done.struct_size = (uint32_t)sizeof done;
    if (OK(tenon_reloadable_reload_report(kv, kv_b, &done))) {
        CHECK(done.struct_size == sizeof done);
        CHECK(done.generation == 2);
        CHECK(done.handed_over);
        CHECK(done.state_bytes > LARGE && done.state_bytes < 2 * LARGE);
        CHECK(done.took_us < 60u * 1000u * 1000u);
    }
    CHECK(tenon_reloadable_generation(kv) == 2);
    CHECK(intact(kv));

    /* A report of the wrong size is refused before anything is reloaded. */
    tenon_reload_report small = {4, 0, 0, 0, false, false};
    EXPECT(tenon_reloadable_reload_report(kv, kv_a, &small), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", "struct_size");
    CHECK(small.generation == 0);
    CHECK(tenon_reloadable_generation(kv) == 2);

    /* The functions without a report hand over too; this one reads kv_b,
     * the file last reloaded from. */
    uint64_t generation = 0;
    OK(tenon_reloadable_reload(kv, &generation));
    CHECK(generation == 3);
    CHECK(intact(kv));

    /* Each failure: a typed error, the old build serving with its state. */
    EXPECT(tenon_reloadable_reload_from(kv, restore_fails, &generation),
           TENON_ERROR_STATE_HAND_OVER_FAILED, "state_hand_over_failed",
           "this build reads no saved state");
    CHECK(generation == 3 && tenon_reloadable_generation(kv) == 3);
    CHECK(intact(kv));
    EXPECT(tenon_reloadable_reload_report(kv, without_state, &done),
           TENON_ERROR_INTERFACE_NOT_FOUND, "interface_not_found",
           "(TENON_RELOAD_STATELESS) reloads without it");
    CHECK(done.generation == 2); /* not written on failure */
    CHECK(tenon_reloadable_generation(kv) == 3);
    CHECK(intact(kv));
    EXPECT(tenon_reloadable_reload(NULL, NULL), TENON_ERROR_NULL_ARGUMENT, "null_argument",
           NULL);
    EXPECT(tenon_reloadable_reload_report(NULL, NULL, NULL), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    /* A failed reload does not change the file later reloads read. */
    OK(tenon_reloadable_reload_report(kv, NULL, NULL));
    CHECK(tenon_reloadable_generation(kv) == 4);
    CHECK(intact(kv));
    /* The new build goes on storing. */
    CHECK(put(kv, "after", "x", 1));
    CHECK(count(kv) == 4);
    tenon_reloadable_free(kv);

    /* The old build's save fails. */
    options = hand_over_options(TENON_RELOAD_DRAIN_TIMEOUT_MS, isolated);
    kv = NULL;
    if (OK(tenon_reloadable_load(save_fails, options, NULL, KV_ID, 1, KV_SIZE, &kv))) {
        CHECK(put(kv, "a", "1", 1) && put(kv, "b", "2", 1) && put(kv, "c", "3", 1));
        EXPECT(tenon_reloadable_reload_from(kv, kv_a, NULL),
               TENON_ERROR_STATE_HAND_OVER_FAILED, "state_hand_over_failed",
               "this build cannot save its state");
        CHECK(tenon_reloadable_generation(kv) == 1);
        CHECK(count(kv) == 3);
        tenon_reloadable_free(kv);
    }
    tenon_options_free(options);

    /* A call in flight outlasts the drain timeout: here the call the reload
     * is made from, which cannot return before the reload does. */
    options = hand_over_options(100, isolated);
    kv = NULL;
    if (OK(tenon_reloadable_load(kv_a, options, NULL, KV_ID, 1, KV_SIZE, &kv))) {
        CHECK(put(kv, "a", "1", 1));
        reload_inside inside = {kv, NULL};
        OK(tenon_reloadable_call(kv, reload_body, &inside));
        EXPECT(inside.error, TENON_ERROR_DRAIN_TIMED_OUT, "drain_timed_out", NULL);
        CHECK(tenon_reloadable_generation(kv) == 1);
        CHECK(count(kv) == 1 && holds(kv, "a", "1", 1));
        /* Drained from outside, the same reload succeeds. */
        OK(tenon_reloadable_reload(kv, &generation));
        CHECK(generation == 2 && count(kv) == 1 && holds(kv, "a", "1", 1));
        tenon_reloadable_free(kv);
    }
    tenon_options_free(options);
}

/* A UTF-8 key and a value with a NUL and a byte no UTF-8 text holds: the
 * state format carries both as bytes. */
static const char KEY_UTF8[] = "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87";
static const char BINARY[] = "\0binary\xff";
#define BINARY_LEN (sizeof BINARY - 1)

/* The store carried across languages, and one entry each build added. */
static int carried(tenon_reloadable *kv, uint64_t added) {
    return count(kv) == 4 + added && holds(kv, "a", "1", 1) && holds(kv, "", "empty key", 9) &&
           holds(kv, "large", large, LARGE) && holds(kv, KEY_UTF8, BINARY, BINARY_LEN);
}

/* The kv examples of three languages share one state format (tkv1, set by
 * examples-c/kv/kv.c): the C kv's entries go over to the Rust kv, and from
 * it to the other build (the C++ kv), each build adding one. */
static void across_languages(const char *kv_c, const char *kv_rust, const char *kv_other,
                             int isolated) {
    tenon_options *options = hand_over_options(TENON_RELOAD_DRAIN_TIMEOUT_MS, isolated);
    tenon_reloadable *kv = NULL;
    int loaded = OK(tenon_reloadable_load(kv_c, options, NULL, KV_ID, 1, KV_SIZE, &kv));
    tenon_options_free(options);
    if (!loaded) {
        return;
    }
    CHECK(put(kv, "a", "1", 1) && put(kv, "", "empty key", 9) && put(kv, "large", large, LARGE) &&
          put(kv, KEY_UTF8, BINARY, BINARY_LEN));
    CHECK(carried(kv, 0));

    const char *const builds[] = {kv_rust, kv_other};
    const char *const added[] = {"by rust", "by the other"};
    for (uint64_t i = 0; i < 2; i++) {
        tenon_reload_report done = {(uint32_t)sizeof done, 0, 0, 0, false, false};
        if (OK(tenon_reloadable_reload_report(kv, builds[i], &done))) {
            CHECK(done.generation == i + 2);
            CHECK(done.handed_over);
            CHECK(done.state_bytes > LARGE && done.state_bytes < 2 * LARGE);
        }
        CHECK(carried(kv, i));
        CHECK(put(kv, added[i], "x", 1));
        CHECK(carried(kv, i + 1) && holds(kv, added[i], "x", 1));
    }
    CHECK(holds(kv, "by rust", "x", 1));
    tenon_reloadable_free(kv);
}

/* The options setter's own errors, and a stateless reload for contrast. */
static void options_and_stateless(const char *kv_a) {
    tenon_options *options = tenon_options_new();
    EXPECT(tenon_options_reload(NULL, TENON_RELOAD_HAND_OVER, 0), TENON_ERROR_NULL_ARGUMENT,
           "null_argument", NULL);
    EXPECT(tenon_options_reload(options, 7, 0), TENON_ERROR_INVALID_ARGUMENT,
           "invalid_argument", "swap 7");
    OK(tenon_options_reload(options, TENON_RELOAD_HAND_OVER, 0));
    /* Back to the default. */
    OK(tenon_options_reload(options, TENON_RELOAD_STATELESS, 0));

    tenon_reloadable *kv = NULL;
    if (OK(tenon_reloadable_load(kv_a, options, NULL, KV_ID, 1, KV_SIZE, &kv))) {
        CHECK(put(kv, "a", "1", 1));
        tenon_reload_report done = {(uint32_t)sizeof done, 0, 0, 0, true, false};
        OK(tenon_reloadable_reload_report(kv, NULL, &done));
        CHECK(done.generation == 2);
        CHECK(!done.handed_over && done.state_bytes == 0);
        CHECK(done.released_old); /* no call was in flight */
        CHECK(count(kv) == 0);      /* a fresh instance: nothing kept */
        tenon_reloadable_free(kv);
    }
    tenon_options_free(options);
}

int main(int argc, char **argv) {
    /* An isolated plugin's child process is this program started again. */
    tenon_isolation_init();
    if (argc != 6 && argc != 7) {
        fprintf(stderr,
                "usage: %s <kv_a> <kv_b> <kv_restore_fails> <kv_save_fails> "
                "<kv_without_state> [<kv_rust>]\n",
                argv[0]);
        return 2;
    }
    const char *kv_rust = argc == 7 ? argv[6] : NULL;
    for (size_t i = 0; i < LARGE; i++) {
        large[i] = (uint8_t)(i * 7);
    }
    options_and_stateless(argv[1]);
    hand_over(argv[1], argv[2], argv[3], argv[4], argv[5], 0);
    if (kv_rust != NULL) {
        across_languages(argv[1], kv_rust, argv[2], 0);
    }
    /* valgrind (3.19) cannot run isolation: it lacks pidfd_open. */
    const char *skip = getenv("TENON_C_TEST_SKIP_ISOLATION");
    if (skip != NULL && strcmp(skip, "1") == 0) {
        printf("isolated checks skipped (TENON_C_TEST_SKIP_ISOLATION=1)\n");
    } else {
        hand_over(argv[1], argv[2], argv[3], argv[4], argv[5], 1);
        if (kv_rust != NULL) {
            across_languages(argv[1], kv_rust, argv[2], 1);
        }
    }
    if (kv_rust == NULL) {
        printf("no Rust kv given: its hand-overs skipped\n");
    }
    return report();
}
