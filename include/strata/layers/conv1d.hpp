#pragma once
/// @class strata::layers::Conv1D
/// Conv1D: y = activation(conv1d(x, kernel) + bias), as keras.layers.Conv1D (channels_last).
///
/// - Args: filters; kernel_size; activation (Keras's string name, default linear); options
/// (strides, padding "valid" / "same" / "causal", dilation_rate, groups, use_bias,
/// initializers, name), with Keras's defaults.
/// - Input shape: (batch, steps, channels). Output shape: (batch, new_steps, filters).
/// - Weights: kernel (kernel_size, channels / groups, filters), bias (filters,).
/// .
///
///     Conv1D(16, 5, "relu");  Conv1D(32, 3, "linear", {.padding = "causal", .dilation_rate = 2});

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

/// The options of Conv1D beyond its positional arguments, with Keras's defaults.
struct Conv1DOptions {
  /// The step of the window along the steps axis.
  std::int64_t strides = 1;
  std::string padding = "valid";  ///< "valid", "same" or "causal" (case-insensitive)
  /// The spacing of the kernel's taps (1: a plain convolution).
  std::int64_t dilation_rate = 1;
  /// Input channels split into this many groups, each convolved with filters / groups filters.
  std::int64_t groups = 1;
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

class Conv1D : public LayerOf<Conv1D> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  Conv1D(std::int64_t filters, std::int64_t kernel_size, const std::string& activation = "linear",
         Conv1DOptions options = {});

  std::string class_name() const override { return "Conv1D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Conv1D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The number of output channels.
  std::int64_t filters() const { return filters_; }
  /// The length of the convolution window.
  std::int64_t kernel_size() const { return kernel_size_; }
  /// The options the layer was made with.
  const Conv1DOptions& options() const { return options_; }
  /// The activation applied to the layer's output.
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  // The 2-D convolution (rows = 1) that runs the layer for a (n, steps, channels) input.
  Conv2DParams params_for(const Shape& input_shape) const;

  std::int64_t filters_;
  std::int64_t kernel_size_;
  ActivationFunction activation_;
  Conv1DOptions options_;
  ConvPadding padding_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
