#pragma once
/// @file
/// The options of the windowed pooling layers (MaxPooling2D, AveragePooling2D, MaxPooling1D,
/// AveragePooling1D), after their pool_size, with Keras's defaults:
///
///     MaxPooling2D({2, 2});  MaxPooling2D(3, {.strides = 2, .padding = "same"});
///     AveragePooling1D(3, {.strides = 1, .padding = "same", .name = "smooth"});

#include <cstdint>
#include <optional>
#include <string>

#include "strata/layers/conv_args.hpp"
#include "strata/shape.hpp"

namespace strata {
inline namespace layers {

/// The options of MaxPooling2D and AveragePooling2D after pool_size.
struct Pooling2DOptions {
  /// None (the default) means pool_size, as in Keras.
  std::optional<Size2> strides = std::nullopt;
  /// "valid" (windows inside the input) or "same" (ceil(size / stride) outputs; the padding's
  /// smaller half goes first), any case.
  std::string padding = "valid";
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

/// The options of MaxPooling1D and AveragePooling1D after pool_size.
struct Pooling1DOptions {
  /// None (the default) means pool_size, as in Keras.
  std::optional<std::int64_t> strides = std::nullopt;
  /// "valid" or "same", as for Pooling2DOptions.
  std::string padding = "valid";
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

}  // namespace layers
}  // namespace strata
