// Metric front-end: values by hand, running state on the device, Keras's shape rules, the
// "accuracy" resolution of compile, names, configs and error texts, on every backend.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "api/keras_object.hpp"
#include "losses/test_arrays.hpp"
#include "strata/error.hpp"
#include "strata/handle.hpp"
#include "strata/metrics/accuracy.hpp"
#include "strata/metrics/binary_accuracy.hpp"
#include "strata/metrics/categorical_accuracy.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/mean_absolute_error.hpp"
#include "strata/metrics/mean_squared_error.hpp"
#include "strata/metrics/sparse_categorical_accuracy.hpp"
#include "strata/tensor_host.hpp"

using Catch::Matchers::Message;
using nlohmann::json;
namespace metrics = strata::metrics;

namespace {

xt::xarray<float> A(std::vector<std::size_t> shape, std::vector<float> data) {
  return strata::test::array(std::move(shape), std::move(data));
}

struct OnBackend {
  strata::Backend& backend;
  strata::Tensor operator()(const xt::xarray<float>& host) const { return strata::from_host(backend, host); }
};

OnBackend each_backend() {
  const std::string name = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(name);
  return OnBackend{strata::current_backend()};
}

}  // namespace

TEST_CASE("metrics compute Keras's values and keep a running state", "[metrics]") {
  const OnBackend dev = each_backend();
  INFO("backend " << dev.backend.name());

  SECTION("BinaryAccuracy compares (y_pred > threshold) with y_true") {
    metrics::BinaryAccuracy acc;
    CHECK(acc.result() == 0.0);  // nothing counted yet
    CHECK_FALSE(acc.state().defined());
    const xt::xarray<float> t = A({4, 1}, {1.f, 0.f, 1.f, 0.f});
    const xt::xarray<float> p = A({4, 1}, {0.9f, 0.5f, 0.5f, 0.7f});  // 0.5 is not > 0.5
    acc.update_state(dev(t), dev(p));
    CHECK(acc.result() == Approx(0.5));
    CHECK(&acc.state().backend() == &dev.backend);
    const xt::xarray<float> t2 = {1.f, 1.f};  // (n,) against (n, 1)
    const xt::xarray<float> p2 = A({2, 1}, {0.6f, 0.8f});
    acc.update_state(dev(t2), dev(p2));
    CHECK(acc.result() == Approx(4.0 / 6));
    const auto [total, count] = strata::test::read_state(acc.state());
    CHECK(total == Approx(4.0));
    CHECK(count == Approx(6.0));
    acc.reset_state();
    CHECK(acc.result() == 0.0);
    acc.update_state(dev(t2), dev(p2));
    CHECK(acc.result() == Approx(1.0));

    // Keras's binary_accuracy is element-wise: a rank-1 batch counts each element as a sample.
    metrics::BinaryAccuracy flat;
    flat.update_state(dev(xt::xarray<float>{1.f, 0.f, 1.f}), dev(xt::xarray<float>{0.9f, 0.2f, 0.1f}));
    flat.update_state(dev(xt::xarray<float>{0.f}), dev(xt::xarray<float>{0.f}));
    CHECK(flat.result() == Approx(3.0 / 4));
    CHECK(strata::test::read_state(flat.state()).second == Approx(4.0));

    metrics::BinaryAccuracy strict({.threshold = 0.75});
    strict.update_state(dev(t), dev(p));
    CHECK(strict.result() == Approx(0.75));  // 0.9 -> 1, the rest -> 0
  }

  SECTION("CategoricalAccuracy and SparseCategoricalAccuracy take argmax over the last axis") {
    const xt::xarray<float> p = {{0.1f, 0.7f, 0.2f}, {0.5f, 0.5f, 0.f}, {0.2f, 0.3f, 0.5f}};
    const xt::xarray<float> onehot = {{0.f, 1.f, 0.f}, {0.f, 1.f, 0.f}, {1.f, 0.f, 0.f}};
    metrics::CategoricalAccuracy cat;
    cat.update_state(dev(onehot), dev(p));
    CHECK(cat.result() == Approx(1.0 / 3));  // a tie goes to the first maximum: row 1 predicts 0

    const xt::xarray<float> labels = {1.f, 0.f, 2.f};
    const xt::xarray<float> column = A({3, 1}, {1.f, 0.f, 2.f});
    metrics::SparseCategoricalAccuracy sparse;
    sparse.update_state(dev(labels), dev(p));
    CHECK(sparse.result() == Approx(1.0));
    sparse.update_state(dev(column), dev(p));
    CHECK(sparse.result() == Approx(1.0));
    CHECK(strata::test::read_state(sparse.state()).second == Approx(6.0));
  }

  SECTION("Accuracy, MeanSquaredError and MeanAbsoluteError work element-wise") {
    const xt::xarray<float> t = {{1.f, 2.f}, {3.f, 4.f}};
    const xt::xarray<float> p = {{1.f, 0.f}, {3.f, 4.f}};
    metrics::Accuracy acc;
    acc.update_state(dev(t), dev(p));
    CHECK(acc.result() == Approx(0.75));
    metrics::MeanSquaredError mse;
    mse.update_state(dev(t), dev(p));
    CHECK(mse.result() == Approx(1.0));  // sample values 2 and 0
    metrics::MeanAbsoluteError mae;
    mae.update_state(dev(t), dev(p));
    CHECK(mae.result() == Approx(0.5));
    const xt::xarray<float> t1 = {5.f};  // a rank-1 pair is one sample
    const xt::xarray<float> p1 = {2.f};
    mae.update_state(dev(t1), dev(p1));
    CHECK(mae.result() == Approx((1.0 + 0.0 + 3.0) / 3));
  }

  SECTION("Mean counts each sample once, with the mean of its elements") {
    metrics::Mean mean;
    mean.update_state(dev(xt::xarray<float>{1.f, 2.f, 3.f}));
    CHECK(mean.result() == Approx(2.0));
    mean.update_state(dev(xt::xarray<float>{{4.f, 5.f}, {6.f, 7.f}}));  // samples 4.5 and 6.5
    CHECK(mean.result() == Approx(17.0 / 5));
    xt::xarray<float> scalar = xt::xarray<float>::from_shape({});
    scalar() = 10.f;
    mean.update_state(dev(scalar));
    CHECK(mean.result() == Approx(27.0 / 6));
    CHECK(strata::test::read_state(mean.state()).second == Approx(6.0));
    // the two-argument form reads y_pred; y_true may be undefined
    metrics::Mean other;
    other.update_state(strata::Tensor(), dev(xt::xarray<float>{3.f, 5.f}));
    CHECK(other.result() == Approx(4.0));
  }

  SECTION("a copy has the configuration and an empty state") {
    metrics::BinaryAccuracy acc({.threshold = 0.2, .name = "b"});
    acc.update_state(dev(A({1, 1}, {1.f})), dev(A({1, 1}, {0.3f})));
    metrics::BinaryAccuracy copy = acc;
    CHECK(copy.result() == 0.0);
    CHECK(copy.name() == "b");
    CHECK(copy.threshold() == 0.2);
    CHECK(acc.result() == Approx(1.0));
  }

  SECTION("shapes that do not fit are refused") {
    metrics::MeanSquaredError mse;
    CHECK_THROWS_MATCHES(mse.update_state(dev(xt::zeros<float>({4, 3})), dev(xt::zeros<float>({4, 2}))),
                         strata::ShapeError,
                         Message("Metric \"mean_squared_error\": y_true and y_pred must have the same "
                                 "shape, received y_true.shape=(4, 3), y_pred.shape=(4, 2)"));
    metrics::SparseCategoricalAccuracy sparse;
    CHECK_THROWS_MATCHES(sparse.update_state(dev(xt::zeros<float>({4, 3})), dev(xt::zeros<float>({4, 3}))),
                         strata::ShapeError,
                         Message("Metric \"sparse_categorical_accuracy\": y_true must hold one class "
                                 "index per sample of y_pred: expected shape (4,) or (4, 1), received "
                                 "y_true.shape=(4, 3), y_pred.shape=(4, 3)"));
    metrics::CategoricalAccuracy cat;
    CHECK_THROWS_AS(cat.update_state(dev(xt::zeros<float>({4})), dev(xt::zeros<float>({4, 3}))), strata::ShapeError);
    CHECK_FALSE(cat.state().defined());  // nothing was allocated for a refused batch
  }
}

TEST_CASE("a metric stays on the backend of its first batch", "[metrics]") {
  const auto names = strata::available_backends();
  if (names.size() < 2) return;
  strata::Backend& first = strata::get_backend(names[0]);
  strata::Backend& second = strata::get_backend(names[1]);
  metrics::MeanAbsoluteError mae;
  const xt::xarray<float> t = A({1, 1}, {1.f});
  mae.update_state(strata::from_host(first, t), strata::from_host(first, t));
  CHECK_THROWS_MATCHES(
      mae.update_state(strata::from_host(second, t), strata::from_host(second, t)), strata::ValueError,
      Message("Metric \"mean_absolute_error\" keeps its state on backend \"" + std::string(first.name()) +
              "\" but received y_pred on backend \"" + std::string(second.name()) + "\""));
}

TEST_CASE("Metric::from_name resolves Keras's names; \"accuracy\" picks its class as compile does", "[metrics]") {
  const OnBackend dev = each_backend();
  INFO("backend " << dev.backend.name());

  SECTION("names map to classes and name the metric as given (its log key)") {
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"binary_accuracy", "BinaryAccuracy"},
        {"BinaryAccuracy", "BinaryAccuracy"},
        {"categorical_accuracy", "CategoricalAccuracy"},
        {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
        {"mse", "MeanSquaredError"},
        {"MSE", "MeanSquaredError"},
        {"mean_squared_error", "MeanSquaredError"},
        {"mae", "MeanAbsoluteError"},
        {"mean_absolute_error", "MeanAbsoluteError"},
        {"MeanAbsoluteError", "MeanAbsoluteError"},
    };
    for (const auto& [name, cls] : expected) {
      INFO(name);
      const auto m = strata::Metric::from_name(name);
      CHECK(m->class_name() == cls);
      CHECK(m->name() == name);
    }
    CHECK(
        std::dynamic_pointer_cast<metrics::BinaryAccuracy>(strata::Metric::from_name("binary_accuracy"))->threshold() ==
        0.5);
  }

  SECTION("\"accuracy\" and \"acc\": binary, sparse or categorical from the first batch's shapes") {
    struct Case {
      xt::xarray<float> t, p;
      const char* cls;
      double result;
    };
    const std::vector<Case> cases = {
        {A({2, 1}, {1.f, 0.f}), A({2, 1}, {0.8f, 0.6f}), "BinaryAccuracy", 0.5},
        {{1.f, 0.f}, A({2, 1}, {0.8f, 0.1f}), "BinaryAccuracy", 1.0},
        {{1.f, 0.f}, {{0.2f, 0.8f}, {0.3f, 0.7f}}, "SparseCategoricalAccuracy", 0.5},
        {A({2, 1}, {0.f, 1.f}), {{0.2f, 0.8f}, {0.3f, 0.7f}}, "SparseCategoricalAccuracy", 0.5},
        {{{0.f, 1.f}, {0.f, 1.f}}, {{0.2f, 0.8f}, {0.3f, 0.7f}}, "CategoricalAccuracy", 1.0},
    };
    for (const std::string name : {"accuracy", "acc", "Accuracy", "ACC"}) {
      for (const Case& c : cases) {
        INFO(name << " -> " << c.cls);
        const auto m = strata::Metric::from_name(name);
        CHECK(m->name() == name);
        CHECK(m->class_name() == "auto");
        CHECK(m->result() == 0.0);
        m->update_state(dev(c.t), dev(c.p));
        CHECK(m->class_name() == c.cls);
        CHECK(m->result() == Approx(c.result));
        CHECK(m->get_config()["name"] == name);
        m->reset_state();
        CHECK(m->result() == 0.0);
      }
    }
  }

  SECTION("unknown names list the valid ones") {
    CHECK_THROWS_MATCHES(
        strata::Metric::from_name("f1"), strata::ValueError,
        Message("Could not interpret metric identifier: f1. Valid names are: accuracy, acc, "
                "binary_accuracy, BinaryAccuracy, categorical_accuracy, CategoricalAccuracy, "
                "sparse_categorical_accuracy, SparseCategoricalAccuracy, mean_squared_error, mse, MSE, "
                "MeanSquaredError, mean_absolute_error, mae, MAE, MeanAbsoluteError, root_mean_squared_error, "
                "RootMeanSquaredError, cosine_similarity, CosineSimilarity, top_k_categorical_accuracy, "
                "TopKCategoricalAccuracy, sparse_top_k_categorical_accuracy, SparseTopKCategoricalAccuracy, "
                "precision, Precision, recall, Recall, auc, AUC, f1_score, F1Score, f_beta_score, FBetaScore, "
                "r2_score, R2Score"));
    CHECK_THROWS_AS(strata::Metric::from_name("Mse"), strata::ValueError);
    CHECK(strata::Metric::names().size() == 36);
    strata::Handle<strata::Metric> handle("acc");
    CHECK(handle->name() == "acc");
    strata::Handle<strata::Metric> object(metrics::BinaryAccuracy({.threshold = 0.3}));
    CHECK(object->get_config()["threshold"] == 0.3);
  }
}

TEST_CASE("metrics write and read Keras 3's configs", "[metrics]") {
  CHECK(metrics::Mean().get_config() == json{{"name", "mean"}, {"dtype", "float32"}});
  CHECK(metrics::Accuracy().get_config() == json{{"name", "accuracy"}, {"dtype", "float32"}});
  CHECK(metrics::BinaryAccuracy().get_config() ==
        json{{"name", "binary_accuracy"}, {"dtype", "float32"}, {"threshold", 0.5}});
  CHECK(metrics::SparseCategoricalAccuracy("sca").get_config() == json{{"name", "sca"}, {"dtype", "float32"}});

  const std::vector<std::shared_ptr<strata::Metric>> originals = {
      std::make_shared<metrics::Mean>("loss"),
      std::make_shared<metrics::Accuracy>(),
      std::make_shared<metrics::BinaryAccuracy>(metrics::BinaryAccuracy::Options{.threshold = 0.7, .name = "b"}),
      std::make_shared<metrics::CategoricalAccuracy>(),
      std::make_shared<metrics::SparseCategoricalAccuracy>("s"),
      std::make_shared<metrics::MeanSquaredError>(),
      std::make_shared<metrics::MeanAbsoluteError>("l1"),
  };
  for (const auto& m : originals) {
    INFO(m->class_name());
    const auto back =
        strata::Metric::from_config(strata::detail::keras_object("keras.metrics", m->class_name(), m->get_config()));
    CHECK(back->class_name() == m->class_name());
    CHECK(back->name() == m->name());
    CHECK(back->get_config() == m->get_config());
  }
  CHECK(strata::Metric::from_config(json("mae"))->class_name() == "MeanAbsoluteError");

  CHECK_THROWS_MATCHES(metrics::BinaryAccuracy::from_config(json{{"threshold", 0.5}, {"thresh", 1}}),
                       strata::ValueError, Message("Argument(s) not recognized by metric BinaryAccuracy: 'thresh'"));
  CHECK_THROWS_MATCHES(metrics::Accuracy::from_config(json{{"dtype", "bfloat16"}}), strata::ValueError,
                       Message("Metric Accuracy: only dtype \"float32\" is supported, received: \"bfloat16\""));
  CHECK_THROWS_MATCHES(
      strata::Metric::from_config(json{{"class_name", "PearsonCorrelation"}, {"config", json::object()}}),
      strata::ValueError,
      Message("Could not interpret metric class: PearsonCorrelation. Valid classes are: AUC, Accuracy, "
              "BinaryAccuracy, CategoricalAccuracy, CosineSimilarity, F1Score, FBetaScore, Mean, MeanAbsoluteError, "
              "MeanIoU, MeanSquaredError, Precision, R2Score, Recall, RootMeanSquaredError, "
              "SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy. For a custom "
              "class, register it before loading: strata::register_metric(\"PearsonCorrelation\", factory), where "
              "the factory builds the object from its config (a static from_config)."));
  CHECK_THROWS_AS(metrics::MeanSquaredError(""), strata::ValueError);
}
