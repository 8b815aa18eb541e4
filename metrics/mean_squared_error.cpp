#include "strata/metrics/mean_squared_error.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

MeanSquaredError::MeanSquaredError(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::MeanSquaredError}) {}

std::shared_ptr<MeanSquaredError> MeanSquaredError::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "MeanSquaredError");
  auto out = std::make_shared<MeanSquaredError>(detail::read_common(reader, "mean_squared_error"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
