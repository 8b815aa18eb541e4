// NaN and Inf: every op of every backend propagates them as IEEE arithmetic does, so a bad value
// in the data shows up as a `nan` in the loss instead of a plausible number (the Backend
// contract, include/strata/backend.hpp). Two kinds of case:
//  - semantics: small inputs whose answer is known (relu(NaN) is NaN, a max-pool window holding
//    a NaN is NaN, a softmax row holding a NaN is NaN ...), checked on each backend by itself;
//  - parity: every op on random inputs with NaN, +inf and -inf sprinkled in, the cpu backend
//    against the reference, NaN matching NaN and an infinity matching the same infinity.

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<Backend*> every_backend() { return {&ref(), &cpu()}; }

Tensor on(Backend& b, const Shape& shape, const std::vector<float>& values) {
  Tensor t(b, shape);
  REQUIRE(values.size() == static_cast<std::size_t>(t.size()));
  b.upload(values.data(), t);
  return t;
}

Tensor zeros(Backend& b, const Shape& shape) {
  Tensor t(b, shape);
  b.fill(t, 0.f);
  return t;
}

// Random values in [-2, 2) with about one in five a NaN, +inf, -inf, -1, 0 or 1.
Twin specials(const Shape& s, std::uint32_t seed) {
  return twin(s, with_specials(uniform(s.num_elements(), -2.f, 2.f, seed), seed + 1, 5));
}

std::vector<ActivationFunction> activations() {
  return {{ActivationKind::Linear},   {ActivationKind::Relu},    {ActivationKind::Sigmoid},
          {ActivationKind::Tanh},     {ActivationKind::Softmax}, {ActivationKind::Elu, 1.f},
          {ActivationKind::Selu},     {ActivationKind::Gelu},    {ActivationKind::LeakyRelu, 0.2f},
          {ActivationKind::Softplus}, {ActivationKind::Swish}};
}

}  // namespace

// ---- semantics, on each backend ---------------------------------------------------------------

TEST_CASE("non-finite: every activation maps NaN to NaN, and the infinities to their limits",
          "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    for (const ActivationFunction& act : activations()) {
      if (act.kind == ActivationKind::Softmax) continue;
      INFO(b->name() << " " << act.name());
      const Tensor x = on(*b, Shape{1, 5}, {kNaN, kInf, -kInf, 0.5f, -0.5f});
      Tensor y(*b, Shape{1, 5});
      b->activation_forward(act, x, y);
      const auto v = host(y);
      CHECK(std::isnan(v[0]));
      CHECK(std::isfinite(v[3]));
      CHECK(std::isfinite(v[4]));
      switch (act.kind) {
        case ActivationKind::Relu:
          CHECK(v[1] == kInf);
          CHECK(v[2] == 0.f);
          break;
        case ActivationKind::Sigmoid:
          CHECK(v[1] == 1.f);
          CHECK(v[2] == 0.f);
          break;
        case ActivationKind::Tanh:
          CHECK(v[1] == 1.f);
          CHECK(v[2] == -1.f);
          break;
        case ActivationKind::Elu:
          CHECK(v[1] == kInf);
          CHECK(v[2] == -1.f);
          break;
        case ActivationKind::Softplus:
          CHECK(v[1] == kInf);
          CHECK(v[2] == 0.f);
          break;
        case ActivationKind::Linear:
        case ActivationKind::LeakyRelu:
          CHECK(v[1] == kInf);
          CHECK(v[2] == -kInf);
          break;
        default: CHECK(v[1] == kInf); break;
      }
    }
  }
}

TEST_CASE("non-finite: a softmax row holding a NaN or +inf is NaN, other rows are untouched",
          "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    INFO(b->name());
    const Tensor x = on(*b, Shape{4, 3}, {kNaN, 1.f, 2.f, kInf, 1.f, 2.f, -kInf, 1.f, 1.f, 0.f, 1.f, 2.f});
    Tensor y(*b, Shape{4, 3});
    b->activation_forward({ActivationKind::Softmax}, x, y);
    const auto v = host(y);
    for (int j = 0; j < 6; ++j) CHECK(std::isnan(v[j]));
    // exp(-inf) is 0: a row with -inf is an ordinary distribution.
    CHECK(v[6] == 0.f);
    CHECK(v[7] == Approx(0.5f));
    CHECK(v[8] == Approx(0.5f));
    for (int j = 9; j < 12; ++j) CHECK(std::isfinite(v[j]));
  }
}

TEST_CASE("non-finite: dense and conv outputs touched by a NaN are NaN, whatever the activation",
          "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    for (const ActivationFunction act :
         {ActivationFunction{ActivationKind::Linear}, ActivationFunction{ActivationKind::Relu},
          ActivationFunction{ActivationKind::Sigmoid}}) {
      INFO(b->name() << " " << act.name());
      // Row 0 of x holds a NaN; the weights are negative, so relu would make every output 0.
      const Tensor x = on(*b, Shape{2, 3}, {kNaN, 1.f, 1.f, 1.f, 1.f, 1.f});
      const Tensor w = on(*b, Shape{3, 2}, std::vector<float>(6, -1.f));
      const Tensor bias = on(*b, Shape{2}, {0.f, 0.f});
      Tensor y(*b, Shape{2, 2});
      b->dense_forward(x, w, &bias, act, y);
      const auto v = host(y);
      CHECK(std::isnan(v[0]));
      CHECK(std::isnan(v[1]));
      CHECK(std::isfinite(v[2]));
      CHECK(std::isfinite(v[3]));

      // A 3x3 image with a NaN in its corner, a 2x2 kernel: only the top-left output sees it.
      std::vector<float> image(9, 1.f);
      image[0] = kNaN;
      const Tensor xi = on(*b, Shape{1, 3, 3, 1}, image);
      const Tensor k = on(*b, Shape{2, 2, 1, 1}, std::vector<float>(4, -1.f));
      const Tensor kb = on(*b, Shape{1}, {0.f});
      Tensor yc(*b, Shape{1, 2, 2, 1});
      b->conv2d_forward(xi, k, &kb, act, Conv2DParams{}, yc);
      const auto c = host(yc);
      CHECK(std::isnan(c[0]));
      for (int j = 1; j < 4; ++j) CHECK(std::isfinite(c[j]));
    }
  }
}

TEST_CASE("non-finite: a pooling window holding a NaN is NaN; infinities pool as numbers", "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    for (const PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
      INFO(b->name() << (kind == PoolKind::Max ? " max" : " average"));
      // Four 2x2 windows: a NaN (not first in its window), +inf, +inf with -inf, ordinary numbers.
      const Tensor x = on(*b, Shape{1, 4, 4, 1},
                          {1.f, 5.f, 1.f, kInf,  //
                           2.f, kNaN, 1.f, 1.f,  //
                           kInf, 1.f, 1.f, 2.f,  //
                           -kInf, 1.f, 3.f, 4.f});
      Pool2DParams p;
      p.kind = kind;
      Tensor y(*b, Shape{1, 2, 2, 1});
      std::unique_ptr<OpState> state;
      b->pool2d_forward(x, p, y, &state);
      const auto v = host(y);
      CHECK(std::isnan(v[0]));
      CHECK(v[1] == kInf);
      if (kind == PoolKind::Max) {
        CHECK(v[2] == kInf);
        CHECK(v[3] == 4.f);
      } else {
        CHECK(std::isnan(v[2]));
        CHECK(v[3] == 2.5f);
      }
      // Backward: the NaN window's gradient reaches its inputs (max: the NaN itself).
      const Tensor dy = on(*b, Shape{1, 2, 2, 1}, {1.f, 1.f, 1.f, 1.f});
      Tensor dx(*b, Shape{1, 4, 4, 1});
      b->pool2d_backward(x, y, dy, p, state, dx);
      const auto g = host(dx);
      if (kind == PoolKind::Max) {
        CHECK(g[5] == 1.f);
        CHECK(g[1] == 0.f);
      } else {
        CHECK(g[5] == 0.25f);
      }
    }
  }
}

TEST_CASE("non-finite: normalisation spreads a NaN over its channel or row, not further", "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    INFO(b->name());
    // (rows 3, channels 2): channel 0 holds the NaN.
    const Tensor x = on(*b, Shape{3, 2}, {kNaN, 1.f, 2.f, 2.f, 3.f, 4.f});
    const Tensor gamma = on(*b, Shape{2}, {1.f, 1.f});
    const Tensor beta = on(*b, Shape{2}, {0.f, 0.f});
    Tensor y(*b, Shape{3, 2}), mean(*b, Shape{2}), var(*b, Shape{2});
    Tensor mm = zeros(*b, Shape{2}), mv = zeros(*b, Shape{2});
    b->batch_norm_forward_training(x, gamma, beta, 1e-3f, 0.99f, y, mean, var, mm, mv);
    const auto v = host(y);
    for (int r = 0; r < 3; ++r) {
      CHECK(std::isnan(v[2 * r]));
      CHECK(std::isfinite(v[2 * r + 1]));
    }
    CHECK(std::isnan(host(mm)[0]));
    CHECK(std::isfinite(host(mm)[1]));

    Tensor ly(*b, Shape{3, 2}), lmean(*b, Shape{3}), lrstd(*b, Shape{3});
    b->layer_norm_forward(x, &gamma, &beta, 1e-3f, ly, lmean, lrstd);
    const auto l = host(ly);
    CHECK(std::isnan(l[0]));
    CHECK(std::isnan(l[1]));
    for (int j = 2; j < 6; ++j) CHECK(std::isfinite(l[j]));
  }
}

TEST_CASE("non-finite: losses and metrics of a sample holding a NaN are NaN", "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    for (const LossKind kind :
         {LossKind::MeanSquaredError, LossKind::MeanAbsoluteError, LossKind::Huber, LossKind::BinaryCrossentropy,
          LossKind::CategoricalCrossentropy, LossKind::SparseCategoricalCrossentropy}) {
      for (const bool logits : {false, true}) {
        INFO(b->name() << " loss kind " << static_cast<int>(kind) << (logits ? " logits" : ""));
        LossParams p;
        p.kind = kind;
        p.from_logits = logits;
        const bool sparse = kind == LossKind::SparseCategoricalCrossentropy;
        const Tensor yt = sparse ? on(*b, Shape{2}, {1.f, 0.f}) : on(*b, Shape{2, 2}, {0.f, 1.f, 1.f, 0.f});
        const Tensor yp = on(*b, Shape{2, 2}, {kNaN, 0.6f, 0.7f, 0.3f});
        Tensor values(*b, Shape{2}), grad(*b, Shape{2, 2});
        b->loss(p, yt, yp, values, &grad);
        const auto v = host(values);
        CHECK(std::isnan(v[0]));
        CHECK(std::isfinite(v[1]));
      }
    }
    for (const MetricKind kind : {MetricKind::Mean, MetricKind::MeanSquaredError, MetricKind::MeanAbsoluteError}) {
      INFO(b->name() << " metric kind " << static_cast<int>(kind));
      const Tensor yt = on(*b, Shape{2, 2}, {0.f, 1.f, 1.f, 0.f});
      const Tensor yp = on(*b, Shape{2, 2}, {kNaN, 0.6f, 0.7f, 0.3f});
      Tensor state = zeros(*b, Shape{2});
      b->metric_update(kind, yt, yp, 0.5f, state);
      CHECK(std::isnan(host(state)[0]));
    }
  }
}

TEST_CASE("non-finite: a NaN gradient makes its weight NaN in every optimizer; clip keeps NaN",
          "[backends][non_finite]") {
  for (Backend* b : every_backend()) {
    INFO(b->name());
    const Tensor g = on(*b, Shape{3}, {kNaN, 1.f, kInf});
    const auto fresh = [&] { return on(*b, Shape{3}, {1.f, 1.f, 1.f}); };
    const auto check = [&](const Tensor& w, const char* what) {
      INFO(what);
      const auto v = host(w);
      CHECK(std::isnan(v[0]));
      CHECK(std::isfinite(v[1]));
      CHECK(!std::isfinite(v[2]));
    };
    Tensor w = fresh(), velocity = zeros(*b, Shape{3});
    b->sgd_update(w, g, &velocity, SGDParams{0.1f, 0.9f, false});
    check(w, "sgd");
    w = fresh();
    Tensor m = zeros(*b, Shape{3}), v = zeros(*b, Shape{3});
    b->adam_update(w, g, m, v, nullptr, AdamParams{});
    CHECK(std::isnan(host(w)[0]));  // adam's update of an infinite gradient is inf / inf
    w = fresh();
    Tensor m2 = zeros(*b, Shape{3}), v2 = zeros(*b, Shape{3}), v_hat = zeros(*b, Shape{3});
    AdamParams amsgrad;
    amsgrad.amsgrad = true;
    b->adam_update(w, g, m2, v2, &v_hat, amsgrad);
    CHECK(std::isnan(host(w)[0]));
    CHECK(std::isnan(host(v_hat)[0]));
    w = fresh();
    Tensor ms = zeros(*b, Shape{3});
    b->rmsprop_update(w, g, ms, nullptr, nullptr, RMSpropParams{});
    CHECK(std::isnan(host(w)[0]));
    w = fresh();
    Tensor acc = zeros(*b, Shape{3});
    b->adagrad_update(w, g, acc, AdagradParams{});
    CHECK(std::isnan(host(w)[0]));

    Tensor c = on(*b, Shape{3}, {kNaN, kInf, -kInf});
    b->clip(c, -1.f, 1.f);
    const auto cv = host(c);
    CHECK(std::isnan(cv[0]));
    CHECK(cv[1] == 1.f);
    CHECK(cv[2] == -1.f);
    CHECK(std::isnan(b->sum_squares(g)));
  }
}

// ---- parity on random inputs with specials ---------------------------------------------------

TEST_CASE("non-finite parity: dense, matmul, sum_rows", "[backends][non_finite]") {
  std::uint32_t seed = 9000;
  for (const auto [n, k, m] : {std::array<std::int64_t, 3>{7, 13, 9}, {32, 784, 128}, {32, 128, 10}}) {
    const Twin x = specials(Shape{n, k}, ++seed);
    const Twin w = twin(Shape{k, m}, uniform(k * m, -0.1f, 0.1f, ++seed));
    const Twin bias = twin(Shape{m}, uniform(m, -0.5f, 0.5f, ++seed));
    for (const ActivationFunction& act : activations()) {
      Twin y = output(Shape{n, m});
      cpu().dense_forward(x.c, w.c, &bias.c, act, y.c);
      ref().dense_forward(x.r, w.r, &bias.r, act, y.r);
      expect_close(y.c, y.r, 1e-4, 1e-4, "dense_forward " + act.name());
    }
    Twin c = output(Shape{k, m});
    const Twin dz = specials(Shape{n, m}, ++seed);
    cpu().matmul(x.c, true, dz.c, false, c.c);
    ref().matmul(x.r, true, dz.r, false, c.r);
    expect_close(c.c, c.r, 1e-4, 1e-4, "matmul x^T dz");
    Twin s = output(Shape{m});
    cpu().sum_rows(dz.c, s.c);
    ref().sum_rows(dz.r, s.r);
    expect_close(s.c, s.r, 1e-5, 1e-4, "sum_rows");
  }
}

TEST_CASE("non-finite parity: activations forward and backward", "[backends][non_finite]") {
  std::uint32_t seed = 9100;
  for (const Shape& s : {Shape{7, 13}, Shape{32, 128}, Shape{300, 301}}) {
    const Twin x = specials(s, ++seed);
    // dy holds NaN but no infinity: elu's and selu's slope at x = -inf is 0 exactly, but each
    // backend computes it from y with its own rounding, and inf times that leftover differs.
    const std::uint32_t dy_seed = ++seed;
    std::vector<float> dyv = with_specials(uniform(s.num_elements(), -2.f, 2.f, dy_seed), dy_seed + 7, 5);
    for (float& v : dyv)
      if (std::isinf(v)) v = kNaN;
    const Twin dy = twin(s, dyv);
    for (const ActivationFunction& act : activations()) {
      Twin y = output(s);
      cpu().activation_forward(act, x.c, y.c);
      ref().activation_forward(act, x.r, y.r);
      expect_close(y.c, y.r, 2e-5, 2e-6, "activation_forward " + act.name() + " " + s.to_string());
      // Both get the reference's y, so the backward is compared on its own.
      const Twin yy = twin(s, host(y.r));
      Twin dx = output(s);
      cpu().activation_backward(act, x.c, yy.c, dy.c, dx.c);
      ref().activation_backward(act, x.r, yy.r, dy.r, dx.r);
      expect_close(dx.c, dx.r, 2e-5, 2e-6, "activation_backward " + act.name() + " " + s.to_string());
    }
  }
}

TEST_CASE("non-finite parity: element-wise, layout and spatial ops", "[backends][non_finite]") {
  std::uint32_t seed = 9200;
  const Shape s{4, 6, 5, 3};
  const Twin a = specials(s, ++seed), b = specials(s, ++seed);
  const auto both = [](const char* what, auto&& op, const Shape& out_shape) {
    Twin out = output(out_shape);
    op(cpu(), out.c, true);
    op(ref(), out.r, false);
    expect_close(out.c, out.r, 1e-6, 1e-6, what);
  };
  const auto pick = [](const Twin& t, bool c) -> const Tensor& { return c ? t.c : t.r; };
  both(
      "multiply", [&](Backend& be, Tensor& o, bool c) { be.multiply(pick(a, c), pick(b, c), o); }, s);
  both(
      "add", [&](Backend& be, Tensor& o, bool c) { be.add(pick(a, c), pick(b, c), o); }, s);
  both(
      "affine", [&](Backend& be, Tensor& o, bool c) { be.affine(pick(a, c), 2.f, -1.f, o); }, s);
  const Twin bias = specials(Shape{3}, ++seed);
  both(
      "add_bias", [&](Backend& be, Tensor& o, bool c) { be.add_bias(pick(a, c), pick(bias, c), o); }, s);
  both(
      "dropout",
      [&](Backend& be, Tensor& o, bool c) {
        Tensor mask(be, s);
        be.dropout_forward(pick(a, c), 0.3f, 7, mask, o);
      },
      s);
  both(
      "spatial_dropout",
      [&](Backend& be, Tensor& o, bool c) {
        Tensor mask(be, Shape{4, 3});
        be.spatial_dropout_forward(pick(a, c), 0.3f, 7, mask, o);
      },
      s);
  const std::array<int, 4> perm{0, 2, 1, 3};
  both(
      "transpose", [&](Backend& be, Tensor& o, bool c) { be.transpose(pick(a, c), perm, o); }, Shape{4, 5, 6, 3});
  both(
      "slice", [&](Backend& be, Tensor& o, bool c) { be.slice(pick(a, c), 1, 2, o); }, Shape{4, 3, 5, 3});
  both(
      "pad2d", [&](Backend& be, Tensor& o, bool c) { be.pad2d(pick(a, c), 1, 2, o); }, Shape{4, 8, 9, 3});
  both(
      "crop2d", [&](Backend& be, Tensor& o, bool c) { be.crop2d(pick(a, c), 1, 1, o); }, Shape{4, 4, 3, 3});
  both(
      "upsample2d", [&](Backend& be, Tensor& o, bool c) { be.upsample2d_forward(pick(a, c), 2, 2, o); },
      Shape{4, 12, 10, 3});
  const Twin up = specials(Shape{4, 12, 10, 3}, ++seed);
  both(
      "upsample2d_backward", [&](Backend& be, Tensor& o, bool c) { be.upsample2d_backward(pick(up, c), 2, 2, o); }, s);
  for (const ReduceOp op : {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min})
    both(
        "reduce", [&](Backend& be, Tensor& o, bool c) { be.reduce(op, pick(a, c), o); }, Shape{4, 1, 5, 1});
  Twin scaled = twin(s, host(a.r));
  cpu().scale(scaled.c, -0.5f);
  ref().scale(scaled.r, -0.5f);
  expect_close(scaled.c, scaled.r, 0, 0, "scale");
  cpu().clip(scaled.c, -0.5f, 0.5f);
  ref().clip(scaled.r, -0.5f, 0.5f);
  expect_close(scaled.c, scaled.r, 0, 0, "clip");
  CHECK(std::isnan(cpu().sum_squares(a.c)));
  CHECK(std::isnan(ref().sum_squares(a.r)));
}

TEST_CASE("non-finite parity: convolution, pooling, normalisation", "[backends][non_finite]") {
  std::uint32_t seed = 9300;
  const Shape xs{2, 9, 9, 4};
  const Twin x = specials(xs, ++seed);
  const Twin w = twin(Shape{3, 3, 4, 5}, uniform(180, -0.3f, 0.3f, ++seed));
  const Twin bias = twin(Shape{5}, uniform(5, -0.3f, 0.3f, ++seed));
  Conv2DParams cp;
  cp.pad_top = cp.pad_bottom = cp.pad_left = cp.pad_right = 1;
  for (const ActivationFunction& act :
       {ActivationFunction{ActivationKind::Linear}, ActivationFunction{ActivationKind::Relu},
        ActivationFunction{ActivationKind::Tanh}}) {
    Twin y = output(Shape{2, 9, 9, 5});
    cpu().conv2d_forward(x.c, w.c, &bias.c, act, cp, y.c);
    ref().conv2d_forward(x.r, w.r, &bias.r, act, cp, y.r);
    expect_close(y.c, y.r, 1e-4, 1e-4, "conv2d_forward " + act.name());
  }
  const Twin dy = specials(Shape{2, 9, 9, 5}, ++seed);
  Twin dx = output(xs);
  cpu().conv2d_backward_data(dy.c, w.c, cp, dx.c);
  ref().conv2d_backward_data(dy.r, w.r, cp, dx.r);
  expect_close(dx.c, dx.r, 1e-4, 1e-4, "conv2d_backward_data");
  Twin dw = output(Shape{3, 3, 4, 5}), db = output(Shape{5});
  cpu().conv2d_backward_weights(x.c, dy.c, cp, dw.c, &db.c);
  ref().conv2d_backward_weights(x.r, dy.r, cp, dw.r, &db.r);
  expect_close(dw.c, dw.r, 1e-4, 1e-4, "conv2d_backward_weights");
  expect_close(db.c, db.r, 1e-4, 1e-4, "conv2d_backward_weights bias");

  for (const PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
    Pool2DParams p;
    p.kind = kind;
    const std::string what = kind == PoolKind::Max ? "max pool" : "average pool";
    Twin y = output(Shape{2, 4, 4, 4});
    std::unique_ptr<OpState> sc, sr;
    cpu().pool2d_forward(x.c, p, y.c, &sc);
    ref().pool2d_forward(x.r, p, y.r, &sr);
    expect_close(y.c, y.r, 1e-6, 1e-6, what + " forward");
    Twin yi = output(Shape{2, 4, 4, 4});
    cpu().pool2d_forward(x.c, p, yi.c, nullptr);
    expect_close(yi.c, y.r, 1e-6, 1e-6, what + " forward (inference)");
    const Twin pdy = twin(Shape{2, 4, 4, 4}, uniform(128, -1.f, 1.f, ++seed));
    Twin pdx = output(xs);
    cpu().pool2d_backward(x.c, y.c, pdy.c, p, sc, pdx.c);
    ref().pool2d_backward(x.r, y.r, pdy.r, p, sr, pdx.r);
    expect_close(pdx.c, pdx.r, 1e-6, 1e-6, what + " backward");
  }

  const Twin gamma = twin(Shape{4}, uniform(4, 0.5f, 1.5f, ++seed));
  const Twin beta = twin(Shape{4}, uniform(4, -0.5f, 0.5f, ++seed));
  Twin y = output(xs), mean = output(Shape{4}), var = output(Shape{4});
  Twin mm = twin(Shape{4}, std::vector<float>(4, 0.f)), mv = twin(Shape{4}, std::vector<float>(4, 1.f));
  cpu().batch_norm_forward_training(x.c, gamma.c, beta.c, 1e-3f, 0.99f, y.c, mean.c, var.c, mm.c, mv.c);
  ref().batch_norm_forward_training(x.r, gamma.r, beta.r, 1e-3f, 0.99f, y.r, mean.r, var.r, mm.r, mv.r);
  expect_close(y.c, y.r, 1e-4, 1e-4, "batch_norm_forward_training");
  expect_close(mm.c, mm.r, 1e-4, 1e-4, "batch_norm moving mean");
  Twin lm = output(Shape{2, 9, 9}), lr = output(Shape{2, 9, 9}), ly = output(xs);
  cpu().layer_norm_forward(x.c, &gamma.c, &beta.c, 1e-3f, ly.c, lm.c, lr.c);
  ref().layer_norm_forward(x.r, &gamma.r, &beta.r, 1e-3f, ly.r, lm.r, lr.r);
  expect_close(ly.c, ly.r, 1e-4, 1e-4, "layer_norm_forward");
}

TEST_CASE("non-finite parity: losses and metrics", "[backends][non_finite]") {
  std::uint32_t seed = 9400;
  for (const LossKind kind :
       {LossKind::MeanSquaredError, LossKind::MeanAbsoluteError, LossKind::Huber, LossKind::BinaryCrossentropy,
        LossKind::CategoricalCrossentropy, LossKind::SparseCategoricalCrossentropy}) {
    for (const bool logits : {false, true}) {
      LossParams p;
      p.kind = kind;
      p.from_logits = logits;
      p.grad_scale = 1.f / 32.f;
      const bool sparse = kind == LossKind::SparseCategoricalCrossentropy;
      const Twin yp = specials(Shape{32, 10}, ++seed);
      std::vector<float> labels(sparse ? 32 : 320);
      for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = sparse ? float(i % 10) : float(i % 3 == 0);
      const Twin yt = twin(sparse ? Shape{32} : Shape{32, 10}, labels);
      Twin values = output(Shape{32}), grad = output(Shape{32, 10});
      cpu().loss(p, yt.c, yp.c, values.c, &grad.c);
      ref().loss(p, yt.r, yp.r, values.r, &grad.r);
      const std::string what = "loss kind " + std::to_string(static_cast<int>(kind)) + (logits ? " logits" : "");
      expect_close(values.c, values.r, 2e-5, 2e-6, what + " values");
      expect_close(grad.c, grad.r, 2e-5, 2e-6, what + " grad");
    }
  }
  for (const MetricKind kind :
       {MetricKind::Mean, MetricKind::Accuracy, MetricKind::BinaryAccuracy, MetricKind::CategoricalAccuracy,
        MetricKind::SparseCategoricalAccuracy, MetricKind::MeanSquaredError, MetricKind::MeanAbsoluteError}) {
    const Twin yp = specials(Shape{32, 10}, ++seed);
    const bool sparse = kind == MetricKind::SparseCategoricalAccuracy;
    std::vector<float> labels(sparse ? 32 : 320);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = sparse ? float(i % 10) : float(i % 3 == 0);
    const Twin yt = twin(sparse ? Shape{32} : Shape{32, 10}, labels);
    Twin state = twin(Shape{2}, {0.f, 0.f});
    cpu().metric_update(kind, yt.c, yp.c, 0.5f, state.c);
    ref().metric_update(kind, yt.r, yp.r, 0.5f, state.r);
    expect_close(state.c, state.r, 1e-6, 1e-6, "metric kind " + std::to_string(static_cast<int>(kind)));
  }
}
