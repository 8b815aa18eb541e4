#include "strata/metrics/cosine_similarity.hpp"

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"

namespace strata::metrics {

CosineSimilarity::CosineSimilarity(std::string name)
    : MeanMetricWrapper(std::move(name), {.kind = MetricKind::CosineSimilarity}) {}

std::shared_ptr<CosineSimilarity> CosineSimilarity::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "CosineSimilarity");
  auto out = std::make_shared<CosineSimilarity>(detail::read_common(reader, "cosine_similarity"));
  reader.axis();  // Keras 3 does not write it; an older file may
  reader.finish();
  return out;
}

}  // namespace strata::metrics
