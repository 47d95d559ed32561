/*
 * tenon/sdk.h - writing Tenon plugins in C and C++ (helpers on top of plugin.h).
 *
 * plugin.h is the contract; this header only makes it short and hard to get
 * wrong to satisfy. Everything here expands to plain plugin.h declarations,
 * so a plugin built with it is indistinguishable from one written by hand.
 *
 * A complete plugin:
 *
 *     #include <tenon/sdk.h>
 *     #include <tenon_examples/greeter.h>
 *
 *     static tenon_status greet(void *instance, tenon_str name, tenon_buffer *out,
 *                               tenon_buffer *error) { ... }
 *     static tenon_status create(const tenon_host *host, tenon_str config,
 *                                void **out_instance, tenon_buffer *error) { ... }
 *     static void destroy(void *instance) { ... }
 *
 *     static const example_greeter_v1 greeter = TENON_VTABLE(example_greeter_v1, greet);
 *
 *     TENON_PLUGIN("greeter-c", "1.0.0", "Greets people", TENON_PLUGIN_THREAD_SAFE,
 *                  create, destroy,
 *                  TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION,
 *                                        &greeter));
 *
 * Build it as a shared library with hidden visibility, e.g.
 *     cc -std=c99 -shared -fPIC -fvisibility=hidden -o libgreeter.so greeter.c
 * and tenon_plugin_v1 is its only export. In C++ that is not enough: the
 * standard library gives namespace std default visibility, so std templates
 * the plugin instantiates (std::string's operator+, ...) are exported too.
 * On ELF platforms link C++ plugins with a version script that keeps only the
 * entry, -Wl,--version-script=FILE where FILE holds
 *     { global: tenon_plugin_v1; local: *; };
 *
 * Rules that make the macros safe (each is checked where the language allows):
 *   - Give every function and object of the plugin internal linkage (static),
 *     so nothing but tenon_plugin_v1 is visible even without
 *     -fvisibility=hidden.
 *   - List vtable methods positionally, in declaration order. Under -Wextra a
 *     missing method is a warning (-Wmissing-field-initializers), and a method
 *     of the wrong type is an error in C++ and a warning in C
 *     (-Wincompatible-pointer-types), so build with -Werror.
 *   - One TENON_PLUGIN per shared library (a second one does not compile).
 *
 * Portability: C99 and C++11 or later, warning-free under
 * -Wall -Wextra -Wpedantic with gcc and clang. Uses no compound literals (not
 * C++) and never passes an empty __VA_ARGS__ (not pedantic C99). MSVC needs
 * its conforming preprocessor (/Zc:preprocessor) for TENON_PLUGIN.
 *
 * Names: public macros and functions start with TENON_ / tenon_. Anything
 * starting with TENON_SDK_ or tenon_sdk_ is private to this header and may
 * change without notice; do not include it inside an extern "C" block.
 */
#ifndef TENON_SDK_H
#define TENON_SDK_H

#include <tenon/plugin.h>

/* ------------------------------------------------------------------------ */
/* Private plumbing                                                         */
/* ------------------------------------------------------------------------ */

#ifdef __cplusplus
#define TENON_SDK_NULL_ nullptr
#define TENON_SDK_NULL_AS_(type) static_cast<type *>(nullptr)
#define TENON_SDK_CAST_(type, value) static_cast<type>(value)
#define TENON_SDK_EXTERN_C_ extern "C"
#else
#define TENON_SDK_NULL_ NULL
#define TENON_SDK_NULL_AS_(type) ((type *)0)
#define TENON_SDK_CAST_(type, value) ((type)(value))
#define TENON_SDK_EXTERN_C_
#endif

#define TENON_SDK_CAT_(a, b) TENON_SDK_CAT2_(a, b)
#define TENON_SDK_CAT2_(a, b) a##b
#define TENON_SDK_COUNT_(array) (sizeof(array) / sizeof((array)[0]))

/* Zero of type size_t, or a compile error naming rule (an identifier) when
 * the integer constant expression cond is false. Usable inside expressions
 * and initializers, where a declaration such as static_assert is not
 * allowed. C reports "negative width in bit-field 'rule'", C++ "'rule' is
 * not a member of 'tenon_sdk_check_<false>'". */
#ifdef __cplusplus
template <bool Ok> struct tenon_sdk_check_ {};
template <> struct tenon_sdk_check_<true> {
    typedef char vtable_type_must_start_with_a_uint32_struct_size;
    typedef char vtable_ptr_must_point_to_a_vtable;
};
#define TENON_SDK_CHECK_EXPR_(cond, rule) (0u * sizeof(tenon_sdk_check_<(cond)>::rule))
#else
#define TENON_SDK_CHECK_EXPR_(cond, rule) (0u * sizeof(struct { int rule : (cond) ? 1 : -1; }))
#endif

/* 1 when the struct_size member of type is exactly uint32_t. C has no way to
 * ask before C11 (_Generic); offset and size are checked in every language. */
#ifdef __cplusplus
template <typename T> struct tenon_sdk_is_u32_ {
    enum { value = 0 };
};
template <> struct tenon_sdk_is_u32_<uint32_t> {
    enum { value = 1 };
};
#define TENON_SDK_IS_U32_MEMBER_(type)                                                             \
    (tenon_sdk_is_u32_<decltype(TENON_SDK_NULL_AS_(type)->struct_size)>::value == 1)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define TENON_SDK_IS_U32_MEMBER_(type)                                                             \
    _Generic(TENON_SDK_NULL_AS_(type)->struct_size, uint32_t: 1, default: 0)
#else
#define TENON_SDK_IS_U32_MEMBER_(type) 1
#endif

/* True when type starts with a uint32_t struct_size, as every Tenon vtable
 * (and every other extensible struct) must. */
#define TENON_SDK_STARTS_WITH_SIZE_(type)                                                          \
    (offsetof(type, struct_size) == 0 &&                                                           \
     sizeof(TENON_SDK_NULL_AS_(type)->struct_size) == sizeof(uint32_t) &&                          \
     TENON_SDK_IS_U32_MEMBER_(type))

/* True when ptr points to a struct with a 4-byte struct_size (fails to
 * compile when it does not point to a struct at all). */
#define TENON_SDK_POINTS_TO_A_VTABLE_(ptr) (sizeof((ptr)->struct_size) == sizeof(uint32_t))

/* Argument counting and mapping for TENON_PLUGIN, for 1 to 32 interfaces. */
#define TENON_SDK_NARG_(...)                                                                       \
    TENON_SDK_NARG_N_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,     \
                      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define TENON_SDK_NARG_N_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16,   \
                          a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30,    \
                          a31, a32, n, ...)                                                        \
    n

/* TENON_SDK_MAP_(m, (a), (b)) -> m (a), m (b) */
#define TENON_SDK_MAP_(m, ...)                                                                     \
    TENON_SDK_CAT_(TENON_SDK_MAP_, TENON_SDK_NARG_(__VA_ARGS__))(m, __VA_ARGS__)
#define TENON_SDK_MAP_1(m, x) m x
#define TENON_SDK_MAP_2(m, x, ...) m x, TENON_SDK_MAP_1(m, __VA_ARGS__)
#define TENON_SDK_MAP_3(m, x, ...) m x, TENON_SDK_MAP_2(m, __VA_ARGS__)
#define TENON_SDK_MAP_4(m, x, ...) m x, TENON_SDK_MAP_3(m, __VA_ARGS__)
#define TENON_SDK_MAP_5(m, x, ...) m x, TENON_SDK_MAP_4(m, __VA_ARGS__)
#define TENON_SDK_MAP_6(m, x, ...) m x, TENON_SDK_MAP_5(m, __VA_ARGS__)
#define TENON_SDK_MAP_7(m, x, ...) m x, TENON_SDK_MAP_6(m, __VA_ARGS__)
#define TENON_SDK_MAP_8(m, x, ...) m x, TENON_SDK_MAP_7(m, __VA_ARGS__)
#define TENON_SDK_MAP_9(m, x, ...) m x, TENON_SDK_MAP_8(m, __VA_ARGS__)
#define TENON_SDK_MAP_10(m, x, ...) m x, TENON_SDK_MAP_9(m, __VA_ARGS__)
#define TENON_SDK_MAP_11(m, x, ...) m x, TENON_SDK_MAP_10(m, __VA_ARGS__)
#define TENON_SDK_MAP_12(m, x, ...) m x, TENON_SDK_MAP_11(m, __VA_ARGS__)
#define TENON_SDK_MAP_13(m, x, ...) m x, TENON_SDK_MAP_12(m, __VA_ARGS__)
#define TENON_SDK_MAP_14(m, x, ...) m x, TENON_SDK_MAP_13(m, __VA_ARGS__)
#define TENON_SDK_MAP_15(m, x, ...) m x, TENON_SDK_MAP_14(m, __VA_ARGS__)
#define TENON_SDK_MAP_16(m, x, ...) m x, TENON_SDK_MAP_15(m, __VA_ARGS__)
#define TENON_SDK_MAP_17(m, x, ...) m x, TENON_SDK_MAP_16(m, __VA_ARGS__)
#define TENON_SDK_MAP_18(m, x, ...) m x, TENON_SDK_MAP_17(m, __VA_ARGS__)
#define TENON_SDK_MAP_19(m, x, ...) m x, TENON_SDK_MAP_18(m, __VA_ARGS__)
#define TENON_SDK_MAP_20(m, x, ...) m x, TENON_SDK_MAP_19(m, __VA_ARGS__)
#define TENON_SDK_MAP_21(m, x, ...) m x, TENON_SDK_MAP_20(m, __VA_ARGS__)
#define TENON_SDK_MAP_22(m, x, ...) m x, TENON_SDK_MAP_21(m, __VA_ARGS__)
#define TENON_SDK_MAP_23(m, x, ...) m x, TENON_SDK_MAP_22(m, __VA_ARGS__)
#define TENON_SDK_MAP_24(m, x, ...) m x, TENON_SDK_MAP_23(m, __VA_ARGS__)
#define TENON_SDK_MAP_25(m, x, ...) m x, TENON_SDK_MAP_24(m, __VA_ARGS__)
#define TENON_SDK_MAP_26(m, x, ...) m x, TENON_SDK_MAP_25(m, __VA_ARGS__)
#define TENON_SDK_MAP_27(m, x, ...) m x, TENON_SDK_MAP_26(m, __VA_ARGS__)
#define TENON_SDK_MAP_28(m, x, ...) m x, TENON_SDK_MAP_27(m, __VA_ARGS__)
#define TENON_SDK_MAP_29(m, x, ...) m x, TENON_SDK_MAP_28(m, __VA_ARGS__)
#define TENON_SDK_MAP_30(m, x, ...) m x, TENON_SDK_MAP_29(m, __VA_ARGS__)
#define TENON_SDK_MAP_31(m, x, ...) m x, TENON_SDK_MAP_30(m, __VA_ARGS__)
#define TENON_SDK_MAP_32(m, x, ...) m x, TENON_SDK_MAP_31(m, __VA_ARGS__)

/* TENON_SDK_TABLE_(a, b) -> &entries[0], &entries[1], */
#define TENON_SDK_TABLE_(...) TENON_SDK_CAT_(TENON_SDK_TABLE_, TENON_SDK_NARG_(__VA_ARGS__))
#define TENON_SDK_TABLE_1 &tenon_sdk_interface_entries_[0],
#define TENON_SDK_TABLE_2 TENON_SDK_TABLE_1 &tenon_sdk_interface_entries_[1],
#define TENON_SDK_TABLE_3 TENON_SDK_TABLE_2 &tenon_sdk_interface_entries_[2],
#define TENON_SDK_TABLE_4 TENON_SDK_TABLE_3 &tenon_sdk_interface_entries_[3],
#define TENON_SDK_TABLE_5 TENON_SDK_TABLE_4 &tenon_sdk_interface_entries_[4],
#define TENON_SDK_TABLE_6 TENON_SDK_TABLE_5 &tenon_sdk_interface_entries_[5],
#define TENON_SDK_TABLE_7 TENON_SDK_TABLE_6 &tenon_sdk_interface_entries_[6],
#define TENON_SDK_TABLE_8 TENON_SDK_TABLE_7 &tenon_sdk_interface_entries_[7],
#define TENON_SDK_TABLE_9 TENON_SDK_TABLE_8 &tenon_sdk_interface_entries_[8],
#define TENON_SDK_TABLE_10 TENON_SDK_TABLE_9 &tenon_sdk_interface_entries_[9],
#define TENON_SDK_TABLE_11 TENON_SDK_TABLE_10 &tenon_sdk_interface_entries_[10],
#define TENON_SDK_TABLE_12 TENON_SDK_TABLE_11 &tenon_sdk_interface_entries_[11],
#define TENON_SDK_TABLE_13 TENON_SDK_TABLE_12 &tenon_sdk_interface_entries_[12],
#define TENON_SDK_TABLE_14 TENON_SDK_TABLE_13 &tenon_sdk_interface_entries_[13],
#define TENON_SDK_TABLE_15 TENON_SDK_TABLE_14 &tenon_sdk_interface_entries_[14],
#define TENON_SDK_TABLE_16 TENON_SDK_TABLE_15 &tenon_sdk_interface_entries_[15],
#define TENON_SDK_TABLE_17 TENON_SDK_TABLE_16 &tenon_sdk_interface_entries_[16],
#define TENON_SDK_TABLE_18 TENON_SDK_TABLE_17 &tenon_sdk_interface_entries_[17],
#define TENON_SDK_TABLE_19 TENON_SDK_TABLE_18 &tenon_sdk_interface_entries_[18],
#define TENON_SDK_TABLE_20 TENON_SDK_TABLE_19 &tenon_sdk_interface_entries_[19],
#define TENON_SDK_TABLE_21 TENON_SDK_TABLE_20 &tenon_sdk_interface_entries_[20],
#define TENON_SDK_TABLE_22 TENON_SDK_TABLE_21 &tenon_sdk_interface_entries_[21],
#define TENON_SDK_TABLE_23 TENON_SDK_TABLE_22 &tenon_sdk_interface_entries_[22],
#define TENON_SDK_TABLE_24 TENON_SDK_TABLE_23 &tenon_sdk_interface_entries_[23],
#define TENON_SDK_TABLE_25 TENON_SDK_TABLE_24 &tenon_sdk_interface_entries_[24],
#define TENON_SDK_TABLE_26 TENON_SDK_TABLE_25 &tenon_sdk_interface_entries_[25],
#define TENON_SDK_TABLE_27 TENON_SDK_TABLE_26 &tenon_sdk_interface_entries_[26],
#define TENON_SDK_TABLE_28 TENON_SDK_TABLE_27 &tenon_sdk_interface_entries_[27],
#define TENON_SDK_TABLE_29 TENON_SDK_TABLE_28 &tenon_sdk_interface_entries_[28],
#define TENON_SDK_TABLE_30 TENON_SDK_TABLE_29 &tenon_sdk_interface_entries_[29],
#define TENON_SDK_TABLE_31 TENON_SDK_TABLE_30 &tenon_sdk_interface_entries_[30],
#define TENON_SDK_TABLE_32 TENON_SDK_TABLE_31 &tenon_sdk_interface_entries_[31],

/* ------------------------------------------------------------------------ */
/* Compile-time checks                                                      */
/* ------------------------------------------------------------------------ */

/* TENON_STATIC_ASSERT(cond, name_of_the_rule);
 *
 * A declaration that fails to compile when the integer constant expression
 * cond is false. name_of_the_rule is an identifier that appears in the
 * compiler's message (e.g. plugin_name_must_not_be_empty). Allowed wherever a
 * declaration is, at file or block scope. Uses static_assert in C++11,
 * _Static_assert in C11, and a negative array size in C99 (where the
 * message reads "size of array 'tenon_static_assert_<name>' is negative").
 * Defines nothing: the C99 form only declares an array that is never used. */
#if defined(__cplusplus) &&                                                                        \
    (__cplusplus >= 201103L || (defined(_MSVC_LANG) && _MSVC_LANG >= 201103L))
#define TENON_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define TENON_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#else
#define TENON_STATIC_ASSERT(cond, name) extern char tenon_static_assert_##name[(cond) ? 1 : -1]
#endif

/* ------------------------------------------------------------------------ */
/* Vtables and interface entries                                            */
/* ------------------------------------------------------------------------ */

/* static const vtable_type name = TENON_VTABLE(vtable_type, method, ...);
 *
 * Expands to the brace initializer { sizeof(vtable_type), method, ... } of an
 * interface vtable: struct_size is filled in for you, then the methods follow
 * positionally, in the order the interface header declares them (at least
 * one). Fails to compile unless vtable_type starts with a uint32_t
 * struct_size, as plugin.h requires of every vtable (the error names
 * vtable_type_must_start_with_a_uint32_struct_size; the exact type is
 * checked in C11 and C++, offset and size in C99).
 *
 * Ownership: the object you initialize is the vtable the host will call
 * through; make it static const so it lives as long as the library and is
 * immutable, which also makes reading it safe from any thread. Threads: the
 * methods themselves are called as plugin.h documents ([instance]).
 *
 * A method left out is NULL and -Wextra warns about it (in C you may write
 * designators, ".greet = greet", but then nothing warns about a missing
 * method; positional is safer).
 *
 * Revisions: an interface may append methods to its vtable without a
 * version bump (docs/ABI.md, "Versioning"). The vtable is the one of the
 * header you compile against, and you fill every method it declares:
 * struct_size = sizeof(vtable_type) tells the host which revision your
 * plugin implements. A plugin built against an older copy of the header
 * (fewer methods, a smaller sizeof) stays valid: hosts of later revisions
 * load it and report its missing methods as not provided. To implement an
 * earlier revision, build against that revision's header, not against a
 * newer one with methods left NULL (a NULL slot within struct_size is
 * refused at load). */
#define TENON_VTABLE(type, ...)                                                                    \
    {TENON_SDK_CAST_(uint32_t,                                                                     \
                     sizeof(type) +                                                                \
                         TENON_SDK_CHECK_EXPR_(TENON_SDK_STARTS_WITH_SIZE_(type),                  \
                                               vtable_type_must_start_with_a_uint32_struct_size)), \
     __VA_ARGS__}

/* TENON_INTERFACE_INIT(id, version, vtable_ptr)
 *
 * Expands to the brace initializer of one tenon_interface:
 *     { sizeof(tenon_interface), version, id, vtable_ptr }
 * id must be a string literal (or a macro for one, such as
 * EXAMPLE_GREETER_ID), so that it is NUL-terminated and static; version is
 * the interface version (EXAMPLE_GREETER_VERSION); vtable_ptr points to a
 * vtable with static storage (usually &name of a TENON_VTABLE). Fails to
 * compile if vtable_ptr does not point to a struct with a 4-byte struct_size,
 * which catches a forgotten '&'. TENON_PLUGIN uses it for every
 * TENON_INTERFACE_ENTRY; use it directly only when writing a descriptor by
 * hand. Ownership: the entry and everything it points to belong to the
 * plugin and must stay valid and unchanged while the library is loaded. */
#define TENON_INTERFACE_INIT(id, version, vtable_ptr)                                              \
    {TENON_SDK_CAST_(uint32_t,                                                                     \
                     sizeof(tenon_interface) +                                                     \
                         TENON_SDK_CHECK_EXPR_(TENON_SDK_POINTS_TO_A_VTABLE_(vtable_ptr),          \
                                               vtable_ptr_must_point_to_a_vtable)),                \
     TENON_SDK_CAST_(uint32_t, version), "" id, (vtable_ptr)}

/* TENON_INTERFACE_ENTRY(id, version, vtable_ptr)
 *
 * Names one interface of the plugin, as an argument of TENON_PLUGIN, which
 * turns it into a static tenon_interface (see TENON_INTERFACE_INIT for the
 * rules on each argument). Defines nothing by itself: it expands to the
 * parenthesized triple (id, version, vtable_ptr) and means nothing outside
 * TENON_PLUGIN. One id may be named in several entries at different
 * versions, each with that version's vtable: one build then serves hosts
 * of each version (hosts of Tenon releases before this rule refuse an id
 * named twice); the same id and version twice is refused by every host. */
#define TENON_INTERFACE_ENTRY(id, version, vtable_ptr) (id, version, vtable_ptr)

/* ------------------------------------------------------------------------ */
/* The plugin                                                               */
/* ------------------------------------------------------------------------ */

/* TENON_PLUGIN(name, version, description, flags, create_fn, destroy_fn,
 *              TENON_INTERFACE_ENTRY(...), ...);
 *
 * Defines the whole plugin side of the contract, at file scope, once per
 * shared library, followed by a semicolon:
 *
 *   - static const tenon_interface tenon_sdk_interface_entries_[]: one entry
 *     per TENON_INTERFACE_ENTRY, in the order given (1 to 32 of them);
 *   - static const tenon_interface *const tenon_sdk_interface_table_[]: a
 *     pointer to each entry, then the NULL terminator plugin.h requires;
 *   - static const tenon_plugin_descriptor tenon_sdk_descriptor_: struct_size
 *     = sizeof(tenon_plugin_descriptor), abi_major/abi_minor =
 *     TENON_ABI_MAJOR/TENON_ABI_MINOR of the plugin.h compiled against,
 *     interface_count computed from the table itself (never typed by hand),
 *     and the arguments below;
 *   - the exported entry function tenon_plugin_v1 (TENON_EXPORT, C linkage
 *     also in C++), which returns the descriptor; under TENON_STATIC_PLUGIN
 *     the hidden entry tenon_plugin_v1_<id> instead (see above).
 *
 * Arguments:
 *   name         string literal, the plugin's name, not empty (checked).
 *   version      string literal, a semantic version such as "1.0.0", not
 *                empty (checked; the host checks it is semver).
 *   description  a static NUL-terminated string (usually a literal), or NULL.
 *   flags        0 or TENON_PLUGIN_THREAD_SAFE (bits of a uint64_t). Set it
 *                only if every method may run concurrently on one instance.
 *   create_fn    tenon_status (*)(const tenon_host *, tenon_str config,
 *                void **out_instance, tenon_buffer *error). Stores the new
 *                instance in *out_instance and returns TENON_OK, or returns a
 *                failure status with a message (return tenon_fail(...)).
 *   destroy_fn   void (*)(void *instance). Frees what create_fn allocated.
 *   ...          one or more TENON_INTERFACE_ENTRY(id, version, &vtable).
 *                Ids must differ from each other (the host checks).
 * A function of the wrong type is an error in C++ and, with -Werror, in C.
 *
 * Ownership: the descriptor, the table, the entries and the strings are
 * static, owned by the plugin and immutable for as long as the library is
 * loaded; the host only reads them. Threads: tenon_plugin_v1 only returns the
 * address of a constant object, so it may be called from any thread, any
 * number of times, and always returns the same pointer. create_fn and
 * destroy_fn are [lifecycle] calls (see plugin.h).
 *
 * The names above are reserved by this macro: a second TENON_PLUGIN in the
 * same translation unit, or a second tenon_plugin_v1 in the library, does not
 * compile or link. */
/* Static builds (docs/static.md): compiled with -DTENON_STATIC_PLUGIN=<id>,
 * where <id> is an identifier unique among the plugins linked into one
 * program (e.g. greeter_c), TENON_PLUGIN defines the entry
 * tenon_plugin_v1_<id> instead of tenon_plugin_v1, with hidden visibility:
 * an object or static library the host links and reaches through its
 * registry (tenon::Registry::with_static), which exports nothing and
 * cannot collide with another plugin's entry. Without the define the
 * build is the shared-library one described here. */
#ifdef TENON_STATIC_PLUGIN
#define TENON_SDK_ENTRY_ TENON_SDK_CAT_(tenon_plugin_v1_, TENON_STATIC_PLUGIN)
#if (defined(__GNUC__) || defined(__clang__)) && !defined(_WIN32) && !defined(__CYGWIN__)
#define TENON_SDK_ENTRY_LINKAGE_ __attribute__((visibility("hidden")))
#else
/* PE/COFF has no symbol visibility (MinGW gcc warns that the attribute is
 * ignored): a symbol without dllexport is not exported anyway. */
#define TENON_SDK_ENTRY_LINKAGE_
#endif
#else
#define TENON_SDK_ENTRY_ tenon_plugin_v1
#define TENON_SDK_ENTRY_LINKAGE_ TENON_EXPORT
#endif

#define TENON_PLUGIN(name, version, description, flags, create_fn, destroy_fn, ...)                \
    TENON_STATIC_ASSERT(sizeof("" name) > 1, plugin_name_must_not_be_empty);                       \
    TENON_STATIC_ASSERT(sizeof("" version) > 1, plugin_version_must_not_be_empty);                 \
    static const tenon_interface tenon_sdk_interface_entries_[] = {                                \
        TENON_SDK_MAP_(TENON_INTERFACE_INIT, __VA_ARGS__)};                                        \
    static const tenon_interface *const tenon_sdk_interface_table_[] = {                           \
        TENON_SDK_TABLE_(__VA_ARGS__) TENON_SDK_NULL_};                                            \
    TENON_STATIC_ASSERT(TENON_SDK_COUNT_(tenon_sdk_interface_table_) ==                            \
                            TENON_SDK_COUNT_(tenon_sdk_interface_entries_) + 1,                    \
                        plugin_interface_table_must_list_every_entry);                             \
    static const tenon_plugin_descriptor tenon_sdk_descriptor_ = {                                 \
        TENON_SDK_CAST_(uint32_t, sizeof(tenon_plugin_descriptor)),                                \
        TENON_SDK_CAST_(uint16_t, TENON_ABI_MAJOR),                                                \
        TENON_SDK_CAST_(uint16_t, TENON_ABI_MINOR),                                                \
        "" name,                                                                                   \
        "" version,                                                                                \
        (description),                                                                             \
        TENON_SDK_CAST_(uint64_t, flags),                                                          \
        TENON_SDK_CAST_(uint32_t, TENON_SDK_COUNT_(tenon_sdk_interface_table_) - 1u),              \
        tenon_sdk_interface_table_,                                                                \
        (create_fn),                                                                               \
        (destroy_fn)};                                                                             \
    TENON_SDK_EXTERN_C_ TENON_SDK_ENTRY_LINKAGE_ const tenon_plugin_descriptor *TENON_SDK_ENTRY_( \
        void);                                                                                     \
    TENON_SDK_EXTERN_C_ TENON_SDK_ENTRY_LINKAGE_ const tenon_plugin_descriptor *TENON_SDK_ENTRY_( \
        void) {                                                                                    \
        return &tenon_sdk_descriptor_;                                                             \
    }                                                                                              \
    struct tenon_sdk_plugin_needs_a_semicolon_

/* ------------------------------------------------------------------------ */
/* Small helpers for method bodies                                          */
/* ------------------------------------------------------------------------ */

/* TENON_UNUSED(x): marks a parameter as deliberately unused. */
#define TENON_UNUSED(x) TENON_SDK_CAST_(void, x)

/* TENON_HAS_FIELD(ptr, type, field)
 *
 * True when ptr is not NULL and the struct it points to, whose owner wrote
 * its size into ptr->struct_size, is large enough to contain field. Read a
 * field of a size-prefixed struct from the other side (tenon_host, a host
 * vtable) only when this is true: an older peer may not have it (a method
 * appended in a later revision of an interface than the host implements
 * is such a field). Evaluates
 * ptr more than once. [any-thread]. */
#define TENON_HAS_FIELD(ptr, type, field)                                                          \
    ((ptr) != TENON_SDK_NULL_ &&                                                                   \
     TENON_SDK_CAST_(size_t, (ptr)->struct_size) >=                                                \
         offsetof(type, field) + sizeof(TENON_SDK_NULL_AS_(type)->field))

/* A tenon_str borrowing the NUL-terminated string text (without its NUL);
 * {NULL, 0} when text is NULL. Nothing is copied: the result is valid as long
 * as text is. [any-thread]. */
static inline tenon_str tenon_str_from_cstr(const char *text) {
    tenon_str result;
    result.ptr = text;
    result.len = text != TENON_SDK_NULL_ ? strlen(text) : 0;
    return result;
}

/* True when s holds exactly the bytes of the NUL-terminated string text.
 * [any-thread]. */
static inline bool tenon_str_equals_cstr(tenon_str s, const char *text) {
    size_t len = text != TENON_SDK_NULL_ ? strlen(text) : 0;
    return s.len == len && (len == 0 || memcmp(s.ptr, text, len) == 0);
}

/* Appends the bytes of s to buffer, growing it through its reserve callback.
 * Returns TENON_OK or the status reserve returned (see tenon_buffer_append).
 * [instance]: only during the call that received buffer. */
static inline tenon_status tenon_buffer_append_str(tenon_buffer *buffer, tenon_str s) {
    return tenon_buffer_append(buffer, s.ptr, s.len);
}

/* Sends the NUL-terminated message to the host's log at level (one of
 * TENON_LOG_*). Does nothing when host or message is NULL or the host
 * predates the log field. The host copies the message before returning.
 * host is the pointer create received, valid until destroy returns.
 * [any-thread]. */
static inline void tenon_host_log(const tenon_host *host, tenon_log_level level,
                                  const char *message) {
    if (message == TENON_SDK_NULL_ || !TENON_HAS_FIELD(host, tenon_host, log) ||
        host->log == TENON_SDK_NULL_) {
        return;
    }
    host->log(host, level, tenon_str_from_cstr(message));
}

/* ------------------------------------------------------------------------ */
/* C++: no exception crosses the boundary                                   */
/* ------------------------------------------------------------------------ */

#if defined(__cplusplus) &&                                                                        \
    (defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND))
#include <exception>
#include <new>

/* return tenon_guard(error, [&]() -> tenon_status { ...; return TENON_OK; });
 *
 * C++ only (and only when exceptions are enabled). Runs body, which must
 * return a tenon_status, and turns any exception it throws into a status and
 * a message in error instead of letting it unwind into the host:
 * std::bad_alloc becomes TENON_OUT_OF_MEMORY, any other exception
 * TENON_PANIC with what() (or "unknown C++ exception"). Wrap the body of
 * every method and of create with it; destroy must not throw (mark it
 * noexcept). error may be NULL (the message is then dropped). [any-thread]:
 * it adds no state of its own. This is the one exception boundary of the C
 * and C++ SDK: tenon/plugin.hpp's tenon::guard runs inside it and only adds
 * the status a tenon::error carries. */
template <typename F> inline tenon_status tenon_guard(tenon_buffer *error, F &&body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception &exception) {
        return tenon_fail(error, TENON_PANIC, exception.what());
    } catch (...) {
        return tenon_fail(error, TENON_PANIC, "unknown C++ exception");
    }
}
#endif

#endif /* TENON_SDK_H */
