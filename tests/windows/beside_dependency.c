/*
 * beside_dependency.c - not a plugin: the DLL (shared library) that
 * greeter_with_dependency imports, built into the same directory as it
 * (scripts/test-windows.sh). It imports a DLL of its own from there too,
 * beside_dependency_inner, whose text it passes on: the greeter's answer
 * proves that both were found beside the plugin.
 */
#if defined(_WIN32)
#define BESIDE_EXPORT __declspec(dllexport)
#define BESIDE_IMPORT __declspec(dllimport)
#else
#define BESIDE_EXPORT __attribute__((visibility("default")))
#define BESIDE_IMPORT
#endif

BESIDE_IMPORT const char *beside_dependency_inner_signature(void);
BESIDE_EXPORT const char *beside_dependency_signature(void);

const char *beside_dependency_signature(void) {
    return beside_dependency_inner_signature();
}
