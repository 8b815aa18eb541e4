#pragma once
/// @class strata::layers::DepthwiseConv2D
/// DepthwiseConv2D: each input channel convolved with its own depth_multiplier filters, as
/// keras.layers.DepthwiseConv2D (channels_last): a grouped convolution with groups = channels.
///
/// - Args: kernel_size (an int or {h, w}); activation (Keras's string name, default linear);
/// options (strides, padding "valid" / "same", depth_multiplier, dilation_rate, use_bias,
/// initializers, name), with Keras's defaults.
/// - Input shape: (batch, rows, cols, channels). Output shape:
/// (batch, new_rows, new_cols, channels * depth_multiplier); output channel c * dm + m comes
/// from input channel c.
/// - Weights: kernel (kh, kw, channels, depth_multiplier), bias (channels * depth_multiplier,).
/// .
///
///     DepthwiseConv2D(3, "relu", {.padding = "same", .depth_multiplier = 2});

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

/// The options of DepthwiseConv2D beyond its positional arguments, with Keras's defaults.
struct DepthwiseConv2DOptions {
  /// The step of the window along rows and columns (an int or {h, w}).
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same" (case-insensitive)
  /// Output channels per input channel of the depthwise step.
  std::int64_t depth_multiplier = 1;
  /// The spacing of the kernel's taps along rows and columns (1: a plain convolution).
  Size2 dilation_rate = 1;
  /// Whether the layer adds a learned bias.
  bool use_bias = true;
  /// Initializer of the depthwise kernel: an Initializer or Keras's name.
  Handle<Initializer> depthwise_initializer = "glorot_uniform";
  /// Initializer of the bias: an Initializer or Keras's name.
  Handle<Initializer> bias_initializer = "zeros";
  /// Keras's `depthwise_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> depthwise_regularizer = std::nullopt;
  /// Keras's `bias_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> bias_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `depthwise_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> depthwise_constraint = std::nullopt;
  /// Keras's `bias_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> bias_constraint = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class DepthwiseConv2D : public LayerOf<DepthwiseConv2D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit DepthwiseConv2D(Size2 kernel_size, const std::string& activation = "linear",
                           DepthwiseConv2DOptions options = {});

  std::string class_name() const override { return "DepthwiseConv2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a DepthwiseConv2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The height and width of the convolution window.
  Size2 kernel_size() const { return kernel_size_; }
  /// The options the layer was made with.
  const DepthwiseConv2DOptions& options() const { return options_; }
  /// The activation applied to the layer's output.
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
