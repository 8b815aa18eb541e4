#pragma once
/// @class strata::layers::LayerNormalization
/// LayerNormalization: normalises each sample over its last axis, as
/// keras.layers.LayerNormalization: y = gamma (x - mean) / sqrt(variance + epsilon) + beta, the
/// mean and (biased) variance taken over the last axis of each row, the same in training and
/// inference.
/// - Input shape: any rank >= 2. Output shape: the input's.
/// - Weights: gamma (c,) when scale, beta (c,) when center.
/// .
///
///     LayerNormalization();  LayerNormalization({.epsilon = 1e-6, .center = false});

#include <optional>
#include <string>

#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of LayerNormalization beyond its positional arguments, with Keras's defaults.
struct LayerNormalizationOptions {
  /// The normalised axis; only the last one (-1, or rank - 1) is supported so far.
  int axis = -1;
  /// Added to the variance before the square root, for numerical stability.
  double epsilon = 1e-3;
  bool center = true;  ///< learn beta
  bool scale = true;   ///< learn gamma
  /// Initializer of the offset beta: an Initializer or Keras's name.
  Handle<Initializer> beta_initializer = "zeros";
  /// Initializer of the scale gamma: an Initializer or Keras's name.
  Handle<Initializer> gamma_initializer = "ones";
  /// Keras's `beta_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> beta_regularizer = std::nullopt;
  /// Keras's `gamma_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> gamma_regularizer = std::nullopt;
  /// Keras's `beta_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> beta_constraint = std::nullopt;
  /// Keras's `gamma_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> gamma_constraint = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class LayerNormalization : public LayerOf<LayerNormalization> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit LayerNormalization(LayerNormalizationOptions options = {});

  std::string class_name() const override { return "LayerNormalization"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a LayerNormalization from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The options the layer was made with.
  const LayerNormalizationOptions& options() const { return options_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  LayerNormalizationOptions options_;
  bool axis_as_list_ = false;  // Keras writes the axis as a list once built, or when given one
  Variable* gamma_ = nullptr;
  Variable* beta_ = nullptr;
};

}  // namespace layers
}  // namespace strata
