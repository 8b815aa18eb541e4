// A program outside Strata's tree that uses it as a dependency: Keras's beginner classifier on
// Fashion-MNIST. The test suite builds it against the installed package, the build tree and
// the Debian package, and runs it.
//
//   ./consumer [epochs]

#include <cstdlib>
#include <iostream>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data();
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train, {.epochs = epochs, .verbose = 2});
  const double accuracy = model.evaluate(x_test, y_test, {.verbose = 0}).at("accuracy");

  std::cout << "strata " << version() << " (headers " << STRATA_VERSION_STRING << "): test accuracy " << accuracy
            << '\n';
  // One epoch of this model reaches about 0.82; far below that, the library it linked is broken.
  return accuracy > 0.7 ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return EXIT_FAILURE;
}
