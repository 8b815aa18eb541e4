#pragma once
/// @class strata::layers::Conv2DTranspose
/// Conv2DTranspose: the transposed convolution (sometimes called deconvolution), as
/// keras.layers.Conv2DTranspose (channels_last): y = activation(conv_transpose(x, kernel) + bias),
/// the gradient of a Conv2D with respect to its input.
///
/// - Args: filters; kernel_size (an int or {h, w}); activation (Keras's string name, default
/// linear); options (strides, padding "valid" / "same", output_padding (none by default),
/// dilation_rate, use_bias, initializers, name), with Keras's defaults.
/// - Input shape: (batch, rows, cols, channels). Output shape: (batch, new_rows, new_cols, filters)
/// with Keras's deconv lengths: "valid" (in - 1) s + max(k', s) (k' = (k - 1) d + 1), "same"
/// in * s, and with output_padding op: "valid" (in - 1) s + k' + op, "same" (in - 1) s + k' % 2 + op.
/// - Weights: kernel (kh, kw, filters, channels), bias (filters,).
/// .
///
///     Conv2DTranspose(16, 3, "relu", {.strides = 2, .padding = "same"});

#include <optional>
#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of Conv2DTranspose beyond its positional arguments, with Keras's defaults.
struct Conv2DTransposeOptions {
  /// The step of the window along rows and columns (an int or {h, w}).
  Size2 strides = 1;
  std::string padding = "valid";                       ///< "valid" or "same" (case-insensitive)
  std::optional<Size2> output_padding = std::nullopt;  ///< each value < the stride on its axis
  /// The spacing of the kernel's taps along rows and columns (1: a plain convolution).
  Size2 dilation_rate = 1;
  /// Whether the layer adds a learned bias.
  bool use_bias = true;
  /// Initializer of the kernel: an Initializer or Keras's name.
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  /// Initializer of the bias: an Initializer or Keras's name.
  Handle<Initializer> bias_initializer = "zeros";
  /// Keras's `kernel_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> kernel_regularizer = std::nullopt;
  /// Keras's `bias_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> bias_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `kernel_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> kernel_constraint = std::nullopt;
  /// Keras's `bias_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> bias_constraint = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Conv2DTranspose : public LayerOf<Conv2DTranspose> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  Conv2DTranspose(std::int64_t filters, Size2 kernel_size, const std::string& activation = "linear",
                  Conv2DTransposeOptions options = {});

  std::string class_name() const override { return "Conv2DTranspose"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Conv2DTranspose from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The number of output channels.
  std::int64_t filters() const { return filters_; }
  /// The height and width of the convolution window.
  Size2 kernel_size() const { return kernel_size_; }
  /// The options the layer was made with.
  const Conv2DTransposeOptions& options() const { return options_; }
  /// The activation applied to the layer's output.
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
