// Damaged files, made by changing bytes of good ones at fixed-seed random places: every loader
// either reads them or refuses them with a strata::Error; nothing else escapes (no crash, no
// std::bad_alloc, no untyped exception). Run under ASan (the asan preset) to see memory errors.

#include <png.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

// libjpeg's header needs FILE and size_t first.
#include <jpeglib.h>
#include <cstdio>

#include "api/data/image_decode.hpp"
#include "data/temp_dir.hpp"
#include "strata/data/csv.hpp"
#include "strata/data/numpy.hpp"
#include "strata/error.hpp"

using namespace strata;
using strata::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// `trials` copies of `good`, each with 1 to 4 bytes replaced or the tail cut, handed to `load`.
// Returns how many loaded (the rest were refused with a strata::Error).
template <class Load>
int flip_trials(const std::string& good, int trials, std::uint64_t seed, Load load) {
  std::mt19937_64 rng(seed);
  int loaded = 0;
  for (int t = 0; t < trials; ++t) {
    std::string bytes = good;
    if (t % 5 == 4) {
      bytes.resize(std::uniform_int_distribution<std::size_t>(0, good.size() - 1)(rng));
    } else {
      const int flips = std::uniform_int_distribution<int>(1, 4)(rng);
      for (int f = 0; f < flips; ++f)
        bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng)] =
            static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    }
    try {
      load(bytes);
      ++loaded;
    } catch (const Error&) {
    }
  }
  return loaded;
}

std::string png_bytes(TempDir& dir) {
  std::vector<std::uint8_t> pixels(16 * 16 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = image.height = 16;
  image.format = PNG_FORMAT_RGB;
  const fs::path file = dir.path / "good.png";
  REQUIRE(png_image_write_to_file(&image, file.c_str(), 0, pixels.data(), 0, nullptr) != 0);
  return read_bytes(file);
}

std::string jpeg_bytes(TempDir& dir) {
  const fs::path file = dir.path / "good.jpg";
  jpeg_compress_struct c{};
  jpeg_error_mgr errors{};
  c.err = jpeg_std_error(&errors);
  jpeg_create_compress(&c);
  FILE* out = std::fopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  jpeg_stdio_dest(&c, out);
  c.image_width = c.image_height = 16;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_start_compress(&c, TRUE);
  std::vector<std::uint8_t> row(16 * 3);
  while (c.next_scanline < c.image_height) {
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<std::uint8_t>(i * 5 + c.next_scanline * 9);
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&c, &p, 1);
  }
  jpeg_finish_compress(&c);
  std::fclose(out);
  jpeg_destroy_compress(&c);
  return read_bytes(file);
}

}  // namespace

TEST_CASE("Damaged PNG and JPEG images are decoded or refused with a typed error", "[data][images][flip]") {
  TempDir dir;
  for (const std::string& good : {png_bytes(dir), jpeg_bytes(dir)}) {
    const int loaded = flip_trials(good, 400, 17, [](const std::string& bytes) {
      const std::span<const std::uint8_t> view(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      const auto image = strata::detail::decode_image(view, "flipped");
      REQUIRE(image.pixels.size() == static_cast<std::size_t>(image.height * image.width * image.channels));
    });
    REQUIRE(loaded < 400);  // some damage is caught (a flip in pixel data may go unseen in JPEG)
  }
}

TEST_CASE("Damaged .npy, .npz and CSV files are read or refused with a typed error", "[data][numpy][csv][flip]") {
  TempDir dir;
  const fs::path golden = fs::path(STRATA_GOLDEN_DIR) / "data";
  struct Case {
    std::string good;
    std::function<void(const fs::path&)> load;
  };
  const std::vector<Case> cases = {
      {read_bytes(golden / "npy" / "f8_fortran_big.npy"), [](const fs::path& f) { (void)data::load_npy(f); }},
      {read_bytes(golden / "npz" / "compressed.npz"), [](const fs::path& f) { (void)data::load_npz(f); }},
      {"a,b,\"c\"\n1.5,2,3\n-4,5e3,6\n", [](const fs::path& f) { (void)data::read_csv(f); }},
  };
  for (const Case& c : cases) {
    const int loaded = flip_trials(c.good, 300, 29, [&](const std::string& bytes) { c.load(dir.write("f", bytes)); });
    REQUIRE(loaded < 300);
  }
}
