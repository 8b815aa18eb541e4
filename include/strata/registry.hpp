#pragma once
/// @file
/// Custom classes in configs and saved files, as Keras's `register_keras_serializable`: a
/// layer, loss, metric or initializer class of your own is registered once under its name,
/// and model_from_json, load_model and the from_config functions then rebuild it from its
/// config. The built-in classes live in the same registries.
///
/// Register under the name Keras writes as `registered_name` when the file also travels to
/// Python: `"package>ClassName"` (the default package is "Custom"), or under the bare class
/// name for files only Strata reads. The factory receives the object's inner "config".
///
/// @code
/// strata::register_layer("my_package>Scale", [](const nlohmann::json& config) {
///   return std::make_shared<Scale>(config.at("factor").get<float>());
/// });
/// @endcode

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace strata {

class Layer;
class Loss;
class Metric;
class Initializer;

/// Builds an object of a registered class from its config.
template <class Base>
using ConfigFactory = std::function<std::shared_ptr<Base>(const nlohmann::json& config)>;

/// Makes a layer class (a subclassed Model too) known to model_from_json and load_model.
void register_layer(const std::string& name, ConfigFactory<Layer> factory);
/// Makes a loss class known to compile configs (load_model) and Loss::from_config.
void register_loss(const std::string& name, ConfigFactory<Loss> factory);
/// Makes a metric class known to compile configs (load_model) and Metric::from_config.
void register_metric(const std::string& name, ConfigFactory<Metric> factory);
/// Makes an initializer class known to layer configs and Initializer::from_config.
void register_initializer(const std::string& name, ConfigFactory<Initializer> factory);

}  // namespace strata
