#pragma once
// Keras 3's serialized-object wrapper, shared by every config writer:
// {"module": ..., "class_name": ..., "config": ..., "registered_name": null}.

#include <string>

#include <nlohmann/json.hpp>

namespace strata::detail {

inline nlohmann::json keras_object(const std::string& module, const std::string& class_name, nlohmann::json config) {
  return {{"module", module}, {"class_name", class_name}, {"config", std::move(config)}, {"registered_name", nullptr}};
}

}  // namespace strata::detail
