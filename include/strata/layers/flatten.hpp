#pragma once
/// @class strata::layers::Flatten
/// Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), as keras.layers.Flatten. No copy:
/// the output shares the input's memory.
///
///     Flatten();  Flatten({.input_shape = {28, 28}});

#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Flatten : public LayerOf<Flatten> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Flatten(LayerOptions options = {});

  std::string class_name() const override { return "Flatten"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Flatten from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  /// A reshape computes nothing: it passes any dtype through.
  bool computes_in(DType) const override { return true; }
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;
};

}  // namespace layers
}  // namespace strata
