#pragma once
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

class Loss {
 public:
  virtual ~Loss() = default;
  /// "SparseCategoricalCrossentropy".
  virtual std::string class_name() const = 0;
  /// "sparse_categorical_crossentropy" unless given.
  const std::string& name() const { return name_; }
  Reduction reduction() const { return reduction_; }
  /// {"name", "reduction", ...Keras's keys}.
  virtual nlohmann::json get_config() const;
  /// The fused-op parameters for this loss (grad_scale is filled in by compute()).
  virtual LossParams params() const = 0;
  /// Labels are class indices (SparseCategoricalCrossentropy): y_true has one axis fewer.
  bool sparse_labels() const { return params().kind == LossKind::SparseCategoricalCrossentropy; }

  /// Keras's `loss(y_true, y_pred)` on host arrays, on the current backend: a 0-d array, or the
  /// per-sample values when the reduction is None.
  xt::xarray<float> operator()(const xt::xarray<float>& y_true, const xt::xarray<float>& y_pred) const;

  /// The training and evaluation path on device tensors. Writes each sample's loss into `values`
  /// (y_pred's shape without the last axis), the gradient of the reduced loss into `grad` when
  /// not null, and adds [reduced loss * samples, samples] to `tracker` (2,), so that
  /// tracker[0] / tracker[1] is Keras's running loss.
  void compute(const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad,
               Tensor& tracker) const;

  /// Keras's names and aliases ("mse", "sparse_categorical_crossentropy", "bce", ...).
  static std::shared_ptr<Loss> from_name(std::string_view name);
  static std::shared_ptr<Loss> from_config(const nlohmann::json& config);
  static std::vector<std::string> names();

 protected:
  Loss(std::string name, Reduction reduction) : name_(std::move(name)), reduction_(reduction) {}

 private:
  std::string name_;
  Reduction reduction_;
};

std::string_view reduction_name(Reduction reduction);
Reduction reduction_from_name(std::string_view name);

}  // namespace strata
