#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// First index of the largest value, as numpy's and TF's argmax break ties.
std::size_t argmax(std::span<const float> row) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < row.size(); ++j)
    if (row[j] > row[best]) best = j;
  return best;
}

// The value of one sample: `truth` is the sample's y_true (one element for the sparse kind),
// `pred` its y_pred over the last axis.
double sample_value(MetricKind kind, std::span<const float> truth, std::span<const float> pred, float threshold) {
  const double n = static_cast<double>(pred.size());
  double sum = 0.0;
  switch (kind) {
    case MetricKind::Accuracy:
      for (std::size_t j = 0; j < pred.size(); ++j) sum += truth[j] == pred[j] ? 1.0 : 0.0;
      return sum / n;
    case MetricKind::BinaryAccuracy:
      // Keras casts (y_pred > threshold) to y_true's dtype and compares for equality.
      for (std::size_t j = 0; j < pred.size(); ++j) sum += truth[j] == (pred[j] > threshold ? 1.f : 0.f) ? 1.0 : 0.0;
      return sum / n;
    case MetricKind::CategoricalAccuracy: return argmax(truth) == argmax(pred) ? 1.0 : 0.0;
    case MetricKind::SparseCategoricalAccuracy: return truth[0] == static_cast<float>(argmax(pred)) ? 1.0 : 0.0;
    case MetricKind::MeanSquaredError:
      for (std::size_t j = 0; j < pred.size(); ++j) {
        const double e = static_cast<double>(truth[j]) - pred[j];
        sum += e * e;
      }
      return sum / n;
    case MetricKind::MeanAbsoluteError:
      for (std::size_t j = 0; j < pred.size(); ++j) sum += std::abs(static_cast<double>(truth[j]) - pred[j]);
      return sum / n;
    case MetricKind::Mean: break;
  }
  assert(false && "Mean has no per-row value");
  return 0.0;
}

}  // namespace

void ReferenceBackend::metric_update(MetricKind kind, const Tensor& y_true, const Tensor& y_pred, float threshold,
                                     Tensor& state) {
  auto acc = reference::values_of(state);
  assert(acc.size() == 2);
  const auto pred = reference::values_of(y_pred);
  double sum = 0.0, count = 0.0;
  if (kind == MetricKind::Mean) {
    for (const float v : pred) sum += v;
    count = static_cast<double>(pred.size());
  } else {
    const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
    const auto truth = reference::values_of(y_true);
    const std::size_t truth_cols = kind == MetricKind::SparseCategoricalAccuracy ? 1 : cols;
    assert(truth.size() == rows * truth_cols);
    for (std::size_t r = 0; r < rows; ++r)
      sum += sample_value(kind, truth.subspan(r * truth_cols, truth_cols), pred.subspan(r * cols, cols), threshold);
    count = static_cast<double>(rows);
  }
  acc[0] = static_cast<float>(acc[0] + sum);
  acc[1] = static_cast<float>(acc[1] + count);
}

}  // namespace strata::backends
