#include "support/layer_checks.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "strata/backend.hpp"
#include "strata/random.hpp"

namespace strata::testing {

std::vector<float> random_values(std::int64_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> out(static_cast<std::size_t>(count));
  for (float& v : out) v = dist(rng);
  return out;
}

std::vector<float> iota(std::int64_t n, float start) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = start + float(i);
  return v;
}

std::vector<float> run_forward(Layer& layer, const Shape& shape, const std::vector<float>& input, bool training) {
  Backend& backend = current_backend();
  Tensor x(backend, shape);
  backend.upload(input.data(), x);
  const Tensor y = layer(x, training);
  std::vector<float> out(static_cast<std::size_t>(y.size()));
  backend.download(y, out.data());
  return out;
}

namespace {

double weighted_sum(const std::vector<float>& y, const std::vector<float>& r) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += double(y[i]) * r[i];
  return s;
}

// A numeric derivative from central differences, with the two one-sided estimates kept so a
// kink (relu at 0, selu's corner) inside the step can be recognised and left out.
struct NumericDerivative {
  double central = 0;
  double one_sided_gap = 0;  // |forward - backward difference|: about f'' * epsilon when smooth
};

template <class LossAt>
NumericDerivative differentiate(LossAt&& loss_at, float& value, float epsilon, double at_value) {
  const float saved = value;
  value = saved + epsilon;
  const double plus = loss_at();
  value = saved - epsilon;
  const double minus = loss_at();
  value = saved;
  return {(plus - minus) / (2.0 * epsilon), std::abs((plus - at_value) - (at_value - minus)) / epsilon};
}

void compare(const std::vector<float>& analytic, const std::vector<NumericDerivative>& numeric, double tolerance,
             const std::string& what) {
  double scale = 1.0;
  for (const auto& d : numeric) scale = std::max(scale, std::abs(d.central));
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    // Where the one-sided estimates disagree by more than the tolerance, the step crossed a
    // kink and the central difference means nothing.
    if (numeric[i].one_sided_gap > tolerance * scale) {
      ++skipped;
      continue;
    }
    INFO(what << " element " << i << ": analytic " << analytic[i] << ", numeric " << numeric[i].central);
    REQUIRE(std::abs(analytic[i] - numeric[i].central) <= tolerance * scale);
  }
  INFO(what << ": " << skipped << " of " << analytic.size() << " elements sit on a kink");
  REQUIRE(skipped * 4 <= analytic.size());
}

std::vector<float> download(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

// dL/dx and every trainable weight's gradient, on the host.
struct Gradients {
  std::vector<float> dx;
  std::vector<std::vector<float>> weights;
};

// A training call on host `input`, then backward with dL/dy = random values (seed 11).
Gradients train_and_backward(Layer& layer, const Shape& shape, const std::vector<float>& input) {
  Backend& backend = current_backend();
  Tensor x(backend, shape);
  backend.upload(input.data(), x);
  const Tensor y = layer(x, true);
  const std::vector<float> r = random_values(y.size(), 11);
  Tensor dy(backend, y.shape());
  backend.upload(r.data(), dy);
  Gradients out;
  out.dx = download(layer.backward(dy, true));
  for (Variable* w : layer.trainable_weights()) out.weights.push_back(download(w->grad));
  return out;
}

void require_close(const std::vector<float>& actual, const std::vector<float>& expected, const std::string& what) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO(what << " element " << i);
    REQUIRE(actual[i] == Approx(expected[i]).epsilon(1e-5).margin(1e-6));
  }
}

}  // namespace

void check_backward_uses_last_call(Layer& layer, const Shape& input_shape) {
  constexpr std::uint64_t kSeed = 17;
  layer.build(input_shape);
  // The expected gradients come from a fresh copy of the layer (same config, same weights),
  // which has no earlier call to leak into them.
  auto fresh = Layer::from_config({{"class_name", layer.class_name()}, {"config", layer.get_config()}});
  fresh->build(input_shape);
  const auto from = layer.weights();
  const auto to = fresh->weights();
  REQUIRE(from.size() == to.size());
  for (std::size_t i = 0; i < from.size(); ++i) current_backend().copy(from[i]->value, to[i]->value);
  const std::vector<float> input = random_values(input_shape.num_elements(), 23);
  set_random_seed(kSeed);
  const Gradients expected = train_and_backward(*fresh, input_shape, input);

  // The other calls take other batch sizes, so a layer that kept a shape or a buffer of
  // theirs fails loudly.
  const Shape other_shape = input_shape.with_batch(input_shape[0] + 1);
  const Shape inference_shape = input_shape.with_batch(input_shape[0] + 2);
  train_and_backward(layer, other_shape, random_values(other_shape.num_elements(), 29));
  run_forward(layer, inference_shape, random_values(inference_shape.num_elements(), 31), false);
  set_random_seed(kSeed);
  const Gradients actual = train_and_backward(layer, input_shape, input);

  require_close(actual.dx, expected.dx, layer.name() + " dL/dx of the last training call");
  const auto weights = layer.trainable_weights();
  REQUIRE(actual.weights.size() == weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i)
    require_close(actual.weights[i], expected.weights[i], weights[i]->path + " gradient of the last training call");
}

void check_gradients(Layer& layer, const Shape& input_shape, double tolerance, float epsilon) {
  Backend& backend = current_backend();
  std::vector<float> input = random_values(input_shape.num_elements(), 7);
  layer.build(input_shape);
  check_backward_uses_last_call(layer, input_shape);
  const std::vector<float> y0 = run_forward(layer, input_shape, input, true);
  const std::vector<float> r = random_values(static_cast<std::int64_t>(y0.size()), 11);

  // Analytic gradients: one training forward, then backward with dL/dy = r.
  Tensor x(backend, input_shape);
  backend.upload(input.data(), x);
  const Tensor y = layer(x, true);
  Tensor dy(backend, y.shape());
  backend.upload(r.data(), dy);
  const Tensor dx = layer.backward(dy, true);
  REQUIRE(dx.defined());
  REQUIRE(dx.shape() == input_shape);
  std::vector<float> dx_host(static_cast<std::size_t>(dx.size()));
  backend.download(dx, dx_host.data());

  const auto loss_of = [&](const std::vector<float>& in) {
    return weighted_sum(run_forward(layer, input_shape, in, false), r);
  };
  const double at_input = loss_of(input);

  std::vector<NumericDerivative> numeric(input.size());
  for (std::size_t i = 0; i < input.size(); ++i)
    numeric[i] = differentiate([&] { return loss_of(input); }, input[i], epsilon, at_input);
  compare(dx_host, numeric, tolerance, layer.name() + " dL/dx");

  for (Variable* w : layer.trainable_weights()) {
    std::vector<float> analytic(static_cast<std::size_t>(w->grad.size()));
    backend.download(w->grad, analytic.data());
    std::vector<float> value(static_cast<std::size_t>(w->value.size()));
    backend.download(w->value, value.data());
    std::vector<NumericDerivative> num(value.size());
    const auto loss_with_weights = [&] {
      backend.upload(value.data(), w->value);
      return loss_of(input);
    };
    for (std::size_t i = 0; i < value.size(); ++i)
      num[i] = differentiate(loss_with_weights, value[i], epsilon, at_input);
    backend.upload(value.data(), w->value);
    compare(analytic, num, tolerance, w->path);
  }
}

void check_config_round_trip(const std::function<std::shared_ptr<Layer>()>& make, const Shape& input_shape) {
  Backend& backend = current_backend();
  auto layer = make();
  layer->build(input_shape);
  const Shape batch_shape = input_shape.with_batch(3);
  const std::vector<float> input = random_values(batch_shape.num_elements(), 3);
  const std::vector<float> y = run_forward(*layer, batch_shape, input, false);
  REQUIRE(layer->compute_output_shape(batch_shape).num_elements() == static_cast<std::int64_t>(y.size()));

  const nlohmann::json config = layer->get_config();
  auto copy = Layer::from_config({{"class_name", layer->class_name()}, {"config", config}});
  REQUIRE(copy->class_name() == layer->class_name());
  REQUIRE(copy->get_config() == config);

  copy->build(input_shape);
  auto from = layer->weights();
  auto to = copy->weights();
  REQUIRE(from.size() == to.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    REQUIRE(from[i]->value.shape() == to[i]->value.shape());
    backend.copy(from[i]->value, to[i]->value);
  }
  REQUIRE(run_forward(*copy, batch_shape, input, false) == y);
}

}  // namespace strata::testing

// ---- several inputs -------------------------------------------------------------------------
// (Its includes sit here so the helpers above stay untouched.)

#include <span>

#include "api/engine/engine_state.hpp"
#include "api/engine/tape.hpp"
#include "strata/initializers.hpp"

namespace strata::testing {

namespace {

// Makes one input of the layer under test on the tape: outputs its `value` weight (whatever it
// is called on), so the tape hands dL/d input to that weight's gradient.
class HeldInput : public Layer {
 public:
  HeldInput(const Shape& shape, const std::vector<float>& values) : Layer("held_input", std::string()), shape_(shape) {
    build(Shape{1});
    backend().upload(values.data(), value_->value);
  }
  std::string class_name() const override { return "HeldInput"; }
  const Variable& value() const { return *value_; }

 protected:
  void build_weights(const Shape&) override { value_ = &add_weight("value", shape_, *Initializer::from_name("zeros")); }
  Tensor forward(const Tensor&, bool) override {
    Tensor& out = buffer(0, shape_);
    backend().copy(value_->value, out);
    return out;
  }
  Tensor backward_impl(const Tensor& dy, bool) override {
    backend().copy(dy, value_->grad);
    return {};
  }

 private:
  Shape shape_;
  Variable* value_ = nullptr;
};

std::vector<Tensor> upload_all(std::span<const Shape> shapes, const std::vector<std::vector<float>>& values) {
  Backend& backend = current_backend();
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    out.emplace_back(backend, shapes[i]);
    backend.upload(values[i].data(), out.back());
  }
  return out;
}

}  // namespace

void check_gradients_inputs(Layer& layer, std::span<const Shape> input_shapes, double tolerance, float epsilon) {
  Backend& backend = current_backend();
  std::vector<std::vector<float>> inputs;
  for (std::size_t i = 0; i < input_shapes.size(); ++i)
    inputs.push_back(random_values(input_shapes[i].num_elements(), 7 + i));
  layer.build(input_shapes);
  const auto loss_of = [&](const std::vector<float>& r) {
    const std::vector<Tensor> xs = upload_all(input_shapes, inputs);
    return weighted_sum(download(layer(std::span<const Tensor>(xs), false)), r);
  };
  const std::vector<Tensor> first = upload_all(input_shapes, inputs);
  const std::vector<float> r = random_values(layer(std::span<const Tensor>(first), false).size(), 11);

  // Analytic: one recorded training step, then the tape's backward from dL/dy = r.
  std::vector<std::shared_ptr<HeldInput>> held;
  for (std::size_t i = 0; i < input_shapes.size(); ++i)
    held.push_back(std::make_shared<HeldInput>(input_shapes[i], inputs[i]));
  detail::Tape tape;
  {
    const detail::EngineScope scope({.tape = &tape, .training = true, .caller = nullptr});
    tape.begin();
    const Tensor dummy(backend, Shape{1});
    std::vector<Tensor> xs;
    for (auto& h : held) xs.push_back((*h)(dummy, true));
    const Tensor y = layer(std::span<const Tensor>(xs), true);
    Tensor dy(backend, y.shape());
    REQUIRE(static_cast<std::size_t>(dy.size()) == r.size());
    backend.upload(r.data(), dy);
    tape.backward(std::span<const Tensor>(&y, 1), std::span<const Tensor>(&dy, 1));
  }

  const double at_input = loss_of(r);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::vector<NumericDerivative> numeric(inputs[i].size());
    for (std::size_t k = 0; k < inputs[i].size(); ++k)
      numeric[k] = differentiate([&] { return loss_of(r); }, inputs[i][k], epsilon, at_input);
    compare(download(held[i]->value().grad), numeric, tolerance, layer.name() + " dL/d input " + std::to_string(i));
  }
  for (Variable* w : layer.trainable_weights()) {
    std::vector<float> value = download(w->value);
    std::vector<NumericDerivative> num(value.size());
    const auto loss_with_weights = [&] {
      backend.upload(value.data(), w->value);
      return loss_of(r);
    };
    for (std::size_t k = 0; k < value.size(); ++k)
      num[k] = differentiate(loss_with_weights, value[k], epsilon, at_input);
    backend.upload(value.data(), w->value);
    compare(download(w->grad), num, tolerance, w->path);
  }
}

}  // namespace strata::testing
