#pragma once
/// @class strata::metrics::MeanSquaredError
/// MeanSquaredError: the running mean of mean((y_true - y_pred)^2) over the last axis (Keras's
/// keras.metrics.MeanSquaredError).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class MeanSquaredError : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit MeanSquaredError(std::string name = "mean_squared_error");

  std::string class_name() const override { return "MeanSquaredError"; }

  /// From the "config" of Keras's serialized MeanSquaredError: {"name", "dtype"}.
  static std::shared_ptr<MeanSquaredError> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
