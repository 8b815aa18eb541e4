// Fuzz target: a .weights.h5 file's bytes loaded into a fixed compiled model (a convolution,
// batch normalization and a dense layer, with Adam's slots), as load_weights does.

#include <cstddef>
#include <cstdint>
#include <span>

#include "api/saving/hdf5_file.hpp"
#include "api/saving/hdf5_probe.hpp"
#include "api/saving/weights_store.hpp"
#include "strata/strata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  static Sequential* model = [] {
    auto* m = new Sequential(
        {Input({6, 6, 2}), Conv2D(4, 3, "relu"), BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(3, "softmax")},
        "seq_cnn");
    m->compile("adam", "sparse_categorical_crossentropy");
    m->optimizer().build(m->trainable_weights());
    return m;
  }();
  try {
    const detail::H5Reader file =
        detail::open_untrusted_h5(std::span(reinterpret_cast<const std::byte*>(data), size), "fuzz.weights.h5");
    detail::read_weights(*model, file);
  } catch (const Error&) {
  }
  return 0;
}
