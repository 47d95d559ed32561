/*
 * checks.h - the pass/fail bookkeeping the C API's test programs share
 * (error_paths.c, log_handler.c, log_handler.cpp, reload_state.c,
 * reload_state.cpp): each counts its checks, prints a line per failed one,
 * and ends with "N passed, N failed", the line the Rust tests that run them
 * read (tests/integration/tests/support/c_api.rs).
 */
#ifndef TENON_TEST_CHECKS_H
#define TENON_TEST_CHECKS_H

#include <stdio.h>

static int passed;
static int failed;

static void check(int ok, const char *what, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAILED (line %d): %s\n", line, what);
    }
}

#define CHECK(cond) check((cond), #cond, __LINE__)

/* Prints the summary line; the program's exit status: 1 if a check failed. */
static int report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
