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
# A Windows build (cargo build --release -p libtenon --target
# x86_64-pc-windows-gnu: target/x86_64-pc-windows-gnu/release holds
# tenon.dll and its import library libtenon.dll.a) installs instead
#
#   bin/tenon.dll                 (where Windows programs' DLLs go)
#   lib/libtenon.dll.a            (the import library programs link)
#
# with the same headers, Tenon::host (IMPORTED_LOCATION the DLL,
# IMPORTED_IMPLIB the import library) and tenon-host.pc (-ltenon finds the
# import library; its variable `dll` names the DLL to ship beside the
# program). Windows has no rpath: a program finds tenon.dll beside its .exe
# (docs/guide-c-host.md, "Windows"). No static part on Windows.
#
# Linux and Windows (MinGW-w64) in this release.

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
  # Which build the directory holds: Linux's libtenon.so, or Windows's
  # tenon.dll with its import library (MinGW's libtenon.dll.a; MSVC's
  # tenon.dll.lib).
  set(CMAKE_INSTALL_BINDIR "bin" CACHE PATH "User executables, and DLLs on Windows (bin)")
  set(_tenon_host_library "${TENON_HOST_LIBRARY_DIR}/libtenon.so")
  set(_tenon_host_dll "${TENON_HOST_LIBRARY_DIR}/tenon.dll")
  set(_tenon_host_implib "")
  if(EXISTS "${_tenon_host_dll}")
    if(EXISTS "${_tenon_host_library}")
      message(FATAL_ERROR "TENON_HOST_LIBRARY_DIR: ${TENON_HOST_LIBRARY_DIR} holds both libtenon.so and tenon.dll; name the directory of one build (target/<profile> or target/<triple>/<profile>)")
    endif()
    foreach(_tenon_name IN ITEMS libtenon.dll.a tenon.dll.lib)
      if(NOT _tenon_host_implib AND EXISTS "${TENON_HOST_LIBRARY_DIR}/${_tenon_name}")
        set(_tenon_host_implib "${TENON_HOST_LIBRARY_DIR}/${_tenon_name}")
      endif()
    endforeach()
    if(NOT _tenon_host_implib)
      message(FATAL_ERROR "TENON_HOST_LIBRARY_DIR: ${TENON_HOST_LIBRARY_DIR} holds tenon.dll but not its import library (libtenon.dll.a or tenon.dll.lib), which cargo writes beside it")
    endif()
  elseif(NOT EXISTS "${_tenon_host_library}")
    message(FATAL_ERROR "TENON_HOST_LIBRARY_DIR: no libtenon.so (Linux) or tenon.dll (Windows) in ${TENON_HOST_LIBRARY_DIR} (build it with cargo build -p libtenon)")
  endif()

  install(FILES "${TENON_ROOT}/include/tenon/host.h"
                "${CMAKE_CURRENT_SOURCE_DIR}/host/include/tenon/host.hpp"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tenon"
          COMPONENT host)
  if(_tenon_host_implib)
    # The DLL where a Windows prefix keeps programs and their DLLs; the
    # import library, which only the linker reads, in lib/.
    install(FILES "${_tenon_host_dll}"
            DESTINATION "${CMAKE_INSTALL_BINDIR}"
            COMPONENT host)
    install(FILES "${_tenon_host_implib}"
            DESTINATION "${CMAKE_INSTALL_LIBDIR}"
            COMPONENT host)
    get_filename_component(_tenon_implib_name "${_tenon_host_implib}" NAME)
    set(TENON_HOST_LOCATION "${CMAKE_INSTALL_BINDIR}/tenon.dll")
    set(TENON_HOST_LINK_PROPERTY
        "IMPORTED_IMPLIB \"\${_tenon_host_prefix}/${CMAKE_INSTALL_LIBDIR}/${_tenon_implib_name}\"")
  else()
    install(FILES "${_tenon_host_library}"
            DESTINATION "${CMAKE_INSTALL_LIBDIR}"
            COMPONENT host)
    set(TENON_HOST_LOCATION "${CMAKE_INSTALL_LIBDIR}/libtenon.so")
    set(TENON_HOST_LINK_PROPERTY "IMPORTED_SONAME \"libtenon.so\"")
  endif()

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
  # On Windows, where the DLL a program ships beside itself is.
  set(TENON_PC_RUNTIME "")
  if(_tenon_host_implib)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
      set(TENON_PC_RUNTIME "bindir=${CMAKE_INSTALL_BINDIR}\n")
    else()
      set(TENON_PC_RUNTIME "bindir=\${prefix}/${CMAKE_INSTALL_BINDIR}\n")
    endif()
    string(APPEND TENON_PC_RUNTIME "dll=\${bindir}/tenon.dll\n")
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
  if(EXISTS "${_tenon_host_static_library}" AND TENON_HOST_STATIC_SYSTEM_LIBS
     AND NOT _tenon_host_implib)
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
