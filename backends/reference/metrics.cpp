#include <cassert>
#include <cmath>
#include <limits>
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

// Keras's in_top_k: the label's prediction (-inf when NaN or when the label is no class) ranks
// 1 + the number of strictly larger predictions.
bool in_top_k(std::span<const float> pred, double label, std::int64_t k) {
  double at_label = -std::numeric_limits<double>::infinity();
  const double index = std::trunc(label);
  if (index >= 0 && index < static_cast<double>(pred.size())) {
    const float v = pred[static_cast<std::size_t>(index)];
    if (!std::isnan(v)) at_label = v;
  }
  std::int64_t rank = 1;
  for (const float v : pred) rank += static_cast<double>(v) > at_label ? 1 : 0;
  return rank <= k;
}

// The value of one sample: `truth` is the sample's y_true (one element for the sparse kinds),
// `pred` its y_pred over the last axis.
double sample_value(const MetricParams& p, std::span<const float> truth, std::span<const float> pred) {
  const double n = static_cast<double>(pred.size());
  double sum = 0.0;
  switch (p.kind) {
    case MetricKind::Mean:
      for (const float v : pred) sum += v;
      return sum / n;
    case MetricKind::Accuracy:
      for (std::size_t j = 0; j < pred.size(); ++j) sum += truth[j] == pred[j] ? 1.0 : 0.0;
      return sum / n;
    case MetricKind::BinaryAccuracy:
      // Keras casts (y_pred > threshold) to y_true's dtype and compares for equality.
      for (std::size_t j = 0; j < pred.size(); ++j) sum += truth[j] == (pred[j] > p.threshold ? 1.f : 0.f) ? 1.0 : 0.0;
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
    case MetricKind::TopKCategoricalAccuracy:
      return in_top_k(pred, static_cast<double>(argmax(truth)), p.k) ? 1.0 : 0.0;
    case MetricKind::SparseTopKCategoricalAccuracy:
      if (p.from_sorted_ids) {
        const std::size_t first = std::min(pred.size(), static_cast<std::size_t>(p.k));
        for (std::size_t j = 0; j < first; ++j)
          if (pred[j] == truth[0]) return 1.0;
        return 0.0;
      }
      return in_top_k(pred, truth[0], p.k) ? 1.0 : 0.0;
    case MetricKind::CosineSimilarity: {
      double tt = 0.0, pp = 0.0;
      for (std::size_t j = 0; j < pred.size(); ++j) {
        sum += static_cast<double>(truth[j]) * pred[j];
        tt += static_cast<double>(truth[j]) * truth[j];
        pp += static_cast<double>(pred[j]) * pred[j];
      }
      return sum * std::min(1.0 / std::sqrt(tt), 1e7) * std::min(1.0 / std::sqrt(pp), 1e7);
    }
  }
  assert(false && "unknown metric kind");
  return 0.0;
}

bool sparse_kind(MetricKind kind) {
  return kind == MetricKind::SparseCategoricalAccuracy || kind == MetricKind::SparseTopKCategoricalAccuracy;
}

}  // namespace

void ReferenceBackend::metric_update(const MetricParams& p, const Tensor& y_true, const Tensor& y_pred,
                                     const Tensor* sample_weight, Tensor& state) {
  auto acc = reference::values_of(state);
  assert(acc.size() == 2);
  const auto pred = reference::values_of(y_pred);
  double sum = 0.0, count = 0.0;
  if (p.kind == MetricKind::Mean && !sample_weight) {
    for (const float v : pred) sum += v;
    count = static_cast<double>(pred.size());
  } else {
    const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
    std::span<const float> truth;
    if (p.kind != MetricKind::Mean) truth = reference::values_of(y_true);
    const std::size_t truth_cols = sparse_kind(p.kind) ? 1 : cols;
    assert(p.kind == MetricKind::Mean || truth.size() == rows * truth_cols);
    std::span<const float> weights;
    std::size_t per_weight = 1;
    if (sample_weight) {
      weights = reference::values_of(*sample_weight);
      assert(!weights.empty() && rows % weights.size() == 0);
      per_weight = rows / weights.size();
    }
    for (std::size_t r = 0; r < rows; ++r) {
      const double w = sample_weight ? static_cast<double>(weights[r / per_weight]) : 1.0;
      const auto t = truth.empty() ? truth : truth.subspan(r * truth_cols, truth_cols);
      sum += w * sample_value(p, t, pred.subspan(r * cols, cols));
      count += w;
    }
  }
  acc[0] = static_cast<float>(acc[0] + sum);
  acc[1] = static_cast<float>(acc[1] + count);
}

}  // namespace strata::backends
