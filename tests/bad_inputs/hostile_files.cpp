// Damaged and hostile Fashion-MNIST files, written into the case's scratch directory at run
// time: load_data must refuse each with an IOError that names the real cause, before it asks
// for memory the file cannot fill.

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "strata/datasets/fashion_mnist.hpp"
#include "tests/bad_inputs/bad_case.hpp"

namespace strata_bad_inputs {

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

// An IDX file of unsigned bytes: magic (0, 0, type, rank), big-endian axis sizes, then the data.
Bytes idx(const std::vector<std::uint32_t>& dims, std::size_t data_bytes, unsigned char type = 0x08,
          unsigned char fill = 1) {
  Bytes out = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<unsigned char>(d >> shift));
  out.resize(out.size() + data_bytes, fill);
  return out;
}

void write_plain(const fs::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const fs::path& path, const Bytes& bytes) {
  gzFile file = gzopen(path.string().c_str(), "wb");
  if (file == nullptr) throw CheckFailed("cannot write " + path.string());
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

// The four files of a small, valid dataset (3 training and 2 test images of 28x28), plain.
void write_dataset(const fs::path& dir) {
  write_plain(dir / "train-images-idx3-ubyte", idx({3, 28, 28}, 3 * 28 * 28));
  write_plain(dir / "train-labels-idx1-ubyte", idx({3}, 3));
  write_plain(dir / "t10k-images-idx3-ubyte", idx({2, 28, 28}, 2 * 28 * 28));
  write_plain(dir / "t10k-labels-idx1-ubyte", idx({2}, 2));
}

// A case that writes the valid dataset, lets `damage` change it, then loads it.
BadCase file_case(std::string name, Outcome expect, std::string message, void (*damage)(const fs::path&)) {
  return {std::move(name), expect, std::move(message), false, [damage](const fs::path& dir) {
            write_dataset(dir);
            damage(dir);
            strata::datasets::fashion_mnist::load_data(dir.string());
          }};
}

const fs::path kTrainImages = "train-images-idx3-ubyte";
const fs::path kTrainLabels = "train-labels-idx1-ubyte";

}  // namespace

std::vector<BadCase> hostile_file_cases() {
  std::vector<BadCase> cases;
  cases.push_back(file_case("idx_valid_small_dataset_loads", Outcome::Succeeds, "", [](const fs::path&) {}));
  cases.push_back({"idx_directory_without_files", Outcome::IOError, "not found", false,
                   [](const fs::path& dir) { strata::datasets::fashion_mnist::load_data(dir.string()); }});
  cases.push_back({"idx_dataset_directory_is_a_file", Outcome::IOError, "", false, [](const fs::path& dir) {
                     write_plain(dir / "file", {1, 2, 3});
                     strata::datasets::fashion_mnist::load_data((dir / "file").string());
                   }});
  cases.push_back(file_case("idx_empty_file", Outcome::IOError, "empty",
                            [](const fs::path& dir) { write_plain(dir / kTrainImages, {}); }));
  cases.push_back(file_case("idx_file_is_a_directory", Outcome::IOError, "directory", [](const fs::path& dir) {
    fs::remove(dir / kTrainImages);
    fs::create_directory(dir / kTrainImages);
  }));
  cases.push_back(file_case("idx_wrong_magic", Outcome::IOError, "not an IDX file", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, {'P', 'K', 3, 4, 0, 0, 0, 0});
  }));
  cases.push_back(file_case("idx_float_elements", Outcome::IOError, "unsigned bytes", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 28, 28}, 3 * 28 * 28 * 4, 0x0D));
  }));
  cases.push_back(file_case("idx_rank_zero", Outcome::IOError, "",
                            [](const fs::path& dir) { write_plain(dir / kTrainImages, idx({}, 16)); }));
  cases.push_back(file_case("idx_header_only", Outcome::IOError, "truncated", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 28, 28}, 0));
  }));
  cases.push_back(file_case("idx_truncated_images", Outcome::IOError, "truncated", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 28, 28}, 2 * 28 * 28 + 100));
  }));
  cases.push_back(file_case("idx_truncated_header", Outcome::IOError, "truncated", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, {0, 0, 8, 3, 0, 0});
  }));
  cases.push_back(file_case("idx_trailing_bytes", Outcome::IOError, "more", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 28, 28}, 3 * 28 * 28 + 5));
  }));
  // 2^31 images of 2^15 x 2^15: 2^61 bytes declared by a 16-byte file.
  cases.push_back(file_case("idx_declares_2^61_bytes", Outcome::IOError, "declares", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({1u << 31, 1u << 15, 1u << 15}, 0));
  }));
  cases.push_back(file_case(
      "idx_declares_more_than_2^64_bytes", Outcome::IOError, "more data than any file holds", [](const fs::path& dir) {
        write_plain(dir / kTrainImages, idx({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, 0));
      }));
  cases.push_back(file_case("idx_declares_2^61_bytes_gz", Outcome::IOError, "", [](const fs::path& dir) {
    fs::remove(dir / kTrainImages);
    write_gz(dir / "train-images-idx3-ubyte.gz", idx({1u << 31, 1u << 15, 1u << 15}, 64));
  }));
  // Within the reader's bound for a .gz file but far beyond what the stream holds: it must stop
  // at the end of the data, not trust the header.
  cases.push_back(file_case("idx_gz_shorter_than_declared", Outcome::IOError, "truncated", [](const fs::path& dir) {
    fs::remove(dir / kTrainImages);
    Bytes bytes = idx({100, 28, 28}, 4000);
    // Bytes that do not compress, so that the stream is large enough for the declared size.
    std::uint32_t state = 1;
    for (std::size_t i = 16; i < bytes.size(); ++i) {
      state = state * 1664525u + 1013904223u;
      bytes[i] = static_cast<unsigned char>(state >> 24);
    }
    write_gz(dir / "train-images-idx3-ubyte.gz", bytes);
  }));
  cases.push_back(file_case("idx_gz_garbage", Outcome::IOError, "", [](const fs::path& dir) {
    fs::remove(dir / kTrainImages);
    Bytes garbage = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    for (int i = 0; i < 200; ++i) garbage.push_back(static_cast<unsigned char>(i * 37));
    write_plain(dir / "train-images-idx3-ubyte.gz", garbage);
  }));
  cases.push_back(file_case("idx_gz_cut_in_the_middle", Outcome::IOError, "", [](const fs::path& dir) {
    fs::remove(dir / kTrainImages);
    const fs::path path = dir / "train-images-idx3-ubyte.gz";
    write_gz(path, idx({3, 28, 28}, 3 * 28 * 28));
    fs::resize_file(path, fs::file_size(path) / 2);
  }));
  cases.push_back(file_case("idx_images_32x32", Outcome::IOError, "28x28", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 32, 32}, 3 * 32 * 32));
  }));
  cases.push_back(file_case("idx_images_flat", Outcome::IOError, "28x28", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({3, 784}, 3 * 784));
  }));
  cases.push_back(file_case("idx_label_count_differs", Outcome::IOError, "3 images, 2 labels",
                            [](const fs::path& dir) { write_plain(dir / kTrainLabels, idx({2}, 2)); }));
  cases.push_back(file_case("idx_labels_with_images_shape", Outcome::IOError, "labels", [](const fs::path& dir) {
    write_plain(dir / kTrainLabels, idx({3, 28, 28}, 3 * 784));
  }));
  cases.push_back(file_case("idx_label_above_9", Outcome::IOError, "label",
                            [](const fs::path& dir) { write_plain(dir / kTrainLabels, idx({3}, 3, 0x08, 12)); }));
  cases.push_back(file_case("idx_zero_images", Outcome::IOError, "", [](const fs::path& dir) {
    write_plain(dir / kTrainImages, idx({0, 28, 28}, 0));
    write_plain(dir / kTrainLabels, idx({0}, 0));
  }));
  return cases;
}

}  // namespace strata_bad_inputs
