#include <png.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <set>
#include <xtensor/xtensor.hpp>

// libjpeg's header needs FILE and size_t first.
#include <jpeglib.h>

#include "api/data/batch_queue.hpp"
#include "api/data/image_decode.hpp"
#include "data/message_contains.hpp"
#include "data/temp_dir.hpp"
#include "strata/data/image_dataset.hpp"
#include "strata/error.hpp"
#include "support/goldens.hpp"

using namespace strata;
using namespace strata::data;
using strata::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// Pixel (y, x, c) of the test pattern: distinct per image `seed`, position and channel.
std::uint8_t pattern(int seed, int y, int x, int c) {
  return static_cast<std::uint8_t>((seed * 37 + y * 11 + x * 5 + c * 60) % 256);
}

std::vector<std::uint8_t> pattern_pixels(int seed, int height, int width, int channels) {
  std::vector<std::uint8_t> pixels;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) pixels.push_back(pattern(seed, y, x, c));
  return pixels;
}

// Writes a PNG with libpng's simplified API: `format` is one of PNG_FORMAT_GRAY, _RGB, _RGBA,
// _LINEAR_Y (16-bit samples), _RGB_COLORMAP (`pixels` are indices into `colormap`).
void write_png(const fs::path& file, int height, int width, png_uint_32 format, const void* pixels,
               const void* colormap = nullptr, int colormap_entries = 0) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = format;
  image.colormap_entries = static_cast<png_uint_32>(colormap_entries);
  fs::create_directories(file.parent_path());
  REQUIRE(png_image_write_to_file(&image, file.c_str(), 0, pixels, 0, colormap) != 0);
}

void write_jpeg(const fs::path& file, int height, int width, int channels, const std::vector<std::uint8_t>& pixels) {
  jpeg_compress_struct c{};
  jpeg_error_mgr errors{};
  c.err = jpeg_std_error(&errors);
  jpeg_create_compress(&c);
  fs::create_directories(file.parent_path());
  FILE* out = std::fopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  jpeg_stdio_dest(&c, out);
  c.image_width = static_cast<JDIMENSION>(width);
  c.image_height = static_cast<JDIMENSION>(height);
  c.input_components = channels;
  c.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 100, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    auto* row = const_cast<JSAMPROW>(pixels.data() + c.next_scanline * static_cast<std::size_t>(width * channels));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::fclose(out);
  jpeg_destroy_compress(&c);
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A tree of 2 PNG cats (4 x 6 RGB), 3 JPEG dogs (one in a nested folder; solid colours, so
// JPEG's loss stays within a step or two), a hidden folder and a text file that are not images.
struct Pets {
  TempDir dir;
  Pets() {
    for (int i = 0; i < 2; ++i) {
      const auto pixels = pattern_pixels(i, 4, 6, 3);
      write_png(dir.path / "cats" / ("cat" + std::to_string(i) + ".png"), 4, 6, PNG_FORMAT_RGB, pixels.data());
    }
    for (int i = 0; i < 3; ++i) {
      std::vector<std::uint8_t> solid;
      for (int p = 0; p < 4 * 6; ++p) solid.insert(solid.end(), {static_cast<std::uint8_t>(40 * i + 20), 100, 200});
      write_jpeg(dir.path / "dogs" / (i == 2 ? "nested/dog2.JPG" : "dog" + std::to_string(i) + ".jpeg"), 4, 6, 3,
                 solid);
    }
    write_png(dir.path / ".hidden" / "x.png", 4, 6, PNG_FORMAT_RGB, pattern_pixels(9, 4, 6, 3).data());
    dir.write("cats/notes.txt", "not an image");
  }
};

}  // namespace

TEST_CASE("image_dataset_from_directory infers classes from sub-folders, in Keras's order", "[data][images]") {
  Pets pets;
  auto data = image_dataset_from_directory(pets.dir.path, {.image_size = {4, 6}, .shuffle = false});
  REQUIRE(data->class_names() == std::vector<std::string>{"cats", "dogs"});
  REQUIRE(data->size() == 1);
  const auto paths = data->file_paths();
  REQUIRE(paths.size() == 5);
  REQUIRE(paths[0].filename() == "cat0.png");
  REQUIRE(paths[2].filename() == "dog0.jpeg");
  REQUIRE(paths[4].filename() == "dog2.JPG");  // the nested folder sorts after dogs/ itself
  const Batch batch = data->get(0);
  REQUIRE(batch.x.at(0).shape() == std::vector<std::size_t>{5, 4, 6, 3});
  REQUIRE((batch.y.at(0) == xt::xarray<float>({0.f, 0.f, 1.f, 1.f, 1.f})));
  for (int i = 0; i < 2; ++i)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x)
        for (int c = 0; c < 3; ++c) REQUIRE(batch.x[0](i, y, x, c) == static_cast<float>(pattern(i, y, x, c)));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(batch.x[0](2 + i, 1, 1, 0) == Approx(40 * i + 20).margin(2));
    REQUIRE(batch.x[0](2 + i, 3, 5, 2) == Approx(200).margin(2));
  }
}

TEST_CASE("image_dataset_from_directory's label modes, batches and class_names", "[data][images]") {
  Pets pets;
  ImageDatasetOptions options{
      .label_mode = LabelMode::Categorical, .batch_size = 2, .image_size = {4, 6}, .shuffle = false};
  auto categorical = image_dataset_from_directory(pets.dir.path, options);
  REQUIRE(categorical->size() == 3);
  REQUIRE((categorical->get(1).y.at(0) == xt::xarray<float>(xt::xtensor<float, 2>({{0.f, 1.f}, {0.f, 1.f}}))));
  REQUIRE(categorical->get(2).x.at(0).shape()[0] == 1);  // the last batch is smaller
  options.label_mode = LabelMode::Binary;
  REQUIRE((image_dataset_from_directory(pets.dir.path, options)->get(0).y.at(0) ==
           xt::xarray<float>(xt::xtensor<float, 2>({{0.f}, {0.f}}))));
  options.label_mode = LabelMode::None;
  auto unlabelled = image_dataset_from_directory(pets.dir.path, options);
  REQUIRE(unlabelled->get(0).y.empty());
  REQUIRE(unlabelled->file_paths().size() == 6);  // every image, the hidden folder's included
  options.label_mode = LabelMode::Int;
  options.class_names = {"dogs"};
  auto dogs = image_dataset_from_directory(pets.dir.path, options);
  REQUIRE(dogs->file_paths().size() == 3);
  REQUIRE((dogs->get(0).y.at(0) == xt::xarray<float>({0.f, 0.f})));
  options.class_names = {"dogs", "birds"};
  REQUIRE_THROWS_WITH(image_dataset_from_directory(pets.dir.path, options),
                      "The `class_names` passed did not match the names of the subdirectories of the target "
                      "directory. Expected: ['cats', 'dogs'] (or a subset of it), but received: "
                      "class_names=['dogs', 'birds']");
  options.class_names = {};
  options.labels = {3, 1, 1, 3, 3, 1};  // one per file in sorted path order, kept as given
  auto given = image_dataset_from_directory(pets.dir.path, options);
  REQUIRE(given->class_names() == std::vector<std::string>{"1", "3"});
  REQUIRE((given->get(0).y.at(0) == xt::xarray<float>({3.f, 1.f})));
  options.label_mode = LabelMode::Categorical;  // one-hot needs indices below the class count
  REQUIRE_THROWS_WITH(image_dataset_from_directory(pets.dir.path, options),
                      "ImageDataset: label 3 is not the index of one of the 2 classes");
  options.label_mode = LabelMode::Int;
  options.labels = {0, 1};
  REQUIRE_THROWS_WITH(image_dataset_from_directory(pets.dir.path, options),
                      Catch::Contains("len(labels) is 2 while we found 6 files"));
}

TEST_CASE("image_dataset_from_directory converts channels as Keras's loaders do", "[data][images]") {
  TempDir dir;
  const auto rgb = pattern_pixels(3, 2, 3, 3);
  write_png(dir.path / "a" / "rgb.png", 2, 3, PNG_FORMAT_RGB, rgb.data());
  const std::vector<std::uint16_t> deep = {0, 257, 257 * 128, 65535, 257 * 7, 257 * 200};
  write_png(dir.path / "b" / "deep.png", 2, 3, PNG_FORMAT_LINEAR_Y, deep.data());
  const std::uint8_t colormap[] = {10, 20, 30, 200, 150, 100};
  const std::uint8_t indices[] = {0, 1, 1, 0, 1, 0};
  write_png(dir.path / "c" / "palette.png", 2, 3, PNG_FORMAT_RGB_COLORMAP, indices, colormap, 2);

  auto load = [&](ColorMode mode) {
    return image_dataset_from_directory(dir.path, {.color_mode = mode, .image_size = {2, 3}, .shuffle = false})
        ->get(0)
        .x.at(0);
  };
  const xt::xarray<float> grey = load(ColorMode::Grayscale);
  REQUIRE(grey.shape() == std::vector<std::size_t>{3, 2, 3, 1});
  for (std::size_t p = 0; p < 6; ++p) {
    const unsigned r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2];
    REQUIRE(grey.data()[p] == static_cast<float>((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16));
    REQUIRE(grey.data()[6 + p] == static_cast<float>(deep[p] / 257));  // 16 bits scaled to 8
  }
  const xt::xarray<float> colour = load(ColorMode::RGB);
  REQUIRE(colour(1, 0, 2, 0) == 128.f);  // grey repeated
  REQUIRE(colour(1, 0, 2, 2) == 128.f);
  REQUIRE(colour(2, 0, 1, 0) == 200.f);  // the palette expanded
  REQUIRE(colour(2, 0, 1, 2) == 100.f);
  REQUIRE(colour(2, 1, 0, 1) == 20.f);
  const xt::xarray<float> rgba = load(ColorMode::RGBA);
  REQUIRE(rgba.shape()[3] == 4);
  REQUIRE(rgba(0, 1, 1, 3) == 255.f);
  REQUIRE(rgba(0, 1, 1, 1) == static_cast<float>(rgb[3 * 4 + 1]));
}

TEST_CASE("Images are resized as keras.ops.image.resize's bilinear does", "[data][images][golden]") {
  const nlohmann::json& golden = strata::testing::golden_file("data/data.json")["resize"];
  strata::detail::DecodedImage image;
  image.height = golden["image_shape"][0];
  image.width = golden["image_shape"][1];
  image.channels = golden["image_shape"][2];
  for (float v : golden["image"].get<std::vector<float>>()) image.pixels.push_back(static_cast<std::uint8_t>(v));
  REQUIRE(golden["cases"].size() == 6);
  for (const auto& c : golden["cases"]) {
    const std::int64_t h = c["size"][0], w = c["size"][1];
    INFO("to " << h << " x " << w);
    std::vector<float> out(static_cast<std::size_t>(h * w * image.channels));
    strata::detail::resize_bilinear(image, h, w, out.data());
    const auto expected = c["y"].get<std::vector<double>>();
    REQUIRE(out.size() == expected.size());
    for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == Approx(expected[i]).margin(1e-3));
  }
}

TEST_CASE("image_dataset_from_directory splits for validation as Keras does", "[data][images]") {
  TempDir dir;
  for (int i = 0; i < 10; ++i) {
    const auto pixels = pattern_pixels(i, 2, 2, 3);
    write_png(dir.path / (i < 6 ? "a" : "b") / ("img" + std::to_string(i) + ".png"), 2, 2, PNG_FORMAT_RGB,
              pixels.data());
  }
  const ImageDatasetOptions base{.image_size = {2, 2}, .seed = 11, .validation_split = 0.25};
  ImageDatasetOptions training = base, validation = base;
  training.subset = Subset::Training;
  validation.subset = Subset::Validation;
  auto train = image_dataset_from_directory(dir.path, training);
  auto val = image_dataset_from_directory(dir.path, validation);
  auto [train2, val2] = image_dataset_from_directory_both(dir.path, base);
  REQUIRE(train->file_paths().size() == 8);  // int(0.25 * 10) = 2 validate
  REQUIRE(val->file_paths().size() == 2);
  std::set<fs::path> all;
  for (const auto& p : train->file_paths()) all.insert(p);
  for (const auto& p : val->file_paths()) all.insert(p);
  REQUIRE(all.size() == 10);
  const auto sorted = [](std::vector<fs::path> p) {
    std::sort(p.begin(), p.end());
    return p;
  };
  REQUIRE(sorted(train2->file_paths()) == sorted(train->file_paths()));
  REQUIRE(sorted(val2->file_paths()) == sorted(val->file_paths()));

  // The training set reshuffles after every epoch, the same way for the same seed.
  auto again = image_dataset_from_directory(dir.path, training);
  const auto first = train->file_paths();
  REQUIRE(again->file_paths() == first);
  train->on_epoch_end();
  again->on_epoch_end();
  REQUIRE(train->file_paths() == again->file_paths());
  REQUIRE(sorted(train->file_paths()) == sorted(first));
  REQUIRE(train->file_paths() != first);
  const auto kept = val2->file_paths();
  val2->on_epoch_end();
  REQUIRE(val2->file_paths() == kept);

  ImageDatasetOptions unseeded = training;
  unseeded.seed.reset();
  REQUIRE_THROWS_WITH(image_dataset_from_directory(dir.path, unseeded),
                      Catch::Contains("you must provide a `seed` argument"));
  ImageDatasetOptions no_subset = base;
  REQUIRE_THROWS_WITH(image_dataset_from_directory(dir.path, no_subset),
                      "If `subset` is set, `validation_split` must be set, and inversely.");
  ImageDatasetOptions too_much = training;
  too_much.validation_split = 1.0;
  REQUIRE_THROWS_WITH(image_dataset_from_directory(dir.path, too_much),
                      "`validation_split` must be between 0 and 1, received: 1");
  ImageDatasetOptions binary{.label_mode = LabelMode::Binary};
  REQUIRE_NOTHROW(image_dataset_from_directory(dir.path, binary));
  fs::create_directories(dir.path / "c");
  REQUIRE_THROWS_WITH(image_dataset_from_directory(dir.path, binary),
                      "When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: "
                      "class_names=['a', 'b', 'c']");
  TempDir empty;
  const std::string no_images = strata::detail::concat("No images found in directory ", empty.path.string(),
                                                       ". Allowed formats: ('.jpeg', '.jpg', '.png')");
  REQUIRE_THROWS_WITH(image_dataset_from_directory(empty.path), no_images);
  REQUIRE_THROWS_AS(image_dataset_from_directory(empty.path / "absent"), IOError);
}

TEST_CASE("A damaged image is refused with its file name when its batch is made", "[data][images]") {
  TempDir dir;
  const auto pixels = pattern_pixels(1, 8, 8, 3);
  write_png(dir.path / "k" / "good.png", 8, 8, PNG_FORMAT_RGB, pixels.data());
  write_jpeg(dir.path / "k" / "good.jpg", 8, 8, 3, pixels);
  const std::string png = read_bytes(dir.path / "k" / "good.png");
  const std::string jpeg = read_bytes(dir.path / "k" / "good.jpg");
  auto refuses = [&](const std::string& name, const std::string& bytes, const std::string& message) {
    TempDir one;
    const fs::path file = one.write("k/" + name, bytes);
    auto data = image_dataset_from_directory(one.path, {.image_size = {8, 8}});
    INFO(name);
    REQUIRE_THROWS_MATCHES(data->get(0), IOError,
                           strata::testing::MessageContains("'" + file.string() + "': " + message));
  };
  refuses("cut.png", png.substr(0, png.size() - 20), "not a valid PNG image (libpng: ");
  std::string crc = png;
  crc[40] = static_cast<char>(crc[40] ^ 0x55);  // inside IDAT: its CRC no longer matches
  refuses("crc.png", crc, "not a valid PNG image (libpng: ");
  refuses("cut.jpg", jpeg.substr(0, jpeg.size() - 10), "not a valid JPEG image (libjpeg: Premature end of JPEG file)");
  refuses("half.jpg", jpeg.substr(0, jpeg.size() / 2), "not a valid JPEG image (libjpeg: ");
  refuses("text.png", "hello", "neither a PNG nor a JPEG image");
  refuses("empty.jpeg", "", "neither a PNG nor a JPEG image");

  // A PNG declaring 100000 x 100000 pixels is refused before anything is allocated.
  std::string bomb = png.substr(0, 8);
  std::string ihdr = "IHDR";
  for (std::uint32_t v : {100000u, 100000u})
    for (int shift : {24, 16, 8, 0}) ihdr += static_cast<char>((v >> shift) & 0xff);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  const auto crc32_of = static_cast<std::uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(ihdr.data()), static_cast<uInt>(ihdr.size())));
  bomb += std::string("\x00\x00\x00\x0d", 4) + ihdr;
  for (int shift : {24, 16, 8, 0}) bomb += static_cast<char>((crc32_of >> shift) & 0xff);
  bomb += std::string("\x00\x00\x00\x00IDAT\x35\xaf\x06\x1e", 12);  // an empty IDAT: libpng's header read stops there
  TempDir one;
  const fs::path file = one.write("k/bomb.png", bomb);
  REQUIRE_THROWS_MATCHES(
      image_dataset_from_directory(one.path, {.image_size = {8, 8}})->get(0), ValueError,
      strata::testing::MessageContains("an image of 100000 x 100000 pixels is larger than the 178956970"));
}

TEST_CASE("An ImageDataset decodes on several workers through the batch queue in order", "[data][images]") {
  TempDir dir;
  for (int i = 0; i < 12; ++i) {
    const auto pixels = pattern_pixels(i, 3, 3, 3);
    write_png(dir.path / "x" / strata::detail::concat("i", 10 + i, ".png"), 3, 3, PNG_FORMAT_RGB, pixels.data());
  }
  ImageDatasetOptions options{.batch_size = 2, .image_size = {3, 3}, .shuffle = false};
  auto serial = image_dataset_from_directory(dir.path, options);
  options.loading = {.workers = 3, .max_queue_size = 4};
  auto parallel = image_dataset_from_directory(dir.path, options);
  strata::detail::BatchQueue queue(*parallel, {5, 0, 3, 1, 4, 2});
  for (std::int64_t index : {5, 0, 3, 1, 4, 2}) {
    const auto batch = queue.next();
    REQUIRE(batch);
    REQUIRE((batch->x.at(0) == serial->get(index).x.at(0)));
  }
  REQUIRE_FALSE(queue.next());
}
