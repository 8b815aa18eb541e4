#pragma once
// Private to metrics/: what Precision and Recall share. Both keep the same confusion counts and
// take the same options (thresholds, top_k, class_id); they differ only in the count beside tp
// in their ratio: false positives for Precision, false negatives for Recall.

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/confusion_counts.hpp"
#include "metrics/metric_config.hpp"

namespace strata::metrics::detail {

/// The row of ConfusionCounts::read() (tp, fp, tn, fn) beside tp in the ratio.
enum class OtherCount : std::size_t { FalsePositives = 1, FalseNegatives = 3 };

/// tp / (tp + other) at each threshold, 0 where nothing was counted (Keras's divide_no_nan).
inline std::vector<double> true_positive_ratios(const strata::detail::ConfusionCounts& counts, OtherCount other) {
  const std::vector<double> c = counts.read();
  const std::size_t t = counts.thresholds();
  const std::size_t row = static_cast<std::size_t>(other) * t;
  std::vector<double> out(t);
  for (std::size_t i = 0; i < t; ++i) {
    const double tp = c[i], rest = c[row + i];
    out[i] = tp + rest == 0 ? 0.0 : tp / (tp + rest);
  }
  return out;
}

/// The keys Keras 3 writes beyond the name and dtype.
template <class Options>
void write_threshold_options(nlohmann::json& config, const Options& options) {
  config["thresholds"] = strata::detail::thresholds_json(options.thresholds);
  config["top_k"] = strata::detail::optional_json(options.top_k);
  config["class_id"] = strata::detail::optional_json(options.class_id);
}

/// The options from the "config" of Keras's serialized `class_name` (Precision or Recall).
template <class Options>
Options read_threshold_options(const nlohmann::json& config, const char* class_name) {
  ConfigReader reader(config, "metric", class_name);
  Options options;
  options.name = read_common(reader, options.name);
  options.thresholds = strata::detail::read_thresholds(reader);
  options.top_k = strata::detail::read_optional_int(reader, "top_k");
  options.class_id = strata::detail::read_optional_int(reader, "class_id");
  reader.finish();
  return options;
}

}  // namespace strata::metrics::detail
