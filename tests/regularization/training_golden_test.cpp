// Three SGD steps of a model with weight and activity regularizers and constraints, run by hand
// through the trainer's hooks (api/regularization.hpp), against Keras's train_on_batch: the
// logged loss of each step (data loss + every penalty) and the weights after it (constraints
// applied), then the evaluation loss; on every backend.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "regularization/golden_values.hpp"
#include "regularization/step_by_hand.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/losses/mean_squared_error.hpp"
#include "strata/optimizers/sgd.hpp"
#include "strata/regularizers.hpp"
#include "strata/sequential.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using namespace strata;
using strata::testing::golden_floats;
using strata::testing::golden_tensor;
using strata::testing::regularizer_goldens;

namespace {

// The model make_regularizer_goldens.py trains.
Sequential golden_model() {
  return Sequential({Input({4}),
                     Dense(5, "relu",
                           {.kernel_regularizer = regularizers::L2(0.01),
                            .bias_regularizer = regularizers::L1(0.02),
                            .activity_regularizer = regularizers::L1(0.001),
                            .kernel_constraint = constraints::MaxNorm(0.9),
                            .name = "hidden"}),
                     Dense(2, "linear",
                           {.kernel_regularizer = regularizers::L1L2(0.01, 0.02),
                            .activity_regularizer = regularizers::L2(0.005),
                            .bias_constraint = constraints::NonNeg(),
                            .name = "out"})});
}

std::vector<xt::xarray<float>> golden_weights(const json& list) {
  std::vector<xt::xarray<float>> out;
  for (const auto& w : list) {
    const auto values = golden_floats(w["values"]);
    std::vector<std::size_t> shape;
    for (const auto& d : w["shape"]) shape.push_back(d.get<std::size_t>());
    xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
    std::copy(values.begin(), values.end(), a.begin());
    out.push_back(a);
  }
  return out;
}

// Restores the current backend at the end of a test that switches it.
struct BackendGuard {
  std::string saved = std::string(current_backend().name());
  ~BackendGuard() { set_backend(saved); }
};

}  // namespace

TEST_CASE("regularization: train steps by hand match Keras's train_on_batch", "[regularizers]") {
  const json& golden = regularizer_goldens()["training"];
  const BackendGuard guard;
  for (const std::string backend_name : available_backends()) {
    INFO(backend_name);
    set_backend(backend_name);
    Backend& backend = get_backend(backend_name);
    Sequential model = golden_model();
    model.compile(optimizers::SGD(0.1), "mse");
    model.set_weights(golden_weights(golden["initial"]));
    losses::MeanSquaredError mse;
    testing::HandStep step(model, mse, golden_tensor(backend, golden["x"]), golden_tensor(backend, golden["y"]));
    for (std::size_t s = 0; s < golden["steps"].size(); ++s) {
      INFO("step " << s + 1);
      const json& want = golden["steps"][s];
      CHECK(step.train() == Approx(want["loss"].get<double>()).epsilon(1e-5));
      const auto weights = model.get_weights();
      const auto expected = golden_weights(want["weights"]);
      REQUIRE(weights.size() == expected.size());
      for (std::size_t w = 0; w < weights.size(); ++w)
        for (std::size_t i = 0; i < weights[w].size(); ++i) {
          INFO(golden["paths"][w].get<std::string>() << " element " << i);
          CHECK(weights[w].data()[i] == Approx(expected[w].data()[i]).margin(2e-6));
        }
    }
    CHECK(step.evaluate() == Approx(golden["evaluate_loss"].get<double>()).epsilon(1e-5));
  }
}

TEST_CASE("regularization: a frozen layer's regularizers add nothing, as Keras counts trainable_weights only",
          "[regularizers]") {
  Sequential model({Input({3}), Dense(2, "linear", {.kernel_regularizer = regularizers::L2(1.0)})});
  model.layers()[0]->set_trainable(false);
  detail::Penalties frozen(model);
  CHECK(frozen.empty());
  model.layers()[0]->set_trainable(true);
  detail::Penalties trained(model);
  CHECK_FALSE(trained.empty());
}

TEST_CASE("regularization: the trainer's train_on_batch, fit and evaluate match Keras's", "[regularizers]") {
  const json& golden = regularizer_goldens()["training"];
  const BackendGuard guard;
  for (const std::string backend_name : available_backends()) {
    INFO(backend_name);
    set_backend(backend_name);
    const xt::xarray<float> x = to_host(golden_tensor(get_backend(backend_name), golden["x"]));
    const xt::xarray<float> y = to_host(golden_tensor(get_backend(backend_name), golden["y"]));
    Sequential model = golden_model();
    model.compile(optimizers::SGD(0.1), "mse");
    model.set_weights(golden_weights(golden["initial"]));
    for (std::size_t s = 0; s < golden["steps"].size(); ++s) {
      INFO("step " << s + 1);
      const json& want = golden["steps"][s];
      CHECK(model.train_on_batch(x, y).at("loss") == Approx(want["loss"].get<double>()).epsilon(1e-5));
      const auto weights = model.get_weights();
      const auto expected = golden_weights(want["weights"]);
      for (std::size_t w = 0; w < weights.size(); ++w)
        for (std::size_t i = 0; i < weights[w].size(); ++i)
          CHECK(weights[w].data()[i] == Approx(expected[w].data()[i]).margin(2e-6));
    }
    CHECK(model.evaluate(x, y, {.verbose = 0}).at("loss") ==
          Approx(golden["evaluate_loss"].get<double>()).epsilon(1e-5));

    // fit with one full batch per epoch takes the same three steps.
    Sequential fitted = golden_model();
    fitted.compile(optimizers::SGD(0.1), "mse");
    fitted.set_weights(golden_weights(golden["initial"]));
    const History history = fitted.fit(x, y, {.batch_size = 6, .epochs = 3, .verbose = 0, .shuffle = false});
    for (std::size_t s = 0; s < golden["steps"].size(); ++s)
      CHECK(history.history.at("loss")[s] == Approx(golden["steps"][s]["loss"].get<double>()).epsilon(1e-5));
  }
}
