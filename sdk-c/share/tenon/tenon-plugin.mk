# tenon-plugin.mk - builds one Tenon plugin with GNU make: what
# tenon_add_plugin() is to CMake. Installed with the SDK as
# <prefix>/share/tenon/tenon-plugin.mk; pkg-config gives its path as the
# variable plugin_mk. A plugin's whole Makefile:
#
#   TENON_PLUGIN := my_plugin
#   TENON_SOURCES := my_plugin.c
#   include $(or $(shell pkg-config --variable=plugin_mk tenon),$(error \
#     pkg-config finds no tenon: set PKG_CONFIG_PATH=<prefix>/share/pkgconfig))
#
# and `PKG_CONFIG_PATH=<prefix>/share/pkgconfig make` builds it. (A bare
# `include $(shell pkg-config --variable=plugin_mk tenon)` works too, but
# when pkg-config finds no SDK make only says "No targets".)
#
# Set before the include:
#   TENON_PLUGIN   the plugin's name (required). The library is
#                  $(O)/lib<name>.so on Linux and other ELF systems,
#                  $(O)/lib<name>.dylib on macOS and $(O)/<name>.dll on
#                  Windows (MSYS2, MinGW, Cygwin): the names a Rust host's
#                  std::env::consts::DLL_PREFIX/DLL_SUFFIX give. The system
#                  is the one the compiler builds for (its -dumpmachine), so
#                  CC=x86_64-w64-mingw32-gcc on Linux builds <name>.dll.
#   TENON_SOURCES  its sources (required): C (.c), compiled with $(CC) as
#                  C99 at least, and C++ (.cpp .cc .cxx .c++ .C .CPP),
#                  compiled with $(CXX) as C++17 at least. With any C++
#                  source, $(CXX) links.
# Set anywhere (Makefile, command line, environment), as usual:
#   O              the output directory (default: the current directory);
#                  objects and dependency files go to $(O)/obj/<name>/
#   CC, CXX, LDFLAGS, LDLIBS
#   CPPFLAGS       before the SDK's include directories: a -I of yours is
#                  searched first (e.g. an interface header of the revision
#                  your plugin is built against, older than the installed one)
#   CFLAGS, CXXFLAGS   default -O2 -g; CFLAGS also reach a C link, CXXFLAGS
#                  a C++ link (for -flto, -fsanitize=..., -m32)
#   WARNINGS       default -Wall -Wextra -Wpedantic; add -Werror to make
#                  warnings errors (WARNINGS='-Wall -Wextra -Wpedantic -Werror')
#   PKG_CONFIG     default pkg-config
#
# What every plugin gets (besides those):
#   - the flags of `pkg-config --cflags tenon`: the installed headers and
#     -fvisibility=hidden, and -fPIC (not on Windows);
#   - C++: -fvisibility-inlines-hidden;
#   - tenon_plugin_v1 as the only export: on ELF systems through the linker
#     version script (pkg-config --variable=version_script tenon; the library
#     is relinked when it changes), on macOS through -exported_symbol, on
#     Windows through TENON_EXPORT's dllexport;
#   - header dependencies (-MMD), so a newer SDK or interface header rebuilds.
# Required flags come first, so CFLAGS=-std=c11 or CXXFLAGS=-std=c++20 win.
#
# Defines the targets all (the default goal, unless the Makefile names a
# target before the include) and clean (removes what all builds), and the
# variables TENON_LIBRARY (the plugin file), TENON_CFLAGS and
# TENON_VERSION_SCRIPT, for rules of your own:
#
#   check: $(TENON_LIBRARY)
#   	tenon check $(TENON_LIBRARY)
#
# One plugin per Makefile. GNU make 3.81 or newer, gcc or clang (or another
# compiler with their flags); MSVC builds use CMake.

ifeq ($(strip $(TENON_PLUGIN)),)
$(error tenon-plugin.mk: set TENON_PLUGIN to the plugin's name before the include)
endif
ifeq ($(strip $(TENON_SOURCES)),)
$(error tenon-plugin.mk: set TENON_SOURCES to the plugin's sources before the include)
endif

O ?= .
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
WARNINGS ?= -Wall -Wextra -Wpedantic

# --- Sources and languages ---------------------------------------------------

tenon_c_sources := $(filter %.c,$(TENON_SOURCES))
tenon_cxx_sources := $(filter %.cpp %.cc %.cxx %.c++ %.C %.CPP,$(TENON_SOURCES))
tenon_other_sources := $(filter-out $(tenon_c_sources) $(tenon_cxx_sources),$(TENON_SOURCES))
ifneq ($(tenon_other_sources),)
$(error tenon-plugin.mk: $(tenon_other_sources): not a C (.c) or C++ (.cpp .cc .cxx .c++ .C .CPP) source)
endif

# The object of a source: under TENON_OBJDIR with the source's own path, in
# which ../ becomes __/ and a leading / becomes _/, so that every object stays
# inside the output directory.
TENON_OBJDIR := $(O)/obj/$(TENON_PLUGIN)
tenon_object = $(TENON_OBJDIR)/$(subst ../,__/,$(patsubst /%,_/%,$(1))).o
tenon_objects := $(foreach source,$(TENON_SOURCES),$(call tenon_object,$(source)))

# --- Platform ----------------------------------------------------------------

# The system the library is for is the compiler's (its -dumpmachine: a
# cross compiler, such as MinGW's x86_64-w64-mingw32-gcc or
# `zig cc -target x86_64-windows-gnu` on Linux, builds a DLL), or, when the
# compiler does not say, the system make runs on.
tenon_machine := $(shell $(if $(tenon_cxx_sources),$(CXX),$(CC)) -dumpmachine 2>/dev/null)
tenon_system := $(shell uname -s 2>/dev/null)
ifneq ($(tenon_machine),)
tenon_windows := $(strip $(foreach word,mingw windows cygwin msys,$(findstring $(word),$(tenon_machine))))
tenon_darwin := $(strip $(foreach word,darwin apple macos,$(findstring $(word),$(tenon_machine))))
else
tenon_windows := $(filter Windows_NT,$(OS))$(filter MINGW% MSYS% CYGWIN%,$(tenon_system))
tenon_darwin := $(filter Darwin,$(tenon_system))
endif
ifneq ($(tenon_windows),)
TENON_LIBRARY := $(O)/$(TENON_PLUGIN).dll
tenon_pic :=
tenon_exports =
tenon_link_depends =
else ifneq ($(tenon_darwin),)
TENON_LIBRARY := $(O)/lib$(TENON_PLUGIN).dylib
tenon_pic := -fPIC
tenon_exports = -Wl,-exported_symbol,_tenon_plugin_v1
tenon_link_depends =
else
TENON_LIBRARY := $(O)/lib$(TENON_PLUGIN).so
tenon_pic := -fPIC
tenon_exports = -Wl,--version-script=$(TENON_VERSION_SCRIPT)
tenon_link_depends = $(TENON_VERSION_SCRIPT)
tenon_elf := yes
endif

# --- The SDK, through pkg-config (not needed to clean) ------------------------

ifneq ($(if $(MAKECMDGOALS),$(filter-out clean,$(MAKECMDGOALS)),all),)
ifneq ($(shell $(PKG_CONFIG) --exists tenon && echo found),found)
$(error pkg-config ($(PKG_CONFIG)) finds no "tenon": install the SDK with cmake --install \
and set PKG_CONFIG_PATH=<prefix>/share/pkgconfig)
endif
TENON_CFLAGS := $(shell $(PKG_CONFIG) --cflags tenon)
TENON_VERSION_SCRIPT := $(shell $(PKG_CONFIG) --variable=version_script tenon)
ifeq ($(tenon_elf),yes)
ifeq ($(wildcard $(TENON_VERSION_SCRIPT)),)
$(error the linker version script "$(TENON_VERSION_SCRIPT)" of pkg-config's tenon does not \
exist: reinstall the Tenon SDK)
endif
endif
endif

# --- Rules -------------------------------------------------------------------

.PHONY: all clean

all: $(TENON_LIBRARY)

# The compile commands of each language; -MMD writes the headers an object
# was built from to <object without .o>.d, read back below.
# CPPFLAGS come before the SDK's -I, so a directory of yours is searched
# first (an interface header of another revision than the installed one);
# CFLAGS and CXXFLAGS come last, so their -std and the like win.
tenon_compile_c = $(CC) -std=c99 $(tenon_pic) $(CPPFLAGS) $(TENON_CFLAGS) $(WARNINGS) \
	$(CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@
tenon_compile_cxx = $(CXX) -std=c++17 $(tenon_pic) $(CPPFLAGS) $(TENON_CFLAGS) \
	-fvisibility-inlines-hidden $(WARNINGS) $(CXXFLAGS) \
	-MMD -MP -MF $(@:.o=.d) -MT $@
ifneq ($(tenon_cxx_sources),)
tenon_link = $(CXX) $(CXXFLAGS)
else
tenon_link = $(CC) $(CFLAGS)
endif

# $(call tenon_object_rule,<source>,c|cxx): the rule of one object.
define tenon_object_rule
$(call tenon_object,$(1)): $(1)
	@mkdir -p $$(@D)
	$$(tenon_compile_$(2)) -c -o $$@ $$<
endef
$(foreach source,$(tenon_c_sources),$(eval $(call tenon_object_rule,$(source),c)))
$(foreach source,$(tenon_cxx_sources),$(eval $(call tenon_object_rule,$(source),cxx)))

$(TENON_LIBRARY): $(tenon_objects) $(tenon_link_depends)
	@mkdir -p $(@D)
	$(tenon_link) -shared $(LDFLAGS) $(tenon_exports) -o $@ $(tenon_objects) $(LDLIBS)

clean:
	rm -f $(TENON_LIBRARY)
	rm -rf $(TENON_OBJDIR)
	@rmdir $(O)/obj 2>/dev/null || :

-include $(tenon_objects:.o=.d)
