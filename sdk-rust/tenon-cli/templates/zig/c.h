#include <tenon/plugin.h>
#include <tenon_examples/{{interface}}.h>
