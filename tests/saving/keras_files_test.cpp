// Files written by real Keras 3 (tests/golden/make_saving_goldens.py, committed under
// tests/golden/saving/): each .keras archive loads with its optimizer state, predicts what
// Keras predicted and continues training to the weights Keras reached; the .weights.h5 file,
// the legacy .h5 and the Keras 2 style JSON load into the same model.

#include <catch2/catch.hpp>

#include <fstream>

#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/two_layer_net.hpp"

using namespace strata;

namespace {

xt::xarray<float> array_of(const nlohmann::json& j) {
  const auto shape = j.at("shape").get<std::vector<std::size_t>>();
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  const auto& data = j.at("data");
  REQUIRE(data.size() == out.size());
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = data[i].get<float>();
  return out;
}

// One array or a list of them.
std::vector<xt::xarray<float>> arrays_of(const nlohmann::json& j) {
  std::vector<xt::xarray<float>> out;
  if (j.is_array()) {
    for (const auto& a : j) out.push_back(array_of(a));
  } else {
    out.push_back(array_of(j));
  }
  return out;
}

std::string golden_path(const std::string& file) { return std::string(STRATA_GOLDEN_DIR) + "/saving/" + file; }

void check_close(const xt::xarray<float>& got, const xt::xarray<float>& want, double rtol, double atol) {
  REQUIRE(got.shape() == want.shape());
  INFO("largest difference " << xt::amax(xt::abs(got - want))() << " (got " << got << ", want " << want << ")");
  CHECK(xt::allclose(got, want, rtol, atol));
}

void check_predictions(Model& model, const nlohmann::json& c) {
  const auto got = model.predict_outputs(arrays_of(c.at("inputs")), {.verbose = 0});
  const auto want = arrays_of(c.at("predictions"));
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) check_close(got[i], want[i], 1e-5, 1e-6);
}

}  // namespace

TEST_CASE("Keras's .keras files load, predict as Keras did and resume training as Keras did", "[saving][golden]") {
  testing::register_two_layer_net();
  set_backend(GENERATE(from_range(available_backends())));
  const auto& golden = testing::golden_file("saving/cases.json");
  for (const auto& c : golden.at("cases")) {
    const std::string name = c.at("name");
    INFO("case " << name);
    auto model = load_model(golden_path(c.at("files").at("keras")));
    check_predictions(*model, c);
    const auto saved = arrays_of(c.at("weights_at_save"));
    const auto weights = model->get_weights();
    REQUIRE(weights.size() == saved.size());
    for (std::size_t i = 0; i < saved.size(); ++i) CHECK(weights[i] == saved[i]);

    const auto& train = c.at("train");
    if (train.is_null()) continue;
    REQUIRE(model->compiled());
    CHECK(model->optimizer().iterations() == train.at("optimizer_iterations_at_save").get<std::int64_t>());
    const auto& logs = train.at("logs");
    for (std::size_t step = 0; step < train.at("batches").size(); ++step) {
      const auto& batch = train.at("batches")[step];
      const Logs got = model->train_on_batch(arrays_of(batch.at("x")), arrays_of(batch.at("y")));
      for (const auto& [key, value] : logs[step].items()) {
        INFO("step " << step << " log " << key);
        REQUIRE(got.count(key) == 1);
        CHECK(got.at(key) == Approx(value.get<double>()).epsilon(1e-5).margin(1e-6));
      }
    }
    const auto after = arrays_of(train.at("weights_after"));
    const auto trained = model->get_weights();
    REQUIRE(trained.size() == after.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
      INFO("weight " << i);
      check_close(trained[i], after[i], 1e-5, 1e-6);
    }
  }
}

TEST_CASE("Keras's .weights.h5, legacy .h5 and Keras 2 JSON files load into the same model", "[saving][golden]") {
  testing::register_two_layer_net();
  const auto& golden = testing::golden_file("saving/cases.json");
  for (const auto& c : golden.at("cases")) {
    const std::string name = c.at("name");
    INFO("case " << name);
    const auto& files = c.at("files");
    // .weights.h5 into the architecture the archive describes, uncompiled.
    auto model = load_model(golden_path(files.at("keras")), /*compile=*/false);
    model = model_from_json(model->to_json());
    model->load_weights(golden_path(files.at("weights_h5")));
    check_predictions(*model, c);

    if (c.at("kind") != "subclassed") {
      // Keras cannot read back its own legacy file of a subclassed model; Strata neither.
      auto legacy = load_model(golden_path(files.at("legacy_h5")));
      check_predictions(*legacy, c);
      auto weights_only = model_from_json(model->to_json());
      weights_only->load_weights(golden_path(files.at("legacy_h5")));
      check_predictions(*weights_only, c);
    }
    if (files.at("keras2_json").is_string()) {
      std::ifstream in(golden_path(files.at("keras2_json")));
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      auto keras2 = model_from_json(text);
      keras2->load_weights(golden_path(files.at("weights_h5")));
      check_predictions(*keras2, c);
    }
  }
}
