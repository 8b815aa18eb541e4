// Pooling, normalization, reshaping and activation layers against real Keras: configs, outputs
// and BatchNormalization's moving statistics from tests/golden/layers.json (written by
// tests/golden/make_layer_goldens.py).

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

using strata::testing::shape_of;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("layers.json"); }

void check_close(const std::vector<float>& actual, const nlohmann::json& expected, const std::string& what) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double e = expected[i].get<double>();
    INFO(what << " element " << i << ": strata " << actual[i] << ", keras " << e);
    REQUIRE(std::abs(actual[i] - e) <= 1e-5 * std::max(1.0, std::abs(e)));
  }
}

std::vector<float> download(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

}  // namespace

TEST_CASE("Layer goldens come from Keras 3", "[layers][golden]") {
  CHECK(goldens()["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(goldens()["cases"].size() >= 40);
}

TEST_CASE("Pooling, normalization, reshaping and activation layers match Keras", "[layers][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const nlohmann::json& c : goldens()["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name << " (" << c["class_name"].get<std::string>() << ") on " << current_backend().name());

    // Keras's config builds the layer, and the layer writes that config back.
    auto layer = Layer::from_config({{"class_name", c["class_name"]}, {"config", c["config"]}});
    CHECK(layer->class_name() == c["class_name"]);
    CHECK(layer->get_config() == c["config"]);

    const nlohmann::json& calls = c["calls"];
    layer->build(shape_of(calls[0]["input_shape"]).with_batch(kNone));
    const auto weights = layer->weights();
    REQUIRE(weights.size() == c["weights"].size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
      CHECK(weights[i]->name == c["weight_names"][i]);
      REQUIRE(weights[i]->value.shape() == shape_of(c["weight_shapes"][i]));
      const auto values = c["weights"][i].get<std::vector<float>>();
      current_backend().upload(values.data(), weights[i]->value);
    }

    for (std::size_t k = 0; k < calls.size(); ++k) {
      const nlohmann::json& call = calls[k];
      INFO("call " << k << (call["training"].get<bool>() ? " (training)" : " (inference)"));
      const Shape shape = shape_of(call["input_shape"]);
      CHECK(layer->compute_output_shape(shape) == shape_of(call["output_shape"]));
      const auto y =
          testing::run_forward(*layer, shape, call["input"].get<std::vector<float>>(), call["training"].get<bool>());
      check_close(y, call["output"], name + " output");
      for (std::size_t i = 0; i < weights.size(); ++i)
        check_close(download(weights[i]->value), call["weights_after"][i], name + " " + weights[i]->name);
    }
  }
}
