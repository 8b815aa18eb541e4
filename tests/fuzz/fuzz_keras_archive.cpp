// Fuzz target: a .keras archive's bytes through the whole loader (zip, config.json, the model
// rebuilt and compiled, model.weights.h5). Any strata::Error is a refusal, which is fine; a
// crash, a hang, a sanitizer report or another exception type is a finding.

#include <cstddef>
#include <cstdint>
#include <span>

#include "api/saving/keras_archive.hpp"
#include "strata/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    strata::detail::read_keras_archive(std::span(reinterpret_cast<const std::byte*>(data), size), "fuzz.keras", true);
  } catch (const strata::Error&) {
  }
  return 0;
}
