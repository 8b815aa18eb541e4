#pragma once
// Private to losses/: the keys every Keras loss config shares and the argument checks.

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "losses/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/losses/loss.hpp"

namespace strata::losses::detail {

using strata::detail::ConfigReader;

/// "reduction": a name, or null (Python's None, the same as "none"); absent: the default.
inline Reduction read_reduction(ConfigReader& reader) {
  if (!reader.contains("reduction")) return Reduction::SumOverBatchSize;
  const auto& v = reader.at("reduction");
  if (v.is_null()) return Reduction::None;
  STRATA_CHECK(v.is_string(), ValueError,
               "Invalid value for argument `reduction`. Expected one of 'sum_over_batch_size', "
               "'sum', 'mean', 'none'. Received: reduction=",
               v.dump());
  return reduction_from_name(v.get<std::string>());
}

inline void check_name(const std::string& name) {
  STRATA_CHECK(!name.empty(), ValueError, "Argument `name` must be a non-empty string");
}

inline void check_label_smoothing(double s) {
  STRATA_CHECK(std::isfinite(s) && s >= 0.0 && s <= 1.0, ValueError,
               "Argument `label_smoothing` must be in [0, 1]. Received: label_smoothing=",
               strata::detail::py_float(s));
}

}  // namespace strata::losses::detail
