/*
 * The C++ log handler of tenon/host.hpp (tenon::hosting::set_log_handler,
 * remove_log_handler), against the example C greeter, which logs
 * "greeter-c instance created" at TENON_LOG_DEBUG from create, and the
 * fixture log_from_own_thread, which logs "logged from the plugin's own
 * thread" at TENON_LOG_WARN from a thread it starts:
 *   - a lambda with captures, one of them move-only, set at TENON_LOG_DEBUG
 *     gets the greeter's line once, with its level and the plugin's name;
 *     at TENON_LOG_INFO it does not;
 *   - the fixture's line arrives on the fixture's thread, not main's;
 *   - a replaced or removed handler is destroyed by the time the call that
 *     replaced it returns, and is not called again;
 *   - a handler that throws is called for every line, and the exception
 *     goes nowhere (the program goes on);
 *   - a handler that removes itself is called once, and is destroyed only
 *     after that call returned;
 *   - with three threads creating instances (each logging) while main
 *     replaces the handler over and over, no handler is ever called during
 *     or after its destruction;
 *   - an isolated plugin's line, forwarded by a thread of libtenon, arrives,
 *     and so does the one the fixture logs from its own thread in its child
 *     process.
 *
 * Usage: log_handler_cpp <greeter plugin> <log_from_own_thread fixture>
 * Prints each failed check, then "N passed, N failed"; exits 1 if any check
 * failed. TENON_C_TEST_SKIP_ISOLATION=1 skips the isolated checks.
 */
#include <tenon/host.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "checks.h"

namespace hosting = tenon::hosting;

namespace {

constexpr std::string_view GREETER_NAME = "greeter-c";
constexpr std::string_view GREETER_LINE = "greeter-c instance created";
constexpr std::string_view THREAD_NAME = "fixture-log-from-own-thread";
constexpr std::string_view THREAD_LINE = "logged from the plugin's own thread";

/* What one handler saw, and what became of it. It outlives the handler. */
struct probe {
    std::atomic<int> calls{0};
    std::atomic<int> greeter_lines{0};
    std::atomic<int> thread_lines{0};
    std::atomic<int> thread_lines_off_main{0};
    std::atomic<int> other_lines{0};
    std::atomic<bool> destroyed{false};
    /* A call that began or ended after the handler was destroyed. */
    std::atomic<int> calls_while_destroyed{0};
};

/* Captured by a handler: marks its probe destroyed when the handler is.
 * Move-only, so the handlers holding it are too. */
class destruction_mark {
public:
    explicit destruction_mark(probe &seen) : seen_(&seen) {}
    destruction_mark(destruction_mark &&other) noexcept
        : seen_(std::exchange(other.seen_, nullptr)) {}
    destruction_mark &operator=(destruction_mark &&) = delete;
    ~destruction_mark() {
        if (seen_ != nullptr) {
            seen_->destroyed = true;
        }
    }

private:
    probe *seen_;
};

const std::thread::id main_thread = std::this_thread::get_id();

/* A handler recording into `seen`, with a move-only capture. */
auto recorder(probe &seen) {
    return [&seen, mark = destruction_mark(seen),
            text = std::make_unique<std::string>("captured")](
               tenon_log_level level, std::string_view plugin, std::string_view message) {
        if (seen.destroyed) {
            seen.calls_while_destroyed++;
        }
        seen.calls++;
        if (plugin == GREETER_NAME && message == GREETER_LINE && level == TENON_LOG_DEBUG &&
            *text == "captured") {
            seen.greeter_lines++;
        } else if (plugin == THREAD_NAME && message == THREAD_LINE && level == TENON_LOG_WARN) {
            seen.thread_lines++;
            if (std::this_thread::get_id() != main_thread) {
                seen.thread_lines_off_main++;
            }
        } else if (!plugin.empty()) {
            seen.other_lines++;
        }
        /* Stays in the call a little, for the replacing thread to race. */
        std::this_thread::yield();
        if (seen.destroyed) {
            seen.calls_while_destroyed++;
        }
    };
}

/* Creates and frees one instance of `plugin`: it logs its line. */
void create_one(const hosting::plugin &plugin) {
    hosting::instance instance = plugin.create();
}

void lines_levels_and_threads(const hosting::plugin &greeter, const hosting::plugin &fixture) {
    probe debug;
    hosting::set_log_handler(recorder(debug), TENON_LOG_DEBUG);
    create_one(greeter);
    create_one(fixture);
    CHECK(debug.greeter_lines == 1);
    CHECK(debug.thread_lines == 1);
    CHECK(debug.thread_lines_off_main == 1);
    CHECK(debug.other_lines == 0);

    /* Replacing it: the first is destroyed when set_log_handler returns. */
    probe info;
    CHECK(!debug.destroyed);
    hosting::set_log_handler(recorder(info), TENON_LOG_INFO);
    CHECK(debug.destroyed);
    create_one(greeter);
    CHECK(info.greeter_lines == 0);
    CHECK(info.calls == 0);
    create_one(fixture);
    CHECK(info.thread_lines == 1);

    hosting::remove_log_handler();
    CHECK(info.destroyed);
    create_one(greeter);
    create_one(fixture);
    CHECK(info.calls == 1);
    CHECK(debug.calls == 2);
    CHECK(debug.calls_while_destroyed == 0 && info.calls_while_destroyed == 0);
}

void a_throwing_handler(const hosting::plugin &greeter) {
    std::atomic<int> calls{0};
    hosting::set_log_handler(
        [&calls](tenon_log_level, std::string_view, std::string_view) {
            calls++;
            throw std::runtime_error("a handler that throws");
        },
        TENON_LOG_DEBUG);
    create_one(greeter);
    create_one(greeter);
    hosting::remove_log_handler();
    CHECK(calls == 2);
}

void a_handler_removing_itself(const hosting::plugin &greeter) {
    probe seen;
    auto record = recorder(seen);
    hosting::set_log_handler(
        [record = std::move(record)](tenon_log_level level, std::string_view plugin,
                                            std::string_view message) {
            hosting::remove_log_handler();
            /* Still alive: this call holds it. */
            record(level, plugin, message);
        },
        TENON_LOG_DEBUG);
    create_one(greeter);
    CHECK(seen.greeter_lines == 1);
    CHECK(seen.destroyed);
    create_one(greeter);
    CHECK(seen.calls == 1);
    CHECK(seen.calls_while_destroyed == 0);
}

void replaced_while_lines_arrive(const hosting::plugin &greeter) {
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> loggers;
    for (int i = 0; i < 3; i++) {
        loggers.emplace_back([&] {
            while (!stop) {
                try {
                    create_one(greeter);
                } catch (const hosting::error &) {
                    failures++;
                }
            }
        });
    }
    std::vector<std::unique_ptr<probe>> probes;
    /* At least 100 rounds, and until the handlers were called 100 times
     * (slow under valgrind, which runs one thread at a time), for at most
     * 30 seconds. */
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int total = 0;
    int alive_after_replacement = 0;
    for (int round = 0; round < 100 || (total < 100 && std::chrono::steady_clock::now() < deadline);
         round++) {
        total += probes.empty() ? 0 : probes.back()->calls.load();
        probes.push_back(std::make_unique<probe>());
        hosting::set_log_handler(recorder(*probes.back()), TENON_LOG_DEBUG);
        std::this_thread::yield();
        if (probes.size() > 1 && !probes[probes.size() - 2]->destroyed) {
            alive_after_replacement++;
        }
    }
    hosting::remove_log_handler();
    stop = true;
    for (std::thread &logger : loggers) {
        logger.join();
    }
    int calls = 0;
    int late = 0;
    for (const auto &seen : probes) {
        calls += seen->calls;
        late += seen->calls_while_destroyed;
        CHECK(seen->destroyed);
    }
    std::cout << "handler replaced " << probes.size() << " times during " << calls << " calls\n";
    CHECK(alive_after_replacement == 0);
    CHECK(failures == 0);
    CHECK(calls > 0);
    CHECK(late == 0);
}

/* Waits for `lines` to count one: an isolated plugin's line is forwarded
 * by a thread of libtenon, soon after the call that logged it returns. */
void wait_for(const std::atomic<int> &lines) {
    for (int waited = 0; waited < 20000 && lines == 0; waited += 10) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void isolated(const std::string &greeter_path) {
    probe seen;
    hosting::set_log_handler(recorder(seen), TENON_LOG_DEBUG);
    {
        hosting::options options;
        // The limits' wrappers, at values that change nothing here.
        options.isolated(10000).start_timeout(10000).slots(4, 1u << 20);
        hosting::plugin greeter = hosting::plugin::load(greeter_path, options);
        CHECK(greeter.isolated());
        CHECK(!greeter.linked_in());
        CHECK(greeter.ping(5000) > 0);
        create_one(greeter);
        wait_for(seen.greeter_lines);
    }
    hosting::remove_log_handler();
    CHECK(seen.greeter_lines == 1);
    CHECK(seen.calls_while_destroyed == 0);
}

/* The fixture's line, logged in the child process from a thread the
 * fixture started, reaches the handler too. */
void isolated_thread(const std::string &fixture_path) {
    probe seen;
    hosting::set_log_handler(recorder(seen), TENON_LOG_WARN);
    {
        hosting::options options;
        options.isolated(10000);
        hosting::plugin fixture = hosting::plugin::load(fixture_path, options);
        CHECK(fixture.isolated());
        create_one(fixture);
        wait_for(seen.thread_lines);
    }
    hosting::remove_log_handler();
    CHECK(seen.thread_lines == 1);
    CHECK(seen.other_lines == 0);
    CHECK(seen.calls_while_destroyed == 0);
}

} // namespace

int main(int argc, char **argv) {
    /* An isolated plugin's child process is this program started again. */
    tenon_isolation_init();
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " <greeter plugin> <log_from_own_thread fixture>\n";
        return 2;
    }
    try {
        hosting::plugin greeter = hosting::plugin::load(argv[1]);
        hosting::plugin fixture = hosting::plugin::load(argv[2]);
        lines_levels_and_threads(greeter, fixture);
        a_throwing_handler(greeter);
        a_handler_removing_itself(greeter);
        replaced_while_lines_arrive(greeter);
        const char *skip = std::getenv("TENON_C_TEST_SKIP_ISOLATION");
        if (skip != nullptr && std::strcmp(skip, "1") == 0) {
            std::cout << "isolated checks skipped (TENON_C_TEST_SKIP_ISOLATION=1)\n";
        } else {
            isolated(argv[1]);
            isolated_thread(argv[2]);
        }
    } catch (const hosting::error &e) {
        std::cout << "a C API call failed: [" << e.kind() << "] " << e.what() << "\n";
        CHECK(false);
    }
    hosting::remove_log_handler();
    return report();
}
