#pragma once
/// SeparableConv2D: a depthwise convolution (each input channel with its own depth_multiplier
/// filters) followed by a pointwise 1x1 convolution mixing channels, as
/// keras.layers.SeparableConv2D (channels_last): y = activation(pointwise(depthwise(x)) + bias).
///
/// Args: filters; kernel_size (an int or {h, w}); activation (Keras's string name, default
/// linear); options (strides, padding "valid" / "same", dilation_rate, depth_multiplier, use_bias,
/// initializers, name), with Keras's defaults.
/// Input shape: (batch, rows, cols, channels). Output shape: (batch, new_rows, new_cols, filters).
/// Weights, in Keras's order: depthwise_kernel (kh, kw, channels, depth_multiplier),
/// pointwise_kernel (1, 1, channels * depth_multiplier, filters), bias (filters,).
///
///   SeparableConv2D(32, 3, "relu", {.padding = "same"});

#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

struct SeparableConv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same" (case-insensitive)
  Size2 dilation_rate = 1;
  std::int64_t depth_multiplier = 1;
  bool use_bias = true;
  Handle<Initializer> depthwise_initializer = "glorot_uniform";
  Handle<Initializer> pointwise_initializer = "glorot_uniform";
  Handle<Initializer> bias_initializer = "zeros";
  std::string name = {};
  Shape input_shape = {};
};

class SeparableConv2D : public LayerOf<SeparableConv2D> {
 public:
  SeparableConv2D(std::int64_t filters, Size2 kernel_size, const std::string& activation = "linear",
                  SeparableConv2DOptions options = {});

  std::string class_name() const override { return "SeparableConv2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  std::int64_t filters() const { return filters_; }
  Size2 kernel_size() const { return kernel_size_; }
  const SeparableConv2DOptions& options() const { return options_; }
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Conv2DParams params_for(const Shape& input_shape) const;
  // depthwise_kernel (kh, kw, c, dm) as the grouped convolution's (kh, kw, 1, c * dm).
  Shape grouped_kernel_shape() const;
  // pointwise_kernel (1, 1, c * dm, filters) as a matrix (c * dm, filters).
  Shape pointwise_matrix_shape() const;

  std::int64_t filters_;
  Size2 kernel_size_;
  ActivationFunction activation_;
  SeparableConv2DOptions options_;
  ConvPadding padding_;
  Variable* depthwise_kernel_ = nullptr;
  Variable* pointwise_kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
