#pragma once
/// @class strata::layers::ZeroPadding2D
/// ZeroPadding2D: adds rows and columns of zeros around each image, as
/// keras.layers.ZeroPadding2D (channels_last).
///
/// - Args: padding: one int for all four sides, {h, w} (symmetric) or {{top, bottom}, {left, right}}.
/// - Input shape: (batch, height, width, channels) -> (batch, top + height + bottom, left + width + right, channels).
/// .
///
///     ZeroPadding2D();  ZeroPadding2D({1, 2});  ZeroPadding2D({{1, 0}, {0, 1}}, {.name = "pad"});

#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/sides2.hpp"

namespace strata {
inline namespace layers {

/// The options of ZeroPadding2D beyond its positional arguments, with Keras's defaults.
struct ZeroPadding2DOptions {
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class ZeroPadding2D : public LayerOf<ZeroPadding2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit ZeroPadding2D(Sides2 padding = 1, ZeroPadding2DOptions options = {});

  std::string class_name() const override { return "ZeroPadding2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a ZeroPadding2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The rows and columns of zeros added on each side.
  const Sides2& padding() const { return padding_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Sides2 padding_;
};

}  // namespace layers
}  // namespace strata
