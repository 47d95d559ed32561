/*
 * tenon_examples/kv.h - example interface: a key-value store.
 *
 * Id "org.tenon.example.kv", version 1. Keys are UTF-8 strings, values are
 * bytes. A key that is not stored makes get and remove return
 * TENON_NOT_FOUND, which is distinct from every other failure.
 */
#ifndef TENON_EXAMPLES_KV_H
#define TENON_EXAMPLES_KV_H

#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXAMPLE_KV_ID "org.tenon.example.kv"
#define EXAMPLE_KV_VERSION 1u

typedef struct example_kv_v1 {
    /* sizeof(example_kv_v1) as compiled by the plugin. */
    uint32_t struct_size;
    /* Appends the value stored under key to value, or returns
     * TENON_NOT_FOUND. [instance] */
    tenon_status (*get)(void *instance, tenon_str key, tenon_buffer *value, tenon_buffer *error);
    /* Stores value under key, replacing any previous value. [instance] */
    tenon_status (*put)(void *instance, tenon_str key, tenon_bytes value, tenon_buffer *error);
    /* Removes key, or returns TENON_NOT_FOUND if it was not stored.
     * [instance] */
    tenon_status (*remove)(void *instance, tenon_str key, tenon_buffer *error);
    /* Stores the number of keys in *count. [instance] */
    tenon_status (*len)(void *instance, uint64_t *count, tenon_buffer *error);
} example_kv_v1;

#ifdef __cplusplus
}
#endif

#endif /* TENON_EXAMPLES_KV_H */
