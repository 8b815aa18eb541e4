// fit's and evaluate's weighting against real Keras (tests/golden/make_callback_goldens.py,
// "weighting"): sample_weight, class_weight, a validation split keeping its samples' weights,
// and evaluate with weights, on a Dense softmax model with fixed weights and plain SGD, on
// every backend; and the errors Keras gives for weights that do not fit.

#include <catch2/catch.hpp>

#include "strata/strata.hpp"
#include "support/goldens.hpp"

using namespace strata;

namespace {

const nlohmann::json& weighting() { return testing::golden_file("callbacks.json")["weighting"]; }

xt::xarray<float> array_of(const nlohmann::json& values) {
  if (values[0].is_array()) {
    const auto rows = values.get<std::vector<std::vector<float>>>();
    xt::xarray<float> out = xt::zeros<float>({rows.size(), rows[0].size()});
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = 0; j < rows[i].size(); ++j) out(i, j) = rows[i][j];
    return out;
  }
  const auto flat = values.get<std::vector<float>>();
  xt::xarray<float> out = xt::zeros<float>({flat.size()});
  std::copy(flat.begin(), flat.end(), out.begin());
  return out;
}

std::shared_ptr<Sequential> fresh_model() {
  auto model = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{Input({4}), Dense(3, "softmax")});
  model->compile(optimizers::SGD(0.1), "sparse_categorical_crossentropy");
  model->set_weights({array_of(weighting()["kernel"]), array_of(weighting()["bias"])});
  return model;
}

void check_against(const History& history, const Model& model, const nlohmann::json& keras) {
  for (const auto& [key, values] : keras["history"].items()) {
    INFO(key);
    const auto expected = values.get<std::vector<double>>();
    REQUIRE(history.history.at(key).size() == expected.size());
    for (std::size_t e = 0; e < expected.size(); ++e)
      CHECK(history.history.at(key)[e] == Approx(expected[e]).epsilon(1e-5));
  }
  const auto weights = model.get_weights();
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const xt::xarray<float> expected = array_of(keras["weights"][i]);
    REQUIRE(weights[i].shape() == expected.shape());
    for (std::size_t k = 0; k < expected.size(); ++k)
      CHECK(weights[i].data()[k] == Approx(expected.data()[k]).margin(1e-5));
  }
}

}  // namespace

TEST_CASE("sample_weight and class_weight train as in Keras", "[models][fit][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto x = array_of(weighting()["x"]);
  const auto y = array_of(weighting()["y"]);
  const auto sw = array_of(weighting()["sample_weight"]);
  std::map<int, double> class_weight;
  for (const auto& [key, value] : weighting()["class_weight"].items())
    class_weight[std::stoi(key)] = value.get<double>();
  const auto& cases = weighting()["cases"];
  {
    auto model = fresh_model();
    const History h =
        model->fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .shuffle = false, .sample_weight = sw});
    check_against(h, *model, cases["sample_weight"]);
  }
  {
    auto model = fresh_model();
    const History h =
        model->fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .shuffle = false, .class_weight = class_weight});
    check_against(h, *model, cases["class_weight"]);
  }
  {
    auto model = fresh_model();
    const History h = model->fit(
        x, y, {.batch_size = 4, .verbose = 0, .validation_split = 0.25, .shuffle = false, .sample_weight = sw});
    check_against(h, *model, cases["split_with_weights"]);
  }
  {
    auto model = fresh_model();
    CHECK(model->evaluate(x, y, {.batch_size = 5, .verbose = 0, .sample_weight = sw}).at("loss") ==
          Approx(cases["evaluate"]["weighted"].get<double>()).epsilon(1e-5));
    CHECK(model->evaluate(x, y, {.batch_size = 5, .verbose = 0}).at("loss") ==
          Approx(cases["evaluate"]["plain"].get<double>()).epsilon(1e-5));
  }
}

TEST_CASE("weights that do not fit are refused in Keras's words", "[models][fit][errors]") {
  auto model = fresh_model();
  const auto x = array_of(weighting()["x"]);
  const auto y = array_of(weighting()["y"]);
  CHECK_THROWS_WITH(
      model->fit(x, y, {.verbose = 0, .class_weight = {{0, 2.0}}, .sample_weight = xt::ones<float>({12})}),
      "You cannot `class_weight` and `sample_weight` at the same time.");
  CHECK_THROWS_WITH(model->fit(x, y, {.verbose = 0, .sample_weight = xt::ones<float>({11})}),
                    Catch::Contains("one weight per sample: expected shape (12)"));
  CHECK_THROWS_WITH(model->evaluate(x, y, {.verbose = 0, .sample_weight = xt::ones<float>({12, 1})}),
                    Catch::Contains("one weight per sample"));
}

TEST_CASE("a loss weighs samples as Keras's reduce_weighted_values", "[losses]") {
  const xt::xarray<float> y_true = {0.f, 1.f, 2.f};
  const xt::xarray<float> y_pred = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.3f, 0.3f, 0.4f}};
  const xt::xarray<float> w = {1.f, 0.f, 3.f};
  losses::SparseCategoricalCrossentropy loss;
  const double expected = (-std::log(0.7) * 1 + 0 + -std::log(0.4) * 3) / 3.0;  // divided by the count, not sum(w)
  CHECK(loss(y_true, y_pred, &w)() == Approx(expected).epsilon(1e-6));
}
