#pragma once
/// @class strata::metrics::Mean
/// Mean: the running (unweighted) mean of the values it is given (Keras's keras.metrics.Mean),
/// the way fit tracks its loss.

#include <memory>
#include <string>

#include "strata/metrics/metric.hpp"

namespace strata {
namespace detail {
class WeightedSum;
}

namespace metrics {

class Mean : public Metric {
 public:
  /// `name` is the metric's key in the logs.
  explicit Mean(std::string name = "mean");
  /// A copy has the configuration and an empty state.
  Mean(const Mean& other);
  /// Assigns the configuration; the state becomes empty.
  Mean& operator=(const Mean& other);

  std::string class_name() const override { return "Mean"; }
  /// {"name", "dtype": "float32"}.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Keras's Mean.update_state(values): each sample (the first axis) counts once, with the mean
  /// of its elements; a 0-d tensor is one sample.
  void update_state(const Tensor& values);
  /// Keras's Mean.update_state(values, sample_weight): sample i (the first axis, its elements
  /// averaged) adds w[i] * value to the total and w[i] to the count; sample_weight holds one
  /// weight per sample, null: as update_state(values).
  void update_state(const Tensor& values, const Tensor* sample_weight);
  /// update_state(y_pred, sample_weight): y_true is ignored (may be undefined).
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// total / count, 0 before any sample (Keras's divide_no_nan).
  double result() const override;
  /// Clears the running state, as Keras does at the start of each epoch.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// [total, count] on the device; undefined until the first update.
  const Tensor& state() const { return state_; }

  /// From the "config" of Keras's serialized Mean: {"name", "dtype"}.
  static std::shared_ptr<Mean> from_config(const nlohmann::json& config);

 private:
  Tensor state_;
  std::shared_ptr<strata::detail::WeightedSum> weighted_;
};

}  // namespace metrics
}  // namespace strata
