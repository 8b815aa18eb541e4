#pragma once
/// @class strata::layers::LSTM
/// LSTM: long short-term memory, as keras.layers.LSTM: gates i, f, c, o in Keras's order (each a block of `units`
/// columns), c' = f c + i g, h' = o activation(c').
///
/// - Args: units; options (Keras's arguments, below).
/// - Input shape: (batch, steps, features). Output shape: (batch, units), or (batch, steps,
///   units) with return_sequences.
/// - Weights: kernel (features, 4 units), recurrent_kernel (units, 4 units), bias (4 units); with unit_forget_bias the
/// forget gate's bias starts at 1.
/// .
/// Masks, go_backwards, initial states and what is not supported yet: see RecurrentLayer.
///
///     LSTM(128);  LSTM(64, {.return_sequences = true});  lstm({x, h0, c0});

#include <optional>
#include <string>

#include "strata/layers/recurrent.hpp"

namespace strata {
inline namespace layers {

/// The options of LSTM beyond units, with Keras's names and defaults.
struct LSTMOptions {
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
  /// Start the forget gate's bias at 1 (Jozefowicz et al.), as Keras's default.
  bool unit_forget_bias = true;
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

class LSTM : public LayerOf<LSTM, RecurrentLayer> {
 public:
  /// Makes the layer from Keras's arguments (see above); ValueError for what Keras refuses and
  /// for what Strata does not support yet.
  explicit LSTM(std::int64_t units, LSTMOptions options = {});

  /// "LSTM", the registry key.
  std::string class_name() const override { return "LSTM"; }
  /// Rebuilds a LSTM from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  // from_config's: the arguments a config names, already gathered.
  LSTM(detail::RecurrentSpec spec, std::string name);
};

}  // namespace layers
}  // namespace strata
