#pragma once
/// @class strata::layers::MaxPooling2D
/// MaxPooling2D: the maximum of each window, as keras.layers.MaxPooling2D (channels_last).
///
/// - Args: pool_size (default 2); options: strides (None: pool_size), padding "valid" or
/// "same" (padded positions are never the maximum), name.
/// - Input shape: (batch, height, width, channels) -> (batch, pooled_height, pooled_width, channels). No weights.
/// .
///
///     MaxPooling2D({2, 2});  MaxPooling2D(3, {.strides = 2, .padding = "same"});

#include <cstdint>
#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/pooling_options.hpp"

namespace strata {
inline namespace layers {

class MaxPooling2D : public LayerOf<MaxPooling2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit MaxPooling2D(Size2 pool_size = 2, Pooling2DOptions options = {});

  std::string class_name() const override { return "MaxPooling2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a MaxPooling2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The height and width of the pooling window.
  const Size2& pool_size() const { return pool_size_; }
  /// The step of the pooling window along rows and columns.
  const Size2& strides() const { return strides_; }
  /// "valid" or "same", as given.
  const std::string& padding() const { return padding_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Size2 pool_size_;  // (1, pool) for 1-D pooling
  Size2 strides_;
  std::string padding_;  // "valid" or "same"
};

}  // namespace layers
}  // namespace strata
