#pragma once
// Private to layers/: Keras's dropout as the layers that drop activations apply it (Dropout, and
// the attention layers on their weights).

#include <cstdint>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// y = x * mask, the mask 0 or 1 / (1 - rate) per element, drawn from `seed` (the same on every
/// backend). At rate 1 everything is dropped: 1 / (1 - rate) would be infinite.
inline void apply_dropout(Backend& backend, const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) {
  if (rate >= 1.f) {
    backend.fill(mask, 0.f);
    backend.fill(y, 0.f);
    return;
  }
  backend.dropout_forward(x, rate, seed, mask, y);
}

}  // namespace strata::detail
