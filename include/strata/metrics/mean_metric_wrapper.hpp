#pragma once
/// @class strata::metrics::MeanMetricWrapper
/// MeanMetricWrapper: the running mean of a per-sample function of (y_true, y_pred), computed by
/// the backend's fused metric_update (Keras's keras.metrics.MeanMetricWrapper). The base of
/// Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanSquaredError,
/// MeanAbsoluteError, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, CosineSimilarity
/// and RootMeanSquaredError.
///
/// With a sample_weight (one weight per sample, shape (batch,)) the state is
/// [sum w * value, sum w], as Keras's Mean.
///
/// Shapes follow Keras: y_true (n,) against y_pred (n, 1) is expanded (and the reverse) for the
/// element-wise kinds; sparse labels may be (n,) or (n, 1). A y_pred of rank 1 is one sample,
/// except for Accuracy, BinaryAccuracy and RootMeanSquaredError, which Keras computes
/// element-wise: there each element is a sample. A y_pred of rank 3 or more counts each position of the middle axes as
/// a sample, where Keras averages them per sample first: the result is the same while those axes keep their size from
/// batch to batch.

#include <string>

#include "strata/backend.hpp"
#include "strata/metrics/metric.hpp"

namespace strata::metrics {

class MeanMetricWrapper : public Metric {
 public:
  /// A copy has the configuration and an empty state.
  MeanMetricWrapper(const MeanMetricWrapper& other);
  /// Assigns the configuration; the state becomes empty.
  MeanMetricWrapper& operator=(const MeanMetricWrapper& other);

  using Metric::update_state;
  /// Adds a batch; the state lives on y_pred's backend (the first one it sees).
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The running mean, 0 before any sample.
  double result() const override;
  /// Clears the running state, as Keras does at the start of each epoch.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// [total, count] on the device; undefined until the first update.
  const Tensor& state() const { return state_; }
  /// Which per-sample function the backend computes.
  MetricKind kind() const { return params_.kind; }

 protected:
  /// `name` is the metric's key in the logs; `element_wise`: a rank-1 batch counts each element
  /// as a sample (Keras's accuracy, binary_accuracy and squared error).
  MeanMetricWrapper(std::string name, MetricParams params, bool element_wise = false);
  /// The backend's arguments (the top-k kinds' k, BinaryAccuracy's threshold).
  const MetricParams& params() const { return params_; }

 private:
  MetricParams params_;
  bool element_wise_;
  Tensor state_;
};

}  // namespace strata::metrics
