#pragma once
/// @class strata::layers::UpSampling2D
/// UpSampling2D: repeats each row size.h times and each column size.w times, as
/// keras.layers.UpSampling2D (channels_last).
///
/// - Input shape: (batch, height, width, channels) -> (batch, height * size.h, width * size.w, channels).
/// .
///
///     UpSampling2D();  UpSampling2D({2, 3}, {.name = "up"});

#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

/// The options of UpSampling2D beyond its positional arguments, with Keras's defaults.
struct UpSampling2DOptions {
  /// Only "nearest" is supported so far; Keras's other names are refused with a ValueError.
  std::string interpolation = "nearest";
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class UpSampling2D : public LayerOf<UpSampling2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit UpSampling2D(Size2 size = 2, UpSampling2DOptions options = {});

  std::string class_name() const override { return "UpSampling2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a UpSampling2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// How many times each row and each column is repeated.
  const Size2& size() const { return size_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Size2 size_;
};

}  // namespace layers
}  // namespace strata
