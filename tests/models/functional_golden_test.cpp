// Functional models against real Keras: model.summary() byte for byte (with the "Connected to"
// column), the layer order and the weight count, from tests/golden/functional.json (written by
// tests/golden/make_functional_goldens.py).

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "strata/strata.hpp"
#include "support/goldens.hpp"

using namespace strata;

namespace {

const nlohmann::json& golden(const std::string& name) {
  for (const auto& c : testing::golden_file("functional.json").at("cases"))
    if (c.at("name") == name) return c;
  FAIL("no golden case " << name);
  throw;
}

void check_against_keras(const Model& model) {
  const auto& expected = golden(model.name());
  std::vector<std::string> names;
  for (const Layer* layer : model.layers()) names.push_back(layer->name());
  CHECK(names == expected.at("layers").get<std::vector<std::string>>());
  CHECK(const_cast<Model&>(model).weights().size() == expected.at("weights").get<std::size_t>());
  std::ostringstream out;
  model.summary(out, 108);
  CHECK(out.str() == expected.at("summary").get<std::string>());
}

}  // namespace

TEST_CASE("Functional summaries match Keras's, Connected to column included", "[models][functional][golden]") {
  {
    auto image = Input({4}, {.name = "image"});
    auto meta = Input({3}, {.name = "meta"});
    auto h = Dense(8, "relu", {.name = "dense"})(image);
    h = Concatenate(-1, {.name = "concatenate"})({h, meta});
    Model model({image, meta}, Dense(2, "linear", {.name = "out"})(h), "two_inputs");
    check_against_keras(model);
  }
  {
    auto x = Input({6}, {.name = "x"});
    Dense shared(6, "tanh", {.name = "shared"});
    auto h = shared(x);
    auto h2 = shared(h);
    auto s = Add({.name = "add"})({h, h2});
    Model model(x, {Dense(3, "softmax", {.name = "cls"})(s), Dense(1, "linear", {.name = "aux"})(s)},
                "residual_shared");
    check_against_keras(model);
  }
  {
    auto block =
        std::make_shared<Sequential>(std::initializer_list<SequentialItem>{Dense(5, "relu", {.name = "inner_dense"}),
                                                                           Dense(4, "linear", {.name = "inner_out"})},
                                     "block");
    auto x = Input({4}, {.name = "features"});
    Model model(x, Dense(2, "linear", {.name = "head"})((*block)(x)), "nested");
    check_against_keras(model);
  }
}
