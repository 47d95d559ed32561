//! The C side of the contract compiles cleanly everywhere it promises to.
//!
//! - `plugin.h`, `sdk.h` and the example interface headers compile as C99,
//!   C11, C++11 and C++17, each alone and all together, and from two
//!   translation units linked into one program (C, C++ and C with C++);
//! - every example plugin (`examples-c/<stem>/<stem>.c`) and every C fixture
//!   (`tests/fixtures/*.c`) builds as a shared library as C99 and C11;
//! - a C++ plugin written with `sdk.h` builds as C++11 and C++17;
//! - the mistakes `sdk.h` promises to catch do not compile;
//! - every plugin built here exports exactly one symbol, `tenon_plugin_v1`
//!   (checked with `nm`), and `no_entry` exports no entry;
//!
//! all with both gcc and clang (g++ and clang++ for C++) and
//! `-Wall -Wextra -Wpedantic -Werror`; and the examples, which include every
//! SDK header, also under the stricter warnings the guides say the headers
//! are clean under (`-Wshadow`, `-Wconversion`, ...).
//!
//! A compiler or `nm` that is not installed is reported on stderr as
//! `TOOLCHAIN MISSING: <tool> ...` and skipped, unless
//! `TENON_REQUIRE_TOOLCHAINS=1`, which makes it a failure. Every failure names
//! the compiler, the language standard and the file.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{
    available, build_name, check_exports_only_entry, compile, compile_plugin, exported_symbols,
    include_args, library_name, repo_root, run, scratch, symbol_lister, Failures,
    STRICT_CXX_WARNINGS, STRICT_C_WARNINGS, WARNINGS,
};

const C_COMPILERS: &[&str] = &["gcc", "clang"];
const CXX_COMPILERS: &[&str] = &["g++", "clang++"];
const C_STANDARDS: &[&str] = &["c99", "c11"];
const CXX_STANDARDS: &[&str] = &["c++11", "c++17"];

/// C fixtures in `tests/fixtures/` that are meant not to compile (none yet).
const FIXTURES_THAT_DO_NOT_COMPILE: &[&str] = &[];
/// C fixtures that are valid libraries but deliberately export no entry.
const FIXTURES_WITHOUT_ENTRY: &[&str] = &["no_entry"];
/// C fixtures that deliberately export more than the entry.
const FIXTURES_WITH_EXTRA_EXPORTS: &[&str] = &["extra_exports"];

/// The headers of the contract, as included (`#include <...>`).
const HEADERS: &[&str] = &[
    "tenon/plugin.h",
    "tenon/sdk.h",
    "tenon_examples/greeter.h",
    "tenon_examples/kv.h",
    "tenon_examples/processor.h",
];

/// Compiles `source` to an object file (`-c`) with the strict warnings.
fn compile_object(compiler: &str, std: &str, source: &Path, object: &Path) -> Result<(), String> {
    let mut args: Vec<String> = WARNINGS.iter().map(|w| w.to_string()).collect();
    args.extend(include_args());
    args.extend([
        "-c".into(),
        source.display().to_string(),
        "-o".into(),
        object.display().to_string(),
    ]);
    compile(compiler, std, source, &args)
}

/// Checks that `library` (built as `what` says) is a library that exports
/// something, but no `tenon_plugin_v*` entry.
fn check_exports_no_entry(lister: &[&str], what: &str, library: &Path) -> Result<(), String> {
    let symbols = exported_symbols(lister, library).map_err(|error| format!("{what}: {error}"))?;
    if symbols.is_empty() || symbols.iter().any(|s| s.starts_with("tenon_plugin_v")) {
        Err(format!(
            "{what}: {} must export something, but no tenon_plugin_v*; exports {symbols:?}",
            library.display()
        ))
    } else {
        Ok(())
    }
}

fn check_exports_more_than_entry(
    lister: &[&str],
    what: &str,
    library: &Path,
) -> Result<(), String> {
    let symbols = exported_symbols(lister, library).map_err(|error| format!("{what}: {error}"))?;
    if symbols.len() > 1 && symbols.iter().any(|s| s == "tenon_plugin_v1") {
        Ok(())
    } else {
        Err(format!(
            "{what}: {} must export tenon_plugin_v1 and more; exports {symbols:?}",
            library.display()
        ))
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("write scratch source");
    path
}

/// One translation unit including every header, plus one per header alone
/// (each header must be self-contained).
fn header_sources(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut all = String::from("/* Every Tenon header, twice (include guards). */\n");
    for _ in 0..2 {
        for header in HEADERS {
            all.push_str(&format!("#include <{header}>\n"));
        }
    }
    all.push_str(
        "TENON_STATIC_ASSERT(TENON_ABI_MAJOR == 1, abi_major_is_1);\n\
         int tenon_test_uses_headers(void);\n\
         int tenon_test_uses_headers(void) {\n\
         \x20   tenon_str s = tenon_str_from_cstr(\"x\");\n\
         \x20   return (int)s.len + (int)sizeof(example_kv_v1) +\n\
         \x20          (int)sizeof(example_greeter_v1) + (int)sizeof(example_processor_v1);\n\
         }\n",
    );
    let mut sources = vec![write(dir, &format!("all_headers.{extension}"), &all)];
    for header in HEADERS {
        let stem = header.replace(['/', '.'], "_");
        let text = format!("#include <{header}>\nint tenon_test_{stem}(void);\n");
        sources.push(write(dir, &format!("only_{stem}.{extension}"), &text));
    }
    sources
}

fn compile_headers(test: &str, compilers: &[&'static str], standards: &[&str], extension: &str) {
    let dir = scratch(test);
    let sources = header_sources(&dir, extension);
    let mut failures = Failures::default();
    for compiler in available(compilers) {
        for std in standards {
            for source in &sources {
                let object = dir.join(format!(
                    "{}-{compiler}-{std}.o",
                    source.file_stem().unwrap().to_string_lossy()
                ));
                failures.check(compile_object(compiler, std, source, &object));
            }
        }
    }
    failures.assert_none();
}

#[test]
fn headers_compile_as_c99_and_c11() {
    compile_headers("headers_c", C_COMPILERS, C_STANDARDS, "c");
}

#[test]
fn headers_compile_as_cxx11_and_cxx17() {
    compile_headers("headers_cxx", CXX_COMPILERS, CXX_STANDARDS, "cpp");
}

/// A plugin translation unit written with sdk.h, valid as C and as C++.
const TWO_TU_PLUGIN: &str = r#"
#include <tenon/sdk.h>
#include <tenon/plugin.h>
#include <tenon_examples/greeter.h>
#include <tenon_examples/kv.h>
#include <tenon_examples/processor.h>
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>

static char instance_storage;

static tenon_status greet(void *instance, tenon_str name, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance);
    TENON_UNUSED(error);
    if (tenon_buffer_append_cstr(out, "Hello, ") != TENON_OK ||
        tenon_buffer_append_str(out, name) != TENON_OK ||
        tenon_buffer_append_cstr(out, "!") != TENON_OK) {
        return TENON_OUT_OF_MEMORY;
    }
    return TENON_OK;
}

static tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                           tenon_buffer *error) {
    TENON_UNUSED(host);
    if (config.len != 0) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "no config, please");
    }
    *out_instance = &instance_storage;
    return TENON_OK;
}

static void destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_greeter_v1 greeter = TENON_VTABLE(example_greeter_v1, greet);

TENON_PLUGIN("two-tus", "1.0.0", "linked with its host", TENON_PLUGIN_THREAD_SAFE, create, destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION, &greeter));
"#;

/// A host translation unit that calls the plugin above, valid as C and C++.
const TWO_TU_HOST: &str = r#"
#include <tenon/plugin.h>
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>
#include <tenon_examples/kv.h>
#include <tenon_examples/processor.h>
#include <tenon/plugin.h>
#include <tenon/sdk.h>
#include <tenon_examples/kv.h>
#include <stdio.h>
#include <stdlib.h>

static tenon_status grow(tenon_buffer *buffer, size_t additional) {
    size_t capacity = buffer->len + additional;
    uint8_t *data = (uint8_t *)realloc(buffer->data, capacity);
    if (data == NULL) {
        return TENON_OUT_OF_MEMORY;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return TENON_OK;
}

static void log_message(const tenon_host *host, tenon_log_level level, tenon_str message) {
    (void)host;
    (void)level;
    (void)message;
}

static const void *no_interface(const tenon_host *host, tenon_str id, uint32_t version,
                                void **out_instance) {
    (void)host;
    (void)id;
    (void)version;
    *out_instance = NULL;
    return NULL;
}

int main(void) {
    const tenon_plugin_descriptor *d = tenon_plugin_v1();
    const example_greeter_v1 *greeter;
    tenon_host host = {(uint32_t)sizeof(tenon_host), TENON_ABI_MAJOR, TENON_ABI_MINOR, NULL,
                       log_message, no_interface};
    tenon_buffer out = {NULL, 0, 0, grow, NULL};
    tenon_buffer error = {NULL, 0, 0, grow, NULL};
    void *instance = NULL;
    int ok;
    if (d != tenon_plugin_v1() || d->struct_size != sizeof(tenon_plugin_descriptor) ||
        d->abi_major != TENON_ABI_MAJOR || d->abi_minor != TENON_ABI_MINOR ||
        d->interface_count != 1 || d->interfaces[1] != NULL ||
        strcmp(d->interfaces[0]->id, EXAMPLE_GREETER_ID) != 0 ||
        d->interfaces[0]->version != EXAMPLE_GREETER_VERSION ||
        d->interfaces[0]->struct_size != sizeof(tenon_interface) ||
        d->flags != TENON_PLUGIN_THREAD_SAFE || strcmp(d->name, "two-tus") != 0) {
        fprintf(stderr, "descriptor is wrong\n");
        return 1;
    }
    greeter = (const example_greeter_v1 *)d->interfaces[0]->vtable;
    if (greeter->struct_size != sizeof(example_greeter_v1)) {
        fprintf(stderr, "vtable struct_size is wrong\n");
        return 2;
    }
    if (d->create(&host, tenon_str_from_cstr("x"), &instance, &error) != TENON_INVALID_ARGUMENT ||
        error.len != strlen("no config, please") ||
        memcmp(error.data, "no config, please", error.len) != 0) {
        fprintf(stderr, "create did not fail as expected\n");
        return 3;
    }
    error.len = 0;
    if (d->create(&host, tenon_str_from_cstr(""), &instance, &error) != TENON_OK) {
        fprintf(stderr, "create failed\n");
        return 4;
    }
    ok = greeter->greet(instance, tenon_str_from_cstr("w\xC3\xB6rld"), &out, &error) == TENON_OK &&
         out.len == strlen("Hello, w\xC3\xB6rld!") &&
         memcmp(out.data, "Hello, w\xC3\xB6rld!", out.len) == 0;
    d->destroy(instance);
    free(out.data);
    free(error.data);
    if (!ok) {
        fprintf(stderr, "greet returned the wrong text\n");
        return 5;
    }
    return 0;
}
"#;

/// Two translation units including every header (twice), one a plugin made
/// with sdk.h, one a host calling it, compiled separately and linked into
/// one program, which must run and find everything right. Covers duplicate
/// definitions from headers, C linkage across C and C++, and the macros.
#[test]
fn headers_link_from_two_translation_units() {
    let dir = scratch("two_tus");
    let mut failures = Failures::default();
    let c = available(C_COMPILERS);
    let cxx = available(CXX_COMPILERS);
    // (plugin compiler, plugin std, host compiler, host std)
    let mut combos: Vec<(&str, &str, &str, &str)> = Vec::new();
    for compiler in &c {
        for std in C_STANDARDS {
            combos.push((compiler, std, compiler, std));
        }
    }
    for compiler in &cxx {
        for std in CXX_STANDARDS {
            combos.push((compiler, std, compiler, std));
        }
    }
    // A C plugin linked into a C++ host, by the same vendor's pair.
    for (c_compiler, cxx_compiler) in [("gcc", "g++"), ("clang", "clang++")] {
        if c.contains(&c_compiler) && cxx.contains(&cxx_compiler) {
            combos.push((c_compiler, "c99", cxx_compiler, "c++11"));
        }
    }
    for (plugin_cc, plugin_std, host_cc, host_std) in combos {
        let extension = |std: &str| if std.starts_with("c++") { "cpp" } else { "c" };
        let tag = format!("{plugin_cc}-{plugin_std}-{host_cc}-{host_std}");
        let plugin = write(
            &dir,
            &format!("plugin-{tag}.{}", extension(plugin_std)),
            TWO_TU_PLUGIN,
        );
        let host = write(
            &dir,
            &format!("host-{tag}.{}", extension(host_std)),
            TWO_TU_HOST,
        );
        let plugin_object = plugin.with_extension("o");
        let host_object = host.with_extension("o");
        let program = dir.join(format!("program-{tag}"));
        let result = compile_object(plugin_cc, plugin_std, &plugin, &plugin_object)
            .and_then(|()| compile_object(host_cc, host_std, &host, &host_object))
            .and_then(|()| {
                run(
                    &format!(
                        "linking {} and {} with {host_cc} ({plugin_std} + {host_std})",
                        plugin.display(),
                        host.display()
                    ),
                    Command::new(host_cc)
                        .arg(&plugin_object)
                        .arg(&host_object)
                        .arg("-o")
                        .arg(&program),
                )
            })
            .and_then(|_| {
                run(
                    &format!(
                        "{} ({} + {})",
                        program.display(),
                        build_name(plugin_cc, plugin_std, &plugin),
                        build_name(host_cc, host_std, &host)
                    ),
                    &mut Command::new(&program),
                )
                .map(|_| ())
            });
        failures.check(result);
    }
    failures.assert_none();
}

/// `(stem, source file)` pairs.
type Sources = Vec<(String, PathBuf)>;

/// The sources of every C example plugin, and of every C fixture.
fn plugin_sources() -> (Sources, Sources) {
    let root = repo_root();
    let mut examples = Vec::new();
    for entry in fs::read_dir(root.join("examples-c")).expect("read examples-c") {
        let dir = entry.expect("examples-c entry").path();
        let stem = dir.file_name().unwrap().to_string_lossy().into_owned();
        let source = dir.join(format!("{stem}.c"));
        if source.is_file() {
            examples.push((stem, source));
        }
    }
    let mut fixtures = Vec::new();
    for entry in fs::read_dir(root.join("tests/fixtures")).expect("read tests/fixtures") {
        let path = entry.expect("tests/fixtures entry").path();
        if path.extension().is_some_and(|ext| ext == "c") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if !FIXTURES_THAT_DO_NOT_COMPILE.contains(&stem.as_str()) {
                fixtures.push((stem, path));
            }
        }
    }
    examples.sort();
    fixtures.sort();
    (examples, fixtures)
}

#[test]
fn example_plugins_and_fixtures_build_and_export_only_the_entry() {
    let dir = scratch("plugins");
    let (examples, fixtures) = plugin_sources();
    for expected in ["greeter", "processor"] {
        assert!(
            examples.iter().any(|(stem, _)| stem == expected),
            "examples-c/{expected}/{expected}.c is missing"
        );
    }
    for expected in ["no_entry", "abi_v2", "create_fails", "null_slot"] {
        assert!(
            fixtures.iter().any(|(stem, _)| stem == expected),
            "tests/fixtures/{expected}.c is missing"
        );
    }
    let lister = symbol_lister();
    let mut failures = Failures::default();
    for compiler in available(C_COMPILERS) {
        for std in C_STANDARDS {
            for (stem, source) in examples.iter().chain(&fixtures) {
                let library = dir.join(library_name(&format!("{stem}-{compiler}-{std}")));
                if let Err(message) = compile_plugin(compiler, std, source, &library, &[]) {
                    failures.push(message);
                    continue;
                }
                let Some(lister) = &lister else { continue };
                let what = build_name(compiler, std, source);
                if FIXTURES_WITHOUT_ENTRY.contains(&stem.as_str()) {
                    failures.check(check_exports_no_entry(lister, &what, &library));
                } else if FIXTURES_WITH_EXTRA_EXPORTS.contains(&stem.as_str()) {
                    failures.check(check_exports_more_than_entry(lister, &what, &library));
                } else {
                    failures.check(check_exports_only_entry(lister, &what, &library));
                }
            }
        }
    }
    failures.assert_none();
}

/// A C++ plugin with two interfaces, exceptions turned into statuses by
/// tenon_guard, and a lambda: sdk.h must serve C++ plugin authors too.
const CXX_PLUGIN: &str = r#"
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>
#include <tenon_examples/processor.h>
#include <stdexcept>
#include <string>

namespace {

struct Instance {
    std::string prefix;
};

tenon_status greet(void *instance, tenon_str name, tenon_buffer *out, tenon_buffer *error) {
    return tenon_guard(error, [&]() -> tenon_status {
        const Instance *self = static_cast<const Instance *>(instance);
        if (name.len == 0) {
            throw std::invalid_argument("empty name");
        }
        std::string text = self->prefix + std::string(name.ptr, name.len) + "!";
        return tenon_buffer_append(out, text.data(), text.size());
    });
}

tenon_status processor_name(void *, tenon_buffer *out, tenon_buffer *) {
    return tenon_buffer_append_cstr(out, "identity");
}

tenon_status process(void *, tenon_bytes input, tenon_buffer *out, tenon_buffer *) {
    return tenon_buffer_append(out, input.ptr, input.len);
}

tenon_status create(const tenon_host *host, tenon_str, void **out_instance, tenon_buffer *error) {
    return tenon_guard(error, [&]() -> tenon_status {
        *out_instance = new Instance{"Hello, "};
        tenon_host_log(host, TENON_LOG_DEBUG, "created");
        return TENON_OK;
    });
}

void destroy(void *instance) noexcept {
    delete static_cast<Instance *>(instance);
}

const example_greeter_v1 greeter = TENON_VTABLE(example_greeter_v1, greet);
const example_processor_v1 processor =
    TENON_VTABLE(example_processor_v1, processor_name, process);

} // namespace

TENON_PLUGIN("cxx-plugin", "1.0.0", nullptr, 0, create, destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_GREETER_ID, EXAMPLE_GREETER_VERSION, &greeter),
             TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, EXAMPLE_PROCESSOR_VERSION, &processor));
"#;

/// C++ plugins need more than -fvisibility=hidden to export only the entry:
/// the standard library declares namespace std with default visibility, so
/// every std template a plugin instantiates (std::string's operator+, ...)
/// would be exported as a weak symbol. A linker version script that keeps
/// only tenon_plugin_v1 global fixes that on ELF platforms.
const CXX_VERSION_SCRIPT: &str = "{ global: tenon_plugin_v1; local: *; };\n";

#[test]
fn sdk_builds_cxx_plugins_that_export_only_the_entry() {
    let dir = scratch("cxx_plugin");
    let source = write(&dir, "cxx_plugin.cpp", CXX_PLUGIN);
    let mut extra = vec!["-fvisibility-inlines-hidden".to_owned()];
    if cfg!(target_os = "linux") {
        let script = write(&dir, "tenon_plugin.map", CXX_VERSION_SCRIPT);
        extra.push(format!("-Wl,--version-script={}", script.display()));
    }
    let lister = symbol_lister();
    let mut failures = Failures::default();
    for compiler in available(CXX_COMPILERS) {
        for std in CXX_STANDARDS {
            let library = dir.join(library_name(&format!("cxx-{compiler}-{std}")));
            let built = compile_plugin(compiler, std, &source, &library, &extra);
            let exported = match (&built, &lister) {
                (Ok(()), Some(lister)) => {
                    check_exports_only_entry(lister, &build_name(compiler, std, &source), &library)
                }
                _ => Ok(()),
            };
            failures.check(built);
            failures.check(exported);
        }
    }
    failures.assert_none();
}

/// Mistakes sdk.h promises to turn into compile errors: (name, code, a
/// substring the compiler's message must contain, or "" for any error).
const MISTAKES: &[(&str, &str, &str)] = &[
    (
        "vtable_without_uint32_size",
        "typedef struct bad_vtable { uint64_t struct_size; void (*f)(void); } bad_vtable;\n\
         static void f(void) {}\n\
         static const bad_vtable vtable = TENON_VTABLE(bad_vtable, f);\n\
         PLUGIN(&vtable);",
        "vtable_type_must_start_with_a_uint32_struct_size",
    ),
    (
        "vtable_size_not_first",
        "typedef struct bad_vtable { void (*f)(void); uint32_t struct_size; } bad_vtable;\n\
         static void f(void) {}\n\
         static const bad_vtable vtable = TENON_VTABLE(bad_vtable, f);\n\
         PLUGIN(&vtable);",
        "vtable_type_must_start_with_a_uint32_struct_size",
    ),
    (
        "missing_method",
        "static const example_processor_v1 vtable = PROCESSOR(name);\n\
         PLUGIN(&vtable);",
        "",
    ),
    (
        "method_of_the_wrong_type",
        "static const example_processor_v1 vtable = PROCESSOR(name, name);\n\
         PLUGIN(&vtable);",
        "",
    ),
    (
        "forgotten_ampersand",
        "static const example_processor_v1 vtable = PROCESSOR(name, process);\n\
         PLUGIN(vtable);",
        "",
    ),
    (
        "empty_plugin_name",
        "static const example_processor_v1 vtable = PROCESSOR(name, process);\n\
         TENON_PLUGIN(\"\", \"1.0.0\", NULL, 0, create, destroy,\n\
         \x20            TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, 1, &vtable));",
        "plugin_name_must_not_be_empty",
    ),
    (
        "no_interface",
        "TENON_PLUGIN(\"p\", \"1.0.0\", NULL, 0, create, destroy);",
        "",
    ),
    (
        "swapped_create_and_destroy",
        "static const example_processor_v1 vtable = PROCESSOR(name, process);\n\
         TENON_PLUGIN(\"p\", \"1.0.0\", NULL, 0, destroy, create,\n\
         \x20            TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, 1, &vtable));",
        "",
    ),
];

/// Functions for the mistakes to use. They have external linkage so that an
/// unused one is no warning: each mistake must fail for its own reason.
const MISTAKE_PRELUDE: &str = r#"
#include <tenon/sdk.h>
#include <tenon_examples/processor.h>
tenon_status name(void *instance, tenon_buffer *out, tenon_buffer *error);
tenon_status process(void *instance, tenon_bytes input, tenon_buffer *out, tenon_buffer *error);
tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                    tenon_buffer *error);
void destroy(void *instance);
tenon_status name(void *instance, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance); TENON_UNUSED(out); TENON_UNUSED(error); return TENON_OK;
}
tenon_status process(void *instance, tenon_bytes input, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance); TENON_UNUSED(input); TENON_UNUSED(out); TENON_UNUSED(error);
    return TENON_OK;
}
tenon_status create(const tenon_host *host, tenon_str config, void **out_instance,
                    tenon_buffer *error) {
    TENON_UNUSED(host); TENON_UNUSED(config); TENON_UNUSED(out_instance); TENON_UNUSED(error);
    return TENON_OK;
}
void destroy(void *instance) { TENON_UNUSED(instance); }
#define PROCESSOR(...) TENON_VTABLE(example_processor_v1, __VA_ARGS__)
#define PLUGIN(vtable_ptr) TENON_PLUGIN("p", "1.0.0", NULL, 0, create, destroy, \
    TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, EXAMPLE_PROCESSOR_VERSION, vtable_ptr))
"#;

/// Builds the prelude plus `code`, to a shared library; `Ok(stderr)` when it
/// failed to compile (as it must), `Err` when it compiled.
fn expect_compile_error(
    compiler: &str,
    std: &str,
    source: &Path,
    library: &Path,
) -> Result<String, String> {
    match compile_plugin(compiler, std, source, library, &[]) {
        Ok(()) => Err(format!(
            "{}: compiled, but sdk.h must reject it",
            build_name(compiler, std, source)
        )),
        Err(message) => Ok(message),
    }
}

#[test]
fn sdk_rejects_the_mistakes_it_promises_to_catch() {
    let dir = scratch("mistakes");
    // A prelude that compiles must not be the reason the mistakes fail.
    let fine = format!(
        "{MISTAKE_PRELUDE}\nstatic const example_processor_v1 vtable = \
         TENON_VTABLE(example_processor_v1, name, process);\nPLUGIN(&vtable);\n"
    );
    let mut failures = Failures::default();
    let c = available(C_COMPILERS);
    let cxx = available(CXX_COMPILERS);
    let configurations = c
        .iter()
        .flat_map(|compiler| C_STANDARDS.iter().map(move |std| (*compiler, *std, "c")))
        .chain(cxx.iter().flat_map(|compiler| {
            CXX_STANDARDS
                .iter()
                .map(move |std| (*compiler, *std, "cpp"))
        }));
    for (compiler, std, extension) in configurations {
        let source = write(&dir, &format!("fine-{compiler}-{std}.{extension}"), &fine);
        let library = dir.join(library_name(&format!("fine-{compiler}-{std}")));
        failures.check(compile_plugin(compiler, std, &source, &library, &[]));
        for (name, code, expected) in MISTAKES {
            let source = write(
                &dir,
                &format!("{name}-{compiler}-{std}.{extension}"),
                &format!("{MISTAKE_PRELUDE}\n{code}\n"),
            );
            let library = dir.join(library_name(&format!("{name}-{compiler}-{std}")));
            failures.check(
                expect_compile_error(compiler, std, &source, &library).and_then(|message| {
                    if message.contains(expected) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{}: rejected, but the message does not name the rule \
                             {expected:?}:\n{message}",
                            build_name(compiler, std, &source)
                        ))
                    }
                }),
            );
        }
    }
    failures.assert_none();
}

/// The SDK's headers are compiled as the plugin's own (tenon_add_plugin
/// does not make them system headers), so the warnings a plugin turns on
/// reach them: every C example builds clean under [`STRICT_C_WARNINGS`],
/// and the C++ examples and the C++ fixture under [`STRICT_CXX_WARNINGS`],
/// with gcc and clang, as the guides promise.
#[test]
fn the_sdk_headers_compile_clean_under_stricter_warnings() {
    let root = repo_root();
    let (examples, _) = plugin_sources();
    let cxx_sources = [
        root.join("examples-c/greeter-cpp/greeter.cpp"),
        root.join("examples-c/kv-cpp/kv.cpp"),
        root.join("tests/fixtures/throwing_cpp.cpp"),
    ];
    let mut failures = Failures::default();
    let mut checked = 0;
    let strict = |std: &str, compiler: &str, warnings: &[&str], source: &Path| {
        let mut args: Vec<String> = WARNINGS
            .iter()
            .chain(warnings)
            .map(|w| w.to_string())
            .collect();
        args.extend(include_args());
        args.extend(["-fsyntax-only".into(), source.display().to_string()]);
        compile(compiler, std, source, &args)
    };
    for compiler in available(C_COMPILERS) {
        for (_, source) in &examples {
            failures.check(strict("c99", compiler, STRICT_C_WARNINGS, source));
            checked += 1;
        }
    }
    for compiler in available(CXX_COMPILERS) {
        for source in &cxx_sources {
            failures.check(strict("c++17", compiler, STRICT_CXX_WARNINGS, source));
            checked += 1;
        }
    }
    failures.assert_none();
    assert!(checked > 0, "no compiler ran");
}
