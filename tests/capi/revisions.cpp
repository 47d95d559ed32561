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
 *     that is made answers;
 *   - reloadable::load with revision 1's size serves the revision-1 build
 *     and then, reloaded, the revision-2 one (the whole struct refuses the
 *     revision-1 build).
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

/* A reloadable asks for a size too: revision 1's part lets a revision-1
 * build serve, and then a revision-2 build replace it. */
void reloadable_revision(const char *r1_path, const char *r2_path) {
    using evolving = hosting::reloadable<test_evolve_v1>;
    try {
        evolving::load(r1_path, TEST_EVOLVE_ID, TEST_EVOLVE_VERSION);
        CHECK(!"a revision-1 build served the whole revision-2 struct");
    } catch (const hosting::error &e) {
        CHECK(e.kind() == "vtable_too_small");
    }
    evolving evolve =
        evolving::load(r1_path, TEST_EVOLVE_ID, TEST_EVOLVE_VERSION, nullptr, "", revision_1);
    auto has_farewell = [](hosting::interface_ref<test_evolve_v1> target) {
        CHECK(!call(target->greet, target.self, "Ada").empty());
        return TENON_HAS_FIELD(target.vtable, test_evolve_v1, farewell);
    };
    CHECK(!evolve.with(has_farewell));
    CHECK(evolve.reload_from(r2_path) == 2);
    CHECK(evolve.with(has_farewell));
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
        reloadable_revision(argv[1], argv[2]);
    } catch (const hosting::error &e) {
        CHECK(!"unexpected tenon::hosting::error");
        std::printf("  [%s] %s\n", e.kind().c_str(), e.what());
    }
    return report();
}
