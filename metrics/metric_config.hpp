#pragma once
// Private to metrics/: reading Keras metric configs.

#include <string>

#include <nlohmann/json.hpp>

#include "losses/config_reader.hpp"
#include "strata/error.hpp"

namespace strata::metrics::detail {

using strata::detail::ConfigReader;

inline void check_name(const std::string& name) {
  STRATA_CHECK(!name.empty(), ValueError, "Argument `name` must be a non-empty string");
}

/// {"name", "dtype"}: the keys every Keras metric config has.
inline std::string read_common(ConfigReader& reader, const std::string& default_name) {
  std::string name = reader.string("name", default_name);
  reader.dtype();
  return name;
}

}  // namespace strata::metrics::detail
