#pragma once
/// @class strata::layers::Size2
/// Size2: the argument type of a 2-D layer's kernel_size, strides, dilation_rate and
/// output_padding. Keras takes an int or a pair for each; so does Size2. ConvPadding: the parsed
/// form of the layers' `padding` string.
///
///     Conv2D(32, 3);  Conv2D(32, {3, 5}, "relu", {.strides = 2, .padding = "same"});

#include <cstdint>

namespace strata {
inline namespace layers {

/// A convolution's padding mode, parsed from Keras's strings "valid", "same", "causal".
enum class ConvPadding { Valid, Same, Causal };

struct Size2 {
  /// The size along rows.
  std::int64_t h = 1;
  /// The size along columns.
  std::int64_t w = 1;

  constexpr Size2() = default;
  /// The same value for both axes, as Keras's `kernel_size=3`.
  constexpr Size2(std::int64_t both) : h(both), w(both) {}
  /// (rows, columns), as Keras's `kernel_size=(3, 5)`.
  constexpr Size2(std::int64_t rows, std::int64_t columns) : h(rows), w(columns) {}

  /// Same h and w.
  friend constexpr bool operator==(const Size2&, const Size2&) = default;
};

}  // namespace layers
}  // namespace strata
