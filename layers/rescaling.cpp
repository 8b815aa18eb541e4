#include "strata/layers/rescaling.hpp"

#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Rescaling::Rescaling(double scale, double offset, LayerOptions options)
    : LayerOf<Rescaling>("rescaling", options), scale_(scale), offset_(offset) {}

Tensor Rescaling::forward(const Tensor& x, bool) {
  Tensor& y = buffer(0, x.shape());
  backend().affine(x, static_cast<float>(scale_), static_cast<float>(offset_), y);
  return y;
}

Tensor Rescaling::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, dy.shape());
  backend().affine(dy, static_cast<float>(scale_), 0.f, dx);
  return dx;
}

nlohmann::json Rescaling::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["scale"] = scale_;
  config["offset"] = offset_;
  return config;
}

std::shared_ptr<Layer> Rescaling::from_config(const nlohmann::json& config) {
  const std::string name = config.value("name", "");
  for (const char* key : {"scale", "offset"})
    STRATA_CHECK(!config.contains(key) || config[key].is_number(), ValueError, "layer \"", name,
                 "\": Rescaling with a per-channel ", key, " is not supported yet. Received: ", key, '=',
                 config[key].dump());
  auto layer = std::make_shared<Rescaling>(config.at("scale").get<double>(), config.value("offset", 0.0),
                                           LayerOptions{.name = name});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
