#pragma once
/// @class strata::metrics::MeanAbsoluteError
/// MeanAbsoluteError: the running mean of mean(|y_true - y_pred|) over the last axis (Keras's
/// keras.metrics.MeanAbsoluteError).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

class MeanAbsoluteError : public MeanMetricWrapper {
 public:
  /// `name` is the metric's key in the logs.
  explicit MeanAbsoluteError(std::string name = "mean_absolute_error");

  std::string class_name() const override { return "MeanAbsoluteError"; }

  /// From the "config" of Keras's serialized MeanAbsoluteError: {"name", "dtype"}.
  static std::shared_ptr<MeanAbsoluteError> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
