#pragma once
/// @class strata::layers::Softmax
/// Softmax: exp(x_i) / sum_j exp(x_j) over the last axis, as keras.layers.Softmax.
///
/// - Args: axis: only the last axis (-1, or rank - 1) is supported so far.
/// - Input shape: any. Output shape: the input's.
/// .
///
///     Softmax();

#include <memory>
#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Softmax : public LayerOf<Softmax> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Softmax(int axis = -1, LayerOptions options = {});

  std::string class_name() const override { return "Softmax"; }
  /// Keras's passes a mask on after using it; Strata refuses a masked input (ValueError) until it
  /// applies masks as Keras does.
  bool supports_masking() const override { return true; }
  /// ValueError for a masked input; else none.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Softmax from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The axis the layer works along (negative: from the end).
  int axis() const { return axis_; }

 protected:
  bool computes_in(DType dtype) const override;
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  int axis_;
};

}  // namespace layers
}  // namespace strata
