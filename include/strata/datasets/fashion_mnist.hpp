#pragma once
/// @file
/// Fashion-MNIST, as keras.datasets.fashion_mnist: 60,000 training and 10,000 test images of
/// 28x28 grey levels (0-255) in 10 classes. Read from the IDX files Debian's
/// `dataset-fashion-mnist` package installs; nothing is downloaded.
///
///     auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
///     xt::xarray<float> x = x_train / 255.0f;

#include <cstdint>
#include <string>

#include <xtensor/xarray.hpp>

namespace strata::datasets::fashion_mnist {

/// load_data's result: Keras's (x_train, y_train), (x_test, y_test) as uint8 arrays.
struct Data {
  xt::xarray<std::uint8_t> x_train;  ///< (60000, 28, 28)
  xt::xarray<std::uint8_t> y_train;  ///< (60000,) class indices 0-9
  xt::xarray<std::uint8_t> x_test;   ///< (10000, 28, 28)
  xt::xarray<std::uint8_t> y_test;   ///< (10000,)
};

/// The directory searched when none is given: $STRATA_FASHION_MNIST_DIR, else
/// /usr/share/datasets/fashion-mnist.
std::string default_directory();

/// Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
/// t10k-labels-idx1-ubyte.gz (gzipped or not) from `directory`. Throws IOError saying how to
/// install the data when they are missing, and when a file is damaged.
Data load_data(const std::string& directory = default_directory());

/// Keras's class names, by label.
const char* class_name(int label);

}  // namespace strata::datasets::fashion_mnist
