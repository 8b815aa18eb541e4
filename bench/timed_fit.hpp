#pragma once
// What the Fashion-MNIST training benchmarks (mlp_strata, rnn_strata, transformer_strata) share:
// their common flags, the first `samples` training images, and timed_fit: one untimed warm-up
// epoch (buffers, primitives, pages), then `epochs` timed ones, reported in the lines bench/run
// reads:
//   strata: loss L accuracy A
//   strata: X.XXXX s/epoch          (the mean over the timed epochs)
//   strata: Y.Y GFLOP/s             (flops_per_sample for every sample of every timed epoch)

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

/// --threads, --epochs and --samples, the flags every training benchmark takes.
struct BenchFlags {
  int threads = 2;
  int epochs = 1;
  std::size_t samples = 54000;  // what Keras's validation_split=0.1 keeps of 60,000
};

/// Reads the common flags; false (after naming it on stderr) for any other.
inline bool parse_bench_flags(int argc, char** argv, BenchFlags& flags) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      flags.threads = std::atoi(argv[i + 1]);
    else if (flag == "--epochs")
      flags.epochs = std::atoi(argv[i + 1]);
    else if (flag == "--samples")
      flags.samples = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return false;
    }
  }
  return true;
}

/// The first `samples` Fashion-MNIST training images scaled to [0, 1], and their labels.
struct FashionTrain {
  xt::xarray<float> x, y;
};

inline FashionTrain fashion_train(std::size_t samples) {
  const auto data = strata::datasets::fashion_mnist::load_data();
  samples = std::min(samples, data.x_train.shape()[0]);
  return {xt::view(xt::cast<float>(data.x_train), xt::range(0, samples)) / 255.0f,
          xt::view(xt::cast<float>(data.y_train), xt::range(0, samples))};
}

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
