// The regularizer and constraint arguments of the layers: each layer reads Keras's config with
// them set and writes back exactly Keras's keys and values (so a Keras file with an L2
// regularizer loads, and Keras reads what Strata writes); the built weights carry them; a
// regularizer that cannot take its weight is refused naming the weight; a model read from
// Keras's JSON trains with the regularizers its file names.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api/regularization.hpp"
#include "regularization/golden_values.hpp"
#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/layer.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/model.hpp"
#include "strata/regularizers.hpp"
#include "strata/saving.hpp"

using nlohmann::json;
using namespace strata;
using strata::testing::regularizer_goldens;

namespace {

bool regularization_key(const std::string& key) {
  return key.find("regularizer") != std::string::npos || key.find("constraint") != std::string::npos;
}

// The regularizer and constraint keys of a config, with their values.
json regularization_keys(const json& config) {
  json out = json::object();
  for (const auto& [key, value] : config.items())
    if (regularization_key(key)) out[key] = value;
  return out;
}

}  // namespace

TEST_CASE("layer arguments: every layer reads and writes Keras's regularizer and constraint keys", "[regularizers]") {
  int layers = 0;
  for (const auto& entry : regularizer_goldens()["layer_configs"]) {
    INFO(entry["class_name"].get<std::string>() << " " << entry["config"]["name"].get<std::string>());
    const auto layer = Layer::from_config(entry);
    CHECK(regularization_keys(layer->get_config()) == regularization_keys(entry["config"]));
    ++layers;
  }
  CHECK(layers == 10);
}

TEST_CASE("layer arguments: the built weights carry their regularizers and constraints", "[regularizers]") {
  Dense dense(3, "linear",
              {.kernel_regularizer = "l2", .bias_regularizer = regularizers::L1(0.5), .kernel_constraint = "max_norm"});
  dense.build(Shape{kNone, 4});
  const auto weights = dense.weights();
  REQUIRE(weights.size() == 2);
  REQUIRE(weights[0]->regularizer != nullptr);
  CHECK(regularizers::serialize(*weights[0]->regularizer) == regularizers::serialize(regularizers::L2()));
  REQUIRE(weights[0]->constraint != nullptr);
  CHECK(weights[0]->constraint->class_name() == "MaxNorm");
  REQUIRE(weights[1]->regularizer != nullptr);
  CHECK(weights[1]->regularizer->class_name() == "L1");
  CHECK(weights[1]->constraint == nullptr);
  CHECK(dense.activity_regularizer() == nullptr);
}

TEST_CASE("layer arguments: a regularizer or constraint that cannot take its weight is refused at build",
          "[regularizers]") {
  Conv2D orthogonal(2, 3, "linear", {.kernel_regularizer = regularizers::OrthogonalRegularizer()});
  CHECK_THROWS_MATCHES(orthogonal.build(Shape{kNone, 8, 8, 1}), ValueError,
                       Catch::Message("weight \"" + orthogonal.name() +
                                      "/kernel\": Inputs to OrthogonalRegularizer must have rank 2. Received: "
                                      "inputs.shape=(3, 3, 1, 2)"));
  Dense dense(2, "linear", {.bias_constraint = constraints::MaxNorm(2, 1)});
  CHECK_THROWS_AS(dense.build(Shape{kNone, 3}), ValueError);
}

TEST_CASE("layer arguments: a Keras model JSON with regularizers and constraints keeps them", "[regularizers]") {
  const json& golden = regularizer_goldens()["training"];
  const auto model = model_from_json(golden["model_json"].dump());
  const auto weights = model->weights();
  REQUIRE(weights.size() == 4);
  CHECK(weights[0]->regularizer->class_name() == "L2");
  CHECK(weights[0]->constraint->class_name() == "MaxNorm");
  CHECK(weights[1]->regularizer->class_name() == "L1");
  CHECK(weights[2]->regularizer->class_name() == "L1L2");
  CHECK(weights[3]->constraint->class_name() == "NonNeg");
  CHECK_FALSE(detail::Penalties(*model).empty());
  const json written = json::parse(model->to_json());
  const auto& keras_layers = golden["model_json"]["config"]["layers"];
  const auto& strata_layers = written["config"]["layers"];
  REQUIRE(keras_layers.size() == strata_layers.size());
  for (std::size_t i = 0; i < keras_layers.size(); ++i) {
    INFO("layer " << i);
    CHECK(regularization_keys(strata_layers[i]["config"]) == regularization_keys(keras_layers[i]["config"]));
  }
}
