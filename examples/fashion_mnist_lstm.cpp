// A recurrent classifier on Fashion-MNIST: each image read as a sequence of its 28 rows (28
// steps of 28 pixels), LSTM(128) -> Dense 10 softmax, as the sequence chapter of a Keras
// course writes it.
//
//   ./fashion_mnist_lstm [--epochs N] [data directory]

#include <iostream>
#include <string>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  std::string directory = datasets::fashion_mnist::default_directory();
  int epochs = 12;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else
      directory = arg;
  }
  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  // (n, 28, 28): the rows are the steps, the 28 pixels of a row its features.
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  Sequential model({Input({28, 28}), LSTM(128), Dense(10, "softmax")});
  model.summary();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train, {.batch_size = 128, .epochs = epochs, .validation_split = 0.1});

  const Logs test = model.evaluate(x_test, y_test, {.batch_size = 512});
  std::cout << "Test accuracy: " << test.at("accuracy") << '\n';
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
