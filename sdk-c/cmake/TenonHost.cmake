# The host part of the SDK: libtenon (the Tenon host for C and C++ programs,
# built by cargo), tenon/host.h, tenon/host.hpp, the imported target
# Tenon::host and tenon-host.pc. Included by sdk-c/CMakeLists.txt after the
# plugin SDK; installs nothing unless told where a built libtenon is:
#
#   cargo build --release -p libtenon
#   cmake -S sdk-c -B build -DTENON_HOST_LIBRARY_DIR=$PWD/target/release
#   cmake --install build --prefix <prefix>
#
# installs, under <prefix> (component "host"):
#
#   include/tenon/host.h, include/tenon/host.hpp
#   lib/libtenon.so
#   share/cmake/Tenon/TenonHostTargets.cmake    (Tenon::host)
#   share/pkgconfig/tenon-host.pc
#
# and, when the directory also holds libtenon.a (cargo builds both), for
# programs that link libtenon statically (component "host_static"):
#
#   lib/libtenon.a
#   share/cmake/Tenon/TenonHostStaticTargets.cmake    (Tenon::host_static)
#   share/pkgconfig/tenon-host-static.pc
#
# Linux only in this release.

set(TENON_HOST_LIBRARY_DIR "" CACHE PATH
    "Directory holding a built libtenon (cargo build -p libtenon: target/<profile>); empty: no host part")
set(CMAKE_INSTALL_LIBDIR "lib" CACHE PATH "Object code libraries (lib)")
# What a program linking libtenon.a must also link: the system libraries
# the Rust standard library uses, as rustc lists them for the staticlib
# (cargo rustc -p libtenon --release -- --print native-static-libs, on
# x86_64 Linux with glibc). An empty list leaves out libtenon.a.
set(TENON_HOST_STATIC_SYSTEM_LIBS "dl;gcc_s;util;rt;pthread;m;dl;c" CACHE STRING
    "System libraries a program linking libtenon.a needs (rustc --print native-static-libs)")

if(TENON_HOST_LIBRARY_DIR)
  set(_tenon_host_library "${TENON_HOST_LIBRARY_DIR}/libtenon.so")
  if(NOT EXISTS "${_tenon_host_library}")
    message(FATAL_ERROR "TENON_HOST_LIBRARY_DIR: no libtenon.so in ${TENON_HOST_LIBRARY_DIR} (build it with cargo build -p libtenon)")
  endif()

  install(FILES "${TENON_ROOT}/include/tenon/host.h"
                "${CMAKE_CURRENT_SOURCE_DIR}/host/include/tenon/host.hpp"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tenon"
          COMPONENT host)
  install(FILES "${_tenon_host_library}"
          DESTINATION "${CMAKE_INSTALL_LIBDIR}"
          COMPONENT host)

  # The imported target, located relative to the installed CMake package so
  # the prefix can move.
  file(RELATIVE_PATH TENON_HOST_PREFIX_FROM_CMAKEDIR
       "/prefix/${TENON_INSTALL_CMAKEDIR}" "/prefix")
  configure_file("${CMAKE_CURRENT_SOURCE_DIR}/host/TenonHostTargets.cmake.in"
                 "${CMAKE_CURRENT_BINARY_DIR}/TenonHostTargets.cmake" @ONLY)
  install(FILES "${CMAKE_CURRENT_BINARY_DIR}/TenonHostTargets.cmake"
          DESTINATION "${TENON_INSTALL_CMAKEDIR}"
          COMPONENT host)

  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(TENON_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  else()
    set(TENON_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  endif()
  configure_file("${CMAKE_CURRENT_SOURCE_DIR}/host/tenon-host.pc.in"
                 "${CMAKE_CURRENT_BINARY_DIR}/tenon-host.pc" @ONLY)
  install(FILES "${CMAKE_CURRENT_BINARY_DIR}/tenon-host.pc"
          DESTINATION "${TENON_INSTALL_PKGCONFIGDIR}"
          COMPONENT host)

  # The static library. A program links all of it (--whole-archive): the
  # interface declarations isolated plugins are called through register
  # themselves from objects nothing refers to, which a linker would
  # otherwise leave out of the program (isolated lookups then fail with
  # "not declared").
  set(_tenon_host_static_library "${TENON_HOST_LIBRARY_DIR}/libtenon.a")
  if(EXISTS "${_tenon_host_static_library}" AND TENON_HOST_STATIC_SYSTEM_LIBS)
    install(FILES "${_tenon_host_static_library}"
            DESTINATION "${CMAKE_INSTALL_LIBDIR}"
            COMPONENT host_static)
    set(TENON_HOST_STATIC_SYSTEM_LIBS_CMAKE "${TENON_HOST_STATIC_SYSTEM_LIBS}")
    configure_file("${CMAKE_CURRENT_SOURCE_DIR}/host/TenonHostStaticTargets.cmake.in"
                   "${CMAKE_CURRENT_BINARY_DIR}/TenonHostStaticTargets.cmake" @ONLY)
    install(FILES "${CMAKE_CURRENT_BINARY_DIR}/TenonHostStaticTargets.cmake"
            DESTINATION "${TENON_INSTALL_CMAKEDIR}"
            COMPONENT host_static)
    list(TRANSFORM TENON_HOST_STATIC_SYSTEM_LIBS PREPEND "-l" OUTPUT_VARIABLE _tenon_pc_libs)
    string(JOIN " " TENON_HOST_STATIC_SYSTEM_LIBS_PC ${_tenon_pc_libs})
    configure_file("${CMAKE_CURRENT_SOURCE_DIR}/host/tenon-host-static.pc.in"
                   "${CMAKE_CURRENT_BINARY_DIR}/tenon-host-static.pc" @ONLY)
    install(FILES "${CMAKE_CURRENT_BINARY_DIR}/tenon-host-static.pc"
            DESTINATION "${TENON_INSTALL_PKGCONFIGDIR}"
            COMPONENT host_static)
  endif()
endif()
