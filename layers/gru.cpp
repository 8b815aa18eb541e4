#include "strata/layers/gru.hpp"

#include <nlohmann/json.hpp>

namespace strata {
inline namespace layers {

namespace {

detail::RecurrentSpec spec_of(std::int64_t units, const GRUOptions& options) {
  detail::RecurrentSpec spec;
  spec.kind = RnnKind::GRU;
  spec.units = units;
  spec.activation = options.activation;
  spec.recurrent_activation = options.recurrent_activation;
  spec.use_bias = options.use_bias;
  spec.kernel_initializer = options.kernel_initializer;
  spec.recurrent_initializer = options.recurrent_initializer;
  spec.bias_initializer = options.bias_initializer;
  spec.unit_forget_bias = false;
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
  spec.reset_after = options.reset_after;
  return spec;
}

}  // namespace

GRU::GRU(std::int64_t units, GRUOptions options)
    : LayerOf<GRU, RecurrentLayer>("gru", spec_of(units, options),
                                   LayerOptions{options.name, options.input_shape, options.dtype}) {}

std::shared_ptr<Layer> GRU::from_config(const nlohmann::json& config) {
  GRUOptions options;
  detail::RecurrentSpec spec;
  read_spec(config, spec);
  options.activation = spec.activation;
  options.recurrent_activation = spec.recurrent_activation;
  options.use_bias = spec.use_bias;
  options.kernel_initializer = spec.kernel_initializer;
  options.recurrent_initializer = spec.recurrent_initializer;
  options.bias_initializer = spec.bias_initializer;

  options.reset_after = spec.reset_after;
  options.kernel_regularizer = spec.kernel_regularizer;
  options.recurrent_regularizer = spec.recurrent_regularizer;
  options.bias_regularizer = spec.bias_regularizer;
  options.kernel_constraint = spec.kernel_constraint;
  options.recurrent_constraint = spec.recurrent_constraint;
  options.bias_constraint = spec.bias_constraint;
  options.dropout = spec.dropout;
  options.recurrent_dropout = spec.recurrent_dropout;
  options.seed = spec.seed;
  options.return_sequences = spec.return_sequences;
  options.return_state = spec.return_state;
  options.go_backwards = spec.go_backwards;
  options.stateful = spec.stateful;
  options.unroll = spec.unroll;
  options.name = config.value("name", "");
  auto layer = std::make_shared<GRU>(config.at("units").get<std::int64_t>(), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
