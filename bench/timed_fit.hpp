#pragma once
// What mlp_strata and rnn_strata share: one untimed warm-up epoch (buffers, primitives, pages),
// then `epochs` timed ones, reported in the lines bench/run reads:
//   strata: loss L accuracy A
//   strata: X.XXXX s/epoch          (the mean over the timed epochs)
//   strata: Y.Y GFLOP/s             (flops_per_sample for every sample of every timed epoch)

#include <chrono>
#include <iostream>

#include <strata/strata.hpp>

inline void timed_fit(strata::Model& model, const xt::xarray<float>& x, const xt::xarray<float>& y, int batch,
                      int epochs, double flops_per_sample) {
  model.fit(x, y, {.batch_size = batch, .epochs = 1, .verbose = 0});

  const auto start = std::chrono::steady_clock::now();
  const strata::History history = model.fit(x, y, {.batch_size = batch, .epochs = epochs, .verbose = 0});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::cout << "strata: loss " << history.history.at("loss").back() << " accuracy "
            << history.history.at("accuracy").back() << '\n';
  std::cout.setf(std::ios::fixed);
  std::cout.precision(4);
  std::cout << "strata: " << seconds / epochs << " s/epoch\n";
  std::cout.precision(1);
  const double samples = double(x.shape()[0]);
  std::cout << "strata: " << flops_per_sample * samples * epochs / seconds * 1e-9 << " GFLOP/s\n";
}
