#include "strata/datasets/fashion_mnist.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>

#include "api/datasets/idx_file.hpp"
#include "strata/error.hpp"

namespace strata::datasets::fashion_mnist {

namespace {

std::string find_file(const std::filesystem::path& directory, const std::string& stem) {
  for (const char* suffix : {".gz", ""}) {
    const auto candidate = directory / (stem + suffix);
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  throw IOError(
      detail::concat("Fashion-MNIST file ", stem, "(.gz) not found in ", directory.string(),
                     ". Install Debian's package with `apt-get install dataset-fashion-mnist` (it puts the files in "
                     "/usr/share/datasets/fashion-mnist), or pass the directory holding them to load_data() or set "
                     "STRATA_FASHION_MNIST_DIR."));
}

// The images of one split: (n, 28, 28).
xt::xarray<std::uint8_t> read_images(const std::string& path) {
  xt::xarray<std::uint8_t> images = detail::read_idx_ubyte(path);
  const auto& shape = images.shape();
  STRATA_CHECK(images.dimension() == 3 && shape[1] == 28 && shape[2] == 28, IOError, path,
               " does not hold Fashion-MNIST images: they are 28x28, ",
               images.dimension() == 3 ? detail::concat("these are ", shape[1], "x", shape[2])
                                       : detail::concat("this file holds an array of ", images.dimension(), " axes"));
  return images;
}

// The labels of one split: one class index 0-9 per image.
xt::xarray<std::uint8_t> read_labels(const std::string& path) {
  xt::xarray<std::uint8_t> labels = detail::read_idx_ubyte(path);
  STRATA_CHECK(labels.dimension() == 1, IOError, path,
               " does not hold Fashion-MNIST labels: they are one class index per image (1 axis), this file holds an "
               "array of ",
               labels.dimension(), " axes");
  for (std::size_t i = 0; i < labels.size(); ++i)
    STRATA_CHECK(labels(i) <= 9, IOError, path, " holds the label ", int(labels(i)), " at index ", i,
                 "; Fashion-MNIST labels are 0-9");
  return labels;
}

void check_pair(const xt::xarray<std::uint8_t>& images, const xt::xarray<std::uint8_t>& labels,
                const std::string& which) {
  STRATA_CHECK(labels.shape()[0] == images.shape()[0], IOError, "Fashion-MNIST ", which,
               " images and labels do not match (", images.shape()[0], " images, ", labels.size(), " labels)");
}

}  // namespace

std::string default_directory() {
  const char* env = std::getenv("STRATA_FASHION_MNIST_DIR");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

Data load_data(const std::string& directory) {
  Data data;
  data.x_train = read_images(find_file(directory, "train-images-idx3-ubyte"));
  data.y_train = read_labels(find_file(directory, "train-labels-idx1-ubyte"));
  data.x_test = read_images(find_file(directory, "t10k-images-idx3-ubyte"));
  data.y_test = read_labels(find_file(directory, "t10k-labels-idx1-ubyte"));
  check_pair(data.x_train, data.y_train, "training");
  check_pair(data.x_test, data.y_test, "test");
  return data;
}

const char* class_name(int label) {
  static constexpr std::array<const char*, 10> kNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  STRATA_CHECK(label >= 0 && label < 10, ValueError, "Fashion-MNIST labels are 0-9, received ", label);
  return kNames[static_cast<std::size_t>(label)];
}

}  // namespace strata::datasets::fashion_mnist
