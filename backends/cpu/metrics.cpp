// Streaming metrics: state (2,) += [sum of per-sample values, number of samples]. The sum is
// taken in double and added to the float state once per call.

#include <algorithm>
#include <cmath>

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

double metric_rows(MetricKind kind, const float* yt, const float* yp, float threshold, Index c, Index r0, Index r1) {
  double total = 0.0;
  const double inv_c = 1.0 / static_cast<double>(c);
  for (Index r = r0; r < r1; ++r) {
    const float* q = yp + r * c;
    const float* y = yt ? yt + r * c : nullptr;
    switch (kind) {
      case MetricKind::Mean: {
        double s = 0.0;
        for (Index j = 0; j < c; ++j) s += q[j];
        total += s;
        break;
      }
      case MetricKind::Accuracy: {
        Index hits = 0;
        for (Index j = 0; j < c; ++j) hits += y[j] == q[j];
        total += static_cast<double>(hits) * inv_c;
        break;
      }
      case MetricKind::BinaryAccuracy: {
        Index hits = 0;
        for (Index j = 0; j < c; ++j) hits += (q[j] > threshold ? 1.f : 0.f) == y[j];
        total += static_cast<double>(hits) * inv_c;
        break;
      }
      case MetricKind::CategoricalAccuracy: total += argmax(y, c) == argmax(q, c) ? 1.0 : 0.0; break;
      case MetricKind::SparseCategoricalAccuracy: total += yt[r] == static_cast<float>(argmax(q, c)) ? 1.0 : 0.0; break;
      case MetricKind::MeanSquaredError: {
        double s = 0.0;
        for (Index j = 0; j < c; ++j) {
          const double e = static_cast<double>(y[j]) - q[j];
          s += e * e;
        }
        total += s * inv_c;
        break;
      }
      case MetricKind::MeanAbsoluteError: {
        double s = 0.0;
        for (Index j = 0; j < c; ++j) s += std::fabs(static_cast<double>(y[j]) - q[j]);
        total += s * inv_c;
        break;
      }
    }
  }
  return total;
}

}  // namespace

void CpuBackend::metric_update(MetricKind kind, const Tensor& y_true, const Tensor& y_pred, float threshold,
                               Tensor& state) {
  const Index c = y_pred.shape().rank() > 0 ? y_pred.shape()[-1] : 1;
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  const float* yt = y_true.defined() ? f32(y_true) : nullptr;
  const float* yp = f32(y_pred);
  double total = 0.0;
  if (rows * c < kSerialRows || omp_get_max_threads() <= 1 || omp_in_parallel()) {
    total = metric_rows(kind, yt, yp, threshold, c, 0, rows);
  } else {
#pragma omp parallel reduction(+ : total)
    {
      const Index threads = omp_get_num_threads();
      const Index t = omp_get_thread_num();
      const Index chunk = (rows + threads - 1) / threads;
      const Index r0 = std::min(rows, t * chunk);
      const Index r1 = std::min(rows, r0 + chunk);
      total += metric_rows(kind, yt, yp, threshold, c, r0, r1);
    }
  }
  float* s = f32(state);
  const double count = kind == MetricKind::Mean ? static_cast<double>(y_pred.size()) : static_cast<double>(rows);
  s[0] = static_cast<float>(static_cast<double>(s[0]) + total);
  s[1] = static_cast<float>(static_cast<double>(s[1]) + count);
}

}  // namespace strata::backends
