#pragma once
/// @class strata::metrics::SparseCategoricalAccuracy
/// SparseCategoricalAccuracy: how often argmax(y_pred) over the last axis equals the class index in y_true, (n,) or (n,
/// 1) (Keras's keras.metrics.SparseCategoricalAccuracy).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy");

  std::string class_name() const override { return "SparseCategoricalAccuracy"; }

  /// From the "config" of Keras's serialized SparseCategoricalAccuracy: {"name", "dtype"}.
  static std::shared_ptr<SparseCategoricalAccuracy> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
