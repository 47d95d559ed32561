/*
 * wrappers.cpp - what the owning wrappers of tenon/host.hpp promise a C++
 * host about their objects, beyond the calls themselves:
 *   - a moved-from plugin, instance or reloadable holds nothing: its string
 *     getters return "" (not a std::string built from host.h's NULL, which
 *     is undefined behaviour) and calls that need its handle throw
 *     tenon::hosting::error of kind null_argument;
 *   - an instance, and an interface it gave, outlive the plugin object
 *     and a move of the instance; instance::get does not compile on a
 *     temporary instance, whose interface would dangle at once;
 *   - a buffer lent to a second call without clear() holds both calls'
 *     bytes, and clear() empties it;
 *   - reloadable::with takes a named callable (an lvalue, const or not) as
 *     well as a temporary, and returns a copy of what a body returns by
 *     reference; reload_report takes the path as a std::string too;
 *   - plugin::unload() frees the plugin and returns the unload verdict's
 *     name, leaving the object moved-from;
 *   - with() on the same reloadable from inside a body throws kind
 *     reentrant_call (it used to wait for itself forever), while another
 *     reloadable can be called from there.
 *
 *   wrappers <greeter plugin>
 *
 * Prints one line per failed check and ends with "N passed, N failed";
 * exits 1 if any check failed. Built and run by
 * tests/integration/tests/c_host_wrappers.rs with g++ and clang++.
 */
#include <tenon/host.hpp>
#include <tenon_examples/greeter.h>

#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "checks.h"

namespace hosting = tenon::hosting;

namespace {

using greeter_ref = hosting::interface_ref<example_greeter_v1>;

/* Whether instance::get<V> can be called on an instance of value category
 * `Instance` (hosting::instance: a temporary; hosting::instance &: a
 * variable). */
template <class Instance, class = void> struct can_get : std::false_type {};
template <class Instance>
struct can_get<Instance, std::void_t<decltype(std::declval<Instance>().template get<
                                              example_greeter_v1>(EXAMPLE_GREETER_ID, 1u))>>
    : std::true_type {};
static_assert(can_get<hosting::instance &>::value, "get on an instance variable");
static_assert(can_get<const hosting::instance &>::value, "get on a const instance");
static_assert(!can_get<hosting::instance>::value,
              "get on a temporary instance, whose interface would dangle, must not compile");

/* Whether `call` threw tenon::hosting::error of kind null_argument. */
template <class Call> bool throws_null_argument(Call &&call) {
    try {
        call();
    } catch (const hosting::error &e) {
        return e.code() == TENON_ERROR_NULL_ARGUMENT && e.kind() == "null_argument";
    }
    return false;
}

void moved_from_plugin(const char *path) {
    hosting::plugin plugin = hosting::plugin::load(path);
    hosting::plugin owner = std::move(plugin);
    CHECK(owner.name() == "greeter-c");
    CHECK(plugin.name().empty());
    CHECK(plugin.version().empty());
    CHECK(plugin.path().empty());
    CHECK(!plugin.description().has_value());
    CHECK(plugin.interfaces().empty());
    CHECK(!plugin.isolated());
    CHECK(throws_null_argument([&] { plugin.create(); }));
    CHECK(throws_null_argument([&] { plugin.ping(1000); }));
    plugin = std::move(owner);
    CHECK(plugin.name() == "greeter-c");
    CHECK(owner.unload().empty());
}

/* unload() frees the plugin and gives the verdict; the object is then
 * moved-from. An instance keeps the library: still_in_use. */
void unloading(const char *path) {
    hosting::plugin plugin = hosting::plugin::load(path);
    std::optional<hosting::instance> instance = plugin.create();
    CHECK(plugin.unload() == "still_in_use");
    CHECK(plugin.name().empty());
    CHECK(throws_null_argument([&] { plugin.create(); }));
    instance.reset();
    hosting::plugin again = hosting::plugin::load(path);
#if defined(__APPLE__)
    CHECK(again.unload() == "not_verified");
#else
    CHECK(again.unload() == "unloaded");
#endif
}

void lifetimes(const char *path) {
    std::optional<hosting::plugin> plugin = hosting::plugin::load(path);
    hosting::instance instance = plugin->create();
    greeter_ref greeter =
        instance.get<example_greeter_v1>(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
    plugin.reset();
    hosting::instance moved = std::move(instance);
    hosting::buffer out, message;
    CHECK(greeter->greet(greeter.self, hosting::str("Ada"), out, message) == TENON_OK);
    CHECK(out.view() == "Hello, Ada!");
    CHECK(throws_null_argument([&] {
        instance.get<example_greeter_v1>(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
    }));

    CHECK(greeter->greet(greeter.self, hosting::str("Grace"), out, message) == TENON_OK);
    CHECK(out.view() == "Hello, Ada!Hello, Grace!");
    out.clear();
    CHECK(out.view().empty());
    CHECK(greeter->greet(greeter.self, hosting::str("Grace"), out, message) == TENON_OK);
    CHECK(out.view() == "Hello, Grace!");
}

void named_bodies(const char *path) {
    using greeter = hosting::reloadable<example_greeter_v1>;
    greeter reloadable = greeter::load(path, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
    auto greet = [](greeter_ref target) {
        hosting::buffer out, message;
        target->greet(target.self, hosting::str("Ada"), out, message);
        return std::string(out.view());
    };
    const auto constant = greet;
    CHECK(reloadable.with(greet) == "Hello, Ada!");
    CHECK(reloadable.with(constant) == "Hello, Ada!");
    CHECK(reloadable.with(std::move(greet)) == "Hello, Ada!");

    std::string kept = "kept";
    auto by_reference = [&kept](greeter_ref) -> const std::string & { return kept; };
    std::string copy = reloadable.with(by_reference);
    kept = "changed";
    CHECK(copy == "kept");

    tenon_reload_report report = reloadable.reload_report(std::string(path));
    CHECK(report.generation == 2);

    try {
        reloadable.with([&](greeter_ref) { reloadable.with(constant); });
        CHECK(!"with() from inside a body of the same reloadable returned");
    } catch (const hosting::error &e) {
        CHECK(e.code() == TENON_ERROR_REENTRANT_CALL && e.kind() == "reentrant_call");
    }
    greeter other = greeter::load(path, EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
    CHECK(reloadable.with([&](greeter_ref) { return other.with(constant); }) == "Hello, Ada!");
    CHECK(reloadable.with(constant) == "Hello, Ada!");

    greeter owner = std::move(reloadable);
    CHECK(owner.with(constant) == "Hello, Ada!");
    CHECK(reloadable.generation() == 0);
    CHECK(throws_null_argument([&] { reloadable.with(constant); }));
    CHECK(throws_null_argument([&] { reloadable.reload(); }));
}

} // namespace

int main(int argc, char **argv) {
    tenon_isolation_init();
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <greeter plugin>\n", argv[0]);
        return 2;
    }
    moved_from_plugin(argv[1]);
    unloading(argv[1]);
    lifetimes(argv[1]);
    named_bodies(argv[1]);
    return report();
}
