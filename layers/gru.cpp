#include "strata/layers/gru.hpp"

#include <nlohmann/json.hpp>

#include "layers/recurrent_spec.hpp"

namespace strata {
inline namespace layers {

GRU::GRU(std::int64_t units, GRUOptions options)
    : LayerOf<GRU, RecurrentLayer>("gru", detail::recurrent_spec(RnnKind::GRU, units, options),
                                   LayerOptions{options.name, options.input_shape, options.dtype}) {}

GRU::GRU(detail::RecurrentSpec spec, std::string name)
    : LayerOf<GRU, RecurrentLayer>("gru", std::move(spec), LayerOptions{.name = std::move(name)}) {}

std::shared_ptr<Layer> GRU::from_config(const nlohmann::json& config) {
  std::shared_ptr<GRU> layer(new GRU(spec_from_config(RnnKind::GRU, config), config.value("name", "")));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
