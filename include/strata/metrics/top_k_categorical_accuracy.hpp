#pragma once
/// @class strata::metrics::TopKCategoricalAccuracy
/// TopKCategoricalAccuracy: how often the class of a one-hot y_true (its argmax) is among the k
/// highest predictions of y_pred's row, ties counting in its favour (Keras's
/// keras.metrics.TopKCategoricalAccuracy).

#include <cstdint>
#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

/// The options of TopKCategoricalAccuracy, with Keras's defaults.
struct TopKCategoricalAccuracyOptions {
  /// How many of the highest predictions count (>= 1).
  std::int64_t k = 5;
  /// The metric's key in the logs.
  std::string name = "top_k_categorical_accuracy";
};

class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The options type, also reachable as TopKCategoricalAccuracy::Options.
  using Options = TopKCategoricalAccuracyOptions;
  /// `TopKCategoricalAccuracy()`, `TopKCategoricalAccuracy({.k = 3})`.
  explicit TopKCategoricalAccuracy(Options options = {});

  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  /// {"name", "dtype", "k"}.
  nlohmann::json get_config() const override;
  /// How many of the highest predictions count.
  std::int64_t k() const { return params().k; }

  /// From the "config" of Keras's serialized TopKCategoricalAccuracy.
  static std::shared_ptr<TopKCategoricalAccuracy> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
