#include "support/goldens.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>

#include "strata/saving.hpp"
#include "strata/strata.hpp"
#include "strata/tensor_host.hpp"

namespace strata::testing {

const nlohmann::json& golden_file(const std::string& file) {
  static std::map<std::string, nlohmann::json> parsed;
  if (auto it = parsed.find(file); it != parsed.end()) return it->second;
  std::ifstream in(std::string(STRATA_GOLDEN_DIR) + "/" + file);
  REQUIRE(in.good());
  return parsed.emplace(file, nlohmann::json::parse(in)).first->second;
}

xt::xarray<float> array_of(const nlohmann::json& values, const Shape& shape) {
  const auto flat = values.get<std::vector<float>>();
  std::vector<std::size_t> dims;
  for (auto d : shape.dims()) dims.push_back(static_cast<std::size_t>(d));
  xt::xarray<float> out = xt::xarray<float>::from_shape(dims);
  REQUIRE(out.size() == flat.size());
  std::copy(flat.begin(), flat.end(), out.begin());
  return out;
}

void check_close(const float* actual, std::size_t size, const nlohmann::json& expected, const std::string& what) {
  REQUIRE(size == expected.size());
  for (std::size_t i = 0; i < size; ++i) {
    const double e = expected[i].get<double>();
    INFO(what << " element " << i << ": strata " << actual[i] << ", keras " << e);
    REQUIRE(std::abs(actual[i] - e) <= 1e-5 * std::max(1.0, std::abs(e)));
  }
}

namespace {

std::vector<xt::xarray<float>> case_arrays(const nlohmann::json& golden_case) {
  std::vector<xt::xarray<float>> arrays;
  for (const nlohmann::json& input : golden_case["inputs"])
    arrays.push_back(array_of(input["values"], shape_of(input["shape"])));
  return arrays;
}

}  // namespace

void check_model_case(const nlohmann::json& c) {
  const std::string name = c["name"].get<std::string>();
  auto model = model_from_json(c["model"].dump());

  const auto weights = model->weights();
  REQUIRE(weights.size() == c["weights"].size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    REQUIRE(weights[i]->value.shape() == shape_of(c["weight_shapes"][i]));
    const auto values = c["weights"][i].get<std::vector<float>>();
    current_backend().upload(values.data(), weights[i]->value);
  }

  // The declared dtypes survive the round trip through Keras's JSON.
  const std::vector<xt::xarray<float>> arrays = case_arrays(c);
  std::vector<Tensor> inputs;
  const auto dtypes = model->input_dtypes();
  REQUIRE(dtypes.size() == arrays.size());
  for (std::size_t i = 0; i < dtypes.size(); ++i) {
    CHECK(dtype_name(dtypes[i]) == c["inputs"][i]["dtype"].get<std::string>());
    if (dtypes[i] == DType::I32)
      inputs.push_back(from_host(current_backend(), xt::xarray<std::int32_t>(xt::cast<std::int32_t>(arrays[i]))));
    else
      inputs.push_back(from_host(current_backend(), arrays[i]));
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

int check_keras_files(const nlohmann::json& golden, const std::string& dir) {
  int loaded = 0;
  for (const nlohmann::json& c : golden["cases"]) {
    if (!c.contains("files")) continue;
    const std::vector<xt::xarray<float>> arrays = case_arrays(c);
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
      const auto y = model->predict(Arrays(arrays), {.verbose = 0});
      check_close(y.data(), y.size(), c["output"], name + " prediction");
      ++loaded;
    }
  }
  return loaded;
}

}  // namespace strata::testing
