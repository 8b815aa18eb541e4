// Activity regularizers: the penalty a layer's output adds (divided by the batch size, as
// Keras's layer.losses holds it) against Keras, and its gradient through the tape against
// central differences, on every backend; on a layer in the middle of a model, on one without
// weights (set through Layer::set_activity_regularizer), and on a layer called twice.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api/engine/tape.hpp"
#include "api/regularization.hpp"
#include "regularization/golden_values.hpp"
#include "strata/backend.hpp"
#include "strata/layers/add.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/model.hpp"
#include "strata/regularizers.hpp"
#include "strata/sequential.hpp"
#include "strata/tensor_host.hpp"
#include "support/model_checks.hpp"

using nlohmann::json;
using namespace strata;
using strata::testing::golden_floats;
using strata::testing::golden_tensor;
using strata::testing::regularizer_goldens;

namespace {

struct BackendGuard {
  std::string saved = std::string(current_backend().name());
  ~BackendGuard() { set_backend(saved); }
};

xt::xarray<float> golden_array(const json& t) {
  std::vector<std::size_t> shape;
  for (const auto& d : t["shape"]) shape.push_back(d.get<std::size_t>());
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  const auto values = golden_floats(t["values"]);
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

// The penalty the model's last step recorded: Penalties::after_step's tracker[0] / tracker[1].
double penalty_of_step(detail::Penalties& penalties, bool training, std::int64_t batch, Backend& backend) {
  Tensor tracker(backend, Shape{2});
  backend.fill(tracker, 0.f);
  penalties.after_step(training, batch, tracker);
  const auto t = to_host(tracker);
  CHECK(t(1) == static_cast<float>(batch));
  return double(t(0)) / double(t(1));
}

// Checks every trainable weight's gradient of the model's total penalty (no data loss: the
// outputs' gradients are zero) against central differences of the inference penalty.
void check_penalty_gradients(Model& model, const xt::xarray<float>& input) {
  Backend& backend = model.weights().front()->value.backend();
  const Tensor x = from_host(backend, input);
  const std::int64_t batch = x.shape()[0];
  detail::Penalties penalties(model);
  const auto outputs = model.run_step({&x, 1}, true);
  std::vector<Tensor> zeros;
  for (const Tensor& y : outputs) {
    zeros.emplace_back(backend, y.shape());
    backend.fill(zeros.back(), 0.f);
  }
  model.run_backward(zeros);
  const double trained = penalty_of_step(penalties, true, batch, backend);
  CHECK(trained > 0.0);
  const auto penalty = [&] {
    model.run_step({&x, 1}, false);
    return penalty_of_step(penalties, false, batch, backend);
  };
  CHECK(penalty() == Approx(trained).epsilon(1e-6));
  int checked = 0;
  for (Variable* v : model.trainable_weights()) {
    const auto analytic = to_host(v->grad);
    auto values = to_host(v->value);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const float saved = values.data()[i];
      const float h = 1e-2f;
      values.data()[i] = saved + h;
      backend.upload(values.data(), v->value);
      const double plus = penalty();
      values.data()[i] = saved - h;
      backend.upload(values.data(), v->value);
      const double minus = penalty();
      values.data()[i] = saved;
      backend.upload(values.data(), v->value);
      INFO(v->path << " element " << i);
      CHECK((plus - minus) / (2.0 * h) == Approx(analytic.data()[i]).margin(2e-4));
      ++checked;
    }
  }
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("activity regularizers: the penalty is Keras's layer.losses", "[regularizers]") {
  const json& golden = regularizer_goldens()["activity"];
  const BackendGuard guard;
  for (const std::string backend_name : available_backends()) {
    set_backend(backend_name);
    Backend& backend = get_backend(backend_name);
    for (const auto& c : golden["cases"]) {
      INFO(backend_name << " " << c["name"].get<std::string>());
      Sequential model(
          {Input({4}), Dense(3, "tanh", {.activity_regularizer = Regularizer::from_config(c["serialized"])})});
      model.set_weights({golden_array(golden["kernel"]), golden_array(golden["bias"])});
      detail::Penalties penalties(model);
      REQUIRE_FALSE(penalties.empty());
      const Tensor x = golden_tensor(backend, golden["x"]);
      const auto outputs = model.run_step({&x, 1}, false);
      const auto y = to_host(outputs[0]);
      const auto want = golden_floats(c["output"]["values"]);
      for (std::size_t i = 0; i < want.size(); ++i) CHECK(y.data()[i] == Approx(want[i]).margin(1e-6));
      CHECK(penalty_of_step(penalties, false, 5, backend) == Approx(c["losses"][0].get<double>()).epsilon(1e-5));
    }
  }
}

TEST_CASE("activity regularizers: the gradient through the tape is the penalty's derivative", "[regularizers]") {
  const BackendGuard guard;
  for (const std::string backend_name : available_backends()) {
    INFO(backend_name);
    set_backend(backend_name);
    SECTION("on two layers of a chain") {
      // L2 only: an L1 kink within the difference step would spoil the quotient (Keras's
      // goldens cover L1's gradient).
      Sequential model({Input({4}), Dense(3, "tanh", {.activity_regularizer = regularizers::L1L2(0.0, 0.05)}),
                        Dense(2, "linear", {.activity_regularizer = regularizers::L2(0.1)})});
      check_penalty_gradients(model, testing::random_array({5, 4}, 1));
    }
    SECTION("on a layer without weights, set after construction") {
      Flatten flatten;
      flatten.set_activity_regularizer(std::make_shared<regularizers::L2>(0.3));
      Sequential model({Input({2, 3}), Dense(3, "linear"), std::move(flatten), Dense(2, "linear")});
      check_penalty_gradients(model, testing::random_array({4, 2, 3}, 2));
    }
    SECTION("on a layer called twice: the penalties of both calls add up") {
      Tensor input = Input({3});
      Dense shared(3, "tanh", {.activity_regularizer = regularizers::L2(0.2)});
      Tensor once = shared(input);
      Tensor twice = shared(once);
      Model model(input, Add()({once, twice}));
      check_penalty_gradients(model, testing::random_array({4, 3}, 3));
    }
  }
}

TEST_CASE("activity regularizers: nothing upstream trains, nothing is differentiated", "[regularizers]") {
  // The regularized layer has no weights and reads the model's input: the tape has no gradient
  // to give it, yet the penalty still counts.
  Flatten flatten;
  flatten.set_activity_regularizer(std::make_shared<regularizers::L1>(0.5));
  Sequential model({Input({2, 2}), std::move(flatten)});
  Backend& backend = current_backend();
  const Tensor x = from_host(backend, xt::xarray<float>{{{1.f, -2.f}, {3.f, 0.f}}});
  detail::Penalties penalties(model);
  const auto outputs = model.run_step({&x, 1}, true);
  Tensor zero(backend, outputs[0].shape());
  backend.fill(zero, 0.f);
  model.run_backward({&zero, 1});
  CHECK(penalty_of_step(penalties, true, 1, backend) == Approx(0.5 * 6.0));
}

TEST_CASE("activity regularizers: in configs of every layer", "[regularizers]") {
  Flatten flatten;
  CHECK_FALSE(flatten.get_config().contains("activity_regularizer"));
  flatten.set_activity_regularizer(std::make_shared<regularizers::L2>(0.25));
  const json config = flatten.get_config();
  CHECK(config["activity_regularizer"] == regularizers::serialize(regularizers::L2(0.25)));
  const auto copy = Layer::from_config({{"class_name", "Flatten"}, {"config", config}});
  REQUIRE(copy->activity_regularizer() != nullptr);
  CHECK(regularizers::serialize(*copy->activity_regularizer()) == config["activity_regularizer"]);
}
