/*
 * checks.h - the pass/fail bookkeeping the C API's test programs share
 * (error_paths.c, isolated_faults.c, log_handler.c, log_handler.cpp, multiversion.c,
 * null_error_text.cpp, reload_state.c, reload_state.cpp, revisions.cpp,
 * static_plugin.c, wrappers.cpp): each counts its checks, prints a line
 * per failed one, and ends with "N passed, N failed", the line the Rust
 * tests that run them read (tests/integration/tests/support/c_api.rs).
 *
 * Three checks, each counted once and returning whether it passed (so a
 * program can skip what depends on it):
 *   CHECK(cond)                       cond holds;
 *   OK(call)                          call returned no tenon_error;
 *   EXPECT(call, code, kind, about)   call returned a tenon_error with that
 *                                     code and kind and a message holding
 *                                     `about` (any non-empty message if
 *                                     `about` is NULL).
 * OK and EXPECT free the error. Plain C99 and C++: static inline, so a
 * program that uses only some of them compiles without warnings.
 */
#ifndef TENON_TEST_CHECKS_H
#define TENON_TEST_CHECKS_H

#include <tenon/host.h>

#include <stdio.h>
#include <string.h>

static int passed;
static int failed;

static inline int check(int ok, const char *what, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAILED (line %d): %s\n", line, what);
    }
    return ok;
}

#define CHECK(cond) check((cond) ? 1 : 0, #cond, __LINE__)

/* A NULL string printed as "(null)", which printf need not do. */
static inline const char *check_text(const char *text) {
    return text != NULL ? text : "(null)";
}

static inline int check_ok(tenon_error *error, const char *what, int line) {
    if (error == NULL) {
        passed++;
        return 1;
    }
    failed++;
    printf("FAILED (line %d): %s: [%s] %s\n", line, what, check_text(tenon_error_kind(error)),
           check_text(tenon_error_message(error)));
    tenon_error_free(error);
    return 0;
}

#define OK(call) check_ok((call), #call, __LINE__)

static inline int check_error(tenon_error *error, uint32_t code, const char *kind,
                              const char *about, const char *what, int line) {
    if (error == NULL) {
        failed++;
        printf("FAILED (line %d): %s: expected an error of kind %s, got success\n", line, what,
               kind);
        return 0;
    }
    const char *got = tenon_error_kind(error);
    const char *message = tenon_error_message(error);
    int ok = tenon_error_code(error) == code && got != NULL && strcmp(got, kind) == 0 &&
             message != NULL && message[0] != '\0' &&
             (about == NULL || strstr(message, about) != NULL);
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAILED (line %d): %s: expected %s (%u) about \"%s\", got %s (%u): %s\n", line,
               what, kind, (unsigned)code, about != NULL ? about : "", check_text(got),
               (unsigned)tenon_error_code(error), check_text(message));
    }
    tenon_error_free(error);
    return ok;
}

#define EXPECT(call, code, kind, about)                                                       \
    check_error((call), (code), (kind), (about), #call, __LINE__)

/* Prints the summary line; the program's exit status: 1 if a check failed. */
static inline int report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
