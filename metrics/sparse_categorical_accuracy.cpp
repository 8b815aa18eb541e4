#include "strata/metrics/sparse_categorical_accuracy.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

SparseCategoricalAccuracy::SparseCategoricalAccuracy(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::SparseCategoricalAccuracy}) {}

std::shared_ptr<SparseCategoricalAccuracy> SparseCategoricalAccuracy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "SparseCategoricalAccuracy");
  auto out = std::make_shared<SparseCategoricalAccuracy>(detail::read_common(reader, "sparse_categorical_accuracy"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
