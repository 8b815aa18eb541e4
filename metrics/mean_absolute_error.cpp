#include "strata/metrics/mean_absolute_error.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

MeanAbsoluteError::MeanAbsoluteError(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::MeanAbsoluteError}) {}

std::shared_ptr<MeanAbsoluteError> MeanAbsoluteError::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "MeanAbsoluteError");
  auto out = std::make_shared<MeanAbsoluteError>(detail::read_common(reader, "mean_absolute_error"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
