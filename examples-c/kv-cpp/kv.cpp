/*
 * kv.cpp - example Tenon plugin in C++: org.tenon.example.kv v1, an
 * in-memory key-value store that behaves exactly like examples-rust/kv.
 *
 * get and remove of a key that is not stored fail with TENON_NOT_FOUND and
 * the message `no value stored under "<key>"`, the key quoted and escaped as
 * Rust's {:?} does for the characters that need it (\", \\, \n, \r, \t, \0
 * and other ASCII control characters as \u{..}).
 *
 * Thread-safe: every method takes the store's std::mutex, so one instance
 * may be shared by every thread of the host. get appends the value straight
 * into the host's buffer (a tenon::writer) while holding the lock, so it
 * never returns a value half-replaced by a concurrent put.
 *
 * Build (Linux; see docs/guide-cpp.md for the rest):
 *     c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC \
 *         -fvisibility=hidden -fvisibility-inlines-hidden \
 *         -Wl,--version-script=../../sdk-c/share/tenon/tenon-plugin.version \
 *         -I../../include -I../../sdk-c/include -I../interfaces \
 *         kv.cpp -o libkv-cpp.so
 */
#include <tenon/plugin.hpp>
#include <tenon_examples/kv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

/* `key` quoted as Rust's {:?} formats a str, for the ASCII characters that
 * need escaping; other characters are kept as they are. */
std::string quoted(std::string_view key) {
    static const char hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(key.size() + 2);
    text.push_back('"');
    for (char c : key) {
        unsigned char byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            text.append("\\\"");
            break;
        case '\\':
            text.append("\\\\");
            break;
        case '\n':
            text.append("\\n");
            break;
        case '\r':
            text.append("\\r");
            break;
        case '\t':
            text.append("\\t");
            break;
        case '\0':
            text.append("\\0");
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                text.append("\\u{");
                if (byte >= 0x10) {
                    text.push_back(hex[byte >> 4]);
                }
                text.push_back(hex[byte & 0x0f]);
                text.push_back('}');
            } else {
                text.push_back(c);
            }
        }
    }
    text.push_back('"');
    return text;
}

tenon::error missing(std::string_view key) {
    return tenon::error::not_found("no value stored under " + quoted(key));
}

class Store {
public:
    void get(std::string_view key, tenon::writer value) const {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = entries_.find(key);
        if (found == entries_.end()) {
            throw missing(key);
        }
        value.append(tenon::bytes_view(found->second));
    }

    void put(std::string_view key, tenon::bytes_view value) {
        std::vector<std::uint8_t> copy = value.to_vector(); // allocate outside the lock
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = entries_.find(key);
        if (found != entries_.end()) {
            found->second.swap(copy);
        } else {
            entries_.emplace(std::string(key), std::move(copy));
        }
    }

    void remove(std::string_view key) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = entries_.find(key);
        if (found == entries_.end()) {
            throw missing(key);
        }
        entries_.erase(found);
    }

    std::uint64_t len() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return entries_.size();
    }

private:
    mutable std::mutex mutex_;
    // std::less<> lets find() take a std::string_view without a copy.
    std::map<std::string, std::vector<std::uint8_t>, std::less<>> entries_;
};

constexpr example_kv_v1 kv_vtable =
    tenon::vtable<example_kv_v1, &Store::get, &Store::put, &Store::remove, &Store::len>;

} // namespace

TENON_CPP_PLUGIN(Store, "kv-cpp", "1.0.0", "An in-memory key-value store (example plugin in C++)",
                 TENON_PLUGIN_THREAD_SAFE,
                 TENON_INTERFACE_ENTRY(EXAMPLE_KV_ID, EXAMPLE_KV_VERSION, &kv_vtable));
