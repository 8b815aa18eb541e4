// Strata side of the recurrent benchmark (bench/run rnn): each Fashion-MNIST image as 28 steps of
// 28 pixels, LSTM(128) -> Dense 10 softmax, Adam, batch 128: the same model, data and settings
// as bench/rnn_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/rnn_strata [--threads 2] [--epochs 1] [--samples 54000]
//
// Prints `strata: X.XXXX s/epoch` (the mean over the timed epochs) and `strata: Y GFLOP/s`, the
// LSTM's and the classifier's matmul FLOPs (forward and both gradients) over that time.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

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

  model.fit(x, y, {.batch_size = 128, .epochs = 1, .verbose = 0});  // warm-up: buffers, pages

  const auto start = std::chrono::steady_clock::now();
  const History history = model.fit(x, y, {.batch_size = 128, .epochs = epochs, .verbose = 0});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::cout << "strata: loss " << history.history.at("loss").back() << " accuracy "
            << history.history.at("accuracy").back() << '\n';
  std::cout.setf(std::ios::fixed);
  std::cout.precision(4);
  std::cout << "strata: " << seconds / epochs << " s/epoch\n";
  std::cout.precision(1);
  std::cout << "strata: " << flops_per_sample * double(samples) * epochs / seconds * 1e-9 << " GFLOP/s\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "rnn_strata: " << e.what() << '\n';
  return 1;
}
