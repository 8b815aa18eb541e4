#pragma once
// Reading the configs of regularizers and constraints (api/regularizers.cpp,
// api/constraints.cpp): Keras's serialized-object wrapper, a reader that refuses keys the
// class's constructor does not take, as Python's cls(**config) does, and the lookups by name
// and config over each kind's table of built-in classes.

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// One built-in class of a kind (a regularizer, a constraint): Keras's class name, its
/// snake_case alias, and how to make one from its constructor arguments.
template <class T>
struct KerasObjectEntry {
  const char* class_name;
  const char* snake_name;
  std::function<std::shared_ptr<T>(KerasObjectConfig&)> make;
};

/// The entry named `name` (either spelling) made with its defaults: T::from_name.
template <class T>
std::shared_ptr<T> make_by_name(const std::vector<KerasObjectEntry<T>>& table, std::string_view name,
                                const char* kind) {
  for (const KerasObjectEntry<T>& e : table)
    if (name == e.class_name || name == e.snake_name) {
      KerasObjectConfig none(nlohmann::json::object(), e.class_name);
      return e.make(none);
    }
  throw ValueError(concat("Could not interpret ", kind, " identifier: ", name));
}

/// A name, or Keras's serialized object whose config holds exactly the constructor's arguments:
/// T::from_config.
template <class T>
std::shared_ptr<T> make_from_config(const std::vector<KerasObjectEntry<T>>& table, const nlohmann::json& config,
                                    const char* kind) {
  if (config.is_string()) return make_by_name(table, config.get<std::string>(), kind);
  const auto [class_name, inner] = split_keras_object(config, kind);
  for (const KerasObjectEntry<T>& e : table)
    if (class_name == e.class_name || class_name == e.snake_name) {
      KerasObjectConfig reader(inner, e.class_name);
      auto made = e.make(reader);
      reader.finish();
      return made;
    }
  throw ValueError(concat("Could not interpret ", kind, " identifier: ", config.dump()));
}

/// Every name of the table, snake_case then the class name of each entry: T::names.
template <class T>
std::vector<std::string> entry_names(const std::vector<KerasObjectEntry<T>>& table) {
  std::vector<std::string> out;
  for (const KerasObjectEntry<T>& e : table) {
    out.emplace_back(e.snake_name);
    out.emplace_back(e.class_name);
  }
  return out;
}

}  // namespace strata::detail
