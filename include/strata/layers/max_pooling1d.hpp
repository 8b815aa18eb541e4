#pragma once
/// @class strata::layers::MaxPooling1D
/// MaxPooling1D: the maximum of each window along the steps axis, as keras.layers.MaxPooling1D (channels_last).
///
/// - Args: pool_size (default 2); options: strides (None: pool_size), padding "valid" or
/// "same" (padded positions are never the maximum), name.
/// - Input shape: (batch, steps, channels) -> (batch, pooled_steps, channels). No weights.
/// .
///
///     MaxPooling1D(2);  MaxPooling1D(3, {.strides = 2, .padding = "same"});

#include <cstdint>
#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/pooling_options.hpp"

namespace strata {
inline namespace layers {

class MaxPooling1D : public LayerOf<MaxPooling1D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit MaxPooling1D(std::int64_t pool_size = 2, Pooling1DOptions options = {});

  std::string class_name() const override { return "MaxPooling1D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a MaxPooling1D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The length of the pooling window.
  std::int64_t pool_size() const { return pool_size_.w; }
  /// The step of the pooling window.
  std::int64_t strides() const { return strides_.w; }
  /// "valid" or "same", as given.
  const std::string& padding() const { return padding_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Size2 pool_size_;  // (1, pool) for 1-D pooling
  Size2 strides_;
  std::string padding_;  // "valid" or "same"
};

}  // namespace layers
}  // namespace strata
