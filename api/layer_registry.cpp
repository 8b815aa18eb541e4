// The layer registry: Keras class names to from_config functions, so configs written by
// Strata or by Keras rebuild the same layers. Filled by ordinary calls, in one place, so no
// registration depends on static-initialisation order or on a linker keeping an object file.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/layer.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/reshape.hpp"

namespace strata {

namespace {

using LayerFactory = std::function<std::shared_ptr<Layer>(const nlohmann::json&)>;

const std::map<std::string, LayerFactory, std::less<>>& layer_registry() {
  static const std::map<std::string, LayerFactory, std::less<>> registry = {
      {"Activation", &Activation::from_config}, {"Dense", &Dense::from_config},
      {"Dropout", &Dropout::from_config},       {"Flatten", &Flatten::from_config},
      {"InputLayer", &InputLayer::from_config}, {"Reshape", &Reshape::from_config},
  };
  return registry;
}

}  // namespace

std::shared_ptr<Layer> Layer::from_config(const nlohmann::json& config) {
  STRATA_CHECK(config.is_object() && config.contains("class_name"), ValueError,
               "a layer config needs a \"class_name\", received ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const auto& registry = layer_registry();
  const auto it = registry.find(class_name);
  if (it == registry.end()) {
    std::string valid;
    for (const auto& [name, factory] : registry) valid += (valid.empty() ? "" : ", ") + name;
    throw ValueError(detail::concat("Could not locate class '", class_name, "'. Known layers are: ", valid));
  }
  return it->second(config.contains("config") ? config["config"] : nlohmann::json::object());
}

}  // namespace strata
