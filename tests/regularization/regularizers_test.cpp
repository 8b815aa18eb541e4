// Regularizers against real Keras (tests/golden/regularizers.json): penalties and their
// gradients on fixed tensors on every backend, configs and string names exactly as Keras
// serializes them, and Keras's argument errors.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "regularization/golden_values.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/regularizers.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using namespace strata;
using strata::testing::golden_floats;
using strata::testing::golden_tensor;
using strata::testing::regularizer_goldens;

namespace {

std::vector<float> host_values(const Tensor& t) {
  const auto a = to_host(t);
  return {a.begin(), a.end()};
}

}  // namespace

TEST_CASE("regularizers: penalty and gradient match Keras on every backend", "[regularizers]") {
  const json& goldens = regularizer_goldens();
  int evaluations = 0;
  for (const std::string backend_name : available_backends()) {
    Backend& backend = get_backend(backend_name);
    for (const auto& c : goldens["regularizers"]) {
      const auto regularizer = Regularizer::from_config(c["serialized"]);
      for (const auto& e : c["evaluations"]) {
        const std::string input = e["input"];
        INFO(backend_name << " " << c["name"].get<std::string>() << " on " << input);
        const Tensor x = golden_tensor(backend, goldens["tensors"][input]);
        Tensor total(backend, Shape{1});
        backend.fill(total, 0.5f);  // the op adds to what is there
        Tensor grad(backend, x.shape());
        backend.fill(grad, 0.25f);
        regularizer->add_penalty(x, 1.f, total, &grad);
        CHECK(host_values(total)[0] - 0.5f == Approx(e["value"].get<double>()).epsilon(2e-5).margin(1e-6));
        const auto want = golden_floats(e["grad"]);
        const auto got = host_values(grad);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          INFO("element " << i);
          if (std::isnan(want[i]))
            CHECK(std::isnan(got[i]));  // Keras's NaN (a zero row under OrthogonalRegularizer)
          else
            CHECK(got[i] - 0.25f == Approx(want[i]).epsilon(1e-4).margin(2e-6));
        }
        // A scale multiplies the penalty and the gradient; no gradient asked, none written.
        backend.fill(total, 0.f);
        regularizer->add_penalty(x, 0.25f, total, nullptr);
        CHECK(host_values(total)[0] == Approx(0.25 * e["value"].get<double>()).epsilon(2e-5).margin(1e-6));
        ++evaluations;
      }
    }
  }
  CHECK(evaluations == 2 * 16);
}

TEST_CASE("regularizers: configs and string names are Keras's", "[regularizers]") {
  const json& goldens = regularizer_goldens();
  for (const auto& c : goldens["regularizers"]) {
    INFO(c["name"].get<std::string>());
    const auto regularizer = Regularizer::from_config(c["serialized"]);
    CHECK(regularizers::serialize(*regularizer) == c["serialized"]);
    // The bare {"class_name", "config"} form and the snake_case class name read alike.
    const json bare = {{"class_name", c["serialized"]["class_name"]}, {"config", c["serialized"]["config"]}};
    CHECK(regularizers::serialize(*Regularizer::from_config(bare)) == c["serialized"]);
  }
  for (const auto& [name, serialized] : goldens["names"]["regularizers"].items()) {
    INFO(name);
    CHECK(regularizers::serialize(*Regularizer::from_name(name)) == serialized);
    CHECK(regularizers::serialize(*Regularizer::from_config(json(name))) == serialized);
  }
  for (const auto& refused : goldens["names"]["refused_regularizers"]) {
    INFO(refused["name"].get<std::string>());
    CHECK_THROWS_WITH(Regularizer::from_name(refused["name"].get<std::string>()), refused["error"].get<std::string>());
  }
  CHECK(regularizers::serialize(regularizers::L2(0.5)) == json{{"module", "keras.regularizers"},
                                                               {"class_name", "L2"},
                                                               {"config", {{"l2", 0.5}}},
                                                               {"registered_name", nullptr}});
  // Keras's None for a factor means its default.
  CHECK(regularizers::serialize(*Regularizer::from_config(json{{"class_name", "L1"}, {"config", {{"l1", nullptr}}}})) ==
        regularizers::serialize(regularizers::L1()));
}

TEST_CASE("regularizers: Keras's argument errors", "[regularizers]") {
  CHECK_THROWS_MATCHES(
      regularizers::L2(-1.0), ValueError,
      Catch::Message("Invalid value for argument l2: expected a non-negative float.Received: l2=-1.0"));
  CHECK_THROWS_AS(regularizers::L1(std::numeric_limits<double>::quiet_NaN()), ValueError);
  CHECK_THROWS_AS(regularizers::L1L2(0.0, std::numeric_limits<double>::infinity()), ValueError);
  CHECK_THROWS_MATCHES(regularizers::OrthogonalRegularizer(0.01, "diagonal"), ValueError,
                       Catch::Message("Invalid value for argument `mode`. Expected one of {\"rows\", \"columns\"}. "
                                      "Received: mode=diagonal"));
  CHECK_THROWS_MATCHES(regularizers::OrthogonalRegularizer().check_shape(Shape{3, 3, 2}), ValueError,
                       Catch::Message("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                                      "inputs.shape=(3, 3, 2)"));
  CHECK_THROWS_MATCHES(Regularizer::from_config(json{{"class_name", "L2"}, {"config", {{"l1", 0.1}}}}), ValueError,
                       Catch::Message("L2.__init__() got an unexpected keyword argument 'l1'"));
  CHECK_THROWS_AS(Regularizer::from_config(json{{"config", {}}}), ValueError);
  CHECK_THROWS_AS(Regularizer::from_config(json{{"class_name", "Dropout"}, {"config", {}}}), ValueError);
}

TEST_CASE("regularizers: NaN in the weights stays visible", "[regularizers]") {
  for (const std::string backend_name : available_backends()) {
    INFO(backend_name);
    Backend& backend = get_backend(backend_name);
    const std::vector<float> values = {1.f, std::numeric_limits<float>::quiet_NaN(), -2.f, 0.f};
    // At 0, |x|'s slope is jax's +1: L1 (0.01) leaves l1 there, L2 nothing.
    for (const auto& [regularizer, slope_at_zero] :
         {std::pair{Regularizer::from_name("l1"), 0.01f}, std::pair{Regularizer::from_name("l2"), 0.f}}) {
      Tensor x(backend, Shape{2, 2});
      backend.upload(values.data(), x);
      Tensor total(backend, Shape{1});
      backend.fill(total, 0.f);
      Tensor grad(backend, Shape{2, 2});
      backend.fill(grad, 0.f);
      regularizer->add_penalty(x, 1.f, total, &grad);
      CHECK(std::isnan(host_values(total)[0]));
      const auto g = host_values(grad);
      CHECK(std::isnan(g[1]));
      CHECK(std::isfinite(g[0]));
      CHECK(g[3] == Approx(slope_at_zero));
    }
  }
}
