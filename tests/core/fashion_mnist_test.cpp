#include <zlib.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "strata/datasets/fashion_mnist.hpp"
#include "strata/error.hpp"

using namespace strata;
namespace fs = std::filesystem;

namespace {

// Writes a small IDX file of unsigned bytes, gzipped, as the dataset package ships them.
void write_idx(const fs::path& path, const std::vector<std::uint32_t>& shape, unsigned char fill) {
  gzFile f = gzopen(path.c_str(), "wb");
  const unsigned char magic[4] = {0, 0, 0x08, static_cast<unsigned char>(shape.size())};
  gzwrite(f, magic, 4);
  std::size_t total = 1;
  for (auto d : shape) {
    const unsigned char be[4] = {static_cast<unsigned char>(d >> 24), static_cast<unsigned char>(d >> 16),
                                 static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d)};
    gzwrite(f, be, 4);
    total *= d;
  }
  std::vector<unsigned char> data(total, fill);
  gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
  gzclose(f);
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("load_data reads the IDX files of a directory", "[datasets]") {
  const fs::path dir = fresh_dir("strata_fmnist_small");
  write_idx(dir / "train-images-idx3-ubyte.gz", {3, 28, 28}, 200);
  write_idx(dir / "train-labels-idx1-ubyte.gz", {3}, 7);
  write_idx(dir / "t10k-images-idx3-ubyte.gz", {2, 28, 28}, 1);
  write_idx(dir / "t10k-labels-idx1-ubyte.gz", {2}, 9);
  const auto data = datasets::fashion_mnist::load_data(dir.string());
  CHECK(data.x_train.shape() == std::vector<std::size_t>{3, 28, 28});
  CHECK(data.x_train(2, 27, 27) == 200);
  CHECK(data.y_test(1) == 9);
  CHECK(std::string(datasets::fashion_mnist::class_name(9)) == "Ankle boot");
}

TEST_CASE("load_data says how to install missing data and refuses damaged files", "[datasets][errors]") {
  const fs::path dir = fresh_dir("strata_fmnist_missing");
  CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(dir.string()),
                    Catch::Contains("apt-get install dataset-fashion-mnist"));
  write_idx(dir / "train-images-idx3-ubyte.gz", {3, 28, 28}, 0);
  write_idx(dir / "train-labels-idx1-ubyte.gz", {4}, 0);
  write_idx(dir / "t10k-images-idx3-ubyte.gz", {2, 28, 28}, 0);
  write_idx(dir / "t10k-labels-idx1-ubyte.gz", {2}, 0);
  CHECK_THROWS_AS(datasets::fashion_mnist::load_data(dir.string()), IOError);
  std::ofstream(dir / "t10k-labels-idx1-ubyte.gz", std::ios::trunc) << "not an idx file";
  CHECK_THROWS_AS(datasets::fashion_mnist::load_data(dir.string()), IOError);
}

namespace {

// The four files of a small dataset, gzipped; `images` / `labels` shape the training pair.
fs::path dataset_with(const std::string& name, const std::vector<std::uint32_t>& images,
                      const std::vector<std::uint32_t>& labels, unsigned char label = 1) {
  const fs::path dir = fresh_dir(name);
  write_idx(dir / "train-images-idx3-ubyte.gz", images, 0);
  write_idx(dir / "train-labels-idx1-ubyte.gz", labels, label);
  write_idx(dir / "t10k-images-idx3-ubyte.gz", {2, 28, 28}, 0);
  write_idx(dir / "t10k-labels-idx1-ubyte.gz", {2}, 0);
  return dir;
}

}  // namespace

TEST_CASE("load_data names what is wrong with a file that is not Fashion-MNIST", "[datasets][errors]") {
  const auto load = [](const fs::path& dir) { datasets::fashion_mnist::load_data(dir.string()); };
  CHECK_THROWS_WITH(load(dataset_with("strata_fmnist_32", {3, 32, 32}, {3})),
                    Catch::Contains("does not hold Fashion-MNIST images: they are 28x28, these are 32x32"));
  CHECK_THROWS_WITH(load(dataset_with("strata_fmnist_flat", {3, 784}, {3})),
                    Catch::Contains("they are 28x28, this file holds an array of 2 axes"));
  CHECK_THROWS_WITH(load(dataset_with("strata_fmnist_label", {3, 28, 28}, {3}, 12)),
                    Catch::Contains("holds the label 12 at index 0; Fashion-MNIST labels are 0-9"));
  CHECK_THROWS_WITH(load(dataset_with("strata_fmnist_count", {3, 28, 28}, {2})),
                    Catch::Contains("training images and labels do not match (3 images, 2 labels)"));
}

TEST_CASE("The IDX reader checks declared sizes against the file before allocating", "[datasets][errors]") {
  const fs::path dir = fresh_dir("strata_idx_sizes");
  const auto write_plain = [&](const std::string& name, const std::vector<unsigned char>& bytes) {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return dir / name;
  };
  const auto load_images = [&](const fs::path& file) {
    fs::copy_file(file, dir / "train-images-idx3-ubyte", fs::copy_options::overwrite_existing);
    datasets::fashion_mnist::load_data(dir.string());
  };
  // 2^31 images of 2^15 x 2^15 declared by a 16-byte file.
  const auto huge = write_plain("huge", {0, 0, 8, 3, 0x80, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0});
  CHECK_THROWS_WITH(load_images(huge),
                    Catch::Contains("is truncated: its header declares 2305843009213693952 bytes "
                                    "of data (shape (2147483648, 32768, 32768)) but the file holds 0"));
  CHECK_THROWS_WITH(load_images(write_plain("empty", {})), Catch::Contains("is empty"));
  CHECK_THROWS_WITH(load_images(write_plain("float", {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0})),
                    Catch::Contains("holds elements of type 0xd; only unsigned bytes (0x08) are supported"));
  CHECK_THROWS_WITH(load_images(write_plain("long", {0, 0, 8, 1, 0, 0, 0, 1, 7, 7})),
                    Catch::Contains("holds more data than its header declares (shape (1,))"));

  // A gzip stream cannot inflate past ~1032 times its size, so a small .gz declaring 2^61 bytes is
  // refused from its header alone.
  const fs::path gz_dir = fresh_dir("strata_idx_gz");
  gzFile f = gzopen((gz_dir / "train-images-idx3-ubyte.gz").c_str(), "wb");
  const unsigned char header[16] = {0, 0, 8, 3, 0x80, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0};
  gzwrite(f, header, sizeof header);
  gzclose(f);
  CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(gz_dir.string()),
                    Catch::Contains("more than a gzip file of") && Catch::Contains("bytes can hold"));
  fs::remove(gz_dir / "train-images-idx3-ubyte.gz");
  fs::create_directory(gz_dir / "train-images-idx3-ubyte");
  CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(gz_dir.string()), Catch::Contains("is a directory"));
}
