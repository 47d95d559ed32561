/* The C declarations this plugin uses, translated to Zig by build.zig
 * (b.addTranslateC) and imported as @import("c"). Nothing is copied by hand:
 * the contract (plugin.h), its C helpers (sdk.h, for tenon_host_log) and the
 * interface header are read as they are. */
#include <tenon/plugin.h>
#include <tenon/sdk.h>
#include <tenon_examples/greeter.h>
