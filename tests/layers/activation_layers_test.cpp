#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;
using testing::factory;
using testing::LayerCase;

namespace {

std::vector<LayerCase> activation_cases() {
  return {
      {"ReLU()", factory<ReLU>(), {3, 7}},
      {"ReLU(0.8)", factory<ReLU>(std::optional<double>(0.8)), {2, 3, 5}},
      {"ReLU(None, 0.1, 0.5)", factory<ReLU>(std::optional<double>(), 0.1, 0.5), {4, 5}},
      {"ReLU(0.7, 0.2, 0.3)", factory<ReLU>(std::optional<double>(0.7), 0.2, 0.3), {1, 9}},
      {"LeakyReLU()", factory<LeakyReLU>(), {3, 6}},
      {"LeakyReLU(0.1)", factory<LeakyReLU>(0.1), {2, 2, 3}},
      {"LeakyReLU(0)", factory<LeakyReLU>(0.0), {1, 5}},
      {"Softmax()", factory<Softmax>(), {3, 5}},
      {"Softmax() 3-D", factory<Softmax>(), {2, 3, 4}},
      {"Softmax(2) 3-D", factory<Softmax>(2), {1, 2, 7}},
  };
}

float keras_relu(float x, std::optional<float> max_value, float slope, float threshold) {
  if (x > threshold) return max_value ? std::min(x, *max_value) : x;
  return slope * (x - threshold);
}

}  // namespace

TEST_CASE("ReLU follows Keras's max_value, negative_slope and threshold", "[layers][activation]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::vector<float> x{-3, -1.5f, -0.25f, 0.1f, 0.4f, 0.6f, 1, 2.5f, 7, 9};
  struct Params {
    std::optional<double> max_value;
    double slope, threshold;
  };
  for (const Params& p : {Params{std::nullopt, 0, 0}, Params{6.0, 0, 0}, Params{std::nullopt, 0.1, 0.5},
                          Params{2.0, 0.2, 0.5}, Params{1.0, 0.3, 0}}) {
    INFO("max_value " << p.max_value.value_or(-1) << " slope " << p.slope << " threshold " << p.threshold);
    ReLU relu(p.max_value, p.slope, p.threshold);
    const auto y = testing::run_forward(relu, {1, 10}, x, false);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::optional<float> max_value =
          p.max_value ? std::optional<float>(float(*p.max_value)) : std::optional<float>();
      CHECK(y[i] == Approx(keras_relu(x[i], max_value, float(p.slope), float(p.threshold))).margin(1e-7));
    }
  }
}

TEST_CASE("LeakyReLU and Softmax compute Keras's functions", "[layers][activation]") {
  set_backend(GENERATE(from_range(available_backends())));
  LeakyReLU leaky;
  CHECK(testing::run_forward(leaky, {1, 4}, {-2, -0.5f, 0, 3}, false) == std::vector<float>{-0.6f, -0.15f, 0, 3});
  Softmax softmax;
  const auto y = testing::run_forward(softmax, {2, 3}, {0, 0, 0, 1, 2, 3}, false);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(y[0] == Approx(1.0 / 3));
  CHECK(y[3] == Approx(std::exp(1.0) / z));
  CHECK(y[5] == Approx(std::exp(3.0) / z));
}

TEST_CASE("Activation layer gradients match finite differences", "[layers][activation][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto cases = activation_cases();
  const auto index = GENERATE_COPY(range(std::size_t{0}, cases.size()));
  const LayerCase& c = cases[index];
  INFO(c.label << " on " << current_backend().name() << ", input " << c.shape);
  auto layer = c.make();
  testing::check_gradients(*layer, c.shape);
}

TEST_CASE("Activation layer configs match Keras's keys and round-trip", "[layers][activation][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const LayerCase& c : activation_cases()) {
    INFO(c.label);
    testing::check_config_round_trip(c.make, c.shape.with_batch(kNone));
  }
  const nlohmann::json relu = ReLU().get_config();
  CHECK(relu["max_value"].is_null());
  CHECK(relu["negative_slope"] == 0.0);
  CHECK(relu["threshold"] == 0.0);
  CHECK(ReLU(6.0).get_config()["max_value"] == 6.0);
  CHECK(LeakyReLU().get_config()["negative_slope"] == 0.3);
  CHECK(Softmax().get_config()["axis"] == -1);
  // Keras 2 wrote LeakyReLU's slope as "alpha".
  auto leaky = Layer::from_config({{"class_name", "LeakyReLU"}, {"config", {{"alpha", 0.2}}}});
  CHECK(std::dynamic_pointer_cast<LeakyReLU>(leaky)->negative_slope() == 0.2);
}

TEST_CASE("Activation layers refuse bad arguments in Keras's words", "[layers][activation][errors]") {
  CHECK_THROWS_WITH(ReLU(-1.0), Catch::StartsWith("max_value of a ReLU layer cannot be a negative value"));
  CHECK_THROWS_WITH(ReLU(std::nullopt, -0.1), Catch::StartsWith("negative_slope of a ReLU layer cannot be None"));
  CHECK_THROWS_WITH(ReLU(std::nullopt, 0, -1), Catch::StartsWith("threshold of a ReLU layer cannot be None"));
  CHECK_THROWS_WITH(LeakyReLU(-0.3), Catch::StartsWith("The negative_slope value of a Leaky ReLU layer"));
  set_backend(available_backends().front());
  CHECK_THROWS_WITH(Softmax(1, {.name = "softmax_probe"}).build({kNone, 3, 4}),
                    Catch::Contains("layer \"softmax_probe\": Softmax supports only the last axis (axis=-1)"));
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "Softmax"}, {"config", {{"axis", {1, 2}}}}}), ValueError);
}
