#pragma once
/// @class strata::Metric
/// Metric base: a running state on the device, read back only when a value is shown.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <xtensor/xarray.hpp>

#include "strata/tensor.hpp"

namespace strata {

class Backend;

class Metric {
 public:
  virtual ~Metric() = default;
  /// "SparseCategoricalAccuracy".
  virtual std::string class_name() const = 0;
  /// The log key: "accuracy", "mse", or the name given.
  const std::string& name() const { return name_; }
  /// {"name", "dtype": "float32"} and the class's own keys, as Keras 3 writes them.
  virtual nlohmann::json get_config() const;

  /// Adds a batch to the running state (on y_pred's backend), each sample weighted by its
  /// entry of `sample_weight` (shape (batch,) on y_pred's backend; null: every weight 1), as
  /// Keras's update_state(y_true, y_pred, sample_weight). A subclass overriding this should say
  /// `using Metric::update_state;` so the other overloads stay visible.
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) = 0;
  /// Adds a batch with every sample weighing 1.
  void update_state(const Tensor& y_true, const Tensor& y_pred) { update_state(y_true, y_pred, nullptr); }
  /// Host arrays, uploaded to the current backend: the way Keras users call a metric on its
  /// own, `m.update_state(y_true, y_pred)`.
  void update_state(const xt::xarray<float>& y_true, const xt::xarray<float>& y_pred,
                    const xt::xarray<float>* sample_weight = nullptr);
  /// The running value (reads the state back from the device). A metric whose result is not
  /// one number (scalar_result() false) throws ValueError here: read results() instead.
  virtual double result() const = 0;
  /// Every value of the result: one per class for F1Score(average=None), one per threshold for
  /// Precision with several thresholds; a one-element vector for the scalar metrics.
  virtual std::vector<double> results() const { return {result()}; }
  /// Whether the result is one number (result() may be called).
  virtual bool scalar_result() const { return true; }
  /// Clears the running state, as Keras does at the start of each epoch.
  virtual void reset_state() = 0;
  /// The running state's tensors (Keras's `metric.variables`): sums and counts on the device,
  /// none before the first update. Data-parallel training adds them across processes before
  /// it reads the result, so a metric of your own that keeps a state must return it here; the
  /// default throws ValueError naming the metric.
  virtual std::vector<Tensor> state_tensors() const;

  /// Keras's names: "accuracy"/"acc" (kind chosen from the shapes at the first update, as
  /// Keras's compile does), "binary_accuracy", "categorical_accuracy",
  /// "sparse_categorical_accuracy", "mse"/"mean_squared_error", "mae"/"mean_absolute_error",
  /// "root_mean_squared_error", "cosine_similarity", "top_k_categorical_accuracy",
  /// "sparse_top_k_categorical_accuracy", "precision", "recall", "auc", "f1_score",
  /// "f_beta_score", "r2_score", each with Keras's defaults (MeanIoU needs num_classes, so it
  /// has no name, as in Keras).
  /// As in Keras's compile, the metric is named by the string given (its log key): "acc" logs
  /// as "acc", "mse" as "mse". "accuracy"/"acc" match in any case; the rest exactly, and the
  /// class names ("BinaryAccuracy") are accepted too. Throws ValueError listing the valid names.
  ///
  /// The "accuracy" metric picks its class at its first update_state: y_pred's last axis 1 ->
  /// BinaryAccuracy; else y_true of lower rank than y_pred, or y_true's last axis 1 ->
  /// SparseCategoricalAccuracy; else CategoricalAccuracy. Until then class_name() is "auto" and
  /// result() 0.
  static std::shared_ptr<Metric> from_name(std::string_view name);
  /// Keras's serialized metric {"class_name": ..., "config": {...}} ("module" and
  /// "registered_name" optional), or a string name as compile_config stores it.
  static std::shared_ptr<Metric> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();

 protected:
  /// `name` is the metric's key in the logs.
  explicit Metric(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

}  // namespace strata
