// Fuzz target: model JSON text through model_from_json (parsing, the layer registry, every
// layer's from_config, Functional graph reconstruction).

#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/error.hpp"
#include "strata/saving.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    strata::model_from_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const strata::Error&) {
  }
  return 0;
}
