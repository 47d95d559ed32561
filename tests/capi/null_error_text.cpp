/*
 * null_error_text.cpp - tenon::hosting::error when host.h hands it no
 * text: host.h gives a message and a kind for every live error, but the
 * wrapper must not build a std::string from NULL (undefined behaviour;
 * libstdc++ throws std::logic_error) were either ever NULL. This program
 * defines tenon_error_message and tenon_error_kind itself, returning NULL;
 * on ELF platforms the executable's definitions take the place of
 * libtenon's for its own calls (the inline code of host.hpp included), so
 * a failing load throws a hosting::error built from those NULLs. It must
 * carry the error's code, with an empty message and kind.
 *
 *   null_error_text
 *
 * Prints one line per failed check and ends with "N passed, N failed";
 * exits 1 if any check failed. Built and run by
 * tests/integration/tests/c_host_wrappers.rs with g++ and clang++ (Linux).
 */
#include <tenon/host.hpp>

#include <cstring>
#include <exception>

#include "checks.h"

extern "C" const char *tenon_error_message(const tenon_error *) { return nullptr; }
extern "C" const char *tenon_error_kind(const tenon_error *) { return nullptr; }

int main() {
    bool threw = false;
    try {
        tenon::hosting::plugin::load("/nonexistent/tenon/libnothing.so");
    } catch (const tenon::hosting::error &e) {
        threw = true;
        CHECK(std::strcmp(e.what(), "") == 0);
        CHECK(e.kind().empty());
        CHECK(e.code() == TENON_ERROR_FILE_NOT_FOUND);
    } catch (const std::exception &e) {
        std::printf("it threw something else: %s\n", e.what());
    }
    CHECK(threw);
    return report();
}
