#pragma once
/// @class strata::layers::Concatenate
/// Concatenate: its inputs joined along `axis`, as keras.layers.Concatenate.
///
/// - Args: axis: the axis to join along (negative counts from the end; -1 by default).
/// - Inputs: a list of tensors of one rank whose axes all match except `axis` (None matches any
/// size). Output: the inputs' shape with `axis` the sum of theirs.
/// .
///
///     auto joined = Concatenate()({a, b});  Concatenate(1)({x, y, z});

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Concatenate : public LayerOf<Concatenate> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Concatenate(int axis = -1, LayerOptions options = {});

  std::string class_name() const override { return "Concatenate"; }
  /// Merges its inputs' masks (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// As Keras's Concatenate: along the last axis, none unless every input carries a mask, else
  /// their OR; along another axis, the inputs' masks joined along it (an unmasked input's
  /// steps all kept).
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Concatenate from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The axis the layer works along (negative: from the end).
  int axis() const { return axis_; }

 protected:
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  /// `axis_` as an index into shapes of `rank` axes; ValueError when out of range.
  int axis_index(std::size_t rank) const;

  int axis_;
};

}  // namespace layers
}  // namespace strata
