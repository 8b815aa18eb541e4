#include <catch2/catch.hpp>
#include <zlib.h>

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
