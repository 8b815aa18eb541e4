// Parity: every op of the cpu backend against the reference backend (the oracle), on random
// inputs and several shapes each: batch 1, odd sizes, the Fashion-MNIST MLP's own shapes, and
// sizes past the cpu backend's fork thresholds so its parallel paths run too.
//
// Tolerances, |cpu - ref| <= abs + rel |ref|, per op family and why:
//  - memory, dropout, multiply, scale, clip, relu / leaky relu / linear forward, metrics' counts:
//    exact. Both backends do the same single f32 operation per element (dropout: the same
//    counter-based mask, bit for bit, by contract).
//  - matmul / dense_forward: rel 1e-4, abs 1e-5 sqrt(k). oneDNN's blocked f32 kernels sum the k
//    products in another order (and with FMA) than the reference, which sums in double; the
//    f32 rounding error of a k-term dot product grows like sqrt(k) eps |x||w|.
//  - sum_rows: rel 1e-5, abs 1e-5 sqrt(n): f32 running sums against the reference's double sums.
//  - transcendental activations (oneDNN's vectorised exp / tanh / erf polynomials, f32
//    throughout) against the reference's libm in double: rel 2e-5, abs 2e-6.
//  - activation backward polynomials in y (sigmoid, tanh, elu, relu ...): a few f32 roundings
//    against one: rel 1e-5, abs 1e-6.
//  - losses and their gradients: f32 sums and libm's f32 exp / log against double, plus the
//    1 / sum(p) normalisation: rel 2e-5, abs 2e-6 (values and gradients).
//  - metrics: the sum of per-sample values: rel 1e-6 (both sum in double, store f32).
//  - optimizer updates over several steps: each step rounds the slots to f32 in both backends,
//    but the cpu backend keeps intermediates in f32 (and FMA-contracts): rel 1e-5, abs 1e-7.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

std::string shape_str(const Shape& s) { return s.to_string(); }

const std::vector<ActivationKind> kAllKinds = {
    ActivationKind::Linear,    ActivationKind::Relu,     ActivationKind::Sigmoid, ActivationKind::Tanh,
    ActivationKind::Softmax,   ActivationKind::Elu,      ActivationKind::Selu,    ActivationKind::Gelu,
    ActivationKind::LeakyRelu, ActivationKind::Softplus, ActivationKind::Swish};

// Keras's defaults plus a few non-default parameters.
std::vector<ActivationFunction> all_activations() {
  std::vector<ActivationFunction> out;
  for (const ActivationKind k : kAllKinds) {
    float alpha = 0.f;
    if (k == ActivationKind::Elu) alpha = 1.f;
    if (k == ActivationKind::LeakyRelu) alpha = 0.2f;
    out.push_back({k, alpha});
  }
  out.push_back({ActivationKind::Elu, 0.5f});
  out.push_back({ActivationKind::LeakyRelu, 0.01f});
  out.push_back({ActivationKind::LeakyRelu, -0.1f});  // backward must read x: y's sign is not x's
  return out;
}

bool exact_forward(ActivationKind k) {
  return k == ActivationKind::Linear || k == ActivationKind::Relu || k == ActivationKind::LeakyRelu;
}

}  // namespace

// ---- memory ---------------------------------------------------------------------------------

TEST_CASE("parity: cpu backend is registered, storage is aligned", "[backends][parity]") {
  CHECK(cpu().name() == "cpu");
  for (const std::int64_t n : {0, 1, 3, 17, 100000}) {
    Tensor t(cpu(), Shape{n});
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw()) % 64 == 0);
  }
}

TEST_CASE("parity: upload, download, copy, fill", "[backends][parity]") {
  for (const std::int64_t n : {1, 13, 4096, 300001}) {
    INFO("n = " << n);
    const auto v = uniform(n, -3.f, 3.f, 1);
    Twin a = twin(Shape{n}, v);
    CHECK(host(a.c) == v);
    Twin b = output(Shape{n});
    cpu().copy(a.c, b.c);
    ref().copy(a.r, b.r);
    expect_bitwise_equal(b.c, b.r, "copy");
    cpu().fill(b.c, 2.5f);
    ref().fill(b.r, 2.5f);
    expect_bitwise_equal(b.c, b.r, "fill");
  }
}

// ---- dense ----------------------------------------------------------------------------------

TEST_CASE("parity: dense_forward, every activation, with and without bias", "[backends][parity]") {
  struct Case {
    std::int64_t n, k, m;
  };
  // (32, 784, 128) and (5, 1000, 300) take the split-k path when there are several threads.
  const std::vector<Case> cases = {{1, 1, 1},     {1, 5, 3},     {7, 13, 9},    {32, 784, 128},
                                   {32, 128, 10}, {3, 300, 257}, {5, 1000, 300}};
  std::uint32_t seed = 10;
  for (const Case& cs : cases) {
    const auto x = twin(Shape{cs.n, cs.k}, uniform(cs.n * cs.k, -1.f, 1.f, ++seed));
    const float ws = 2.f / std::sqrt(static_cast<float>(cs.k));
    const auto w = twin(Shape{cs.k, cs.m}, uniform(cs.k * cs.m, -ws, ws, ++seed));
    const auto b = twin(Shape{cs.m}, uniform(cs.m, -0.5f, 0.5f, ++seed));
    const double abs = 1e-5 * std::sqrt(static_cast<double>(cs.k));
    for (const ActivationFunction& act : all_activations()) {
      for (const bool bias : {true, false}) {
        Twin y = output(Shape{cs.n, cs.m});
        cpu().dense_forward(x.c, w.c, bias ? &b.c : nullptr, act, y.c);
        ref().dense_forward(x.r, w.r, bias ? &b.r : nullptr, act, y.r);
        std::ostringstream what;
        what << "dense_forward " << act.name() << "(alpha " << act.alpha << ") x" << cs.n << "x" << cs.k << " w" << cs.k
             << "x" << cs.m << (bias ? " +bias" : "");
        expect_close(y.c, y.r, 1e-4, abs, what.str());
      }
    }
  }
}

TEST_CASE("parity: matmul with every transpose combination", "[backends][parity]") {
  struct Case {
    std::int64_t n, k, m;
  };
  // The MLP's backward products among them: x^T dz (784x32 . 32x128), dz W^T (32x10 . 10x128).
  const std::vector<Case> cases = {{1, 1, 1},      {1, 7, 3},     {5, 1, 4},     {13, 9, 11},
                                   {784, 32, 128}, {128, 32, 10}, {32, 10, 128}, {32, 128, 784}};
  std::uint32_t seed = 100;
  for (const Case& cs : cases) {
    for (const bool ta : {false, true}) {
      for (const bool tb : {false, true}) {
        const Shape sa = ta ? Shape{cs.k, cs.n} : Shape{cs.n, cs.k};
        const Shape sb = tb ? Shape{cs.m, cs.k} : Shape{cs.k, cs.m};
        const auto a = twin(sa, uniform(cs.n * cs.k, -1.f, 1.f, ++seed));
        const auto b = twin(sb, uniform(cs.k * cs.m, -1.f, 1.f, ++seed));
        Twin c = output(Shape{cs.n, cs.m});
        cpu().matmul(a.c, ta, b.c, tb, c.c);
        ref().matmul(a.r, ta, b.r, tb, c.r);
        std::ostringstream what;
        what << "matmul " << shape_str(sa) << (ta ? "^T" : "") << " . " << shape_str(sb) << (tb ? "^T" : "");
        expect_close(c.c, c.r, 1e-4, 1e-5 * std::sqrt(static_cast<double>(cs.k)), what.str());
      }
    }
  }
}

TEST_CASE("parity: sum_rows", "[backends][parity]") {
  const std::vector<std::pair<std::int64_t, std::int64_t>> shapes = {{1, 1},    {1, 17},     {7, 3},    {32, 10},
                                                                     {32, 128}, {1000, 300}, {3, 70000}};
  std::uint32_t seed = 200;
  for (const auto& [n, m] : shapes) {
    const auto x = twin(Shape{n, m}, uniform(n * m, -1.f, 1.f, ++seed));
    Twin out = output(Shape{m});
    cpu().sum_rows(x.c, out.c);
    ref().sum_rows(x.r, out.r);
    expect_close(out.c, out.r, 1e-5, 1e-5 * std::sqrt(static_cast<double>(n)), "sum_rows " + shape_str(Shape{n, m}));
  }
}

// ---- activations ----------------------------------------------------------------------------

TEST_CASE("parity: activation_forward, every activation", "[backends][parity]") {
  const std::vector<Shape> shapes = {Shape{1, 1},   Shape{7, 13},   Shape{32, 128},
                                     Shape{32, 10}, Shape{4, 3, 5}, Shape{300, 301}};
  std::uint32_t seed = 300;
  for (const Shape& s : shapes) {
    // Wide enough to reach softplus's and sigmoid's saturated tails and elu's exp.
    const auto x = twin(s, uniform(s.num_elements(), -8.f, 8.f, ++seed));
    for (const ActivationFunction& act : all_activations()) {
      Twin y = output(s);
      cpu().activation_forward(act, x.c, y.c);
      ref().activation_forward(act, x.r, y.r);
      const std::string what =
          "activation_forward " + act.name() + " alpha " + std::to_string(act.alpha) + " " + shape_str(s);
      if (exact_forward(act.kind)) {
        expect_bitwise_equal(y.c, y.r, what);
      } else {
        expect_close(y.c, y.r, 2e-5, 2e-6, what);
      }
    }
  }
}

TEST_CASE("parity: activation_backward, from the output and from the input", "[backends][parity]") {
  const std::vector<Shape> shapes = {Shape{1, 1}, Shape{7, 13}, Shape{32, 128}, Shape{32, 10}, Shape{300, 301}};
  std::uint32_t seed = 400;
  for (const Shape& s : shapes) {
    const auto xv = uniform(s.num_elements(), -5.f, 5.f, ++seed);
    const auto x = twin(s, xv);
    const auto dy = twin(s, uniform(s.num_elements(), -1.f, 1.f, ++seed));
    for (const ActivationFunction& act : all_activations()) {
      // Both backends get the same y: the reference's forward output.
      Tensor yr(ref(), s);
      ref().activation_forward(act, x.r, yr);
      const auto y = twin(s, host(yr));
      const std::string what =
          "activation_backward " + act.name() + " alpha " + std::to_string(act.alpha) + " " + shape_str(s);
      {
        Twin dx = output(s);
        cpu().activation_backward(act, x.c, y.c, dy.c, dx.c);
        ref().activation_backward(act, x.r, y.r, dy.r, dx.r);
        expect_close(dx.c, dx.r, 2e-5, 2e-6, what + " (x and y)");
      }
      if (act.backward_from_output()) {
        Twin dx = output(s);
        cpu().activation_backward(act, Tensor(), y.c, dy.c, dx.c);
        ref().activation_backward(act, Tensor(), y.r, dy.r, dx.r);
        expect_close(dx.c, dx.r, 2e-5, 2e-6, what + " (y only)");
      }
    }
  }
}

// ---- element-wise ---------------------------------------------------------------------------

TEST_CASE("parity: dropout masks and outputs are identical", "[backends][parity]") {
  const std::vector<Shape> shapes = {Shape{1, 1}, Shape{7, 13}, Shape{32, 128}, Shape{300, 301}};
  std::uint32_t seed = 500;
  for (const Shape& s : shapes) {
    const auto x = twin(s, uniform(s.num_elements(), -2.f, 2.f, ++seed));
    for (const float rate : {0.f, 0.2f, 0.5f, 0.9f}) {
      for (const std::uint64_t dseed : {std::uint64_t{0}, std::uint64_t{42}, ~std::uint64_t{0} - 5}) {
        Twin mask = output(s), y = output(s);
        cpu().dropout_forward(x.c, rate, dseed, mask.c, y.c);
        ref().dropout_forward(x.r, rate, dseed, mask.r, y.r);
        const std::string what =
            "dropout rate " + std::to_string(rate) + " seed " + std::to_string(dseed) + " " + shape_str(s);
        expect_bitwise_equal(mask.c, mask.r, what + " mask");
        expect_bitwise_equal(y.c, y.r, what + " y");
      }
    }
  }
}

TEST_CASE("parity: multiply, scale, clip, sum_squares", "[backends][parity]") {
  std::uint32_t seed = 600;
  for (const std::int64_t n : {1, 10, 4096, 100352, 300001}) {
    const Shape s{n};
    const auto a = twin(s, uniform(n, -3.f, 3.f, ++seed));
    const auto b = twin(s, uniform(n, -3.f, 3.f, ++seed));
    Twin out = output(s);
    cpu().multiply(a.c, b.c, out.c);
    ref().multiply(a.r, b.r, out.r);
    expect_bitwise_equal(out.c, out.r, "multiply n=" + std::to_string(n));

    Twin x = twin(s, host(a.c));
    cpu().scale(x.c, -0.37f);
    ref().scale(x.r, -0.37f);
    expect_bitwise_equal(x.c, x.r, "scale n=" + std::to_string(n));

    cpu().clip(x.c, -0.5f, 0.25f);
    ref().clip(x.r, -0.5f, 0.25f);
    expect_bitwise_equal(x.c, x.r, "clip n=" + std::to_string(n));

    const double sc = cpu().sum_squares(a.c);
    const double sr = ref().sum_squares(a.r);
    INFO("sum_squares n=" << n);
    CHECK(sc == Approx(sr).epsilon(1e-12));  // both square f32 values in double
  }
}

// ---- losses ---------------------------------------------------------------------------------

namespace {

struct LossData {
  std::vector<float> y_true, y_pred;
};

// Inputs each loss expects: binary / categorical targets, logits or probabilities (some of
// them beyond the clip bounds, so the zero-gradient branch runs too).
LossData loss_data(const LossParams& p, std::int64_t rows, std::int64_t cols, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  const auto n = static_cast<std::size_t>(rows * cols);
  LossData d;
  d.y_pred.resize(n);
  switch (p.kind) {
    case LossKind::MeanSquaredError:
    case LossKind::MeanAbsoluteError:
    case LossKind::Huber:
      d.y_true.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        d.y_true[i] = 4.f * u(gen) - 2.f;
        d.y_pred[i] = 4.f * u(gen) - 2.f;
      }
      break;
    case LossKind::BinaryCrossentropy:
      d.y_true.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        d.y_true[i] = u(gen) < 0.5f ? 0.f : 1.f;
        if (p.from_logits) {
          d.y_pred[i] = 12.f * u(gen) - 6.f;
        } else {
          const float r = u(gen);
          d.y_pred[i] = r < 0.03f ? 0.f : (r > 0.97f ? 1.f : u(gen));  // some clipped
        }
      }
      break;
    case LossKind::CategoricalCrossentropy:
    case LossKind::SparseCategoricalCrossentropy: {
      const bool sparse = p.kind == LossKind::SparseCategoricalCrossentropy;
      d.y_true.resize(sparse ? static_cast<std::size_t>(rows) : n, 0.f);
      for (std::int64_t r = 0; r < rows; ++r) {
        const auto label = static_cast<std::int64_t>(u(gen) * static_cast<float>(cols)) % cols;
        if (sparse) {
          d.y_true[static_cast<std::size_t>(r)] = static_cast<float>(label);
        } else if (r % 3 == 2) {  // soft targets now and then
          float total = 0.f;
          for (std::int64_t j = 0; j < cols; ++j) total += d.y_true[static_cast<std::size_t>(r * cols + j)] = u(gen);
          for (std::int64_t j = 0; j < cols; ++j) d.y_true[static_cast<std::size_t>(r * cols + j)] /= total;
        } else {
          d.y_true[static_cast<std::size_t>(r * cols + label)] = 1.f;
        }
        float total = 0.f;
        for (std::int64_t j = 0; j < cols; ++j) {
          float& q = d.y_pred[static_cast<std::size_t>(r * cols + j)];
          if (p.from_logits) {
            q = 10.f * u(gen) - 5.f;
          } else {
            q = u(gen) < 0.05f ? 1e-9f : u(gen);  // tiny ones clip after normalisation
            total += q;
          }
        }
        // Every other row is left unnormalised: the probability path normalises it.
        if (!p.from_logits && r % 2 == 0)
          for (std::int64_t j = 0; j < cols; ++j) d.y_pred[static_cast<std::size_t>(r * cols + j)] /= total;
      }
      break;
    }
  }
  return d;
}

const char* loss_name(LossKind k) {
  switch (k) {
    case LossKind::MeanSquaredError: return "mse";
    case LossKind::MeanAbsoluteError: return "mae";
    case LossKind::Huber: return "huber";
    case LossKind::BinaryCrossentropy: return "bce";
    case LossKind::CategoricalCrossentropy: return "cce";
    case LossKind::SparseCategoricalCrossentropy: return "sparse_cce";
  }
  return "?";
}

}  // namespace

TEST_CASE("parity: loss values and gradients, every kind", "[backends][parity]") {
  const std::vector<LossKind> kinds = {
      LossKind::MeanSquaredError,   LossKind::MeanAbsoluteError,       LossKind::Huber,
      LossKind::BinaryCrossentropy, LossKind::CategoricalCrossentropy, LossKind::SparseCategoricalCrossentropy};
  const std::vector<Shape> shapes = {Shape{1, 1}, Shape{1, 5},    Shape{32, 10},
                                     Shape{7, 3}, Shape{4, 2, 7}, Shape{2000, 40}};
  std::uint32_t seed = 700;
  for (const LossKind kind : kinds) {
    const bool ce = kind == LossKind::BinaryCrossentropy || kind == LossKind::CategoricalCrossentropy ||
                    kind == LossKind::SparseCategoricalCrossentropy;
    for (const bool logits : {false, true}) {
      if (!ce && logits) continue;
      for (const float smoothing : {0.f, 0.1f}) {
        if (!ce && smoothing != 0.f) continue;
        for (const float delta : {1.f, 0.3f}) {
          if (kind != LossKind::Huber && delta != 1.f) continue;
          for (const Shape& s : shapes) {
            LossParams p;
            p.kind = kind;
            p.from_logits = logits;
            p.label_smoothing = smoothing;
            p.delta = delta;
            const std::int64_t cols = s[-1];
            const std::int64_t rows = s.num_elements() / cols;
            p.grad_scale = 1.f / static_cast<float>(rows);
            const LossData d = loss_data(p, rows, cols, ++seed);
            std::vector<std::int64_t> value_dims(s.dims().begin(), s.dims().end() - 1);
            const Shape vs(value_dims);
            const auto yt = twin(kind == LossKind::SparseCategoricalCrossentropy ? vs : s, d.y_true);
            const auto yp = twin(s, d.y_pred);
            Twin values = output(vs), grad = output(s);
            cpu().loss(p, yt.c, yp.c, values.c, &grad.c);
            ref().loss(p, yt.r, yp.r, values.r, &grad.r);
            std::ostringstream what;
            what << loss_name(kind) << (logits ? " logits" : " probs") << " smoothing " << smoothing << " delta "
                 << delta << " " << shape_str(s);
            expect_close(values.c, values.r, 2e-5, 2e-6, what.str() + " values");
            expect_close(grad.c, grad.r, 2e-5, 2e-6, what.str() + " grad");
            // Without a gradient tensor the values are the same.
            Twin values2 = output(vs);
            cpu().loss(p, yt.c, yp.c, values2.c, nullptr);
            expect_bitwise_equal(values2.c, values.c, what.str() + " values without grad");
          }
        }
      }
    }
  }
}

TEST_CASE("parity: sparse crossentropy rejects labels out of range", "[backends][parity]") {
  LossParams p;
  p.kind = LossKind::SparseCategoricalCrossentropy;
  for (const float bad : {10.f, -1.f, 2.5f}) {
    const auto yt = twin(Shape{3}, {1.f, bad, 0.f});
    const auto yp = twin(Shape{3, 10}, uniform(30, 0.01f, 1.f, 7));
    Twin values = output(Shape{3}), grad = output(Shape{3, 10});
    CHECK_THROWS_AS(cpu().loss(p, yt.c, yp.c, values.c, &grad.c), ValueError);
    CHECK_THROWS_AS(ref().loss(p, yt.r, yp.r, values.r, &grad.r), ValueError);
  }
}

// ---- metrics --------------------------------------------------------------------------------

TEST_CASE("parity: metric_update, every kind, accumulating", "[backends][parity]") {
  const std::vector<MetricKind> kinds = {MetricKind::Mean,
                                         MetricKind::Accuracy,
                                         MetricKind::BinaryAccuracy,
                                         MetricKind::CategoricalAccuracy,
                                         MetricKind::SparseCategoricalAccuracy,
                                         MetricKind::MeanSquaredError,
                                         MetricKind::MeanAbsoluteError};
  const std::vector<Shape> shapes = {Shape{1, 1}, Shape{32, 10}, Shape{7, 3}, Shape{5, 2, 4}, Shape{5000, 10}};
  std::uint32_t seed = 800;
  for (const MetricKind kind : kinds) {
    for (const Shape& s : shapes) {
      Twin state = twin(Shape{2}, {0.f, 0.f});
      const std::int64_t cols = s[-1];
      const std::int64_t rows = s.num_elements() / cols;
      for (int call = 0; call < 3; ++call) {
        std::mt19937 gen(++seed);
        std::uniform_real_distribution<float> u(0.f, 1.f);
        std::vector<float> yp(static_cast<std::size_t>(s.num_elements()));
        std::vector<float> yt;
        Shape ts = s;
        switch (kind) {
          case MetricKind::Accuracy:  // small integers, so equality happens
          case MetricKind::BinaryAccuracy:
            for (float& v : yp) v = kind == MetricKind::Accuracy ? std::floor(3.f * u(gen)) : u(gen);
            yt.resize(yp.size());
            for (float& v : yt)
              v = kind == MetricKind::Accuracy ? std::floor(3.f * u(gen)) : (u(gen) < 0.5f ? 0.f : 1.f);
            break;
          case MetricKind::SparseCategoricalAccuracy: {
            for (float& v : yp) v = u(gen);
            std::vector<std::int64_t> vd(s.dims().begin(), s.dims().end() - 1);
            ts = Shape(vd);
            yt.resize(static_cast<std::size_t>(rows));
            for (float& v : yt) v = std::floor(static_cast<float>(cols) * u(gen) * 0.999f);
            break;
          }
          case MetricKind::CategoricalAccuracy:
            for (float& v : yp) v = u(gen);
            yt.assign(yp.size(), 0.f);
            for (std::int64_t r = 0; r < rows; ++r)
              yt[static_cast<std::size_t>(r * cols +
                                          static_cast<std::int64_t>(u(gen) * static_cast<float>(cols) * 0.999f))] = 1.f;
            break;
          default:
            for (float& v : yp) v = 4.f * u(gen) - 2.f;
            yt.resize(yp.size());
            for (float& v : yt) v = 4.f * u(gen) - 2.f;
            break;
        }
        const auto p = twin(s, yp);
        if (kind == MetricKind::Mean) {
          cpu().metric_update(kind, Tensor(), p.c, 0.5f, state.c);
          ref().metric_update(kind, Tensor(), p.r, 0.5f, state.r);
        } else {
          const auto t = twin(ts, yt);
          cpu().metric_update(kind, t.c, p.c, 0.5f, state.c);
          ref().metric_update(kind, t.r, p.r, 0.5f, state.r);
        }
      }
      expect_close(state.c, state.r, 1e-6, 1e-6,
                   "metric " + std::to_string(static_cast<int>(kind)) + " " + shape_str(s));
    }
  }
}

// ---- optimizer updates ----------------------------------------------------------------------

namespace {

constexpr int kSteps = 6;
const std::vector<std::int64_t> kOptimizerSizes = {1, 37, 1280, 100352};

// Runs `step(backend, tensors..., t)` kSteps times on both backends with fresh gradients each
// step, then compares every tensor.
template <class Step>
void optimizer_parity(const std::string& name, int slots, Step step) {
  std::uint32_t seed = 900;
  for (const std::int64_t n : kOptimizerSizes) {
    const Shape s{n};
    Twin w = twin(s, uniform(n, -1.f, 1.f, ++seed));
    std::vector<Twin> slot;
    for (int i = 0; i < slots; ++i) slot.push_back(twin(s, std::vector<float>(static_cast<std::size_t>(n), 0.f)));
    for (int t = 1; t <= kSteps; ++t) {
      const auto g = twin(s, uniform(n, -0.5f, 0.5f, ++seed));
      std::vector<Tensor*> sc, sr;
      for (Twin& x : slot) {
        sc.push_back(&x.c);
        sr.push_back(&x.r);
      }
      step(cpu(), w.c, g.c, sc, t);
      step(ref(), w.r, g.r, sr, t);
    }
    expect_close(w.c, w.r, 1e-5, 1e-7, name + " weights, n=" + std::to_string(n));
    for (int i = 0; i < slots; ++i)
      expect_close(slot[i].c, slot[i].r, 1e-5, 1e-7, name + " slot " + std::to_string(i) + ", n=" + std::to_string(n));
  }
}

}  // namespace

TEST_CASE("parity: sgd_update (plain, momentum, nesterov)", "[backends][parity]") {
  for (const float momentum : {0.f, 0.9f}) {
    for (const bool nesterov : {false, true}) {
      if (momentum == 0.f && nesterov) continue;
      const SGDParams p{0.05f, momentum, nesterov};
      optimizer_parity("sgd momentum " + std::to_string(momentum) + (nesterov ? " nesterov" : ""), 1,
                       [&](Backend& b, Tensor& w, const Tensor& g, std::vector<Tensor*>& s, int) {
                         b.sgd_update(w, g, momentum > 0.f ? s[0] : nullptr, p);
                       });
    }
  }
}

TEST_CASE("parity: adam_update (plain, amsgrad)", "[backends][parity]") {
  for (const bool amsgrad : {false, true}) {
    optimizer_parity(std::string("adam") + (amsgrad ? " amsgrad" : ""), 3,
                     [&](Backend& b, Tensor& w, const Tensor& g, std::vector<Tensor*>& s, int t) {
                       AdamParams p;
                       p.learning_rate = 0.01f;
                       p.amsgrad = amsgrad;
                       p.step = t;
                       b.adam_update(w, g, *s[0], *s[1], amsgrad ? s[2] : nullptr, p);
                     });
  }
}

TEST_CASE("parity: rmsprop_update (plain, momentum, centered)", "[backends][parity]") {
  for (const float momentum : {0.f, 0.9f}) {
    for (const bool centered : {false, true}) {
      optimizer_parity("rmsprop momentum " + std::to_string(momentum) + (centered ? " centered" : ""), 3,
                       [&](Backend& b, Tensor& w, const Tensor& g, std::vector<Tensor*>& s, int) {
                         RMSpropParams p;
                         p.learning_rate = 0.01f;
                         p.momentum = momentum;
                         p.centered = centered;
                         b.rmsprop_update(w, g, *s[0], momentum > 0.f ? s[1] : nullptr, centered ? s[2] : nullptr, p);
                       });
    }
  }
}

TEST_CASE("parity: adagrad_update", "[backends][parity]") {
  optimizer_parity("adagrad", 1, [&](Backend& b, Tensor& w, const Tensor& g, std::vector<Tensor*>& s, int) {
    b.adagrad_update(w, g, *s[0], AdagradParams{0.05f, 1e-7f});
  });
}

// ---- caching --------------------------------------------------------------------------------

TEST_CASE("parity: a repeated training step creates no primitives", "[backends][parity]") {
  // The MLP step's ops, twice over fresh buffers: the second pass must hit the cache only.
  auto step = [] {
    Tensor x(cpu(), Shape{32, 784}), w1(cpu(), Shape{784, 128}), b1(cpu(), Shape{128});
    Tensor h(cpu(), Shape{32, 128}), w2(cpu(), Shape{128, 10}), b2(cpu(), Shape{10}), p(cpu(), Shape{32, 10});
    Tensor dw1(cpu(), Shape{784, 128}), dh(cpu(), Shape{32, 128}), dw2(cpu(), Shape{128, 10});
    for (Tensor* t : {&x, &w1, &b1, &w2, &b2}) cpu().fill(*t, 0.01f);
    cpu().dense_forward(x, w1, &b1, {ActivationKind::Relu, 0.f}, h);
    cpu().dense_forward(h, w2, &b2, {ActivationKind::Softmax, 0.f}, p);
    cpu().matmul(h, true, p, false, dw2);
    cpu().matmul(p, false, w2, true, dh);
    cpu().matmul(x, true, dh, false, dw1);
    cpu().activation_forward({ActivationKind::Gelu, 0.f}, h, dh);
    cpu().activation_backward({ActivationKind::Swish, 0.f}, h, Tensor(), h, dh);
  };
  step();
  const std::size_t after_first = cpu_impl().cached_primitives();
  step();
  CHECK(cpu_impl().cached_primitives() == after_first);
}
