#pragma once
/// @class strata::layers::GlobalMaxPooling1D
/// GlobalMaxPooling1D: the maximum over the steps of each channel, as keras.layers.GlobalMaxPooling1D
/// (channels_last).
///
/// - Args: keepdims (default false: the spatial axes are dropped; true keeps them with size 1).
/// - Input shape: (batch, steps, channels) -> (batch, channels), or (batch, 1, channels) with keepdims.
/// - Mask: Keras's GlobalMaxPooling1D does not support masking: a masked input loses its mask, with
///   Keras's warning, and every step counts.
/// No weights.
/// .
///
///     GlobalMaxPooling1D();  GlobalMaxPooling1D(true);

#include <memory>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class GlobalMaxPooling1D : public LayerOf<GlobalMaxPooling1D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit GlobalMaxPooling1D(bool keepdims = false, LayerOptions options = {});

  std::string class_name() const override { return "GlobalMaxPooling1D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a GlobalMaxPooling1D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// Whether the pooled axes stay, with size 1.
  bool keepdims() const { return keepdims_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  bool keepdims_;
};

}  // namespace layers
}  // namespace strata
