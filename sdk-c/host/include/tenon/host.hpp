/*
 * tenon/host.hpp - hosting Tenon plugins from C++17: owning wrappers over the
 * C API of libtenon (tenon/host.h). Header-only; link libtenon (CMake target
 * Tenon::host, or `pkg-config --libs tenon-host`).
 *
 *     tenon::hosting::plugin plugin = tenon::hosting::plugin::load("libgreeter.so");
 *     tenon::hosting::instance instance = plugin.create();
 *     auto greeter = instance.get<example_greeter_v1>(EXAMPLE_GREETER_ID,
 *                                                     EXAMPLE_GREETER_VERSION);
 *     tenon::hosting::buffer out, error;
 *     greeter->greet(greeter.self, tenon::hosting::str("world"), out, error);
 *     out.clear();   // plugins append: empty a buffer before lending it again
 *     error.clear();
 *
 * Every handle is a move-only object that frees what it owns; every C API
 * error is thrown as tenon::hosting::error, which carries the kind (number and
 * name) and the message. Calls through an interface's vtable return the
 * plugin's tenon_status as in C: they throw nothing.
 *
 * A moved-from plugin, instance or reloadable holds nothing: calls that need
 * its handle throw tenon::hosting::error of kind null_argument, and its
 * getters return what host.h's return for no handle (empty strings, 0,
 * false). Assign a new object to use it again.
 *
 * Threads and lifetimes are those of host.h: an interface stays valid while
 * its instance lives; an instance keeps its plugin loaded.
 *
 * Plugins' log lines go to any callable (set_log_handler, at the end).
 */
#ifndef TENON_HOST_HPP
#define TENON_HOST_HPP

#if !defined(__cplusplus) ||                                                                       \
    (__cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#error "tenon/host.hpp needs C++17; from C, include tenon/host.h"
#endif

#include <tenon/host.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tenon {
namespace hosting {

namespace detail {
/* A C string of host.h as a std::string, NULL as "": a std::string built
 * from NULL is undefined behaviour, not an empty string. */
inline std::string text(const char *c_string) {
    return c_string != nullptr ? std::string(c_string) : std::string();
}
} // namespace detail

/* A failure of the C API, with its kind. */
class error : public std::runtime_error {
public:
    /* Takes ownership of `raw` (not NULL) and frees it. host.h returns a
     * message and a kind for every live error; were either NULL, it reads
     * as "" rather than undefined behaviour. */
    explicit error(tenon_error *raw)
        : std::runtime_error(detail::text(tenon_error_message(raw))),
          code_(tenon_error_code(raw)), kind_(detail::text(tenon_error_kind(raw))) {
        tenon_error_free(raw);
    }

    /* One of the TENON_ERROR_* numbers (TENON_ERROR_OTHER for a kind host.h
     * does not list). */
    std::uint32_t code() const noexcept { return code_; }
    /* The kind's name: "file_not_found", "null_argument", ... */
    const std::string &kind() const noexcept { return kind_; }

private:
    std::uint32_t code_;
    std::string kind_;
};

/* Throws the error a C API function returned, if any. */
inline void check(tenon_error *raw) {
    if (raw != nullptr) {
        throw error(raw);
    }
}

/* A tenon_str viewing `text` (which must outlive the call it is passed to). */
inline tenon_str str(std::string_view text) noexcept {
    tenon_str s;
    s.ptr = text.data();
    s.len = text.size();
    return s;
}

/* A tenon_bytes viewing `bytes`. */
inline tenon_bytes bytes(std::string_view bytes) noexcept {
    tenon_bytes b;
    b.ptr = reinterpret_cast<const std::uint8_t *>(bytes.data());
    b.len = bytes.size();
    return b;
}

namespace detail {
template <class T, void (*Free)(T *)> struct deleter {
    void operator()(T *handle) const noexcept { Free(handle); }
};
template <class T, void (*Free)(T *)> using owned = std::unique_ptr<T, deleter<T, Free>>;
} // namespace detail

/* An output buffer to lend to interface methods; converts to tenon_buffer *.
 * A plugin appends to the buffer it is lent and nothing empties it between
 * calls: clear() it before lending it to another call, or the second call's
 * bytes follow the first one's (an error buffer too, which plugins write
 * only when they fail). Lend it to one call at a time. */
class buffer {
public:
    buffer() : raw_(tenon_buffer_new()) {
        if (!raw_) {
            throw std::bad_alloc();
        }
    }
    operator tenon_buffer *() const noexcept { return raw_.get(); }
    /* What the calls lent the buffer wrote since it was made or last
     * cleared; valid until the next call given it, or clear(). */
    std::string_view view() const noexcept {
        return std::string_view(reinterpret_cast<const char *>(raw_->data), raw_->len);
    }
    void clear() noexcept { tenon_buffer_clear(raw_.get()); }

private:
    detail::owned<tenon_buffer, tenon_buffer_free> raw_;
};

/* Interfaces the host offers its plugins. */
class services {
public:
    services() : raw_(tenon_services_new()) {}
    /* Offers `vtable` (an interface's C vtable) with `instance`; `release`
     * (may be null) is called with `instance` once no plugin can call it. */
    services &offer(const char *id, std::uint32_t version, const void *vtable,
                    void *instance = nullptr, tenon_release_fn release = nullptr) {
        check(tenon_services_offer(raw_.get(), id, version, vtable, instance, release));
        return *this;
    }
    const tenon_services *get() const noexcept { return raw_.get(); }

private:
    detail::owned<tenon_services, tenon_services_free> raw_;
};

/* How plugins are loaded (default: in process, no services, no checksum). */
class options {
public:
    options() : raw_(tenon_options_new()) {}
    /* In a child process; call_timeout_ms 0 means no call deadline. The
     * child is this program started again, whose main must call
     * tenon_isolation_init() first, or the program runner() names. An
     * interface is called there only if its declaration is linked into
     * libtenon (docs/guide-c-host.md, "Isolation"). */
    options &isolated(std::uint64_t call_timeout_ms = 0) {
        check(tenon_options_isolated(raw_.get(), call_timeout_ms));
        return *this;
    }
    options &in_process() {
        check(tenon_options_in_process(raw_.get()));
        return *this;
    }
    options &restart(std::uint32_t max_restarts, std::uint64_t window_ms) {
        check(tenon_options_restart(raw_.get(), max_restarts, window_ms));
        return *this;
    }
    options &runner(const std::string &path) {
        check(tenon_options_runner(raw_.get(), path.c_str()));
        return *this;
    }
    /* The isolated process's limits: tenon_options_memory_limit,
     * tenon_options_start_timeout, tenon_options_slots. Like restart() and
     * runner(), only isolated loads use them: options that set one but
     * choose neither isolated() nor in_process() fail to load with
     * invalid_argument, instead of dropping the setting silently. */
    options &memory_limit(std::uint64_t bytes) {
        check(tenon_options_memory_limit(raw_.get(), bytes));
        return *this;
    }
    options &start_timeout(std::uint64_t timeout_ms) {
        check(tenon_options_start_timeout(raw_.get(), timeout_ms));
        return *this;
    }
    options &slots(std::uint32_t count, std::uint64_t slot_bytes) {
        check(tenon_options_slots(raw_.get(), count, slot_bytes));
        return *this;
    }
    options &sha256(const std::string &hex) {
        check(tenon_options_sha256(raw_.get(), hex.c_str()));
        return *this;
    }
    options &with(const services &offered) {
        check(tenon_options_services(raw_.get(), offered.get()));
        return *this;
    }
    /* Reloadables loaded with these options hand their state over through
     * org.tenon.state (tenon_options_reload); stateless() undoes it. */
    options &hand_over(std::uint64_t drain_timeout_ms = TENON_RELOAD_DRAIN_TIMEOUT_MS) {
        check(tenon_options_reload(raw_.get(), TENON_RELOAD_HAND_OVER, drain_timeout_ms));
        return *this;
    }
    options &stateless(std::uint64_t drain_timeout_ms = 0) {
        check(tenon_options_reload(raw_.get(), TENON_RELOAD_STATELESS, drain_timeout_ms));
        return *this;
    }
    const tenon_options *get() const noexcept { return raw_.get(); }

private:
    detail::owned<tenon_options, tenon_options_free> raw_;
};

/* An interface of an instance: its vtable (-> calls a method) and the
 * instance pointer every method takes first. Valid while the instance lives. */
template <class Vtable> struct interface_ref {
    const Vtable *vtable;
    void *self;
    const Vtable *operator->() const noexcept { return vtable; }
};

/* A plugin instance. */
class instance {
public:
    explicit instance(tenon_instance *raw) noexcept : raw_(raw) {}
    /* Interface `id` at `version`, whose vtable type is Vtable (the struct of
     * the interface's C header), of which the plugin must provide the first
     * vtable_size bytes: all of Vtable by default; for a plugin built against
     * an earlier revision of the header, the size up to the first method
     * added later (offsetof(Vtable, that_method)), then TENON_HAS_FIELD
     * before calling a later method (tenon_instance_interface). */
    template <class Vtable>
    interface_ref<Vtable> get(const char *id, std::uint32_t version,
                              std::size_t vtable_size = sizeof(Vtable)) const & {
        const void *vtable = nullptr;
        void *self = nullptr;
        check(tenon_instance_interface(raw_.get(), id, version, vtable_size, &vtable, &self));
        return interface_ref<Vtable>{static_cast<const Vtable *>(vtable), self};
    }
    /* Not on a temporary (plugin.create().get<V>(...)): the instance would
     * be freed at the end of the statement, and the interface with it. Keep
     * the instance in a variable. */
    template <class Vtable>
    interface_ref<Vtable> get(const char *id, std::uint32_t version,
                              std::size_t vtable_size = sizeof(Vtable)) const && = delete;
    tenon_instance *get() const noexcept { return raw_.get(); }

private:
    detail::owned<tenon_instance, tenon_instance_free> raw_;
};

/* A loaded, verified plugin. */
class plugin {
public:
    static plugin load(const std::string &path, const options *with = nullptr) {
        tenon_plugin *raw = nullptr;
        check(tenon_plugin_load(path.c_str(), with ? with->get() : nullptr, &raw));
        return plugin(raw);
    }
    static plugin load(const std::string &path, const options &with) { return load(path, &with); }
    /* A plugin linked into this program (tenon_plugin_load_static): entry
     * is its tenon_plugin_v1_<id>. */
    static plugin load_static(const std::string &name, tenon_plugin_entry_v1 entry,
                              const options *with = nullptr) {
        tenon_plugin *raw = nullptr;
        check(tenon_plugin_load_static(name.c_str(), entry, with ? with->get() : nullptr, &raw));
        return plugin(raw);
    }

    /* Getters of a moved-from plugin return "" (host.h's NULL). */
    std::string name() const { return detail::text(tenon_plugin_name(raw_.get())); }
    std::string version() const { return detail::text(tenon_plugin_version(raw_.get())); }
    std::optional<std::string> description() const {
        const char *text = tenon_plugin_description(raw_.get());
        return text ? std::optional<std::string>(text) : std::nullopt;
    }
    std::string path() const { return detail::text(tenon_plugin_path(raw_.get())); }
    bool isolated() const noexcept { return tenon_plugin_is_isolated(raw_.get()); }
    bool linked_in() const noexcept { return tenon_plugin_is_static(raw_.get()); }
    std::uint64_t flags() const noexcept { return tenon_plugin_flags(raw_.get()); }
    /* A health check (tenon_plugin_ping): the round trip in microseconds. */
    std::uint64_t ping(std::uint64_t deadline_ms) const {
        std::uint64_t round_trip_us = 0;
        check(tenon_plugin_ping(raw_.get(), deadline_ms, &round_trip_us));
        return round_trip_us;
    }
    /* The interfaces offered: id and version, in the plugin's order. */
    std::vector<std::pair<std::string, std::uint32_t>> interfaces() const {
        std::vector<std::pair<std::string, std::uint32_t>> all;
        for (std::size_t i = 0; i < tenon_plugin_interface_count(raw_.get()); i++) {
            const char *id = nullptr;
            std::uint32_t version = 0;
            check(tenon_plugin_interface(raw_.get(), i, &id, &version));
            all.emplace_back(id, version);
        }
        return all;
    }
    instance create(const std::string &config = "") const {
        tenon_instance *raw = nullptr;
        check(tenon_instance_create(raw_.get(), config.c_str(), &raw));
        return instance(raw);
    }
    /* Frees the plugin now (tenon_plugin_unload), leaving this object
     * moved-from, and returns the unload verdict's name: "unloaded",
     * "still_in_use", "still_mapped", "static", "process_ended" or
     * "not_verified"; "" for a moved-from plugin. */
    std::string unload() {
        const char *outcome = tenon_plugin_unload(raw_.release());
        return outcome ? outcome : "";
    }

private:
    explicit plugin(tenon_plugin *raw) noexcept : raw_(raw) {}
    detail::owned<tenon_plugin, tenon_plugin_free> raw_;
};

/* A plugin instance seen through one interface (vtable type Vtable), whose
 * library can be replaced by a new build while the host keeps calling it. */
template <class Vtable> class reloadable {
public:
    /* Every build must provide the first vtable_size bytes of Vtable: all of
     * it by default; for builds of an earlier revision of the header, the
     * size up to the first method added later, as for instance::get. */
    static reloadable load(const std::string &path, const char *id, std::uint32_t version,
                           const options *with = nullptr, const std::string &config = "",
                           std::size_t vtable_size = sizeof(Vtable)) {
        tenon_reloadable *raw = nullptr;
        check(tenon_reloadable_load(path.c_str(), with ? with->get() : nullptr, config.c_str(),
                                    id, version, vtable_size, &raw));
        return reloadable(raw);
    }
    /* Calls body(interface_ref<Vtable>) on the current build and returns what
     * it returns (by value: a reference it returns is copied, since what it
     * refers to may belong to the build); the interface must not be kept past
     * the call. body may be a temporary or a named callable (an lvalue, const
     * or not). An exception thrown by body is carried out of the call.
     *
     * Threads: any thread (tenon_reloadable_call); calls into one build are
     * serialized, so with() on the same reloadable from inside body throws
     * kind reentrant_call instead of waiting for itself. */
    template <class Body> auto with(Body &&body) const {
        using Callable = std::remove_reference_t<Body>;
        using Result =
            std::decay_t<std::invoke_result_t<Callable &, interface_ref<Vtable>>>;
        struct context {
            Callable *body;
            std::optional<std::conditional_t<std::is_void_v<Result>, int, Result>> result;
            std::exception_ptr thrown;
        } ctx{&body, std::nullopt, nullptr};
        check(tenon_reloadable_call(
            raw_.get(),
            [](void *opaque, const void *vtable, void *self) {
                context &c = *static_cast<context *>(opaque);
                try {
                    interface_ref<Vtable> target{static_cast<const Vtable *>(vtable), self};
                    if constexpr (std::is_void_v<Result>) {
                        (*c.body)(target);
                        c.result = 0;
                    } else {
                        c.result = (*c.body)(target);
                    }
                } catch (...) {
                    c.thrown = std::current_exception();
                }
            },
            &ctx));
        if (ctx.thrown) {
            std::rethrow_exception(ctx.thrown);
        }
        if constexpr (!std::is_void_v<Result>) {
            return std::move(*ctx.result);
        }
    }
    /* Reloads from the file last loaded; returns the new generation. */
    std::uint64_t reload() const {
        std::uint64_t generation = 0;
        check(tenon_reloadable_reload(raw_.get(), &generation));
        return generation;
    }
    std::uint64_t reload_from(const std::string &path) const {
        std::uint64_t generation = 0;
        check(tenon_reloadable_reload_from(raw_.get(), path.c_str(), &generation));
        return generation;
    }
    /* Reloads from path (nullptr: the file last read) and says what the
     * reload did: the generation, the bytes of state handed over, ... */
    tenon_reload_report reload_report(const char *path = nullptr) const {
        tenon_reload_report report{};
        report.struct_size = sizeof report;
        check(tenon_reloadable_reload_report(raw_.get(), path, &report));
        return report;
    }
    /* The same from a path given as a string, as reload_from takes it. */
    tenon_reload_report reload_report(const std::string &path) const {
        return reload_report(path.c_str());
    }
    std::uint64_t generation() const noexcept { return tenon_reloadable_generation(raw_.get()); }

private:
    explicit reloadable(tenon_reloadable *raw) noexcept : raw_(raw) {}
    detail::owned<tenon_reloadable, tenon_reloadable_free> raw_;
};

namespace detail {
/* The callable set_log_handler installed, behind one type. */
class log_sink {
public:
    virtual ~log_sink() = default;
    virtual void deliver(tenon_log_level level, std::string_view plugin,
                         std::string_view message) const = 0;
};

template <class Handler> class log_sink_of final : public log_sink {
public:
    explicit log_sink_of(Handler handler) : handler_(std::move(handler)) {}
    void deliver(tenon_log_level level, std::string_view plugin,
                 std::string_view message) const override {
        handler_(level, plugin, message);
    }

private:
    Handler handler_;
};

/* The handler set through this header, which every delivery reads. */
struct log_slot {
    std::mutex lock; /* held only to read or swap the fields, never during a call */
    std::shared_ptr<const log_sink> sink;
    tenon_log_level max_level = 0;
    /* Counts changes: how a change tells whether another thread's came
     * after it (apply_log_slot). */
    std::uint64_t generation = 0;
};

/* Never destroyed: plugins' and libtenon's threads may deliver a line while
 * the program's static objects are being destroyed at exit. */
inline log_slot &the_log_slot() {
    static log_slot *const slot = new log_slot;
    return *slot;
}

/* libtenon's handler (user_data: the slot). Holds its own reference to the
 * callable while calling it, so that a change made from inside a handler
 * (which libtenon does not make wait) cannot destroy it under the call. */
inline void deliver_log(void *user_data, tenon_log_level level, const char *plugin,
                        const char *message) noexcept {
    log_slot &slot = *static_cast<log_slot *>(user_data);
    std::shared_ptr<const log_sink> sink;
    {
        std::lock_guard<std::mutex> hold(slot.lock);
        /* Between a change of the slot and libtenon's, a line at the old
         * level can still arrive: the new callable never sees it. */
        if (level <= slot.max_level) {
            sink = slot.sink;
        }
    }
    if (!sink) {
        return;
    }
    try {
        sink->deliver(level, plugin != nullptr ? std::string_view(plugin) : std::string_view(),
                      message);
    } catch (...) {
        /* Nothing may unwind into libtenon: the line is dropped. */
    }
}

/* Tells libtenon what the slot holds. Of two threads changing it at once,
 * the one whose call reaches libtenon first finds the generation moved on
 * and tells it again, so libtenon ends with the last change. */
inline void apply_log_slot(log_slot &slot) {
    for (;;) {
        bool set = false;
        tenon_log_level max_level = 0;
        std::uint64_t generation = 0;
        {
            std::lock_guard<std::mutex> hold(slot.lock);
            set = slot.sink != nullptr;
            max_level = slot.max_level;
            generation = slot.generation;
        }
        /* Waits for libtenon's calls in progress (unless on a handler's
         * thread): slot.lock must not be held here, deliver_log takes it. */
        if (set) {
            tenon_log_set_handler(&deliver_log, &slot, max_level);
        } else {
            tenon_log_set_handler(nullptr, nullptr, max_level);
        }
        std::lock_guard<std::mutex> hold(slot.lock);
        if (slot.generation == generation) {
            return;
        }
    }
}

inline void replace_log_sink(std::shared_ptr<const log_sink> next, tenon_log_level max_level) {
    log_slot &slot = the_log_slot();
    std::shared_ptr<const log_sink> previous;
    {
        std::lock_guard<std::mutex> hold(slot.lock);
        previous = std::exchange(slot.sink, std::move(next));
        slot.max_level = max_level;
        slot.generation++;
    }
    apply_log_slot(slot);
    /* `previous` goes here: its calls in progress have returned, unless
     * libtenon did not wait for them; then the last of them frees it. */
}
} // namespace detail

/* Sets the process-wide handler of plugins' log messages
 * (tenon_log_set_handler) to `handler`, any callable (a lambda with
 * captures, say) invocable on a const object as
 *
 *     void(tenon_log_level level, std::string_view plugin, std::string_view message)
 *
 * It receives every message at `max_level` or more severe (TENON_LOG_*):
 * `plugin` is the name of the plugin that logged it, or empty for a message
 * of libtenon itself (whose text names the plugin as `plugin=<name>`); both
 * views are valid only during the call. The last handler set wins.
 *
 *     tenon::hosting::set_log_handler(
 *         [&log](tenon_log_level level, std::string_view plugin, std::string_view message) {
 *             log.write(level, plugin, message);
 *         },
 *         TENON_LOG_INFO);
 *
 * Threads: set from any thread. The handler is called on any thread, also
 * on several at once, so what it touches must be thread-safe; it may call
 * into libtenon, and set or remove the handler (a line logged on its own
 * thread while it runs is dropped).
 *
 * Ownership: `handler` is moved (or copied) into storage of this header.
 * The handler it replaces is destroyed before set_log_handler returns, no
 * longer running anywhere - except a call of it that this one does not
 * wait for (set from inside a handler, or while another thread sets one
 * too): then that call keeps it alive and it is destroyed on that call's
 * thread when the call returns. Because it waits, do not set or remove the
 * handler while holding a lock the handler takes. A handler still set at
 * exit is never destroyed.
 *
 * Exceptions: one thrown by `handler` is caught and discarded, with the
 * line; the handler stays set. None ever reaches libtenon or the plugin.
 * Only an exception of making the copy of `handler` (std::bad_alloc, or
 * one of its constructor) comes out of set_log_handler, which then changes
 * nothing.
 *
 * The handler is kept in a static object of this header: one per program,
 * or one per shared library that uses the header with hidden visibility.
 * Set and remove it through one of them, and not with tenon_log_set_handler
 * directly as well (libtenon holds one handler for the whole process). */
template <class Handler> void set_log_handler(Handler &&handler, tenon_log_level max_level) {
    using stored = std::decay_t<Handler>;
    static_assert(std::is_invocable_v<const stored &, tenon_log_level, std::string_view,
                                      std::string_view>,
                  "a log handler is callable as (tenon_log_level, std::string_view plugin, "
                  "std::string_view message) const");
    detail::replace_log_sink(
        std::make_shared<detail::log_sink_of<stored>>(std::forward<Handler>(handler)),
        max_level);
}

/* Removes the handler: messages are dropped (the default), and plugins in
 * process skip decoding them. The handler removed is destroyed as in
 * set_log_handler: before this returns, unless called from inside a handler
 * or while another thread sets one.
 *
 * Threads: any thread. */
inline void remove_log_handler() { detail::replace_log_sink(nullptr, TENON_LOG_TRACE); }

} // namespace hosting
} // namespace tenon

#endif /* TENON_HOST_HPP */
