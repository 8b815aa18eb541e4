#pragma once
// Reading the configs of regularizers and constraints (api/regularizers.cpp,
// api/constraints.cpp): Keras's serialized-object wrapper, and a reader that refuses keys the
// class's constructor does not take, as Python's cls(**config) does.

#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata::detail {

/// The class name and the inner config of {"class_name", "config", ...}; ValueError naming
/// `kind` ("regularizer") for anything else.
inline std::pair<std::string, nlohmann::json> split_keras_object(const nlohmann::json& object, const char* kind) {
  STRATA_CHECK(object.is_object() && object.contains("class_name") && object["class_name"].is_string(), ValueError,
               "Could not interpret ", kind, " identifier: ", object.dump());
  nlohmann::json inner = object.contains("config") ? object["config"] : nlohmann::json::object();
  STRATA_CHECK(inner.is_object(), ValueError, "Could not interpret ", kind, " identifier: ", object.dump());
  return {object["class_name"].get<std::string>(), std::move(inner)};
}

/// The constructor arguments of one config: each getter marks its key read; finish() refuses
/// the others.
class KerasObjectConfig {
 public:
  KerasObjectConfig(nlohmann::json config, std::string class_name)
      : config_(std::move(config)), class_name_(std::move(class_name)) {}

  /// The number under `key`; `fallback` when absent or null (Keras's None means the default).
  double number(const char* key, double fallback) {
    const nlohmann::json* value = find(key);
    if (!value || value->is_null()) return fallback;
    STRATA_CHECK(value->is_number(), ValueError, class_name_, ": `", key, "` must be a number, received ",
                 value->dump());
    return value->get<double>();
  }
  /// The string under `key`; `fallback` when absent.
  std::string string(const char* key, const char* fallback) {
    const nlohmann::json* value = find(key);
    if (!value) return fallback;
    STRATA_CHECK(value->is_string(), ValueError, class_name_, ": `", key, "` must be a string, received ",
                 value->dump());
    return value->get<std::string>();
  }
  /// The raw value under `key`, null when absent (for the caller's own forms).
  nlohmann::json raw(const char* key, nlohmann::json fallback) {
    const nlohmann::json* value = find(key);
    return value ? *value : std::move(fallback);
  }
  /// ValueError for a key no getter read.
  void finish() const {
    for (const auto& [key, value] : config_.items())
      STRATA_CHECK(read_.count(key) > 0, ValueError, class_name_, ".__init__() got an unexpected keyword argument '",
                   key, "'");
  }

 private:
  const nlohmann::json* find(const char* key) {
    read_.insert(key);
    const auto it = config_.find(key);
    return it == config_.end() ? nullptr : &*it;
  }

  nlohmann::json config_;
  std::string class_name_;
  std::set<std::string> read_;
};

}  // namespace strata::detail
