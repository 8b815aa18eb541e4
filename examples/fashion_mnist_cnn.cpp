// Keras's "simple MNIST convnet" (https://keras.io/examples/vision/mnist_convnet/) in Strata, on
// Fashion-MNIST: two Conv2D + MaxPooling2D blocks, Dropout 0.5, Dense 10 softmax.
// `--batchnorm` builds the variant with BatchNormalization after each Conv2D (the convolution
// without activation or bias, then BatchNormalization, then Activation("relu")) in this same file.
// `--mixed-bf16` trains under Keras's mixed_bfloat16 policy: float32 weights, computation in
// bfloat16 (AMX or avx512_bf16 where the CPU has them), the output layer in float32 as Keras's
// mixed precision guide advises.
//
//   ./fashion_mnist_cnn [--batchnorm] [--mixed-bf16] [data directory]

#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  bool batchnorm = false;
  std::string directory = datasets::fashion_mnist::default_directory();
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--batchnorm")
      batchnorm = true;
    else if (std::string(argv[i]) == "--mixed-bf16")
      mixed_precision::set_global_policy("mixed_bfloat16");
    else
      directory = argv[i];
  }

  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  // As np.expand_dims(x, -1) in Keras's example: the (n, 28, 28) images become (n, 28, 28, 1).
  const xt::xarray<float> x_train = xt::expand_dims(data.x_train / 255.0f, 3);
  const xt::xarray<float> x_test = xt::expand_dims(data.x_test / 255.0f, 3);
  // The labels come as uint8; the model takes float arrays (sparse labels are class indices).
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  using Layers = std::vector<SequentialItem>;
  Sequential model(batchnorm
                       ? Layers{Input({28, 28, 1}), Conv2D(32, 3, "linear", {.use_bias = false}), BatchNormalization(),
                                Activation("relu"), MaxPooling2D(2), Conv2D(64, 3, "linear", {.use_bias = false}),
                                BatchNormalization(), Activation("relu"), MaxPooling2D(2), Flatten(), Dropout(0.5),
                                Dense(10, "softmax", {.dtype = "float32"})}
                       : Layers{Input({28, 28, 1}), Conv2D(32, 3, "relu"), MaxPooling2D(2), Conv2D(64, 3, "relu"),
                                MaxPooling2D(2), Flatten(), Dropout(0.5), Dense(10, "softmax", {.dtype = "float32"})});
  model.summary();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  // Keras's example trains 15 epochs; on Fashion-MNIST that lands right at 0.90. Train longer,
  // then a few epochs at a tenth of the learning rate to settle into the minimum, as a
  // ReduceLROnPlateau callback would.
  const int epochs = batchnorm ? 20 : 16;
  model.fit(x_train, y_train, {.batch_size = 128, .epochs = epochs, .validation_split = 0.1});
  model.optimizer().set_learning_rate(1e-4);
  model.fit(x_train, y_train,
            {.batch_size = 128, .epochs = epochs + 4, .validation_split = 0.1, .initial_epoch = epochs});

  const Logs test = model.evaluate(x_test, y_test);
  std::cout << "Test accuracy: " << test.at("accuracy") << '\n';
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
