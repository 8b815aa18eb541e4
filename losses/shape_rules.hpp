#pragma once
// Private to losses/ and metrics/: Keras's rank rules for (y_true, y_pred) pairs, applied to
// tensor views (a reshape shares memory and costs nothing), and the reduction helper both use.

#include <cmath>
#include <cstdint>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// Keras's squeeze_or_expand_to_same_rank (losses/loss.py) on shapes: when the ranks differ by
/// one and the longer shape ends in 1, the rank-1 shorter one gains a trailing 1, else the longer
/// one loses its trailing 1.
inline void squeeze_or_expand_to_same_rank(Shape& a, Shape& b) {
  if (a.rank() == b.rank()) return;
  if (a.rank() == b.rank() + 1 && a[-1] == 1) {
    if (b.rank() == 1)
      b = b.with_axis_appended(1);
    else
      a = a.without_last_axis();
  } else if (b.rank() == a.rank() + 1 && b[-1] == 1) {
    if (a.rank() == 1)
      a = a.with_axis_appended(1);
    else
      b = b.without_last_axis();
  }
}

/// Sparse labels: y_true (n, ..., 1) against y_pred (n, ..., k) loses its trailing 1, as Keras's
/// sparse_categorical_* do; the result must equal y_pred's shape without its last axis.
inline Shape sparse_label_shape(Shape y_true, const Shape& y_pred) {
  if (y_true.rank() == y_pred.rank() && y_true.rank() > 0 && y_true[-1] == 1) y_true = y_true.without_last_axis();
  return y_true;
}

/// Number of elements in every axis but the first (1 for a rank-0 or rank-1 shape).
inline std::int64_t per_sample(const Shape& shape) {
  std::int64_t n = 1;
  for (std::size_t i = 1; i < shape.rank(); ++i) n *= shape.dims()[i];
  return n;
}

/// Adds [factor * batch * sum(values), batch] to `state` (2,) with at most one matmul and one
/// Mean update, so that a running mean can weight each update by its number of samples:
///  - values viewed as (batch, m) times an (m, 1) column filled with factor * batch gives
///    (batch, 1) rows summing to factor * batch * sum(values);
///  - a single value (n == 1) times a (1, batch) row filled with factor gives batch copies of
///    factor * value.
/// The column and the product are buffers kept across calls; nothing is allocated while the
/// shapes stay the same.
class WeightedSum {
 public:
  void add(Backend& backend, const Tensor& values, std::int64_t batch, double factor, Tensor& state) {
    const std::int64_t n = values.size();
    if (batch == 0 || n == 0) return;
    Shape lhs, rhs, out;
    double fill = factor;
    if (n % batch == 0) {
      const std::int64_t m = n / batch;
      fill = factor * static_cast<double>(batch);
      if (m == 1 && std::abs(fill - 1.0) < 1e-12) {  // one value per sample, plain mean: no extra op
        backend.metric_update(MetricKind::Mean, Tensor(), values, 0.f, state);
        return;
      }
      lhs = Shape{batch, m};
      rhs = Shape{m, 1};
      out = Shape{batch, 1};
    } else if (n == 1) {
      lhs = Shape{1, 1};
      rhs = Shape{1, batch};
      out = Shape{1, batch};
    } else {
      throw ShapeError(concat("cannot split ", n, " values into ", batch, " samples"));
    }
    if (!weights_.defined() || weights_.shape() != rhs || &weights_.backend() != &backend || fill_ != fill) {
      reuse_or_allocate(weights_, backend, rhs);
      backend.fill(weights_, static_cast<float>(fill));
      fill_ = fill;
    }
    reuse_or_allocate(product_, backend, out);
    backend.matmul(values.reshaped(lhs), false, weights_, false, product_);
    backend.metric_update(MetricKind::Mean, Tensor(), product_, 0.f, state);
  }

 private:
  Tensor weights_, product_;
  double fill_ = 0.0;
};

}  // namespace strata::detail
