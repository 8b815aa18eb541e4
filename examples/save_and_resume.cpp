// Save, load, resume: the Fashion-MNIST convnet trains 2 epochs, is saved as a Keras 3 archive,
// loads into a new model (architecture, weights, compile configuration and Adam's state), and
// trains 1 more epoch, continuing where the first run stopped. The same file loads in Python
// Keras with the lines printed at the end.
//
//   ./save_and_resume [data directory] [model file, default fashion_cnn.keras]

#include <iostream>
#include <string>

#include <xtensor/xmanipulation.hpp>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  const std::string directory = argc > 1 ? argv[1] : datasets::fashion_mnist::default_directory();
  const std::string path = argc > 2 ? argv[2] : "fashion_cnn.keras";

  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> x_train = xt::expand_dims(data.x_train / 255.0f, 3);
  const xt::xarray<float> x_test = xt::expand_dims(data.x_test / 255.0f, 3);
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  Sequential model({Input({28, 28, 1}), Conv2D(32, 3, "relu"), MaxPooling2D(2), Conv2D(64, 3, "relu"), MaxPooling2D(2),
                    Flatten(), Dropout(0.5), Dense(10, "softmax")},
                   "fashion_cnn");
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train, {.batch_size = 128, .epochs = 2, .validation_split = 0.1});
  model.save(path);
  std::cout << "Saved " << path << " after " << model.optimizer().iterations() << " steps.\n";

  // A new model from the file alone: the optimizer's step count and moments come with it, so
  // the third epoch continues the first two.
  auto resumed = load_model(path);
  std::cout << "Loaded " << resumed->name() << ": " << resumed->count_params() << " parameters, optimizer "
            << resumed->optimizer().class_name() << " at step " << resumed->optimizer().iterations() << ".\n";
  resumed->fit(x_train, y_train, {.batch_size = 128, .epochs = 3, .validation_split = 0.1, .initial_epoch = 2});
  std::cout << "Test accuracy: " << resumed->evaluate(x_test, y_test, {.verbose = 0}).at("accuracy") << "\n\n";

  std::cout << "The same file in Python Keras:\n"
            << "    import keras\n"
            << "    model = keras.saving.load_model(\"" << path << "\")\n"
            << "    model.fit(x_train, y_train, batch_size=128, epochs=3, initial_epoch=2)\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
