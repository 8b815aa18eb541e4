#pragma once
/// Conv2DTranspose: the transposed convolution (sometimes called deconvolution), as
/// keras.layers.Conv2DTranspose (channels_last): y = activation(conv_transpose(x, kernel) + bias),
/// the gradient of a Conv2D with respect to its input.
///
/// Args: filters; kernel_size (an int or {h, w}); activation (Keras's string name, default
/// linear); options (strides, padding "valid" / "same", output_padding (none by default),
/// dilation_rate, use_bias, initializers, name), with Keras's defaults.
/// Input shape: (batch, rows, cols, channels). Output shape: (batch, new_rows, new_cols, filters)
/// with Keras's deconv lengths: "valid" (in - 1) s + max(k', s) (k' = (k - 1) d + 1), "same"
/// in * s, and with output_padding op: "valid" (in - 1) s + k' + op, "same" (in - 1) s + k' % 2 + op.
/// Weights: kernel (kh, kw, filters, channels), bias (filters,).
///
///   Conv2DTranspose(16, 3, "relu", {.strides = 2, .padding = "same"});

#include <optional>
#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

struct Conv2DTransposeOptions {
  Size2 strides = 1;
  std::string padding = "valid";                       ///< "valid" or "same" (case-insensitive)
  std::optional<Size2> output_padding = std::nullopt;  ///< each value < the stride on its axis
  Size2 dilation_rate = 1;
  bool use_bias = true;
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  Handle<Initializer> bias_initializer = "zeros";
  std::string name = {};
  Shape input_shape = {};
};

class Conv2DTranspose : public LayerOf<Conv2DTranspose> {
 public:
  Conv2DTranspose(std::int64_t filters, Size2 kernel_size, const std::string& activation = "linear",
                  Conv2DTransposeOptions options = {});

  std::string class_name() const override { return "Conv2DTranspose"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  std::int64_t filters() const { return filters_; }
  Size2 kernel_size() const { return kernel_size_; }
  const Conv2DTransposeOptions& options() const { return options_; }
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  // The two axes for an input shape: output lengths and the equivalent convolution's padding.
  struct Geometry;
  Geometry geometry(const Shape& input_shape) const;
  // The equivalent convolution (from this layer's output back to its input); its kernel
  // (kh, kw, filters, channels) is this layer's kernel.
  Conv2DParams params_for(const Shape& input_shape) const;

  std::int64_t filters_;
  Size2 kernel_size_;
  ActivationFunction activation_;
  Conv2DTransposeOptions options_;
  ConvPadding padding_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
