// The reference backend's convolutional-network ops, proved the way reference_backend_test.cpp
// proves the rest: known values worked out by hand (the arithmetic is in the comments), an
// independent re-statement of the contract's sums, and central differences against every
// gradient.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "backends/dropout_mask.hpp"
#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// Smooth, sign-changing test data: a different sequence for every `salt`.
std::vector<float> wave(std::size_t n, double salt) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<float>(std::sin(0.7 * static_cast<double>(i) + salt) * (1.0 + 0.3 * std::cos(salt * i)));
  return v;
}

// Distinct values 0.1 apart in a scrambled order (37 is coprime to every n used here), so no
// finite-difference step of 0.01 changes which element of a pooling window is the largest.
std::vector<float> distinct(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.1f * static_cast<float>((i * 37) % n) - 0.05f * n;
  return v;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Every element of `analytic` against the central difference of `f` in the matching element of t.
void check_gradient(const char* what, Tensor& t, const std::vector<float>& analytic, float h,
                    const std::function<double()>& f, double rel = 1e-3, double abs = 1e-4) {
  REQUIRE(analytic.size() == static_cast<std::size_t>(t.size()));
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    INFO(what << " element " << i);
    CHECK(analytic[i] == Approx(central_difference(t, i, h, f)).epsilon(rel).margin(abs));
  }
}

Shape conv_output_shape(const Shape& x, const Shape& w, const Conv2DParams& p) {
  return {x[0], (x[1] + p.pad_top + p.pad_bottom - p.dilation_h * (w[0] - 1) - 1) / p.stride_h + 1,
          (x[2] + p.pad_left + p.pad_right - p.dilation_w * (w[1] - 1) - 1) / p.stride_w + 1, w[3]};
}

Shape pool_output_shape(const Shape& x, const Pool2DParams& p) {
  return {x[0], (x[1] + p.pad_top + p.pad_bottom - p.pool_h) / p.stride_h + 1,
          (x[2] + p.pad_left + p.pad_right - p.pool_w) / p.stride_w + 1, x[3]};
}

const ActivationFunction kLinear{};

// The 3x3 image 1..9 and the 2x2 kernel [[1 2] [3 4]] most hand-worked cases below use.
const std::vector<float> kImage = {1, 2, 3, 4, 5, 6, 7, 8, 9};
const std::vector<float> kKernel = {1, 2, 3, 4};

std::vector<float> conv(const Shape& xs, const std::vector<float>& xv, const Shape& ws, const std::vector<float>& wv,
                        const Conv2DParams& p, const Tensor* b = nullptr, ActivationFunction act = kLinear) {
  Tensor x = tensor(xs, xv);
  Tensor w = tensor(ws, wv);
  Tensor y(ref(), conv_output_shape(xs, ws, p));
  ref().conv2d_forward(x, w, b, act, p, y);
  return host(y);
}

}  // namespace

// ---- conv2d forward: known values ----------------------------------------------------------

TEST_CASE("reference: conv2d_forward known values", "[backends][reference]") {
  const Shape image{1, 3, 3, 1};
  const Shape kernel{2, 2, 1, 1};

  SECTION("valid, stride 1, batch 2, fused bias and relu") {
    // y[i, j] = x[i, j] + 2 x[i, j + 1] + 3 x[i + 1, j] + 4 x[i + 1, j + 1]:
    // 1 + 4 + 12 + 20 = 37, 2 + 6 + 15 + 24 = 47, 4 + 10 + 21 + 32 = 67, 5 + 12 + 24 + 36 = 77.
    const Conv2DParams p;
    check_close(conv(image, kImage, kernel, kKernel, p), {37, 47, 67, 77});
    // Second sample 10 - x: y = 10 * (1 + 2 + 3 + 4) - y_first = 100 - y.
    std::vector<float> two = kImage;
    for (const float v : kImage) two.push_back(10 - v);
    check_close(conv({2, 3, 3, 1}, two, kernel, kKernel, p), {37, 47, 67, 77, 63, 53, 33, 23});
    // + bias -40, then relu: [-3 7 27 37 | 23 13 -7 -17] -> [0 7 27 37 | 23 13 0 0].
    Tensor b = tensor({1}, {-40});
    check_close(conv({2, 3, 3, 1}, two, kernel, kKernel, p, &b, ActivationFunction::from_name("relu")),
                {0, 7, 27, 37, 23, 13, 0, 0});
  }

  SECTION("same padding with an even kernel pads bottom and right, as Keras") {
    // Keras: total pad 1, top/left 0, bottom/right 1. y[i, j] as above, 0 outside x:
    // row 0: 37 47 (3 + 3*6 = 21); row 1: 67 77 (6 + 3*9 = 33); row 2: (7 + 2*8 = 23) (8 + 2*9 = 26) 9.
    Conv2DParams p;
    p.pad_bottom = p.pad_right = 1;
    check_close(conv(image, kImage, kernel, kKernel, p), {37, 47, 21, 67, 77, 33, 23, 26, 9});
  }

  SECTION("padding at the top and left shifts the other way") {
    // y[i, j] = x[i-1, j-1] + 2 x[i-1, j] + 3 x[i, j-1] + 4 x[i, j]:
    // row 0: 4, 3 + 8 = 11, 6 + 12 = 18; row 1: 2 + 16 = 18, 37, 47; row 2: 8 + 28 = 36, 67, 77.
    Conv2DParams p;
    p.pad_top = p.pad_left = 1;
    check_close(conv(image, kImage, kernel, kKernel, p), {4, 11, 18, 18, 37, 47, 36, 67, 77});
  }

  SECTION("strides 2 with same padding") {
    // Windows at rows {0, 2}, columns {0, 2}: 37; 3 + 3*6 = 21; 7 + 2*8 = 23; 9.
    Conv2DParams p;
    p.stride_h = p.stride_w = 2;
    p.pad_bottom = p.pad_right = 1;
    check_close(conv(image, kImage, kernel, kKernel, p), {37, 21, 23, 9});
  }

  SECTION("unequal strides") {
    // stride (1, 2), valid: columns {0} only (ow = (3 - 2) / 2 + 1 = 1): rows 0, 1 -> 37, 67.
    Conv2DParams p;
    p.stride_w = 2;
    check_close(conv(image, kImage, kernel, kKernel, p), {37, 67});
  }

  SECTION("dilation 2") {
    // 4x4 image x[r, c] = 4r + c + 1; y[i, j] = x[i, j] + 2 x[i, j+2] + 3 x[i+2, j] + 4 x[i+2, j+2].
    // y[0, 0] = 1 + 2*3 + 3*9 + 4*11 = 78; +1 column adds 1 + 2 + 3 + 4 = 10, +1 row adds 40.
    Conv2DParams p;
    p.dilation_h = p.dilation_w = 2;
    std::vector<float> x(16);
    for (std::size_t i = 0; i < 16; ++i) x[i] = static_cast<float>(i + 1);
    check_close(conv({1, 4, 4, 1}, x, kernel, kKernel, p), {78, 88, 118, 128});
    // On the 3x3 image: a single output, 1 + 2*3 + 3*7 + 4*9 = 64.
    check_close(conv(image, kImage, kernel, kKernel, p), {64});
  }

  SECTION("several input and output channels") {
    // 1x1 image with 2 channels [1, 2], 1x1 kernel w[c, o] = [[1 2 3] [4 5 6]]:
    // y[o] = 1 w[0, o] + 2 w[1, o] = [9, 12, 15].
    check_close(conv({1, 1, 1, 2}, {1, 2}, {1, 1, 2, 3}, {1, 2, 3, 4, 5, 6}, Conv2DParams{}), {9, 12, 15});
  }

  SECTION("groups 2, batch 2") {
    // in 4, out 2, groups 2, 1x1 kernel w (1, 1, 2, 2) = w[c, o] = [[1 10] [100 1000]]: output 0
    // reads channels 0, 1 and output 1 reads channels 2, 3, each with its own column of w.
    // Sample 0, x = [1 2 3 4]: y0 = 1 + 200 = 201, y1 = 30 + 4000 = 4030.
    // Sample 1, x = [-1 0.5 2 -2]: y0 = -1 + 50 = 49, y1 = 20 - 2000 = -1980.
    Conv2DParams p;
    p.groups = 2;
    check_close(conv({2, 1, 1, 4}, {1, 2, 3, 4, -1, 0.5f, 2, -2}, {1, 1, 2, 2}, {1, 10, 100, 1000}, p),
                {201, 4030, 49, -1980});
    // in 2, out 4, groups 2 (in / groups = 1): outputs 0, 1 read channel 0; 2, 3 read channel 1.
    // x = [3 5], w = [1 2 3 4] -> [3, 6, 15, 20].
    check_close(conv({1, 1, 1, 2}, {3, 5}, {1, 1, 1, 4}, {1, 2, 3, 4}, p), {3, 6, 15, 20});
  }

  SECTION("groups 2 with a spatial kernel") {
    // 2x2 image, channels (a, b): a = [1 2 3 4], b = [10 20 30 40]; 2x2 kernel, out 2, groups 2:
    // w[p, q, 0, 0] = [1 0 0 1] (a's diagonal), w[p, q, 0, 1] = [0 1 1 0] (b's anti-diagonal).
    // y = [1 + 4, 20 + 30] = [5, 50].
    const std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40};
    const std::vector<float> w = {1, 0, 0, 1, 0, 1, 1, 0};  // (p, q, c = 0, o) row-major
    Conv2DParams p;
    p.groups = 2;
    check_close(conv({1, 2, 2, 2}, x, {2, 2, 1, 2}, w, p), {5, 50});
  }
}

TEST_CASE("reference: conv2d_forward equals the contract's sum written out again", "[backends][reference]") {
  // Every parameter at once, against the sum in Conv2DParams's comment restated here by hand.
  const Shape xs{2, 5, 6, 4}, ws{3, 2, 2, 6};
  Conv2DParams p;
  p.stride_h = 2, p.stride_w = 1;
  p.dilation_h = 1, p.dilation_w = 2;
  p.pad_top = 1, p.pad_bottom = 2, p.pad_left = 0, p.pad_right = 1;
  p.groups = 2;
  const auto xv = wave(static_cast<std::size_t>(xs.num_elements()), 0.3);
  const auto wv = wave(static_cast<std::size_t>(ws.num_elements()), 1.9);
  const auto bv = wave(6, 4.2);
  Tensor b = tensor({6}, bv);
  const Shape ys = conv_output_shape(xs, ws, p);
  REQUIRE(ys == Shape{2, 3, 5, 6});  // (5 + 3 - 2 - 1) / 2 + 1 = 3; (6 + 1 - 2 - 1) / 1 + 1 = 5
  const auto got = conv(xs, xv, ws, wv, p, &b, ActivationFunction::from_name("tanh"));

  std::vector<double> want;
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t i = 0; i < ys[1]; ++i)
      for (std::int64_t j = 0; j < ys[2]; ++j)
        for (std::int64_t o = 0; o < 6; ++o) {
          const std::int64_t g = o / 3;  // out / groups = 3
          double s = bv[static_cast<std::size_t>(o)];
          for (std::int64_t r = 0; r < 3; ++r)
            for (std::int64_t q = 0; q < 2; ++q)
              for (std::int64_t c = 0; c < 2; ++c) {  // in / groups = 2
                const std::int64_t row = i * 2 + r * 1 - 1;
                const std::int64_t col = j * 1 + q * 2 - 0;
                if (row < 0 || row >= 5 || col < 0 || col >= 6) continue;
                s += static_cast<double>(xv[static_cast<std::size_t>(((n * 5 + row) * 6 + col) * 4 + g * 2 + c)]) *
                     wv[static_cast<std::size_t>(((r * 2 + q) * 2 + c) * 6 + o)];
              }
          want.push_back(std::tanh(static_cast<double>(static_cast<float>(s))));
        }
  check_close(got, want, 1e-6, 1e-6);
}

// ---- conv2d backward: central differences ---------------------------------------------------

namespace {

void check_conv_gradients(const Shape& xs, const Shape& ws, const Conv2DParams& p) {
  const Shape ys = conv_output_shape(xs, ws, p);
  Tensor x = tensor(xs, wave(static_cast<std::size_t>(xs.num_elements()), 0.5));
  Tensor w = tensor(ws, wave(static_cast<std::size_t>(ws.num_elements()), 2.5));
  Tensor b = tensor({ws[3]}, wave(static_cast<std::size_t>(ws[3]), 3.5));
  const auto dyv = wave(static_cast<std::size_t>(ys.num_elements()), 1.1);
  Tensor dy = tensor(ys, dyv);

  Tensor dx(ref(), xs), dw(ref(), ws), db(ref(), {ws[3]});
  ref().conv2d_backward_data(dy, w, p, dx);
  ref().conv2d_backward_weights(x, dy, p, dw, &db);

  // The same weight gradient without the bias gradient.
  Tensor dw_only(ref(), ws);
  ref().conv2d_backward_weights(x, dy, p, dw_only, nullptr);
  CHECK(host(dw_only) == host(dw));

  Tensor y(ref(), ys);
  auto objective = [&] {
    ref().conv2d_forward(x, w, &b, kLinear, p, y);
    return dot(host(y), dyv);
  };
  // The objective is linear in each variable, so the step only needs to beat f32 rounding.
  check_gradient("dx", x, host(dx), 0.05f, objective);
  check_gradient("dw", w, host(dw), 0.05f, objective);
  check_gradient("db", b, host(db), 0.05f, objective);
}

}  // namespace

TEST_CASE("reference: conv2d backward data and weights match central differences", "[backends][reference]") {
  SECTION("valid, stride 1, one group") { check_conv_gradients({2, 4, 5, 3}, {3, 3, 3, 2}, Conv2DParams{}); }
  SECTION("same padding with an even kernel, stride 2") {
    Conv2DParams p;
    p.stride_h = p.stride_w = 2;
    p.pad_bottom = p.pad_right = 1;
    check_conv_gradients({2, 5, 5, 2}, {2, 2, 2, 3}, p);
  }
  SECTION("strides, dilation, uneven pads and groups 2 at once") {
    Conv2DParams p;
    p.stride_h = 2, p.stride_w = 1;
    p.dilation_h = 1, p.dilation_w = 2;
    p.pad_top = 1, p.pad_bottom = 2, p.pad_left = 0, p.pad_right = 1;
    p.groups = 2;
    check_conv_gradients({2, 5, 6, 4}, {3, 2, 2, 6}, p);
  }
  SECTION("depthwise: groups = channels") {
    Conv2DParams p;
    p.groups = 3;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    check_conv_gradients({1, 4, 4, 3}, {3, 3, 1, 6}, p);
  }
  SECTION("1-D as h = 1, dilation 3") {
    Conv2DParams p;
    p.dilation_w = 3;
    p.pad_left = 6;  // causal
    check_conv_gradients({2, 1, 9, 2}, {1, 3, 2, 4}, p);
  }
}

TEST_CASE("reference: conv2d_backward_data known values", "[backends][reference]") {
  // The transposed convolution of dy = [[1 0] [0 1]] (valid 2x2 conv of a 3x3 image) with
  // w = [[1 2] [3 4]]: dx = w placed at (0, 0) plus w placed at (1, 1):
  // [[1 2 0] [3 4+1 2] [0 3 4]].
  Tensor dy = tensor({1, 2, 2, 1}, {1, 0, 0, 1});
  Tensor w = tensor({2, 2, 1, 1}, kKernel);
  Tensor dx(ref(), {1, 3, 3, 1});
  ref().conv2d_backward_data(dy, w, Conv2DParams{}, dx);
  check_close(host(dx), {1, 2, 0, 3, 5, 2, 0, 3, 4});

  // Stride 2: the two copies no longer overlap: w at (0, 0) and at (2, 2) of a 5x5 dx (its
  // shape gives h, w; the last row and column are read by no window and get 0).
  Tensor dx5(ref(), {1, 5, 5, 1});
  ref().fill(dx5, 9.f);
  Conv2DParams p;
  p.stride_h = p.stride_w = 2;
  ref().conv2d_backward_data(dy, w, p, dx5);
  check_close(host(dx5), {1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0});

  // Weights: dw[p, q] = sum_ij x[i + p, j + q] dy[i, j] = x[p, q] + x[p + 1, q + 1] on the
  // 1..9 image: [[1 + 5, 2 + 6] [4 + 8, 5 + 9]]; db = sum dy = 2.
  Tensor x = tensor({1, 3, 3, 1}, kImage);
  Tensor dw(ref(), {2, 2, 1, 1}), db(ref(), {1});
  ref().conv2d_backward_weights(x, dy, Conv2DParams{}, dw, &db);
  check_close(host(dw), {6, 8, 12, 14});
  check_close(host(db), {2});
}

// ---- pooling --------------------------------------------------------------------------------

namespace {

std::vector<float> pool(const Shape& xs, const std::vector<float>& xv, const Pool2DParams& p) {
  Tensor x = tensor(xs, xv);
  Tensor y(ref(), pool_output_shape(xs, p));
  ref().pool2d_forward(x, p, y, nullptr);
  return host(y);
}

std::vector<float> pool_backward(const Shape& xs, const std::vector<float>& xv, const Pool2DParams& p,
                                 const std::vector<float>& dyv) {
  Tensor x = tensor(xs, xv);
  const Shape ys = pool_output_shape(xs, p);
  Tensor y(ref(), ys);
  std::unique_ptr<OpState> state;
  ref().pool2d_forward(x, p, y, &state);
  REQUIRE(state != nullptr);
  Tensor dy = tensor(ys, dyv);
  Tensor dx(ref(), xs);
  ref().pool2d_backward(x, y, dy, p, state, dx);
  return host(dx);
}

Pool2DParams same_2x2(PoolKind kind) {
  // Keras "same" for pool 2, stride 2 on 3: output 2, total pad 1, all of it bottom / right.
  Pool2DParams p;
  p.kind = kind;
  p.pad_bottom = p.pad_right = 1;
  return p;
}

}  // namespace

TEST_CASE("reference: pool2d_forward known values", "[backends][reference]") {
  const Shape image{1, 3, 3, 1};
  SECTION("max, same padding") {
    // Windows {1 2 4 5}, {3 6}, {7 8}, {9}.
    check_close(pool(image, kImage, same_2x2(PoolKind::Max)), {5, 6, 8, 9});
    // All negative: the padding is never the maximum (it would be 0 otherwise).
    std::vector<float> negative;
    for (const float v : kImage) negative.push_back(-v);
    check_close(pool(image, negative, same_2x2(PoolKind::Max)), {-1, -3, -7, -9});
  }
  SECTION("average, same padding: padded positions leave the count") {
    // (1 + 2 + 4 + 5) / 4 = 3, (3 + 6) / 2 = 4.5, (7 + 8) / 2 = 7.5, 9 / 1.
    check_close(pool(image, kImage, same_2x2(PoolKind::Average)), {3, 4.5, 7.5, 9});
  }
  SECTION("valid, overlapping windows, two channels, batch 2") {
    // pool 2x2 stride 1 on 3x3: channel 0 = 1..9, channel 1 = -(1..9); sample 1 = sample 0 * 2.
    Pool2DParams p;
    p.stride_h = p.stride_w = 1;
    std::vector<float> x;
    for (int n = 1; n <= 2; ++n)
      for (const float v : kImage) {
        x.push_back(n * v);
        x.push_back(-n * v);
      }
    check_close(pool({2, 3, 3, 2}, x, p), {5, -1, 6, -2, 8, -4, 9, -5, 10, -2, 12, -4, 16, -8, 18, -10});
    p.kind = PoolKind::Average;
    // Window means 3, 4, 6, 7 (and their negatives), doubled for sample 1.
    check_close(pool({2, 3, 3, 2}, x, p), {3, -3, 4, -4, 6, -6, 7, -7, 6, -6, 8, -8, 12, -12, 14, -14});
  }
  SECTION("padding on every side, unequal pool and stride") {
    // pool (3, 2), stride (2, 1), pads top 1 bottom 1, left 0 right 1 on 3x3:
    // oh = (3 + 2 - 3) / 2 + 1 = 2, ow = (3 + 1 - 2) / 1 + 1 = 3.
    // Row windows: rows {0 1} (top padded), rows {1 2} (bottom padded); columns {0 1} {1 2} {2}.
    Pool2DParams p;
    p.kind = PoolKind::Average;
    p.pool_h = 3, p.pool_w = 2, p.stride_h = 2, p.stride_w = 1;
    p.pad_top = 1, p.pad_bottom = 1, p.pad_right = 1;
    // rows {0 1}: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, (3+6)/2 = 4.5
    // rows {1 2}: (4+5+7+8)/4 = 6, (5+6+8+9)/4 = 7, (6+9)/2 = 7.5
    check_close(pool(image, kImage, p), {3, 4, 4.5, 6, 7, 7.5});
    p.kind = PoolKind::Max;
    check_close(pool(image, kImage, p), {5, 6, 6, 8, 9, 9});
  }
}

TEST_CASE("reference: pool2d_backward known values", "[backends][reference]") {
  const Shape one{1, 2, 2, 1};
  Pool2DParams p;  // 2x2, stride 2: one window
  SECTION("max: the first maximum in row-major order takes the whole gradient") {
    check_close(pool_backward(one, {2, 2, 2, 1}, p, {5}), {5, 0, 0, 0});
    check_close(pool_backward(one, {1, 3, 3, 3}, p, {5}), {0, 5, 0, 0});
    check_close(pool_backward(one, {1, 0, 7, 7}, p, {5}), {0, 0, 5, 0});
  }
  SECTION("max with overlapping windows accumulates") {
    // pool 2x2 stride 1 on 1..9: maxima at 5, 6, 8, 9 with dy 1, 2, 3, 4.
    Pool2DParams q;
    q.stride_h = q.stride_w = 1;
    check_close(pool_backward({1, 3, 3, 1}, kImage, q, {1, 2, 3, 4}), {0, 0, 0, 0, 1, 2, 0, 3, 4});
    // A shared maximum: 9 in the centre wins all four windows: 1 + 2 + 3 + 4.
    std::vector<float> peak = {1, 2, 3, 4, 9, 6, 7, 8, 5};
    check_close(pool_backward({1, 3, 3, 1}, peak, q, {1, 2, 3, 4}), {0, 0, 0, 0, 10, 0, 0, 0, 0});
  }
  SECTION("average with same padding divides by the real count") {
    // Windows {0 1 3 4} / 4, {2 5} / 2, {6 7} / 2, {8} / 1 with dy 4, 2, 6, 1.
    check_close(pool_backward({1, 3, 3, 1}, kImage, same_2x2(PoolKind::Average), {4, 2, 6, 1}),
                {1, 1, 1, 1, 1, 1, 3, 3, 1});
    // Max, same padding: 5 <- 4, 6 <- 2, 8 <- 6, 9 <- 1.
    check_close(pool_backward({1, 3, 3, 1}, kImage, same_2x2(PoolKind::Max), {4, 2, 6, 1}),
                {0, 0, 0, 0, 4, 2, 0, 6, 1});
  }
}

TEST_CASE("reference: pool2d_backward matches central differences", "[backends][reference]") {
  const Shape xs{2, 5, 5, 3};
  const auto xv = distinct(static_cast<std::size_t>(xs.num_elements()));
  for (const PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
    for (int config = 0; config < 3; ++config) {
      Pool2DParams p;
      p.kind = kind;
      if (config == 0) {  // Keras "same", 3x3 stride 2: overlapping windows, 1 pad each side
        p.pool_h = p.pool_w = 3;
        p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
      } else if (config == 1) {  // "same", 2x2 stride 2 on 5: pad bottom / right
        p.pad_bottom = p.pad_right = 1;
      } else {  // unequal pool, stride and pads
        p.pool_h = 2, p.pool_w = 3, p.stride_h = 1, p.stride_w = 2;
        p.pad_top = 1, p.pad_left = 2, p.pad_right = 1;
      }
      INFO("kind " << (kind == PoolKind::Max ? "max" : "average") << " config " << config);
      const Shape ys = pool_output_shape(xs, p);
      const auto dyv = wave(static_cast<std::size_t>(ys.num_elements()), 0.9);
      Tensor x = tensor(xs, xv);
      const auto analytic = pool_backward(xs, xv, p, dyv);
      Tensor y(ref(), ys);
      auto objective = [&] {
        ref().pool2d_forward(x, p, y, nullptr);
        return dot(host(y), dyv);
      };
      check_gradient("dx", x, analytic, 0.01f, objective);
    }
  }
}

// ---- batch normalisation --------------------------------------------------------------------

TEST_CASE("reference: batch_norm forward known values", "[backends][reference]") {
  // Columns [1 3] and [10 30]: means 2, 20; biased variances 1, 100 (unbiased would be 2, 200);
  // with epsilon 0, xhat = [[-1 -1] [1 1]]; y = gamma xhat + beta with gamma [2 0.5], beta [0.1 -1].
  Tensor x = tensor({2, 2}, {1, 10, 3, 30});
  Tensor gamma = tensor({2}, {2, 0.5f});
  Tensor beta = tensor({2}, {0.1f, -1});
  Tensor y(ref(), {2, 2}), mean(ref(), {2}), variance(ref(), {2});
  Tensor moving_mean = tensor({2}, {0, 0});
  Tensor moving_variance = tensor({2}, {1, 1});
  ref().batch_norm_forward_training(x, gamma, beta, 0.f, 0.9f, y, mean, variance, moving_mean, moving_variance);
  check_close(host(y), {-1.9, -1.5, 2.1, -0.5});
  check_close(host(mean), {2, 20});
  check_close(host(variance), {1, 100});
  // moving = 0.9 moving + 0.1 batch: [0.2, 2], [0.9 + 0.1, 0.9 + 10].
  check_close(host(moving_mean), {0.2, 2});
  check_close(host(moving_variance), {1.0, 10.9});

  // Inference with the moving statistics [0.2 2], [1 10.9], epsilon 0.1:
  // (1 - 0.2) / sqrt(1.1) * 2 + 0.1, (10 - 2) / sqrt(11) * 0.5 - 1, ...
  ref().batch_norm_forward_inference(x, gamma, beta, moving_mean, moving_variance, 0.1f, y);
  const double e = 0.1f;  // epsilon as the f32 the op receives
  const double s0 = 1 / std::sqrt(1.0 + e), s1 = 1 / std::sqrt(static_cast<double>(10.9f) + e);
  const double m0 = 0.2f, m1 = 2;
  check_close(host(y),
              {(1 - m0) * s0 * 2 + 0.1f, (10 - m1) * s1 * 0.5 - 1, (3 - m0) * s0 * 2 + 0.1f, (30 - m1) * s1 * 0.5 - 1});

  // Rank 4: statistics per channel over n, h, w. Channel 0 = 1..4, channel 1 = 8 each: mean 2.5
  // and variance 1.25; mean 8 and variance 0, so channel 1's xhat is 0 and y = beta.
  Tensor x4 = tensor({1, 2, 2, 2}, {1, 8, 2, 8, 3, 8, 4, 8});
  Tensor y4(ref(), {1, 2, 2, 2});
  Tensor one = tensor({2}, {1, 1}), zero = tensor({2}, {0, 0.5f});
  ref().batch_norm_forward_training(x4, one, zero, 0.75f, 0.f, y4, mean, variance, moving_mean, moving_variance);
  const double r = 1 / std::sqrt(2.0);  // 1 / sqrt(1.25 + 0.75)
  check_close(host(y4), {-1.5 * r, 0.5, -0.5 * r, 0.5, 0.5 * r, 0.5, 1.5 * r, 0.5});
  check_close(host(mean), {2.5, 8});
  check_close(host(variance), {1.25, 0});
  check_close(host(moving_mean), {2.5, 8});  // momentum 0: the batch's statistics
}

TEST_CASE("reference: batch_norm_backward matches central differences", "[backends][reference]") {
  const Shape xs{2, 3, 2, 3};  // statistics over 12 rows per channel
  const float epsilon = 1e-3f;
  Tensor x = tensor(xs, wave(36, 0.2));
  Tensor gamma = tensor({3}, {1.5f, -0.7f, 0.9f});
  Tensor beta = tensor({3}, {0.1f, 0.2f, -0.3f});
  const auto dyv = wave(36, 2.7);
  Tensor dy = tensor(xs, dyv);
  Tensor y(ref(), xs), mean(ref(), {3}), variance(ref(), {3});
  Tensor moving_mean = tensor({3}, {0, 0, 0}), moving_variance = tensor({3}, {1, 1, 1});
  ref().batch_norm_forward_training(x, gamma, beta, epsilon, 0.99f, y, mean, variance, moving_mean, moving_variance);
  Tensor dx(ref(), xs), dgamma(ref(), {3}), dbeta(ref(), {3});
  ref().batch_norm_backward(x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);

  // Per channel the gradient of x sums to 0 (shifting a whole channel changes nothing).
  const auto g = host(dx);
  for (std::size_t c = 0; c < 3; ++c) {
    double s = 0.0;
    for (std::size_t i = c; i < g.size(); i += 3) s += g[i];
    CHECK(s == Approx(0).margin(1e-5));
  }

  Tensor probe(ref(), xs), m(ref(), {3}), v(ref(), {3});
  auto objective = [&] {
    ref().batch_norm_forward_training(x, gamma, beta, epsilon, 0.99f, probe, m, v, moving_mean, moving_variance);
    return dot(host(probe), dyv);
  };
  check_gradient("dx", x, g, 1e-2f, objective, 2e-3, 2e-4);
  check_gradient("dgamma", gamma, host(dgamma), 1e-2f, objective, 2e-3, 2e-4);
  check_gradient("dbeta", beta, host(dbeta), 1e-2f, objective, 2e-3, 2e-4);
}

// ---- layer normalisation --------------------------------------------------------------------

TEST_CASE("reference: layer_norm_forward known values", "[backends][reference]") {
  // Row [1 2 3 4]: mean 2.5, variance 1.25, epsilon 0.75 -> rstd 1 / sqrt(2).
  // Row [-2 -2 6 6]: mean 2, variance 16, epsilon 0.75 -> rstd 1 / sqrt(16.75).
  Tensor x = tensor({2, 4}, {1, 2, 3, 4, -2, -2, 6, 6});
  Tensor y(ref(), {2, 4}), mean(ref(), {2}), rstd(ref(), {2});
  const double r0 = 1 / std::sqrt(2.0), r1 = 1 / std::sqrt(16.75);
  ref().layer_norm_forward(x, nullptr, nullptr, 0.75f, y, mean, rstd);
  check_close(host(y), {-1.5 * r0, -0.5 * r0, 0.5 * r0, 1.5 * r0, -4 * r1, -4 * r1, 4 * r1, 4 * r1});
  check_close(host(mean), {2.5, 2});
  check_close(host(rstd), {r0, r1});

  Tensor gamma = tensor({4}, {1, 2, 3, 4});
  Tensor beta = tensor({4}, {0, 1, 0, -1});
  ref().layer_norm_forward(x, &gamma, &beta, 0.75f, y, mean, rstd);
  check_close(host(y), {-1.5 * r0, -1.0 * r0 + 1, 1.5 * r0, 6 * r0 - 1, -4 * r1, -8 * r1 + 1, 12 * r1, 16 * r1 - 1});
  // Gamma alone, beta alone.
  ref().layer_norm_forward(x, &gamma, nullptr, 0.75f, y, mean, rstd);
  check_close(host(y), {-1.5 * r0, -1.0 * r0, 1.5 * r0, 6 * r0, -4 * r1, -8 * r1, 12 * r1, 16 * r1});
  ref().layer_norm_forward(x, nullptr, &beta, 0.75f, y, mean, rstd);
  check_close(host(y), {-1.5 * r0, -0.5 * r0 + 1, 0.5 * r0, 1.5 * r0 - 1, -4 * r1, -4 * r1 + 1, 4 * r1, 4 * r1 - 1});
}

TEST_CASE("reference: layer_norm_backward matches central differences", "[backends][reference]") {
  const Shape xs{2, 3, 5};  // 6 rows of 5
  const float epsilon = 1e-3f;
  const auto dyv = wave(30, 1.7);
  Tensor dy = tensor(xs, dyv);
  Tensor gamma = tensor({5}, {1.5f, -0.7f, 0.9f, 1.1f, 0.4f});
  Tensor beta = tensor({5}, {0.1f, 0.2f, -0.3f, 0.f, 0.5f});
  for (const bool affine : {true, false}) {
    INFO("gamma and beta " << (affine ? "given" : "null"));
    Tensor x = tensor(xs, wave(30, 0.4));
    const Tensor* g = affine ? &gamma : nullptr;
    const Tensor* b = affine ? &beta : nullptr;
    Tensor y(ref(), xs), mean(ref(), {2, 3}), rstd(ref(), {2, 3});
    ref().layer_norm_forward(x, g, b, epsilon, y, mean, rstd);
    Tensor dx(ref(), xs), dgamma(ref(), {5}), dbeta(ref(), {5});
    ref().layer_norm_backward(x, dy, g, mean, rstd, dx, affine ? &dgamma : nullptr, affine ? &dbeta : nullptr);

    Tensor probe(ref(), xs), m(ref(), {2, 3}), r(ref(), {2, 3});
    auto objective = [&] {
      ref().layer_norm_forward(x, g, b, epsilon, probe, m, r);
      return dot(host(probe), dyv);
    };
    check_gradient("dx", x, host(dx), 1e-2f, objective, 2e-3, 2e-4);
    if (affine) {
      check_gradient("dgamma", gamma, host(dgamma), 1e-2f, objective, 2e-3, 2e-4);
      check_gradient("dbeta", beta, host(dbeta), 1e-2f, objective, 2e-3, 2e-4);
      // dx without asking for dgamma / dbeta is the same.
      Tensor dx_only(ref(), xs);
      ref().layer_norm_backward(x, dy, g, mean, rstd, dx_only, nullptr, nullptr);
      CHECK(host(dx_only) == host(dx));
    }
  }
}

// ---- spatial data movement ------------------------------------------------------------------

TEST_CASE("reference: pad2d and crop2d known values and adjointness", "[backends][reference]") {
  // 2x2 [[1 2] [3 4]] placed at row 1, column 2 of a 3x5 of zeros.
  Tensor x = tensor({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor y(ref(), {1, 3, 5, 1});
  ref().fill(y, 9.f);  // every element is written, zeros included
  ref().pad2d(x, 1, 2, y);
  check_close(host(y), {0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0});
  // Cropping the same window gives x back; another window gives what lies there.
  Tensor back(ref(), {1, 2, 2, 1});
  ref().crop2d(y, 1, 2, back);
  check_close(host(back), {1, 2, 3, 4});
  ref().crop2d(y, 0, 1, back);
  check_close(host(back), {0, 0, 0, 1});

  // <pad(x), z> = <x, crop(z)> for every offset: crop is pad's adjoint (its backward), batch 2
  // and 3 channels.
  const Shape small{2, 3, 2, 3}, large{2, 5, 6, 3};
  const auto xv = wave(36, 0.1);
  const auto zv = wave(180, 1.3);
  Tensor xs = tensor(small, xv), z = tensor(large, zv);
  Tensor padded(ref(), large), cropped(ref(), small);
  for (std::int64_t top = 0; top <= 2; ++top)
    for (std::int64_t left = 0; left <= 4; ++left) {
      INFO("top " << top << " left " << left);
      ref().pad2d(xs, top, left, padded);
      ref().crop2d(z, top, left, cropped);
      CHECK(dot(host(padded), zv) == Approx(dot(xv, host(cropped))).epsilon(1e-6));
      // And the padded values sit where the contract puts them.
      const auto pv = host(padded);
      CHECK(pv[static_cast<std::size_t>(((1 * 5 + top + 2) * 6 + left + 1) * 3 + 2)] ==
            xv[static_cast<std::size_t>(((1 * 3 + 2) * 2 + 1) * 3 + 2)]);
    }
}

TEST_CASE("reference: upsample2d forward and backward", "[backends][reference]") {
  // [[1 2] [3 4]] by (2, 3): each value becomes a 2x3 block.
  Tensor x = tensor({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor y(ref(), {1, 4, 6, 1});
  ref().upsample2d_forward(x, 2, 3, y);
  check_close(host(y), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  // Backward sums each block: dy = 0..23 -> blocks {0 1 2 6 7 8} = 24, {3 4 5 9 10 11} = 42,
  // {12 13 14 18 19 20} = 96, {15 16 17 21 22 23} = 114.
  std::vector<float> ramp(24);
  for (std::size_t i = 0; i < 24; ++i) ramp[i] = static_cast<float>(i);
  Tensor dy = tensor({1, 4, 6, 1}, ramp);
  Tensor dx(ref(), {1, 2, 2, 1});
  ref().upsample2d_backward(dy, 2, 3, dx);
  check_close(host(dx), {24, 42, 96, 114});

  // Central differences, batch 2, 3 channels, unequal sizes.
  const Shape xs{2, 3, 2, 3}, ys{2, 6, 8, 3};
  Tensor xg = tensor(xs, wave(36, 0.6));
  const auto dyv = wave(288, 2.2);
  Tensor dyg = tensor(ys, dyv);
  Tensor dxg(ref(), xs), probe(ref(), ys);
  ref().upsample2d_backward(dyg, 2, 4, dxg);
  check_gradient("dx", xg, host(dxg), 0.05f, [&] {
    ref().upsample2d_forward(xg, 2, 4, probe);
    return dot(host(probe), dyv);
  });
}

// ---- per-channel element-wise ops -----------------------------------------------------------

TEST_CASE("reference: affine and add_bias, also in place", "[backends][reference]") {
  Tensor x = tensor({2, 3}, {1, -2, 0.5f, 4, 0, -1});
  Tensor y(ref(), {2, 3});
  ref().affine(x, 2.f, -1.f, y);
  check_close(host(y), {1, -5, 0, 7, -1, -3});
  ref().affine(x, -0.5f, 0.25f, x);
  check_close(host(x), {-0.25, 1.25, 0, -1.75, 0.25, 0.75});

  Tensor z = tensor({1, 2, 2, 3}, {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3});
  Tensor b = tensor({3}, {10, 20, 30});
  Tensor out(ref(), {1, 2, 2, 3});
  ref().add_bias(z, b, out);
  check_close(host(out), {10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33});
  ref().add_bias(z, b, z);
  check_close(host(z), {10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33});
}

TEST_CASE("reference: spatial dropout and channel_scale", "[backends][reference]") {
  // x (n 4, h 3, w 2, c 5): one draw per (sample, channel), shared by all six positions.
  const Shape xs{4, 3, 2, 5};
  const auto xv = wave(120, 0.8);
  Tensor x = tensor(xs, xv);
  Tensor mask(ref(), {4, 5});
  Tensor y(ref(), xs);
  const float rate = 0.4f;
  const std::uint64_t seed = 77;
  ref().spatial_dropout_forward(x, rate, seed, mask, y);
  const auto m = host(mask);
  const auto out = host(y);
  const float kept = 1.f / (1.f - rate);
  std::size_t kept_count = 0;
  for (std::size_t n = 0; n < 4; ++n)
    for (std::size_t c = 0; c < 5; ++c) {
      const bool keeps = detail::dropout_keeps(seed, n * 5 + c, rate);
      kept_count += keeps;
      REQUIRE(m[n * 5 + c] == (keeps ? kept : 0.f));
      for (std::size_t s = 0; s < 6; ++s) REQUIRE(out[(n * 6 + s) * 5 + c] == xv[(n * 6 + s) * 5 + c] * m[n * 5 + c]);
    }
  CHECK(kept_count > 0);
  CHECK(kept_count < 20);  // this seed drops some channels and keeps others

  // channel_scale is spatial dropout's backward: d(sum(y * dy)) / dx = channel_scale(dy, mask).
  const auto dyv = wave(120, 3.3);
  Tensor dy = tensor(xs, dyv);
  Tensor dx(ref(), xs);
  ref().channel_scale(dy, mask, dx);
  check_gradient("dx", x, host(dx), 0.05f, [&] {
    ref().spatial_dropout_forward(x, rate, seed, mask, y);
    return dot(host(y), dyv);
  });

  // Known values on a (2, 2, 2) view (n, s, c): scale [[1 2] [3 -1]].
  Tensor a = tensor({2, 2, 2}, {1, 1, 2, 2, 1, 1, 2, 2});
  Tensor s = tensor({2, 2}, {1, 2, 3, -1});
  Tensor b(ref(), {2, 2, 2});
  ref().channel_scale(a, s, b);
  check_close(host(b), {1, 2, 2, 4, 3, -1, 6, -2});
}

// ---- Relu with max_value and threshold (Keras's ReLU layer) ---------------------------------

TEST_CASE("reference: relu honours max_value, threshold and the negative slope", "[backends][reference]") {
  const std::vector<float> xs = {-3, -1, 0, 0.5f, 1, 2, 5.5f, 6, 7};
  auto run = [&](ActivationFunction act) {
    Tensor x = tensor({9}, xs);
    Tensor y(ref(), {9});
    ref().activation_forward(act, x, y);
    return host(y);
  };
  ActivationFunction relu6{ActivationKind::Relu};
  relu6.max_value = 6.f;
  // max_value 6: [0 0 0 0.5 1 2 5.5 6 6]
  check_close(run(relu6), {0, 0, 0, 0.5, 1, 2, 5.5, 6, 6});
  ActivationFunction shifted{ActivationKind::Relu, 0.1f};
  shifted.threshold = 1.f;
  // threshold 1, slope 0.1: below 1, 0.1 (x - 1): [-0.4 -0.2 -0.1 -0.05 | 1 2 5.5 6 7]
  check_close(run(shifted), {-0.4, -0.2, -0.1, -0.05, 1, 2, 5.5, 6, 7});
  ActivationFunction all{ActivationKind::Relu, 0.5f};
  all.threshold = 0.5f;
  all.max_value = 5.5f;
  // [0.5 (-3.5), 0.5 (-1.5), 0.5 (-0.5), 0.5, 1, 2, 5.5, 5.5, 5.5]
  check_close(run(all), {-1.75, -0.75, -0.25, 0.5, 1, 2, 5.5, 5.5, 5.5});
  ActivationFunction leaky{ActivationKind::Relu, 0.2f};
  check_close(run(leaky), {-0.6, -0.2, 0, 0.5, 1, 2, 5.5, 6, 7});
}

TEST_CASE("reference: relu backward with max_value and threshold", "[backends][reference]") {
  // Kinks take the slope of the piece below them at the threshold (as relu at 0) and 0 from
  // max_value on.
  const std::vector<float> xs = {-3, -1, 0, 0.5f, 1, 2, 5.5f, 6, 7};
  const std::vector<float> dys = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto backward = [&](ActivationFunction act, bool from_output) {
    Tensor x = tensor({9}, xs);
    Tensor y(ref(), {9});
    ref().activation_forward(act, x, y);
    Tensor dy = tensor({9}, dys);
    Tensor dx(ref(), {9});
    ref().activation_backward(act, from_output ? Tensor{} : x, y, dy, dx);
    return host(dx);
  };
  ActivationFunction relu6{ActivationKind::Relu};
  relu6.max_value = 6.f;
  REQUIRE(relu6.backward_from_output());
  check_close(backward(relu6, true), {0, 0, 0, 4, 5, 6, 7, 0, 0});
  check_close(backward(relu6, false), {0, 0, 0, 4, 5, 6, 7, 0, 0});
  ActivationFunction leaky6{ActivationKind::Relu, 0.25f};
  leaky6.max_value = 6.f;
  REQUIRE(leaky6.backward_from_output());
  check_close(backward(leaky6, true), {0.25, 0.5, 0.75, 4, 5, 6, 7, 0, 0});
  ActivationFunction shifted{ActivationKind::Relu, 0.1f};
  shifted.threshold = 1.f;
  REQUIRE_FALSE(shifted.backward_from_output());
  check_close(backward(shifted, false), {0.1, 0.2, 0.3, 0.4, 0.5, 6, 7, 8, 9});
  ActivationFunction negative{ActivationKind::Relu, -0.5f};
  negative.max_value = 6.f;
  REQUIRE_FALSE(negative.backward_from_output());
  check_close(backward(negative, false), {-0.5, -1, -1.5, 4, 5, 6, 7, 0, 0});

  // Central differences away from every kink, for several parameter sets.
  const std::vector<float> smooth = {-2.1f, -0.7f, 0.3f, 0.8f, 1.4f, 2.6f, 4.9f, 6.4f, 7.7f};
  for (ActivationFunction act : {relu6, leaky6, shifted, negative}) {
    INFO("alpha " << act.alpha << " threshold " << act.threshold << " max_value " << act.max_value);
    Tensor x = tensor({9}, smooth);
    Tensor y(ref(), {9});
    ref().activation_forward(act, x, y);
    Tensor dy = tensor({9}, dys);
    Tensor dx(ref(), {9});
    ref().activation_backward(act, act.backward_from_output() ? Tensor{} : x, y, dy, dx);
    Tensor probe(ref(), {9});
    check_gradient("dx", x, host(dx), 0.02f, [&] {
      ref().activation_forward(act, x, probe);
      return dot(host(probe), dys);
    });
  }
}
