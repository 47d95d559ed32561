/*
 * A C++ host of an interface that grew (tenon/host.hpp, instance::get with
 * a vtable size), against the fixtures evolve_r1 (built against revision 1
 * of tenon_test/evolve.h: greet) and evolve_r2 (revision 2: greet and
 * farewell), in process:
 *   - asking for all of the revision-2 struct (the default size) refuses the
 *     revision-1 plugin with kind vtable_too_small, and gives the
 *     revision-2 one;
 *   - asking for revision 1's part (offsetof the first later method) gives
 *     both; TENON_HAS_FIELD tells whether farewell is there, and each call
 *     that is made answers.
 *
 * Usage: revisions <evolve_r1 fixture> <evolve_r2 fixture>
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed.
 */
#include <tenon/host.hpp>
#include <tenon/sdk.h>
#include <tenon_test/evolve.h>

#include <cstddef>
#include <cstdio>
#include <string>

#include "checks.h"

namespace hosting = tenon::hosting;

namespace {

constexpr std::size_t revision_1 = offsetof(test_evolve_v1, farewell);

std::string call(tenon_status (*method)(void *, tenon_str, tenon_buffer *, tenon_buffer *),
                 void *self, const char *name) {
    hosting::buffer out, message;
    tenon_status status = method(self, hosting::str(name), out, message);
    CHECK(status == TENON_OK);
    return std::string(out.view());
}

void whole_struct(const char *r1_path, const char *r2_path) {
    hosting::instance r1 = hosting::plugin::load(r1_path).create();
    try {
        r1.get<test_evolve_v1>(TEST_EVOLVE_ID, TEST_EVOLVE_VERSION);
        CHECK(!"a revision-1 plugin gave the whole revision-2 struct");
    } catch (const hosting::error &e) {
        CHECK(e.kind() == "vtable_too_small");
    }
    hosting::instance r2 = hosting::plugin::load(r2_path).create();
    auto evolve = r2.get<test_evolve_v1>(TEST_EVOLVE_ID, TEST_EVOLVE_VERSION);
    CHECK(TENON_HAS_FIELD(evolve.vtable, test_evolve_v1, farewell));
    CHECK(!call(evolve->farewell, evolve.self, "Ada").empty());
}

void first_revision(const char *path, bool has_farewell) {
    hosting::instance instance = hosting::plugin::load(path).create();
    auto evolve = instance.get<test_evolve_v1>(TEST_EVOLVE_ID, TEST_EVOLVE_VERSION, revision_1);
    CHECK(!call(evolve->greet, evolve.self, "Ada").empty());
    bool present = TENON_HAS_FIELD(evolve.vtable, test_evolve_v1, farewell);
    CHECK(present == has_farewell);
    if (present) {
        CHECK(!call(evolve->farewell, evolve.self, "Ada").empty());
    }
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <evolve_r1 fixture> <evolve_r2 fixture>\n", argv[0]);
        return 2;
    }
    try {
        whole_struct(argv[1], argv[2]);
        first_revision(argv[1], false);
        first_revision(argv[2], true);
    } catch (const hosting::error &e) {
        CHECK(!"unexpected tenon::hosting::error");
        std::printf("  [%s] %s\n", e.kind().c_str(), e.what());
    }
    return report();
}
