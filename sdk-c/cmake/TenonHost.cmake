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
# Shared library on Linux only in this release.

set(TENON_HOST_LIBRARY_DIR "" CACHE PATH
    "Directory holding a built libtenon (cargo build -p libtenon: target/<profile>); empty: no host part")
set(CMAKE_INSTALL_LIBDIR "lib" CACHE PATH "Object code libraries (lib)")

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
endif()
