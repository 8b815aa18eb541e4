// Loss front-end: values by hand, Keras's rank rules, reductions and their gradient scale, the
// running-loss tracker, names, configs and error texts. Every case runs on every backend.

#include <cmath>
#include <tuple>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "api/keras_object.hpp"
#include "losses/test_arrays.hpp"
#include "strata/error.hpp"
#include "strata/handle.hpp"
#include "strata/losses/binary_crossentropy.hpp"
#include "strata/losses/categorical_crossentropy.hpp"
#include "strata/losses/huber.hpp"
#include "strata/losses/mean_absolute_error.hpp"
#include "strata/losses/mean_squared_error.hpp"
#include "strata/losses/sparse_categorical_crossentropy.hpp"
#include "strata/tensor_host.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Message;
using nlohmann::json;
using strata::Reduction;
using strata::test::close;
namespace losses = strata::losses;

namespace {

xt::xarray<float> A(std::vector<std::size_t> shape, std::vector<float> data) {
  return strata::test::array(std::move(shape), std::move(data));
}

float scalar(const xt::xarray<float>& a) {
  REQUIRE(a.dimension() == 0);
  return a();
}

std::string use_each_backend() {
  const std::string backend = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(backend);
  return backend;
}

}  // namespace

TEST_CASE("losses compute Keras's values on small inputs", "[losses]") {
  const std::string backend = use_each_backend();
  INFO("backend " << backend);

  SECTION("MeanSquaredError and MeanAbsoluteError: mean over the last axis, then the reduction") {
    const xt::xarray<float> t = {{0.f, 1.f}, {1.f, 0.f}};
    const xt::xarray<float> p = {{0.5f, 0.5f}, {1.f, 2.f}};
    // squared errors: (0.25 + 0.25) / 2 = 0.25 and (0 + 4) / 2 = 2
    CHECK(scalar(losses::MeanSquaredError()(t, p)) == Approx(1.125f));
    CHECK(scalar(losses::MeanSquaredError({.reduction = Reduction::Sum})(t, p)) == Approx(2.25f));
    CHECK(scalar(losses::MeanSquaredError({.reduction = Reduction::Mean})(t, p)) == Approx(1.125f));
    const xt::xarray<float> none = losses::MeanSquaredError({.reduction = Reduction::None})(t, p);
    REQUIRE(none.shape() == std::vector<std::size_t>{2});
    CHECK(none(0) == Approx(0.25f));
    CHECK(none(1) == Approx(2.f));
    // absolute errors: (0.5 + 0.5) / 2 = 0.5 and (0 + 2) / 2 = 1
    CHECK(scalar(losses::MeanAbsoluteError()(t, p)) == Approx(0.75f));
    CHECK(scalar(losses::MeanAbsoluteError({.reduction = Reduction::Sum})(t, p)) == Approx(1.5f));
  }

  SECTION("Huber: quadratic inside delta, linear outside") {
    const xt::xarray<float> t = A({1, 2}, {0.f, 0.f});
    const xt::xarray<float> p = A({1, 2}, {0.5f, -3.f});
    // delta 1: 0.5 * 0.25 = 0.125 and 1 * (3 - 0.5) = 2.5
    CHECK(scalar(losses::Huber()(t, p)) == Approx((0.125 + 2.5) / 2));
    // delta 2: 0.125 and 2 * (3 - 1) = 4
    CHECK(scalar(losses::Huber({.delta = 2.0})(t, p)) == Approx((0.125 + 4.0) / 2));
    // delta 0.25: 0.25 * (0.5 - 0.125) and 0.25 * (3 - 0.125)
    CHECK(scalar(losses::Huber({.delta = 0.25})(t, p)) == Approx((0.09375 + 0.71875) / 2));
  }

  SECTION("BinaryCrossentropy on probabilities and logits, with label smoothing") {
    const xt::xarray<float> t = A({1, 2}, {1.f, 0.f});
    const xt::xarray<float> p = A({1, 2}, {0.5f, 0.25f});
    const double expected = (std::log(2.0) - std::log(0.75)) / 2;
    CHECK(scalar(losses::BinaryCrossentropy()(t, p)) == Approx(expected));
    const xt::xarray<float> logits = A({1, 2}, {0.f, static_cast<float>(std::log(1.0 / 3.0))});
    CHECK(scalar(losses::BinaryCrossentropy({.from_logits = true})(t, logits)) == Approx(expected));
    // smoothing 0.2: labels 0.9 and 0.1
    const double smoothed =
        (-(0.9 * std::log(0.5) + 0.1 * std::log(0.5)) - (0.1 * std::log(0.25) + 0.9 * std::log(0.75))) / 2;
    CHECK(scalar(losses::BinaryCrossentropy({.label_smoothing = 0.2})(t, p)) == Approx(smoothed));
    // p = 0 and p = 1 are clipped to 1e-7 and 1 - 1e-7, never log(0)
    // (in float32, as Keras: 1 - (1 - 1e-7f) is 1.19e-7, not 1e-7)
    const xt::xarray<float> certain = A({1, 2}, {0.f, 1.f});
    const float wrong = scalar(losses::BinaryCrossentropy()(t, certain));
    const double lo = 1e-7f, hi = 1.f - 1e-7f;
    CHECK(std::isfinite(wrong));
    CHECK(wrong == Approx((-std::log(lo) - std::log(1.0 - hi)) / 2));
    // large logits stay exact: log(1 + e^-50) ~ 0, log(1 + e^50) ~ 50
    const xt::xarray<float> big = A({1, 2}, {50.f, 50.f});
    CHECK(scalar(losses::BinaryCrossentropy({.from_logits = true})(t, big)) == Approx(25.0));
  }

  SECTION("CategoricalCrossentropy normalises probabilities; smoothing spreads over the classes") {
    const xt::xarray<float> t = {{0.f, 1.f}, {1.f, 0.f}};
    const xt::xarray<float> p = {{0.25f, 0.75f}, {2.f, 2.f}};  // the second row sums to 4
    const double expected = (-std::log(0.75) - std::log(0.5)) / 2;
    CHECK(scalar(losses::CategoricalCrossentropy()(t, p)) == Approx(expected));
    const xt::xarray<float> logits = {{0.f, static_cast<float>(std::log(3.0))}, {5.f, 5.f}};
    CHECK(scalar(losses::CategoricalCrossentropy({.from_logits = true})(t, logits)) == Approx(expected));
    // smoothing 0.5 over 2 classes: labels 0.25 / 0.75
    const double smoothed = (-(0.25 * std::log(0.25) + 0.75 * std::log(0.75)) - std::log(0.5)) / 2;
    CHECK(scalar(losses::CategoricalCrossentropy({.label_smoothing = 0.5})(t, p)) == Approx(smoothed));
  }

  SECTION("SparseCategoricalCrossentropy takes class indices of shape (n,) or (n, 1)") {
    const xt::xarray<float> labels = {1.f, 0.f};
    const xt::xarray<float> column = A({2, 1}, {1.f, 0.f});
    const xt::xarray<float> p = {{0.25f, 0.75f}, {2.f, 2.f}};
    const double expected = (-std::log(0.75) - std::log(0.5)) / 2;
    CHECK(scalar(losses::SparseCategoricalCrossentropy()(labels, p)) == Approx(expected));
    CHECK(scalar(losses::SparseCategoricalCrossentropy()(column, p)) == Approx(expected));
    const xt::xarray<float> logits = {{0.f, static_cast<float>(std::log(3.0))}, {-1.f, -1.f}};
    CHECK(scalar(losses::SparseCategoricalCrossentropy({.from_logits = true})(labels, logits)) == Approx(expected));
    const xt::xarray<float> none = losses::SparseCategoricalCrossentropy({.reduction = Reduction::None})(column, p);
    REQUIRE(none.shape() == std::vector<std::size_t>{2});
    CHECK(none(0) == Approx(-std::log(0.75)));
  }
}

TEST_CASE("losses apply Keras's rank rules to y_true and y_pred", "[losses]") {
  const std::string backend = use_each_backend();
  INFO("backend " << backend);

  const xt::xarray<float> flat = {1.f, 0.f, 1.f};
  const xt::xarray<float> column = A({3, 1}, {1.f, 0.f, 1.f});
  const xt::xarray<float> pred = A({3, 1}, {0.8f, 0.4f, 0.3f});
  const xt::xarray<float> pred_flat = {0.8f, 0.4f, 0.3f};

  SECTION("y_true (n,) against y_pred (n, 1) is expanded, per-sample values stay (n,)") {
    const losses::MeanSquaredError none({.reduction = Reduction::None});
    const xt::xarray<float> a = none(flat, pred);
    const xt::xarray<float> b = none(column, pred);
    REQUIRE(a.shape() == std::vector<std::size_t>{3});
    CHECK(a == b);
    CHECK(a(1) == Approx(0.16f));
    const xt::xarray<float> c = none(column, pred_flat);  // and the reverse
    REQUIRE(c.shape() == std::vector<std::size_t>{3});
    CHECK(c == b);
    CHECK(scalar(losses::BinaryCrossentropy()(flat, pred)) ==
          Approx(scalar(losses::BinaryCrossentropy()(column, pred))));
  }

  SECTION("rank-1 y_true and y_pred are one sample: 'none' gives a 0-d value") {
    const xt::xarray<float> v = losses::MeanAbsoluteError({.reduction = Reduction::None})(flat, pred_flat);
    CHECK(v.dimension() == 0);
    CHECK(v() == Approx((0.2 + 0.4 + 0.7) / 3));
    CHECK(scalar(losses::MeanAbsoluteError({.reduction = Reduction::Sum})(flat, pred_flat)) ==
          Approx((0.2 + 0.4 + 0.7) / 3));
  }

  SECTION("rank 3: values keep every axis but the last; reductions run over all of them") {
    xt::xarray<float> t = xt::zeros<float>({2, 3, 2});
    xt::xarray<float> p = xt::zeros<float>({2, 3, 2});
    p(1, 2, 0) = 2.f;  // one error of 2 -> (4 + 0) / 2 = 2 at position (1, 2)
    const xt::xarray<float> v = losses::MeanSquaredError({.reduction = Reduction::None})(t, p);
    REQUIRE(v.shape() == std::vector<std::size_t>{2, 3});
    CHECK(v(1, 2) == Approx(2.f));
    CHECK(scalar(losses::MeanSquaredError()(t, p)) == Approx(2.0 / 6));
    CHECK(scalar(losses::MeanSquaredError({.reduction = Reduction::Sum})(t, p)) == Approx(2.0));
  }

  SECTION("shapes that do not fit are refused in Keras's words") {
    const xt::xarray<float> t = xt::zeros<float>({4, 3});
    const xt::xarray<float> p = xt::zeros<float>({4, 2});
    CHECK_THROWS_MATCHES(losses::MeanSquaredError()(t, p), strata::ShapeError,
                         Message("Loss \"mean_squared_error\": Arguments `target` and `output` must "
                                 "have the same shape. Received: target.shape=(4, 3), "
                                 "output.shape=(4, 2)"));
    const xt::xarray<float> labels = xt::zeros<float>({3});
    CHECK_THROWS_MATCHES(losses::SparseCategoricalCrossentropy()(labels, p), strata::ShapeError,
                         Message("Loss \"sparse_categorical_crossentropy\": Arguments `target` and "
                                 "`output` must have the same shape up until the last dimension: "
                                 "target.shape=(3,), output.shape=(4, 2)"));
    const xt::xarray<float> scalar_pred = A({}, {0.f});
    CHECK_THROWS_AS(losses::Huber()(scalar_pred, scalar_pred), strata::ShapeError);
  }

  SECTION("values_shape tells the caller what to allocate") {
    const losses::MeanSquaredError mse;
    CHECK(mse.values_shape(strata::Shape{5}, strata::Shape{5, 1}) == strata::Shape{5});
    CHECK(mse.values_shape(strata::Shape{5, 1}, strata::Shape{5}) == strata::Shape{5});
    CHECK(mse.values_shape(strata::Shape{5}, strata::Shape{5}) == strata::Shape{});
    const losses::SparseCategoricalCrossentropy scce;
    CHECK(scce.values_shape(strata::Shape{5}, strata::Shape{5, 10}) == strata::Shape{5});
    CHECK(scce.values_shape(strata::Shape{5, 1}, strata::Shape{5, 10}) == strata::Shape{5});
    CHECK(scce.values_shape(strata::Shape{2, 7}, strata::Shape{2, 7, 10}) == strata::Shape{2, 7});
    CHECK_THROWS_AS(scce.values_shape(strata::Shape{5, 10}, strata::Shape{5, 10}), strata::ShapeError);
  }
}

TEST_CASE("Loss::compute scales the gradient by the reduction and feeds the tracker", "[losses]") {
  const std::string backend_name = use_each_backend();
  INFO("backend " << backend_name);
  strata::Backend& backend = strata::current_backend();

  const xt::xarray<float> t = {{0.f, 1.f, 2.f}, {1.f, 1.f, 1.f}, {-1.f, 0.f, 3.f}, {0.f, 0.f, 0.f}};
  const xt::xarray<float> p = {{0.5f, 1.f, 1.f}, {1.f, 3.f, 1.f}, {-1.f, 0.5f, 3.f}, {0.f, 0.f, 0.f}};
  const strata::Tensor yt = strata::from_host(backend, t);
  const strata::Tensor yp = strata::from_host(backend, p);

  auto run = [&](const strata::Loss& loss, strata::Tensor& tracker) {
    strata::Tensor values(backend, strata::Shape{4});
    strata::Tensor grad(backend, strata::Shape{4, 3});
    loss.compute(yt, yp, values, &grad, tracker);
    return std::pair{strata::to_host(values), strata::to_host(grad)};
  };
  auto fresh_tracker = [&] {
    strata::Tensor tracker(backend, strata::Shape{2});
    backend.fill(tracker, 0.f);
    return tracker;
  };

  SECTION("the MSE gradient is 2 (p - y) / (classes * N) for the mean, N times that for the sum") {
    strata::Tensor tracker = fresh_tracker();
    const auto [values, grad] = run(losses::MeanSquaredError(), tracker);
    const xt::xarray<float> expected_grad = 2.f * (p - t) / 3.f / 4.f;
    for (std::size_t i = 0; i < grad.size(); ++i) CHECK(grad.flat(i) == Approx(expected_grad.flat(i)));
    CHECK(values(0) == Approx((0.25 + 0 + 1) / 3));

    strata::Tensor sum_tracker = fresh_tracker();
    const auto [sum_values, sum_grad] = run(losses::MeanSquaredError({.reduction = Reduction::Sum}), sum_tracker);
    for (std::size_t i = 0; i < grad.size(); ++i) CHECK(sum_grad.flat(i) == Approx(4.f * grad.flat(i)));

    strata::Tensor none_tracker = fresh_tracker();
    const auto [none_values, none_grad] = run(losses::MeanSquaredError({.reduction = Reduction::None}), none_tracker);
    for (std::size_t i = 0; i < grad.size(); ++i) CHECK(none_grad.flat(i) == Approx(grad.flat(i)));
  }

  SECTION("the tracker adds [reduced loss * batch, batch]") {
    const double mean_loss = ((0.25 + 0 + 1) / 3 + 4.0 / 3 + 0.25 / 3 + 0) / 4;
    for (const Reduction r : {Reduction::SumOverBatchSize, Reduction::Mean, Reduction::None, Reduction::Sum}) {
      INFO("reduction " << strata::reduction_name(r));
      strata::Tensor tracker = fresh_tracker();
      run(losses::MeanSquaredError({.reduction = r}), tracker);
      const auto [total, count] = strata::test::read_state(tracker);
      const double reduced = r == Reduction::Sum ? 4 * mean_loss : mean_loss;
      CHECK(count == Approx(4.0));
      CHECK(total == Approx(4.0 * reduced));
      run(losses::MeanSquaredError({.reduction = r}), tracker);  // accumulates
      CHECK(strata::test::read_state(tracker).second == Approx(8.0));
    }
  }

  SECTION("batches of different sizes are weighted by their size, as Keras's fit does") {
    const losses::MeanAbsoluteError mae;
    strata::Tensor tracker = fresh_tracker();
    const xt::xarray<float> t1 = A({3, 1}, {0.f, 0.f, 0.f});
    const xt::xarray<float> p1 = A({3, 1}, {1.f, 1.f, 1.f});  // loss 1, 3 samples
    const xt::xarray<float> t2 = A({1, 1}, {0.f});
    const xt::xarray<float> p2 = A({1, 1}, {5.f});  // loss 5, 1 sample
    for (const auto& [tt, pp] : {std::pair{t1, p1}, std::pair{t2, p2}}) {
      const strata::Tensor a = strata::from_host(backend, tt);
      const strata::Tensor b = strata::from_host(backend, pp);
      strata::Tensor values(backend, strata::Shape{static_cast<std::int64_t>(tt.shape(0))});
      mae.compute(a, b, values, nullptr, tracker);
    }
    const auto [total, count] = strata::test::read_state(tracker);
    CHECK(count == Approx(4.0));
    CHECK(total / count == Approx((3 * 1.0 + 1 * 5.0) / 4));  // not (1 + 5) / 2
  }

  SECTION("rank-3 values and a rank-1 y_pred count the batch axis only") {
    strata::Tensor tracker = fresh_tracker();
    xt::xarray<float> t3 = xt::zeros<float>({2, 3, 2});
    xt::xarray<float> p3 = xt::ones<float>({2, 3, 2});
    strata::Tensor values(backend, strata::Shape{2, 3});
    losses::MeanSquaredError({.reduction = Reduction::Sum})
        .compute(strata::from_host(backend, t3), strata::from_host(backend, p3), values, nullptr, tracker);
    auto [total, count] = strata::test::read_state(tracker);
    CHECK(count == Approx(2.0));
    CHECK(total == Approx(2.0 * 6.0));  // sum of six per-position losses of 1, times the batch of 2

    strata::Tensor tracker1 = fresh_tracker();
    const xt::xarray<float> t1 = {0.f, 0.f, 0.f, 0.f, 0.f};
    const xt::xarray<float> p1 = {1.f, 1.f, 1.f, 1.f, 3.f};
    strata::Tensor scalar_values(backend, strata::Shape{});
    losses::MeanSquaredError().compute(strata::from_host(backend, t1), strata::from_host(backend, p1), scalar_values,
                                       nullptr, tracker1);
    std::tie(total, count) = strata::test::read_state(tracker1);
    CHECK(count == Approx(5.0));
    CHECK(total / count == Approx(13.0 / 5));
  }

  SECTION("compute refuses mis-sized outputs") {
    strata::Tensor tracker = fresh_tracker();
    strata::Tensor values(backend, strata::Shape{3});
    CHECK_THROWS_MATCHES(losses::MeanSquaredError().compute(yt, yp, values, nullptr, tracker), strata::ShapeError,
                         Message("Loss \"mean_squared_error\": values must have shape (4,), received (3,)"));
    strata::Tensor good(backend, strata::Shape{4});
    strata::Tensor bad_tracker(backend, strata::Shape{3});
    CHECK_THROWS_AS(losses::MeanSquaredError().compute(yt, yp, good, nullptr, bad_tracker), strata::ShapeError);
    strata::Tensor bad_grad(backend, strata::Shape{4, 2});
    CHECK_THROWS_AS(losses::MeanSquaredError().compute(yt, yp, good, &bad_grad, tracker), strata::ShapeError);
  }
}

TEST_CASE("Loss::from_name knows Keras's names and aliases", "[losses]") {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_squared_error", "MeanSquaredError"},
      {"MeanSquaredError", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},
      {"MAE", "MeanAbsoluteError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"huber", "Huber"},
      {"Huber", "Huber"},
      {"bce", "BinaryCrossentropy"},
      {"BCE", "BinaryCrossentropy"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy"},
  };
  for (const auto& [name, cls] : expected) {
    INFO(name);
    const auto loss = strata::Loss::from_name(name);
    CHECK(loss->class_name() == cls);
    CHECK(loss->reduction() == Reduction::SumOverBatchSize);
  }
  CHECK(strata::Loss::from_name("mse")->name() == "mean_squared_error");
  CHECK(strata::Loss::from_name("huber")->name() == "huber_loss");
  CHECK(strata::Loss::from_name("sparse_categorical_crossentropy")->sparse_labels());
  CHECK_FALSE(strata::Loss::from_name("categorical_crossentropy")->sparse_labels());
  CHECK(strata::Loss::names().size() == expected.size() + 3);

  // Keras's lookup is case-sensitive.
  CHECK_THROWS_AS(strata::Loss::from_name("Mse"), strata::ValueError);
  CHECK_THROWS_MATCHES(strata::Loss::from_name("mean_squared_eror"), strata::ValueError,
                       Message("Could not interpret loss identifier: mean_squared_eror. Valid names are: "
                               "mean_squared_error, mse, MSE, MeanSquaredError, mean_absolute_error, mae, MAE, "
                               "MeanAbsoluteError, huber, Huber, binary_crossentropy, bce, BCE, BinaryCrossentropy, "
                               "categorical_crossentropy, CategoricalCrossentropy, sparse_categorical_crossentropy, "
                               "SparseCategoricalCrossentropy"));

  // Handle<Loss> takes a name or an object.
  strata::Handle<strata::Loss> by_name("bce");
  CHECK(by_name->class_name() == "BinaryCrossentropy");
  strata::Handle<strata::Loss> by_object(losses::SparseCategoricalCrossentropy({.from_logits = true}));
  CHECK(by_object->params().from_logits);
  CHECK(by_object->params().kind == strata::LossKind::SparseCategoricalCrossentropy);
}

TEST_CASE("losses write and read Keras 3's configs", "[losses]") {
  SECTION("defaults, as Keras 3 writes them") {
    CHECK(losses::MeanSquaredError().get_config() ==
          json{{"name", "mean_squared_error"}, {"reduction", "sum_over_batch_size"}});
    CHECK(losses::MeanAbsoluteError().get_config() ==
          json{{"name", "mean_absolute_error"}, {"reduction", "sum_over_batch_size"}});
    CHECK(losses::Huber().get_config() ==
          json{{"name", "huber_loss"}, {"reduction", "sum_over_batch_size"}, {"delta", 1.0}});
    CHECK(losses::BinaryCrossentropy().get_config() == json{{"name", "binary_crossentropy"},
                                                            {"reduction", "sum_over_batch_size"},
                                                            {"from_logits", false},
                                                            {"label_smoothing", 0.0},
                                                            {"axis", -1}});
    CHECK(losses::CategoricalCrossentropy().get_config() == json{{"name", "categorical_crossentropy"},
                                                                 {"reduction", "sum_over_batch_size"},
                                                                 {"from_logits", false},
                                                                 {"label_smoothing", 0.0},
                                                                 {"axis", -1}});
    CHECK(losses::SparseCategoricalCrossentropy().get_config() == json{{"name", "sparse_categorical_crossentropy"},
                                                                       {"reduction", "sum_over_batch_size"},
                                                                       {"from_logits", false},
                                                                       {"ignore_class", nullptr}});
  }

  SECTION("every option survives a round trip through Keras's serialized form") {
    const std::vector<std::shared_ptr<strata::Loss>> originals = {
        std::make_shared<losses::MeanSquaredError>(losses::MeanSquaredError::Options{Reduction::Sum, "sq"}),
        std::make_shared<losses::MeanAbsoluteError>(losses::MeanAbsoluteError::Options{.reduction = Reduction::None}),
        std::make_shared<losses::Huber>(
            losses::Huber::Options{.delta = 2.5, .reduction = Reduction::Mean, .name = "h"}),
        std::make_shared<losses::BinaryCrossentropy>(losses::BinaryCrossentropy::Options{
            .from_logits = true, .label_smoothing = 0.1, .reduction = Reduction::Sum}),
        std::make_shared<losses::CategoricalCrossentropy>(
            losses::CategoricalCrossentropy::Options{.label_smoothing = 0.25, .name = "cce"}),
        std::make_shared<losses::SparseCategoricalCrossentropy>(
            losses::SparseCategoricalCrossentropy::Options{.from_logits = true, .reduction = Reduction::None}),
    };
    for (const auto& loss : originals) {
      INFO(loss->class_name());
      const json serialized = strata::detail::keras_object("keras.losses", loss->class_name(), loss->get_config());
      const auto back = strata::Loss::from_config(serialized);
      CHECK(back->class_name() == loss->class_name());
      CHECK(back->name() == loss->name());
      CHECK(back->reduction() == loss->reduction());
      CHECK(back->get_config() == loss->get_config());
      const strata::LossParams a = loss->params(), b = back->params();
      CHECK(a.kind == b.kind);
      CHECK(a.from_logits == b.from_logits);
      CHECK(a.label_smoothing == b.label_smoothing);
      CHECK(a.delta == b.delta);
    }
    CHECK(losses::Huber::from_config(json{{"delta", 0.5}})->delta() == 0.5);
  }

  SECTION("string names, serialized functions and Python's None as the reduction") {
    CHECK(strata::Loss::from_config(json("mse"))->class_name() == "MeanSquaredError");
    CHECK(strata::Loss::from_config(json{{"module", "builtins"},
                                         {"class_name", "function"},
                                         {"config", "sparse_categorical_crossentropy"},
                                         {"registered_name", "function"}})
              ->class_name() == "SparseCategoricalCrossentropy");
    const auto none = strata::Loss::from_config(
        json{{"class_name", "MeanSquaredError"}, {"config", {{"name", "m"}, {"reduction", nullptr}}}});
    CHECK(none->reduction() == Reduction::None);
    CHECK(none->get_config()["reduction"] == "none");
    CHECK(losses::BinaryCrossentropy::from_config(json{{"dtype", "float32"}})->name() == "binary_crossentropy");
  }

  SECTION("what Strata cannot honour is refused with a clear message") {
    CHECK_THROWS_MATCHES(losses::MeanSquaredError::from_config(json{{"name", "m"}, {"reduction", "sum_over_batch"}}),
                         strata::ValueError,
                         Message("Invalid value for argument `reduction`. Expected one of 'sum_over_batch_size', "
                                 "'sum', 'mean', 'none'. Received: reduction=sum_over_batch"));
    CHECK_THROWS_MATCHES(losses::BinaryCrossentropy::from_config(json{{"fromlogits", true}}), strata::ValueError,
                         Message("Argument(s) not recognized by loss BinaryCrossentropy: 'fromlogits'"));
    CHECK_THROWS_MATCHES(losses::CategoricalCrossentropy::from_config(json{{"axis", 1}}), strata::ValueError,
                         Message("Loss CategoricalCrossentropy: only axis=-1 is supported, received: axis=1"));
    CHECK_THROWS_MATCHES(
        losses::SparseCategoricalCrossentropy::from_config(json{{"ignore_class", 0}}), strata::ValueError,
        Message("Loss SparseCategoricalCrossentropy: ignore_class is not supported yet, received ignore_class=0"));
    CHECK_THROWS_MATCHES(losses::MeanAbsoluteError::from_config(json{{"dtype", "float16"}}), strata::ValueError,
                         Message("Loss MeanAbsoluteError: only dtype \"float32\" is supported, received: \"float16\""));
    CHECK_THROWS_MATCHES(losses::BinaryCrossentropy::from_config(json{{"from_logits", "yes"}}), strata::ValueError,
                         Message("Loss BinaryCrossentropy: config key \"from_logits\" must be true or false, "
                                 "received: \"yes\""));
    CHECK_THROWS_MATCHES(strata::Loss::from_config(json{{"class_name", "KLDivergence"}, {"config", json::object()}}),
                         strata::ValueError,
                         Message("Could not interpret loss class: KLDivergence. Valid classes are: "
                                 "BinaryCrossentropy, CategoricalCrossentropy, Huber, MeanAbsoluteError, "
                                 "MeanSquaredError, SparseCategoricalCrossentropy. For a custom class, register it "
                                 "before loading: strata::register_loss(\"KLDivergence\", factory), where the "
                                 "factory builds the object from its config (a static from_config)."));
    CHECK_THROWS_WITH(strata::Loss::from_config(json{{"config", json::object()}}),
                      Contains("A loss config needs a \"class_name\""));
    CHECK_THROWS_MATCHES(losses::BinaryCrossentropy({.label_smoothing = 1.5}), strata::ValueError,
                         Message("Argument `label_smoothing` must be in [0, 1]. Received: label_smoothing=1.5"));
    CHECK_THROWS_MATCHES(losses::Huber({.delta = 0.0}), strata::ValueError,
                         Message("Argument `delta` must be a positive number. Received: delta=0.0"));
    CHECK_THROWS_AS(losses::MeanSquaredError({.name = ""}), strata::ValueError);
  }
}

TEST_CASE("reduction names follow Keras", "[losses]") {
  for (const Reduction r : {Reduction::SumOverBatchSize, Reduction::Sum, Reduction::Mean, Reduction::None})
    CHECK(strata::reduction_from_name(strata::reduction_name(r)) == r);
  CHECK(strata::reduction_name(Reduction::SumOverBatchSize) == "sum_over_batch_size");
  CHECK(strata::reduction_name(Reduction::None) == "none");
  CHECK_THROWS_MATCHES(strata::reduction_from_name("average"), strata::ValueError,
                       Message("Invalid value for argument `reduction`. Expected one of "
                               "'sum_over_batch_size', 'sum', 'mean', 'none'. Received: reduction=average"));
}
