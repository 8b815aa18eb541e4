#pragma once
/// @class strata::layers::Average
/// Average: the element-wise mean of its inputs, as keras.layers.Average.
///
/// - Inputs: a list of tensors with one batch size whose other axes broadcast as Keras's merge
/// layers do: aligned at their last axes (a lower-rank input gains 1s after its batch axis),
/// an axis of size 1 repeated to the other's size. Output: the broadcast shape.
/// .
///
///     auto mean = Average()({a, b, c});

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

class Average : public LayerOf<Average> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Average(LayerOptions options = {});

  std::string class_name() const override { return "Average"; }
  /// Merges its inputs' masks (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// Keras's Merge: none unless every input carries a mask, else their OR (a step is kept where
  /// any input keeps it).
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  /// Rebuilds a Average from the config get_config() wrote (Keras's from_config).
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
