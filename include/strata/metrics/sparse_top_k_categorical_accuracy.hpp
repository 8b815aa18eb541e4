#pragma once
/// @class strata::metrics::SparseTopKCategoricalAccuracy
/// SparseTopKCategoricalAccuracy: how often the class index in y_true ((n,) or (n, 1)) is among
/// the k highest predictions of y_pred's row, ties counting in its favour; with from_sorted_ids,
/// y_pred's rows hold class ids sorted by score and a hit is y_true among the first k (Keras's
/// keras.metrics.SparseTopKCategoricalAccuracy).

#include <cstdint>
#include <memory>
#include <string>

#include "strata/metrics/mean_metric_wrapper.hpp"

namespace strata::metrics {

/// The options of SparseTopKCategoricalAccuracy, with Keras's defaults.
struct SparseTopKCategoricalAccuracyOptions {
  /// How many of the highest predictions count (>= 1).
  std::int64_t k = 5;
  /// The metric's key in the logs.
  std::string name = "sparse_top_k_categorical_accuracy";
  /// y_pred holds the ids of the top classes, best first, instead of one score per class.
  bool from_sorted_ids = false;
};

class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The options type, also reachable as SparseTopKCategoricalAccuracy::Options.
  using Options = SparseTopKCategoricalAccuracyOptions;
  /// `SparseTopKCategoricalAccuracy()`, `SparseTopKCategoricalAccuracy({.k = 1})`.
  explicit SparseTopKCategoricalAccuracy(Options options = {});

  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  /// {"name", "dtype", "k"}, and "from_sorted_ids": true when set (as Keras).
  nlohmann::json get_config() const override;
  /// How many of the highest predictions count.
  std::int64_t k() const { return params().k; }

  /// From the "config" of Keras's serialized SparseTopKCategoricalAccuracy.
  static std::shared_ptr<SparseTopKCategoricalAccuracy> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
