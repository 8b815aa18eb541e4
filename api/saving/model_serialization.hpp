#pragma once
// What Strata's savers and loaders share: Keras's serialized-object form of a layer or model,
// the JSON reader with a nesting limit, and the config checks that name what is missing.

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "strata/model.hpp"

namespace strata::detail {

/// Deeper JSON than this is refused before parsing: nlohmann's writer and destructor recurse,
/// and a real model config (a few levels per nested model) never comes close.
constexpr int kMaxJsonDepth = 200;

/// Parses `text` (from `source`, named in errors) after checking its nesting depth.
nlohmann::json parse_json(std::string_view text, std::string_view source);

/// {"module", "class_name", "config", "registered_name", "build_config"} for a layer or model,
/// as keras.saving.serialize_keras_object writes it. Refuses strata::ops layers, which have no
/// Keras-readable form here yet.
nlohmann::json serialize_layer(const Layer& layer);

/// A layer from its serialized form, as keras.saving.deserialize_keras_object: made through the
/// layer registry, then built for its build_config's input_shape when it has one and is not built.
std::shared_ptr<Layer> deserialize_layer(const nlohmann::json& object);

/// object[key], or a ValueError "<what> has no "<key>" key" (also when object is no object).
const nlohmann::json& require_key(const nlohmann::json& object, const char* key, std::string_view what);

/// A model from its serialized form; errors are prefixed with `source` (the file's name) and
/// JSON type errors become ValueError.
std::shared_ptr<Model> model_from_config(const nlohmann::json& object, std::string_view source);

/// compile_config as Keras writes it, from what compile() received.
nlohmann::json compile_config_of(const Optimizer& optimizer, const LossSpec& loss, const MetricSpec& metrics,
                                 const LossWeights& loss_weights, const MetricSpec& weighted_metrics);

}  // namespace strata::detail
