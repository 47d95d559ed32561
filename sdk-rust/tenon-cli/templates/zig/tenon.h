/* The C declarations the plugin uses, translated to Zig by the SDK's build
 * (sdk-zig, addPlugin) and imported as @import("c"): the contract, its C
 * helpers (for tenon_host_log) and the interface header, read as they are
 * from include/. */
#include <tenon/plugin.h>
#include <tenon/sdk.h>
#include <tenon_examples/{{interface}}.h>{{state_include}}
