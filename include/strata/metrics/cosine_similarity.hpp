#pragma once
/// @class strata::metrics::CosineSimilarity
/// CosineSimilarity: the running mean of the cosine of the angle between y_true and y_pred over
/// the last axis, each side l2-normalised with its norm floored at 1e-7 (Keras's
/// keras.metrics.CosineSimilarity with its default axis=-1, the only axis Strata takes; Keras 3
/// leaves the axis out of its config too).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class CosineSimilarity : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit CosineSimilarity(std::string name = "cosine_similarity");

  std::string class_name() const override { return "CosineSimilarity"; }

  /// From the "config" of Keras's serialized CosineSimilarity: {"name", "dtype"}.
  static std::shared_ptr<CosineSimilarity> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
