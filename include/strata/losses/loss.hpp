#pragma once
/// @class strata::Loss
/// Loss base: Keras's reduction semantics over one fused backend op (see Backend::loss).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <xtensor/xarray.hpp>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// How per-sample losses become the loss: Keras's "sum_over_batch_size" (the default, the mean
/// over every per-sample value), "sum", "mean" (same as sum_over_batch_size without sample
/// weights) and "none" (per-sample values; in training the gradient is that of their mean).
enum class Reduction { SumOverBatchSize, Sum, Mean, None };

namespace detail {
class WeightedSum;
}

class Loss {
 public:
  virtual ~Loss() = default;
  /// "SparseCategoricalCrossentropy".
  virtual std::string class_name() const = 0;
  /// "sparse_categorical_crossentropy" unless given.
  const std::string& name() const { return name_; }
  /// How per-sample losses combine (see Reduction).
  Reduction reduction() const { return reduction_; }
  /// {"name", "reduction", ...Keras's keys}.
  virtual nlohmann::json get_config() const;
  /// The fused-op parameters for this loss (grad_scale is filled in by compute()).
  virtual LossParams params() const = 0;
  /// Labels are class indices (SparseCategoricalCrossentropy): y_true has one axis fewer.
  bool sparse_labels() const { return params().kind == LossKind::SparseCategoricalCrossentropy; }

  /// The shape of the per-sample values for these inputs, after Keras's rank rules: y_true (n,)
  /// against y_pred (n, 1) is expanded (and y_true (n, 1) against y_pred (n,)); sparse labels
  /// may be (n,) or (n, 1). Throws ShapeError, in Keras's words, when the shapes do not fit.
  /// compute() needs `values` of this shape (any shape with as many elements will do).
  Shape values_shape(const Shape& y_true, const Shape& y_pred) const;

  /// Keras's `loss(y_true, y_pred)` on host arrays, on the current backend: a 0-d array, or the
  /// per-sample values when the reduction is None. `sample_weight` (one weight per sample)
  /// weighs the values as compute() does.
  xt::xarray<float> operator()(const xt::xarray<float>& y_true, const xt::xarray<float>& y_pred,
                               const xt::xarray<float>* sample_weight = nullptr) const;

  /// The training and evaluation path on device tensors. Writes each sample's loss into `values`
  /// (y_pred's shape without the last axis), the gradient of the reduced loss into `grad` when
  /// not null, and adds [reduced loss * samples, samples] to `tracker` (2,), so that
  /// tracker[0] / tracker[1] is Keras's running loss (samples: y_pred's first axis, the batch
  /// size fit's loss tracker weights by). With Reduction::None the reduced loss and the gradient
  /// are those of the mean of the values. `grad_weight` scales the gradient only (compile's
  /// loss_weights: the tracker keeps the unweighted loss, as Keras logs "<output>_loss").
  /// `sample_weight`, when not null, holds one weight per sample (y_pred's first axis): each
  /// sample's values and gradient are multiplied by it before the reduction, whose divisor stays
  /// the number of values (Keras's `reduce_weighted_values`).
  /// Keeps two small buffers for the tracker update between calls, so one Loss object must not
  /// run compute() on two threads at once.
  void compute(const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad, Tensor& tracker,
               double grad_weight = 1.0, const Tensor* sample_weight = nullptr) const;

  /// Keras's names and aliases ("mse", "sparse_categorical_crossentropy", "bce", ...), and the
  /// class names ("MeanSquaredError"); throws ValueError listing them for an unknown one.
  static std::shared_ptr<Loss> from_name(std::string_view name);
  /// Keras's serialized loss {"class_name": ..., "config": {...}} (the "module" and
  /// "registered_name" keys are optional), or a string name as compile_config stores it.
  static std::shared_ptr<Loss> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();

 protected:
  /// Makes the loss from its options (see LossOptions).
  Loss(std::string name, Reduction reduction);
  /// Copies the configuration, not the cached buffers.
  Loss(const Loss& other);
  /// Assigns the configuration, not the cached buffers.
  Loss& operator=(const Loss& other);

 private:
  std::string name_;
  Reduction reduction_;
  mutable std::shared_ptr<detail::WeightedSum> tracker_sum_;  // compute()'s buffers
};

/// "sum_over_batch_size", "sum", "mean", "none".
std::string_view reduction_name(Reduction reduction);
/// The inverse of reduction_name; throws ValueError in Keras's words for another name.
Reduction reduction_from_name(std::string_view name);

}  // namespace strata
