// tenon::host::interface and tenon::host_interface::call against a host
// made up here: a tenon_host whose get_interface offers a greeter, a kv
// store of an earlier "revision" (its vtable ends before len), a kv store
// with a NULL slot and a vtable too small for any method. Prints one line
// per check ("ok: ..." or "FAIL: ...") and exits 1 if any failed.
#include <tenon/plugin.hpp>
#include <tenon_examples/greeter.h>
#include <tenon_examples/kv.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char *what, const std::string &detail = std::string()) {
    std::printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail.empty() ? "" : " -- ",
                detail.c_str());
    if (!ok) {
        ++failures;
    }
}

std::string_view view(tenon_str text) {
    return text.len != 0 ? std::string_view(text.ptr, text.len) : std::string_view();
}

/* The host's greeter: "hi <name>"; "nobody" fails with a message,
 * "silent" with an interface code and no message, "big" answers 100000
 * bytes (the SDK's buffer must grow), "rogue" calls reserve with a buffer
 * that is not the one it was lent. */
tenon_status host_greet(void *instance, tenon_str name, tenon_buffer *out, tenon_buffer *error) {
    if (instance != reinterpret_cast<void *>(0x1234)) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "wrong instance");
    }
    std::string_view who = view(name);
    if (who == "nobody") {
        return tenon_fail(error, TENON_NOT_FOUND, "the host knows nobody");
    }
    if (who == "silent") {
        return 1006;
    }
    if (who == "big") {
        for (int i = 0; i < 100000; ++i) {
            tenon_status status = tenon_buffer_append(out, "x", 1);
            if (status != TENON_OK) {
                return status;
            }
        }
        return TENON_OK;
    }
    if (who == "rogue") {
        tenon_buffer copy = *out;
        tenon_status refused = out->reserve(&copy, 10);
        return tenon_fail(error, refused, "reserve on a copy");
    }
    tenon_status status = tenon_buffer_append_cstr(out, "hi ");
    return status != TENON_OK ? status : tenon_buffer_append(out, name.ptr, name.len);
}

tenon_status kv_get(void *, tenon_str key, tenon_buffer *value, tenon_buffer *) {
    const std::uint8_t bytes[] = {0, 1, 2, 255};
    tenon_status status = tenon_buffer_append(value, bytes, sizeof bytes);
    return status != TENON_OK ? status : tenon_buffer_append(value, key.ptr, key.len);
}

std::vector<std::uint8_t> last_put;

tenon_status kv_put(void *, tenon_str key, tenon_bytes value, tenon_buffer *error) {
    if (view(key) != "k") {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "only k");
    }
    last_put.assign(value.ptr, value.ptr + value.len);
    return TENON_OK;
}

tenon_status kv_remove(void *, tenon_str, tenon_buffer *) { return TENON_OK; }

tenon_status kv_len(void *, std::uint64_t *count, tenon_buffer *) {
    *count = 42;
    return TENON_OK;
}

const example_greeter_v1 greeter = {sizeof(example_greeter_v1), host_greet};
const example_kv_v1 full_kv = {sizeof(example_kv_v1), kv_get, kv_put, kv_remove, kv_len};
/* A host of an earlier revision: its vtable ends after put (remove and len
 * are past its struct_size, and deliberately non-NULL behind it). */
const example_kv_v1 short_kv = {static_cast<std::uint32_t>(offsetof(example_kv_v1, remove)),
                                kv_get,
                                kv_put, kv_remove, kv_len};
const example_kv_v1 null_len_kv = {sizeof(example_kv_v1), kv_get, kv_put, kv_remove, nullptr};
const example_kv_v1 tiny_kv = {static_cast<std::uint32_t>(sizeof(std::uint32_t)), kv_get, kv_put,
                               kv_remove, kv_len};

const void *get_interface(const tenon_host *, tenon_str id, std::uint32_t version,
                          void **instance) {
    *instance = reinterpret_cast<void *>(0x1234);
    std::string_view name = view(id);
    if (version == 1 && name == EXAMPLE_GREETER_ID) {
        return &greeter;
    }
    if (version == 1 && name == EXAMPLE_KV_ID) {
        return &full_kv;
    }
    if (name == "short.kv") {
        return &short_kv;
    }
    if (name == "null-len.kv") {
        return &null_len_kv;
    }
    if (name == "tiny.kv") {
        return &tiny_kv;
    }
    *instance = nullptr;
    return nullptr;
}

void log(const tenon_host *, tenon_log_level, tenon_str) {}

template <typename F>
void expect_error(const char *what, tenon_status status, std::string_view message, F &&body) {
    try {
        body();
        check(false, what, "no exception");
    } catch (const tenon::error &error) {
        check(error.status() == status && error.what() == message, what,
              std::to_string(error.status()) + " " + error.what());
    }
}

} // namespace

int main() {
    tenon_host raw{};
    raw.struct_size = sizeof raw;
    raw.abi_major = TENON_ABI_MAJOR;
    raw.abi_minor = TENON_ABI_MINOR;
    raw.log = log;
    raw.get_interface = get_interface;
    tenon::host host(&raw);

    auto greeter_found =
        host.interface<example_greeter_v1>(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION);
    check(greeter_found.call(&example_greeter_v1::greet, "Ada") == "hi Ada", "a string literal");
    std::string name = "Zoë";
    check(greeter_found.call(&example_greeter_v1::greet, name) == "hi Zoë", "a std::string");
    check(greeter_found.call(&example_greeter_v1::greet, std::string_view()) == "hi ",
          "an empty std::string_view");
    std::string big = greeter_found.call(&example_greeter_v1::greet, "big");
    check(big.size() == 100000 && big.find_first_not_of('x') == std::string::npos,
          "a result that grows the SDK's buffer");
    expect_error("the host's status and message", TENON_NOT_FOUND, "the host knows nobody",
                 [&] { greeter_found.call(&example_greeter_v1::greet, "nobody"); });
    expect_error("an interface code without a message", 1006,
                 "the host's \"org.tenon.example.greeter\" version 1 failed with status 1006",
                 [&] { greeter_found.call(&example_greeter_v1::greet, "silent"); });
    expect_error("reserve refuses a buffer it did not lend", TENON_INVALID_ARGUMENT,
                 "reserve on a copy",
                 [&] { greeter_found.call(&example_greeter_v1::greet, "rogue"); });

    // Forwarding a buffer the plugin's own method received (a tenon::writer):
    // the host appends to it after what the plugin wrote.
    char storage[64] = "relayed: ";
    auto never_grows = [](tenon_buffer *, std::size_t) -> tenon_status {
        return TENON_OUT_OF_MEMORY;
    };
    tenon_buffer lent{reinterpret_cast<std::uint8_t *>(storage), 9, sizeof storage, never_grows,
                      nullptr};
    greeter_found.call(&example_greeter_v1::greet, "Ada", tenon::writer(&lent));
    check(std::string_view(storage, lent.len) == "relayed: hi Ada", "a tenon::writer forwarded");

    auto kv = host.interface<example_kv_v1>(EXAMPLE_KV_ID, EXAMPLE_KV_VERSION);
    auto value = kv.call<std::vector<std::uint8_t>>(&example_kv_v1::get, "k");
    check(value == std::vector<std::uint8_t>{0, 1, 2, 255, 'k'}, "a bytes result as a vector");
    kv.call(&example_kv_v1::put, "k", std::vector<std::uint8_t>{7, 8});
    check(last_put == std::vector<std::uint8_t>{7, 8}, "a void method with bytes");
    std::uint8_t raw_bytes[] = {9};
    kv.call(&example_kv_v1::put, std::string("k"), tenon::bytes_view(raw_bytes, 1));
    check(last_put == std::vector<std::uint8_t>{9}, "a tenon::bytes_view argument");
    std::uint64_t count = kv.call(&example_kv_v1::len);
    check(count == 42, "a scalar result");
    check(kv.provides(&example_kv_v1::len) && kv.instance() == reinterpret_cast<void *>(0x1234) &&
              kv.vtable() == &full_kv,
          "provides, instance and vtable");

    auto short_found = host.interface<example_kv_v1>("short.kv", 1);
    check(short_found.provides(&example_kv_v1::put) &&
              !short_found.provides(&example_kv_v1::remove) &&
              !short_found.provides(&example_kv_v1::len),
          "an earlier revision provides only its methods");
    expect_error("a method past the host's vtable", TENON_UNSUPPORTED,
                 "the host's \"short.kv\" version 1 does not provide this method (the host's "
                 "vtable ends before it, or the method is NULL)",
                 [&] { short_found.call(&example_kv_v1::len); });
    auto null_len = host.interface<example_kv_v1>("null-len.kv", 1);
    expect_error("a NULL method", TENON_UNSUPPORTED,
                 "the host's \"null-len.kv\" version 1 does not provide this method (the host's "
                 "vtable ends before it, or the method is NULL)",
                 [&] { null_len.call(&example_kv_v1::len); });
    expect_error("a vtable with no method", TENON_UNSUPPORTED,
                 "the vtable of the host's \"tiny.kv\" version 1 is 4 bytes, too small to hold a "
                 "method",
                 [&] { host.interface<example_kv_v1>("tiny.kv", 1); });
    expect_error("an interface not offered", TENON_NOT_FOUND,
                 "the host offers no interface \"org.tenon.example.greeter\" version 2",
                 [&] { host.interface<example_greeter_v1>(EXAMPLE_GREETER_ID, 2); });
    expect_error("a host without get_interface", TENON_NOT_FOUND,
                 "the host offers no interface \"x\" version 1",
                 [&] { tenon::host(nullptr).interface<example_greeter_v1>("x", 1); });

    // The error helpers a method throws to fail with a chosen status.
    check(tenon::error::failed("f").status() == TENON_ERROR &&
              tenon::error::not_found("n").status() == TENON_NOT_FOUND &&
              tenon::error::invalid_argument("i").status() == TENON_INVALID_ARGUMENT &&
              tenon::error::unsupported("u").status() == TENON_UNSUPPORTED &&
              std::strcmp(tenon::error::failed("f").what(), "f") == 0,
          "the error helpers' statuses");
    return failures == 0 ? 0 : 1;
}
