#pragma once
/// @class strata::layers::ReLU
/// ReLU: the rectified linear unit with Keras's options, as keras.layers.ReLU:
///     f(x) = max_value             for x >= max_value
///        = x                     for threshold <= x < max_value
///        = negative_slope (x - threshold)  below threshold.
///
/// - Args: max_value (None: unbounded, else >= 0), negative_slope (>= 0), threshold (>= 0).
/// - Input shape: any. Output shape: the input's.
/// .
///
///     ReLU();  ReLU(6.0);  ReLU(std::nullopt, 0.1, 0.5);

#include <memory>
#include <optional>
#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class ReLU : public LayerOf<ReLU> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit ReLU(std::optional<double> max_value = std::nullopt, double negative_slope = 0.0, double threshold = 0.0,
                LayerOptions options = {});

  std::string class_name() const override { return "ReLU"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a ReLU from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The value outputs are capped at, when given.
  std::optional<double> max_value() const { return max_value_; }
  /// The slope below the threshold.
  double negative_slope() const { return negative_slope_; }
  /// Values below it are treated as negative (0: plain ReLU).
  double threshold() const { return threshold_; }

 protected:
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::optional<double> max_value_;
  double negative_slope_;
  double threshold_;
  ActivationFunction function_;
};

}  // namespace layers
}  // namespace strata
