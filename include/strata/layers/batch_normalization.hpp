#pragma once
/// @class strata::layers::BatchNormalization
/// BatchNormalization: normalises each channel (the last axis), as keras.layers.BatchNormalization.
///
/// In training (fit) the layer uses the batch's mean and (biased) variance and updates the
/// moving statistics: moving = moving * momentum + batch * (1 - momentum). In inference
/// (evaluate, predict) and whenever the layer is not trainable it uses the moving statistics:
///     y = gamma (x - mean) / sqrt(variance + epsilon) + beta.
/// - Input shape: any rank >= 2, channels last. Output shape: the input's.
/// - Weights, Keras's order: gamma (c,) when scale, beta (c,) when center (trainable), then
/// moving_mean (c,) and moving_variance (c,) (non-trainable).
/// .
///
///     BatchNormalization();  BatchNormalization({.momentum = 0.9, .epsilon = 1e-5});

#include <optional>
#include <string>

#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of BatchNormalization beyond its positional arguments, with Keras's defaults.
struct BatchNormalizationOptions {
  /// The channel axis; only the last one (-1, or rank - 1) is supported so far.
  int axis = -1;
  /// The moving statistics' decay: moving = moving * momentum + batch * (1 - momentum).
  double momentum = 0.99;
  /// Added to the variance before the square root, for numerical stability.
  double epsilon = 1e-3;
  bool center = true;  ///< learn beta
  bool scale = true;   ///< learn gamma
  /// Initializer of the offset beta: an Initializer or Keras's name.
  Handle<Initializer> beta_initializer = "zeros";
  /// Initializer of the scale gamma: an Initializer or Keras's name.
  Handle<Initializer> gamma_initializer = "ones";
  /// Initializer of the moving mean used at inference.
  Handle<Initializer> moving_mean_initializer = "zeros";
  /// Initializer of the moving variance used at inference.
  Handle<Initializer> moving_variance_initializer = "ones";
  /// Keras's `beta_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> beta_regularizer = std::nullopt;
  /// Keras's `gamma_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> gamma_regularizer = std::nullopt;
  /// Keras's `beta_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> beta_constraint = std::nullopt;
  /// Keras's `gamma_constraint`: a Constraint or its name ("max_norm"), applied after each update.
  std::optional<Handle<Constraint>> gamma_constraint = std::nullopt;
  /// In data-parallel training (strata/distributed.hpp), normalise with the statistics of the
  /// global batch, summed across the processes, instead of each process's share (Keras's
  /// `synchronized`). Costs three small sums across the processes per layer and step; changes
  /// nothing in a single process.
  bool synchronized = false;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class BatchNormalization : public LayerOf<BatchNormalization> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit BatchNormalization(BatchNormalizationOptions options = {});

  std::string class_name() const override { return "BatchNormalization"; }
  /// Keras's passes a mask on after using it; Strata refuses a masked input (ValueError) until it
  /// applies masks as Keras does.
  bool supports_masking() const override { return true; }
  /// ValueError for a masked input; else none.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  nlohmann::json get_config() const override;
  /// Rebuilds a BatchNormalization from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The options the layer was made with.
  const BatchNormalizationOptions& options() const { return options_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  BatchNormalizationOptions options_;
  Variable* gamma_ = nullptr;
  Variable* beta_ = nullptr;
  Variable* moving_mean_ = nullptr;
  Variable* moving_variance_ = nullptr;
  Tensor ones_, zeros_;  // stand-ins for gamma and beta when scale / center are off
};

}  // namespace layers
}  // namespace strata
