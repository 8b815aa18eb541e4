#include "api/data/image_decode.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

// libjpeg's header needs size_t and FILE declared first.
#include <jpeglib.h>
#include <png.h>

#include "strata/error.hpp"

namespace strata::detail {
namespace {

// ---- PNG -----------------------------------------------------------------------------------

// Everything one PNG decode needs, reached through a pointer from the function that holds
// libpng's jump target, so that frame owns nothing a longjmp would skip.
struct PngRead {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::span<const std::uint8_t> bytes;
  std::size_t offset = 0;
  char message[256] = "";
  bool too_large = false;
  DecodedImage image;
  std::vector<png_bytep> rows;

  ~PngRead() {
    if (png != nullptr) png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
  }
};

void png_fail(png_structp png, png_const_charp message) {
  auto* read = static_cast<PngRead*>(png_get_error_ptr(png));
  std::snprintf(read->message, sizeof read->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (an odd ancillary chunk, an sRGB profile libpng dislikes) do not stop a decode.
void png_ignore_warning(png_structp, png_const_charp) {}

void png_read_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* read = static_cast<PngRead*>(png_get_io_ptr(png));
  if (length > read->bytes.size() - read->offset) png_error(png, "the file ends before the image does (truncated)");
  std::memcpy(data, read->bytes.data() + read->offset, length);
  read->offset += length;
}

// Runs libpng over read->bytes; false when it failed (read->message) or the image is too large.
bool run_png(PngRead* read) {
  if (setjmp(png_jmpbuf(read->png))) return false;
  png_set_read_fn(read->png, read, png_read_bytes);
  png_read_info(read->png, read->info);
  const png_uint_32 width = png_get_image_width(read->png, read->info);
  const png_uint_32 height = png_get_image_height(read->png, read->info);
  if (static_cast<std::int64_t>(width) * static_cast<std::int64_t>(height) > kMaxImagePixels) {
    read->image.width = width;
    read->image.height = height;
    read->too_large = true;
    return false;
  }
  const int bit_depth = png_get_bit_depth(read->png, read->info);
  const int color_type = png_get_color_type(read->png, read->info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(read->png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(read->png);
  if (png_get_valid(read->png, read->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(read->png);
  if (bit_depth == 16) png_set_scale_16(read->png);
  png_set_interlace_handling(read->png);
  png_read_update_info(read->png, read->info);
  const std::size_t row_bytes = png_get_rowbytes(read->png, read->info);
  read->image.width = width;
  read->image.height = height;
  read->image.channels = png_get_channels(read->png, read->info);
  read->image.pixels.resize(row_bytes * height);
  read->rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) read->rows[y] = read->image.pixels.data() + y * row_bytes;
  png_read_image(read->png, read->rows.data());
  png_read_end(read->png, nullptr);
  return true;
}

DecodedImage decode_png(std::span<const std::uint8_t> bytes, const std::string& name) {
  auto read = std::make_unique<PngRead>();
  read->bytes = bytes;
  read->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, read.get(), png_fail, png_ignore_warning);
  STRATA_CHECK(read->png != nullptr, IOError, "'", name, "': libpng could not start a decode");
  read->info = png_create_info_struct(read->png);
  STRATA_CHECK(read->info != nullptr, IOError, "'", name, "': libpng could not start a decode");
  if (!run_png(read.get())) {
    STRATA_CHECK(!read->too_large, ValueError, "'", name, "': an image of ", read->image.width, " x ",
                 read->image.height, " pixels is larger than the ", kMaxImagePixels, " pixels Strata decodes");
    throw IOError(concat("'", name, "': not a valid PNG image (libpng: ", read->message, ")"));
  }
  return std::move(read->image);
}

// ---- JPEG ----------------------------------------------------------------------------------

struct JpegRead {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr errors{};
  std::jmp_buf jump{};
  char message[JMSG_LENGTH_MAX] = "";
  bool too_large = false;
  DecodedImage image;

  ~JpegRead() { jpeg_destroy_decompress(&cinfo); }
};

JpegRead* jpeg_read_of(j_common_ptr cinfo) { return static_cast<JpegRead*>(cinfo->client_data); }

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
  JpegRead* read = jpeg_read_of(cinfo);
  (*cinfo->err->format_message)(cinfo, read->message);
  std::longjmp(read->jump, 1);
}

// A warning (corrupt data libjpeg skipped over, a premature end it padded) is kept: the decode
// is refused after it, as TensorFlow's decoder refuses a truncated file.
void jpeg_note(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  JpegRead* read = jpeg_read_of(cinfo);
  if (cinfo->err->num_warnings++ == 0) (*cinfo->err->format_message)(cinfo, read->message);
}

void jpeg_quiet(j_common_ptr) {}

bool run_jpeg(JpegRead* read, std::span<const std::uint8_t> bytes) {
  if (setjmp(read->jump)) return false;
  jpeg_create_decompress(&read->cinfo);
  read->cinfo.client_data = read;
  jpeg_mem_src(&read->cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&read->cinfo, TRUE);
  jpeg_decompress_struct& cinfo = read->cinfo;
  if (static_cast<std::int64_t>(cinfo.image_width) * static_cast<std::int64_t>(cinfo.image_height) > kMaxImagePixels) {
    read->image.width = cinfo.image_width;
    read->image.height = cinfo.image_height;
    read->too_large = true;
    return false;
  }
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    std::snprintf(read->message, sizeof read->message, "CMYK JPEG images are not supported");
    return false;
  }
  cinfo.out_color_space = cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  read->image.width = cinfo.output_width;
  read->image.height = cinfo.output_height;
  read->image.channels = cinfo.output_components;
  const std::size_t row_bytes = static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components;
  read->image.pixels.resize(row_bytes * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = read->image.pixels.data() + cinfo.output_scanline * row_bytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  return read->errors.num_warnings == 0;
}

DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name) {
  auto read = std::make_unique<JpegRead>();
  read->cinfo.err = jpeg_std_error(&read->errors);
  read->errors.error_exit = jpeg_fail;
  read->errors.emit_message = jpeg_note;
  read->errors.output_message = jpeg_quiet;
  read->cinfo.client_data = read.get();
  if (!run_jpeg(read.get(), bytes)) {
    STRATA_CHECK(!read->too_large, ValueError, "'", name, "': an image of ", read->image.width, " x ",
                 read->image.height, " pixels is larger than the ", kMaxImagePixels, " pixels Strata decodes");
    throw IOError(concat("'", name, "': not a valid JPEG image (libjpeg: ", read->message, ")"));
  }
  return std::move(read->image);
}

}  // namespace

DecodedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name) {
  static constexpr std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPng, 8) == 0) return decode_png(bytes, name);
  if (bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff) return decode_jpeg(bytes, name);
  throw IOError(concat("'", name, "': neither a PNG nor a JPEG image (its first bytes are neither signature)"));
}

DecodedImage convert_channels(const DecodedImage& image, int channels) {
  if (image.channels == channels) return image;
  DecodedImage out;
  out.height = image.height;
  out.width = image.width;
  out.channels = channels;
  const auto pixels = static_cast<std::size_t>(image.height * image.width);
  out.pixels.resize(pixels * static_cast<std::size_t>(channels));
  const bool colour = image.channels >= 3;
  const bool alpha = image.channels == 2 || image.channels == 4;
  for (std::size_t p = 0; p < pixels; ++p) {
    const std::uint8_t* in = image.pixels.data() + p * static_cast<std::size_t>(image.channels);
    std::uint8_t* o = out.pixels.data() + p * static_cast<std::size_t>(channels);
    if (channels == 1) {
      o[0] =
          colour ? static_cast<std::uint8_t>((19595u * in[0] + 38470u * in[1] + 7471u * in[2] + 0x8000u) >> 16) : in[0];
      continue;
    }
    for (int c = 0; c < 3; ++c) o[c] = colour ? in[c] : in[0];
    if (channels == 4) o[3] = alpha ? in[image.channels - 1] : 255;
  }
  return out;
}

void resize_bilinear(const DecodedImage& image, std::int64_t height, std::int64_t width, float* out) {
  // One axis's source rows (or columns) and weight for each output index: the output pixel's
  // centre mapped back, (i + 0.5) * in / out - 0.5, clamped to the source.
  struct Tap {
    std::int64_t lo, hi;
    double weight;  // of hi
  };
  auto taps = [](std::int64_t in, std::int64_t out_size) {
    std::vector<Tap> result(static_cast<std::size_t>(out_size));
    const double scale = static_cast<double>(in) / static_cast<double>(out_size);
    for (std::int64_t i = 0; i < out_size; ++i) {
      const double centre = std::clamp((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
      const auto lo = static_cast<std::int64_t>(centre);
      result[static_cast<std::size_t>(i)] = {lo, std::min(lo + 1, in - 1), centre - static_cast<double>(lo)};
    }
    return result;
  };
  const std::vector<Tap> rows = taps(image.height, height), cols = taps(image.width, width);
  const std::int64_t c = image.channels;
  auto at = [&](std::int64_t y, std::int64_t x, std::int64_t k) {
    return static_cast<double>(image.pixels[static_cast<std::size_t>((y * image.width + x) * c + k)]);
  };
  for (std::int64_t y = 0; y < height; ++y) {
    const Tap& r = rows[static_cast<std::size_t>(y)];
    for (std::int64_t x = 0; x < width; ++x) {
      const Tap& q = cols[static_cast<std::size_t>(x)];
      for (std::int64_t k = 0; k < c; ++k) {
        const double top = at(r.lo, q.lo, k) + (at(r.lo, q.hi, k) - at(r.lo, q.lo, k)) * q.weight;
        const double bottom = at(r.hi, q.lo, k) + (at(r.hi, q.hi, k) - at(r.hi, q.lo, k)) * q.weight;
        out[(y * width + x) * c + k] = static_cast<float>(top + (bottom - top) * r.weight);
      }
    }
  }
}

}  // namespace strata::detail
