#pragma once
/// Conv2D: y = activation(conv2d(x, kernel) + bias), as keras.layers.Conv2D (channels_last).
///
/// Args: filters; kernel_size (an int or {h, w}); activation (Keras's string name, default
/// linear); options (strides, padding "valid" / "same", dilation_rate, groups, use_bias,
/// initializers, name), with Keras's defaults.
/// Input shape: (batch, rows, cols, channels). Output shape: (batch, new_rows, new_cols, filters).
/// Weights: kernel (kh, kw, channels / groups, filters), bias (filters,).
///
///   Conv2D(32, 3, "relu");  Conv2D(64, {3, 3}, "relu", {.strides = 2, .padding = "same"});

#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

struct Conv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same" (case-insensitive)
  Size2 dilation_rate = 1;
  std::int64_t groups = 1;
  bool use_bias = true;
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  Handle<Initializer> bias_initializer = "zeros";
  std::string name = {};
  Shape input_shape = {};
};

class Conv2D : public LayerOf<Conv2D> {
 public:
  Conv2D(std::int64_t filters, Size2 kernel_size, const std::string& activation = "linear", Conv2DOptions options = {});

  std::string class_name() const override { return "Conv2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  std::int64_t filters() const { return filters_; }
  Size2 kernel_size() const { return kernel_size_; }
  const Conv2DOptions& options() const { return options_; }
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Conv2DParams params_for(const Shape& input_shape) const;

  std::int64_t filters_;
  Size2 kernel_size_;
  ActivationFunction activation_;
  Conv2DOptions options_;
  ConvPadding padding_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
