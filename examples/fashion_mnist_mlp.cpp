// Keras's beginner classifier (https://www.tensorflow.org/tutorials/keras/classification) in
// Strata: Fashion-MNIST, Flatten -> Dense 128 relu -> Dropout 0.2 -> Dense 10 softmax.
//
// `--mixed-bf16` trains under Keras's mixed_bfloat16 policy (float32 weights, bfloat16
// computation, the output layer in float32).
//
//   ./fashion_mnist_mlp [--mixed-bf16] [data directory]

#include <iostream>
#include <string>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  std::string directory = datasets::fashion_mnist::default_directory();
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--mixed-bf16")
      mixed_precision::set_global_policy("mixed_bfloat16");
    else
      directory = argv[i];
  }
  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  // The labels come as uint8; the model takes float arrays (sparse labels are class indices).
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  Sequential model(
      {Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax", {.dtype = "float32"})});
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
