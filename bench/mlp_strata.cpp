// Strata side of the MLP benchmark (bench/run mlp): Keras's beginner Fashion-MNIST MLP, the same
// model, data and settings as bench/mlp_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/mlp_strata [--threads 2] [--epochs 1] [--samples 54000]
//
// Prints `strata: X.XXXX s/epoch` (the mean over the timed epochs).

#include <algorithm>
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

  Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});  // warm-up: plan, primitives, pages

  const auto start = std::chrono::steady_clock::now();
  const History history = model.fit(x, y, {.batch_size = 32, .epochs = epochs, .verbose = 0});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::cout << "strata: loss " << history.history.at("loss").back() << " accuracy "
            << history.history.at("accuracy").back() << '\n';
  std::cout.setf(std::ios::fixed);
  std::cout.precision(4);
  std::cout << "strata: " << seconds / epochs << " s/epoch\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "mlp_strata: " << e.what() << '\n';
  return 1;
}
