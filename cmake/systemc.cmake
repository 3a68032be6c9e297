# SPDX-License-Identifier: GPL-2.0-only
# SystemC 2.3.4 and TLM-2.0 from Debian's libsystemc-dev (pkg-config) as one
# target, SystemC::systemc. Included by the build and by the installed
# package's iocsimConfig.cmake, so iocsim::models brings it along.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc>=2.3.4)
pkg_check_modules(TLM REQUIRED IMPORTED_TARGET tlm)
if(NOT TARGET SystemC::systemc)
  add_library(SystemC::systemc INTERFACE IMPORTED)
  target_link_libraries(SystemC::systemc INTERFACE PkgConfig::SystemC PkgConfig::TLM)
  target_compile_definitions(SystemC::systemc INTERFACE SC_INCLUDE_DYNAMIC_PROCESSES)
endif()
