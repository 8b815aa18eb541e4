#pragma once
/// DepthwiseConv2D: each input channel convolved with its own depth_multiplier filters, as
/// keras.layers.DepthwiseConv2D (channels_last): a grouped convolution with groups = channels.
///
/// Args: kernel_size (an int or {h, w}); activation (Keras's string name, default linear);
/// options (strides, padding "valid" / "same", depth_multiplier, dilation_rate, use_bias,
/// initializers, name), with Keras's defaults.
/// Input shape: (batch, rows, cols, channels). Output shape:
/// (batch, new_rows, new_cols, channels * depth_multiplier); output channel c * dm + m comes
/// from input channel c.
/// Weights: kernel (kh, kw, channels, depth_multiplier), bias (channels * depth_multiplier,).
///
///   DepthwiseConv2D(3, "relu", {.padding = "same", .depth_multiplier = 2});

#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

struct DepthwiseConv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same" (case-insensitive)
  std::int64_t depth_multiplier = 1;
  Size2 dilation_rate = 1;
  bool use_bias = true;
  Handle<Initializer> depthwise_initializer = "glorot_uniform";
  Handle<Initializer> bias_initializer = "zeros";
  std::string name = {};
  Shape input_shape = {};
};

class DepthwiseConv2D : public LayerOf<DepthwiseConv2D> {
 public:
  explicit DepthwiseConv2D(Size2 kernel_size, const std::string& activation = "linear",
                           DepthwiseConv2DOptions options = {});

  std::string class_name() const override { return "DepthwiseConv2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  Size2 kernel_size() const { return kernel_size_; }
  const DepthwiseConv2DOptions& options() const { return options_; }
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Conv2DParams params_for(const Shape& input_shape) const;
  // The kernel (kh, kw, c, dm) as the grouped convolution's (kh, kw, 1, c * dm): same memory.
  Shape grouped_kernel_shape() const;

  Size2 kernel_size_;
  ActivationFunction activation_;
  DepthwiseConv2DOptions options_;
  ConvPadding padding_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
