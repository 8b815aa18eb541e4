// The merge layers against real Keras: configs and outputs from tests/golden/merge.json
// (written by tests/golden/make_merge_goldens.py), on every backend.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "strata/backend.hpp"
#include "strata/layer.hpp"
#include "support/goldens.hpp"

using namespace strata;

using strata::testing::shape_of;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("merge.json"); }

}  // namespace

TEST_CASE("Merge goldens come from Keras 3", "[layers][merge][golden]") {
  CHECK(goldens()["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(goldens()["cases"].size() >= 20);
}

TEST_CASE("Merge layers match Keras", "[layers][merge][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const nlohmann::json& c : goldens()["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name << " (" << c["class_name"].get<std::string>() << ") on " << current_backend().name());

    // Keras's config builds the layer, and the layer writes that config back.
    auto layer = Layer::from_config({{"class_name", c["class_name"]}, {"config", c["config"]}});
    CHECK(layer->class_name() == c["class_name"]);
    CHECK(layer->get_config() == c["config"]);

    std::vector<Tensor> inputs;
    std::vector<Shape> symbolic;
    for (const nlohmann::json& input : c["inputs"]) {
      const Shape shape = shape_of(input["shape"]);
      inputs.emplace_back(current_backend(), shape);
      const auto values = input["values"].get<std::vector<float>>();
      current_backend().upload(values.data(), inputs.back());
      symbolic.push_back(shape.with_batch(kNone));
    }
    const Shape want = shape_of(c["output_shape"]);
    // Concatenate along the batch axis sums batch sizes, which None does not show.
    if (want[0] == inputs[0].shape()[0]) CHECK(layer->compute_output_shape_inputs(symbolic) == want.with_batch(kNone));
    const Tensor y = (*layer)(std::span<const Tensor>(inputs));
    REQUIRE(y.shape() == want);
    std::vector<float> got(static_cast<std::size_t>(y.size()));
    current_backend().download(y, got.data());
    const nlohmann::json& expected = c["output"];
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double e = expected[i].get<double>();
      INFO("element " << i << ": strata " << got[i] << ", keras " << e);
      REQUIRE(std::abs(got[i] - e) <= 1e-5 * std::max(1.0, std::abs(e)));
    }
  }
}
