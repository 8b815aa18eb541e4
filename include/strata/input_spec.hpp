#pragma once
/// @class strata::InputSpec
/// What a layer accepts, checked at every call with Keras's messages.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/shape.hpp"

namespace strata {

struct InputSpec {
  std::optional<std::size_t> ndim;      ///< exact rank, batch axis included
  std::optional<std::size_t> min_ndim;  ///< smallest rank
  /// (axis, size) pairs that must hold; negative axes count from the end.
  std::vector<std::pair<std::int64_t, std::int64_t>> axes;

  /// Throws ShapeError naming `layer_name` when `shape` does not satisfy the spec.
  void check(const Shape& shape, std::string_view layer_name) const;
};

}  // namespace strata
