# libstrata.so (BUILD_SHARED_LIBS=ON): a SONAME and an exported symbol list.
if(NOT BUILD_SHARED_LIBS)
  return()
endif()

# While the major version is 0 every minor release may break the ABI, so the SONAME carries
# both: libstrata.so.0.3.
set_target_properties(strata PROPERTIES
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

# Only Strata's own symbols leave the library. The xtensor, xtensor-blas, nlohmann_json and
# standard-library template instantiations it compiles stay local, so a program with other
# versions of those headers never binds to Strata's copies. A version script does this
# without an export macro on every public declaration.
target_link_options(strata PRIVATE "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/strata.map")
set_property(TARGET strata APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/strata.map)
