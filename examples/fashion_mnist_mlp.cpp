// Keras's beginner classifier (https://www.tensorflow.org/tutorials/keras/classification) in
// Strata: Fashion-MNIST, Flatten -> Dense 128 relu -> Dropout 0.2 -> Dense 10 softmax.
//
//   ./fashion_mnist_mlp [data directory]

#include <iostream>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  set_random_seed(42);
  const auto data = argc > 1 ? datasets::fashion_mnist::load_data(argv[1]) : datasets::fashion_mnist::load_data();
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  // The labels come as uint8; the model takes float arrays (sparse labels are class indices).
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
  model.summary();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train, {.epochs = 5, .validation_split = 0.1});

  const Logs test = model.evaluate(x_test, y_test);
  std::cout << "Test accuracy: " << test.at("accuracy") << '\n';
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
