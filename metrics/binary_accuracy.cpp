#include "strata/metrics/binary_accuracy.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

BinaryAccuracy::BinaryAccuracy(Options options)
    : MeanMetricWrapper(std::move(options.name),
                        {.kind = MetricKind::BinaryAccuracy, .threshold = static_cast<float>(options.threshold)}, true),
      threshold_(options.threshold) {
  STRATA_CHECK(
      std::isfinite(threshold_), ValueError,
      "Argument `threshold` must be a finite number. Received: threshold=", strata::detail::py_float(threshold_));
}

nlohmann::json BinaryAccuracy::get_config() const {
  nlohmann::json config = MeanMetricWrapper::get_config();
  config["threshold"] = threshold_;
  return config;
}

std::shared_ptr<BinaryAccuracy> BinaryAccuracy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "BinaryAccuracy");
  Options options;
  options.name = detail::read_common(reader, options.name);
  options.threshold = reader.number("threshold", options.threshold);
  reader.finish();
  return std::make_shared<BinaryAccuracy>(std::move(options));
}

}  // namespace strata::metrics
