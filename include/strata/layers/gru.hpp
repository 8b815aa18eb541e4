#pragma once
/// @class strata::layers::GRU
/// GRU: gated recurrent unit, as keras.layers.GRU: gates z, r, h in Keras's order, h' = z h + (1 - z) n.
///
/// - Args: units; options (Keras's arguments, below).
/// - Input shape: (batch, steps, features). Output shape: (batch, units), or (batch, steps,
///   units) with return_sequences.
/// - Weights: kernel (features, 3 units), recurrent_kernel (units, 3 units), bias (2, 3 units) with reset_after
/// (Keras's default: input and recurrent biases), else (3 units).
/// .
/// Masks, go_backwards, initial states and what is not supported yet: see RecurrentLayer.
///
///     GRU(64);  GRU(32, {.reset_after = false});  gru({x, h0});

#include <optional>
#include <string>

#include "strata/layers/recurrent.hpp"

namespace strata {
inline namespace layers {

/// The options of GRU beyond units, with Keras's names and defaults.
struct GRUOptions {
  /// The output's activation (Keras's name): tanh, sigmoid, relu or linear.
  std::string activation = "tanh";
  /// The gates' activation (Keras's name): sigmoid, tanh, relu or linear.
  std::string recurrent_activation = "sigmoid";
  /// Whether the layer adds learned biases.
  bool use_bias = true;
  /// Initializer of the kernel: an Initializer or Keras's name.
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  /// Initializer of the recurrent kernel: an Initializer or Keras's name.
  Handle<Initializer> recurrent_initializer = "orthogonal";
  /// Initializer of the bias: an Initializer or Keras's name.
  Handle<Initializer> bias_initializer = "zeros";
  /// Apply the reset gate after the recurrent matmul (Keras's default, the cuDNN form).
  bool reset_after = true;
  /// Keras's `kernel_regularizer`: a Regularizer or its name; none by default.
  std::optional<Handle<Regularizer>> kernel_regularizer = std::nullopt;
  /// Keras's `recurrent_regularizer`: a Regularizer or its name; none by default.
  std::optional<Handle<Regularizer>> recurrent_regularizer = std::nullopt;
  /// Keras's `bias_regularizer`: a Regularizer or its name; none by default.
  std::optional<Handle<Regularizer>> bias_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`: a Regularizer or its name; none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `kernel_constraint`: a Constraint or its name, applied after each update.
  std::optional<Handle<Constraint>> kernel_constraint = std::nullopt;
  /// Keras's `recurrent_constraint`: a Constraint or its name, applied after each update.
  std::optional<Handle<Constraint>> recurrent_constraint = std::nullopt;
  /// Keras's `bias_constraint`: a Constraint or its name, applied after each update.
  std::optional<Handle<Constraint>> bias_constraint = std::nullopt;
  /// Dropout on the inputs (not supported yet: must be 0).
  float dropout = 0.f;
  /// Dropout on the recurrent state (not supported yet: must be 0).
  float recurrent_dropout = 0.f;
  /// Seed of the dropout masks.
  std::optional<std::int64_t> seed = std::nullopt;
  /// Output every step's output (batch, steps, units) rather than the last one.
  bool return_sequences = false;
  /// Also return the final states (not supported yet: must be false).
  bool return_state = false;
  /// Process the steps from last to first.
  bool go_backwards = false;
  /// Carry the states from batch to batch (not supported yet: must be false).
  bool stateful = false;
  /// Keras's unrolling hint: the same result either way; kept in the config.
  bool unroll = false;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class GRU : public LayerOf<GRU, RecurrentLayer> {
 public:
  /// Makes the layer from Keras's arguments (see above); ValueError for what Keras refuses and
  /// for what Strata does not support yet.
  explicit GRU(std::int64_t units, GRUOptions options = {});

  /// "GRU", the registry key.
  std::string class_name() const override { return "GRU"; }
  /// Rebuilds a GRU from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  // from_config's: the arguments a config names, already gathered.
  GRU(detail::RecurrentSpec spec, std::string name);
};

}  // namespace layers
}  // namespace strata
