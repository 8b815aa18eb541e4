#include "strata/layers/simple_rnn.hpp"

#include <nlohmann/json.hpp>

#include "layers/recurrent_spec.hpp"

namespace strata {
inline namespace layers {

SimpleRNN::SimpleRNN(std::int64_t units, SimpleRNNOptions options)
    : LayerOf<SimpleRNN, RecurrentLayer>("simple_rnn", detail::recurrent_spec(RnnKind::SimpleRNN, units, options),
                                         LayerOptions{options.name, options.input_shape, options.dtype}) {}

SimpleRNN::SimpleRNN(detail::RecurrentSpec spec, std::string name)
    : LayerOf<SimpleRNN, RecurrentLayer>("simple_rnn", std::move(spec), LayerOptions{.name = std::move(name)}) {}

std::shared_ptr<Layer> SimpleRNN::from_config(const nlohmann::json& config) {
  std::shared_ptr<SimpleRNN> layer(
      new SimpleRNN(spec_from_config(RnnKind::SimpleRNN, config), config.value("name", "")));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
