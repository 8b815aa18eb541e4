#pragma once
/// @class strata::metrics::BinaryAccuracy
/// BinaryAccuracy: how often (y_pred > threshold) equals y_true, element by element (Keras's
/// keras.metrics.BinaryAccuracy).

#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

/// The options of BinaryAccuracy beyond its positional arguments, with Keras's defaults.
struct BinaryAccuracyOptions {
  double threshold = 0.5;  ///< a prediction above it counts as 1
  /// The metric's key in the logs.
  std::string name = "binary_accuracy";
};

class BinaryAccuracy : public MeanMetricWrapper {
 public:
  /// The options type, also reachable as BinaryAccuracy::Options.
  using Options = BinaryAccuracyOptions;
  /// `BinaryAccuracy()`, `BinaryAccuracy({.threshold = 0.7})`.
  explicit BinaryAccuracy(Options options = {});

  std::string class_name() const override { return "BinaryAccuracy"; }
  /// {"name", "dtype": "float32", "threshold"}.
  nlohmann::json get_config() const override;
  /// Predictions above it count as 1.
  double threshold() const { return threshold_; }

  /// From the "config" of Keras's serialized BinaryAccuracy: {"name", "dtype", "threshold"}.
  static std::shared_ptr<BinaryAccuracy> from_config(const nlohmann::json& config);

 private:
  double threshold_;
};

}  // namespace strata::metrics
