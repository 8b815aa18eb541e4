#pragma once
// One registry per kind of serializable object (layers, losses, metrics, initializers): the
// built-in classes are its first entries, and strata::register_layer and its siblings add
// custom ones, so a config written by Keras or by Strata finds every class the same way.
// Lookups take the config's "registered_name" first ("package>ClassName" for a custom class,
// as keras.saving.register_keras_serializable writes it), then its "class_name".

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/registry.hpp"

namespace strata::detail {

template <class Base>
class Registry {
 public:
  using Factory = ConfigFactory<Base>;

  /// `kind` is the word errors use ("layer", "loss"); `register_call` the function that adds one.
  Registry(std::string kind, std::string register_call, std::vector<std::pair<std::string, Factory>> builtins)
      : kind_(std::move(kind)), register_call_(std::move(register_call)) {
    for (auto& [name, factory] : builtins) {
      builtins_.insert(name);
      factories_.emplace(std::move(name), std::move(factory));
    }
  }

  /// Adds or replaces a custom class; a built-in class keeps its own factory.
  void add(const std::string& name, Factory factory) {
    STRATA_CHECK(!name.empty(), ValueError, "strata::", register_call_, " needs a class name");
    STRATA_CHECK(factory != nullptr, ValueError, "strata::", register_call_, "(\"", name, "\") was given no factory");
    const std::lock_guard lock(mutex_);
    STRATA_CHECK(!builtins_.contains(name), ValueError, "strata::", register_call_, "(\"", name, "\"): '", name,
                 "' is a built-in ", kind_,
                 " class and cannot be replaced; register the custom class under "
                 "\"package>",
                 name, "\"");
    factories_[name] = std::move(factory);
  }

  /// The factory for a serialized object's registered_name or class_name, or nullptr. A
  /// "package>Name" registered_name is the only name tried: a custom class that shadows a
  /// built-in one must not silently become the built-in.
  Factory find(const nlohmann::json& object) const {
    const std::lock_guard lock(mutex_);
    const auto registered = object.find("registered_name");
    if (registered != object.end() && registered->is_string()) {
      const std::string name = registered->template get<std::string>();
      const auto found = factories_.find(name);
      if (found != factories_.end()) return found->second;
      if (name.find('>') != std::string::npos) return nullptr;
    }
    const auto class_name = object.find("class_name");
    if (class_name == object.end() || !class_name->is_string()) return nullptr;
    const auto found = factories_.find(class_name->template get<std::string>());
    return found == factories_.end() ? nullptr : found->second;
  }

  /// The name a custom class was registered under for `class_name` (its "package>Name" form
  /// or the bare name), for writing registered_name; nullopt for built-ins and unknown classes.
  std::optional<std::string> registered_name(const std::string& class_name) const {
    const std::lock_guard lock(mutex_);
    if (builtins_.contains(class_name)) return std::nullopt;
    for (const auto& [name, factory] : factories_) {
      const auto mark = name.rfind('>');
      if (name == class_name || (mark != std::string::npos && name.substr(mark + 1) == class_name)) return name;
    }
    return std::nullopt;
  }

  bool is_builtin(const std::string& name) const { return builtins_.contains(name); }

  /// Every registered name, comma separated, for error messages.
  std::string known_names() const {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, factory] : factories_) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  /// What to call to make `name` known, for the error of an unknown class.
  std::string how_to_register(const std::string& name) const {
    return concat("register it before loading: strata::", register_call_, "(\"", name,
                  "\", factory), where the factory builds the object from its config (a static from_config)");
  }

 private:
  std::string kind_, register_call_;
  mutable std::mutex mutex_;
  std::map<std::string, Factory, std::less<>> factories_;
  std::set<std::string, std::less<>> builtins_;
};

/// The registries, each defined beside its kind's from_config.
Registry<Layer>& layer_registry();
Registry<Loss>& loss_registry();
Registry<Metric>& metric_registry();
Registry<Initializer>& initializer_registry();

/// Keras's serialized form of an object of `class_name`: {"module", "class_name", "config",
/// "registered_name"}, with registered_name and a null module for a custom class registered in
/// `registry` (as Keras writes a register_keras_serializable class), `module` otherwise.
template <class Base>
nlohmann::json serialized_object(const Registry<Base>& registry, const std::string& module,
                                 const std::string& class_name, nlohmann::json config) {
  const auto registered = registry.registered_name(class_name);
  return {{"module", registered ? nlohmann::json(nullptr) : nlohmann::json(module)},
          {"class_name", class_name},
          {"config", std::move(config)},
          {"registered_name", registered ? nlohmann::json(*registered) : nlohmann::json(nullptr)}};
}

}  // namespace strata::detail
