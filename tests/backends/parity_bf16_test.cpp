// bfloat16 ops, the cpu backend against the reference (which computes the f32 form on widened
// copies and rounds once). matmul with bf16 operands, every transposition, written in f32 or in
// bf16; a mixed pair refused on both. Then every op Keras's mixed_bfloat16 policy runs in bf16
// (dense, activations, sum_rows, convolutions, pooling, dropout, multiply) at the MNIST convnet's
// shapes and small odd ones, NaN kept through relu and max pooling, dropout's bf16 mask on the f32
// mask's positions, and the mixes outside the bf16 forms refused.
//
// Tolerances: the operands are exact bf16 values, so every product is exact in f32 and only the
// sum's order and width differ: rel 1e-5, abs 2e-6 sqrt(k) for an f32 result; a bf16 result is
// that f32 sum rounded to 8 bits, one ulp apart at most where the two sums straddle a rounding
// boundary: rel 2^-7, with the f32 sum's abs 2e-6 sqrt(k) where a sum cancels to near zero.
// Element-wise ops and activations: one f32 evaluation (oneDNN's vectorised exp / tanh / erf
// within a few f32 ulps of the reference's double) rounded once: rel 2^-7, abs 1e-6. Max pooling
// forward, multiply and dropout: exact (a maximum is an input; a product of two bf16 values is
// exact in f32, so both backends round the same number).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/bfloat16.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "strata/tensor_host.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// `values` rounded to bf16, on both backends.
Twin bf16_twin(const Shape& shape, const std::vector<float>& values) {
  const Twin f = twin(shape, values);
  Twin out{Tensor(cpu(), shape, DType::BF16), Tensor(ref(), shape, DType::BF16)};
  cpu().cast(f.c, out.c);
  ref().cast(f.r, out.r);
  return out;
}

// `shape` filled with uniform values in [lo, hi) rounded to bf16, on both backends.
Twin bf16_twin(const Shape& shape, std::uint32_t seed, float lo = -2.f, float hi = 2.f) {
  return bf16_twin(shape, uniform(shape.num_elements(), lo, hi, seed));
}

// A bf16 output on both backends, pre-filled with a sentinel so an unwritten element shows.
Twin bf16_output(const Shape& shape) {
  return bf16_twin(shape, std::vector<float>(static_cast<std::size_t>(shape.num_elements()), -777.f));
}

// A bf16 tensor's values as an f32 tensor on the same backend.
Tensor widened(const Tensor& t) {
  Tensor out(t.backend(), t.shape());
  t.backend().cast(t, out);
  return out;
}

// An f32 tensor's values rounded to bf16, on the same backend.
Tensor narrowed(const Tensor& t) {
  Tensor out(t.backend(), t.shape(), DType::BF16);
  t.backend().cast(t, out);
  return out;
}

// A bf16 output of both backends compared as f32 values.
void expect_bf16_close(const Twin& y, double rel, double abs, const std::string& what) {
  expect_close(widened(y.c), widened(y.r), rel, abs, what);
}

constexpr double kBf16Rel = 1.0 / 128;  // one bf16 ulp, at the bottom of a binade
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

ActivationFunction act_of(ActivationKind kind, float alpha = 0.f) { return ActivationFunction{kind, alpha}; }

// Every activation, with the parameters Keras's layers give them; relu also clipped and
// thresholded (Keras's ReLU layer).
std::vector<ActivationFunction> every_activation() {
  std::vector<ActivationFunction> acts = {
      act_of(ActivationKind::Linear),   act_of(ActivationKind::Relu),    act_of(ActivationKind::Sigmoid),
      act_of(ActivationKind::Tanh),     act_of(ActivationKind::Softmax), act_of(ActivationKind::Elu, 1.f),
      act_of(ActivationKind::Selu),     act_of(ActivationKind::Gelu),    act_of(ActivationKind::LeakyRelu, 0.2f),
      act_of(ActivationKind::Softplus), act_of(ActivationKind::Swish),
  };
  ActivationFunction clipped = act_of(ActivationKind::Relu, 0.1f);
  clipped.max_value = 1.5f;
  ActivationFunction thresholded = act_of(ActivationKind::Relu, 0.2f);
  thresholded.threshold = 0.3f;
  acts.push_back(clipped);
  acts.push_back(thresholded);
  return acts;
}

Conv2DParams conv_params(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  Conv2DParams p;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.groups = groups;
  return p;
}

struct ConvCase {
  const char* name;
  std::int64_t n, h, w, in, k, out;
  Conv2DParams p;

  Shape x() const { return Shape{n, h, w, in}; }
  Shape kernel() const { return Shape{k, k, in / p.groups, out}; }
  Shape y() const {
    const std::int64_t extent = p.dilation_h * (k - 1) + 1;
    return Shape{n, (h + 2 * p.pad_top - extent) / p.stride_h + 1, (w + 2 * p.pad_left - extent) / p.stride_w + 1, out};
  }
};

// The MNIST convnet's two convolutions at batch 8, and small odd ones.
std::vector<ConvCase> conv_cases() {
  return {
      {"MNIST conv 1: 28x28x1 -> 32, batch 8", 8, 28, 28, 1, 3, 32, conv_params(1, 0)},
      {"MNIST conv 2: 13x13x32 -> 64, batch 8", 8, 13, 13, 32, 3, 64, conv_params(1, 0)},
      {"odd sizes, padded", 3, 7, 9, 5, 3, 6, conv_params(1, 1)},
      {"stride 2", 2, 11, 10, 4, 3, 8, conv_params(2, 0)},
      {"dilation 2", 2, 12, 11, 3, 3, 4, conv_params(1, 0, 2)},
      {"groups 2", 2, 9, 9, 6, 3, 4, conv_params(1, 1, 1, 2)},
      {"RGB into 16 (a short-patch shape)", 2, 9, 10, 3, 3, 16, conv_params(1, 1)},
  };
}

Pool2DParams pool_params(PoolKind kind, std::int64_t size, std::int64_t stride, std::int64_t pad = 0) {
  Pool2DParams p;
  p.kind = kind;
  p.pool_h = p.pool_w = size;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  return p;
}

struct MatmulCase {
  std::int64_t n, k, m;
  bool transpose_a, transpose_b;
};

}  // namespace

TEST_CASE("parity bf16: matmul of bf16 operands, written in f32 and in bf16", "[backends][parity][dtype]") {
  const std::vector<MatmulCase> cases = {
      {1, 1, 1, false, false},     {7, 13, 5, false, false},   {7, 13, 5, true, false},
      {7, 13, 5, false, true},     {7, 13, 5, true, true},     {32, 784, 128, false, false},
      {784, 32, 128, true, false}, {32, 10, 128, false, true}, {256, 1024, 1024, false, false},
  };
  std::uint32_t seed = 9000;
  for (const MatmulCase& c : cases) {
    for (const DType out : {DType::F32, DType::BF16}) {
      const std::string what = "matmul " + std::to_string(c.n) + "x" + std::to_string(c.k) + "x" + std::to_string(c.m) +
                               (c.transpose_a ? " a^T" : "") + (c.transpose_b ? " b^T" : "") + " into " +
                               std::string(dtype_name(out));
      const Shape sa = c.transpose_a ? Shape{c.k, c.n} : Shape{c.n, c.k};
      const Shape sb = c.transpose_b ? Shape{c.m, c.k} : Shape{c.k, c.m};
      const Twin a = bf16_twin(sa, ++seed), b = bf16_twin(sb, ++seed);
      Twin y{Tensor(cpu(), Shape{c.n, c.m}, out), Tensor(ref(), Shape{c.n, c.m}, out)};
      cpu().matmul(a.c, c.transpose_a, b.c, c.transpose_b, y.c);
      ref().matmul(a.r, c.transpose_a, b.r, c.transpose_b, y.r);
      if (out == DType::F32)
        expect_close(y.c, y.r, 1e-5, 2e-6 * std::sqrt(double(c.k)), what);
      else
        expect_close(widened(y.c), widened(y.r), 1.0 / 128, 2e-6 * std::sqrt(double(c.k)), what);
    }
  }
}

TEST_CASE("parity bf16: a NaN or an infinity in a bf16 operand reaches the product", "[backends][parity][dtype]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    const xt::xarray<float> ha = {{nan, 1.f}, {inf, 1.f}};
    xt::xarray<float> hb = xt::ones<float>({2, 1});
    hb(1, 0) = 2.f;
    const Tensor a = narrowed(from_host(*be, ha));
    const Tensor b = narrowed(from_host(*be, hb));
    Tensor y(*be, Shape{2, 1});
    be->matmul(a, false, b, false, y);
    const auto host = to_host(y);
    CHECK(std::isnan(host(0, 0)));
    CHECK(host(1, 0) == inf);
  }
}

TEST_CASE("parity bf16: a bf16 operand beside an f32 one is refused, naming matmul", "[backends][dtype]") {
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    const Tensor a(*be, Shape{2, 3}, DType::BF16);
    const Tensor b(*be, Shape{3, 4});
    Tensor y(*be, Shape{2, 4});
    CHECK_THROWS_AS(be->matmul(a, false, b, false, y), BackendError);
    CHECK_THROWS_WITH(be->matmul(a, false, b, false, y), Catch::Contains("matmul"));
    // Nor is an int32 result.
    const Tensor b16(*be, Shape{3, 4}, DType::BF16);
    Tensor yi(*be, Shape{2, 4}, DType::I32);
    CHECK_THROWS_AS(be->matmul(a, false, b16, false, yi), BackendError);
  }
}

TEST_CASE("parity bf16: supports() names exactly the ops ported to bf16", "[backends][dtype]") {
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    for (const char* op : {"matmul", "cast", "dense_forward", "activation_forward", "activation_backward", "sum_rows",
                           "conv2d_forward", "conv2d_backward_data", "conv2d_backward_weights", "pool2d_forward",
                           "pool2d_backward", "dropout_forward", "multiply", "fill"}) {
      INFO(op);
      CHECK(be->supports(op, DType::BF16));
      CHECK(be->supports(op, DType::F32));
    }
    for (const char* op : {"add", "scale", "binary", "batch_norm_forward_training", "adam_update", "loss"}) {
      INFO(op);
      CHECK_FALSE(be->supports(op, DType::BF16));
    }
    CHECK_FALSE(be->supports("dense_forward", DType::I32));
  }
}

TEST_CASE("parity bf16: fill writes the value rounded once to bf16", "[backends][parity][dtype]") {
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    Tensor t(*be, Shape{3, 70000}, DType::BF16);  // past the size where the cpu backend forks
    be->fill(t, 1.00390625f);                     // 1 + 2^-8: a tie, rounds to even (1.0)
    const auto host = to_host_as<bfloat16>(t);
    CHECK(std::all_of(host.begin(), host.end(), [](bfloat16 v) { return v.bits() == bfloat16(1.f).bits(); }));
    be->fill(t, -3.5f);
    CHECK(static_cast<float>(to_host_as<bfloat16>(t)(2, 69999)) == -3.5f);
  }
}

TEST_CASE("parity bf16: dense_forward, bf16 x and w, f32 bias, every activation", "[backends][parity][dtype]") {
  struct DenseCase {
    std::int64_t n, k, m;
  };
  // The MNIST convnet's head, an MLP layer past the f32 split-k threshold, small odd ones.
  const std::vector<DenseCase> cases = {{8, 1600, 10}, {32, 784, 128}, {4, 1600, 10}, {3, 7, 5}, {1, 1, 1}};
  std::uint32_t seed = 9100;
  for (const DenseCase& c : cases) {
    const Twin x = bf16_twin(Shape{c.n, c.k}, ++seed);
    const float scale = c.k > 0 ? 1.f / std::sqrt(static_cast<float>(c.k)) : 1.f;
    const Twin w = bf16_twin(Shape{c.k, c.m}, ++seed, -scale, scale);
    const Twin b = twin(Shape{c.m}, uniform(c.m, -0.5f, 0.5f, ++seed));
    for (const ActivationFunction& act : every_activation()) {
      for (const bool bias : {true, false}) {
        const std::string what = "dense_forward " + std::to_string(c.n) + "x" + std::to_string(c.k) + "x" +
                                 std::to_string(c.m) + " " + act.name() + (bias ? " +bias" : "");
        Twin y = bf16_output(Shape{c.n, c.m});
        cpu().dense_forward(x.c, w.c, bias ? &b.c : nullptr, act, y.c);
        ref().dense_forward(x.r, w.r, bias ? &b.r : nullptr, act, y.r);
        expect_bf16_close(y, kBf16Rel, 4e-6 * std::sqrt(double(c.k) + 1), what);
      }
    }
  }
}

TEST_CASE("parity bf16: activation_forward and activation_backward, every kind", "[backends][parity][dtype]") {
  std::uint32_t seed = 9200;
  // Small and odd, and past the cpu's serial thresholds (its loops fork).
  for (const Shape& shape : {Shape{5, 13}, Shape{70, 1000}}) {
    const Twin x = bf16_twin(shape, ++seed, -4.f, 4.f);
    const Twin dy = bf16_twin(shape, ++seed);
    for (const ActivationFunction& act : every_activation()) {
      const std::string what = act.name() + " on " + shape.to_string() + " alpha " + std::to_string(act.alpha) +
                               " max " + std::to_string(act.max_value) + " threshold " + std::to_string(act.threshold);
      Twin y = bf16_output(shape);
      cpu().activation_forward(act, x.c, y.c);
      ref().activation_forward(act, x.r, y.r);
      expect_bf16_close(y, kBf16Rel, 1e-6, what + " forward");
      // The backward from the same (reference) y on both, from x and y, and from y alone.
      const Twin yb = bf16_twin(shape, host(widened(y.r)));
      Twin dx = bf16_output(shape);
      cpu().activation_backward(act, x.c, yb.c, dy.c, dx.c);
      ref().activation_backward(act, x.r, yb.r, dy.r, dx.r);
      expect_bf16_close(dx, kBf16Rel, 1e-5, what + " backward from x and y");
      // The cpu backend's paths from x alone (oneDNN's backward from the input, selu's loop),
      // which the reference has only where the contract lets y go: against its own f32 form on
      // the widened tensors, rounded once.
      if (act.kind != ActivationKind::Softmax) {
        Tensor dx_x(cpu(), shape, DType::BF16), dx32(cpu(), shape);
        cpu().activation_backward(act, x.c, Tensor(), dy.c, dx_x);
        cpu().activation_backward(act, widened(x.c), Tensor(), widened(dy.c), dx32);
        expect_close(widened(dx_x), widened(narrowed(dx32)), kBf16Rel, 1e-6, what + " backward from x");
      }
      if (act.backward_from_output()) {
        Twin dx_y = bf16_output(shape);
        cpu().activation_backward(act, Tensor(), yb.c, dy.c, dx_y.c);
        ref().activation_backward(act, Tensor(), yb.r, dy.r, dx_y.r);
        expect_bf16_close(dx_y, kBf16Rel, 1e-5, what + " backward from y");
      }
    }
  }
}

TEST_CASE("parity bf16: sum_rows of bf16 rows into an f32 and a bf16 result", "[backends][parity][dtype]") {
  std::uint32_t seed = 9300;
  // A bias gradient of the MNIST head, odd sizes, and one past the cpu's column split.
  for (const Shape& shape : {Shape{8, 10}, Shape{7, 13}, Shape{128, 600}, Shape{3, 1100}}) {
    const Twin x = bf16_twin(shape, ++seed);
    const double abs = 2e-6 * std::sqrt(double(shape[0])) * 4;
    Twin f = output(Shape{shape[1]});
    cpu().sum_rows(x.c, f.c);
    ref().sum_rows(x.r, f.r);
    expect_close(f.c, f.r, 1e-5, abs, "sum_rows into f32 " + shape.to_string());
    Twin h = bf16_output(Shape{shape[1]});
    cpu().sum_rows(x.c, h.c);
    ref().sum_rows(x.r, h.r);
    expect_bf16_close(h, kBf16Rel, abs, "sum_rows into bf16 " + shape.to_string());
  }
}

TEST_CASE("parity bf16: conv2d forward, backward-data and backward-weights", "[backends][parity][dtype]") {
  std::uint32_t seed = 9400;
  const std::vector<ActivationFunction> acts = {act_of(ActivationKind::Linear), act_of(ActivationKind::Relu),
                                                act_of(ActivationKind::Tanh), act_of(ActivationKind::Softmax)};
  for (const ConvCase& c : conv_cases()) {
    const std::int64_t k = c.k * c.k * (c.in / c.p.groups);
    const float scale = 1.f / std::sqrt(static_cast<float>(k));
    const Twin x = bf16_twin(c.x(), ++seed, -1.f, 1.f);
    const Twin w = bf16_twin(c.kernel(), ++seed, -scale, scale);
    const Twin b = twin(Shape{c.out}, uniform(c.out, -0.5f, 0.5f, ++seed));
    const Twin dy = bf16_twin(c.y(), ++seed, -1.f, 1.f);
    for (const ActivationFunction& act : acts) {
      for (const bool bias : {true, false}) {
        Twin y = bf16_output(c.y());
        cpu().conv2d_forward(x.c, w.c, bias ? &b.c : nullptr, act, c.p, y.c);
        ref().conv2d_forward(x.r, w.r, bias ? &b.r : nullptr, act, c.p, y.r);
        expect_bf16_close(y, kBf16Rel, 4e-6 * std::sqrt(double(k)),
                          std::string("conv2d_forward ") + c.name + " " + act.name() + (bias ? " +bias" : ""));
      }
    }
    Twin dx = bf16_output(c.x());
    cpu().conv2d_backward_data(dy.c, w.c, c.p, dx.c);
    ref().conv2d_backward_data(dy.r, w.r, c.p, dx.r);
    expect_bf16_close(dx, kBf16Rel, 4e-6 * std::sqrt(double(c.k * c.k * c.out)),
                      std::string("conv2d_backward_data ") + c.name);
    const double sums = static_cast<double>(c.y().num_elements() / c.out);
    for (const bool bias : {true, false}) {
      Twin dw = output(c.kernel()), db = output(Shape{c.out});
      cpu().conv2d_backward_weights(x.c, dy.c, c.p, dw.c, bias ? &db.c : nullptr);
      ref().conv2d_backward_weights(x.r, dy.r, c.p, dw.r, bias ? &db.r : nullptr);
      const std::string what = std::string("conv2d_backward_weights ") + c.name;
      expect_close(dw.c, dw.r, 1e-4, 2e-6 * std::sqrt(sums) + 5e-8 * sums, what + " dw");
      if (bias) expect_close(db.c, db.r, 1e-4, 2e-6 * std::sqrt(sums) + 5e-8 * sums, what + " db");
    }
  }
}

TEST_CASE("parity bf16: max and average pooling, forward and backward", "[backends][parity][dtype]") {
  struct PoolCase {
    const char* name;
    Shape x;
    std::int64_t size, stride, pad;
  };
  const std::vector<PoolCase> cases = {
      {"MNIST pool 1: 26x26x32 / 2, batch 8", Shape{8, 26, 26, 32}, 2, 2, 0},
      {"MNIST pool 2: 11x11x64 / 2, batch 8", Shape{8, 11, 11, 64}, 2, 2, 0},
      {"odd sizes, 3 / 2 overlapping, padded", Shape{3, 7, 9, 5}, 3, 2, 1},
      {"3 / 1, every position in several windows", Shape{2, 6, 5, 3}, 3, 1, 0},
  };
  std::uint32_t seed = 9500;
  for (const PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
    const bool max = kind == PoolKind::Max;
    for (const PoolCase& c : cases) {
      const Pool2DParams p = pool_params(kind, c.size, c.stride, c.pad);
      const Shape ys{c.x[0], (c.x[1] + 2 * c.pad - c.size) / c.stride + 1, (c.x[2] + 2 * c.pad - c.size) / c.stride + 1,
                     c.x[3]};
      const std::string what = std::string(max ? "max" : "average") + " pool " + c.name;
      const Twin x = bf16_twin(c.x, ++seed);
      const Twin dy = bf16_twin(ys, ++seed, -1.f, 1.f);
      Twin y0 = bf16_output(ys);
      cpu().pool2d_forward(x.c, p, y0.c, nullptr);
      ref().pool2d_forward(x.r, p, y0.r, nullptr);
      std::unique_ptr<OpState> sc, sr;
      Twin y = bf16_output(ys);
      cpu().pool2d_forward(x.c, p, y.c, &sc);
      ref().pool2d_forward(x.r, p, y.r, &sr);
      Twin dx = bf16_output(c.x);
      cpu().pool2d_backward(x.c, y.c, dy.c, p, sc, dx.c);
      ref().pool2d_backward(x.r, y.r, dy.r, p, sr, dx.r);
      if (max) {
        expect_equal(widened(y0.c), widened(y0.r), what + " forward (inference)");
        expect_equal(widened(y.c), widened(y.r), what + " forward (training)");
        expect_bf16_close(dx, kBf16Rel, 1e-6, what + " backward");
        std::unique_ptr<OpState> none;
        Twin dx2 = bf16_output(c.x);
        cpu().pool2d_backward(x.c, y.c, dy.c, p, none, dx2.c);
        expect_bf16_close(Twin{dx2.c, dx.r}, kBf16Rel, 1e-6, what + " backward without state");
      } else {
        expect_bf16_close(y0, kBf16Rel, 1e-6, what + " forward (inference)");
        expect_bf16_close(y, kBf16Rel, 1e-6, what + " forward (training)");
        expect_bf16_close(dx, kBf16Rel, 1e-6, what + " backward");
      }
    }
  }
}

TEST_CASE("parity bf16: a NaN stays NaN through relu, dense relu and max pooling", "[backends][parity][dtype]") {
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    // relu(NaN) is NaN, relu(-1) 0.
    const Tensor x = narrowed(from_host(*be, xt::xarray<float>{{kNaN, -1.f, 2.f}}));
    Tensor y(*be, Shape{1, 3}, DType::BF16);
    be->activation_forward(act_of(ActivationKind::Relu), x, y);
    const auto hy = to_host(widened(y));
    CHECK(std::isnan(hy(0, 0)));
    CHECK(hy(0, 1) == 0.f);
    CHECK(hy(0, 2) == 2.f);
    // A NaN input reaches every output of its row through the matmul, and relu keeps it.
    const Tensor w = narrowed(from_host(*be, xt::xarray<float>{{1.f, -1.f}, {1.f, 1.f}, {1.f, 1.f}}));
    const Tensor xd = narrowed(from_host(*be, xt::xarray<float>{{kNaN, 1.f, 1.f}, {1.f, 1.f, 1.f}}));
    Tensor yd(*be, Shape{2, 2}, DType::BF16);
    be->dense_forward(xd, w, nullptr, act_of(ActivationKind::Relu), yd);
    const auto hd = to_host(widened(yd));
    CHECK(std::isnan(hd(0, 0)));
    CHECK(std::isnan(hd(0, 1)));
    CHECK(hd(1, 0) == 3.f);
    CHECK(hd(1, 1) == 1.f);
    // A 2x2 max pool: the window holding the NaN (after its maximum) pools to NaN, the other not.
    xt::xarray<float> image = xt::zeros<float>({1, 2, 4, 1});
    image(0, 0, 0, 0) = 5.f;
    image(0, 1, 1, 0) = kNaN;
    image(0, 0, 2, 0) = 3.f;
    const Tensor xp = narrowed(from_host(*be, image));
    Tensor yp(*be, Shape{1, 1, 2, 1}, DType::BF16);
    std::unique_ptr<OpState> state;
    be->pool2d_forward(xp, pool_params(PoolKind::Max, 2, 2), yp, &state);
    const auto hp = to_host(widened(yp));
    CHECK(std::isnan(hp(0, 0, 0, 0)));
    CHECK(hp(0, 0, 1, 0) == 3.f);
  }
}

TEST_CASE("parity bf16: a convolution fused with relu keeps a NaN input", "[backends][parity][dtype]") {
  // Large enough that the cpu backend would prove the result finite before fusing relu.
  const ConvCase c{"NaN in x", 2, 12, 12, 3, 3, 16, conv_params(1, 1)};
  std::vector<float> values = uniform(c.x().num_elements(), -1.f, 1.f, 9600);
  values[100] = kNaN;
  const Twin x = bf16_twin(c.x(), values);
  const Twin w = bf16_twin(c.kernel(), 9601, -0.2f, 0.2f);
  Twin y = bf16_output(c.y());
  cpu().conv2d_forward(x.c, w.c, nullptr, act_of(ActivationKind::Relu), c.p, y.c);
  ref().conv2d_forward(x.r, w.r, nullptr, act_of(ActivationKind::Relu), c.p, y.r);
  // Every output whose window holds the NaN is NaN on both. oneDNN's bf16 kernels multiply
  // zero-padded weight blocks too, where NaN * 0 may reach a neighbouring output as well: only
  // the outputs that are numbers on both are compared.
  const auto hc = to_host(widened(y.c));
  const auto hr = to_host(widened(y.r));
  std::size_t nan_ref = 0, kept = 0, differ = 0;
  for (std::size_t i = 0; i < hr.size(); ++i) {
    const float a = hc.flat(i), b = hr.flat(i);
    if (std::isnan(b)) {
      ++nan_ref;
      kept += std::isnan(a);
    } else if (!std::isnan(a)) {
      differ += std::fabs(a - b) > kBf16Rel * std::fabs(b) + 4e-6 * std::sqrt(27.0);
    }
  }
  CHECK(nan_ref == 9 * 16);  // the 3x3 outputs around the NaN, every filter
  CHECK(kept == nan_ref);
  CHECK(differ == 0);
}

TEST_CASE("parity bf16: dropout and multiply", "[backends][parity][dtype]") {
  const Shape shape{7, 3333};  // past the cpu's fork threshold
  const Twin x = bf16_twin(shape, 9700);
  for (const float rate : {0.25f, 0.5f}) {
    const std::uint64_t seed = 1234;
    Twin mask = bf16_output(shape), y = bf16_output(shape);
    cpu().dropout_forward(x.c, rate, seed, mask.c, y.c);
    ref().dropout_forward(x.r, rate, seed, mask.r, y.r);
    expect_equal(widened(mask.c), widened(mask.r), "dropout mask");
    expect_equal(widened(y.c), widened(y.r), "dropout y");
    // The bf16 mask zeros exactly the positions the f32 mask of the same seed does.
    const Tensor xf = widened(x.c);
    Tensor mask32(cpu(), shape), y32(cpu(), shape);
    cpu().dropout_forward(xf, rate, seed, mask32, y32);
    const auto m16 = to_host(widened(mask.c));
    const auto m32 = to_host(mask32);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < m16.size(); ++i) differ += (m16.flat(i) == 0.f) != (m32.flat(i) == 0.f);
    CHECK(differ == 0);
  }
  const Twin b = bf16_twin(shape, 9701);
  Twin out = bf16_output(shape);
  cpu().multiply(x.c, b.c, out.c);
  ref().multiply(x.r, b.r, out.r);
  expect_equal(widened(out.c), widened(out.r), "multiply");
}

TEST_CASE("parity bf16: mixes outside the bf16 forms are refused, naming the op", "[backends][dtype]") {
  using Catch::Matchers::Contains;
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    const Tensor x16(*be, Shape{2, 3}, DType::BF16), x32(*be, Shape{2, 3});
    const Tensor w16(*be, Shape{3, 4}, DType::BF16), w32(*be, Shape{3, 4});
    const Tensor b16(*be, Shape{4}, DType::BF16);
    Tensor y16(*be, Shape{2, 4}, DType::BF16), y32(*be, Shape{2, 4});
    const auto refuses = [&](const std::function<void()>& op, const std::string& name) {
      INFO(name);
      CHECK_THROWS_AS(op(), BackendError);
      CHECK_THROWS_WITH(op(), Contains(name));
    };
    refuses([&] { be->dense_forward(x16, w32, nullptr, {}, y16); }, "dense_forward");
    refuses([&] { be->dense_forward(x16, w16, &b16, {}, y16); }, "dense_forward");  // the bias stays f32
    refuses([&] { be->dense_forward(x16, w16, nullptr, {}, y32); }, "dense_forward");
    refuses([&] { be->dense_forward(x32, w16, nullptr, {}, y32); }, "dense_forward");
    Tensor a32(*be, Shape{2, 3});
    refuses([&] { be->activation_forward(act_of(ActivationKind::Relu), x16, a32); }, "activation_forward");
    Tensor a16(*be, Shape{2, 3}, DType::BF16);
    refuses([&] { be->activation_backward(act_of(ActivationKind::Tanh), Tensor(), x32, x16, a16); },
            "activation_backward");
    Tensor sum_i(*be, Shape{3}, DType::I32);
    refuses([&] { be->sum_rows(x16, sum_i); }, "sum_rows");
    Tensor sum16(*be, Shape{3}, DType::BF16);
    refuses([&] { be->sum_rows(x32, sum16); }, "sum_rows");
    refuses([&] { be->multiply(x16, x32, a16); }, "multiply");
    Tensor mask32(*be, Shape{2, 3});
    refuses([&] { be->dropout_forward(x16, 0.5f, 1, mask32, a16); }, "dropout_forward");
    // Convolutions: the kernel's gradient is f32 (an f32 variable's), the activations bf16.
    const Tensor image16(*be, Shape{1, 5, 5, 2}, DType::BF16);
    const Tensor kernel16(*be, Shape{3, 3, 2, 4}, DType::BF16);
    Tensor out16(*be, Shape{1, 3, 3, 4}, DType::BF16);
    Tensor dw16(*be, Shape{3, 3, 2, 4}, DType::BF16);
    const Conv2DParams p = conv_params(1, 0);
    refuses([&] { be->conv2d_backward_weights(image16, out16, p, dw16, nullptr); }, "conv2d_backward_weights");
    Tensor out32(*be, Shape{1, 3, 3, 4});
    refuses([&] { be->conv2d_forward(image16, kernel16, nullptr, {}, p, out32); }, "conv2d_forward");
    Tensor dx32(*be, Shape{1, 5, 5, 2});
    refuses([&] { be->conv2d_backward_data(out16, kernel16, p, dx32); }, "conv2d_backward_data");
    Tensor pooled32(*be, Shape{1, 2, 2, 2});
    refuses([&] { be->pool2d_forward(image16, pool_params(PoolKind::Average, 2, 2), pooled32, nullptr); },
            "pool2d_forward");
  }
}
