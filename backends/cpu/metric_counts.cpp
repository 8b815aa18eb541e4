// Metrics whose state is a table of counts or sums (see the Backend contract). Confusion counts
// at thresholds take one histogram over "the last threshold a prediction passes" and a suffix
// sum, O(rows * c + T) per call instead of a comparison per threshold; the other tables are one
// pass over the rows.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The number of thresholds p passes (p > t_i for i < passed): a binary search on ascending
// thresholds, Keras's bucket rule on evenly spaced ones, a scan otherwise. Returns -1 for NaN.
struct PassCounter {
  std::span<const float> t;
  bool evenly = false;
  bool ascending = false;
  bool with_epsilon = false;

  Index operator()(float p) const {
    if (std::isnan(p)) return -1;
    const Index T = static_cast<Index>(t.size());
    if (evenly) {
      const float q = std::min(std::max(p, 0.f), 1.f);
      float bucket = std::ceil(q * static_cast<float>(T - 1)) - 1.f;
      if (with_epsilon) bucket = std::max(bucket, 0.f);
      return static_cast<Index>(bucket) + 1;
    }
    if (ascending) return std::lower_bound(t.begin(), t.end(), p) - t.begin();
    return -2;  // unsorted: the caller compares threshold by threshold
  }
};

}  // namespace

void CpuBackend::confusion_update(const ConfusionParams& p, const Tensor& y_true, const Tensor& y_pred,
                                  const Tensor* sample_weight, Tensor& state) {
  const Index c = y_pred.shape()[-1];
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  const float* yt = f32(y_true);
  const float* yp = f32(y_pred);
  const float* w = sample_weight ? f32(*sample_weight) : nullptr;
  const Index per_weight = sample_weight && sample_weight->size() > 0 ? rows / sample_weight->size() : 1;
  const Index T = static_cast<Index>(p.thresholds.size());
  const Index first = p.class_id >= 0 ? p.class_id : 0;
  const Index last = p.class_id >= 0 ? first + 1 : c;
  const Index L = p.multi_label ? last - first : 1;
  const PassCounter passed{p.thresholds, p.evenly_spaced, std::is_sorted(p.thresholds.begin(), p.thresholds.end()),
                           T > 0 && (p.thresholds.front() < 0.f || p.thresholds.back() > 1.f)};
  // Per slot l: hist_pos / hist_neg[m] = weight of positive / negative labels passing exactly m
  // thresholds; totals of each; NaN seen. Unsorted thresholds count directly into tp / fp.
  std::vector<double> hist_pos(static_cast<std::size_t>(L * (T + 1)), 0.0), hist_neg(hist_pos.size(), 0.0);
  std::vector<double> direct_tp(static_cast<std::size_t>(L * T), 0.0), direct_fp(direct_tp.size(), 0.0);
  std::vector<double> total_pos(static_cast<std::size_t>(L), 0.0), total_neg(total_pos.size(), 0.0);
  std::vector<bool> nan_seen(static_cast<std::size_t>(L), false);
  std::vector<float> row(static_cast<std::size_t>(c));
  std::vector<Index> order(static_cast<std::size_t>(c));
  for (Index r = 0; r < rows; ++r) {
    for (Index j = 0; j < c; ++j) {
      const float v = yp[r * c + j];
      row[j] = p.from_logits ? static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v)))) : v;
    }
    if (p.top_k > 0 && p.top_k < c) {
      std::iota(order.begin(), order.end(), Index{0});
      const auto above = [&](Index a, Index b) {
        const float x = row[a], y = row[b];
        if (std::isnan(x) != std::isnan(y)) return std::isnan(x);  // NaN first, as XLA's top_k
        if (!std::isnan(x) && x != y) return x > y;
        return a < b;
      };
      std::partial_sort(order.begin(), order.begin() + p.top_k, order.end(), above);
      std::vector<bool> keep(static_cast<std::size_t>(c), false);
      for (Index i = 0; i < p.top_k; ++i) keep[order[i]] = true;
      for (Index j = 0; j < c; ++j)
        if (!keep[j]) row[j] = row[j] * 0.f + -1e10f;
    }
    const double sw = w ? static_cast<double>(w[r / per_weight]) : 1.0;
    for (Index j = first; j < last; ++j) {
      const Index l = p.multi_label ? j - first : 0;
      const double weight = sw * (p.label_weights.empty() ? 1.0 : static_cast<double>(p.label_weights[j]));
      const bool label = yt[r * c + j] != 0.f;
      const Index m = passed(row[j]);
      if (m == -1) {
        nan_seen[l] = true;
        continue;
      }
      (label ? total_pos : total_neg)[l] += weight;
      if (m >= 0) {
        (label ? hist_pos : hist_neg)[l * (T + 1) + m] += weight;
      } else {
        for (Index i = 0; i < T; ++i)
          if (row[j] > p.thresholds[i]) (label ? direct_tp : direct_fp)[i * L + l] += weight;
      }
    }
  }
  float* s = f32(state);
  const Index plane = T * L;
  for (Index l = 0; l < L; ++l) {
    double pos_above = 0.0, neg_above = 0.0;  // weight passing more than i thresholds
    for (Index m = T; m >= 1; --m) {
      pos_above += hist_pos[l * (T + 1) + m];
      neg_above += hist_neg[l * (T + 1) + m];
      const Index i = m - 1;  // passing threshold i means passing at least i + 1 of them
      const double tp = pos_above + direct_tp[i * L + l];
      const double fp = neg_above + direct_fp[i * L + l];
      const double nan = nan_seen[l] ? kNaN : 0.0;
      const Index at = i * L + l;
      s[at] = static_cast<float>(s[at] + (tp + nan));
      s[plane + at] = static_cast<float>(s[plane + at] + (fp + nan));
      s[2 * plane + at] = static_cast<float>(s[2 * plane + at] + (total_neg[l] - fp + nan));
      s[3 * plane + at] = static_cast<float>(s[3 * plane + at] + (total_pos[l] - tp + nan));
    }
  }
}

void CpuBackend::fbeta_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, float threshold,
                              Tensor& state) {
  const Index c = y_pred.shape()[-1];
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  const float* yt = f32(y_true);
  const float* yp = f32(y_pred);
  const float* w = sample_weight ? f32(*sample_weight) : nullptr;
  const bool by_row_max = std::isnan(threshold);
  std::vector<double> sums(static_cast<std::size_t>(4 * c), 0.0);
  for (Index r = 0; r < rows; ++r) {
    const float* q = yp + r * c;
    float row_max = -std::numeric_limits<float>::infinity();
    bool row_nan = false;
    for (Index j = 0; j < c; ++j) {
      row_nan = row_nan || std::isnan(q[j]);
      row_max = std::max(row_max, q[j]);
    }
    const double weight = w ? static_cast<double>(w[r]) : 1.0;
    for (Index j = 0; j < c; ++j) {
      double b;
      if (std::isnan(q[j]) || (by_row_max && row_nan))
        b = kNaN;
      else
        b = (by_row_max ? q[j] >= row_max && std::fabs(q[j]) > 1e-9f : q[j] > threshold) ? 1.0 : 0.0;
      const double y = yt[r * c + j];
      const double wy = weight * y;
      sums[j] += wy * b;
      sums[c + j] += weight * b * (1.0 - y);
      sums[2 * c + j] += wy * (1.0 - b);
      sums[3 * c + j] += wy;
    }
  }
  float* s = f32(state);
  for (Index i = 0; i < 4 * c; ++i) s[i] = static_cast<float>(s[i] + sums[i]);
}

void CpuBackend::r2_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor& state) {
  const Index c = y_pred.shape()[-1];
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  const float* yt = f32(y_true);
  const float* yp = f32(y_pred);
  const float* w = sample_weight ? f32(*sample_weight) : nullptr;
  std::vector<double> sums(static_cast<std::size_t>(4 * c), 0.0);
  for (Index r = 0; r < rows; ++r) {
    const double weight = w ? static_cast<double>(w[r]) : 1.0;
    const float* y = yt + r * c;
    const float* q = yp + r * c;
    for (Index j = 0; j < c; ++j) {
      const double wy = weight * y[j];
      const double e = static_cast<double>(y[j]) - q[j];
      sums[j] += wy;
      sums[c + j] += wy * y[j];
      sums[2 * c + j] += weight * e * e;
      sums[3 * c + j] += weight;
    }
  }
  float* s = f32(state);
  for (Index i = 0; i < 4 * c; ++i) s[i] = static_cast<float>(s[i] + sums[i]);
}

void CpuBackend::iou_update(const IouParams& p, const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                            Tensor& state) {
  const Index ct = p.sparse_y_true ? 1 : y_true.shape()[-1];
  const Index cp = p.sparse_y_pred ? 1 : y_pred.shape()[-1];
  const Index n = cp > 0 ? y_pred.size() / cp : 0;
  const float* yt = f32(y_true);
  const float* yp = f32(y_pred);
  const float* w = sample_weight ? f32(*sample_weight) : nullptr;
  const Index per_weight = sample_weight && sample_weight->size() > 0 ? n / sample_weight->size() : 1;
  const Index k = p.num_classes;
  const auto class_of = [](const float* v, Index cols, Index i) -> float {
    if (cols == 1) return v[i];
    const float* row = v + i * cols;
    Index best = 0;
    for (Index j = 1; j < cols; ++j)
      if (row[j] > row[best]) best = j;
    return static_cast<float>(best);
  };
  std::vector<double> cm(static_cast<std::size_t>(k * k), 0.0);
  for (Index i = 0; i < n; ++i) {
    const float t = p.sparse_y_true ? yt[i] : class_of(yt, ct, i);
    const float q = p.sparse_y_pred ? yp[i] : class_of(yp, cp, i);
    if (std::isnan(t) || std::isnan(q)) {
      cm[0] += kNaN;
      continue;
    }
    // int32 (Keras's default dtype) truncates before the bounds check; float32 checks the value.
    const double tc = p.integer_weights ? std::trunc(static_cast<double>(t)) : t;
    const double qc = p.integer_weights ? std::trunc(static_cast<double>(q)) : q;
    if (!(tc >= 0 && tc < static_cast<double>(k) && qc >= 0 && qc < static_cast<double>(k))) continue;
    const auto ti = static_cast<Index>(tc), qi = static_cast<Index>(qc);
    if (p.ignore_class && tc == static_cast<double>(*p.ignore_class)) continue;
    double weight = w ? static_cast<double>(w[i / per_weight]) : 1.0;
    if (p.integer_weights) weight = std::trunc(weight);
    cm[ti * k + qi] += weight;
  }
  float* s = f32(state);
  for (Index i = 0; i < k * k; ++i) s[i] = static_cast<float>(s[i] + cm[i]);
}

}  // namespace strata::backends
