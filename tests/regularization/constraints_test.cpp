// Constraints against real Keras (tests/golden/regularizers.json): each projection of fixed
// weights on every backend (NaN where Keras has NaN), configs and string names exactly as Keras
// serializes them, and axes out of range refused.

#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "regularization/golden_values.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using namespace strata;
using strata::testing::golden_floats;
using strata::testing::golden_tensor;
using strata::testing::regularizer_goldens;

TEST_CASE("constraints: projections match Keras on every backend", "[regularizers]") {
  const json& goldens = regularizer_goldens();
  int projections = 0;
  for (const std::string backend_name : available_backends()) {
    Backend& backend = get_backend(backend_name);
    for (const auto& c : goldens["constraints"]) {
      INFO(backend_name << " " << c["name"].get<std::string>());
      const auto constraint = Constraint::from_config(c["serialized"]);
      Tensor w = golden_tensor(backend, c["input"]);
      constraint->check_shape(w.shape());
      constraint->apply(w);
      const auto got = to_host(w);
      const auto want = golden_floats(c["output"]["values"]);
      REQUIRE(got.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i << ": " << got.data()[i] << " vs Keras's " << want[i]);
        if (std::isnan(want[i])) {
          CHECK(std::isnan(got.data()[i]));
        } else if (std::isinf(want[i])) {
          CHECK(got.data()[i] == want[i]);
        } else {
          // Keras sums the squares in f32 in another order: the norms differ in the last bits.
          CHECK(got.data()[i] == Approx(want[i]).epsilon(2e-6).margin(1e-7));
        }
      }
      ++projections;
    }
  }
  CHECK(projections == 2 * 10);
}

TEST_CASE("constraints: a weight inside the bounds is left as it is", "[regularizers]") {
  for (const std::string backend_name : available_backends()) {
    INFO(backend_name);
    Backend& backend = get_backend(backend_name);
    // Column norms 0.5 and 1: inside MaxNorm(2) and MinMaxNorm(0.5, 1) up to epsilon's 1e-7.
    const std::vector<float> values = {0.3f, 0.6f, 0.4f, 0.8f};
    for (const auto& constraint :
         {Constraint::from_name("max_norm"), Constraint::from_name("min_max_norm"), Constraint::from_name("non_neg")}) {
      Tensor w(backend, Shape{2, 2});
      backend.upload(values.data(), w);
      constraint->apply(w);
      const auto got = to_host(w);
      for (std::size_t i = 0; i < values.size(); ++i) CHECK(got.data()[i] == Approx(values[i]).epsilon(1e-6));
    }
  }
}

TEST_CASE("constraints: configs and string names are Keras's", "[regularizers]") {
  const json& goldens = regularizer_goldens();
  for (const auto& c : goldens["constraints"]) {
    INFO(c["name"].get<std::string>());
    CHECK(constraints::serialize(*Constraint::from_config(c["serialized"])) == c["serialized"]);
  }
  for (const auto& [name, serialized] : goldens["names"]["constraints"].items()) {
    INFO(name);
    CHECK(constraints::serialize(*Constraint::from_name(name)) == serialized);
  }
  CHECK(constraints::serialize(constraints::MaxNorm(3, {0, 1, 2}))["config"] ==
        json{{"max_value", 3}, {"axis", {0, 1, 2}}});
  CHECK(constraints::serialize(constraints::MaxNorm(2.5))["config"] == json{{"max_value", 2.5}, {"axis", 0}});
  CHECK_THROWS_MATCHES(Constraint::from_name("clip"), ValueError,
                       Catch::Message("Could not interpret constraint identifier: clip"));
  CHECK_THROWS_MATCHES(Constraint::from_config(json{{"class_name", "NonNeg"}, {"config", {{"axis", 0}}}}), ValueError,
                       Catch::Message("NonNeg.__init__() got an unexpected keyword argument 'axis'"));
}

TEST_CASE("constraints: an axis out of range is refused", "[regularizers]") {
  CHECK_THROWS_MATCHES(constraints::MaxNorm(2, 2).check_shape(Shape{4, 3}), ValueError,
                       Catch::Message("MaxNorm: axis 2 is out of bounds for a weight of rank 2 (shape (4, 3))"));
  CHECK_THROWS_AS(constraints::UnitNorm({0, -3}).check_shape(Shape{4, 3}), ValueError);
  CHECK_NOTHROW(constraints::MinMaxNorm(0, 1, 1, -1).check_shape(Shape{4, 3}));
}
