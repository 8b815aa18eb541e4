// A model written the way PyTorch users write theirs: a class holding its layers as members and
// a call() that says what to do with them, trained with Keras's compile and fit. The network is
// Keras's beginner Fashion-MNIST classifier (examples/fashion_mnist_mlp.cpp) in subclassed form.
//
//   ./pytorch_style [data directory]

#include <iostream>
#include <string>

#include <strata/strata.hpp>

using namespace strata;

namespace {

struct SimpleNN : Model {
  // The members are the model's layers: the engine finds them by watching call() use them, so
  // there is nothing to register and no forward/backward pair to keep in step.
  Flatten flatten;
  Dense fc1{128}, fc2{10};
  ReLU relu;
  Dropout dropout{0.2};
  Softmax softmax;

  // `training` has to be passed on by hand only where a layer behaves differently in training
  // (here Dropout); the others inherit it from the enclosing call, as in Keras.
  Tensor call(const Tensor& x, bool training) override {
    return softmax(fc2(dropout(relu(fc1(flatten(x))), training)));
  }
};

}  // namespace

int main(int argc, char** argv) try {
  const std::string directory = argc > 1 ? argv[1] : datasets::fashion_mnist::default_directory();

  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  // The labels come as uint8; the model takes float arrays (sparse labels are class indices).
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  SimpleNN model;
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  // All 60,000 images train, as in PyTorch's and Keras's beginner tutorials: the test set below
  // is the held-out measure (five epochs land at about 0.873 with or without a 10% split).
  // A subclassed model has no Input, so it builds on the first batch; the summary can only be
  // printed after that.
  model.fit(x_train, y_train, {.epochs = 5});
  model.summary();

  const Logs test = model.evaluate(x_test, y_test);
  std::cout << "Test accuracy: " << test.at("accuracy") << '\n';
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
