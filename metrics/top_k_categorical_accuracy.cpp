#include "strata/metrics/top_k_categorical_accuracy.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

TopKCategoricalAccuracy::TopKCategoricalAccuracy(Options options)
    : MeanMetricWrapper(std::move(options.name), {.kind = MetricKind::TopKCategoricalAccuracy, .k = options.k}) {
  detail::check_k(options.k);
}

nlohmann::json TopKCategoricalAccuracy::get_config() const {
  nlohmann::json config = MeanMetricWrapper::get_config();
  config["k"] = k();
  return config;
}

std::shared_ptr<TopKCategoricalAccuracy> TopKCategoricalAccuracy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "TopKCategoricalAccuracy");
  Options options;
  options.name = detail::read_common(reader, options.name);
  options.k = detail::read_k(reader);
  reader.finish();
  return std::make_shared<TopKCategoricalAccuracy>(std::move(options));
}

}  // namespace strata::metrics
