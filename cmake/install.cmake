# SPDX-License-Identifier: GPL-2.0-only
# What `cmake --install` puts where, and the Debian package CPack makes of it:
#   bin/iocsim
#   share/iocsim/platform/presets, share/iocsim/scenarios, share/iocsim/tools/plot-study
#     (the installed iocsim finds them beside itself: base/data_dir.h)
#   lib/libiocsim_*.a, include/iocsim/{base,models}/...h and lib/cmake/iocsim/,
#     the models as a CMake package: find_package(iocsim) gives iocsim::models
#     (examples/model-platform builds against it; cli/install_package tests it).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS iocsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/platform/presets
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iocsim/platform)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios DESTINATION ${CMAKE_INSTALL_DATADIR}/iocsim
        FILES_MATCHING PATTERN "*.yaml" PATTERN "*.md")
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/plot-study
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iocsim/tools)

set(iocsim_model_targets iocsim_settings iocsim_base iocsim_models_common iocsim_models_memory
    iocsim_models_cache iocsim_models_iommu iocsim_models_dma iocsim_models_cpu iocsim_models)
foreach(target IN LISTS iocsim_model_targets)
  string(REGEX REPLACE "^iocsim_" "" exported ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${exported})
endforeach()
install(TARGETS ${iocsim_model_targets} EXPORT iocsim-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(dir IN ITEMS base models)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/iocsim/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()
set(iocsim_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/iocsim)
install(EXPORT iocsim-targets NAMESPACE iocsim:: DESTINATION ${iocsim_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/iocsimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/iocsimConfig.cmake
                              INSTALL_DESTINATION ${iocsim_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/iocsimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/iocsimConfig.cmake
              ${PROJECT_BINARY_DIR}/iocsimConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/systemc.cmake
        DESTINATION ${iocsim_cmake_dir})

# `cpack -G DEB` in the build tree: iocsim_VERSION_amd64.deb, its library
# dependencies found by dpkg-shlibdeps; SystemC's headers for iocsim::models.
set(CPACK_PACKAGE_NAME iocsim)
set(CPACK_PACKAGE_VENDOR "the iocsim developers")
set(CPACK_PACKAGE_CONTACT "the iocsim developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "cycle-approximate IOMMU and cache-coherency simulator of VFIO and its flush series")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsystemc-dev, libfmt-dev, python3-matplotlib")
include(CPack)
