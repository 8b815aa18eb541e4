#pragma once
/// @class strata::layers::Masking
/// Masking: marks the steps of a sequence whose features all equal `mask_value` as padding, as
/// keras.layers.Masking. The output is the input with those steps set to 0, and carries a mask
/// that is 0 there, so the layers after it that support masking skip them.
///
/// - Args: mask_value (default 0); options.
/// - Input shape: (batch, steps, features) (any rank: the last axis holds a step's features).
///   Output shape: the input's. Mask shape: the input's without its last axis.
/// .
///
///     Sequential model({Input({30, 4}), Masking(-1.f), GlobalAveragePooling1D(), Dense(1)});

#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Masking : public LayerOf<Masking> {
 public:
  /// Makes the layer from Keras's arguments: a step is masked when all its features equal mask_value.
  explicit Masking(float mask_value = 0.f, LayerOptions options = {});

  std::string class_name() const override { return "Masking"; }
  nlohmann::json get_config() const override;
  /// Rebuilds a Masking from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The value that marks a padded step.
  float mask_value() const { return mask_value_; }

  /// Masking passes an incoming mask's place to its own.
  bool supports_masking() const override { return true; }
  /// 1 where some feature of the step differs from mask_value (NaN differs from everything).
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  float mask_value_;
};

}  // namespace layers
}  // namespace strata
