#include "strata/layers/lstm.hpp"

#include <nlohmann/json.hpp>

#include "layers/recurrent_spec.hpp"

namespace strata {
inline namespace layers {

LSTM::LSTM(std::int64_t units, LSTMOptions options)
    : LayerOf<LSTM, RecurrentLayer>("lstm", detail::recurrent_spec(RnnKind::LSTM, units, options),
                                    LayerOptions{options.name, options.input_shape, options.dtype}) {}

LSTM::LSTM(detail::RecurrentSpec spec, std::string name)
    : LayerOf<LSTM, RecurrentLayer>("lstm", std::move(spec), LayerOptions{.name = std::move(name)}) {}

std::shared_ptr<Layer> LSTM::from_config(const nlohmann::json& config) {
  std::shared_ptr<LSTM> layer(new LSTM(spec_from_config(RnnKind::LSTM, config), config.value("name", "")));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
