#pragma once
/// @class strata::metrics::Accuracy
/// Accuracy: how often y_pred equals y_true exactly, element by element. (The string "accuracy" in compile picks
/// Binary-, Sparse- or CategoricalAccuracy instead; see Metric::from_name.) (Keras's keras.metrics.Accuracy).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class Accuracy : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit Accuracy(std::string name = "accuracy");

  std::string class_name() const override { return "Accuracy"; }

  /// From the "config" of Keras's serialized Accuracy: {"name", "dtype"}.
  static std::shared_ptr<Accuracy> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
