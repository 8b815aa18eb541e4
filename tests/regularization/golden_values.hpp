#pragma once
// Reading tests/golden/regularizers.json (written by tests/golden/make_regularizer_goldens.py):
// float lists in which non-finite values are the strings "nan", "inf" and "-inf", and tensors
// stored as {"shape", "values"}.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/goldens.hpp"

namespace strata::testing {

inline const nlohmann::json& regularizer_goldens() { return golden_file("regularizers.json"); }

inline std::vector<float> golden_floats(const nlohmann::json& values) {
  std::vector<float> out;
  for (const auto& v : values) {
    if (!v.is_string()) {
      out.push_back(v.get<float>());
      continue;
    }
    const std::string s = v.get<std::string>();
    out.push_back(s == "nan"   ? std::numeric_limits<float>::quiet_NaN()
                  : s == "inf" ? std::numeric_limits<float>::infinity()
                               : -std::numeric_limits<float>::infinity());
  }
  return out;
}

/// A tensor on `backend` holding the golden {"shape", "values"}.
inline Tensor golden_tensor(Backend& backend, const nlohmann::json& t) {
  Tensor out(backend, shape_of(t["shape"]));
  const auto values = golden_floats(t["values"]);
  backend.upload(values.data(), out);
  return out;
}

/// The entry of `list` whose "name" is `name`.
inline const nlohmann::json& named(const nlohmann::json& list, const std::string& name) {
  for (const auto& entry : list)
    if (entry["name"] == name) return entry;
  throw std::runtime_error("no golden entry named " + name);
}

}  // namespace strata::testing
