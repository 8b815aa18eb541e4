#pragma once
// Private to metrics/: reading Keras metric configs.

#include <cstdint>
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

/// The top-k accuracies' k: an integer >= 1.
inline void check_k(std::int64_t k) {
  STRATA_CHECK(k >= 1, ValueError, "Argument `k` must be an integer >= 1. Received: k=", k);
}

/// "k", 5 when absent.
inline std::int64_t read_k(ConfigReader& reader) {
  const nlohmann::json& v = reader.at("k");
  if (v.is_null()) return 5;
  STRATA_CHECK(v.is_number_integer(), ValueError, reader.prefix(),
               "config key \"k\" must be an integer, received: ", v.dump());
  return v.get<std::int64_t>();
}

}  // namespace strata::metrics::detail
