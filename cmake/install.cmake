# `cmake --install build --prefix P`: headers, the library, the CMake package (strata::strata
# with its dependencies) and a pkg-config file.
include(CMakePackageConfigHelpers)

set(STRATA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/strata)

install(DIRECTORY include/strata DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT strata
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/strata/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/strata COMPONENT strata)
install(TARGETS strata EXPORT strataTargets COMPONENT strata
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT strataTargets NAMESPACE strata:: DESTINATION ${STRATA_CMAKE_DIR} COMPONENT strata)

configure_package_config_file(cmake/strata-config.cmake.in ${PROJECT_BINARY_DIR}/strata-config.cmake
  INSTALL_DESTINATION ${STRATA_CMAKE_DIR})
# 0.x: a minor release may break the API, so find_package(strata 0.3) accepts 0.3.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/strata-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/strata-config.cmake ${PROJECT_BINARY_DIR}/strata-config-version.cmake
  DESTINATION ${STRATA_CMAKE_DIR} COMPONENT strata)

# The build tree is a package too: find_package(strata) with strata_DIR=<build> finds it
# without an install (the build-tree consumer test uses this).
export(EXPORT strataTargets NAMESPACE strata:: FILE ${PROJECT_BINARY_DIR}/strataTargets.cmake)

# The .pc finds its prefix from where it lies (${pcfiledir}), so it stays right whatever
# --prefix the install is given after configure.
file(RELATIVE_PATH STRATA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
# Built with MPI, the static library also needs MPI's C library (its pkg-config name is mpi-c).
if(STRATA_HAS_MPI)
  set(STRATA_PC_MPI " mpi-c")
else()
  set(STRATA_PC_MPI "")
endif()
configure_file(cmake/strata.pc.in ${PROJECT_BINARY_DIR}/strata.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/strata.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT strata)
