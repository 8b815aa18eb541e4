// Fuzz target: a legacy Keras .h5 file's bytes through load_model's reader (HDF5, the
// model_config and training_config attributes, the weights by layer_names and weight_names).

#include <cstddef>
#include <cstdint>
#include <span>

#include "api/saving/legacy_h5.hpp"
#include "strata/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    strata::detail::read_legacy_h5(std::span(reinterpret_cast<const std::byte*>(data), size), "fuzz.h5", true);
  } catch (const strata::Error&) {
  }
  return 0;
}
