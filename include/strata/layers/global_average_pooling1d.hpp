#pragma once
/// @class strata::layers::GlobalAveragePooling1D
/// GlobalAveragePooling1D: the mean over the steps of each channel, as keras.layers.GlobalAveragePooling1D
/// (channels_last).
///
/// - Args: keepdims (default false: the spatial axes are dropped; true keeps them with size 1).
/// - Input shape: (batch, steps, channels) -> (batch, channels), or (batch, 1, channels) with keepdims.
/// No weights.
/// - Mask: with a masked input (Embedding(mask_zero), Masking), the mean over the unmasked steps
///   only, sum(x * mask) / sum(mask), as Keras's (a sample with every step masked gives NaN, as
///   Keras's 0/0 does); the output carries no mask.
/// .
///
///     GlobalAveragePooling1D();  GlobalAveragePooling1D(true);

#include <memory>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class GlobalAveragePooling1D : public LayerOf<GlobalAveragePooling1D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit GlobalAveragePooling1D(bool keepdims = false, LayerOptions options = {});

  std::string class_name() const override { return "GlobalAveragePooling1D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a GlobalAveragePooling1D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// Whether the pooled axes stay, with size 1.
  bool keepdims() const { return keepdims_; }
  /// Reads its input's mask (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// The steps are pooled away: no mask.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  // The masked mean's forward and backward (through Backend::binary and reduce).
  Tensor masked_forward(const Tensor& x, const Tensor& mask, bool training);
  Tensor masked_backward(const Tensor& dy);

  bool keepdims_;
};

}  // namespace layers
}  // namespace strata
