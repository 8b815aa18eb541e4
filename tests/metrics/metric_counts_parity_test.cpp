// The metric backend ops, cpu against reference, on random data with NaN, infinities and ties:
// metric_update's new kinds and weights, confusion_update on every threshold path (Keras's
// buckets for evenly spaced thresholds, a binary search on sorted ones, a scan on unsorted
// ones), fbeta_update, r2_update and iou_update. The reference computes every threshold by a
// direct comparison, so the cpu backend's histogram must reproduce it.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

std::vector<float> bits(std::size_t n, std::uint32_t seed) {
  std::vector<float> v = uniform(static_cast<std::int64_t>(n), 0.f, 1.f, seed);
  for (float& x : v) x = x < 0.4f ? 1.f : 0.f;
  return v;
}

std::vector<float> classes(std::size_t n, int k, std::uint32_t seed) {
  std::vector<float> v = uniform(static_cast<std::int64_t>(n), 0.f, static_cast<float>(k), seed);
  for (float& x : v) x = std::floor(x);
  return v;
}

Twin zeros(const Shape& shape) {
  return twin(shape, std::vector<float>(static_cast<std::size_t>(shape.num_elements())));
}

}  // namespace

TEST_CASE("parity: metric_update with sample weights and the top-k and cosine kinds", "[backends][parity][metrics]") {
  const std::int64_t n = 64, c = 7;
  const Twin w = twin(Shape{n}, uniform(n, 0.f, 2.f, 3));
  const Twin yp = twin(Shape{n, c}, with_specials(uniform(n * c, -1.f, 1.f, 5), 6));
  std::vector<float> onehot(static_cast<std::size_t>(n * c), 0.f);
  const std::vector<float> lab = classes(static_cast<std::size_t>(n), 9, 7);  // some labels name no class
  for (std::int64_t i = 0; i < n; ++i)
    if (lab[i] < c) onehot[i * c + static_cast<std::int64_t>(lab[i])] = 1.f;
  const Twin sparse = twin(Shape{n}, lab);
  const Twin dense = twin(Shape{n, c}, onehot);
  for (const MetricKind kind :
       {MetricKind::Mean, MetricKind::Accuracy, MetricKind::BinaryAccuracy, MetricKind::CategoricalAccuracy,
        MetricKind::SparseCategoricalAccuracy, MetricKind::MeanSquaredError, MetricKind::MeanAbsoluteError,
        MetricKind::TopKCategoricalAccuracy, MetricKind::SparseTopKCategoricalAccuracy, MetricKind::CosineSimilarity}) {
    for (const bool weighted : {false, true}) {
      for (const std::int64_t k : {1, 3}) {
        const bool is_sparse =
            kind == MetricKind::SparseCategoricalAccuracy || kind == MetricKind::SparseTopKCategoricalAccuracy;
        const MetricParams p{.kind = kind, .threshold = 0.25f, .k = k};
        Twin state = zeros(Shape{2});
        const Twin& yt = is_sparse ? sparse : dense;
        cpu().metric_update(p, yt.c, yp.c, weighted ? &w.c : nullptr, state.c);
        ref().metric_update(p, yt.r, yp.r, weighted ? &w.r : nullptr, state.r);
        expect_close(state.c, state.r, 1e-6, 1e-6,
                     "kind " + std::to_string(static_cast<int>(kind)) + (weighted ? " weighted" : "") + " k " +
                         std::to_string(k));
      }
    }
  }
  // Sorted ids: rows of class ids, a hit when the label is among the first k.
  const Twin ids = twin(Shape{n, 4}, classes(static_cast<std::size_t>(n * 4), 9, 11));
  Twin state = zeros(Shape{2});
  const MetricParams sorted{.kind = MetricKind::SparseTopKCategoricalAccuracy, .k = 2, .from_sorted_ids = true};
  cpu().metric_update(sorted, sparse.c, ids.c, &w.c, state.c);
  ref().metric_update(sorted, sparse.r, ids.r, &w.r, state.r);
  expect_close(state.c, state.r, 1e-6, 1e-6, "sorted ids");
}

TEST_CASE("parity: confusion_update on every threshold path", "[backends][parity][metrics]") {
  const std::int64_t n = 50, c = 4;
  std::vector<float> preds = uniform(n * c, -0.2f, 1.2f, 21);  // a few outside [0, 1]
  const Twin yt = twin(Shape{n, c}, bits(static_cast<std::size_t>(n * c), 22));
  const Twin w = twin(Shape{n}, uniform(n, 0.f, 3.f, 23));
  std::vector<float> even(200);
  for (std::size_t i = 0; i < even.size(); ++i) even[i] = static_cast<float>(i) / 199.f;
  even.front() = -1e-7f;
  even.back() = 1.f + 1e-7f;
  const std::vector<float> sorted = {0.1f, 0.3f, 0.5f, 0.9f};
  const std::vector<float> unsorted = {0.7f, 0.1f, 0.45f};
  const std::vector<float> neg_inf = {-1e10f};
  const std::vector<float> label_weights = {0.5f, 1.f, 2.f, 0.f};
  struct Case {
    const char* what;
    std::span<const float> thresholds;
    bool evenly, multi_label, from_logits, nan;
    std::int64_t top_k, class_id;
    bool label_weighted;
  };
  const std::vector<Case> cases = {
      {"evenly spaced, pooled", even, true, false, false, false, 0, -1, false},
      {"evenly spaced, multi_label, logits", even, true, true, true, false, 0, -1, false},
      {"evenly spaced, label weights", even, true, false, false, false, 0, -1, true},
      {"sorted", sorted, false, false, false, false, 0, -1, false},
      {"unsorted, class_id", unsorted, false, false, false, false, 0, 2, false},
      {"top_k with -1e10", neg_inf, false, false, false, false, 2, -1, false},
      {"top_k, class_id, sorted", sorted, false, false, false, false, 1, 1, false},
      {"NaN predictions, multi_label", sorted, false, true, false, true, 0, -1, false},
  };
  for (const Case& k : cases) {
    for (const bool weighted : {false, true}) {
      INFO(k.what << (weighted ? " weighted" : ""));
      const Twin yp = twin(Shape{n, c}, k.nan ? with_specials(preds, 24) : preds);
      ConfusionParams p;
      p.thresholds = k.thresholds;
      p.evenly_spaced = k.evenly;
      p.multi_label = k.multi_label;
      p.from_logits = k.from_logits;
      p.top_k = k.top_k;
      p.class_id = k.class_id;
      if (k.label_weighted) p.label_weights = label_weights;
      const std::int64_t L = k.multi_label ? c : 1;
      Twin state = zeros(Shape{4, static_cast<std::int64_t>(k.thresholds.size()), L});
      cpu().confusion_update(p, yt.c, yp.c, weighted ? &w.c : nullptr, state.c);
      ref().confusion_update(p, yt.r, yp.r, weighted ? &w.r : nullptr, state.r);
      expect_close(state.c, state.r, 1e-6, 1e-5, k.what);
      if (k.nan) {  // a NaN prediction shows in its label's counts
        const std::vector<float> counts = host(state.r);
        CHECK(std::any_of(counts.begin(), counts.end(), [](float v) { return std::isnan(v); }));
      }
    }
  }
}

TEST_CASE("parity: fbeta_update, r2_update and iou_update", "[backends][parity][metrics]") {
  const std::int64_t n = 40, c = 5;
  const Twin w = twin(Shape{n}, uniform(n, 0.f, 2.5f, 31));
  const Twin yt = twin(Shape{n, c}, bits(static_cast<std::size_t>(n * c), 32));
  const Twin yp = twin(Shape{n, c}, with_specials(uniform(n * c, 0.f, 1.f, 33), 34, 23));
  for (const float threshold : {0.5f, std::numeric_limits<float>::quiet_NaN()}) {
    for (const bool weighted : {false, true}) {
      Twin state = zeros(Shape{4, c});
      cpu().fbeta_update(yt.c, yp.c, weighted ? &w.c : nullptr, threshold, state.c);
      ref().fbeta_update(yt.r, yp.r, weighted ? &w.r : nullptr, threshold, state.r);
      expect_close(state.c, state.r, 1e-6, 1e-6, std::isnan(threshold) ? "fbeta by row max" : "fbeta threshold");
    }
  }
  const Twin reg_t = twin(Shape{n, c}, uniform(n * c, -2.f, 2.f, 35));
  for (const bool weighted : {false, true}) {
    Twin state = zeros(Shape{4, c});
    cpu().r2_update(reg_t.c, yp.c, weighted ? &w.c : nullptr, state.c);
    ref().r2_update(reg_t.r, yp.r, weighted ? &w.r : nullptr, state.r);
    expect_close(state.c, state.r, 1e-6, 1e-6, "r2");
  }
  // Classes 0..5 against 4 classes: some pairs are out of range; fractional and NaN weights.
  const Twin lab = twin(Shape{n}, classes(static_cast<std::size_t>(n), 6, 36));
  const Twin pred = twin(Shape{n}, classes(static_cast<std::size_t>(n), 5, 37));
  const Twin scores = twin(Shape{n, 4}, uniform(n * 4, 0.f, 1.f, 38));
  for (const bool integer : {true, false}) {
    for (const bool sparse_pred : {true, false}) {
      IouParams p;
      p.num_classes = 4;
      p.sparse_y_pred = sparse_pred;
      p.integer_weights = integer;
      p.ignore_class = 1;
      Twin state = zeros(Shape{4, 4});
      const Twin& yp2 = sparse_pred ? pred : scores;
      cpu().iou_update(p, lab.c, yp2.c, &w.c, state.c);
      ref().iou_update(p, lab.r, yp2.r, &w.r, state.r);
      expect_close(state.c, state.r, 1e-6, 1e-6, integer ? "iou int32" : "iou float32");
    }
  }
}
