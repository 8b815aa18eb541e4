#include "strata/metrics/categorical_accuracy.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

CategoricalAccuracy::CategoricalAccuracy(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::CategoricalAccuracy}) {}

std::shared_ptr<CategoricalAccuracy> CategoricalAccuracy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "CategoricalAccuracy");
  auto out = std::make_shared<CategoricalAccuracy>(detail::read_common(reader, "categorical_accuracy"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
