#pragma once
/// @class strata::layers::SeparableConv2D
/// SeparableConv2D: a depthwise convolution (each input channel with its own depth_multiplier
/// filters) followed by a pointwise 1x1 convolution mixing channels, as
/// keras.layers.SeparableConv2D (channels_last): y = activation(pointwise(depthwise(x)) + bias).
///
/// - Args: filters; kernel_size (an int or {h, w}); activation (Keras's string name, default
/// linear); options (strides, padding "valid" / "same", dilation_rate, depth_multiplier, use_bias,
/// initializers, name), with Keras's defaults.
/// - Input shape: (batch, rows, cols, channels). Output shape: (batch, new_rows, new_cols, filters).
/// - Weights, in Keras's order: depthwise_kernel (kh, kw, channels, depth_multiplier),
/// pointwise_kernel (1, 1, channels * depth_multiplier, filters), bias (filters,).
/// .
///
///     SeparableConv2D(32, 3, "relu", {.padding = "same"});

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

/// The options of SeparableConv2D beyond its positional arguments, with Keras's defaults.
struct SeparableConv2DOptions {
  /// The step of the window along rows and columns (an int or {h, w}).
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same" (case-insensitive)
  /// The spacing of the kernel's taps along rows and columns (1: a plain convolution).
  Size2 dilation_rate = 1;
  /// Output channels per input channel of the depthwise step.
  std::int64_t depth_multiplier = 1;
  /// Whether the layer adds a learned bias.
  bool use_bias = true;
  /// Initializer of the depthwise kernel: an Initializer or Keras's name.
  Handle<Initializer> depthwise_initializer = "glorot_uniform";
  /// Initializer of the 1x1 pointwise kernel: an Initializer or Keras's name.
  Handle<Initializer> pointwise_initializer = "glorot_uniform";
  /// Initializer of the bias: an Initializer or Keras's name.
  Handle<Initializer> bias_initializer = "zeros";
  /// Keras's `depthwise_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> depthwise_regularizer = std::nullopt;
  /// Keras's `pointwise_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> pointwise_regularizer = std::nullopt;
  /// Keras's `bias_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> bias_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `depthwise_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> depthwise_constraint = std::nullopt;
  /// Keras's `pointwise_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> pointwise_constraint = std::nullopt;
  /// Keras's `bias_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> bias_constraint = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class SeparableConv2D : public LayerOf<SeparableConv2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  SeparableConv2D(std::int64_t filters, Size2 kernel_size, const std::string& activation = "linear",
                  SeparableConv2DOptions options = {});

  std::string class_name() const override { return "SeparableConv2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a SeparableConv2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The number of output channels.
  std::int64_t filters() const { return filters_; }
  /// The height and width of the convolution window.
  Size2 kernel_size() const { return kernel_size_; }
  /// The options the layer was made with.
  const SeparableConv2DOptions& options() const { return options_; }
  /// The activation applied to the layer's output.
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
