#pragma once
/// @class strata::metrics::RootMeanSquaredError
/// RootMeanSquaredError: the square root of the running (weighted) mean of the squared error,
/// each sample's error averaged over its elements; a rank-1 batch counts each element as a
/// sample (Keras's keras.metrics.RootMeanSquaredError).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class RootMeanSquaredError : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit RootMeanSquaredError(std::string name = "root_mean_squared_error");

  std::string class_name() const override { return "RootMeanSquaredError"; }
  /// sqrt(total / count), 0 before any sample.
  double result() const override;

  /// From the "config" of Keras's serialized RootMeanSquaredError: {"name", "dtype"}.
  static std::shared_ptr<RootMeanSquaredError> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
