// Strata side of the recurrent benchmark (bench/run rnn): each Fashion-MNIST image as 28 steps of
// 28 pixels, LSTM(128) -> Dense 10 softmax, Adam, batch 128: the same model, data and settings
// as bench/rnn_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/rnn_strata [--threads 2] [--epochs 1] [--samples 54000]
//
// Prints `strata: X.XXXX s/epoch` (the mean over the timed epochs) and `strata: Y GFLOP/s`, the
// LSTM's and the classifier's matmul FLOPs (forward and both gradients) over that time.

#include <cstdlib>
#include <iostream>
#include <string>

#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

#include "timed_fit.hpp"

using namespace strata;

int main(int argc, char** argv) try {
  int threads = 2;
  int epochs = 1;
  std::size_t samples = 54000;  // what Keras's validation_split=0.1 keeps of 60,000
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--epochs")
      epochs = std::atoi(argv[i + 1]);
    else if (flag == "--samples")
      samples = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return 2;
    }
  }
  set_num_threads(threads);
  set_random_seed(0);

  const auto data = datasets::fashion_mnist::load_data();
  samples = std::min(samples, data.x_train.shape()[0]);
  const xt::xarray<float> x = xt::view(xt::cast<float>(data.x_train), xt::range(0, samples)) / 255.0f;
  const xt::xarray<float> y = xt::view(xt::cast<float>(data.y_train), xt::range(0, samples));

  constexpr double steps = 28, features = 28, units = 128, gates = 4 * units;
  Sequential model({Input({28, 28}), LSTM(128), Dense(10, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const double flops_per_sample = 3 * 2 * steps * (features + units) * gates + 3 * 2 * units * 10;

  timed_fit(model, x, y, 128, epochs, flops_per_sample);
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "rnn_strata: " << e.what() << '\n';
  return 1;
}
