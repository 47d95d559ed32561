# TenonPlugin.cmake - tenon_add_plugin(), included by TenonConfig.cmake (and
# by sdk-c/CMakeLists.txt for add_subdirectory users). Expects the target
# Tenon::plugin and the variable TENON_PLUGIN_VERSION_SCRIPT to be defined by
# whoever includes it.
#
#   tenon_add_plugin(<target>
#                    SOURCES <source>...
#                    [LANGUAGE C|CXX]
#                    [OUTPUT_NAME <name>])
#
# Declares <target>, a plugin: a MODULE library (loaded at run time, never
# linked against) that
#   - is named like every shared library of the platform, the names the Rust
#     host's std::env::consts::DLL_PREFIX/DLL_SUFFIX give: lib<name>.so on
#     Linux and other ELF systems, lib<name>.dylib on macOS, <name>.dll on
#     Windows (<name> is OUTPUT_NAME, by default <target>);
#   - compiles with hidden visibility (C_VISIBILITY_PRESET,
#     CXX_VISIBILITY_PRESET, VISIBILITY_INLINES_HIDDEN) and as position
#     independent code;
#   - exports tenon_plugin_v1 alone: on ELF systems through the linker version
#     script TENON_PLUGIN_VERSION_SCRIPT ({ global: tenon_plugin_v1; local: *; };),
#     on macOS through -exported_symbol, on Windows through TENON_EXPORT's
#     dllexport;
#   - requires C99 (LANGUAGE C) or C++17 (LANGUAGE CXX) at least, without
#     compiler extensions;
#   - warns with -Wall -Wextra -Wpedantic (gcc, clang) or /W4 (MSVC, which also
#     gets /Zc:preprocessor for TENON_PLUGIN). Warnings become errors when
#     CMAKE_COMPILE_WARNING_AS_ERROR is ON (CMake 3.24+);
#   - links Tenon::plugin (PRIVATE). Link your interface headers' target
#     yourself, e.g. target_link_libraries(<target> PRIVATE Tenon::example_interfaces).
#     The SDK's headers are not system headers (-I, not -isystem): the
#     warnings you enable cover them too, and they are kept clean (see
#     TenonConfig.cmake; with CMake before 3.23 this sets
#     NO_SYSTEM_FROM_IMPORTED on <target>, which applies to every imported
#     target it links).
#
# LANGUAGE defaults to CXX when a source ends in .cpp, .cc, .cxx or .c++, and
# to C otherwise; it must be enabled in the project (project(... LANGUAGES C)).
# The target is an ordinary CMake target: add sources, definitions, options
# and libraries with the usual target_* commands.

# The function records the policies in effect where it is defined: use this
# file's own, whatever the including project's cmake_minimum_required says.
cmake_policy(PUSH)
cmake_policy(VERSION 3.15...3.31)

set_property(GLOBAL PROPERTY TENON_PLUGIN_VERSION_SCRIPT "${TENON_PLUGIN_VERSION_SCRIPT}")

function(tenon_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LANGUAGE;OUTPUT_NAME" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tenon_add_plugin(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "tenon_add_plugin(${target}): SOURCES is required")
  endif()
  if(NOT TARGET Tenon::plugin)
    message(FATAL_ERROR "tenon_add_plugin(${target}): Tenon::plugin is not defined; "
                        "call find_package(Tenon CONFIG REQUIRED) first")
  endif()

  set(language "${arg_LANGUAGE}")
  if(language STREQUAL "")
    set(language C)
    foreach(source IN LISTS arg_SOURCES)
      if(source MATCHES "\\.(cpp|cc|cxx|c\\+\\+|CPP|C)$")
        set(language CXX)
      endif()
    endforeach()
  endif()
  if(NOT language MATCHES "^(C|CXX)$")
    message(FATAL_ERROR "tenon_add_plugin(${target}): LANGUAGE must be C or CXX, not ${language}")
  endif()
  get_property(enabled_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT language IN_LIST enabled_languages)
    message(FATAL_ERROR "tenon_add_plugin(${target}): language ${language} is not enabled; "
                        "add it to project(... LANGUAGES ${language})")
  endif()

  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE Tenon::plugin)
  if(CMAKE_VERSION VERSION_LESS 3.23)
    # No per-target way to make an imported target's headers non-system.
    set_target_properties(${target} PROPERTIES NO_SYSTEM_FROM_IMPORTED ON)
  endif()

  if(WIN32)
    set(prefix "")
    set(suffix ".dll")
  elseif(APPLE)
    set(prefix "lib")
    set(suffix ".dylib")
  else()
    set(prefix "lib")
    set(suffix ".so")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "${prefix}"
    SUFFIX "${suffix}"
    LINKER_LANGUAGE ${language}
    POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(arg_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME "${arg_OUTPUT_NAME}")
  endif()

  if(language STREQUAL "C")
    target_compile_features(${target} PRIVATE c_std_99)
    set_target_properties(${target} PROPERTIES C_EXTENSIONS OFF)
  else()
    target_compile_features(${target} PRIVATE cxx_std_17)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  endif()

  set(compiler_id "${CMAKE_${language}_COMPILER_ID}")
  if(compiler_id MATCHES "^(GNU|Clang|AppleClang)$")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  elseif(compiler_id STREQUAL "MSVC")
    target_compile_options(${target} PRIVATE /W4 /Zc:preprocessor)
  endif()

  if(APPLE)
    target_link_options(${target} PRIVATE "LINKER:-exported_symbol,_tenon_plugin_v1")
  elseif(CMAKE_SYSTEM_NAME MATCHES "^(Linux|Android|FreeBSD|NetBSD|OpenBSD|DragonFly|GNU)$")
    get_property(version_script GLOBAL PROPERTY TENON_PLUGIN_VERSION_SCRIPT)
    if(version_script STREQUAL "" OR NOT EXISTS "${version_script}")
      message(FATAL_ERROR "tenon_add_plugin(${target}): the linker version script "
                          "'${version_script}' does not exist; reinstall the Tenon SDK")
    endif()
    target_link_options(${target} PRIVATE "LINKER:--version-script=${version_script}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${version_script}")
  endif()
endfunction()

cmake_policy(POP)
