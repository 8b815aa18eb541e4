#pragma once
/// @class strata::layers::LeakyReLU
/// LeakyReLU: f(x) = x for x >= 0, negative_slope * x below, as keras.layers.LeakyReLU.
///
///     LeakyReLU();  LeakyReLU(0.1);
/// - Input shape: any. Output shape: the input's.
/// .

#include <memory>
#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class LeakyReLU : public LayerOf<LeakyReLU> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit LeakyReLU(double negative_slope = 0.3, LayerOptions options = {});

  std::string class_name() const override { return "LeakyReLU"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a LeakyReLU from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The slope below the threshold.
  double negative_slope() const { return negative_slope_; }

 protected:
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  double negative_slope_;
  ActivationFunction function_;
};

}  // namespace layers
}  // namespace strata
