/*
 * greeter.cpp - example Tenon plugin in C++: org.tenon.example.greeter v1.
 *
 * greet(name) returns "Hello, <name>!". The name's bytes are copied through
 * untouched, so any UTF-8 the host sends comes back as it was.
 *
 * Thread-safe: greet is const and the class has no state, so one instance
 * may be called from any number of threads at once. Accepts any config.
 *
 * Build (Linux; see docs/guide-cpp.md for the rest):
 *     c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC \
 *         -fvisibility=hidden -fvisibility-inlines-hidden \
 *         -Wl,--version-script=../../sdk-c/share/tenon/tenon-plugin.version \
 *         -I../../include -I../../sdk-c/include -I../interfaces \
 *         greeter.cpp -o libgreeter-cpp.so
 */
#include <tenon/plugin.hpp>
#include <tenon_examples/greeter.h>

#include <string>
#include <string_view>

namespace {

class Greeter {
public:
    explicit Greeter(tenon::host host) { host.debug("greeter-cpp instance created"); }

    std::string greet(std::string_view name) const {
        std::string greeting;
        greeting.reserve(name.size() + 8);
        greeting.append("Hello, ").append(name).append("!");
        return greeting;
    }
};

constexpr example_greeter_v1 greeter_vtable = tenon::vtable<example_greeter_v1, &Greeter::greet>;

} // namespace

TENON_CPP_PLUGIN(Greeter, "greeter-cpp", "1.0.0",
                 "Greets people by name (example plugin written in C++)",
                 TENON_PLUGIN_THREAD_SAFE,
                 TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
                                       &greeter_vtable));
