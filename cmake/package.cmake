# `cpack -G DEB` in the build tree (scripts/package): libstrata-dev_<version>_<arch>.deb,
# the install of cmake/install.cmake under /usr, depending on the Debian packages of
# everything strata-config.cmake finds.
if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()

# cpack runs the `preinstall` target, which would otherwise build `all` (tests, examples and
# benchmarks, minutes) when the package needs only the library. Without the dependency, build
# before installing, as `cmake --build build && cmake --install build` does anyway.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libstrata-dev)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Strata developers <strata@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};strata;strata;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The synopsis line comes from CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the text under it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Headers, static library, CMake package (find_package(strata), target strata::strata) and pkg-config file of Strata, a Keras-style deep learning library for C++20.")
# What a program linking libstrata needs to compile and link: the public headers' xtensor
# and nlohmann_json, and for the static library oneDNN (whose CMake config needs OpenCL's
# headers), OpenBLAS, zlib, HDF5, libzip, libpng, libjpeg, protobuf's lite runtime and, when
# built with it, MPI; g++ brings OpenMP.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libxtensor-dev (>= 0.24), nlohmann-json3-dev (>= 3), libdnnl-dev (>= 2.6), ocl-icd-opencl-dev, opencl-c-headers, libxtensor-blas-dev (>= 0.20), libopenblas-dev, zlib1g-dev, libhdf5-dev (>= 1.10), libzip-dev (>= 1.7), libpng-dev (>= 1.6), libjpeg-dev, libprotobuf-dev (>= 3)")
if(STRATA_HAS_MPI)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libopenmpi-dev")
endif()
if(BUILD_SHARED_LIBS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# plot_model runs Graphviz's dot, History::plot gnuplot; load_data reads Debian's Fashion-MNIST
# by default.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "graphviz, gnuplot-nox")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dataset-fashion-mnist")
include(CPack)
