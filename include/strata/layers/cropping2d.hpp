#pragma once
/// @class strata::layers::Cropping2D
/// Cropping2D: removes rows and columns from the edges of each image, as keras.layers.Cropping2D
/// (channels_last).
///
/// - Args: cropping: one int for all four sides, {h, w} (symmetric) or {{top, bottom}, {left, right}}.
/// - Input shape: (batch, height, width, channels) -> (batch, height - top - bottom, width - left - right, channels).
/// .
///
///     Cropping2D(1);  Cropping2D({{2, 2}, {4, 4}}, {.name = "crop"});

#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/sides2.hpp"

namespace strata {
inline namespace layers {

/// The options of Cropping2D beyond its positional arguments, with Keras's defaults.
struct Cropping2DOptions {
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Cropping2D : public LayerOf<Cropping2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Cropping2D(Sides2 cropping = 0, Cropping2DOptions options = {});

  std::string class_name() const override { return "Cropping2D"; }
  /// ValueError (Keras's message) when the cropping leaves nothing of a known axis.
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Cropping2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The rows and columns removed from each side.
  const Sides2& cropping() const { return cropping_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Sides2 cropping_;
};

}  // namespace layers
}  // namespace strata
