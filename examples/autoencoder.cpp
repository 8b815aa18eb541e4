// A denoising convolutional autoencoder on Fashion-MNIST, after Keras's "Convolutional
// autoencoder for image denoising" (https://keras.io/examples/vision/autoencoder/): it learns to
// map images with Gaussian noise back to the clean ones.
//
// The encoder is a Functional model of its own, called as a layer inside the autoencoder: the
// autoencoder trains the encoder's weights, and the encoder is then used alone to turn images
// into codes (what one would keep for retrieval, clustering or a classifier on top).
//
// Prints the test-set MSE of the noisy input and of the reconstruction (both against the clean
// images), and writes a grid (rows: clean, noisy, reconstructed; one column per class) to a PNG.
//
//   ./autoencoder [output.png (default autoencoder.png)] [data directory]

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>

#include <strata/strata.hpp>

#include "png_writer.hpp"

using namespace strata;

namespace {

// Keras's example's noise: N(0, 1) scaled by 0.4, so that many strokes are hard to see, then
// clipped back into the image range the sigmoid output can reach. A generator of its own (not
// strata's) keeps the noise the same whatever the model draws.
xt::xarray<float> add_noise(const xt::xarray<float>& clean, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  xt::xarray<float> noisy = clean;
  for (float& v : noisy) v = std::clamp(v + 0.4f * normal(generator), 0.0f, 1.0f);
  return noisy;
}

float mse(const xt::xarray<float>& a, const xt::xarray<float>& b) {
  return static_cast<float>(xt::mean(xt::square(xt::cast<double>(a) - xt::cast<double>(b)))());
}

// The grid: 3 rows (clean, noisy, reconstructed) of 10 images, each drawn at twice its size
// so the noise is visible, with white lines between them.
void write_grid(const std::string& path, const std::vector<const xt::xarray<float>*>& rows,
                const std::vector<std::size_t>& columns) {
  constexpr std::uint32_t kSide = 28, kScale = 2, kGap = 2, kCell = kSide * kScale + kGap;
  const auto width = static_cast<std::uint32_t>(columns.size()) * kCell + kGap;
  const auto height = static_cast<std::uint32_t>(rows.size()) * kCell + kGap;
  std::vector<std::uint8_t> pixels(std::size_t{width} * height, 255);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      for (std::uint32_t y = 0; y < kSide * kScale; ++y) {
        for (std::uint32_t x = 0; x < kSide * kScale; ++x) {
          const float v = (*rows[r])(columns[c], y / kScale, x / kScale, 0);
          const std::size_t py = kGap + r * kCell + y, px = kGap + c * kCell + x;
          pixels[py * width + px] = static_cast<std::uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
        }
      }
    }
  }
  examples::write_png_gray(path, width, height, pixels);
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string png_path = argc > 1 ? argv[1] : "autoencoder.png";
  const std::string directory = argc > 2 ? argv[2] : datasets::fashion_mnist::default_directory();

  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> x_train = xt::expand_dims(data.x_train / 255.0f, 3);
  const xt::xarray<float> x_test = xt::expand_dims(data.x_test / 255.0f, 3);
  const xt::xarray<float> x_train_noisy = add_noise(x_train, 1);
  const xt::xarray<float> x_test_noisy = add_noise(x_test, 2);

  // Encoder: 28x28x1 -> 7x7x8. The code holds half as many numbers as the image, so the network
  // cannot pass the input through; it has to keep what the clothes look like and drop the noise.
  auto image = Input({28, 28, 1}, {.name = "image"});
  Tensor h = Conv2D(32, 3, "relu", {.padding = "same"})(image);
  h = MaxPooling2D(2, {.padding = "same"})(h);  // 14x14
  h = Conv2D(16, 3, "relu", {.padding = "same"})(h);
  h = MaxPooling2D(2, {.padding = "same"})(h);  // 7x7
  const Tensor code = Conv2D(8, 3, "relu", {.padding = "same", .name = "code"})(h);
  Model encoder(image, code, "encoder");

  // Decoder: transposed convolutions with stride 2 undo the two poolings; a sigmoid keeps the
  // output in [0, 1] like the images.
  auto noisy = Input({28, 28, 1}, {.name = "noisy"});
  h = encoder(noisy);
  h = Conv2DTranspose(16, 3, "relu", {.strides = 2, .padding = "same"})(h);  // 14x14
  h = Conv2DTranspose(32, 3, "relu", {.strides = 2, .padding = "same"})(h);  // 28x28
  Model autoencoder(noisy, Conv2D(1, 3, "sigmoid", {.padding = "same", .name = "clean"})(h), "autoencoder");
  autoencoder.summary();

  // Binary cross-entropy, as Keras's example: for targets in [0, 1] it pushes harder than MSE on
  // pixels that are nearly black or white, which gives sharper edges. MSE is what we report.
  autoencoder.compile("adam", "binary_crossentropy", {"mse"});
  autoencoder.fit(x_train_noisy, x_train, {.batch_size = 128, .epochs = 5, .validation_split = 0.1});

  const xt::xarray<float> reconstructed = autoencoder.predict(x_test_noisy, {.batch_size = 128, .verbose = 0});
  std::cout << "Test MSE, noisy input vs clean:    " << mse(x_test_noisy, x_test) << '\n';
  std::cout << "Test MSE, reconstruction vs clean: " << mse(reconstructed, x_test) << '\n';

  // The encoder alone: it shares the weights the autoencoder just trained.
  const xt::xarray<float> codes = encoder.predict(x_test_noisy, {.batch_size = 128, .verbose = 0});
  std::cout << "Encoder output (codes) shape: (";
  for (std::size_t i = 0; i < codes.dimension(); ++i) std::cout << (i ? ", " : "") << codes.shape()[i];
  std::cout << ")\n";
  // How much of the code the ReLUs leave on: a code that is mostly zeros would carry little.
  std::cout << "Encoder: mean code value " << xt::mean(codes)() << ", non-zero fraction "
            << xt::mean(xt::cast<float>(codes > 0.0f))() << '\n';

  // One column per class: the first test image of each.
  std::vector<std::size_t> columns;
  for (int label = 0; label < 10; ++label)
    for (std::size_t i = 0; i < data.y_test.size(); ++i)
      if (data.y_test(i) == label) {
        columns.push_back(i);
        break;
      }
  write_grid(png_path, {&x_test, &x_test_noisy, &reconstructed}, columns);
  std::cout << "Wrote " << png_path << " (rows: clean, noisy, reconstructed)\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
