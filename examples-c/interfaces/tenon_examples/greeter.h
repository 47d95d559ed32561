/*
 * tenon_examples/greeter.h - example interface: greet someone by name.
 *
 * Id "org.tenon.example.greeter", version 1.
 */
#ifndef TENON_EXAMPLES_GREETER_H
#define TENON_EXAMPLES_GREETER_H

#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXAMPLE_GREETER_ID "org.tenon.example.greeter"
#define EXAMPLE_GREETER_VERSION 1u

typedef struct example_greeter_v1 {
    /* sizeof(example_greeter_v1) as compiled by the plugin. */
    uint32_t struct_size;
    /* Appends a greeting for name (UTF-8) to out, as UTF-8.
     * An empty name is valid. [instance] */
    tenon_status (*greet)(void *instance, tenon_str name, tenon_buffer *out,
                          tenon_buffer *error);
} example_greeter_v1;

#ifdef __cplusplus
}
#endif

#endif /* TENON_EXAMPLES_GREETER_H */
