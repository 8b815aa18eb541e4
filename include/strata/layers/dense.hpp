#pragma once
/// @class strata::layers::Dense
/// Dense: y = activation(x W + b), as keras.layers.Dense.
///
/// - Args: units; activation (Keras's string name, default linear); options.
/// - Input shape: (batch, ..., input_dim). Output shape: (batch, ..., units).
/// - Weights: kernel (input_dim, units), bias (units,).
/// .
///
///     Dense(128, "relu");  Dense(10, "softmax", {.use_bias = false});
///     Dense(128, "relu", {.input_shape = {784}});

#include <optional>
#include <string>

#include "strata/activation.hpp"
#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of Dense beyond its positional arguments, with Keras's defaults.
struct DenseOptions {
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

class Dense : public LayerOf<Dense> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Dense(std::int64_t units, const std::string& activation = "linear", DenseOptions options = {});

  std::string class_name() const override { return "Dense"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Dense from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The number of output units (the last axis of the output).
  std::int64_t units() const { return units_; }
  /// The activation applied to the layer's output.
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::int64_t units_;
  ActivationFunction activation_;
  DenseOptions options_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
