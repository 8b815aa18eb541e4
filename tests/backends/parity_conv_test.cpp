// Parity of the convolutional-network ops: the cpu backend against the reference backend (the
// oracle) on random inputs, several shapes each: odd sizes, strides 2, "same" padding with even
// kernels, dilation 2, groups 2 and depthwise, batch 1, and the shapes of Keras's simple MNIST
// convnet at batch 128. Every output is pre-filled with a sentinel so an unwritten element shows.
//
// Tolerances, |cpu - ref| <= abs + rel |ref|, per op family and why:
//  - conv2d forward / backward-data / backward-weights: rel 1e-4, abs 2e-6 sqrt(k) + 5e-8 k, k
//    the number of products summed into one output (kh kw in/groups forward, kh kw out/groups
//    backward-data, n oh ow backward-weights). oneDNN's JIT kernels sum in f32 in a blocked order
//    (with FMA) against the reference's double sums. Each addition rounds the running sum, whose
//    size grows like sqrt(k) for products of zero-mean O(1) factors, so the error of a k-term sum
//    grows like sqrt(k) eps for short sums and up to k eps sigma for long ones (backward-weights
//    sums 86528 products for the MNIST convnet's first layer). The fused activation is exact on
//    top of that.
//  - max pooling forward: exact (a maximum is one of the inputs). Max backward: exact too, each
//    dx a sum of at most a few dy in the same order (rel 1e-6 to allow for overlapping windows).
//    Average pooling: one f32 sum of at most pool_h pool_w terms and a division: rel 1e-6, abs 1e-7.
//  - batch norm: oneDNN's f32 statistics over up to 21632 rows against double sums: rel 1e-4,
//    abs 1e-5 (y, mean, variance, moving statistics, dx), abs 1e-5 sqrt(rows) for dgamma and
//    dbeta (sums over every row).
//  - layer norm: double row sums in both; the cpu applies mean and rstd rounded to f32:
//    rel 1e-5, abs 1e-5 (y, dx), abs 1e-5 sqrt(rows) for dgamma / dbeta.
//  - pad, crop, upsample forward, spatial dropout (the shared counter-based mask), channel scale,
//    add_bias: exact (copies, or one f32 operation per element). Upsample backward sums
//    size_h size_w terms in f32: rel 1e-6, abs 1e-6. affine: x scale + offset may be contracted
//    to an FMA by the cpu's AVX clones: rel 1e-6, abs 1e-7.
//  - relu with max_value / threshold / negative slope: forward one or two f32 roundings of
//    alpha (x - threshold) against the reference's one: rel 1e-6, abs 1e-7; backward exact
//    (a slope times dy).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// ---- convolution cases ----------------------------------------------------------------------

struct ConvCase {
  const char* name;
  std::int64_t n, h, w, in, kh, kw, out;
  Conv2DParams p;
};

Conv2DParams params(std::int64_t sh, std::int64_t sw, std::int64_t dh, std::int64_t dw, std::int64_t pt,
                    std::int64_t pb, std::int64_t pl, std::int64_t pr, std::int64_t groups) {
  Conv2DParams p;
  p.stride_h = sh, p.stride_w = sw, p.dilation_h = dh, p.dilation_w = dw;
  p.pad_top = pt, p.pad_bottom = pb, p.pad_left = pl, p.pad_right = pr;
  p.groups = groups;
  return p;
}

// Keras's "same" padding for one axis: total = max((ceil(size / stride) - 1) stride + extent - size, 0),
// the odd one at the end.
std::pair<std::int64_t, std::int64_t> same_pads(std::int64_t size, std::int64_t k, std::int64_t stride,
                                                std::int64_t dilation) {
  const std::int64_t extent = dilation * (k - 1) + 1;
  const std::int64_t out = (size + stride - 1) / stride;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + extent - size, 0);
  return {total / 2, total - total / 2};
}

ConvCase same_case(const char* name, std::int64_t n, std::int64_t h, std::int64_t w, std::int64_t in, std::int64_t kh,
                   std::int64_t kw, std::int64_t out, std::int64_t s, std::int64_t d, std::int64_t groups) {
  const auto [pt, pb] = same_pads(h, kh, s, d);
  const auto [pl, pr] = same_pads(w, kw, s, d);
  return {name, n, h, w, in, kh, kw, out, params(s, s, d, d, pt, pb, pl, pr, groups)};
}

std::vector<ConvCase> conv_cases(bool include_mnist) {
  std::vector<ConvCase> cases = {
      {"batch 1, 1x1", 1, 5, 5, 2, 1, 1, 3, params(1, 1, 1, 1, 0, 0, 0, 0, 1)},
      {"odd sizes, valid", 3, 7, 9, 5, 3, 3, 6, params(1, 1, 1, 1, 0, 0, 0, 0, 1)},
      same_case("odd sizes, same", 2, 7, 9, 5, 3, 3, 6, 1, 1, 1),
      {"stride 2, valid", 2, 11, 10, 4, 3, 3, 8, params(2, 2, 1, 1, 0, 0, 0, 0, 1)},
      same_case("stride 2, same", 2, 11, 10, 4, 3, 3, 8, 2, 1, 1),
      same_case("even kernel 4x4, same", 2, 8, 7, 3, 4, 4, 5, 1, 1, 1),
      same_case("even kernel 2x2 stride 2, same", 3, 9, 8, 6, 2, 2, 16, 2, 1, 1),
      {"mixed strides and pads", 2, 9, 12, 3, 2, 3, 4, params(1, 2, 1, 1, 1, 0, 2, 1, 1)},
      {"dilation 2, valid", 2, 12, 11, 3, 3, 3, 4, params(1, 1, 2, 2, 0, 0, 0, 0, 1)},
      same_case("dilation 2, same", 2, 10, 9, 8, 3, 3, 16, 1, 2, 1),
      {"groups 2", 2, 9, 9, 6, 3, 3, 4, params(1, 1, 1, 1, 0, 0, 0, 0, 2)},
      same_case("groups 2, stride 2, same", 2, 10, 10, 8, 3, 3, 12, 2, 1, 2),
      same_case("depthwise", 2, 10, 10, 8, 3, 3, 8, 1, 1, 8),
      same_case("depthwise x2, stride 2", 2, 9, 11, 16, 3, 3, 32, 2, 1, 16),
      {"conv1d (h = 1), dilation 2", 3, 1, 20, 4, 1, 5, 6, params(1, 1, 1, 2, 0, 0, 0, 0, 1)},
      {"wide channels", 2, 6, 6, 64, 3, 3, 48, params(1, 1, 1, 1, 1, 1, 1, 1, 1)},
      // One input channel: backward-weights takes its blocked-dy path.
      same_case("one channel, stride 2, same", 3, 11, 9, 1, 3, 3, 20, 2, 1, 1),
      // A first layer, 3x3 over 1 or 3 channels into a multiple of 16 filters: the cpu backend's
      // own forward and backward-weights (conv2d_short_patch), interior pixels in registers,
      // borders apart.
      same_case("one channel, stride 2, same, 32 filters", 3, 11, 9, 1, 3, 3, 32, 2, 1, 1),
      same_case("RGB, same, 16 filters", 2, 9, 10, 3, 3, 3, 16, 1, 1, 1),
      same_case("one channel, dilation 2, same", 2, 12, 11, 1, 3, 3, 16, 1, 2, 1),
      {"RGB, mixed strides and pads", 2, 9, 12, 3, 3, 3, 16, params(1, 2, 1, 1, 1, 0, 2, 1, 1)},
      same_case("a 2x3 image: every pixel on the border", 2, 2, 3, 1, 3, 3, 16, 1, 2, 1),
  };
  if (include_mnist) {
    cases.push_back(
        {"MNIST conv 1: 28x28x1 -> 32, batch 128", 128, 28, 28, 1, 3, 3, 32, params(1, 1, 1, 1, 0, 0, 0, 0, 1)});
    cases.push_back(
        {"MNIST conv 2: 13x13x32 -> 64, batch 128", 128, 13, 13, 32, 3, 3, 64, params(1, 1, 1, 1, 0, 0, 0, 0, 1)});
  }
  return cases;
}

Shape out_shape(const ConvCase& c) {
  const std::int64_t oh = (c.h + c.p.pad_top + c.p.pad_bottom - c.p.dilation_h * (c.kh - 1) - 1) / c.p.stride_h + 1;
  const std::int64_t ow = (c.w + c.p.pad_left + c.p.pad_right - c.p.dilation_w * (c.kw - 1) - 1) / c.p.stride_w + 1;
  return Shape{c.n, oh, ow, c.out};
}

Shape kernel_shape(const ConvCase& c) { return Shape{c.kh, c.kw, c.in / c.p.groups, c.out}; }

std::string describe(const ConvCase& c) {
  std::ostringstream s;
  s << c.name << ": x (" << c.n << ", " << c.h << ", " << c.w << ", " << c.in << ") k " << c.kh << "x" << c.kw << " -> "
    << c.out << " stride " << c.p.stride_h << "x" << c.p.stride_w << " dilation " << c.p.dilation_h << "x"
    << c.p.dilation_w << " pads " << c.p.pad_top << "," << c.p.pad_bottom << "," << c.p.pad_left << "," << c.p.pad_right
    << " groups " << c.p.groups;
  return s.str();
}

// The conv tolerance for sums of k products (see the top of the file).
double conv_abs(double k) { return 2e-6 * std::sqrt(k) + 5e-8 * k; }

ActivationFunction relu(float alpha = 0.f, float max_value = kInf, float threshold = 0.f) {
  ActivationFunction a{ActivationKind::Relu, alpha};
  a.max_value = max_value;
  a.threshold = threshold;
  return a;
}

std::string act_str(const ActivationFunction& a) {
  std::ostringstream s;
  s << a.name() << "(alpha " << a.alpha << ", max " << a.max_value << ", threshold " << a.threshold << ")";
  return s.str();
}

}  // namespace

// ---- convolution ----------------------------------------------------------------------------

TEST_CASE("parity conv: conv2d_forward, with and without bias, fused activations", "[backends][parity]") {
  std::uint32_t seed = 1000;
  const std::vector<ActivationFunction> acts = {ActivationFunction{},
                                                relu(),
                                                relu(0.f, 6.f),
                                                relu(0.1f, 0.5f, 0.f),
                                                relu(0.2f, kInf, 0.3f),
                                                ActivationFunction{ActivationKind::Tanh, 0.f},
                                                ActivationFunction{ActivationKind::Softmax, 0.f}};
  for (const ConvCase& c : conv_cases(true)) {
    const bool mnist = c.n == 128;
    const Shape xs{c.n, c.h, c.w, c.in}, ws = kernel_shape(c), ys = out_shape(c);
    const std::int64_t k = c.kh * c.kw * (c.in / c.p.groups);
    const float wscale = 1.f / std::sqrt(static_cast<float>(k));
    const auto x = twin(xs, uniform(xs.num_elements(), -1.f, 1.f, ++seed));
    const auto w = twin(ws, uniform(ws.num_elements(), -wscale, wscale, ++seed));
    const auto b = twin(Shape{c.out}, uniform(c.out, -0.5f, 0.5f, ++seed));
    const double abs = conv_abs(static_cast<double>(k));
    // The MNIST shapes run with the activations they have in the model; the small ones with all.
    const std::vector<ActivationFunction> these = mnist ? std::vector<ActivationFunction>{relu()} : acts;
    for (const ActivationFunction& act : these) {
      for (const bool bias : {true, false}) {
        if (mnist && !bias) continue;
        Twin y = output(ys);
        cpu().conv2d_forward(x.c, w.c, bias ? &b.c : nullptr, act, c.p, y.c);
        ref().conv2d_forward(x.r, w.r, bias ? &b.r : nullptr, act, c.p, y.r);
        expect_close(y.c, y.r, 1e-4, abs,
                     "conv2d_forward " + describe(c) + " " + act_str(act) + (bias ? " +bias" : ""));
      }
    }
  }
}

TEST_CASE("parity conv: conv2d_backward_data", "[backends][parity]") {
  std::uint32_t seed = 2000;
  for (const ConvCase& c : conv_cases(true)) {
    const Shape xs{c.n, c.h, c.w, c.in}, ws = kernel_shape(c), ys = out_shape(c);
    const std::int64_t k = c.kh * c.kw * (c.out / c.p.groups);
    const float wscale = 1.f / std::sqrt(static_cast<float>(c.kh * c.kw * (c.in / c.p.groups)));
    const auto w = twin(ws, uniform(ws.num_elements(), -wscale, wscale, ++seed));
    const auto dy = twin(ys, uniform(ys.num_elements(), -1.f, 1.f, ++seed));
    Twin dx = output(xs);
    cpu().conv2d_backward_data(dy.c, w.c, c.p, dx.c);
    ref().conv2d_backward_data(dy.r, w.r, c.p, dx.r);
    expect_close(dx.c, dx.r, 1e-4, conv_abs(static_cast<double>(k)), "conv2d_backward_data " + describe(c));
  }
}

TEST_CASE("parity conv: conv2d_backward_weights, with and without the bias gradient", "[backends][parity]") {
  std::uint32_t seed = 3000;
  for (const ConvCase& c : conv_cases(true)) {
    const Shape xs{c.n, c.h, c.w, c.in}, ws = kernel_shape(c), ys = out_shape(c);
    const auto x = twin(xs, uniform(xs.num_elements(), -1.f, 1.f, ++seed));
    const auto dy = twin(ys, uniform(ys.num_elements(), -1.f, 1.f, ++seed));
    const double k = static_cast<double>(ys[0] * ys[1] * ys[2]);
    for (const bool bias : {true, false}) {
      Twin dw = output(ws), db = output(Shape{c.out});
      cpu().conv2d_backward_weights(x.c, dy.c, c.p, dw.c, bias ? &db.c : nullptr);
      ref().conv2d_backward_weights(x.r, dy.r, c.p, dw.r, bias ? &db.r : nullptr);
      const std::string what = "conv2d_backward_weights " + describe(c);
      expect_close(dw.c, dw.r, 1e-4, conv_abs(k), what + " dw");
      if (bias) expect_close(db.c, db.r, 1e-4, conv_abs(k), what + " db");
    }
  }
}

TEST_CASE("parity conv: weights updated between calls are seen; a repeated step creates no primitive",
          "[backends][parity]") {
  const ConvCase c = same_case("same", 4, 9, 9, 8, 3, 3, 16, 1, 1, 1);
  const Shape xs{c.n, c.h, c.w, c.in}, ws = kernel_shape(c), ys = out_shape(c);
  auto x = twin(xs, uniform(xs.num_elements(), -1.f, 1.f, 1));
  auto w = twin(ws, uniform(ws.num_elements(), -0.2f, 0.2f, 2));
  auto b = twin(Shape{c.out}, uniform(c.out, -0.5f, 0.5f, 3));
  auto dy = twin(ys, uniform(ys.num_elements(), -1.f, 1.f, 4));
  Twin y = output(ys), dx = output(xs), dw = output(ws), db = output(Shape{c.out});
  std::unique_ptr<OpState> pool_state;
  const Pool2DParams pp;
  Twin py = output(Shape{c.n, ys[1] / 2, ys[2] / 2, c.out}), pdx = output(ys);
  auto step = [&] {
    cpu().conv2d_forward(x.c, w.c, &b.c, relu(), c.p, y.c);
    cpu().pool2d_forward(y.c, pp, py.c, &pool_state);
    cpu().pool2d_backward(y.c, py.c, py.c, pp, pool_state, pdx.c);
    cpu().conv2d_backward_weights(x.c, dy.c, c.p, dw.c, &db.c);
    cpu().conv2d_backward_data(dy.c, w.c, c.p, dx.c);
  };
  step();
  const std::size_t cached = cpu_impl().cached_primitives();
  const OpState* state_before = pool_state.get();
  for (int round = 0; round < 3; ++round) {
    // New weights on both backends: the cpu must not reuse the last call's reordered copy.
    const auto nw = uniform(ws.num_elements(), -0.2f, 0.2f, 10 + static_cast<std::uint32_t>(round));
    cpu().upload(nw.data(), w.c);
    ref().upload(nw.data(), w.r);
    step();
    ref().conv2d_forward(x.r, w.r, &b.r, relu(), c.p, y.r);
    ref().conv2d_backward_data(dy.r, w.r, c.p, dx.r);
    expect_close(y.c, y.r, 1e-4, conv_abs(72.0), "forward after a weight update");
    expect_close(dx.c, dx.r, 1e-4, conv_abs(144.0), "backward_data after a weight update");
  }
  CHECK(cpu_impl().cached_primitives() == cached);
  CHECK(pool_state.get() == state_before);  // the workspace is reused, not reallocated
}

// ---- pooling --------------------------------------------------------------------------------

namespace {

struct PoolCase {
  const char* name;
  std::int64_t n, h, w, c;
  Pool2DParams p;
};

Pool2DParams pool(PoolKind kind, std::int64_t ph, std::int64_t pw, std::int64_t sh, std::int64_t sw,
                  std::int64_t pt = 0, std::int64_t pb = 0, std::int64_t pl = 0, std::int64_t pr = 0) {
  Pool2DParams p;
  p.kind = kind, p.pool_h = ph, p.pool_w = pw, p.stride_h = sh, p.stride_w = sw;
  p.pad_top = pt, p.pad_bottom = pb, p.pad_left = pl, p.pad_right = pr;
  return p;
}

Shape pool_out(const PoolCase& c) {
  return Shape{c.n, (c.h + c.p.pad_top + c.p.pad_bottom - c.p.pool_h) / c.p.stride_h + 1,
               (c.w + c.p.pad_left + c.p.pad_right - c.p.pool_w) / c.p.stride_w + 1, c.c};
}

std::vector<PoolCase> pool_cases(PoolKind k) {
  return {
      {"MNIST pool 1 (26x26x32 -> 13x13), batch 128", 128, 26, 26, 32, pool(k, 2, 2, 2, 2)},
      {"MNIST pool 2 (11x11x64 -> 5x5, floor), batch 128", 128, 11, 11, 64, pool(k, 2, 2, 2, 2)},
      {"batch 1, odd channels", 1, 5, 7, 3, pool(k, 2, 2, 2, 2)},
      {"3x3 stride 2 same (pads 1,1,1,1)", 2, 7, 7, 5, pool(k, 3, 3, 2, 2, 1, 1, 1, 1)},
      {"2x2 stride 1 same (pads 0,1,0,1)", 3, 5, 6, 4, pool(k, 2, 2, 1, 1, 0, 1, 0, 1)},
      {"3x3 stride 3 valid", 2, 10, 9, 17, pool(k, 3, 3, 3, 3)},
      {"2x2 stride 2 same on 7x5 (pads 0,1,0,1)", 2, 7, 5, 3, pool(k, 2, 2, 2, 2, 0, 1, 0, 1)},
      {"2x2 stride 3x2, gaps between windows", 2, 8, 9, 6, pool(k, 2, 2, 3, 2)},
      {"2x3 stride 1x2, overlapping, pads 1,0,1,1", 2, 6, 9, 8, pool(k, 2, 3, 1, 2, 1, 0, 1, 1)},
  };
}

}  // namespace

TEST_CASE("parity conv: pool2d forward and backward, max and average, with and without padding", "[backends][parity]") {
  std::uint32_t seed = 4000;
  for (const PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
    const bool max = kind == PoolKind::Max;
    for (const PoolCase& c : pool_cases(kind)) {
      const Shape xs{c.n, c.h, c.w, c.c}, ys = pool_out(c);
      const std::string what = std::string(max ? "max" : "average") + " pool " + c.name;
      const auto x = twin(xs, uniform(xs.num_elements(), -2.f, 2.f, ++seed));
      const auto dy = twin(ys, uniform(ys.num_elements(), -1.f, 1.f, ++seed));
      // Inference forward (no state).
      Twin y0 = output(ys);
      cpu().pool2d_forward(x.c, c.p, y0.c, nullptr);
      ref().pool2d_forward(x.r, c.p, y0.r, nullptr);
      // Training forward, then backward from its state.
      std::unique_ptr<OpState> sc, sr;
      Twin y = output(ys);
      cpu().pool2d_forward(x.c, c.p, y.c, &sc);
      ref().pool2d_forward(x.r, c.p, y.r, &sr);
      Twin dx = output(xs);
      cpu().pool2d_backward(x.c, y.c, dy.c, c.p, sc, dx.c);
      ref().pool2d_backward(x.r, y.r, dy.r, c.p, sr, dx.r);
      if (max) {
        expect_equal(y0.c, y0.r, what + " forward (inference)");
        expect_equal(y.c, y.r, what + " forward (training)");
        expect_close(dx.c, dx.r, 1e-6, 0.0, what + " backward");
        // A max backward without the training forward's state finds the maxima from x and y.
        std::unique_ptr<OpState> none;
        Twin dx2 = output(xs);
        cpu().pool2d_backward(x.c, y.c, dy.c, c.p, none, dx2.c);
        expect_close(dx2.c, dx.r, 1e-6, 0.0, what + " backward without state");
      } else {
        expect_close(y0.c, y0.r, 1e-6, 1e-7, what + " forward (inference)");
        expect_close(y.c, y.r, 1e-6, 1e-7, what + " forward (training)");
        expect_close(dx.c, dx.r, 1e-6, 1e-7, what + " backward");
      }
    }
  }
}

// ---- normalisation --------------------------------------------------------------------------

TEST_CASE("parity conv: batch norm training, inference and backward", "[backends][parity]") {
  const std::vector<Shape> shapes = {
      Shape{1, 3}, Shape{7, 5}, Shape{4, 3, 5, 6}, Shape{2, 9, 9, 17}, Shape{128, 13, 13, 32}, Shape{300, 40}};
  std::uint32_t seed = 5000;
  for (const Shape& s : shapes) {
    const std::int64_t c = s[-1], rows = s.num_elements() / c;
    const std::string what = "batch norm " + s.to_string();
    // An offset mean, so the variance is not of numbers around 0.
    const auto x = twin(s, uniform(s.num_elements(), 0.5f, 3.5f, ++seed));
    const auto gamma = twin(Shape{c}, uniform(c, 0.5f, 1.5f, ++seed));
    const auto beta = twin(Shape{c}, uniform(c, -0.5f, 0.5f, ++seed));
    const auto mm0 = uniform(c, -0.2f, 0.2f, ++seed), mv0 = uniform(c, 0.8f, 1.2f, ++seed);
    auto mm = twin(Shape{c}, mm0), mv = twin(Shape{c}, mv0);
    Twin y = output(s), mean = output(Shape{c}), var = output(Shape{c});
    for (const float eps : {1e-3f, 1e-5f}) {
      cpu().batch_norm_forward_training(x.c, gamma.c, beta.c, eps, 0.99f, y.c, mean.c, var.c, mm.c, mv.c);
      ref().batch_norm_forward_training(x.r, gamma.r, beta.r, eps, 0.99f, y.r, mean.r, var.r, mm.r, mv.r);
      const std::string e = what + " eps " + std::to_string(eps);
      expect_close(y.c, y.r, 1e-4, 1e-5, e + " training y");
      expect_close(mean.c, mean.r, 1e-4, 1e-5, e + " mean");
      expect_close(var.c, var.r, 1e-4, 1e-5, e + " variance");
      expect_close(mm.c, mm.r, 1e-4, 1e-5, e + " moving mean");
      expect_close(mv.c, mv.r, 1e-4, 1e-5, e + " moving variance");

      Twin yi = output(s);
      cpu().batch_norm_forward_inference(x.c, gamma.c, beta.c, mm.c, mv.c, eps, yi.c);
      ref().batch_norm_forward_inference(x.r, gamma.r, beta.r, mm.r, mv.r, eps, yi.r);
      expect_close(yi.c, yi.r, 1e-5, 1e-5, e + " inference y");

      // Backward with the same statistics on both sides (the reference's).
      const auto dy = twin(s, uniform(s.num_elements(), -1.f, 1.f, ++seed));
      const auto m = twin(Shape{c}, host(mean.r)), v = twin(Shape{c}, host(var.r));
      Twin dx = output(s), dg = output(Shape{c}), dbt = output(Shape{c});
      cpu().batch_norm_backward(x.c, dy.c, gamma.c, m.c, v.c, eps, dx.c, dg.c, dbt.c);
      ref().batch_norm_backward(x.r, dy.r, gamma.r, m.r, v.r, eps, dx.r, dg.r, dbt.r);
      const double sum_abs = 1e-5 * std::sqrt(static_cast<double>(rows));
      // dx is a difference of O(1) terms that cancel for batch 1: an absolute bound.
      expect_close(dx.c, dx.r, 1e-4, 2e-5, e + " dx");
      expect_close(dg.c, dg.r, 1e-4, sum_abs, e + " dgamma");
      expect_close(dbt.c, dbt.r, 1e-4, sum_abs, e + " dbeta");
    }
  }
}

TEST_CASE("parity conv: layer norm forward and backward, with and without gamma / beta", "[backends][parity]") {
  const std::vector<Shape> shapes = {Shape{1, 1},     Shape{1, 7},     Shape{5, 33},
                                     Shape{4, 6, 10}, Shape{128, 512}, Shape{64, 2000}};
  std::uint32_t seed = 6000;
  for (const Shape& s : shapes) {
    const std::int64_t c = s[-1], rows = s.num_elements() / c;
    const Shape rs = s.without_last_axis();
    const auto x = twin(s, uniform(s.num_elements(), -2.f, 4.f, ++seed));
    const auto dy = twin(s, uniform(s.num_elements(), -1.f, 1.f, ++seed));
    const auto gamma = twin(Shape{c}, uniform(c, 0.5f, 1.5f, ++seed));
    const auto beta = twin(Shape{c}, uniform(c, -0.5f, 0.5f, ++seed));
    for (const int which : {0, 1, 2, 3}) {
      const bool g = which & 1, bt = which & 2;
      const std::string what = "layer norm " + s.to_string() + (g ? " gamma" : "") + (bt ? " beta" : "");
      Twin y = output(s), mean = output(rs), rstd = output(rs);
      cpu().layer_norm_forward(x.c, g ? &gamma.c : nullptr, bt ? &beta.c : nullptr, 1e-3f, y.c, mean.c, rstd.c);
      ref().layer_norm_forward(x.r, g ? &gamma.r : nullptr, bt ? &beta.r : nullptr, 1e-3f, y.r, mean.r, rstd.r);
      expect_close(y.c, y.r, 1e-5, 1e-5, what + " y");
      expect_close(mean.c, mean.r, 1e-6, 1e-7, what + " mean");
      expect_close(rstd.c, rstd.r, 1e-6, 1e-7, what + " rstd");
      Twin dx = output(s), dg = output(Shape{c}), dbt = output(Shape{c});
      cpu().layer_norm_backward(x.c, dy.c, g ? &gamma.c : nullptr, mean.c, rstd.c, dx.c, g ? &dg.c : nullptr,
                                bt ? &dbt.c : nullptr);
      ref().layer_norm_backward(x.r, dy.r, g ? &gamma.r : nullptr, mean.r, rstd.r, dx.r, g ? &dg.r : nullptr,
                                bt ? &dbt.r : nullptr);
      expect_close(dx.c, dx.r, 1e-5, 1e-5, what + " dx");
      const double sum_abs = 1e-5 * std::sqrt(static_cast<double>(rows));
      if (g) expect_close(dg.c, dg.r, 1e-5, sum_abs, what + " dgamma");
      if (bt) expect_close(dbt.c, dbt.r, 1e-5, sum_abs, what + " dbeta");
    }
  }
}

// ---- spatial data movement and per-channel ops ----------------------------------------------

TEST_CASE("parity conv: pad2d, crop2d, upsample2d", "[backends][parity]") {
  struct Case {
    std::int64_t n, h, w, c, top, bottom, left, right;
  };
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 0, 0, 0, 0}, {2, 5, 7, 3, 1, 1, 2, 0}, {3, 4, 4, 17, 0, 3, 1, 1}, {128, 13, 13, 32, 1, 1, 1, 1}};
  std::uint32_t seed = 7000;
  for (const Case& k : cases) {
    const Shape xs{k.n, k.h, k.w, k.c};
    const Shape ps{k.n, k.h + k.top + k.bottom, k.w + k.left + k.right, k.c};
    const std::string what = xs.to_string() + " pads " + std::to_string(k.top) + "," + std::to_string(k.bottom) + "," +
                             std::to_string(k.left) + "," + std::to_string(k.right);
    const auto x = twin(xs, uniform(xs.num_elements(), -1.f, 1.f, ++seed));
    Twin y = output(ps);
    cpu().pad2d(x.c, k.top, k.left, y.c);
    ref().pad2d(x.r, k.top, k.left, y.r);
    expect_equal(y.c, y.r, "pad2d " + what);
    // Crop the padded tensor back, and a smaller window of it.
    Twin back = output(xs);
    cpu().crop2d(y.c, k.top, k.left, back.c);
    ref().crop2d(y.r, k.top, k.left, back.r);
    expect_equal(back.c, back.r, "crop2d " + what);
    expect_equal(back.c, x.c, "crop2d of pad2d is the identity " + what);
    const Shape cs{k.n, std::max<std::int64_t>(1, ps[1] - 2), std::max<std::int64_t>(1, ps[2] - 1), k.c};
    Twin crop = output(cs);
    cpu().crop2d(y.c, ps[1] > 2 ? 1 : 0, 0, crop.c);
    ref().crop2d(y.r, ps[1] > 2 ? 1 : 0, 0, crop.r);
    expect_equal(crop.c, crop.r, "crop2d window " + what);

    for (const auto& [sh, sw] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {2, 2}, {3, 2}, {1, 4}}) {
      const Shape us{k.n, k.h * sh, k.w * sw, k.c};
      const std::string u = "upsample2d " + std::to_string(sh) + "x" + std::to_string(sw) + " " + what;
      Twin up = output(us);
      cpu().upsample2d_forward(x.c, sh, sw, up.c);
      ref().upsample2d_forward(x.r, sh, sw, up.r);
      expect_equal(up.c, up.r, u + " forward");
      const auto dy = twin(us, uniform(us.num_elements(), -1.f, 1.f, ++seed));
      Twin dx = output(xs);
      cpu().upsample2d_backward(dy.c, sh, sw, dx.c);
      ref().upsample2d_backward(dy.r, sh, sw, dx.r);
      expect_close(dx.c, dx.r, 1e-6, 1e-6, u + " backward");
    }
  }
}

TEST_CASE("parity conv: affine, add_bias, spatial dropout, channel_scale", "[backends][parity]") {
  const std::vector<Shape> shapes = {Shape{1, 1, 1, 1}, Shape{2, 5, 7, 3}, Shape{3, 20, 17}, Shape{128, 13, 13, 32},
                                     Shape{64, 300}};
  std::uint32_t seed = 8000;
  for (const Shape& s : shapes) {
    const std::int64_t n = s[0], c = s[-1];
    const auto x = twin(s, uniform(s.num_elements(), -2.f, 2.f, ++seed));
    Twin y = output(s);
    cpu().affine(x.c, -0.7f, 0.25f, y.c);
    ref().affine(x.r, -0.7f, 0.25f, y.r);
    expect_close(y.c, y.r, 1e-6, 1e-7, "affine " + s.to_string());
    Twin inplace = twin(s, host(x.c));
    cpu().affine(inplace.c, 2.f, -1.f, inplace.c);
    ref().affine(inplace.r, 2.f, -1.f, inplace.r);
    expect_close(inplace.c, inplace.r, 1e-6, 1e-7, "affine in place " + s.to_string());

    const auto b = twin(Shape{c}, uniform(c, -1.f, 1.f, ++seed));
    Twin yb = output(s);
    cpu().add_bias(x.c, b.c, yb.c);
    ref().add_bias(x.r, b.r, yb.r);
    expect_equal(yb.c, yb.r, "add_bias " + s.to_string());
    Twin ib = twin(s, host(x.c));
    cpu().add_bias(ib.c, b.c, ib.c);
    ref().add_bias(ib.r, b.r, ib.r);
    expect_equal(ib.c, ib.r, "add_bias in place " + s.to_string());

    for (const float rate : {0.f, 0.3f, 0.9f}) {
      for (const std::uint64_t dseed : {std::uint64_t{1}, std::uint64_t{12345}}) {
        Twin mask = output(Shape{n, c}), yd = output(s);
        cpu().spatial_dropout_forward(x.c, rate, dseed, mask.c, yd.c);
        ref().spatial_dropout_forward(x.r, rate, dseed, mask.r, yd.r);
        const std::string what = "spatial dropout rate " + std::to_string(rate) + " " + s.to_string();
        expect_equal(mask.c, mask.r, what + " mask");
        expect_equal(yd.c, yd.r, what + " y");
        const auto dy = twin(s, uniform(s.num_elements(), -1.f, 1.f, ++seed));
        Twin dx = output(s);
        cpu().channel_scale(dy.c, mask.c, dx.c);
        ref().channel_scale(dy.r, mask.r, dx.r);
        expect_equal(dx.c, dx.r, "channel_scale " + what);
      }
    }
  }
}

// ---- relu with Keras's ReLU layer parameters ------------------------------------------------

TEST_CASE("parity conv: relu with max_value, threshold and negative slope", "[backends][parity]") {
  const std::vector<ActivationFunction> acts = {
      relu(),          relu(0.f, 6.f),        relu(0.f, 1.f),       relu(0.1f),
      relu(0.1f, 2.f), relu(0.f, kInf, 0.5f), relu(0.3f, 3.f, 1.f), relu(0.f, 2.5f, 0.25f),
      relu(-0.1f)};
  const std::vector<Shape> shapes = {Shape{1, 1}, Shape{7, 13}, Shape{300, 301}};
  std::uint32_t seed = 9000;
  for (const Shape& s : shapes) {
    const auto x = twin(s, uniform(s.num_elements(), -8.f, 8.f, ++seed));
    const auto dy = twin(s, uniform(s.num_elements(), -1.f, 1.f, ++seed));
    for (const ActivationFunction& act : acts) {
      const std::string what = act_str(act) + " " + s.to_string();
      Twin y = output(s);
      cpu().activation_forward(act, x.c, y.c);
      ref().activation_forward(act, x.r, y.r);
      expect_close(y.c, y.r, 1e-6, 1e-7, "activation_forward " + what);
      const auto yy = twin(s, host(y.r));
      Twin dx = output(s);
      cpu().activation_backward(act, x.c, yy.c, dy.c, dx.c);
      ref().activation_backward(act, x.r, yy.r, dy.r, dx.r);
      expect_equal(dx.c, dx.r, "activation_backward (x and y) " + what);
      if (act.backward_from_output()) {
        Twin dx2 = output(s);
        cpu().activation_backward(act, Tensor(), yy.c, dy.c, dx2.c);
        ref().activation_backward(act, Tensor(), yy.r, dy.r, dx2.r);
        expect_equal(dx2.c, dx2.r, "activation_backward (y only) " + what);
      } else {
        Twin dx2 = output(s);
        cpu().activation_backward(act, x.c, Tensor(), dy.c, dx2.c);
        ref().activation_backward(act, x.r, Tensor(), dy.r, dx2.r);
        expect_equal(dx2.c, dx2.r, "activation_backward (x only) " + what);
      }
    }
  }
  // The same activations fused into dense_forward (post-ops, the split-k epilogue or a loop).
  struct Dims {
    std::int64_t n, k, m;
  };
  for (const Dims d : {Dims{7, 13, 9}, Dims{32, 784, 128}}) {
    const auto x = twin(Shape{d.n, d.k}, uniform(d.n * d.k, -1.f, 1.f, ++seed));
    const auto w = twin(Shape{d.k, d.m}, uniform(d.k * d.m, -0.1f, 0.1f, ++seed));
    const auto b = twin(Shape{d.m}, uniform(d.m, -0.5f, 0.5f, ++seed));
    for (const ActivationFunction& act : acts) {
      Twin y = output(Shape{d.n, d.m});
      cpu().dense_forward(x.c, w.c, &b.c, act, y.c);
      ref().dense_forward(x.r, w.r, &b.r, act, y.r);
      expect_close(y.c, y.r, 1e-4, 1e-5 * std::sqrt(static_cast<double>(d.k)),
                   "dense_forward " + act_str(act) + " " + std::to_string(d.n) + "x" + std::to_string(d.k));
    }
  }
}
