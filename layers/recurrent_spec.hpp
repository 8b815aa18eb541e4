#pragma once
// Private to layers/: a recurrent layer's options (SimpleRNNOptions, LSTMOptions, GRUOptions,
// each with Keras's arguments of its own class) as the RecurrentSpec that RecurrentLayer takes,
// and the build config the recurrent layers and Bidirectional share.

#include <nlohmann/json.hpp>

#include "strata/layers/recurrent.hpp"

namespace strata::detail {

/// Keras's build config of a layer whose build takes a sequence and, optionally, initial states
/// (RNN.build, Bidirectional.build), from the one Layer::get_build_config wrote for `shape_count`
/// input shapes: unchanged for the sequence alone, else {"shapes_dict": {"sequences_shape",
/// "initial_state_shape"}}.
nlohmann::json sequence_build_config(nlohmann::json config, std::size_t shape_count);

template <class Options>
RecurrentSpec recurrent_spec(RnnKind kind, std::int64_t units, const Options& options) {
  RecurrentSpec spec;
  spec.kind = kind;
  spec.units = units;
  spec.activation = options.activation;
  // The arguments only some cells have keep RecurrentSpec's defaults elsewhere.
  if constexpr (requires { options.recurrent_activation; }) spec.recurrent_activation = options.recurrent_activation;
  if constexpr (requires { options.unit_forget_bias; }) spec.unit_forget_bias = options.unit_forget_bias;
  if constexpr (requires { options.reset_after; }) spec.reset_after = options.reset_after;
  spec.use_bias = options.use_bias;
  spec.kernel_initializer = options.kernel_initializer;
  spec.recurrent_initializer = options.recurrent_initializer;
  spec.bias_initializer = options.bias_initializer;
  spec.kernel_regularizer = options.kernel_regularizer;
  spec.recurrent_regularizer = options.recurrent_regularizer;
  spec.bias_regularizer = options.bias_regularizer;
  spec.activity_regularizer = options.activity_regularizer;
  spec.kernel_constraint = options.kernel_constraint;
  spec.recurrent_constraint = options.recurrent_constraint;
  spec.bias_constraint = options.bias_constraint;
  spec.dropout = options.dropout;
  spec.recurrent_dropout = options.recurrent_dropout;
  spec.seed = options.seed;
  spec.return_sequences = options.return_sequences;
  spec.return_state = options.return_state;
  spec.go_backwards = options.go_backwards;
  spec.stateful = options.stateful;
  spec.unroll = options.unroll;
  return spec;
}

}  // namespace strata::detail
