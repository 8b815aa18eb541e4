// The reference backend is the oracle every other backend is judged against, so its own tests
// prove it two ways: known values worked out by hand (the arithmetic is in the comments), and
// central differences against every gradient it computes.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "backends/dropout_mask.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

double sum_of(const std::vector<float>& v) {
  double s = 0.0;
  for (const float x : v) s += x;
  return s;
}

}  // namespace

// ---- memory -------------------------------------------------------------------------------

TEST_CASE("reference: name and registry", "[backends][reference]") {
  CHECK(ref().name() == "reference");
  CHECK(&get_backend("reference") == &ref());
}

TEST_CASE("reference: storage is 64-byte aligned, also when empty", "[backends][reference]") {
  for (std::int64_t n : {0, 1, 3, 17, 1000}) {
    Tensor t(ref(), Shape{n});
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw()) % 64 == 0);
  }
  auto storage = ref().allocate(10);
  CHECK(storage->bytes() == 10);
}

TEST_CASE("reference: upload, download, copy, fill", "[backends][reference]") {
  Tensor a = tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(host(a) == std::vector<float>{1, 2, 3, 4, 5, 6});

  Tensor b(ref(), {2, 3});
  ref().copy(a, b);
  CHECK(host(b) == std::vector<float>{1, 2, 3, 4, 5, 6});

  ref().fill(b, -2.5f);
  CHECK(host(b) == std::vector<float>(6, -2.5f));
  CHECK(host(a) == std::vector<float>{1, 2, 3, 4, 5, 6});  // copy made its own bytes

  // A reshaped view shares memory with its source.
  Tensor flat = a.reshaped({6});
  ref().fill(flat, 7.f);
  CHECK(host(a) == std::vector<float>(6, 7.f));
}

// ---- dense --------------------------------------------------------------------------------

TEST_CASE("reference: matmul and dense_forward known values", "[backends][reference]") {
  // x = [[1 2 3] [4 5 6]], w = [[1 0] [0 1] [1 -1]]
  // x w = [[1+3, 2-3], [4+6, 5-6]] = [[4, -1], [10, -1]]
  Tensor x = tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = tensor({3, 2}, {1, 0, 0, 1, 1, -1});
  Tensor xt = tensor({3, 2}, {1, 4, 2, 5, 3, 6});   // x transposed
  Tensor wt = tensor({2, 3}, {1, 0, 1, 0, 1, -1});  // w transposed
  const std::vector<double> xw = {4, -1, 10, -1};

  Tensor c(ref(), {2, 2});
  ref().matmul(x, false, w, false, c);
  check_close(host(c), xw);
  ref().matmul(xt, true, w, false, c);
  check_close(host(c), xw);
  ref().matmul(x, false, wt, true, c);
  check_close(host(c), xw);
  ref().matmul(xt, true, wt, true, c);
  check_close(host(c), xw);

  // Non-square result: w^T (2, 3) x^T (3, 2) = (x w)^T = [[4, 10], [-1, -1]].
  ref().matmul(wt, false, xt, false, c);
  check_close(host(c), {4, 10, -1, -1});

  // + b = [0.5, -10] -> [[4.5, -11], [10.5, -11]]; relu -> [[4.5, 0], [10.5, 0]]
  Tensor b = tensor({2}, {0.5f, -10.f});
  Tensor y(ref(), {2, 2});
  ref().dense_forward(x, w, &b, ActivationFunction{}, y);
  check_close(host(y), {4.5, -11, 10.5, -11});
  ref().dense_forward(x, w, &b, ActivationFunction::from_name("relu"), y);
  check_close(host(y), {4.5, 0, 10.5, 0});
  ref().dense_forward(x, w, nullptr, ActivationFunction::from_name("relu"), y);
  check_close(host(y), {4, 0, 10, 0});
  // softmax of [4.5, -11] = [1 / (1 + e^-15.5), e^-15.5 / (1 + e^-15.5)]
  ref().dense_forward(x, w, &b, ActivationFunction::from_name("softmax"), y);
  const double tail = std::exp(-15.5) / (1 + std::exp(-15.5));
  const double tail2 = std::exp(-21.5) / (1 + std::exp(-21.5));
  check_close(host(y), {1 - tail, tail, 1 - tail2, tail2}, 1e-6, 1e-12);
}

TEST_CASE("reference: matmul accumulates beyond f32", "[backends][reference]") {
  // 2^24 + 1 - 2^24 in f32 loses the 1; the oracle keeps it.
  Tensor a = tensor({1, 3}, {16777216.f, 1.f, -16777216.f});
  Tensor b = tensor({3, 1}, {1, 1, 1});
  Tensor c(ref(), {1, 1});
  ref().matmul(a, false, b, false, c);
  CHECK(host(c)[0] == 1.f);
}

TEST_CASE("reference: sum_rows", "[backends][reference]") {
  // [[1 2] [3 4] [5 6]] -> [1+3+5, 2+4+6] = [9, 12]
  Tensor x = tensor({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor out(ref(), {2});
  ref().sum_rows(x, out);
  check_close(host(out), {9, 12});
}

// ---- activations --------------------------------------------------------------------------

TEST_CASE("reference: activation_forward known values", "[backends][reference]") {
  const std::vector<float> xs = {-2.f, -0.5f, 0.f, 1.5f};
  auto forward = [&](const ActivationFunction& act) {
    Tensor x = tensor({4}, xs);
    Tensor y(ref(), {4});
    ref().activation_forward(act, x, y);
    return host(y);
  };
  auto named = [&](const char* name) { return forward(ActivationFunction::from_name(name)); };

  check_close(named("linear"), {-2, -0.5, 0, 1.5});
  check_close(named("relu"), {0, 0, 0, 1.5});
  // 1 / (1 + e^-x)
  check_close(named("sigmoid"), {0.11920292202211755, 0.3775406687981454, 0.5, 0.8175744761936437});
  check_close(named("tanh"), {-0.9640275800758169, -0.46211715726000974, 0, 0.9051482536448664});
  // e^x - 1 for x <= 0: e^-2 - 1, e^-0.5 - 1
  check_close(named("elu"), {-0.8646647167633873, -0.3934693402873666, 0, 1.5});
  check_close(forward({ActivationKind::Elu, 0.5f}), {-0.43233235838169365, -0.1967346701436833, 0, 1.5});
  // 1.0507009873554805 * 1.6732632423543772 * (e^x - 1) for x <= 0, 1.0507... * x above
  check_close(named("selu"), {-1.520166468595695, -0.6917581878028713, 0, 1.5760514810332207});
  // x * Phi(x): Phi(-2) = 0.022750131948179, Phi(-0.5) = 0.308537538725987, Phi(1.5) =
  // 0.933192798731142
  check_close(named("gelu"), {-0.04550026389635842, -0.15426876936299344, 0, 1.399789198096713});
  check_close(named("leaky_relu"), {-0.4, -0.1, 0, 1.5});
  // log(1 + e^x); log 2 at 0
  check_close(named("softplus"), {0.1269280110429725, 0.4740769841801067, 0.6931471805599453, 1.7014132779827524});
  // x * sigmoid(x)
  check_close(named("swish"), {-0.2384058440442351, -0.1887703343990727, 0, 1.2263617142904655});
  check_close(named("silu"), {-0.2384058440442351, -0.1887703343990727, 0, 1.2263617142904655});
}

TEST_CASE("reference: softmax over the last axis, stable for large inputs", "[backends][reference]") {
  // softmax([1, 2, 3]) = e^{1,2,3} / (e + e^2 + e^3); shifting every input leaves it unchanged,
  // and 1000 would overflow exp without the max subtraction.
  Tensor x = tensor({2, 3}, {1, 2, 3, 1000, 1001, 1002});
  Tensor y(ref(), {2, 3});
  ref().activation_forward(ActivationFunction::from_name("softmax"), x, y);
  const std::vector<double> p = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};
  check_close(host(y), {p[0], p[1], p[2], p[0], p[1], p[2]});

  Tensor big = tensor({1, 2}, {-1e30f, 1e30f});
  Tensor out(ref(), {1, 2});
  ref().activation_forward(ActivationFunction::from_name("softmax"), big, out);
  CHECK(host(out) == std::vector<float>{0.f, 1.f});

  // In place: y may be x.
  ref().activation_forward(ActivationFunction::from_name("softmax"), x, x);
  check_close(host(x), {p[0], p[1], p[2], p[0], p[1], p[2]});
}

TEST_CASE("reference: activation_backward known values", "[backends][reference]") {
  SECTION("relu: the kink at 0 takes the left derivative, as TF does") {
    Tensor x = tensor({3}, {-1, 0, 2});
    Tensor y = tensor({3}, {0, 0, 2});
    Tensor dy = tensor({3}, {5, 6, 7});
    Tensor dx(ref(), {3});
    ref().activation_backward(ActivationFunction::from_name("relu"), x, y, dy, dx);
    check_close(host(dx), {0, 0, 7});
  }
  SECTION("sigmoid from its output: y (1 - y) dy") {
    Tensor y = tensor({2}, {0.5f, 0.25f});
    Tensor dy = tensor({2}, {2, 4});
    Tensor dx(ref(), {2});
    ref().activation_backward(ActivationFunction::from_name("sigmoid"), Tensor{}, y, dy, dx);
    check_close(host(dx), {0.5, 0.75});  // 0.25 * 2, 0.1875 * 4
  }
  SECTION("gelu from its input: Phi(x) + x phi(x)") {
    Tensor x = tensor({1}, {1.5f});
    Tensor y(ref(), {1});
    ref().activation_forward(ActivationFunction::from_name("gelu"), x, y);
    Tensor dy = tensor({1}, {2});
    Tensor dx(ref(), {1});
    ref().activation_backward(ActivationFunction::from_name("gelu"), x, y, dy, dx);
    // 0.933192798731142 + 1.5 * e^{-1.125} / sqrt(2 pi) = 1.1274691922299795
    check_close(host(dx), {2 * 1.1274691922299795});
  }
  SECTION("softmax: y * (dy - sum(dy * y))") {
    // y = [0.2 0.3 0.5], dy = [1 0 0]: sum = 0.2 -> [0.2 * 0.8, 0.3 * -0.2, 0.5 * -0.2]
    Tensor y = tensor({1, 3}, {0.2f, 0.3f, 0.5f});
    Tensor dy = tensor({1, 3}, {1, 0, 0});
    Tensor dx(ref(), {1, 3});
    ref().activation_backward(ActivationFunction::from_name("softmax"), Tensor{}, y, dy, dx);
    check_close(host(dx), {0.16, -0.06, -0.1});
  }
}

TEST_CASE("reference: activation_backward matches central differences", "[backends][reference]") {
  // Every input sits at least 0.15 from 0, so no finite-difference step crosses a kink.
  const std::vector<float> xs = {-2.1f, -0.7f, -0.3f, 0.4f, 0.9f, 1.7f, -1.2f, 2.5f, 0.15f, -0.45f, 3.1f, -3.3f};
  const std::vector<float> dys = {0.3f, -1.1f, 0.7f, 0.2f, 1.3f, -0.4f, 0.9f, -0.6f, 0.5f, 1.0f, -0.8f, 0.25f};
  std::vector<ActivationFunction> activations;
  for (const auto& name : ActivationFunction::names()) activations.push_back(ActivationFunction::from_name(name));
  activations.push_back({ActivationKind::Elu, 0.5f});
  activations.push_back({ActivationKind::LeakyRelu, 0.f});    // slope 0: backward needs x
  activations.push_back({ActivationKind::LeakyRelu, -0.3f});  // negative slope: backward needs x

  const Shape shape{2, 2, 3};
  for (const auto& act : activations) {
    INFO("activation " << act.name() << " alpha " << act.alpha);
    Tensor x = tensor(shape, xs);
    Tensor y(ref(), shape);
    Tensor dy = tensor(shape, dys);
    Tensor dx(ref(), shape);
    ref().activation_forward(act, x, y);
    // The contract lets the caller drop x exactly when backward_from_output(); prove it works.
    const Tensor x_or_none = act.backward_from_output() ? Tensor{} : x;
    ref().activation_backward(act, x_or_none, y, dy, dx);
    const auto analytic = host(dx);

    Tensor probe(ref(), shape);
    auto objective = [&] {
      ref().activation_forward(act, x, probe);
      const auto out = host(probe);
      double s = 0.0;
      for (std::size_t i = 0; i < out.size(); ++i) s += static_cast<double>(dys[i]) * out[i];
      return s;
    };
    for (std::size_t i = 0; i < xs.size(); ++i) {
      INFO("element " << i << " x = " << xs[i]);
      const double numeric = central_difference(x, i, 4e-3f, objective);
      CHECK(analytic[i] == Approx(numeric).epsilon(2e-3).margin(5e-4));
    }
  }
}

// ---- element-wise -------------------------------------------------------------------------

TEST_CASE("reference: dropout_forward draws the shared counter-based mask", "[backends][reference]") {
  const std::size_t n = 2000;
  std::vector<float> xs(n);
  for (std::size_t i = 0; i < n; ++i) xs[i] = 0.5f + static_cast<float>(i % 7);
  Tensor x = tensor({40, 50}, xs);
  Tensor mask(ref(), {40, 50});
  Tensor y(ref(), {40, 50});

  const float rate = 0.3f;
  const std::uint64_t seed = 1234;
  ref().dropout_forward(x, rate, seed, mask, y);
  const auto m = host(mask);
  const auto out = host(y);
  const float kept_scale = 1.f / (1.f - rate);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool keeps = detail::dropout_keeps(seed, i, rate);
    kept += keeps;
    REQUIRE(m[i] == (keeps ? kept_scale : 0.f));
    REQUIRE(out[i] == xs[i] * m[i]);
  }
  // 1400 expected; 6 standard deviations (sqrt(2000 * 0.3 * 0.7) = 20.5) either side.
  CHECK(kept > 1277);
  CHECK(kept < 1523);

  // Another seed, another mask; rate 0 keeps everything unscaled.
  Tensor mask2(ref(), {40, 50});
  ref().dropout_forward(x, rate, seed + 1, mask2, y);
  CHECK(host(mask2) != m);
  ref().dropout_forward(x, 0.f, seed, mask, y);
  CHECK(host(mask) == std::vector<float>(n, 1.f));
  CHECK(host(y) == xs);
}

TEST_CASE("reference: multiply, scale, clip, sum_squares", "[backends][reference]") {
  Tensor a = tensor({2, 2}, {1, -2, 3, 0.5f});
  Tensor b = tensor({2, 2}, {4, 5, -6, 8});
  Tensor out(ref(), {2, 2});
  ref().multiply(a, b, out);
  check_close(host(out), {4, -10, -18, 4});

  ref().scale(out, -0.5f);
  check_close(host(out), {-2, 5, 9, -2});

  Tensor c = tensor({5}, {-3, -1, 0.25f, 2, std::numeric_limits<float>::quiet_NaN()});
  ref().clip(c, -1.f, 1.f);
  const auto clipped = host(c);
  CHECK(clipped[0] == -1.f);
  CHECK(clipped[1] == -1.f);
  CHECK(clipped[2] == 0.25f);
  CHECK(clipped[3] == 1.f);
  CHECK(std::isnan(clipped[4]));  // NaN passes through, as in tf.clip_by_value

  // 1 + 4 + 9 = 14
  CHECK(ref().sum_squares(tensor({3}, {1, -2, 3})) == 14.0);
  // 4096^2 = 2^24; + 1^2 is lost in f32 and kept in double.
  CHECK(ref().sum_squares(tensor({2}, {4096, 1})) == 16777217.0);
}

// ---- losses -------------------------------------------------------------------------------

namespace {

struct LossResult {
  std::vector<float> values;
  std::vector<float> grad;
};

LossResult run_loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred) {
  Shape values_shape(std::vector<std::int64_t>(y_pred.shape().dims().begin(), y_pred.shape().dims().end() - 1));
  Tensor values(ref(), values_shape);
  Tensor grad(ref(), y_pred.shape());
  ref().loss(p, y_true, y_pred, values, &grad);
  return {host(values), host(grad)};
}

LossParams params(LossKind kind, bool from_logits = false, float smoothing = 0.f, float grad_scale = 1.f) {
  LossParams p;
  p.kind = kind;
  p.from_logits = from_logits;
  p.label_smoothing = smoothing;
  p.grad_scale = grad_scale;
  return p;
}

}  // namespace

TEST_CASE("reference: regression losses known values", "[backends][reference]") {
  // y = [[1 2] [3 4]], p = [[1.5 2] [2 6]]: e = p - y = [[0.5 0] [-1 2]]
  Tensor y = tensor({2, 2}, {1, 2, 3, 4});
  Tensor p = tensor({2, 2}, {1.5f, 2, 2, 6});

  SECTION("mse: mean e^2 = [0.25 / 2, 5 / 2]; grad 2 e / 2 = e") {
    auto r = run_loss(params(LossKind::MeanSquaredError), y, p);
    check_close(r.values, {0.125, 2.5});
    check_close(r.grad, {0.5, 0, -1, 2});
    r = run_loss(params(LossKind::MeanSquaredError, false, 0.f, 0.25f), y, p);
    check_close(r.values, {0.125, 2.5});  // grad_scale leaves the values alone
    check_close(r.grad, {0.125, 0, -0.25, 0.5});
  }
  SECTION("mae: mean |e| = [0.25, 1.5]; grad sign(e) / 2, 0 where e = 0") {
    auto r = run_loss(params(LossKind::MeanAbsoluteError), y, p);
    check_close(r.values, {0.25, 1.5});
    check_close(r.grad, {0.5, 0, -0.5, 0.5});
  }
  SECTION("huber delta 1: 0.5 e^2 inside, |e| - 0.5 outside") {
    // row 0: (0.125 + 0) / 2; row 1: (0.5 [|e| = 1 is inside] + (2 - 0.5)) / 2
    auto r = run_loss(params(LossKind::Huber), y, p);
    check_close(r.values, {0.0625, 1.0});
    check_close(r.grad, {0.25, 0, -0.5, 0.5});  // e / 2 inside, delta sign(e) / 2 outside
    LossParams wide = params(LossKind::Huber);
    wide.delta = 3.f;  // everything inside: 0.5 mse
    r = run_loss(wide, y, p);
    check_close(r.values, {0.0625, 1.25});
    check_close(r.grad, {0.25, 0, -0.5, 1.0});
  }
}

TEST_CASE("reference: binary crossentropy known values", "[backends][reference]") {
  Tensor y = tensor({1, 2}, {1, 0});
  SECTION("probabilities") {
    // (-log 0.8 - log 0.6) / 2; grad (-y / p + (1 - y) / (1 - p)) / 2 = [-1.25 / 2, 2.5 / 3 / 2]
    auto r = run_loss(params(LossKind::BinaryCrossentropy), y, tensor({1, 2}, {0.8f, 0.4f}));
    check_close(r.values, {0.3669845875401002});
    check_close(r.grad, {-0.625, 0.8333333333333334});
  }
  SECTION("probabilities with label smoothing 0.2: y = [0.9, 0.1]") {
    auto r = run_loss(params(LossKind::BinaryCrossentropy, false, 0.2f), y, tensor({1, 2}, {0.8f, 0.4f}));
    // (-(0.9 log 0.8 + 0.1 log 0.2) - (0.1 log 0.4 + 0.9 log 0.6)) / 2
    check_close(r.values, {0.45657256100150295});
    check_close(r.grad, {-0.3125, 0.625});  // (-0.9/0.8 + 0.1/0.2) / 2, (-0.1/0.4 + 0.9/0.6) / 2
  }
  SECTION("probabilities clipped to [1e-7, 1 - 1e-7] (f32 bounds) with zero gradient there") {
    // -log(1e-7f) = 16.118095639272223; -log(1 - (1 - 1e-7f)) = -log(2^-23 ~ 1.19e-7)
    // = 15.942385152878742
    auto r = run_loss(params(LossKind::BinaryCrossentropy), y, tensor({1, 2}, {0.f, 1.f}));
    check_close(r.values, {(16.118095639272223 + 15.942385152878742) / 2});
    check_close(r.grad, {0, 0}, 0, 0);
  }
  SECTION("logits: max(x, 0) - x y + log1p(e^-|x|)") {
    // x = [0, 2]: (log 2 - 0 + 2 + log1p(e^-2)) / 2; grad (sigmoid(x) - y) / 2
    auto r = run_loss(params(LossKind::BinaryCrossentropy, true), y, tensor({1, 2}, {0.f, 2.f}));
    check_close(r.values, {1.410037595801459});
    check_close(r.grad, {-0.25, 0.44039853898894116});
    // Large logits stay finite: x = [-100, 100] with y = [1, 0] costs 100 each.
    r = run_loss(params(LossKind::BinaryCrossentropy, true), y, tensor({1, 2}, {-100.f, 100.f}));
    check_close(r.values, {100});
    check_close(r.grad, {-0.5, 0.5});
  }
}

TEST_CASE("reference: categorical crossentropy known values", "[backends][reference]") {
  SECTION("probabilities: -log p[true]") {
    Tensor y = tensor({1, 3}, {0, 1, 0});
    auto r = run_loss(params(LossKind::CategoricalCrossentropy), y, tensor({1, 3}, {0.2f, 0.5f, 0.3f}));
    check_close(r.values, {0.6931471805599453});
    // Through the normalisation q = p / S (S = 1): dq = [0, -1/0.5, 0], dq.q = -1,
    // dp = (dq - dq.q) / S = [1, -1, 1] -- not -y/p: the sum constraint moves every p.
    check_close(r.grad, {1, -1, 1});
  }
  SECTION("probabilities are normalised first") {
    // [0.4 1.0 0.6] sums to 2 -> q = [0.2 0.5 0.3]; same loss, gradient divided by S = 2.
    Tensor y = tensor({1, 3}, {0, 1, 0});
    auto r = run_loss(params(LossKind::CategoricalCrossentropy), y, tensor({1, 3}, {0.4f, 1.0f, 0.6f}));
    check_close(r.values, {0.6931471805599453});
    check_close(r.grad, {0.5, -0.5, 0.5});
  }
  SECTION("a probability clipped to 1e-7 contributes no d/dq, only the normalisation term") {
    // y = [1 0 0], p = [0 .5 .5]: loss -log(1e-7f); dq = 0 everywhere, so dp = 0.
    auto r = run_loss(params(LossKind::CategoricalCrossentropy), tensor({1, 3}, {1, 0, 0}),
                      tensor({1, 3}, {0.f, 0.5f, 0.5f}));
    check_close(r.values, {16.118095639272223});
    check_close(r.grad, {0, 0, 0}, 0, 0);
    // y = [0 1 0]: dq = [0, -2, 0], dq.q = -1 -> dp = [1, -1, 1]; the clipped p0 still moves.
    r = run_loss(params(LossKind::CategoricalCrossentropy), tensor({1, 3}, {0, 1, 0}),
                 tensor({1, 3}, {0.f, 0.5f, 0.5f}));
    check_close(r.values, {0.6931471805599453});
    check_close(r.grad, {1, -1, 1});
  }
  SECTION("logits: logsumexp(x) - x[true], grad softmax(x) - y") {
    // log(e + e^2 + e^3) = 3.40760596444438
    Tensor x = tensor({2, 3}, {1, 2, 3, 1001, 1002, 1003});
    Tensor y = tensor({2, 3}, {0, 0, 1, 1, 0, 0});
    auto r = run_loss(params(LossKind::CategoricalCrossentropy, true), y, x);
    check_close(r.values, {0.40760596444438013, 2.40760596444438});
    const double s0 = 0.09003057317038046, s1 = 0.24472847105479767, s2 = 0.6652409557748219;
    check_close(r.grad, {s0, s1, s2 - 1, s0 - 1, s1, s2});
  }
  SECTION("logits with label smoothing 0.3 over 3 classes: y = [0.1 0.1 0.8]") {
    // 3.40760596444438 - (0.1 * 1 + 0.1 * 2 + 0.8 * 3) = 0.70760596444438
    auto r = run_loss(params(LossKind::CategoricalCrossentropy, true, 0.3f, 0.5f), tensor({1, 3}, {0, 0, 1}),
                      tensor({1, 3}, {1, 2, 3}));
    check_close(r.values, {0.70760596444438});
    const double s0 = 0.09003057317038046, s1 = 0.24472847105479767, s2 = 0.6652409557748219;
    check_close(r.grad, {0.5 * (s0 - 0.1), 0.5 * (s1 - 0.1), 0.5 * (s2 - 0.8)});
  }
}

TEST_CASE("reference: sparse categorical crossentropy known values", "[backends][reference]") {
  SECTION("logits, labels shaped like the values") {
    // labels [2, 0] on logits [1 2 3] twice: 3.4076 - 3, 3.4076 - 1
    Tensor labels = tensor({2}, {2, 0});
    Tensor x = tensor({2, 3}, {1, 2, 3, 1, 2, 3});
    auto r = run_loss(params(LossKind::SparseCategoricalCrossentropy, true), labels, x);
    check_close(r.values, {0.40760596444438013, 2.40760596444438});
    const double s0 = 0.09003057317038046, s1 = 0.24472847105479767, s2 = 0.6652409557748219;
    check_close(r.grad, {s0, s1, s2 - 1, s0 - 1, s1, s2});
  }
  SECTION("probabilities equal the one-hot categorical loss") {
    Tensor labels = tensor({1}, {1});
    auto r = run_loss(params(LossKind::SparseCategoricalCrossentropy), labels, tensor({1, 3}, {0.4f, 1.0f, 0.6f}));
    check_close(r.values, {0.6931471805599453});
    check_close(r.grad, {0.5, -0.5, 0.5});
  }
  SECTION("a label outside [0, classes) is refused, not read out of bounds") {
    Tensor x = tensor({1, 3}, {1, 2, 3});
    Tensor values(ref(), {1});
    for (float bad : {3.f, -1.f, 0.5f}) {
      Tensor labels = tensor({1}, {bad});
      CHECK_THROWS_AS(ref().loss(params(LossKind::SparseCategoricalCrossentropy, true), labels, x, values, nullptr),
                      ValueError);
    }
    Tensor labels = tensor({1}, {3.f});
    CHECK_THROWS_WITH(ref().loss(params(LossKind::SparseCategoricalCrossentropy, true), labels, x, values, nullptr),
                      Catch::Contains("outside the valid range of [0, 3)"));
  }
}

TEST_CASE("reference: loss without a gradient writes only the values", "[backends][reference]") {
  Tensor values(ref(), {2});
  ref().loss(params(LossKind::MeanSquaredError), tensor({2, 2}, {1, 2, 3, 4}), tensor({2, 2}, {1.5f, 2, 2, 6}), values,
             nullptr);
  check_close(host(values), {0.125, 2.5});
}

TEST_CASE("reference: loss gradients match central differences", "[backends][reference]") {
  // Rank 3: samples are the first two axes, classes the last (values have shape (2, 2)).
  const Shape shape{2, 2, 3};
  // Predictions in [0.2, 0.85] so log terms stay smooth, rows not summing to 1 so the
  // categorical normalisation is exercised; the same numbers serve as logits.
  const std::vector<float> pred = {0.3f, 0.6f, 0.25f, 0.8f, 0.2f, 0.45f, 0.5f, 0.35f, 0.7f, 0.22f, 0.85f, 0.4f};
  // Regression targets: every |p - y| in [0.2, 0.8] or above 1.3, away from the MAE kink at 0
  // and the Huber kink at delta = 1.
  const std::vector<float> regression = {0.9f, -0.1f, 1.75f, 0.3f, -0.4f, 1.2f, 0.1f, 1.95f, 0.2f, 0.8f, 0.3f, -1.f};
  const std::vector<float> binary = {1, 0, 0.3f, 0, 1, 1, 0.7f, 0, 1, 1, 0, 0.5f};
  const std::vector<float> one_hot = {0, 1, 0, 1, 0, 0, 0, 0, 1, 0.2f, 0.5f, 0.3f};
  const std::vector<float> labels = {1, 0, 2, 1};

  const LossKind kinds[] = {
      LossKind::MeanSquaredError,   LossKind::MeanAbsoluteError,       LossKind::Huber,
      LossKind::BinaryCrossentropy, LossKind::CategoricalCrossentropy, LossKind::SparseCategoricalCrossentropy};
  for (const LossKind kind : kinds) {
    for (const bool from_logits : {false, true}) {
      for (const float smoothing : {0.f, 0.1f}) {
        INFO("kind " << static_cast<int>(kind) << " from_logits " << from_logits << " smoothing " << smoothing);
        const LossParams p = params(kind, from_logits, smoothing, 0.25f);
        Tensor y_true = kind == LossKind::SparseCategoricalCrossentropy ? tensor({2, 2}, labels)
                        : kind == LossKind::BinaryCrossentropy          ? tensor(shape, binary)
                        : kind == LossKind::CategoricalCrossentropy     ? tensor(shape, one_hot)
                                                                        : tensor(shape, regression);
        Tensor y_pred = tensor(shape, pred);
        const auto analytic = run_loss(p, y_true, y_pred).grad;

        Tensor values(ref(), {2, 2});
        auto objective = [&] {
          ref().loss(p, y_true, y_pred, values, nullptr);
          return p.grad_scale * sum_of(host(values));
        };
        for (std::size_t i = 0; i < pred.size(); ++i) {
          INFO("element " << i);
          const double numeric = central_difference(y_pred, i, 1e-3f, objective);
          CHECK(analytic[i] == Approx(numeric).epsilon(2e-3).margin(2e-4));
        }
      }
    }
  }
}

// ---- metrics ------------------------------------------------------------------------------

namespace {

std::vector<float> metric(MetricKind kind, const Tensor& y_true, const Tensor& y_pred, float threshold = 0.5f) {
  Tensor state = tensor({2}, {0, 0});
  ref().metric_update(kind, y_true, y_pred, threshold, state);
  return host(state);
}

}  // namespace

TEST_CASE("reference: metric_update known values", "[backends][reference]") {
  SECTION("mean: every element is a sample; state accumulates across calls") {
    Tensor state = tensor({2}, {0, 0});
    Tensor v = tensor({2, 2}, {1, 2, 3, 4});
    ref().metric_update(MetricKind::Mean, Tensor{}, v, 0.5f, state);
    check_close(host(state), {10, 4});
    ref().metric_update(MetricKind::Mean, Tensor{}, v, 0.5f, state);
    check_close(host(state), {20, 8});
  }
  SECTION("accuracy: exact equality, averaged over the last axis") {
    // rows: [1 == 1, 2 == 0] -> 0.5; [3 == 3, 4 == 4] -> 1
    CHECK(metric(MetricKind::Accuracy, tensor({2, 2}, {1, 2, 3, 4}), tensor({2, 2}, {1, 0, 3, 4})) ==
          std::vector<float>{1.5f, 2.f});
  }
  SECTION("binary accuracy: y_pred > threshold, strictly") {
    // (y_pred > 0.5) = [1 0 0 0] against [1 0 1 0]: 3 of 4 samples
    Tensor y = tensor({4, 1}, {1, 0, 1, 0});
    Tensor p = tensor({4, 1}, {0.7f, 0.2f, 0.4f, 0.5f});
    CHECK(metric(MetricKind::BinaryAccuracy, y, p) == std::vector<float>{3, 4});
    // threshold 0.3: [1 0 1 1] -> 3 of 4 again, but a different one wrong
    CHECK(metric(MetricKind::BinaryAccuracy, y, p, 0.3f) == std::vector<float>{3, 4});
    CHECK(metric(MetricKind::BinaryAccuracy, y, p, 0.1f) == std::vector<float>{2, 4});
  }
  SECTION("categorical and sparse categorical accuracy: argmax, first index on ties") {
    Tensor p = tensor({3, 3}, {0.1f, 0.8f, 0.1f, 0.2f, 0.7f, 0.1f, 0.4f, 0.4f, 0.2f});
    // argmax(p) = [1, 1, 0 (tie)]
    Tensor one_hot = tensor({3, 3}, {0, 1, 0, 1, 0, 0, 1, 0, 0});
    CHECK(metric(MetricKind::CategoricalAccuracy, one_hot, p) == std::vector<float>{2, 3});
    Tensor labels = tensor({3}, {1, 0, 0});
    CHECK(metric(MetricKind::SparseCategoricalAccuracy, labels, p) == std::vector<float>{2, 3});
    Tensor labels_column = tensor({3, 1}, {1, 1, 1});
    CHECK(metric(MetricKind::SparseCategoricalAccuracy, labels_column, p) == std::vector<float>{2, 3});
  }
  SECTION("mse and mae: the regression losses' values, summed") {
    Tensor y = tensor({2, 2}, {1, 2, 3, 4});
    Tensor p = tensor({2, 2}, {1.5f, 2, 2, 6});
    check_close(metric(MetricKind::MeanSquaredError, y, p), {0.125 + 2.5, 2});
    check_close(metric(MetricKind::MeanAbsoluteError, y, p), {0.25 + 1.5, 2});
  }
}

// ---- optimizer updates --------------------------------------------------------------------

TEST_CASE("reference: sgd_update", "[backends][reference]") {
  SGDParams p;
  p.learning_rate = 0.1f;
  SECTION("plain: w -= lr g") {
    Tensor w = tensor({2}, {1, 2});
    ref().sgd_update(w, tensor({2}, {0.5f, -1}), nullptr, p);
    check_close(host(w), {0.95, 2.1});
  }
  SECTION("momentum 0.9: v = 0.9 v - lr g = [0.09 - 0.05, 0 + 0.1]; w += v") {
    p.momentum = 0.9f;
    Tensor w = tensor({2}, {1, 2});
    Tensor v = tensor({2}, {0.1f, 0});
    ref().sgd_update(w, tensor({2}, {0.5f, -1}), &v, p);
    check_close(host(v), {0.04, 0.1});
    check_close(host(w), {1.04, 2.1});
  }
  SECTION("nesterov: w += 0.9 v - lr g = [0.036 - 0.05, 0.09 + 0.1]") {
    p.momentum = 0.9f;
    p.nesterov = true;
    Tensor w = tensor({2}, {1, 2});
    Tensor v = tensor({2}, {0.1f, 0});
    ref().sgd_update(w, tensor({2}, {0.5f, -1}), &v, p);
    check_close(host(v), {0.04, 0.1});
    check_close(host(w), {0.986, 2.19});
  }
}

TEST_CASE("reference: adam_update", "[backends][reference]") {
  AdamParams p;  // lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7
  Tensor w = tensor({2}, {1, 2});
  Tensor m = tensor({2}, {0, 0});
  Tensor v = tensor({2}, {0, 0});
  Tensor g = tensor({2}, {0.5f, -1});

  SECTION("step 1 moves each weight by about lr against the gradient's sign") {
    // m = 0.1 g = [0.05, -0.1]; v = 0.001 g^2 = [2.5e-4, 1e-3]
    // lr_t = 1e-3 sqrt(1 - 0.999) / (1 - 0.9) = 3.16227766e-4
    // w -= lr_t m / (sqrt(v) + 1e-7) = lr_t * [3.1622, -3.1622] * (1 - ~6e-6) = [1e-3, -1e-3]
    ref().adam_update(w, g, m, v, nullptr, p);
    check_close(host(m), {0.05, -0.1});
    check_close(host(v), {2.5e-4, 1e-3});
    check_close(host(w), {0.9990000128746033, 2.000999927520752});
  }
  SECTION("step 2 with zero gradient; amsgrad divides by the running max of v") {
    ref().adam_update(w, g, m, v, nullptr, p);
    p.step = 2;
    Tensor zero = tensor({2}, {0, 0});
    SECTION("plain") {
      // m = 0.9 m = [0.045, -0.09]; v = 0.999 v; lr_t = 1e-3 sqrt(1 - 0.999^2) / (1 - 0.81)
      ref().adam_update(w, zero, m, v, nullptr, p);
      check_close(host(m), {0.045, -0.09});
      check_close(host(v), {2.4975e-4, 9.99e-4});
      check_close(host(w), {0.9983299374580383, 2.0016698837280273});
    }
    SECTION("amsgrad") {
      // State as step 1 left it (above), with v_hat = v.
      p.amsgrad = true;
      Tensor w2 = tensor({2}, {0.9990000128746033f, 2.000999927520752f});
      Tensor m2 = tensor({2}, {0.05f, -0.1f});
      Tensor v2 = tensor({2}, {2.5e-4f, 1e-3f});
      Tensor hat = tensor({2}, {2.5e-4f, 1e-3f});
      ref().adam_update(w2, zero, m2, v2, &hat, p);
      check_close(host(v2), {2.4975e-4, 9.99e-4});
      check_close(host(hat), {2.5e-4, 1e-3});  // the max keeps step 1's larger v
      check_close(host(w2), {0.998330295085907, 2.0016696453094482});
    }
  }
}

TEST_CASE("reference: rmsprop_update", "[backends][reference]") {
  RMSpropParams p;
  p.learning_rate = 0.01f;  // rho 0.9, epsilon 1e-7
  Tensor w = tensor({2}, {1, 2});
  Tensor g = tensor({2}, {0.5f, -1});
  Tensor velocity = tensor({2}, {0, 0});
  SECTION("plain: v = 0.1 g^2 = [0.025, 0.1]; w -= 0.01 g / sqrt(v + eps)") {
    ref().rmsprop_update(w, g, velocity, nullptr, nullptr, p);
    check_close(host(velocity), {0.025, 0.1});
    // 0.005 / 0.158113887 = 0.0316227; 0.01 / 0.316227924 = 0.0316227
    check_close(host(w), {0.9683772866436797, 2.0316227607903072});
  }
  SECTION("centered: a = 0.1 g; d = v - a^2 + eps = [0.0225, 0.09]") {
    p.centered = true;
    Tensor average = tensor({2}, {0, 0});
    ref().rmsprop_update(w, g, velocity, nullptr, &average, p);
    check_close(host(average), {0.05, -0.1});
    check_close(host(w), {0.9666667407404939, 2.03333331481483});  // 0.005 / 0.15, 0.01 / 0.3
  }
  SECTION("momentum 0.5: m = 0.5 m + inc = [0.1 + 0.0316, 0 - 0.0316]; w -= m") {
    p.momentum = 0.5f;
    Tensor momentum = tensor({2}, {0.2f, 0});
    ref().rmsprop_update(w, g, velocity, &momentum, nullptr, p);
    check_close(host(momentum), {0.1316227133563203, -0.0316227607903072});
    check_close(host(w), {0.8683772866436796, 2.0316227607903072});
  }
}

TEST_CASE("reference: adagrad_update", "[backends][reference]") {
  AdagradParams p;
  p.learning_rate = 0.1f;
  // acc = [0.1 + 0.25, 0.1 + 1] = [0.35, 1.1]; w -= 0.1 g / sqrt(acc + 1e-7)
  Tensor w = tensor({2}, {1, 2});
  Tensor acc = tensor({2}, {0.1f, 0.1f});
  ref().adagrad_update(w, tensor({2}, {0.5f, -1}), acc, p);
  check_close(host(acc), {0.35, 1.1});
  check_close(host(w), {0.9154845866007779, 2.0953462545906385});  // 0.05 / 0.5916, 0.1 / 1.0488
}
