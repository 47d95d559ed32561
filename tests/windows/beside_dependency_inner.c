/*
 * beside_dependency_inner.c - not a plugin: the DLL that beside_dependency
 * imports, in the same directory as it and the plugin that imports that
 * (scripts/test-windows.sh): a plugin's libraries may import each other.
 */
#if defined(_WIN32)
#define BESIDE_EXPORT __declspec(dllexport)
#else
#define BESIDE_EXPORT __attribute__((visibility("default")))
#endif

BESIDE_EXPORT const char *beside_dependency_inner_signature(void);

const char *beside_dependency_inner_signature(void) {
    return " (from the DLL beside the plugin)";
}
