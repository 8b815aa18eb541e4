#pragma once
/// @class strata::layers::Rescaling
/// Rescaling: y = x * scale + offset, as keras.layers.Rescaling.
///
///     Rescaling(1.0 / 255);  Rescaling(1.0 / 127.5, -1);
/// - Input shape: any. Output shape: the input's.
/// .

#include <memory>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Rescaling : public LayerOf<Rescaling> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Rescaling(double scale, double offset = 0.0, LayerOptions options = {});

  std::string class_name() const override { return "Rescaling"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a Rescaling from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The factor inputs are multiplied by.
  double scale() const { return scale_; }
  /// The value added after scaling.
  double offset() const { return offset_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  double scale_;  // as given, so configs carry Keras's exact values; the op runs in float
  double offset_;
};

}  // namespace layers
}  // namespace strata
