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
 * It also offers org.tenon.state, so that a host can reload it without
 * losing what it stores (docs/reload.md), in the state format every kv
 * example shares (examples-c/kv/kv.c): "tkv1", the number of entries as a
 * little-endian uint64, then each key and value as a little-endian uint64
 * length and the bytes.
 *
 * Build (Linux; see docs/guide-cpp.md for the rest):
 *     c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -shared -fPIC \
 *         -fvisibility=hidden -fvisibility-inlines-hidden \
 *         -Wl,--version-script=../../sdk-c/share/tenon/tenon-plugin.version \
 *         -I../../include -I../../sdk-c/include -I../interfaces \
 *         kv.cpp -o libkv-cpp.so
 */
#include <tenon/plugin.hpp>
#include <tenon/state.h>
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

    void save(tenon::writer state) const {
        std::lock_guard<std::mutex> lock(mutex_);
        state.append(std::string_view("tkv1"));
        append_u64(state, entries_.size());
        for (const auto &entry : entries_) {
            append_u64(state, entry.first.size());
            state.append(std::string_view(entry.first));
            append_u64(state, entry.second.size());
            state.append(tenon::bytes_view(entry.second));
        }
    }

    void restore(tenon::bytes_view state) {
        std::size_t at = 4;
        if (state.size() < 4 || std::string_view(reinterpret_cast<const char *>(state.data()), 4) != "tkv1") {
            throw tenon::error::invalid_argument("restore: not a kv state (tkv1)");
        }
        std::map<std::string, std::vector<std::uint8_t>, std::less<>> restored;
        std::uint64_t count = read_u64(state, at);
        for (std::uint64_t i = 0; i < count; i++) {
            tenon::bytes_view key = read_bytes(state, at);
            tenon::bytes_view value = read_bytes(state, at);
            restored[std::string(key.begin(), key.end())] = value.to_vector();
        }
        if (at != state.size()) {
            throw tenon::error::invalid_argument("restore: bytes after the last entry");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.swap(restored);
    }

private:
    static void append_u64(tenon::writer &out, std::uint64_t value) {
        std::uint8_t bytes[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
        }
        out.append(bytes, sizeof bytes);
    }

    static std::uint64_t read_u64(tenon::bytes_view state, std::size_t &at) {
        if (state.size() - at < 8) {
            throw tenon::error::invalid_argument("restore: the state is cut short");
        }
        std::uint64_t value = 0;
        for (int i = 0; i < 8; i++) {
            value |= static_cast<std::uint64_t>(state[at + static_cast<std::size_t>(i)]) << (8 * i);
        }
        at += 8;
        return value;
    }

    static tenon::bytes_view read_bytes(tenon::bytes_view state, std::size_t &at) {
        std::uint64_t len = read_u64(state, at);
        if (len > state.size() - at) {
            throw tenon::error::invalid_argument("restore: the state is cut short");
        }
        tenon::bytes_view bytes(state.data() + at, static_cast<std::size_t>(len));
        at += static_cast<std::size_t>(len);
        return bytes;
    }

    mutable std::mutex mutex_;
    // std::less<> lets find() take a std::string_view without a copy.
    std::map<std::string, std::vector<std::uint8_t>, std::less<>> entries_;
};

constexpr example_kv_v1 kv_vtable =
    tenon::vtable<example_kv_v1, &Store::get, &Store::put, &Store::remove, &Store::len>;
constexpr tenon_state_v1 state_vtable = tenon::vtable<tenon_state_v1, &Store::save, &Store::restore>;

} // namespace

TENON_CPP_PLUGIN(Store, "kv-cpp", "1.0.0", "An in-memory key-value store (example plugin in C++)",
                 TENON_PLUGIN_THREAD_SAFE,
                 TENON_INTERFACE_ENTRY(EXAMPLE_KV_ID, EXAMPLE_KV_VERSION, &kv_vtable),
                 TENON_INTERFACE_ENTRY(TENON_STATE_ID, TENON_STATE_VERSION, &state_vtable));
