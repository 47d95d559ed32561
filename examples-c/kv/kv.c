/*
 * kv.c - example Tenon plugin in C: org.tenon.example.kv v1, an in-memory
 * key-value store, with org.tenon.state v1 so that a host can reload it
 * without losing what it stores (docs/reload.md).
 *
 * get and remove of a key that is not stored fail with TENON_NOT_FOUND and
 * the message `no value stored under "<key>"`, the key quoted and escaped as
 * Rust's {:?} does for the ASCII characters that need it, as every kv
 * example does.
 *
 * Not thread-safe (no TENON_PLUGIN_THREAD_SAFE): the host never calls one
 * instance from two threads at once, so the store needs no lock. Entries are
 * kept in an array searched linearly: an example, not a database.
 *
 * State format (shared by every kv example, so a host may even hand the
 * state of this plugin over to the C++ or Rust kv): the 4 bytes "tkv1", the
 * number of entries as a little-endian uint64, then for each entry its key
 * length (uint64 LE), the key's bytes, its value length (uint64 LE) and the
 * value's bytes.
 *
 * Build: make (see Makefile beside this file).
 */
#include <tenon/sdk.h>
#include <tenon/state.h>
#include <tenon_examples/kv.h>

#include <stdlib.h>
#include <string.h>

typedef struct kv_entry {
    char *key;
    size_t key_len;
    uint8_t *value;
    size_t value_len;
} kv_entry;

typedef struct kv_store {
    kv_entry *entries;
    size_t len;
    size_t capacity;
} kv_store;

static const char kv_magic[4] = {'t', 'k', 'v', '1'};

static kv_entry *kv_find(kv_store *store, tenon_str key) {
    size_t i;
    for (i = 0; i < store->len; i++) {
        kv_entry *entry = &store->entries[i];
        if (entry->key_len == key.len && (key.len == 0 || memcmp(entry->key, key.ptr, key.len) == 0)) {
            return entry;
        }
    }
    return NULL;
}

/* Fails with TENON_NOT_FOUND and `no value stored under "<key>"`. */
static tenon_status kv_missing(tenon_buffer *error, tenon_str key) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    (void)tenon_buffer_append_cstr(error, "no value stored under \"");
    for (i = 0; i < key.len; i++) {
        char c = key.ptr[i];
        unsigned char byte = (unsigned char)c;
        char escape[8];
        size_t n = 0;
        if (c == '"' || c == '\\') {
            escape[n++] = '\\';
            escape[n++] = c;
        } else if (c == '\n' || c == '\r' || c == '\t' || c == '\0') {
            escape[n++] = '\\';
            escape[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '0';
        } else if (byte < 0x20 || byte == 0x7f) {
            escape[n++] = '\\';
            escape[n++] = 'u';
            escape[n++] = '{';
            if (byte >= 0x10) {
                escape[n++] = hex[byte >> 4];
            }
            escape[n++] = hex[byte & 0x0f];
            escape[n++] = '}';
        } else {
            escape[n++] = c;
        }
        (void)tenon_buffer_append(error, escape, n);
    }
    (void)tenon_buffer_append_cstr(error, "\"");
    return TENON_NOT_FOUND;
}

/* A copy of len bytes (a non-NULL pointer even for 0 bytes), or NULL. */
static void *kv_copy(const void *bytes, size_t len) {
    void *copy = malloc(len != 0 ? len : 1);
    if (copy != NULL && len != 0) {
        memcpy(copy, bytes, len);
    }
    return copy;
}

static void kv_clear(kv_store *store) {
    size_t i;
    for (i = 0; i < store->len; i++) {
        free(store->entries[i].key);
        free(store->entries[i].value);
    }
    free(store->entries);
    store->entries = NULL;
    store->len = 0;
    store->capacity = 0;
}

/* Stores value under key, replacing any previous value. */
static tenon_status kv_set(kv_store *store, const char *key, size_t key_len, const uint8_t *value,
                           size_t value_len) {
    tenon_str name;
    kv_entry *entry;
    uint8_t *copy = (uint8_t *)kv_copy(value, value_len);
    if (copy == NULL) {
        return TENON_OUT_OF_MEMORY;
    }
    name.ptr = key;
    name.len = key_len;
    entry = kv_find(store, name);
    if (entry != NULL) {
        free(entry->value);
        entry->value = copy;
        entry->value_len = value_len;
        return TENON_OK;
    }
    if (store->len == store->capacity) {
        size_t capacity = store->capacity != 0 ? store->capacity * 2 : 8;
        kv_entry *grown = (kv_entry *)realloc(store->entries, capacity * sizeof(kv_entry));
        if (grown == NULL) {
            free(copy);
            return TENON_OUT_OF_MEMORY;
        }
        store->entries = grown;
        store->capacity = capacity;
    }
    entry = &store->entries[store->len];
    entry->key = (char *)kv_copy(key, key_len);
    if (entry->key == NULL) {
        free(copy);
        return TENON_OUT_OF_MEMORY;
    }
    entry->key_len = key_len;
    entry->value = copy;
    entry->value_len = value_len;
    store->len++;
    return TENON_OK;
}

static tenon_status kv_get(void *instance, tenon_str key, tenon_buffer *value, tenon_buffer *error) {
    kv_entry *entry = kv_find((kv_store *)instance, key);
    if (entry == NULL) {
        return kv_missing(error, key);
    }
    if (tenon_buffer_append(value, entry->value, entry->value_len) != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "get: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status kv_put(void *instance, tenon_str key, tenon_bytes value, tenon_buffer *error) {
    if (kv_set((kv_store *)instance, key.ptr, key.len, value.ptr, value.len) != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "put: out of memory");
    }
    return TENON_OK;
}

static tenon_status kv_remove(void *instance, tenon_str key, tenon_buffer *error) {
    kv_store *store = (kv_store *)instance;
    kv_entry *entry = kv_find(store, key);
    if (entry == NULL) {
        return kv_missing(error, key);
    }
    free(entry->key);
    free(entry->value);
    *entry = store->entries[store->len - 1];
    store->len--;
    return TENON_OK;
}

static tenon_status kv_len(void *instance, uint64_t *count, tenon_buffer *error) {
    TENON_UNUSED(error);
    *count = ((kv_store *)instance)->len;
    return TENON_OK;
}

/* ---- org.tenon.state ---------------------------------------------------- */

static tenon_status kv_append_u64(tenon_buffer *out, uint64_t value) {
    uint8_t bytes[8];
    int i;
    for (i = 0; i < 8; i++) {
        bytes[i] = (uint8_t)(value >> (8 * i));
    }
    return tenon_buffer_append(out, bytes, sizeof bytes);
}

static tenon_status kv_save(void *instance, tenon_buffer *state, tenon_buffer *error) {
    kv_store *store = (kv_store *)instance;
    tenon_status status = tenon_buffer_append(state, kv_magic, sizeof kv_magic);
    size_t i;
    if (status == TENON_OK) {
        status = kv_append_u64(state, store->len);
    }
    for (i = 0; i < store->len && status == TENON_OK; i++) {
        const kv_entry *entry = &store->entries[i];
        status = kv_append_u64(state, entry->key_len);
        if (status == TENON_OK) {
            status = tenon_buffer_append(state, entry->key, entry->key_len);
        }
        if (status == TENON_OK) {
            status = kv_append_u64(state, entry->value_len);
        }
        if (status == TENON_OK) {
            status = tenon_buffer_append(state, entry->value, entry->value_len);
        }
    }
    return status == TENON_OK ? TENON_OK
                              : tenon_fail(error, status, "save: could not grow the state buffer");
}

/* Reads a uint64 LE at *at, if the 8 bytes are there. */
static int kv_read_u64(tenon_bytes state, size_t *at, uint64_t *value) {
    int i;
    if (state.len - *at < 8) {
        return 0;
    }
    *value = 0;
    for (i = 0; i < 8; i++) {
        *value |= (uint64_t)state.ptr[*at + (size_t)i] << (8 * i);
    }
    *at += 8;
    return 1;
}

/* Reads a length-prefixed run of bytes at *at, if it is all there. */
static int kv_read_bytes(tenon_bytes state, size_t *at, const uint8_t **bytes, size_t *len) {
    uint64_t n;
    if (!kv_read_u64(state, at, &n) || n > state.len - *at) {
        return 0;
    }
    *bytes = state.ptr + *at;
    *len = (size_t)n;
    *at += (size_t)n;
    return 1;
}

static tenon_status kv_restore(void *instance, tenon_bytes state, tenon_buffer *error) {
    kv_store *store = (kv_store *)instance;
    kv_store restored = {NULL, 0, 0};
    size_t at = sizeof kv_magic;
    uint64_t count;
    uint64_t i;
    if (state.len < sizeof kv_magic || memcmp(state.ptr, kv_magic, sizeof kv_magic) != 0) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "restore: not a kv state (tkv1)");
    }
    if (!kv_read_u64(state, &at, &count)) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "restore: the state is cut short");
    }
    for (i = 0; i < count; i++) {
        const uint8_t *key;
        const uint8_t *value;
        size_t key_len;
        size_t value_len;
        if (!kv_read_bytes(state, &at, &key, &key_len) ||
            !kv_read_bytes(state, &at, &value, &value_len)) {
            kv_clear(&restored);
            return tenon_fail(error, TENON_INVALID_ARGUMENT, "restore: the state is cut short");
        }
        if (kv_set(&restored, (const char *)key, key_len, value, value_len) != TENON_OK) {
            kv_clear(&restored);
            return tenon_fail(error, TENON_OUT_OF_MEMORY, "restore: out of memory");
        }
    }
    if (at != state.len) {
        kv_clear(&restored);
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "restore: bytes after the last entry");
    }
    kv_clear(store);
    *store = restored;
    return TENON_OK;
}

/* ---- lifecycle ---------------------------------------------------------- */

static tenon_status kv_create(const tenon_host *host, tenon_str config, void **out_instance,
                              tenon_buffer *error) {
    kv_store *store;
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    store = (kv_store *)calloc(1, sizeof(kv_store));
    if (store == NULL) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "create: out of memory");
    }
    *out_instance = store;
    return TENON_OK;
}

static void kv_destroy(void *instance) {
    kv_clear((kv_store *)instance);
    free(instance);
}

static const example_kv_v1 kv_vtable = TENON_VTABLE(example_kv_v1, kv_get, kv_put, kv_remove, kv_len);
static const tenon_state_v1 kv_state = TENON_VTABLE(tenon_state_v1, kv_save, kv_restore);

TENON_PLUGIN("kv-c", "1.0.0", "An in-memory key-value store that survives reloads (example plugin in C)",
             0, kv_create, kv_destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_KV_ID, EXAMPLE_KV_VERSION, &kv_vtable),
             TENON_INTERFACE_ENTRY(TENON_STATE_ID, TENON_STATE_VERSION, &kv_state));
