// Keras's compile_config (keras.md §4.2): what compile() received, written so that Keras's
// compile_from_config (and Strata's) calls compile() again with the same arguments. Names
// stay names ("adam" is the exception: the optimizer is always written whole, with its
// learning rate); objects become {"module", "class_name", "config", "registered_name"}.

#include <nlohmann/json.hpp>

#include "api/keras_object.hpp"
#include "api/registry.hpp"
#include "api/saving/model_serialization.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata {

namespace detail {

namespace {

template <class Base>
nlohmann::json handle_json(const Handle<Base>& handle, const Registry<Base>& registry, const char* module) {
  if (!handle.spelling().empty()) return handle.spelling();
  return serialized_object(registry, module, handle->class_name(), handle->get_config());
}

// compile's metrics or weighted_metrics as Keras writes them: a list, a map by output name, or null.
nlohmann::json metric_spec_json(const MetricSpec& metrics) {
  if (!metrics.all().empty()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : metrics.all()) out.push_back(handle_json(m, metric_registry(), "keras.metrics"));
    return out;
  }
  if (!metrics.by_name().empty()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, list] : metrics.by_name()) {
      out[name] = nlohmann::json::array();
      for (const auto& m : list) out[name].push_back(handle_json(m, metric_registry(), "keras.metrics"));
    }
    return out;
  }
  return nullptr;
}

}  // namespace

nlohmann::json compile_config_of(const Optimizer& optimizer, const LossSpec& loss, const MetricSpec& metrics,
                                 const LossWeights& loss_weights, const MetricSpec& weighted_metrics) {
  nlohmann::json config;
  config["optimizer"] = keras_object("keras.optimizers", optimizer.class_name(), optimizer.get_config());
  if (loss.single()) {
    config["loss"] = handle_json(*loss.single(), loss_registry(), "keras.losses");
  } else if (!loss.by_position().empty()) {
    config["loss"] = nlohmann::json::array();
    for (const auto& l : loss.by_position()) config["loss"].push_back(handle_json(l, loss_registry(), "keras.losses"));
  } else {
    config["loss"] = nlohmann::json::object();
    for (const auto& [name, l] : loss.by_name()) config["loss"][name] = handle_json(l, loss_registry(), "keras.losses");
  }
  if (!loss_weights.by_position().empty())
    config["loss_weights"] = loss_weights.by_position();
  else if (!loss_weights.by_name().empty())
    config["loss_weights"] = loss_weights.by_name();
  else
    config["loss_weights"] = nullptr;
  config["metrics"] = metric_spec_json(metrics);
  config["weighted_metrics"] = metric_spec_json(weighted_metrics);
  config["run_eagerly"] = false;
  config["steps_per_execution"] = 1;
  config["jit_compile"] = false;
  return config;
}

namespace {

// A loss or metric as a config spells it: a name, {"class_name": "function", "config": name},
// or a serialized object.
template <class Base>
Handle<Base> handle_from(const nlohmann::json& value) {
  if (value.is_string()) return Handle<Base>(value.get<std::string>());
  if (value.is_object() && value.value("class_name", "") == "function" && value.contains("config") &&
      value["config"].is_string())
    return Handle<Base>(value["config"].get<std::string>());
  return Handle<Base>(Base::from_config(value));
}

template <class Base>
std::vector<Handle<Base>> handle_list(const nlohmann::json& value) {
  std::vector<Handle<Base>> out;
  if (value.is_array()) {
    for (const auto& v : value) out.push_back(handle_from<Base>(v));
  } else {
    out.push_back(handle_from<Base>(value));
  }
  return out;
}

// compile_config's metrics or weighted_metrics: a list, a map by output name, one list per
// output in order, or null.
MetricSpec metric_spec_from(const nlohmann::json& json, const Model& model) {
  if (json.is_object()) {
    std::map<std::string, std::vector<Handle<Metric>>> map;
    for (const auto& [name, list] : json.items()) map.emplace(name, handle_list<Metric>(list));
    return MetricSpec(std::move(map));
  }
  if (json.is_array() && !json.empty() && json[0].is_array()) {
    const auto output_names = model.output_names();
    STRATA_CHECK(json.size() == output_names.size(), ValueError, "compile_config has ", json.size(),
                 " metric lists for ", output_names.size(), " outputs");
    std::map<std::string, std::vector<Handle<Metric>>> map;
    for (std::size_t i = 0; i < output_names.size(); ++i) map.emplace(output_names[i], handle_list<Metric>(json[i]));
    return MetricSpec(std::move(map));
  }
  if (json.is_array()) return MetricSpec(handle_list<Metric>(json));
  return {};
}

}  // namespace

}  // namespace detail

nlohmann::json Model::get_compile_config() const { return compile_config_ ? *compile_config_ : nullptr; }

void Model::compile_from_config(const nlohmann::json& config) {
  try {
    const auto& optimizer = detail::require_key(config, "optimizer", "A compile_config");
    const auto& loss_json = detail::require_key(config, "loss", "A compile_config");
    STRATA_CHECK(!loss_json.is_null(), ValueError, "A compile_config without a loss cannot be compiled by Strata");

    LossSpec loss = LossSpec(std::vector<Handle<Loss>>{});
    if (loss_json.is_array()) {
      loss = LossSpec(detail::handle_list<Loss>(loss_json));
    } else if (loss_json.is_object() && !loss_json.contains("class_name")) {
      std::map<std::string, Handle<Loss>> by_name;
      for (const auto& [name, l] : loss_json.items()) by_name.emplace(name, detail::handle_from<Loss>(l));
      loss = LossSpec(std::move(by_name));
    } else {
      loss = LossSpec(detail::handle_from<Loss>(loss_json));
    }

    const MetricSpec metrics = detail::metric_spec_from(config.value("metrics", nlohmann::json()), *this);
    const MetricSpec weighted_metrics =
        detail::metric_spec_from(config.value("weighted_metrics", nlohmann::json()), *this);

    LossWeights weights;
    const nlohmann::json weights_json = config.value("loss_weights", nlohmann::json());
    if (weights_json.is_array()) {
      weights = LossWeights(weights_json.get<std::vector<double>>());
    } else if (weights_json.is_object()) {
      weights = LossWeights(weights_json.get<std::map<std::string, double>>());
    }

    compile(Handle<Optimizer>(Optimizer::from_config(optimizer)), std::move(loss), metrics, std::move(weights),
            weighted_metrics);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(detail::concat("compile_config: a value has the wrong type (", e.what(), ")"));
  }
  // As Keras's compile_from_config: the optimizer's variables exist once the model is built,
  // so a saved optimizer state has somewhere to go.
  if (built()) optimizer_->build(trainable_weights());
}

}  // namespace strata
