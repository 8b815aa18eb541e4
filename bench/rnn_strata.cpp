// Strata side of the recurrent benchmark (bench/run rnn): each Fashion-MNIST image as 28 steps of
// 28 pixels, LSTM(128) -> Dense 10 softmax, Adam, batch 128: the same model, data and settings
// as bench/rnn_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/rnn_strata [--threads 2] [--epochs 1] [--samples 54000]
//
// Prints `strata: X.XXXX s/epoch` (the mean over the timed epochs) and `strata: Y GFLOP/s`, the
// LSTM's and the classifier's matmul FLOPs (forward and both gradients) over that time.

#include <iostream>

#include <strata/strata.hpp>

#include "timed_fit.hpp"

using namespace strata;

int main(int argc, char** argv) try {
  BenchFlags flags;
  if (!parse_bench_flags(argc, argv, flags)) return 2;
  set_num_threads(flags.threads);
  set_random_seed(0);
  const auto [x, y] = fashion_train(flags.samples);

  constexpr double steps = 28, features = 28, units = 128, gates = 4 * units;
  Sequential model({Input({28, 28}), LSTM(128), Dense(10, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const double flops_per_sample = 3 * 2 * steps * (features + units) * gates + 3 * 2 * units * 10;

  timed_fit(model, x, y, 128, flags.epochs, flops_per_sample);
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "rnn_strata: " << e.what() << '\n';
  return 1;
}
