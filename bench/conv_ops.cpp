// Micro-benchmark: µs and GFLOP/s per convolution op (forward with fused bias + relu,
// backward-data, backward-weights with the bias gradient) for the two convolutions of Keras's
// simple MNIST convnet at batch 128, plus the pooling ops between them and, for scale, the
// backend's own matmul (sgemm) rate on 256x1024 . 1024x1024.
//
//   conv_ops [backend=cpu] [threads=2] [reps=50]
//
// Each figure is the median of `reps` timed calls after a warm-up that creates every primitive.
// FLOPs of one convolution pass = 2 n oh ow out kh kw in / groups (the same for all three ops).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

using namespace strata;

namespace {

// The fastest of the timed calls, kept beside the median: on a shared 2-core machine a busy
// neighbour inflates the median first (OpenMP threads wait for a descheduled sibling).
double g_min_us = 0.0;

double median_us(int reps, const std::function<void()>& op) {
  for (int i = 0; i < std::max(3, reps / 5); ++i) op();  // warm-up: primitives, caches, pages
  std::vector<double> t(static_cast<std::size_t>(reps));
  for (auto& v : t) {
    const auto start = std::chrono::steady_clock::now();
    op();
    v = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  }
  g_min_us = *std::min_element(t.begin(), t.end());
  std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
  return t[static_cast<std::size_t>(reps / 2)];
}

Tensor random(Backend& b, const Shape& s, float lo, float hi, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(s.num_elements()));
  for (float& x : v) x = u(gen);
  Tensor t(b, s);
  b.upload(v.data(), t);
  return t;
}

struct Layer {
  const char* name;
  std::int64_t h, w, in, out;  // 3x3, stride 1, valid
};

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "cpu";
  set_num_threads(argc > 2 ? std::atoi(argv[2]) : 2);
  const int reps = argc > 3 ? std::atoi(argv[3]) : 50;
  Backend& be = get_backend(name);
  constexpr std::int64_t N = 128, K = 3;
  const ActivationFunction relu{ActivationKind::Relu, 0.f};
  const Conv2DParams cp;

  std::printf("backend %s, %d threads, batch %lld, median of %d\n", name.c_str(), num_threads(),
              static_cast<long long>(N), reps);
  {
    Tensor a = random(be, {256, 1024}, -1.f, 1.f, 1), b = random(be, {1024, 1024}, -1.f, 1.f, 2);
    Tensor c(be, {256, 1024});
    const double us = median_us(reps, [&] { be.matmul(a, false, b, false, c); });
    std::printf("  %-44s median %8.1f us %6.1f GFLOP/s | min %8.1f us %6.1f GFLOP/s\n",
                "matmul 256x1024 . 1024x1024 (sgemm rate)", us, 2.0 * 256 * 1024 * 1024 / us * 1e-3, g_min_us,
                2.0 * 256 * 1024 * 1024 / g_min_us * 1e-3);
  }

  double conv_total_us = 0.0, conv_total_min_us = 0.0, conv_total_flop = 0.0;
  for (const Layer& l :
       {Layer{"conv 1: 28x28x1 -> 26x26x32", 28, 28, 1, 32}, Layer{"conv 2: 13x13x32 -> 11x11x64", 13, 13, 32, 64}}) {
    const std::int64_t oh = l.h - K + 1, ow = l.w - K + 1;
    Tensor x = random(be, {N, l.h, l.w, l.in}, 0.f, 1.f, 3);
    Tensor w = random(be, {K, K, l.in, l.out}, -0.1f, 0.1f, 4), b = random(be, {l.out}, -0.1f, 0.1f, 5);
    Tensor y(be, {N, oh, ow, l.out}), dy = random(be, {N, oh, ow, l.out}, -1.f, 1.f, 6);
    Tensor dx(be, {N, l.h, l.w, l.in}), dw(be, {K, K, l.in, l.out}), db(be, {l.out});
    const double flop = 2.0 * N * oh * ow * l.out * K * K * l.in;
    std::printf(" %s (%.1f MFLOP per pass)\n", l.name, flop * 1e-6);
    struct Op {
      const char* what;
      std::function<void()> run;
      bool in_step;  // the layer's training step runs it (the first layer skips backward-data)
    };
    const std::vector<Op> ops = {
        {"forward +bias +relu", [&] { be.conv2d_forward(x, w, &b, relu, cp, y); }, true},
        {"backward_data", [&] { be.conv2d_backward_data(dy, w, cp, dx); }, l.in > 1},
        {"backward_weights +bias", [&] { be.conv2d_backward_weights(x, dy, cp, dw, &db); }, true},
    };
    for (const Op& op : ops) {
      const double us = median_us(reps, op.run);
      if (op.in_step) {
        conv_total_us += us;
        conv_total_min_us += g_min_us;
        conv_total_flop += flop;
      }
      std::printf("  %-44s median %8.1f us %6.1f GFLOP/s | min %8.1f us %6.1f GFLOP/s%s\n", op.what, us,
                  flop / us * 1e-3, g_min_us, flop / g_min_us * 1e-3,
                  op.in_step ? "" : "  (not in the step: conv 1's input needs no gradient)");
    }
    // The max pooling that follows the convolution.
    Pool2DParams pp;
    Tensor py(be, {N, oh / 2, ow / 2, l.out}), pdy = random(be, {N, oh / 2, ow / 2, l.out}, -1.f, 1.f, 7);
    Tensor pdx(be, {N, oh, ow, l.out});
    std::unique_ptr<OpState> state;
    const double pf = median_us(reps, [&] { be.pool2d_forward(y, pp, py, &state); });
    const double pf_min = g_min_us;
    const double pb = median_us(reps, [&] { be.pool2d_backward(y, py, pdy, pp, state, pdx); });
    const double pb_min = g_min_us;
    std::printf("  %-44s median %8.1f us | min %8.1f us\n", "max pool 2x2 forward (training)", pf, pf_min);
    std::printf("  %-44s median %8.1f us | min %8.1f us\n", "max pool 2x2 backward", pb, pb_min);
  }
  std::printf(" convolutions of one training step (forward + backward, no bwd_data for conv 1):\n");
  std::printf("  %-44s median %8.1f us %6.1f GFLOP/s | min %8.1f us %6.1f GFLOP/s\n", "total", conv_total_us,
              conv_total_flop / conv_total_us * 1e-3, conv_total_min_us, conv_total_flop / conv_total_min_us * 1e-3);
  return 0;
}
