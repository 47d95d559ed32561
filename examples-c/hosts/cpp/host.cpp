// A C++ program hosting Tenon plugins through libtenon, with the owning
// wrappers of tenon/host.hpp.
//
//   host-cpp [--isolated] <plugin> ... [--reloadable <greeter plugin>]
//
// Loads each plugin (after --isolated, in a child process), prints its
// metadata and calls each example interface it offers. After --reloadable,
// loads a greeter reloadable, calls it, reloads it and calls again. Failures are reported
// with the error's kind and message and make the exit status 1.
#include <tenon/host.hpp>
#include <tenon_examples/greeter.h>
#include <tenon_examples/kv.h>
#include <tenon_examples/processor.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace hosting = tenon::hosting;

namespace {

// A failed call through a vtable: the plugin's status and message.
struct call_failed : std::runtime_error {
    call_failed(const char *what, tenon_status status, const hosting::buffer &error)
        : std::runtime_error(std::string(what) + ": status " + std::to_string(status) + ": " +
                             std::string(error.view())) {}
};

void ok(const char *what, tenon_status status, const hosting::buffer &error) {
    if (status != TENON_OK) {
        throw call_failed(what, status, error);
    }
}

void call(const hosting::instance &instance, const std::string &id) {
    hosting::buffer out, error;
    if (id == EXAMPLE_GREETER_ID) {
        auto greeter = instance.get<example_greeter_v1>(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
        ok("greet", greeter->greet(greeter.self, hosting::str("world"), out, error), error);
        std::cout << "  greet(\"world\") = \"" << out.view() << "\"\n";
    } else if (id == EXAMPLE_PROCESSOR_ID) {
        auto processor =
            instance.get<example_processor_v1>(EXAMPLE_PROCESSOR_ID, EXAMPLE_PROCESSOR_VERSION);
        ok("name", processor->name(processor.self, out, error), error);
        std::cout << "  processor name = \"" << out.view() << "\"\n";
        out.clear();
        ok("process", processor->process(processor.self, hosting::bytes("123456789"), out, error),
           error);
        std::cout << "  process(\"123456789\") =";
        for (unsigned char byte : out.view()) {
            char hex[4];
            std::snprintf(hex, sizeof hex, " %02x", byte);
            std::cout << hex;
        }
        std::cout << "\n";
    } else if (id == EXAMPLE_KV_ID) {
        auto kv = instance.get<example_kv_v1>(EXAMPLE_KV_ID, EXAMPLE_KV_VERSION);
        ok("put", kv->put(kv.self, hosting::str("tenon"), hosting::bytes("mortise"), error), error);
        ok("get", kv->get(kv.self, hosting::str("tenon"), out, error), error);
        std::cout << "  kv put/get \"tenon\" = \"" << out.view() << "\"\n";
    } else {
        std::cout << "  (offers " << id << ", which this host does not know)\n";
    }
}

int run(const std::string &path, const hosting::options &options) {
    try {
        hosting::plugin plugin = hosting::plugin::load(path, options);
        std::cout << plugin.name() << " " << plugin.version()
                  << (plugin.isolated() ? " (isolated)" : "") << "\n";
        hosting::instance instance = plugin.create();
        for (const auto &offered : plugin.interfaces()) {
            call(instance, offered.first);
        }
        return 0;
    } catch (const hosting::error &e) {
        std::cerr << "error: " << path << ": [" << e.kind() << "] " << e.what() << "\n";
    } catch (const call_failed &e) {
        std::cerr << "error: " << path << ": " << e.what() << "\n";
    }
    return 1;
}

int run_reloadable(const std::string &path) {
    try {
        auto greeter = hosting::reloadable<example_greeter_v1>::load(path, EXAMPLE_GREETER_ID,
                                                                      EXAMPLE_GREETER_VERSION);
        auto greet = [&] {
            std::string greeting = greeter.with([](hosting::interface_ref<example_greeter_v1> g) {
                hosting::buffer out, error;
                ok("greet", g->greet(g.self, hosting::str("world"), out, error), error);
                return std::string(out.view());
            });
            std::cout << "  reloadable greet(\"world\") = \"" << greeting << "\"\n";
        };
        greet();
        std::cout << "  reloaded: generation " << greeter.reload() << "\n";
        greet();
        return 0;
    } catch (const hosting::error &e) {
        std::cerr << "error: " << path << ": [" << e.kind() << "] " << e.what() << "\n";
    } catch (const call_failed &e) {
        std::cerr << "error: " << path << ": " << e.what() << "\n";
    }
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    // First: in an isolated plugin's child process this never returns.
    tenon_isolation_init();
    if (argc < 2) {
        std::cerr << "usage: " << argv[0]
                  << " [--isolated] <plugin> ... [--reloadable <greeter plugin>]\n";
        return 2;
    }
    hosting::options in_process;
    hosting::options isolated;
    isolated.isolated(5000);
    const hosting::options *options = &in_process;
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--isolated") == 0) {
            options = &isolated;
            continue;
        }
        if (std::strcmp(argv[i], "--reloadable") == 0 && i + 1 < argc) {
            failures += run_reloadable(argv[++i]);
            continue;
        }
        failures += run(argv[i], *options);
    }
    return failures == 0 ? 0 : 1;
}
