#include "support/model_checks.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "strata/backend.hpp"
#include "strata/tensor_host.hpp"

namespace strata::testing {

xt::xarray<float> random_array(const std::vector<std::size_t>& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  for (float& v : out) v = dist(rng);
  return out;
}

namespace {

struct Probe {
  Model& model;
  std::vector<Tensor> inputs;
  std::vector<std::vector<float>> weights;  // r_i per output

  double loss() {
    const auto outputs = model.run_step(inputs, true);
    double total = 0;
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const auto y = to_host(outputs[o]);
      for (std::size_t i = 0; i < y.size(); ++i) total += double(y.data()[i]) * weights[o][i];
    }
    return total;
  }
};

}  // namespace

void check_model_gradients(Model& model, const std::vector<xt::xarray<float>>& inputs, double tolerance,
                           float epsilon) {
  Backend& backend = model.weights().empty() ? current_backend() : model.weights().front()->value.backend();
  Probe probe{model, {}, {}};
  // Each input in the dtype the model takes it in (int32 indices for an Embedding).
  // A model not built yet (a subclass) builds at its first step, from float32 inputs.
  const auto dtypes = model.built() ? model.input_dtypes() : std::vector<DType>(inputs.size(), DType::F32);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    probe.inputs.push_back(dtypes[i] == DType::I32
                               ? from_host(backend, xt::xarray<std::int32_t>(xt::cast<std::int32_t>(inputs[i])))
                               : from_host(backend, inputs[i]));

  // Analytic: one step and backward from r.
  const auto outputs = model.run_step(probe.inputs, true);
  std::vector<Tensor> grads;
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const auto shape = outputs[o].shape().to_vector();
    std::vector<std::size_t> dims(shape.begin(), shape.end());
    const auto r = random_array(dims, 100 + o);
    probe.weights.emplace_back(r.begin(), r.end());
    grads.push_back(from_host(backend, r));
  }
  model.run_backward(grads);
  const std::uint32_t step = model.last_training_step();
  std::vector<Variable*> trainable = model.trainable_weights();
  std::vector<std::vector<float>> analytic;
  for (Variable* v : trainable) {
    if (v->grad_step == step) {
      const auto g = to_host(v->grad);
      analytic.emplace_back(g.begin(), g.end());
    } else {
      analytic.emplace_back(static_cast<std::size_t>(v->value.size()), 0.f);  // not reached: zero
    }
  }

  // Numeric: perturb each weight element on the host.
  for (std::size_t w = 0; w < trainable.size(); ++w) {
    Variable& v = *trainable[w];
    auto values = to_host(v.value);
    double scale = 1.0;
    for (float g : analytic[w]) scale = std::max(scale, double(std::abs(g)));
    for (std::size_t i = 0; i < values.size(); ++i) {
      const float saved = values.data()[i];
      values.data()[i] = saved + epsilon;
      backend.upload(values.data(), v.value);
      const double plus = probe.loss();
      values.data()[i] = saved - epsilon;
      backend.upload(values.data(), v.value);
      const double minus = probe.loss();
      values.data()[i] = saved;
      backend.upload(values.data(), v.value);
      const double numeric = (plus - minus) / (2.0 * epsilon);
      INFO("weight " << v.path << " element " << i << ": analytic " << analytic[w][i] << ", numeric " << numeric);
      CHECK(std::abs(numeric - analytic[w][i]) <= tolerance * scale);
    }
  }
}

}  // namespace strata::testing
