/*
 * tenon_examples/processor.h - example interface: transform bytes.
 *
 * Id "org.tenon.example.processor", version 1. A processor has a name and
 * turns an input byte string into an output byte string (a checksum, an
 * encoding, a transform).
 */
#ifndef TENON_EXAMPLES_PROCESSOR_H
#define TENON_EXAMPLES_PROCESSOR_H

#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXAMPLE_PROCESSOR_ID "org.tenon.example.processor"
#define EXAMPLE_PROCESSOR_VERSION 1u

typedef struct example_processor_v1 {
    /* sizeof(example_processor_v1) as compiled by the plugin. */
    uint32_t struct_size;
    /* Appends the processor's name (UTF-8) to out. [instance] */
    tenon_status (*name)(void *instance, tenon_buffer *out, tenon_buffer *error);
    /* Appends the result of processing input to out. Empty input is valid.
     * [instance] */
    tenon_status (*process)(void *instance, tenon_bytes input, tenon_buffer *out,
                            tenon_buffer *error);
} example_processor_v1;

#ifdef __cplusplus
}
#endif

#endif /* TENON_EXAMPLES_PROCESSOR_H */
