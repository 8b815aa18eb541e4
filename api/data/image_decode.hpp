#pragma once
// PNG and JPEG decoding for image_dataset_from_directory, through libpng and libjpeg. Both
// libraries report errors by longjmp; each decode runs the library inside one function whose
// frame holds no C++ object with a destructor, and turns a jump into an IOError naming the file
// and carrying the library's message, so nothing leaks and no exception crosses C code.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace strata::detail {

/// A decoded image: 8-bit samples, rows of width * channels, channels 1 (grey), 2 (grey and
/// alpha), 3 (RGB) or 4 (RGBA).
struct DecodedImage {
  std::int64_t height = 0;
  std::int64_t width = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;
};

/// Pillow's limit on an image's pixels (twice its MAX_IMAGE_PIXELS warning): a larger declared
/// size is refused before any pixel is allocated.
inline constexpr std::int64_t kMaxImagePixels = 178956970;

/// Decodes a PNG or JPEG image held in `bytes`, its format told by its first bytes. IOError
/// naming `name` when the bytes are neither or the library refuses them (truncated, corrupt, a
/// JPEG warning such as premature end of data); ValueError for more than kMaxImagePixels.
DecodedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name);

/// `image` with `channels` channels (1, 3 or 4): colour to grey as Pillow's convert("L")
/// ((19595 R + 38470 G + 7471 B + 0x8000) >> 16), grey repeated to colour, alpha dropped or
/// added as 255.
DecodedImage convert_channels(const DecodedImage& image, int channels);

/// Bilinear resize with half-pixel centres, no antialiasing, the source clamped at its edges
/// (keras.ops.image.resize's "bilinear", antialias=False): writes height * width * channels
/// floats to `out`.
void resize_bilinear(const DecodedImage& image, std::int64_t height, std::int64_t width, float* out);

}  // namespace strata::detail
