#pragma once
/// @class strata::layers::Dot
/// Dot: the dot product of two inputs along one axis of each, sample by sample, as
/// keras.layers.Dot (Keras's batch_dot).
///
/// - Args: axes: one axis for both inputs, or {axis of the first, axis of the second}; negative
/// axes count from the end; never the batch axis 0. DotOptions::normalize: Keras's L2
/// normalisation of both inputs along the axes first; not supported yet (ValueError), as no
/// backend op takes a square root yet.
/// - Inputs: two tensors x (batch, ...) and y (batch, ...) of rank >= 2 whose chosen axes have
/// one size k. Output: (batch, x's other axes..., y's other axes...), or (batch, 1) when that
/// leaves only the batch axis: (b, k)·(b, k) -> (b, 1); (b, n, k)·(b, k, m) with axes {2, 1}
/// -> (b, n, m); (b, n, k)·(b, m, k) with axes 2 -> (b, n, m).
/// .
///
/// Supported: any ranks whose product space, (batch, x's other axes, k, y's other axes), has at
/// most 8 axes (rank x + rank y <= 10). The pass multiplies broadcast views of both inputs into
/// that space and sums over k, so it holds batch * (x's others) * k * (y's others) floats: the
/// attention-sized inputs Dot usually gets, not large matrix products (use Dense for those).
///
///     auto scores = Dot({2, 2})({queries, keys});  Dot(1, {.name = "similarity"})({a, b});

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

/// Dot's `axes`: an int for both inputs, or a pair (ValueError for any other count, as Keras).
struct DotAxes {
  /// The same axis for both inputs.
  DotAxes(int axis) : axes{axis, axis}, pair(false) {}  // NOLINT: an int converts, as in Keras
  /// {axis of the first input, axis of the second}.
  DotAxes(std::initializer_list<int> axes);

  /// The axis of the first input and the axis of the second.
  std::array<int, 2> axes;
  bool pair;  ///< given as a pair (the config writes a list), not one int
};

/// Dot's options beside `axes`. normalize comes last, so `Dot({2, 1})` cannot also read as
/// Dot(2, normalize = 1).
struct DotOptions {
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
  /// Keras's L2 normalisation of both inputs along the axes first; not supported yet (ValueError when true).
  bool normalize = false;
};

class Dot : public LayerOf<Dot> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Dot(DotAxes axes, DotOptions options = {});

  std::string class_name() const override { return "Dot"; }
  /// Keras's Dot supports masking and outputs none.
  bool supports_masking() const override { return true; }
  /// None: the dot product leaves no steps to mask.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor>) override { return nullptr; }
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Dot from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The axes the dot product runs over.
  const DotAxes& axes() const { return axes_; }

 protected:
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  DotAxes axes_;
  bool normalize_;
};

}  // namespace layers
}  // namespace strata
