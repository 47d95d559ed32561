/*
 * tenon/plugin.hpp - writing Tenon plugins in C++17 (header-only, on top of
 * plugin.h and sdk.h).
 *
 * An interface is implemented by an ordinary C++ class; this header generates
 * the C functions the host calls, builds the vtable, creates and destroys
 * instances, and turns every exception into a status and a message, so that
 * nothing ever unwinds into the host. A complete plugin:
 *
 *     #include <tenon/plugin.hpp>
 *     #include <tenon_examples/greeter.h>
 *
 *     namespace {
 *     class Greeter {
 *     public:
 *         explicit Greeter(tenon::host host) { host.debug("created"); }
 *         std::string greet(std::string_view name) const {
 *             return "Hello, " + std::string(name) + "!";
 *         }
 *     };
 *     constexpr example_greeter_v1 greeter_vtable =
 *         tenon::vtable<example_greeter_v1, &Greeter::greet>;
 *     } // namespace
 *
 *     TENON_CPP_PLUGIN(Greeter, "greeter-cpp", "1.0.0", "Greets people",
 *                      TENON_PLUGIN_THREAD_SAFE,
 *                      TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
 *                                            &greeter_vtable));
 *
 * Build it as a shared library with hidden visibility and, on ELF platforms
 * (Linux, the BSDs), the version script shipped beside this SDK:
 *
 *     c++ -std=c++17 -shared -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
 *         -Wl,--version-script=<sdk>/share/tenon/tenon-plugin.version \
 *         -o libgreeter.so greeter.cpp
 *
 * -fvisibility=hidden is not enough in C++: the standard library declares
 * namespace std with default visibility, so every std template the plugin
 * instantiates would be exported too. The version script keeps only
 * tenon_plugin_v1 (on macOS use -Wl,-exported_symbol,_tenon_plugin_v1).
 *
 * How C arguments map to C++ parameters (see tenon::method):
 *
 *     C argument              C++ parameter
 *     tenon_str               std::string_view (or std::string, a copy)
 *     tenon_bytes             tenon::bytes_view (or std::vector<uint8_t>, a copy)
 *     tenon_buffer *out       tenon::writer (append to the host's buffer yourself)
 *     int32_t, double, ...    the same type
 *
 *     C result out-parameter  C++ return type
 *     tenon_buffer *out       std::string, std::string_view, const char *,
 *                             std::vector<uint8_t>, tenon::bytes_view (anything
 *                             with data() and size() of 1-byte elements)
 *     T *out (a scalar)       T (or a type that converts to T without narrowing)
 *     (none)                  void
 *
 * Exceptions at the boundary (see tenon::guard): tenon::error becomes its own
 * status and message, std::bad_alloc TENON_OUT_OF_MEMORY with "out of memory",
 * any other std::exception TENON_PANIC with what() as the message, and
 * anything else thrown (throw 42;) TENON_PANIC with "unknown C++ exception".
 *
 * Calling an interface the host offers (see tenon::host_interface):
 *
 *     auto greeter = host.interface<example_greeter_v1>(EXAMPLE_GREETER_ID,
 *                                                       EXAMPLE_GREETER_VERSION);
 *     std::string greeting = greeter.call(&example_greeter_v1::greet, "Ada");
 *
 * lends the host buffers of the SDK's own and throws tenon::error with the
 * host's status and message when its method fails.
 *
 * Requirements: C++17 with exceptions enabled. Everything public is in
 * namespace tenon or starts with TENON_; tenon::detail is private and may
 * change without notice. Like sdk.h, do not include it inside extern "C".
 */
#ifndef TENON_PLUGIN_HPP
#define TENON_PLUGIN_HPP

#if !defined(__cplusplus) ||                                                                       \
    (__cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#error "tenon/plugin.hpp needs C++17 or later (C plugins use tenon/sdk.h)"
#endif
#if !(defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND))
#error "tenon/plugin.hpp needs C++ exceptions enabled (it catches them at the boundary)"
#endif

#include <tenon/sdk.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace tenon {

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/// A deliberate failure with a Tenon status: throw it from a method, create
/// or a constructor, and the host receives `status` and `what()` as the
/// message. `throw tenon::error(TENON_NOT_FOUND, "no such key");`
///
/// A status of TENON_OK makes no sense for a failure and is reported as
/// TENON_ERROR. Copying never throws (it derives from std::runtime_error).
/// Constructing it may throw std::bad_alloc (it copies the message), which the
/// boundary then reports as TENON_OUT_OF_MEMORY.
class error : public std::runtime_error {
public:
    /// A failure with `status` and a UTF-8 message. `status` is one of
    /// TENON_ERROR ... TENON_UNSUPPORTED (1-6) or a code the interface
    /// defines, TENON_STATUS_INTERFACE_FIRST (1000) and up: 7-999 are
    /// reserved (7-9 for hosts to report, plugin.h), never a plugin's.
    error(tenon_status status, const std::string &message)
        : std::runtime_error(message), status_(status == TENON_OK ? TENON_ERROR : status) {}

    /// As above, from a NUL-terminated message (not NULL).
    error(tenon_status status, const char *message)
        : std::runtime_error(message), status_(status == TENON_OK ? TENON_ERROR : status) {}

    /// The status the host receives (never TENON_OK).
    tenon_status status() const noexcept { return status_; }

    /// TENON_NOT_FOUND: the thing asked for does not exist.
    static error not_found(const std::string &message) { return error(TENON_NOT_FOUND, message); }

    /// TENON_INVALID_ARGUMENT: an argument (or the config) was rejected.
    static error invalid_argument(const std::string &message) {
        return error(TENON_INVALID_ARGUMENT, message);
    }

    /// TENON_UNSUPPORTED: not supported by this implementation.
    static error unsupported(const std::string &message) {
        return error(TENON_UNSUPPORTED, message);
    }

    /// TENON_ERROR: a failure with no more specific code.
    static error failed(const std::string &message) { return error(TENON_ERROR, message); }

private:
    tenon_status status_;
};

/// Runs `body` (a callable returning tenon_status) and turns anything it
/// throws into a status, appending the message to `error`:
///
///   - tenon::error           -> its status(), message what()
///   - anything else          -> as sdk.h's tenon_guard: std::bad_alloc
///                               TENON_OUT_OF_MEMORY, other std::exception
///                               TENON_PANIC with what(), anything else
///                               TENON_PANIC, "unknown C++ exception"
///
/// Every function this header generates runs inside it; call it yourself
/// only in a C function you write by hand. `error` may be NULL (the message
/// is then dropped); a message that does not fit (the host's reserve fails)
/// is dropped and the status still returned. Never throws. [any-thread]: it
/// has no state of its own.
template <typename F> tenon_status guard(tenon_buffer *error, F &&body) noexcept {
    // tenon_guard is the one boundary for every C++ plugin; this adds only
    // the status that tenon::error carries.
    return tenon_guard(error, [&]() -> tenon_status {
        try {
            return std::forward<F>(body)();
        } catch (const ::tenon::error &failure) {
            return tenon_fail(error, failure.status(), failure.what());
        }
    });
}

/* ------------------------------------------------------------------------ */
/* Borrowed bytes and host-owned output                                     */
/* ------------------------------------------------------------------------ */

/// A borrowed, read-only byte slice: what a tenon_bytes argument becomes
/// (C++17 has no std::span). It does not own the bytes: an argument is valid
/// until the method returns, so copy it (to_vector()) to keep it. Never
/// throws except to_vector (std::bad_alloc). [any-thread].
class bytes_view {
public:
    /// The element type.
    using value_type = std::uint8_t;
    /// Iterator over the bytes (a pointer).
    using const_iterator = const std::uint8_t *;

    /// An empty slice.
    constexpr bytes_view() noexcept = default;

    /// The `size` bytes at `data` (data may be NULL only when size is 0).
    constexpr bytes_view(const std::uint8_t *data, std::size_t size) noexcept
        : data_(size != 0 ? data : nullptr), size_(size) {}

    /// The bytes of a tenon_bytes argument.
    constexpr explicit bytes_view(tenon_bytes bytes) noexcept
        : bytes_view(bytes.ptr, bytes.len) {}

    /// The bytes of a vector, borrowed (the vector must outlive the view).
    bytes_view(const std::vector<std::uint8_t> &bytes) noexcept // NOLINT: implicit on purpose
        : bytes_view(bytes.data(), bytes.size()) {}

    /// First byte, or NULL when empty.
    constexpr const std::uint8_t *data() const noexcept { return data_; }
    /// Number of bytes.
    constexpr std::size_t size() const noexcept { return size_; }
    /// True when there are no bytes.
    constexpr bool empty() const noexcept { return size_ == 0; }
    /// Start of the bytes, for range-for and algorithms.
    constexpr const_iterator begin() const noexcept { return data_; }
    /// End of the bytes.
    constexpr const_iterator end() const noexcept { return data_ + size_; }
    /// The byte at `index` (unchecked: index < size()).
    constexpr std::uint8_t operator[](std::size_t index) const noexcept { return data_[index]; }

    /// A copy of the bytes. Throws std::bad_alloc.
    std::vector<std::uint8_t> to_vector() const { return std::vector<std::uint8_t>(begin(), end()); }

    /// The slice as a tenon_bytes, to pass to a C function (borrowed too).
    constexpr tenon_bytes to_c() const noexcept {
        tenon_bytes bytes{data_, size_};
        return bytes;
    }

private:
    const std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

/// A tenon_str borrowing `text` (valid as long as text is), to pass to a C
/// function such as a host interface's method. [any-thread].
inline tenon_str to_str(std::string_view text) noexcept {
    tenon_str result{text.data(), text.size()};
    return result;
}

/// Appends to a host-owned output buffer: what a `tenon_buffer *out` argument
/// becomes when the C++ method takes a tenon::writer parameter, so that a
/// large result goes straight into the host's memory without an
/// intermediate std::string or std::vector.
///
/// Ownership: the buffer belongs to the host and is lent for one call; the
/// writer only appends (growing it through the buffer's reserve callback,
/// never freeing or reallocating it), and must not be kept or used after the
/// method returns. Threads: [instance], like the call it was given to.
/// append throws tenon::error with the status reserve returned (normally
/// TENON_OUT_OF_MEMORY) when the buffer cannot grow, and
/// TENON_INVALID_ARGUMENT if the host passed a NULL buffer.
class writer {
public:
    /// Wraps the buffer a method received (may be NULL: append then throws).
    explicit writer(tenon_buffer *buffer) noexcept : buffer_(buffer) {}

    /// Appends `size` bytes from `data` (data may be NULL only when size is 0).
    void append(const void *data, std::size_t size) {
        if (buffer_ == nullptr) {
            throw ::tenon::error(TENON_INVALID_ARGUMENT, "the output buffer is NULL");
        }
        tenon_status status = tenon_buffer_append(buffer_, data, size);
        if (status != TENON_OK) {
            throw ::tenon::error(status, "could not grow the output buffer");
        }
    }

    /// Appends the bytes of a string (UTF-8 if the result is a string).
    void append(std::string_view text) { append(text.data(), text.size()); }

    /// Appends a byte slice.
    void append(bytes_view bytes) { append(bytes.data(), bytes.size()); }

    /// Ensures room for `additional` more bytes, so that a series of appends
    /// does not grow the buffer step by step. Throws like append.
    void reserve(std::size_t additional) {
        if (buffer_ == nullptr) {
            throw ::tenon::error(TENON_INVALID_ARGUMENT, "the output buffer is NULL");
        }
        if (buffer_->capacity - buffer_->len < additional) {
            tenon_status status = buffer_->reserve(buffer_, additional);
            if (status != TENON_OK) {
                throw ::tenon::error(status, "could not grow the output buffer");
            }
        }
    }

    /// Bytes in the buffer so far (including any written before the call).
    std::size_t size() const noexcept { return buffer_ != nullptr ? buffer_->len : 0; }

    /// The wrapped C buffer.
    tenon_buffer *raw() const noexcept { return buffer_; }

private:
    tenon_buffer *buffer_;
};

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

template <typename Vtable> class host_interface;

/// The services the host offers an instance: its log, and interfaces the
/// host implements. A non-owning view of the tenon_host passed to create:
/// copy it freely and keep it in the instance; it stays valid until the
/// instance is destroyed (the host's guarantee), not after. Every function is
/// [any-thread] (a plugin may log from its own threads) and never throws.
class host {
public:
    /// Wraps the table create received (NULL gives a host whose log does
    /// nothing and that offers no interface).
    explicit host(const tenon_host *raw) noexcept : raw_(raw) {}

    /// Sends `message` to the host's log at `level` (TENON_LOG_ERROR ...
    /// TENON_LOG_TRACE). The host copies it before returning. Does nothing
    /// when the host has no log.
    void log(tenon_log_level level, std::string_view message) const noexcept {
        if (TENON_HAS_FIELD(raw_, tenon_host, log) && raw_->log != nullptr) {
            raw_->log(raw_, level, to_str(message));
        }
    }

    /// log(TENON_LOG_ERROR, message).
    void error(std::string_view message) const noexcept { log(TENON_LOG_ERROR, message); }
    /// log(TENON_LOG_WARN, message).
    void warn(std::string_view message) const noexcept { log(TENON_LOG_WARN, message); }
    /// log(TENON_LOG_INFO, message).
    void info(std::string_view message) const noexcept { log(TENON_LOG_INFO, message); }
    /// log(TENON_LOG_DEBUG, message).
    void debug(std::string_view message) const noexcept { log(TENON_LOG_DEBUG, message); }
    /// log(TENON_LOG_TRACE, message).
    void trace(std::string_view message) const noexcept { log(TENON_LOG_TRACE, message); }

    /// The vtable of an interface the host implements, as `Vtable` (the
    /// interface's vtable struct), with the instance to pass to its methods
    /// stored in *instance (which must not be NULL); NULL (and
    /// *instance = NULL) when the host does not offer `id` at `version`.
    /// Both stay valid until this instance is destroyed. Check the
    /// vtable's struct_size before calling a method appended after the
    /// version you compiled against (TENON_HAS_FIELD). interface() below
    /// does that, and the calling, for you.
    template <typename Vtable>
    const Vtable *get_interface(std::string_view id, std::uint32_t version,
                                void **instance) const noexcept {
        *instance = nullptr;
        if (!TENON_HAS_FIELD(raw_, tenon_host, get_interface) || raw_->get_interface == nullptr) {
            return nullptr;
        }
        return static_cast<const Vtable *>(raw_->get_interface(raw_, to_str(id), version, instance));
    }

    /// The interface `id` at `version` that the host implements, to call
    /// with host_interface::call, as `Vtable` (the struct of the interface
    /// header you compile against). Throws tenon::error: TENON_NOT_FOUND
    /// when the host does not offer `id` at `version`, TENON_UNSUPPORTED
    /// when the host's vtable is too small to hold a single method; and
    /// std::bad_alloc (it copies `id`, for its messages). Thrown from a
    /// constructor, either refuses the instance with that status and
    /// message. Whether a given method is there is checked when it is
    /// called (host_interface::provides asks first): a host built against
    /// an earlier revision of the header has a smaller vtable.
    template <typename Vtable>
    host_interface<Vtable> interface(std::string_view id, std::uint32_t version) const {
        void *instance = nullptr;
        const Vtable *vtable = get_interface<Vtable>(id, version, &instance);
        return host_interface<Vtable>(vtable, instance, id, version);
    }

    /// The wrapped C table (may be NULL).
    const tenon_host *raw() const noexcept { return raw_; }

private:
    const tenon_host *raw_;
};

/* ------------------------------------------------------------------------ */
/* Private: from C arguments to C++ calls and back                          */
/* ------------------------------------------------------------------------ */

namespace detail {

template <typename> inline constexpr bool always_false = false;

template <typename T> using remove_cvref_t = std::remove_cv_t<std::remove_reference_t<T>>;

/* What a pointer to member function is made of. */
template <typename F> struct member_function;

#define TENON_CPP_MEMBER_FUNCTION_(qualifiers)                                                     \
    template <typename R, typename C, typename... A>                                               \
    struct member_function<R (C::*)(A...) qualifiers> {                                            \
        using result = R;                                                                          \
        using object = C;                                                                          \
        using params = std::tuple<A...>;                                                           \
    };
TENON_CPP_MEMBER_FUNCTION_()
TENON_CPP_MEMBER_FUNCTION_(const)
TENON_CPP_MEMBER_FUNCTION_(noexcept)
TENON_CPP_MEMBER_FUNCTION_(const noexcept)
#undef TENON_CPP_MEMBER_FUNCTION_

/* True when T has data() and size() and 1-byte elements. */
template <typename T, typename = void> struct is_byte_range : std::false_type {};
template <typename T>
struct is_byte_range<T, std::void_t<decltype(std::data(std::declval<const T &>())),
                                    decltype(std::size(std::declval<const T &>()))>>
    : std::bool_constant<sizeof(*std::data(std::declval<const T &>())) == 1> {};

/* The C++ parameter of type P made from the C argument `arg` of type C. */
template <typename P, typename C> decltype(auto) from_c(C arg) {
    using Param = remove_cvref_t<P>;
    if constexpr (std::is_same_v<C, tenon_str>) {
        static_assert(std::is_constructible_v<Param, std::string_view>,
                      "a tenon_str argument becomes a std::string_view (or std::string) "
                      "parameter");
        return Param(arg.len != 0 ? std::string_view(arg.ptr, arg.len) : std::string_view());
    } else if constexpr (std::is_same_v<C, tenon_bytes>) {
        static_assert(std::is_same_v<Param, bytes_view> ||
                          std::is_constructible_v<Param, const std::uint8_t *,
                                                  const std::uint8_t *>,
                      "a tenon_bytes argument becomes a tenon::bytes_view (or "
                      "std::vector<uint8_t>) parameter");
        bytes_view bytes(arg);
        if constexpr (std::is_same_v<Param, bytes_view>) {
            return bytes;
        } else {
            return Param(bytes.begin(), bytes.end());
        }
    } else if constexpr (std::is_same_v<C, tenon_buffer *> && std::is_same_v<Param, writer>) {
        return writer(arg);
    } else {
        static_assert(std::is_same_v<Param, C>,
                      "a C argument other than tenon_str, tenon_bytes or tenon_buffer * "
                      "becomes a parameter of exactly the same type");
        return arg;
    }
}

/* Writes the method's result into the C result out-parameter `out`. */
template <typename C, typename R> void to_c(C out, R &&result) {
    using Result = remove_cvref_t<R>;
    if constexpr (std::is_same_v<C, tenon_buffer *>) {
        writer to(out);
        if constexpr (std::is_convertible_v<const Result &, std::string_view>) {
            to.append(std::string_view(result));
        } else if constexpr (is_byte_range<Result>::value) {
            to.append(std::data(result), std::size(result));
        } else {
            static_assert(always_false<Result>,
                          "a tenon_buffer * result is returned as std::string, "
                          "std::string_view, std::vector<uint8_t>, tenon::bytes_view or "
                          "another range of 1-byte elements");
        }
    } else if constexpr (std::is_pointer_v<C>) {
        using Target = std::remove_pointer_t<C>;
        static_assert(!std::is_const_v<Target> && std::is_convertible_v<R, Target>,
                      "a scalar result out-parameter T * is returned as T");
        if (out == nullptr) {
            throw ::tenon::error(TENON_INVALID_ARGUMENT, "the result pointer is NULL");
        }
        *out = Target{std::forward<R>(result)}; // braces: a narrowing return does not compile
    } else {
        static_assert(always_false<C>, "the C slot has no result out-parameter for this result");
    }
}

/* The last type of a pack (void for an empty one). */
template <typename... T> struct last {
    using type = void;
};
template <typename T> struct last<T> {
    using type = T;
};
template <typename Head, typename... Rest> struct last<Head, Rest...> : last<Rest...> {};
template <typename... T> using last_t = typename last<T...>::type;

/* The thunk the host calls for the member function Method, behind a C slot
 * tenon_status (*)(void *, CArgs...) whose last argument is the error
 * buffer. */
template <auto Method, typename... CArgs> struct thunk {
    using traits = member_function<decltype(Method)>;
    using object = typename traits::object;
    using result = typename traits::result;
    using params = typename traits::params;
    using c_args = std::tuple<CArgs...>;

    static constexpr std::size_t param_count = std::tuple_size_v<params>;
    static constexpr std::size_t c_count = sizeof...(CArgs);
    static constexpr bool has_result = !std::is_void_v<result>;

    static_assert(std::is_same_v<last_t<CArgs...>, tenon_buffer *>,
                  "the C slot's last argument must be tenon_buffer *error (see docs/ABI.md, "
                  "\"Declaring an interface\")");
    static_assert(c_count == param_count + 1 + (has_result ? 1 : 0),
                  "the C++ method does not match the C slot: each C argument becomes one "
                  "parameter, and a C result out-parameter (before the error buffer) becomes "
                  "the return value (void when there is none)");

    template <std::size_t... I>
    static tenon_status call(void *instance, c_args &args, std::index_sequence<I...>) {
        object *self = static_cast<object *>(instance);
        if (self == nullptr) {
            throw ::tenon::error(TENON_INVALID_ARGUMENT, "the instance is NULL");
        }
        if constexpr (has_result) {
            to_c(std::get<param_count>(args),
                 (self->*Method)(
                     from_c<std::tuple_element_t<I, params>>(std::get<I>(args))...));
        } else {
            (self->*Method)(from_c<std::tuple_element_t<I, params>>(std::get<I>(args))...);
        }
        return TENON_OK;
    }

    static tenon_status invoke(void *instance, CArgs... raw) noexcept {
        c_args args(raw...);
        return guard(std::get<c_count - 1>(args), [&]() -> tenon_status {
            return call(instance, args, std::make_index_sequence<param_count>());
        });
    }
};

template <auto Method> struct method_ref {
    static_assert(std::is_member_function_pointer_v<decltype(Method)>,
                  "tenon::method<&Class::function> takes a pointer to a member function");

    template <typename... CArgs> using c_slot = tenon_status (*)(void *, CArgs...);

    /* Converts to whatever C slot it initializes; the slot's type decides
     * how arguments and result are converted. */
    template <typename... CArgs> constexpr operator c_slot<CArgs...>() const noexcept {
        return &thunk<Method, CArgs...>::invoke;
    }
};

template <typename T, typename = void> struct has_struct_size : std::false_type {};
template <typename T>
struct has_struct_size<T, std::void_t<decltype(std::declval<T &>().struct_size)>>
    : std::bool_constant<std::is_same_v<decltype(std::declval<T &>().struct_size), std::uint32_t> &&
                         offsetof(T, struct_size) == 0> {};

using any_function_pointer = void (*)(void);

/* sizeof a vtable that holds struct_size and `methods` function pointers. */
constexpr std::size_t vtable_size(std::size_t methods) {
    constexpr std::size_t align = alignof(any_function_pointer);
    constexpr std::size_t header = (sizeof(std::uint32_t) + align - 1) / align * align;
    return header + methods * sizeof(any_function_pointer);
}

template <typename Vtable, auto... Methods> constexpr Vtable make_vtable() noexcept {
    static_assert(std::is_class_v<Vtable> && has_struct_size<Vtable>::value,
                  "tenon::vtable<V, ...>: V must be an interface vtable struct, starting with "
                  "uint32_t struct_size");
    static_assert(sizeof...(Methods) >= 1, "tenon::vtable<V, ...> needs at least one method");
    static_assert(sizeof(Vtable) == vtable_size(sizeof...(Methods)),
                  "tenon::vtable<V, &T::m...> must list every method of V, in the order the "
                  "interface header declares them");
    return Vtable{static_cast<std::uint32_t>(sizeof(Vtable)), method_ref<Methods>{}...};
}

/* An output buffer the SDK lends to a host's method (its result or its
 * error message): a tenon_buffer whose reserve grows a std::string. The
 * tenon_buffer points back to its owner, so it is neither copied nor
 * moved; it lives on the stack for one call. */
class owned_buffer {
public:
    owned_buffer() noexcept {
        raw_.data = nullptr;
        raw_.len = 0;
        raw_.capacity = 0;
        raw_.reserve = &grow;
        raw_.host_data = this;
    }
    owned_buffer(const owned_buffer &) = delete;
    owned_buffer &operator=(const owned_buffer &) = delete;

    tenon_buffer *raw() noexcept { return &raw_; }

    /* The bytes written, if the buffer is still the one it lent (len
     * within the storage); empty otherwise. */
    std::string_view written() const noexcept {
        if (!intact() || raw_.len == 0) {
            return std::string_view();
        }
        return std::string_view(storage_.data(), raw_.len);
    }

    /* The bytes written, moved out as a std::string. Throws
     * tenon::error(TENON_ERROR) if the callee broke the buffer. */
    std::string take() {
        if (!intact()) {
            throw ::tenon::error(TENON_ERROR, "the host's method broke the SDK's output buffer");
        }
        storage_.resize(raw_.len);
        return std::move(storage_);
    }

private:
    bool intact() const noexcept {
        return raw_.host_data == this && raw_.reserve == &grow && raw_.len <= raw_.capacity &&
               raw_.capacity == storage_.size() &&
               (raw_.capacity == 0 ||
                raw_.data == reinterpret_cast<const std::uint8_t *>(storage_.data()));
    }

    static tenon_status grow(tenon_buffer *buffer, std::size_t additional) noexcept {
        if (buffer == nullptr || buffer->host_data == nullptr) {
            return TENON_INVALID_ARGUMENT;
        }
        owned_buffer *self = static_cast<owned_buffer *>(buffer->host_data);
        if (buffer != &self->raw_ || !self->intact()) {
            return TENON_INVALID_ARGUMENT;
        }
        std::size_t room = buffer->capacity - buffer->len;
        if (room >= additional) {
            return TENON_OK;
        }
        if (additional > self->storage_.max_size() - buffer->len) {
            return TENON_OUT_OF_MEMORY;
        }
        std::size_t wanted = buffer->len + additional;
        // Doubling keeps a stream of small appends linear.
        std::size_t doubled = buffer->capacity <= self->storage_.max_size() / 2
                                  ? buffer->capacity * 2
                                  : self->storage_.max_size();
        std::size_t size = wanted > doubled ? wanted : doubled;
        size = size < 64 ? 64 : size;
        try {
            self->storage_.resize(size);
        } catch (...) {
            return TENON_OUT_OF_MEMORY;
        }
        buffer->data = reinterpret_cast<std::uint8_t *>(&self->storage_[0]);
        buffer->capacity = self->storage_.size();
        return TENON_OK;
    }

    tenon_buffer raw_;
    std::string storage_;
};

/* The C argument of type C for the C++ argument `arg` of a call into the
 * host: the reverse of from_c. */
template <typename C, typename A> C to_c_arg(A &&arg) {
    using Arg = remove_cvref_t<A>;
    if constexpr (std::is_same_v<C, tenon_str>) {
        static_assert(std::is_convertible_v<const Arg &, std::string_view>,
                      "a tenon_str argument is passed as a std::string_view, a std::string "
                      "or a string literal");
        return to_str(std::string_view(arg));
    } else if constexpr (std::is_same_v<C, tenon_bytes>) {
        static_assert(std::is_convertible_v<const Arg &, bytes_view>,
                      "a tenon_bytes argument is passed as a tenon::bytes_view or a "
                      "std::vector<uint8_t>");
        return bytes_view(arg).to_c();
    } else if constexpr (std::is_same_v<C, tenon_buffer *> && std::is_same_v<Arg, writer>) {
        return arg.raw();
    } else {
        static_assert(std::is_convertible_v<A &&, C>,
                      "a C argument other than tenon_str, tenon_bytes or tenon_buffer * "
                      "(a tenon::writer) is passed as a value of its type");
        return C{std::forward<A>(arg)}; // braces: a narrowing argument does not compile
    }
}

/* What host_interface::call returns when not told: std::string for a
 * tenon_buffer * result, T for a T * result. */
struct default_result {};

/* function(instance, args converted to CTuple's types..., [out,] error);
 * `out` is nullptr_t when the slot has no result out-parameter. */
template <typename CTuple, typename Function, typename Out, std::size_t... I, typename... Args>
tenon_status call_with(Function function, void *instance, tenon_buffer *error, Out out,
                       std::index_sequence<I...>, Args &&...args) {
    if constexpr (std::is_same_v<Out, std::nullptr_t>) {
        static_cast<void>(out);
        return function(instance,
                        to_c_arg<std::tuple_element_t<I, CTuple>>(std::forward<Args>(args))...,
                        error);
    } else {
        return function(instance,
                        to_c_arg<std::tuple_element_t<I, CTuple>>(std::forward<Args>(args))...,
                        out, error);
    }
}

/* Calls the host's method `function` with `args` converted to its C
 * arguments, an SDK-owned error buffer and, when the slot has one more C
 * argument than `args` before the error buffer, an SDK-owned result; throws
 * tenon::error with the host's status and message when it fails. */
template <typename Result, typename... CArgs, typename... Args>
auto call_host(tenon_status (*function)(void *, CArgs...), void *instance,
               const std::string &what, Args &&...args) {
    using c_args = std::tuple<CArgs...>;
    constexpr std::size_t c_count = sizeof...(CArgs);
    constexpr std::size_t given = sizeof...(Args);
    static_assert(std::is_same_v<last_t<CArgs...>, tenon_buffer *>,
                  "the C slot's last argument must be tenon_buffer *error (see docs/ABI.md, "
                  "\"Declaring an interface\")");
    static_assert(c_count == given + 1 || c_count == given + 2,
                  "call the host's method with one argument per C argument, leaving out the "
                  "error buffer and the result out-parameter (if any), which the SDK "
                  "provides");
    constexpr bool has_result = c_count == given + 2;
    owned_buffer error;
    auto fail = [&](tenon_status status) {
        std::string_view message = error.written();
        if (message.empty()) {
            throw ::tenon::error(status, what + " failed with status " + std::to_string(status));
        }
        throw ::tenon::error(status, std::string(message));
    };
    if constexpr (!has_result) {
        static_assert(std::is_void_v<Result> || std::is_same_v<Result, default_result>,
                      "this method of the host has no result out-parameter");
        tenon_status status =
            call_with<c_args>(function, instance, error.raw(), nullptr,
                              std::make_index_sequence<given>(), std::forward<Args>(args)...);
        if (status != TENON_OK) {
            fail(status);
        }
    } else {
        using Out = std::tuple_element_t<given, c_args>;
        if constexpr (std::is_same_v<Out, tenon_buffer *>) {
            owned_buffer out;
            tenon_status status = call_with<c_args>(function, instance, error.raw(), out.raw(),
                                                    std::make_index_sequence<given>(),
                                                    std::forward<Args>(args)...);
            if (status != TENON_OK) {
                fail(status);
            }
            using R = std::conditional_t<std::is_same_v<Result, default_result>, std::string,
                                         Result>;
            if constexpr (std::is_same_v<R, std::string>) {
                return out.take();
            } else {
                static_assert(std::is_constructible_v<R, const char *, const char *>,
                              "a tenon_buffer * result is returned as std::string (the "
                              "default) or as a container built from two iterators, such "
                              "as std::vector<uint8_t>");
                std::string bytes = out.take();
                return R(bytes.data(), bytes.data() + bytes.size());
            }
        } else {
            static_assert(std::is_pointer_v<Out> && !std::is_const_v<std::remove_pointer_t<Out>>,
                          "the host's method's result out-parameter must be tenon_buffer * or "
                          "T * (a scalar)");
            using Target = std::remove_pointer_t<Out>;
            static_assert(std::is_same_v<Result, default_result> || std::is_same_v<Result, Target>,
                          "a scalar result T * is returned as T");
            Target value{};
            tenon_status status = call_with<c_args>(function, instance, error.raw(), &value,
                                                    std::make_index_sequence<given>(),
                                                    std::forward<Args>(args)...);
            if (status != TENON_OK) {
                fail(status);
            }
            return value;
        }
    }
}

} // namespace detail

/// An interface the host implements, as tenon::host::interface found it:
/// its vtable, the host's instance to pass to its methods, and call, which
/// passes them with buffers of the SDK's own:
///
///     std::string greeting = greeter.call(&example_greeter_v1::greet, "Ada");
///
/// A non-owning value: keep it in the plugin's instance (copying it copies
/// the interface's id, for messages, and may throw std::bad_alloc). It
/// stays valid until that instance is destroyed (the host's guarantee),
/// not after. The host's methods are [any-thread], so call may be made from
/// any thread while the instance lives (an isolated plugin's calls from a
/// thread of its own fail with TENON_UNSUPPORTED, see docs/isolation.md).
template <typename Vtable> class host_interface {
    static_assert(std::is_class_v<Vtable> && detail::has_struct_size<Vtable>::value,
                  "tenon::host_interface<V>: V must be an interface vtable struct, starting "
                  "with uint32_t struct_size");

public:
    /// Whether the host's vtable has `method` (a pointer to a member of
    /// Vtable, such as &example_greeter_v1::greet): it is within the
    /// struct_size the host wrote, and not NULL. A host built against an
    /// earlier revision of the interface lacks the methods appended since.
    /// Never throws.
    template <typename Slot> bool provides(Slot Vtable::*method) const noexcept {
        static_assert(std::is_pointer_v<Slot> && std::is_function_v<std::remove_pointer_t<Slot>>,
                      "host_interface::provides takes a method of the vtable, "
                      "&V::method");
        // The slot's end, measured on a vtable of our own, never read past
        // the host's struct_size.
        Vtable probe{};
        const char *start = reinterpret_cast<const char *>(&probe);
        const char *slot = reinterpret_cast<const char *>(&(probe.*method));
        std::size_t end = static_cast<std::size_t>(slot - start) + sizeof(Slot);
        return vtable_->struct_size >= end && vtable_->*method != nullptr;
    }

    /// Calls the host's `method` (&Vtable::method) with `args`, one per C
    /// argument of the slot after the instance, and returns its result.
    /// The SDK passes the host's instance, an error buffer and, when the
    /// slot has a result out-parameter (one C argument more than `args`
    /// before the error buffer), the result:
    ///
    ///     C argument       pass
    ///     tenon_str        std::string_view, std::string, a string literal
    ///     tenon_bytes      tenon::bytes_view, std::vector<uint8_t>
    ///     tenon_buffer *   a tenon::writer (forwards a buffer your method
    ///                      received: the host appends to it)
    ///     int32_t, ...     a value of that type (narrowing does not compile)
    ///
    ///     C result         call returns
    ///     tenon_buffer *   std::string, or Result: call<std::vector<uint8_t>>
    ///     T * (a scalar)   T
    ///     (none)           void
    ///
    /// Arguments are borrowed for the call only. Throws tenon::error: with
    /// the host's status and message when the method fails (a method of
    /// the plugin that lets it propagate hands both to its own caller, as
    /// forwarding the error buffer would); TENON_UNSUPPORTED when the host
    /// does not provide the method (see provides); TENON_OUT_OF_MEMORY is
    /// the host's status when the SDK's buffer cannot grow. Throws
    /// std::bad_alloc for the result's or the message's copy.
    template <typename Result = detail::default_result, typename Slot, typename... Args>
    auto call(Slot Vtable::*method, Args &&...args) const {
        if (!provides(method)) {
            throw ::tenon::error(TENON_UNSUPPORTED,
                                 what_ + " does not provide this method (the host's vtable "
                                         "ends before it, or the method is NULL)");
        }
        return detail::call_host<Result>(vtable_->*method, instance_, what_,
                                         std::forward<Args>(args)...);
    }

    /// The host's vtable (never NULL; check a method with provides before
    /// calling it yourself).
    const Vtable *vtable() const noexcept { return vtable_; }

    /// The host's instance, the first argument of each of its methods.
    void *instance() const noexcept { return instance_; }

private:
    friend class host;

    host_interface(const Vtable *vtable, void *instance, std::string_view id,
                   std::uint32_t version)
        : vtable_(vtable), instance_(instance),
          what_("the host's \"" + std::string(id) + "\" version " + std::to_string(version)) {
        if (vtable_ == nullptr) {
            throw ::tenon::error(TENON_NOT_FOUND, "the host offers no interface \"" +
                                                      std::string(id) + "\" version " +
                                                      std::to_string(version));
        }
        if (vtable_->struct_size < detail::vtable_size(1)) {
            throw ::tenon::error(TENON_UNSUPPORTED,
                                 "the vtable of " + what_ + " is " +
                                     std::to_string(vtable_->struct_size) +
                                     " bytes, too small to hold a method");
        }
    }

    const Vtable *vtable_;
    void *instance_;
    std::string what_;
};

/* ------------------------------------------------------------------------ */
/* Methods and vtables                                                      */
/* ------------------------------------------------------------------------ */

/// tenon::method<&T::name>: the C function for one vtable slot, generated
/// from the member function T::name. It converts to the slot's C function
/// pointer type, and that type decides the conversions (see the table at the
/// top of this file); a method whose C++ signature does not fit its slot
/// does not compile. Use it inside TENON_VTABLE(...) or let tenon::vtable
/// use it for you.
///
/// The generated function casts the instance pointer to T *, converts the
/// arguments, calls the member function, writes its result into the C
/// out-parameter and runs it all inside tenon::guard, so no exception
/// escapes. Ownership: arguments are borrowed for the call (copy a
/// string_view or bytes_view to keep it); results are copied into
/// host-owned memory before the function returns, so a returned
/// std::string_view or bytes_view must point to data that outlives the call
/// and that no other thread changes meanwhile (a string literal, not a
/// member guarded by a mutex). Threads: the member function is called as the
/// host calls the slot ([instance]); with TENON_PLUGIN_THREAD_SAFE that may
/// be from several threads at once, so T must do its own locking.
template <auto Method> inline constexpr detail::method_ref<Method> method{};

/// tenon::vtable<V, &T::first, &T::second, ...>: a complete interface vtable
/// of type V (the struct from the interface header), with struct_size =
/// sizeof(V) and one tenon::method per slot, in declaration order. A
/// constant: copy it into a constexpr object of static storage and list its
/// address in TENON_INTERFACE_ENTRY:
///
///     constexpr example_kv_v1 kv_vtable =
///         tenon::vtable<example_kv_v1, &Store::get, &Store::put, &Store::remove, &Store::len>;
///
/// Fails to compile unless V starts with uint32_t struct_size and the
/// methods fill every slot of V (none missing, none extra).
///
/// Revisions: V is the vtable of the interface header you compile
/// against, so its sizeof says which revision the plugin implements. A
/// plugin built against an older header (before methods were appended)
/// stays valid: hosts of later revisions load it and report its missing
/// methods as not provided. To implement an earlier revision, build
/// against that revision's header (see sdk.h, TENON_VTABLE).
template <typename Vtable, auto... Methods>
inline constexpr Vtable vtable = detail::make_vtable<Vtable, Methods...>();

/* ------------------------------------------------------------------------ */
/* Instances                                                                */
/* ------------------------------------------------------------------------ */

/// The create and destroy functions of a plugin whose instances are objects
/// of class T. TENON_CPP_PLUGIN uses them; use them directly only in a
/// descriptor written by hand.
///
/// create constructs a T with `new`, choosing the first constructor T has
/// of: T(tenon::host, std::string_view config), T(tenon::host),
/// T(std::string_view config), T(). A constructor may throw: tenon::error
/// gives the host its status and message (reject a bad config with
/// tenon::error::invalid_argument), others are converted as tenon::guard
/// says, and the host then reports create_failed. destroy deletes the object;
/// T's destructor must not throw (checked). Both are [lifecycle] calls.
template <typename T> struct plugin {
    static_assert(std::is_nothrow_destructible_v<T>,
                  "the instance class's destructor must not throw (destroy has no error "
                  "channel)");

    /// The descriptor's create: a new T, stored in *out_instance.
    static tenon_status create(const tenon_host *raw_host, tenon_str config, void **out_instance,
                               tenon_buffer *error) noexcept {
        return guard(error, [&]() -> tenon_status {
            if (out_instance == nullptr) {
                throw ::tenon::error(TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
            }
            *out_instance = nullptr;
            host services(raw_host);
            std::string_view text =
                config.len != 0 ? std::string_view(config.ptr, config.len) : std::string_view();
            T *instance = nullptr;
            if constexpr (std::is_constructible_v<T, host, std::string_view>) {
                instance = new T(services, text);
            } else if constexpr (std::is_constructible_v<T, host>) {
                instance = new T(services);
            } else if constexpr (std::is_constructible_v<T, std::string_view>) {
                instance = new T(text);
            } else if constexpr (std::is_default_constructible_v<T>) {
                instance = new T();
            } else {
                static_assert(detail::always_false<T>,
                              "the instance class needs one of the constructors "
                              "T(tenon::host, std::string_view), T(tenon::host), "
                              "T(std::string_view) or T()");
            }
            *out_instance = instance;
            return TENON_OK;
        });
    }

    /// The descriptor's destroy: deletes the T that create made.
    static void destroy(void *instance) noexcept { delete static_cast<T *>(instance); }
};

} // namespace tenon

/// TENON_CPP_PLUGIN(T, name, version, description, flags,
///                  TENON_INTERFACE_ENTRY(id, version, &vtable), ...);
///
/// Defines the whole plugin at file scope (outside any namespace), once per
/// shared library: TENON_PLUGIN of sdk.h with tenon::plugin<T>::create and
/// ::destroy, so each instance is a `new T` (see tenon::plugin for the
/// constructors it may use). name, version, description and flags are as
/// for TENON_PLUGIN (string literals, semver, NULL or a string,
/// 0 or TENON_PLUGIN_THREAD_SAFE); then one TENON_INTERFACE_ENTRY per
/// interface, each pointing to a static vtable (usually a constexpr
/// tenon::vtable<...> object); one id may have an entry per version, each
/// with that version's vtable, to serve hosts of each from one build (hosts
/// of Tenon releases before this rule refuse an id listed twice). Set
/// TENON_PLUGIN_THREAD_SAFE only if every method of T may run concurrently
/// on one object. The exported entry is
/// tenon_plugin_v1, with C linkage; everything else has internal or hidden
/// linkage (link with the version script to hide the standard library's
/// symbols too). Compiled with -DTENON_STATIC_PLUGIN=<id>, the entry is the
/// hidden tenon_plugin_v1_<id> instead, for a static build (sdk.h,
/// docs/static.md).
#define TENON_CPP_PLUGIN(type, name, version, description, flags, ...)                             \
    TENON_PLUGIN(name, version, description, flags, ::tenon::plugin<type>::create,                 \
                 ::tenon::plugin<type>::destroy, __VA_ARGS__)

#endif /* TENON_PLUGIN_HPP */
