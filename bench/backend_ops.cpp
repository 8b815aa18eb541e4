// Micro-benchmark: µs per backend op for one training step of Keras's beginner MLP
// (Flatten 784 -> Dense 128 relu -> Dropout 0.2 -> Dense 10 softmax, sparse categorical
// crossentropy, Adam) at batch 32, then the whole step as a chain of those ops.
//
//   backend_ops [backend=cpu] [threads] [reps=2000]
//
// Each figure is the median of `reps` timed calls after a warm-up that creates every primitive.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

using namespace strata;

namespace {

double median_us(int reps, const std::function<void()>& op) {
  for (int i = 0; i < std::max(10, reps / 10); ++i) op();  // warm-up: primitives, caches, pages
  std::vector<double> t(static_cast<std::size_t>(reps));
  for (auto& v : t) {
    const auto start = std::chrono::steady_clock::now();
    op();
    v = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  }
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

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "cpu";
  if (argc > 2) set_num_threads(std::atoi(argv[2]));
  const int reps = argc > 3 ? std::atoi(argv[3]) : 2000;
  Backend& be = get_backend(name);
  constexpr std::int64_t N = 32, K = 784, H = 128, C = 10;

  Tensor x = random(be, {N, K}, 0.f, 1.f, 1);
  Tensor w1 = random(be, {K, H}, -0.08f, 0.08f, 2), b1 = random(be, {H}, -0.1f, 0.1f, 3);
  Tensor w2 = random(be, {H, C}, -0.2f, 0.2f, 4), b2 = random(be, {C}, -0.1f, 0.1f, 5);
  std::vector<float> labels(N);
  for (std::int64_t i = 0; i < N; ++i) labels[static_cast<std::size_t>(i)] = static_cast<float>(i % C);
  Tensor y(be, {N});
  be.upload(labels.data(), y);

  Tensor h(be, {N, H}), mask(be, {N, H}), hd(be, {N, H}), p(be, {N, C}), values(be, {N});
  Tensor dp(be, {N, C}), dz2(be, {N, C}), dw2(be, {H, C}), db2(be, {C}), dh(be, {N, H});
  Tensor dz1(be, {N, H}), dw1(be, {K, H}), db1(be, {H});
  Tensor loss_state(be, {2}), acc_state(be, {2});
  be.fill(loss_state, 0.f);
  be.fill(acc_state, 0.f);
  std::vector<Tensor> m, v;
  for (const Tensor* w : {&w1, &b1, &w2, &b2}) {
    m.emplace_back(be, w->shape());
    v.emplace_back(be, w->shape());
    be.fill(m.back(), 0.f);
    be.fill(v.back(), 0.f);
  }

  const ActivationFunction relu{ActivationKind::Relu, 0.f};
  const ActivationFunction softmax{ActivationKind::Softmax, 0.f};
  LossParams lp;
  lp.kind = LossKind::SparseCategoricalCrossentropy;
  lp.grad_scale = 1.f / N;
  AdamParams ap;
  std::uint64_t seed = 0;

  struct Op {
    const char* name;
    std::function<void()> run;
  };
  const std::vector<Op> ops = {
      {"dense_forward 32x784.784x128 +b relu", [&] { be.dense_forward(x, w1, &b1, relu, h); }},
      {"dropout_forward (32,128) 0.2", [&] { be.dropout_forward(h, 0.2f, ++seed, mask, hd); }},
      {"dense_forward 32x128.128x10 +b softmax", [&] { be.dense_forward(hd, w2, &b2, softmax, p); }},
      {"loss sparse CE probs + grad (32,10)", [&] { be.loss(lp, y, p, values, &dp); }},
      {"metric_update Mean (32)", [&] { be.metric_update(MetricKind::Mean, Tensor(), values, 0.5f, loss_state); }},
      {"metric_update SparseCatAcc (32,10)",
       [&] { be.metric_update(MetricKind::SparseCategoricalAccuracy, y, p, 0.5f, acc_state); }},
      {"activation_backward softmax (32,10)", [&] { be.activation_backward(softmax, Tensor(), p, dp, dz2); }},
      {"matmul h^T.dz2 (128x32.32x10)", [&] { be.matmul(hd, true, dz2, false, dw2); }},
      {"sum_rows (32,10)", [&] { be.sum_rows(dz2, db2); }},
      {"matmul dz2.W2^T (32x10.10x128)", [&] { be.matmul(dz2, false, w2, true, dh); }},
      {"multiply (32,128) dropout bwd", [&] { be.multiply(dh, mask, dh); }},
      {"activation_backward relu (32,128)", [&] { be.activation_backward(relu, Tensor(), h, dh, dz1); }},
      {"matmul x^T.dz1 (784x32.32x128)", [&] { be.matmul(x, true, dz1, false, dw1); }},
      {"sum_rows (32,128)", [&] { be.sum_rows(dz1, db1); }},
      {"adam_update (784,128)",
       [&] {
         ++ap.step;
         be.adam_update(w1, dw1, m[0], v[0], nullptr, ap);
       }},
      {"adam_update (128)", [&] { be.adam_update(b1, db1, m[1], v[1], nullptr, ap); }},
      {"adam_update (128,10)", [&] { be.adam_update(w2, dw2, m[2], v[2], nullptr, ap); }},
      {"adam_update (10)", [&] { be.adam_update(b2, db2, m[3], v[3], nullptr, ap); }},
  };

  std::printf("backend %s, %d threads, batch %lld, median of %d\n", name.c_str(), num_threads(),
              static_cast<long long>(N), reps);
  double total = 0.0;
  for (const Op& op : ops) {
    const double us = median_us(reps, op.run);
    total += us;
    std::printf("  %-42s %8.2f us\n", op.name, us);
  }
  std::printf("  %-42s %8.2f us\n", "sum of the ops", total);
  const double step = median_us(reps, [&] {
    for (const Op& op : ops) op.run();
  });
  std::printf("  %-42s %8.2f us  (x1688 steps = %.3f s per epoch)\n", "whole step, ops back to back", step,
              step * 1688e-6);

  // Inside the chain each op sees the caches the previous ones left: time them there too.
  std::vector<std::vector<double>> in_chain(ops.size(), std::vector<double>(static_cast<std::size_t>(reps)));
  for (int r = 0; r < reps; ++r) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto start = std::chrono::steady_clock::now();
      ops[i].run();
      in_chain[i][static_cast<std::size_t>(r)] =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    }
  }
  std::printf("per op inside the step (median):\n");
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto& t = in_chain[i];
    std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
    std::printf("  %-42s %8.2f us\n", ops[i].name, t[static_cast<std::size_t>(reps / 2)]);
  }
  return 0;
}
