// The convolution layers against real Keras: tests/golden/conv.json is written by
// tests/golden/make_conv_goldens.py (Keras 3 on JAX). Each case rebuilds the layer from Keras's
// own get_config(), sets Keras's weights and compares the forward output; it also compares our
// get_config() with Keras's, output shapes for symbolic inputs, and the text of Keras's errors.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/layer_checks.hpp"

using namespace strata;
using nlohmann::json;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("conv.json"); }

Shape shape_of(const json& dims) {
  std::vector<std::int64_t> out;
  for (const auto& d : dims) out.push_back(d.is_null() ? kNone : d.get<std::int64_t>());
  return Shape(out);
}

std::shared_ptr<Layer> from_keras(const std::string& class_name, const json& config) {
  return Layer::from_config({{"class_name", class_name}, {"config", config}});
}

}  // namespace

TEST_CASE("Convolution layers match Keras's outputs and configs", "[layers][conv][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  Backend& backend = current_backend();
  REQUIRE(goldens()["cases"].size() >= 20);
  for (const json& c : goldens()["cases"]) {
    const std::string name = c["name"];
    INFO(name << " on " << backend.name() << " (Keras " << goldens()["keras_version"].get<std::string>() << ")");
    auto layer = from_keras(c["class_name"], c["config"]);
    CHECK(layer->name() == name);
    CHECK(layer->get_config() == c["config"]);

    const Shape input_shape = shape_of(c["input_shape"]);
    CHECK(layer->compute_output_shape(input_shape.with_batch(kNone)) == shape_of(c["symbolic_output_shape"]));
    layer->build(input_shape);
    const auto weights = layer->weights();
    REQUIRE(weights.size() == c["weights"].size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const json& w = c["weights"][i];
      CHECK(weights[i]->name == w["name"].get<std::string>());
      REQUIRE(weights[i]->value.shape() == shape_of(w["shape"]));
      const auto values = w["values"].get<std::vector<float>>();
      backend.upload(values.data(), weights[i]->value);
    }

    const auto expected = c["output"].get<std::vector<double>>();
    for (bool training : {false, true}) {
      const auto y = testing::run_forward(*layer, input_shape, c["input"].get<std::vector<float>>(), training);
      REQUIRE(y.size() == expected.size());
      double worst = 0;
      for (std::size_t i = 0; i < y.size(); ++i)
        worst = std::max(worst, std::abs(y[i] - expected[i]) / (1.0 + std::abs(expected[i])));
      INFO("training " << training << ": largest difference " << worst);
      CHECK(worst <= 1e-5);
    }
    CHECK(layer->compute_output_shape(input_shape) == shape_of(c["output_shape"]));
  }
}

TEST_CASE("Convolution layers compute Keras's output shapes", "[layers][conv][golden]") {
  for (const json& s : goldens()["shapes"]) {
    INFO(s["class_name"].get<std::string>() << " " << s["kwargs"].dump() << " on " << s["input_shape"].dump());
    auto layer = from_keras(s["class_name"], s["kwargs"]);
    CHECK(layer->compute_output_shape(shape_of(s["input_shape"])) == shape_of(s["output_shape"]));
  }
}

TEST_CASE("Convolution layers raise Keras's error messages", "[layers][conv][golden][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const json& e : goldens()["errors"]) {
    INFO(e["class_name"].get<std::string>() << " " << e["kwargs"].dump() << " built on " << e["build_shape"].dump());
    const auto attempt = [&] {
      auto layer = from_keras(e["class_name"], e["kwargs"]);
      if (!e["build_shape"].is_null()) layer->build(shape_of(e["build_shape"]));
    };
    CHECK_THROWS_AS(attempt(), ValueError);
    CHECK_THROWS_WITH(attempt(), e["message"].get<std::string>());
  }
}
