#pragma once
/// @class strata::layers::Maximum
/// Maximum: the element-wise maximum of its inputs, as keras.layers.Maximum. NaN wins,
/// as in NumPy's maximum; the gradient goes to the first input holding the maximum.
///
/// - Inputs: a list of tensors with one batch size whose other axes broadcast as Keras's merge
/// layers do: aligned at their last axes (a lower-rank input gains 1s after its batch axis),
/// an axis of size 1 repeated to the other's size. Output: the broadcast shape.
/// .
///
///     auto larger = Maximum()({a, b});

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

class Maximum : public LayerOf<Maximum> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Maximum(LayerOptions options = {});

  std::string class_name() const override { return "Maximum"; }
  /// Keras's Maximum reads its inputs' masks; Strata refuses a masked input (ValueError) until it
  /// applies them as Keras does.
  bool supports_masking() const override { return true; }
  /// ValueError for a masked input; else none.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  /// Rebuilds a Maximum from the config get_config() wrote (Keras's from_config).
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
