// Metrics used on their own and through the trainer's weighted call: sample weights by hand,
// results that are not one number, host arrays, configs of the new classes, NaN kept visible,
// argument and shape errors, and the confusion_matrix helper, on every backend.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "api/keras_object.hpp"
#include "losses/test_arrays.hpp"
#include "strata/error.hpp"
#include "strata/metrics/auc.hpp"
#include "strata/metrics/binary_accuracy.hpp"
#include "strata/metrics/confusion_matrix.hpp"
#include "strata/metrics/cosine_similarity.hpp"
#include "strata/metrics/f1_score.hpp"
#include "strata/metrics/fbeta_score.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/mean_iou.hpp"
#include "strata/metrics/precision.hpp"
#include "strata/metrics/r2_score.hpp"
#include "strata/metrics/recall.hpp"
#include "strata/metrics/root_mean_squared_error.hpp"
#include "strata/metrics/sparse_top_k_categorical_accuracy.hpp"
#include "strata/metrics/top_k_categorical_accuracy.hpp"
#include "strata/tensor_host.hpp"

using Catch::Matchers::Message;
using nlohmann::json;
namespace metrics = strata::metrics;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
using V = xt::xarray<float>;

// xtensor's == on whole arrays, outside Catch's expression decomposer.
bool same(const xt::xarray<std::int64_t>& a, const xt::xarray<std::int64_t>& b) { return a == b; }

strata::Backend& each_backend() {
  const std::string name = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(name);
  return strata::current_backend();
}

xt::xarray<float> A(std::vector<std::size_t> shape, std::vector<float> data) {
  return strata::test::array(std::move(shape), std::move(data));
}

}  // namespace

TEST_CASE("sample weights: each sample adds w * value and w, as Keras's Mean", "[metrics][metric-objects]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  metrics::BinaryAccuracy acc;
  const xt::xarray<float> t = A({4, 1}, {1.f, 0.f, 1.f, 0.f});
  const xt::xarray<float> p = A({4, 1}, {0.9f, 0.8f, 0.2f, 0.1f});  // hits: 1, 0, 0, 1
  const xt::xarray<float> w = {2.f, 1.f, 0.5f, 0.f};
  acc.update_state(t, p, &w);
  CHECK(acc.result() == Approx(2.0 / 3.5));
  const auto [total, count] = strata::test::read_state(acc.state());
  CHECK(total == Approx(2.0));
  CHECK(count == Approx(3.5));
  acc.update_state(t, p);  // unweighted: each weighs 1
  CHECK(acc.result() == Approx(4.0 / 7.5));

  // The device form the trainer calls, with a (n, 1) weight column.
  metrics::RootMeanSquaredError rmse;
  const strata::Tensor wt = strata::from_host(backend, A({2, 1}, {1.f, 3.f}));
  rmse.update_state(strata::from_host(backend, A({2, 2}, {0.f, 0.f, 1.f, 1.f})),
                    strata::from_host(backend, A({2, 2}, {1.f, 1.f, 3.f, 1.f})), &wt);
  CHECK(rmse.result() == Approx(std::sqrt((1.0 * 1.0 + 3.0 * 2.0) / 4.0)));

  // Mean: per-sample means, weighted.
  metrics::Mean mean;
  const strata::Tensor values = strata::from_host(backend, A({2, 2}, {1.f, 3.f, 10.f, 20.f}));
  const strata::Tensor mw = strata::from_host(backend, xt::xarray<float>{3.f, 1.f});
  mean.update_state(values, &mw);
  CHECK(mean.result() == Approx((3.0 * 2.0 + 15.0) / 4.0));

  const xt::xarray<float> three = {1.f, 1.f, 1.f};
  CHECK_THROWS_MATCHES(acc.update_state(t, p, &three), strata::ShapeError,
                       Message("Metric \"binary_accuracy\": sample_weight must hold one weight per sample: expected "
                               "shape (4,), received sample_weight.shape=(3,)"));
}

TEST_CASE("a metric whose result is a vector says so and gives results()", "[metrics][metric-objects]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const xt::xarray<float> t = {{1.f, 0.f, 1.f}, {0.f, 1.f, 0.f}};
  const xt::xarray<float> p = {{0.9f, 0.1f, 0.4f}, {0.3f, 0.8f, 0.7f}};

  metrics::F1Score per_class;  // average None: one score per class
  CHECK_FALSE(per_class.scalar_result());
  CHECK(per_class.results().empty());
  per_class.update_state(t, p);
  CHECK_THROWS_MATCHES(per_class.result(), strata::ValueError,
                       Message("Metric \"f1_score\" has average=None, so its result is one score per class: read "
                               "results() instead of result()"));
  const std::vector<double> scores = per_class.results();
  REQUIRE(scores.size() == 3);
  CHECK(scores[0] == Approx(1.0).epsilon(1e-6));  // row maxima: class 0 in row 0, class 1 in row 1
  CHECK(scores[1] == Approx(1.0).epsilon(1e-6));
  CHECK(scores[2] == Approx(0.0).margin(1e-6));

  metrics::Precision several({.thresholds = {0.35, 0.75}});
  several.update_state(t, p);
  CHECK_FALSE(several.scalar_result());
  CHECK_THROWS_MATCHES(several.result(), strata::ValueError,
                       Message("Metric \"precision\" has 2 thresholds, so its result is one value per threshold: "
                               "read results() instead of result()"));
  const std::vector<double> by_threshold = several.results();
  REQUIRE(by_threshold.size() == 2);
  CHECK(by_threshold[0] == Approx(3.0 / 4.0));  // 0.9, 0.4 and 0.8 are positive, 0.7 is not
  CHECK(by_threshold[1] == Approx(1.0));        // 0.9 and 0.8

  metrics::Precision one({.thresholds = {0.5}});  // a list of one is still one number
  one.update_state(t, p);
  CHECK(one.scalar_result());
  CHECK(one.results() == std::vector<double>{one.result()});

  metrics::R2Score per_output({.class_aggregation = std::nullopt});
  per_output.update_state(A({3, 2}, {1.f, 2.f, 2.f, 4.f, 3.f, 6.f}), A({3, 2}, {1.f, 2.f, 2.f, 5.f, 3.f, 6.f}));
  const std::vector<double> r2 = per_output.results();
  REQUIRE(r2.size() == 2);
  CHECK(r2[0] == Approx(1.0));
  CHECK(r2[1] == Approx(1.0 - 1.0 / 8.0));
  CHECK_THROWS_AS(per_output.result(), strata::ValueError);
}

TEST_CASE("metrics reset, copy without their state and refuse bad shapes", "[metrics][metric-objects]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const xt::xarray<float> t = A({4, 1}, {1.f, 0.f, 1.f, 1.f});
  const xt::xarray<float> p = A({4, 1}, {0.7f, 0.6f, 0.2f, 0.9f});
  metrics::Recall recall;
  recall.update_state(t, p);
  CHECK(recall.result() == Approx(2.0 / 3.0));
  metrics::Recall copy = recall;
  CHECK(copy.result() == 0.0);
  copy.update_state(t, p);
  CHECK(copy.result() == Approx(2.0 / 3.0));
  recall.reset_state();
  CHECK(recall.result() == 0.0);

  metrics::AUC auc;
  CHECK(auc.result() == 0.0);
  auc.update_state(t, p);
  CHECK(auc.result() == Approx(2.0 / 3.0).epsilon(1e-6));  // 2 of the 3 positive-negative pairs ordered
  CHECK(auc.thresholds().size() == 200);
  CHECK(auc.thresholds().front() == -1e-7);

  CHECK_THROWS_MATCHES(recall.update_state(A({4, 2}, std::vector<float>(8)), A({4, 3}, std::vector<float>(12))),
                       strata::ShapeError,
                       Message("Metric \"recall\": y_true and y_pred must have the same shape, received "
                               "y_true.shape=(4, 2), y_pred.shape=(4, 3)"));
  metrics::MeanIoU iou(3);
  CHECK_THROWS_MATCHES(iou.update_state(xt::xarray<float>{0.f, 1.f}, xt::xarray<float>{0.f, 1.f, 2.f}),
                       strata::ShapeError,
                       Message("Metric \"mean_io_u\": y_true holds 2 labels but y_pred 3 predictions, received "
                               "y_true.shape=(2,), y_pred.shape=(3,)"));
  metrics::TopKCategoricalAccuracy top({.k = 2});
  CHECK_THROWS_AS(top.update_state(xt::xarray<float>{0.f, 1.f}, A({2, 3}, std::vector<float>(6))), strata::ShapeError);
  CHECK_THROWS_MATCHES(metrics::TopKCategoricalAccuracy({.k = 0}), strata::ValueError,
                       Message("Argument `k` must be an integer >= 1. Received: k=0"));
}

TEST_CASE("a NaN prediction stays visible in the counting metrics", "[metrics][metric-objects]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const xt::xarray<float> t = A({3, 1}, {1.f, 0.f, 1.f});
  const xt::xarray<float> p = A({3, 1}, {0.9f, kNaN, 0.2f});
  metrics::Precision precision;
  precision.update_state(t, p);
  CHECK(std::isnan(precision.result()));
  metrics::AUC auc({.curve = "PR"});
  auc.update_state(t, p);
  CHECK(std::isnan(auc.result()));
  metrics::F1Score f1({.average = "macro", .threshold = 0.5});
  f1.update_state(t, p);
  CHECK(std::isnan(f1.result()));
  metrics::R2Score r2;
  r2.update_state(t, p);
  CHECK(std::isnan(r2.result()));
  metrics::MeanIoU iou(2);
  iou.update_state(xt::xarray<float>{1.f, 0.f}, xt::xarray<float>{kNaN, 0.f});
  CHECK(std::isnan(iou.result()));
}

TEST_CASE("MeanIoU: int32 weights truncate as Keras's, classes outside the range are dropped",
          "[metrics][metric-objects]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const xt::xarray<float> t = {0.f, 1.f, 1.f, 2.f, 5.f};
  const xt::xarray<float> p = {0.f, 1.f, 0.f, 2.f, 1.f};
  const xt::xarray<float> w = {1.9f, 0.5f, 1.f, 2.f, 4.f};
  metrics::MeanIoU ints(3);
  ints.update_state(t, p, &w);
  // weights 1, 0, 1, 2 (the 5 is dropped): class 0: tp 1, fp 1 -> 1/2; class 1: tp 0 -> 0 over
  // 1; class 2: 1.
  CHECK(ints.result() == Approx((0.5 + 0.0 + 1.0) / 3.0).epsilon(1e-6));
  metrics::MeanIoU floats(3, {.dtype = "float32"});
  floats.update_state(t, p, &w);
  CHECK(floats.result() == Approx((1.9 / 2.9 + 0.5 / 1.5 + 1.0) / 3.0).epsilon(1e-6));
  metrics::MeanIoU ignoring(3, {.ignore_class = 1});
  ignoring.update_state(t, p);
  CHECK(ignoring.result() == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("the new metrics' configs round-trip", "[metrics][metric-objects]") {
  const std::vector<std::shared_ptr<strata::Metric>> originals = {
      std::make_shared<metrics::Precision>(metrics::Precision::Options{.thresholds = {0.2, 0.6}, .name = "p"}),
      std::make_shared<metrics::Precision>(metrics::Precision::Options{.top_k = 3, .class_id = 2}),
      std::make_shared<metrics::Recall>(metrics::Recall::Options{.thresholds = 0.3}),
      std::make_shared<metrics::AUC>(metrics::AUC::Options{.num_thresholds = 50,
                                                           .curve = "pr",
                                                           .summation_method = "Majoring",
                                                           .multi_label = true,
                                                           .num_labels = 4,
                                                           .label_weights = {1.0, 2.0, 0.5, 0.0},
                                                           .from_logits = true}),
      std::make_shared<metrics::AUC>(metrics::AUC::Options{.thresholds = std::vector<double>{0.8, 0.2}}),
      std::make_shared<metrics::F1Score>(metrics::F1Score::Options{.average = "micro", .threshold = 0.4}),
      std::make_shared<metrics::FBetaScore>(metrics::FBetaScore::Options{.average = "weighted", .beta = 0.5}),
      std::make_shared<metrics::R2Score>(
          metrics::R2Score::Options{.class_aggregation = "variance_weighted_average", .num_regressors = 3}),
      std::make_shared<metrics::MeanIoU>(
          5, metrics::MeanIoU::Options{.ignore_class = 0, .sparse_y_pred = false, .dtype = "float32"}),
      std::make_shared<metrics::TopKCategoricalAccuracy>(metrics::TopKCategoricalAccuracy::Options{.k = 3}),
      std::make_shared<metrics::SparseTopKCategoricalAccuracy>(
          metrics::SparseTopKCategoricalAccuracy::Options{.k = 1, .from_sorted_ids = true}),
      std::make_shared<metrics::RootMeanSquaredError>("rmse"),
      std::make_shared<metrics::CosineSimilarity>(),
  };
  for (const auto& m : originals) {
    INFO(m->class_name() << " " << m->get_config().dump());
    const auto back =
        strata::Metric::from_config(strata::detail::keras_object("keras.metrics", m->class_name(), m->get_config()));
    CHECK(back->class_name() == m->class_name());
    CHECK(back->name() == m->name());
    CHECK(back->get_config() == m->get_config());
  }
  CHECK(originals[3]->get_config()["curve"] == "PR");
  CHECK(originals[3]->get_config()["summation_method"] == "majoring");
  CHECK(originals[4]->get_config()["thresholds"] == json::array({0.2, 0.8}));
  CHECK(originals[4]->get_config()["num_thresholds"] == 4);
  CHECK_THROWS_MATCHES(metrics::MeanIoU(0), strata::ValueError,
                       Message("Argument `num_classes` must be an integer >= 1. Received: num_classes=0"));
  CHECK_THROWS_MATCHES(metrics::Precision::from_config(json{{"thresholds", "high"}}), strata::ValueError,
                       Message("Metric Precision: config key \"thresholds\" must be null, a number or a list of "
                               "numbers, received: \"high\""));
}

TEST_CASE("confusion_matrix counts class pairs and names a bad entry", "[metrics][metric-objects]") {
  const xt::xarray<float> labels = {0.f, 1.f, 2.f, 2.f};
  const xt::xarray<float> predictions = {0.f, 2.f, 2.f, 1.f};
  const xt::xarray<std::int64_t> want = {{1, 0, 0}, {0, 0, 1}, {0, 1, 1}};
  CHECK(same(metrics::confusion_matrix(labels, predictions, 3), want));
  const xt::xarray<float> w = {2.f, 1.f, 3.f, 0.f};
  const xt::xarray<std::int64_t> weighted = {{2, 0, 0}, {0, 0, 1}, {0, 0, 3}};
  CHECK(same(metrics::confusion_matrix(labels, predictions, 3, &w), weighted));
  CHECK(same(metrics::confusion_matrix(A({4, 1}, {0.f, 1.f, 2.f, 2.f}), predictions, 3), want));

  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{0.f, -1.f}, V{0.f, 0.f}, 2), strata::ValueError,
                       Message("`labels` contains negative values: labels[1] = -1"));
  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{0.f, 1.f, 3.f}, V{0.f, 1.f, 1.f}, 3), strata::ValueError,
                       Message("`labels` out of bound: labels[2] = 3 is not below num_classes = 3"));
  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{0.f, 1.f}, V{0.f, 1.5f}, 3), strata::ValueError,
                       Message("`predictions` must hold class indices (whole numbers): predictions[1] = 1.5"));
  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{kNaN}, V{0.f}, 3), strata::ValueError,
                       Message("`labels` holds NaN: labels[0] = nan"));
  const xt::xarray<float> half = {0.5f, 1.f};
  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{0.f, 1.f}, V{0.f, 1.f}, 3, &half), strata::ValueError,
                       Message("`weights` must hold whole numbers (the matrix counts in integers): weights[0] = 0.5"));
  CHECK_THROWS_MATCHES(metrics::confusion_matrix(V{0.f, 1.f}, V{0.f}, 3), strata::ShapeError,
                       Message("`labels` and `predictions` must hold one class per sample each, received "
                               "labels.shape=(2,), predictions.shape=(1,)"));
}
