/*
 * reload_state.cpp - the C++ wrappers of a reload with state hand-over in
 * tenon/host.hpp (options::hand_over and stateless, reloadable::with,
 * reload_report), in process and isolated:
 *   - a kv's entries survive a hand-over to another build, and the report
 *     says what was done (generation, bytes, handed over);
 *   - a failed hand-over throws tenon::hosting::error with its kind and
 *     leaves the old build serving with its entries;
 *   - stateless() undoes hand_over(): a reload then starts from nothing.
 *
 *   reload_state_cpp <kv_a> <kv_b> <kv_restore_fails>
 *
 * kv_a and kv_b: two kv builds sharing a state format (the C and the C++
 * example); kv_restore_fails: the fixture of that name. Prints one line per
 * failed check and ends with "N passed, N failed"; exits 1 if any check
 * failed. TENON_C_TEST_SKIP_ISOLATION=1 skips the isolated run.
 *
 * Built and run by tests/integration/tests/c_host_reload.rs with g++ and
 * clang++, also under AddressSanitizer and valgrind (its ignored tests).
 */
#include <tenon/host.hpp>
#include <tenon_examples/kv.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks.h"

namespace hosting = tenon::hosting;

namespace {

using kv = hosting::reloadable<example_kv_v1>;
using kv_ref = hosting::interface_ref<example_kv_v1>;

/* Whether `value` could be stored under `key`. */
bool put(const kv &store, std::string_view key, std::string_view value) {
    return store.with([&](kv_ref target) {
        hosting::buffer error;
        return target->put(target.self, hosting::str(key), hosting::bytes(value), error) ==
               TENON_OK;
    });
}

/* The value stored under `key`, or "(failed)". */
std::string get(const kv &store, std::string_view key) {
    return store.with([&](kv_ref target) {
        hosting::buffer value;
        hosting::buffer error;
        if (target->get(target.self, hosting::str(key), value, error) != TENON_OK) {
            return std::string("(failed)");
        }
        return std::string(value.view());
    });
}

/* The number of keys stored, or UINT64_MAX if len failed. */
std::uint64_t count(const kv &store) {
    return store.with([](kv_ref target) {
        hosting::buffer error;
        std::uint64_t n = 0;
        return target->len(target.self, &n, error) == TENON_OK ? n : UINT64_MAX;
    });
}

/* The error kind `reload` throws, or "(none)". */
template <class Reload> std::string kind_thrown(Reload &&reload) {
    try {
        reload();
    } catch (const hosting::error &error) {
        return error.kind();
    }
    return "(none)";
}

void hand_over(const char *kv_a, const char *kv_b, const char *restore_fails, bool isolated) {
    hosting::options options;
    options.hand_over();
    if (isolated) {
        options.isolated(10000);
    }
    kv store = kv::load(kv_a, EXAMPLE_KV_ID, 1, &options);
    CHECK(store.generation() == 1);
    CHECK(put(store, "a", "1") && put(store, "b", "two"));

    tenon_reload_report done = store.reload_report(kv_b);
    CHECK(done.generation == 2);
    CHECK(done.handed_over);
    CHECK(done.state_bytes > 0);
    CHECK(count(store) == 2 && get(store, "a") == "1" && get(store, "b") == "two");

    CHECK(kind_thrown([&] { store.reload_from(restore_fails); }) == "state_hand_over_failed");
    CHECK(store.generation() == 2);
    CHECK(count(store) == 2 && get(store, "b") == "two");

    /* The failed reload did not change the file reloads read: kv_b. */
    CHECK(store.reload() == 3);
    CHECK(get(store, "a") == "1");
}

void stateless(const char *kv_a) {
    hosting::options options;
    options.hand_over().stateless();
    kv store = kv::load(kv_a, EXAMPLE_KV_ID, 1, &options);
    CHECK(put(store, "a", "1"));
    tenon_reload_report done = store.reload_report();
    CHECK(done.generation == 2);
    CHECK(!done.handed_over && done.state_bytes == 0);
    CHECK(count(store) == 0);
}

} // namespace

int main(int argc, char **argv) {
    tenon_isolation_init();
    if (argc != 4) {
        std::printf("usage: reload_state_cpp <kv_a> <kv_b> <kv_restore_fails>\n");
        return 2;
    }
    const char *skip = std::getenv("TENON_C_TEST_SKIP_ISOLATION");
    const bool isolation = skip == nullptr || std::string_view(skip) != "1";
    try {
        hand_over(argv[1], argv[2], argv[3], false);
        if (isolation) {
            hand_over(argv[1], argv[2], argv[3], true);
        }
        stateless(argv[1]);
    } catch (const hosting::error &error) {
        std::printf("a C API call failed: [%s] %s\n", error.kind().c_str(), error.what());
        CHECK(false);
    }
    return report();
}
