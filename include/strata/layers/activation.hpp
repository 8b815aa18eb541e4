#pragma once
/// @class strata::layers::Activation
/// Activation: applies an activation function, as keras.layers.Activation.
///
///     Activation("relu");
/// - Input shape: any. Output shape: the input's.
/// .

#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Activation : public LayerOf<Activation> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Activation(const std::string& activation, LayerOptions options = {});

  std::string class_name() const override { return "Activation"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a Activation from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The activation function the layer applies.
  const ActivationFunction& function() const { return function_; }

 protected:
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  ActivationFunction function_;
};

}  // namespace layers
}  // namespace strata
