// The Functional API with two inputs and two outputs, on Fashion-MNIST.
//
// Inputs: "image" (28x28x1) and "meta", four cheap statistics of each image computed on the
// host, standing in for the side information real data often carries next to an image:
//   0. mean intensity (0-1),
//   1. ink fraction: the share of pixels at least half-bright,
//   2. vertical centre of the ink: the intensity-weighted mean row, scaled to 0-1 (top to bottom),
//   3. horizontal centre of the ink: the same for columns (left to right).
// Outputs: "cls", the 10-way class, from the image features joined with meta; and "aux", a
// regression of the ink fraction from the image features alone. The aux head branches off
// before meta is joined in: with meta in reach it could copy statistic 1 and learn nothing.
// As an auxiliary task it asks the trunk to measure how much of the frame the garment covers
// (what separates, say, sandals from sneakers); its loss weighs 0.2 so that it shapes the
// features without taking over from the classification.
//
//   ./functional_two_heads [data directory]

#include <iostream>
#include <string>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

using namespace strata;

namespace {

constexpr float kInk = 0.5f;

// (n, 28, 28) images in [0, 1] -> (n, 4) statistics, in the order listed above.
xt::xarray<float> image_statistics(const xt::xarray<float>& images) {
  const std::size_t n = images.shape()[0], rows = images.shape()[1], cols = images.shape()[2];
  xt::xarray<float> meta = xt::zeros<float>({n, std::size_t{4}});
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0, ink = 0, row_moment = 0, col_moment = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        const double v = images(i, r, c);
        sum += v;
        ink += v >= kInk;
        row_moment += v * static_cast<double>(r);
        col_moment += v * static_cast<double>(c);
      }
    }
    const double pixels = static_cast<double>(rows * cols);
    meta(i, 0) = static_cast<float>(sum / pixels);
    meta(i, 1) = static_cast<float>(ink / pixels);
    // An all-black image has no centre; call it the middle.
    meta(i, 2) = static_cast<float>(sum > 0 ? row_moment / sum / static_cast<double>(rows - 1) : 0.5);
    meta(i, 3) = static_cast<float>(sum > 0 ? col_moment / sum / static_cast<double>(cols - 1) : 0.5);
  }
  return meta;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string directory = argc > 1 ? argv[1] : datasets::fashion_mnist::default_directory();

  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> train_images = data.x_train / 255.0f;
  const xt::xarray<float> test_images = data.x_test / 255.0f;
  const xt::xarray<float> x_train = xt::expand_dims(train_images, 3);
  const xt::xarray<float> x_test = xt::expand_dims(test_images, 3);
  const xt::xarray<float> meta_train = image_statistics(train_images);
  const xt::xarray<float> meta_test = image_statistics(test_images);
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;
  // The aux target, as a (n, 1) column to match the head's output.
  const xt::xarray<float> ink_train = xt::view(meta_train, xt::all(), xt::range(1, 2));
  const xt::xarray<float> ink_test = xt::view(meta_test, xt::all(), xt::range(1, 2));

  auto image = Input({28, 28, 1}, {.name = "image"});
  auto meta = Input({4}, {.name = "meta"});
  // The trunk is the simple convnet of fashion_mnist_cnn.cpp.
  Tensor h = Conv2D(32, 3, "relu")(image);
  h = MaxPooling2D(2)(h);
  h = Conv2D(64, 3, "relu")(h);
  h = MaxPooling2D(2)(h);
  const Tensor features = Flatten()(h);
  const Tensor aux = Dense(1, "linear", {.name = "aux"})(features);
  h = Concatenate()({features, meta});
  h = Dropout(0.5)(h);
  const Tensor cls = Dense(10, "softmax", {.name = "cls"})(h);
  Model model({image, meta}, {cls, aux}, "two_heads");
  model.summary();

  model.compile("adam", {{"cls", "sparse_categorical_crossentropy"}, {"aux", "mse"}}, {{"cls", {"accuracy"}}},
                {{"cls", 1.0}, {"aux", 0.2}});
  model.fit({x_train, meta_train}, {y_train, ink_train}, {.batch_size = 128, .epochs = 8, .validation_split = 0.1});

  // Arrays by name: the order of a map does not matter.
  const Logs test = model.evaluate({{"image", x_test}, {"meta", meta_test}}, {{"cls", y_test}, {"aux", ink_test}});
  // What always answering the training set's mean ink fraction would score: the aux head has
  // learned something only if it does much better.
  const float mean_ink = xt::mean(ink_train)();
  const float baseline = xt::mean(xt::square(ink_test - mean_ink))();
  std::cout << "Test accuracy (cls): " << test.at("cls_accuracy") << '\n';
  std::cout << "Test MSE (aux, ink fraction): " << test.at("aux_loss") << " (predicting the mean: " << baseline
            << ")\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
