// Streaming metrics: state (2,) += [sum of w * per-sample value, sum of w]. The sums are taken in
// double and added to the float state once per call.

#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

Index argmax(const float* row, Index c) {
  Index best = 0;
  for (Index j = 1; j < c; ++j)
    if (row[j] > row[best]) best = j;  // first maximum wins, as numpy / TF argmax
  return best;
}

// Keras's in_top_k: 1 + #{j : q[j] > q[label]} <= k, with q[label] = -inf when it is NaN or
// the label names no class.
bool in_top_k(const float* q, Index c, double label, std::int64_t k) {
  float at_label = -std::numeric_limits<float>::infinity();
  const double index = std::trunc(label);
  if (index >= 0 && index < static_cast<double>(c) && !std::isnan(q[static_cast<Index>(index)]))
    at_label = q[static_cast<Index>(index)];
  std::int64_t larger = 0;
  for (Index j = 0; j < c; ++j) larger += q[j] > at_label;
  return larger < k;
}

struct Sums {
  double total = 0.0;
  double count = 0.0;
};

// One row's value (see MetricKind). `y` is the row of y_true (null for Mean), `label` the sparse
// kinds' class index.
double row_value(const MetricParams& p, const float* y, float label, const float* q, Index c, double inv_c) {
  switch (p.kind) {
    case MetricKind::Mean: {
      double s = 0.0;
      for (Index j = 0; j < c; ++j) s += q[j];
      return s * inv_c;
    }
    case MetricKind::Accuracy: {
      Index hits = 0;
      for (Index j = 0; j < c; ++j) hits += y[j] == q[j];
      return static_cast<double>(hits) * inv_c;
    }
    case MetricKind::BinaryAccuracy: {
      Index hits = 0;
      for (Index j = 0; j < c; ++j) hits += (q[j] > p.threshold ? 1.f : 0.f) == y[j];
      return static_cast<double>(hits) * inv_c;
    }
    case MetricKind::CategoricalAccuracy: return argmax(y, c) == argmax(q, c) ? 1.0 : 0.0;
    case MetricKind::SparseCategoricalAccuracy: return label == static_cast<float>(argmax(q, c)) ? 1.0 : 0.0;
    case MetricKind::MeanSquaredError: {
      double s = 0.0;
      for (Index j = 0; j < c; ++j) {
        const double e = static_cast<double>(y[j]) - q[j];
        s += e * e;
      }
      return s * inv_c;
    }
    case MetricKind::MeanAbsoluteError: {
      double s = 0.0;
      for (Index j = 0; j < c; ++j) s += std::fabs(static_cast<double>(y[j]) - q[j]);
      return s * inv_c;
    }
    case MetricKind::TopKCategoricalAccuracy: return in_top_k(q, c, static_cast<double>(argmax(y, c)), p.k) ? 1.0 : 0.0;
    case MetricKind::SparseTopKCategoricalAccuracy: {
      if (!p.from_sorted_ids) return in_top_k(q, c, label, p.k) ? 1.0 : 0.0;
      const Index first = std::min<Index>(c, p.k);
      for (Index j = 0; j < first; ++j)
        if (q[j] == label) return 1.0;
      return 0.0;
    }
    case MetricKind::CosineSimilarity: {
      double dot = 0.0, yy = 0.0, qq = 0.0;
      for (Index j = 0; j < c; ++j) {
        dot += static_cast<double>(y[j]) * q[j];
        yy += static_cast<double>(y[j]) * y[j];
        qq += static_cast<double>(q[j]) * q[j];
      }
      return dot * std::min(1.0 / std::sqrt(yy), 1e7) * std::min(1.0 / std::sqrt(qq), 1e7);
    }
  }
  return 0.0;
}

bool sparse_kind(MetricKind kind) {
  return kind == MetricKind::SparseCategoricalAccuracy || kind == MetricKind::SparseTopKCategoricalAccuracy;
}

Sums metric_rows(const MetricParams& p, const float* yt, const float* yp, const float* w, Index per_weight, Index c,
                 Index r0, Index r1) {
  Sums out;
  const double inv_c = 1.0 / static_cast<double>(c);
  const bool sparse = sparse_kind(p.kind);
  for (Index r = r0; r < r1; ++r) {
    const float* q = yp + r * c;
    const float* y = yt && !sparse ? yt + r * c : nullptr;
    const float label = yt && sparse ? yt[r] : 0.f;
    const double weight = w ? static_cast<double>(w[r / per_weight]) : 1.0;
    out.total += weight * row_value(p, y, label, q, c, inv_c);
    out.count += weight;
  }
  return out;
}

}  // namespace

void CpuBackend::metric_update(const MetricParams& p, const Tensor& y_true, const Tensor& y_pred,
                               const Tensor* sample_weight, Tensor& state) {
  // Mean without weights counts every element: rows of one column.
  const bool per_element = p.kind == MetricKind::Mean && !sample_weight;
  const Index c = per_element ? 1 : (y_pred.shape().rank() > 0 ? y_pred.shape()[-1] : 1);
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  const float* yt = y_true.defined() && p.kind != MetricKind::Mean ? f32(y_true) : nullptr;
  const float* yp = f32(y_pred);
  const float* w = sample_weight ? f32(*sample_weight) : nullptr;
  const Index per_weight = sample_weight && sample_weight->size() > 0 ? rows / sample_weight->size() : 1;
  Sums sums;
  if (rows * c < kSerialRows || omp_get_max_threads() <= 1 || omp_in_parallel()) {
    sums = metric_rows(p, yt, yp, w, per_weight, c, 0, rows);
  } else {
    double total = 0.0, count = 0.0;
#pragma omp parallel reduction(+ : total, count)
    {
      const Index threads = omp_get_num_threads();
      const Index t = omp_get_thread_num();
      const Index chunk = (rows + threads - 1) / threads;
      const Index r0 = std::min(rows, t * chunk);
      const Index r1 = std::min(rows, r0 + chunk);
      const Sums part = metric_rows(p, yt, yp, w, per_weight, c, r0, r1);
      total += part.total;
      count += part.count;
    }
    sums = {total, count};
  }
  float* s = f32(state);
  s[0] = static_cast<float>(static_cast<double>(s[0]) + sums.total);
  s[1] = static_cast<float>(static_cast<double>(s[1]) + sums.count);
}

}  // namespace strata::backends
