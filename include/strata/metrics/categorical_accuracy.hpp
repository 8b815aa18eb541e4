#pragma once
/// @class strata::metrics::CategoricalAccuracy
/// CategoricalAccuracy: how often argmax(y_pred) equals argmax(y_true) over the last axis, for one-hot labels shaped
/// like y_pred (Keras's keras.metrics.CategoricalAccuracy).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy");

  std::string class_name() const override { return "CategoricalAccuracy"; }

  /// From the "config" of Keras's serialized CategoricalAccuracy: {"name", "dtype"}.
  static std::shared_ptr<CategoricalAccuracy> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
