#pragma once
/// @class strata::layers::AveragePooling2D
/// AveragePooling2D: the mean of each window, as keras.layers.AveragePooling2D (channels_last).
///
/// - Args: pool_size (no default, as in Keras); options: strides (None: pool_size), padding "valid" or
/// "same" (padded positions are left out of the mean), name.
/// - Input shape: (batch, height, width, channels) -> (batch, pooled_height, pooled_width, channels). No weights.
/// .
///
///     AveragePooling2D({2, 2});  AveragePooling2D(3, {.strides = 2, .padding = "same"});

#include <cstdint>
#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/pooling_options.hpp"

namespace strata {
inline namespace layers {

class AveragePooling2D : public LayerOf<AveragePooling2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit AveragePooling2D(Size2 pool_size, Pooling2DOptions options = {});

  std::string class_name() const override { return "AveragePooling2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a AveragePooling2D from the config get_config() wrote (Keras's from_config).
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
