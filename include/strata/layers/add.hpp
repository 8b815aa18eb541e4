#pragma once
/// @class strata::layers::Add
/// Add: the element-wise sum of its inputs, as keras.layers.Add.
///
/// - Inputs: a list of tensors with one batch size whose other axes broadcast as Keras's merge
/// layers do: aligned at their last axes (a lower-rank input gains 1s after its batch axis),
/// an axis of size 1 repeated to the other's size. Output: the broadcast shape.
/// .
///
///     auto sum = Add()({a, b});

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "strata/layer.hpp"

namespace strata {
namespace detail {
class MergeCall;
}
inline namespace layers {

class Add : public LayerOf<Add> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Add(LayerOptions options = {});

  std::string class_name() const override { return "Add"; }
  /// Merges its inputs' masks (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// Keras's Merge: none unless every input carries a mask, else their OR (a step is kept where
  /// any input keeps it).
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  /// Rebuilds a Add from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  friend class detail::MergeCall;
};

}  // namespace layers
}  // namespace strata
