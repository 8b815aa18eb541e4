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

using strata::testing::shape_of;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("masking.json"); }

void check_close(const float* actual, std::size_t size, const nlohmann::json& expected, const std::string& what) {
  REQUIRE(size == expected.size());
  for (std::size_t i = 0; i < size; ++i) {
    const double e = expected[i].get<double>();
    INFO(what << " element " << i << ": strata " << actual[i] << ", keras " << e);
    REQUIRE(std::abs(actual[i] - e) <= 1e-5 * std::max(1.0, std::abs(e)));
  }
}

xt::xarray<float> array_of(const nlohmann::json& values, const Shape& shape) {
  const auto flat = values.get<std::vector<float>>();
  std::vector<std::size_t> dims;
  for (auto d : shape.dims()) dims.push_back(static_cast<std::size_t>(d));
  xt::xarray<float> out = xt::xarray<float>::from_shape(dims);
  std::copy(flat.begin(), flat.end(), out.begin());
  return out;
}

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
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name << " on " << current_backend().name());
    auto model = model_from_json(c["model"].dump());

    const auto weights = model->weights();
    REQUIRE(weights.size() == c["weights"].size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
      REQUIRE(weights[i]->value.shape() == shape_of(c["weight_shapes"][i]));
      const auto values = c["weights"][i].get<std::vector<float>>();
      current_backend().upload(values.data(), weights[i]->value);
    }

    // The declared dtypes survive the round trip through Keras's JSON.
    std::vector<xt::xarray<float>> arrays;
    std::vector<Tensor> inputs;
    const auto dtypes = model->input_dtypes();
    REQUIRE(dtypes.size() == c["inputs"].size());
    for (std::size_t i = 0; i < dtypes.size(); ++i) {
      const nlohmann::json& input = c["inputs"][i];
      CHECK(dtype_name(dtypes[i]) == input["dtype"].get<std::string>());
      arrays.push_back(array_of(input["values"], shape_of(input["shape"])));
      if (dtypes[i] == DType::I32)
        inputs.push_back(from_host(current_backend(), xt::xarray<std::int32_t>(xt::cast<std::int32_t>(arrays.back()))));
      else
        inputs.push_back(from_host(current_backend(), arrays.back()));
    }

    // predict converts its float arrays to each input's dtype.
    const auto y =
        arrays.size() == 1 ? model->predict(arrays[0], {.verbose = 0}) : model->predict(Arrays(arrays), {.verbose = 0});
    CHECK(Shape(std::vector<std::int64_t>(y.shape().begin(), y.shape().end())) == shape_of(c["output_shape"]));
    check_close(y.data(), y.size(), c["output"], name + " output");

    // Weight gradients of L = sum(y * r).
    const auto outputs = model->run_step(inputs, true);
    const auto r = array_of(c["r"], outputs[0].shape());
    std::vector<Tensor> grads{from_host(current_backend(), r)};
    model->run_backward(grads);
    const auto trainable = model->trainable_weights();
    REQUIRE(trainable.size() == c["weight_grads"].size());
    for (std::size_t i = 0; i < trainable.size(); ++i) {
      const auto g = to_host(trainable[i]->grad);
      check_close(g.data(), g.size(), c["weight_grads"][i], name + " gradient of " + trainable[i]->path);
    }
  }
}

TEST_CASE("Recurrent and attention models saved by Keras load with Keras's predictions",
          "[layers][recurrent][attention][golden][saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto [kind, files] = GENERATE(table<std::string, int>({{"recurrent", 9}, {"attention", 8}}));
  const std::string dir = std::string(STRATA_GOLDEN_DIR) + "/" + kind + "/";
  int loaded = 0;
  for (const nlohmann::json& c : testing::golden_file(kind + ".json")["cases"]) {
    if (!c.contains("files")) continue;
    std::vector<xt::xarray<float>> arrays;
    for (const nlohmann::json& input : c["inputs"])
      arrays.push_back(array_of(input["values"], shape_of(input["shape"])));
    for (const nlohmann::json& file : c["files"]) {
      const std::string name = file.get<std::string>();
      INFO(name << " on " << current_backend().name());
      std::shared_ptr<Model> model;
      if (name.ends_with(".weights.h5")) {
        model = model_from_json(c["model"].dump());
        model->load_weights(dir + name);
      } else {
        model = load_model(dir + name, false);
      }
      const auto y = arrays.size() == 1 ? model->predict(arrays[0], {.verbose = 0})
                                        : model->predict(Arrays(arrays), {.verbose = 0});
      check_close(y.data(), y.size(), c["output"], name + " prediction");
      ++loaded;
    }
  }
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
