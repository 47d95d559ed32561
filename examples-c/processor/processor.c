/*
 * processor.c - example Tenon plugin in C: org.tenon.example.processor v1.
 *
 * name() is "crc32"; process(input) appends the CRC-32 of input (IEEE 802.3,
 * reflected polynomial 0xEDB88320, the checksum of zlib's crc32) as 4 bytes,
 * most significant first. "123456789" gives CB F4 39 26.
 *
 * Stateless and table-driven from constant data, hence thread-safe.
 *
 * Build: make (see Makefile beside this file).
 */
#include <tenon/sdk.h>
#include <tenon_examples/processor.h>

/* The one instance every create hands out; only its address is used. */
static char processor_instance;

/* CRC-32 of every 4-bit value, for the reflected polynomial 0xEDB88320. */
static const uint32_t crc32_nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

static uint32_t crc32_ieee(const uint8_t *bytes, size_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    for (i = 0; i < len; i++) {
        crc ^= bytes[i];
        crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
    }
    return crc ^ 0xFFFFFFFFu;
}

static tenon_status processor_name(void *instance, tenon_buffer *out, tenon_buffer *error) {
    TENON_UNUSED(instance);
    if (out == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "name: out buffer is NULL");
    }
    if (tenon_buffer_append_cstr(out, "crc32") != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY, "name: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status processor_process(void *instance, tenon_bytes input, tenon_buffer *out,
                                      tenon_buffer *error) {
    uint32_t crc;
    uint8_t digest[4];
    TENON_UNUSED(instance);
    if (out == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "process: out buffer is NULL");
    }
    if (input.ptr == NULL && input.len != 0) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "process: input is NULL but not empty");
    }
    crc = crc32_ieee(input.ptr, input.len);
    digest[0] = (uint8_t)(crc >> 24);
    digest[1] = (uint8_t)(crc >> 16);
    digest[2] = (uint8_t)(crc >> 8);
    digest[3] = (uint8_t)crc;
    if (tenon_buffer_append(out, digest, sizeof digest) != TENON_OK) {
        return tenon_fail(error, TENON_OUT_OF_MEMORY,
                          "process: could not grow the output buffer");
    }
    return TENON_OK;
}

static tenon_status processor_create(const tenon_host *host, tenon_str config,
                                     void **out_instance, tenon_buffer *error) {
    TENON_UNUSED(host);
    TENON_UNUSED(config);
    if (out_instance == NULL) {
        return tenon_fail(error, TENON_INVALID_ARGUMENT, "create: out_instance is NULL");
    }
    *out_instance = &processor_instance;
    return TENON_OK;
}

static void processor_destroy(void *instance) {
    TENON_UNUSED(instance);
}

static const example_processor_v1 processor_vtable =
    TENON_VTABLE(example_processor_v1, processor_name, processor_process);

TENON_PLUGIN("processor-c", "1.0.0", "CRC-32 checksum processor (example plugin written in C)",
             TENON_PLUGIN_THREAD_SAFE, processor_create, processor_destroy,
             TENON_INTERFACE_ENTRY(EXAMPLE_PROCESSOR_ID, EXAMPLE_PROCESSOR_VERSION,
                                   &processor_vtable));
