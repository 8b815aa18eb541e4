// Metrics whose state is a table of counts or sums: confusion counts at thresholds (Precision,
// Recall, AUC), FBetaScore's per-class counts, R2Score's per-column sums and MeanIoU's confusion
// matrix. Plain loops in double, one row at a time.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Row r's weight when `rows` rows share the sample_weight's entries in equal runs.
double row_weight(const Tensor* sample_weight, std::size_t r, std::size_t rows = 0) {
  if (!sample_weight) return 1.0;
  const auto w = reference::values_of(*sample_weight);
  const std::size_t per = rows == 0 ? 1 : rows / w.size();
  return static_cast<double>(w[r / per]);
}

// Keras's _filter_top_k on one row: the k largest keep x (x * 1 + -1e10 * 0), the others become
// x * 0 + -1e10 (NaN stays NaN). Ties go to the lower index, as jax.lax.top_k.
void filter_top_k(std::vector<float>& row, std::int64_t k) {
  std::vector<std::size_t> order(row.size());
  std::iota(order.begin(), order.end(), 0);
  // NaN ranks above every number, as in XLA's top_k; the order must stay strict and weak.
  const auto above = [](float a, float b) { return std::isnan(a) ? !std::isnan(b) : !std::isnan(b) && a > b; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return above(row[a], row[b]); });
  std::vector<bool> keep(row.size(), false);
  for (std::size_t i = 0; i < order.size() && i < static_cast<std::size_t>(k); ++i) keep[order[i]] = true;
  for (std::size_t j = 0; j < row.size(); ++j)
    if (!keep[j]) row[j] = row[j] * 0.f + -1e10f;
}

}  // namespace

void ReferenceBackend::confusion_update(const ConfusionParams& p, const Tensor& y_true, const Tensor& y_pred,
                                        const Tensor* sample_weight, Tensor& state) {
  const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
  const auto truth = reference::values_of(y_true);
  const auto pred = reference::values_of(y_pred);
  auto out = reference::values_of(state);
  const std::size_t T = p.thresholds.size();
  const std::size_t first = p.class_id >= 0 ? static_cast<std::size_t>(p.class_id) : 0;
  const std::size_t last = p.class_id >= 0 ? first + 1 : cols;
  const std::size_t L = p.multi_label ? last - first : 1;
  assert(out.size() == 4 * T * L);
  const bool with_epsilon = T > 0 && (p.thresholds.front() < 0.f || p.thresholds.back() > 1.f);
  std::vector<double> counts(4 * T * L, 0.0);
  std::vector<float> row(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < cols; ++j) {
      const float v = pred[r * cols + j];
      row[j] = p.from_logits ? static_cast<float>(reference::sigmoid(v)) : v;
    }
    if (p.top_k > 0) filter_top_k(row, p.top_k);
    const double sw = row_weight(sample_weight, r, rows);
    for (std::size_t j = first; j < last; ++j) {
      const std::size_t l = p.multi_label ? j - first : 0;
      const double w = sw * (p.label_weights.empty() ? 1.0 : static_cast<double>(p.label_weights[j]));
      const bool label = truth[r * cols + j] != 0.f;
      const float v = row[j];
      for (std::size_t i = 0; i < T; ++i) {
        double* at = counts.data() + i * L + l;
        if (std::isnan(v)) {
          for (std::size_t k = 0; k < 4; ++k) at[k * T * L] += kNaN;
          continue;
        }
        bool positive;
        if (p.evenly_spaced) {
          const float q = std::min(std::max(v, 0.f), 1.f);
          float bucket = std::ceil(q * static_cast<float>(T - 1)) - 1.f;
          if (with_epsilon) bucket = std::max(bucket, 0.f);
          positive = static_cast<float>(i) <= bucket;
        } else {
          positive = v > p.thresholds[i];
        }
        const std::size_t k = label ? (positive ? 0 : 3) : (positive ? 1 : 2);  // tp, fp, tn, fn
        at[k * T * L] += w;
      }
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(out[i] + counts[i]);
}

void ReferenceBackend::fbeta_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                    float threshold, Tensor& state) {
  const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
  const auto truth = reference::values_of(y_true);
  const auto pred = reference::values_of(y_pred);
  auto out = reference::values_of(state);
  assert(out.size() == 4 * cols);
  std::vector<double> sums(4 * cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto p = pred.subspan(r * cols, cols);
    double row_max = -std::numeric_limits<double>::infinity();
    for (const float v : p) row_max = std::isnan(v) || std::isnan(row_max) ? kNaN : std::max(row_max, double(v));
    const double w = row_weight(sample_weight, r);
    for (std::size_t j = 0; j < cols; ++j) {
      const double v = p[j];
      double b;
      if (std::isnan(v) || (std::isnan(threshold) && std::isnan(row_max)))
        b = kNaN;
      else if (std::isnan(threshold))
        b = v >= row_max && std::abs(v) > 1e-9 ? 1.0 : 0.0;
      else
        b = v > threshold ? 1.0 : 0.0;
      const double y = truth[r * cols + j];
      sums[j] += w * b * y;
      sums[cols + j] += w * b * (1.0 - y);
      sums[2 * cols + j] += w * (1.0 - b) * y;
      sums[3 * cols + j] += w * y;
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(out[i] + sums[i]);
}

void ReferenceBackend::r2_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                 Tensor& state) {
  const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
  const auto truth = reference::values_of(y_true);
  const auto pred = reference::values_of(y_pred);
  auto out = reference::values_of(state);
  assert(out.size() == 4 * cols);
  std::vector<double> sums(4 * cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double w = row_weight(sample_weight, r);
    for (std::size_t j = 0; j < cols; ++j) {
      const double y = truth[r * cols + j];
      const double e = y - pred[r * cols + j];
      sums[j] += w * y;
      sums[cols + j] += w * y * y;
      sums[2 * cols + j] += w * e * e;
      sums[3 * cols + j] += w;
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(out[i] + sums[i]);
}

void ReferenceBackend::iou_update(const IouParams& p, const Tensor& y_true, const Tensor& y_pred,
                                  const Tensor* sample_weight, Tensor& state) {
  const auto truth = reference::values_of(y_true);
  const auto pred = reference::values_of(y_pred);
  const auto true_view = reference::rows_over_last_axis(y_true.shape());
  const auto pred_view = reference::rows_over_last_axis(y_pred.shape());
  const std::size_t n = p.sparse_y_pred ? pred.size() : pred_view.rows;
  const auto k = static_cast<std::size_t>(p.num_classes);
  auto out = reference::values_of(state);
  assert(out.size() == k * k);
  assert((p.sparse_y_true ? truth.size() : true_view.rows) == n);
  std::span<const float> weights;
  std::size_t per_weight = 1;
  if (sample_weight) {
    weights = reference::values_of(*sample_weight);
    assert(!weights.empty() && n % weights.size() == 0);
    per_weight = n / weights.size();
  }
  // The class of pair i on one side: the index itself, or the argmax of its row.
  const auto class_of = [](std::span<const float> values, bool sparse, std::size_t cols, std::size_t i) -> double {
    if (sparse) return values[i];
    const auto row = values.subspan(i * cols, cols);
    std::size_t best = 0;
    for (std::size_t j = 1; j < row.size(); ++j)
      if (row[j] > row[best]) best = j;
    return static_cast<double>(best);
  };
  std::vector<double> cm(k * k, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = class_of(truth, p.sparse_y_true, true_view.cols, i);
    const double q = class_of(pred, p.sparse_y_pred, pred_view.cols, i);
    if (std::isnan(t) || std::isnan(q)) {
      cm[0] += kNaN;
      continue;
    }
    // Keras's int32 dtype truncates before its bounds check; float32 checks the value itself.
    const double tc = p.integer_weights ? std::trunc(t) : t;
    const double qc = p.integer_weights ? std::trunc(q) : q;
    const double K = static_cast<double>(k);
    if (tc < 0 || tc >= K || qc < 0 || qc >= K) continue;
    if (p.ignore_class && tc == static_cast<double>(*p.ignore_class)) continue;
    double w = sample_weight ? static_cast<double>(weights[i / per_weight]) : 1.0;
    if (p.integer_weights) w = std::trunc(w);
    cm[static_cast<std::size_t>(std::trunc(tc)) * k + static_cast<std::size_t>(std::trunc(qc))] += w;
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(out[i] + cm[i]);
}

}  // namespace strata::backends
