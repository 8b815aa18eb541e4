// Embedding, int32 inputs, masks, the recurrent layers and attention against real Keras: whole
// Functional models rebuilt from Keras's own JSON, with Keras's weights, give Keras's outputs
// and weight gradients on every backend (tests/golden/masking.json, recurrent.json and
// attention.json, written by tests/golden/make_masking_goldens.py, make_recurrent_goldens.py and
// make_attention_goldens.py), and the models Keras saved load with Keras's predictions.

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "strata/saving.hpp"
#include "strata/strata.hpp"
#include "strata/tensor_host.hpp"
#include "support/goldens.hpp"

using namespace strata;

using strata::testing::array_of;
using strata::testing::check_close;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("masking.json"); }

}  // namespace

TEST_CASE("Masking and recurrent goldens come from Keras 3", "[layers][masking][recurrent][golden]") {
  CHECK(goldens()["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(goldens()["cases"].size() >= 10);
  CHECK(testing::golden_file("recurrent.json")["cases"].size() >= 22);
  CHECK(testing::golden_file("attention.json")["cases"].size() >= 16);
}

TEST_CASE("Embedding, int32 inputs, masks, recurrent layers and attention match Keras in whole models",
          "[layers][masking][recurrent][attention][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::string file = GENERATE(as<std::string>(), "masking.json", "recurrent.json", "attention.json");
  for (const nlohmann::json& c : testing::golden_file(file)["cases"]) {
    INFO("case " << c["name"].get<std::string>() << " on " << current_backend().name());
    testing::check_model_case(c);
  }
}

TEST_CASE("Recurrent and attention models saved by Keras load with Keras's predictions",
          "[layers][recurrent][attention][golden][saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto [kind, files] = GENERATE(table<std::string, int>({{"recurrent", 9}, {"attention", 8}}));
  const int loaded = testing::check_keras_files(testing::golden_file(kind + ".json"),
                                                std::string(STRATA_GOLDEN_DIR) + "/" + kind + "/");
  CHECK(loaded == files);
}

TEST_CASE("A masked output's loss and metrics weigh its steps by the mask, as Keras's", "[layers][masking][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  const nlohmann::json& g = goldens()["masked_output"];
  auto model = model_from_json(g["model"].dump());
  const auto weights = model->weights();
  REQUIRE(weights.size() == g["weights"].size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const auto values = g["weights"][i].get<std::vector<float>>();
    current_backend().upload(values.data(), weights[i]->value);
  }
  model->compile(optimizers::SGD(0.5), "sparse_categorical_crossentropy", {"accuracy"}, {}, {"accuracy"});
  const auto tokens = array_of(g["tokens"], Shape{4, 5});
  const auto tags = array_of(g["tags"], Shape{4, 5});
  const auto sample_weight = array_of(g["sample_weight"], Shape{4});

  for (const auto& [key, options] :
       {std::pair<std::string, EvaluateOptions>{"evaluate", {.verbose = 0}},
        std::pair<std::string, EvaluateOptions>{"evaluate_weighted", {.verbose = 0, .sample_weight = sample_weight}}}) {
    INFO(key);
    const Logs logs = model->evaluate(tokens, tags, options);
    for (const auto& [name, value] : g[key].items()) {
      INFO(name << ": strata " << logs.at(name) << ", keras " << value.get<double>());
      CHECK(std::abs(logs.at(name) - value.get<double>()) <= 1e-5);
    }
  }
  // One SGD step: the gradient of the masked, weighted mean.
  model->fit(tokens, tags,
             {.batch_size = 4, .epochs = 1, .verbose = 0, .shuffle = false, .sample_weight = sample_weight});
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const auto after = to_host(weights[i]->value);
    check_close(after.data(), after.size(), g["weights_after_step"][i], weights[i]->path + " after one step");
  }
}
