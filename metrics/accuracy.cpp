#include "strata/metrics/accuracy.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

Accuracy::Accuracy(std::string name) : MeanMetricWrapper(std::move(name), {.kind = MetricKind::Accuracy}, true) {}

std::shared_ptr<Accuracy> Accuracy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "Accuracy");
  auto out = std::make_shared<Accuracy>(detail::read_common(reader, "accuracy"));
  reader.finish();
  return out;
}

}  // namespace strata::metrics
