#include "strata/metrics/root_mean_squared_error.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

RootMeanSquaredError::RootMeanSquaredError(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::MeanSquaredError}, true) {}

double RootMeanSquaredError::result() const { return std::sqrt(MeanMetricWrapper::result()); }

std::shared_ptr<RootMeanSquaredError> RootMeanSquaredError::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "RootMeanSquaredError");
  auto out = std::make_shared<RootMeanSquaredError>(detail::read_common(reader, "root_mean_squared_error"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
