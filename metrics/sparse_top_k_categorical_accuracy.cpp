#include "strata/metrics/sparse_top_k_categorical_accuracy.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(Options options)
    : MeanMetricWrapper(std::move(options.name), {.kind = MetricKind::SparseTopKCategoricalAccuracy,
                                                  .k = options.k,
                                                  .from_sorted_ids = options.from_sorted_ids}) {
  detail::check_k(options.k);
}

nlohmann::json SparseTopKCategoricalAccuracy::get_config() const {
  nlohmann::json config = MeanMetricWrapper::get_config();
  config["k"] = k();
  if (params().from_sorted_ids) config["from_sorted_ids"] = true;
  return config;
}

std::shared_ptr<SparseTopKCategoricalAccuracy> SparseTopKCategoricalAccuracy::from_config(
    const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "SparseTopKCategoricalAccuracy");
  Options options;
  options.name = detail::read_common(reader, options.name);
  options.k = detail::read_k(reader);
  options.from_sorted_ids = reader.boolean("from_sorted_ids", false);
  reader.finish();
  return std::make_shared<SparseTopKCategoricalAccuracy>(std::move(options));
}

}  // namespace strata::metrics
