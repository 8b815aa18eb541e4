#pragma once
// A minimal PNG writer for the examples: 8-bit grayscale, one IDAT chunk, no interlacing. Enough
// to look at images a model made without pulling in an image library; zlib (which Strata
// already links for the dataset reader) does the deflate and the CRCs.
//
//   write_png_gray("out.png", width, height, pixels);  // pixels: height rows of width bytes

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include <strata/error.hpp>

namespace examples {

namespace png_detail {

inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  // PNG stores every integer big-endian, whatever the machine.
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// A chunk is length, type, data, then a CRC over the type and the data (not the length).
inline void put_chunk(std::vector<std::uint8_t>& out, std::string_view type, const std::vector<std::uint8_t>& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), out.data() + type_at, static_cast<uInt>(out.size() - type_at));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace png_detail

/// Writes `pixels` (row-major, `height` rows of `width` grey levels) to `path`; strata::IOError
/// when the file cannot be written or the sizes disagree.
inline void write_png_gray(const std::string& path, std::uint32_t width, std::uint32_t height,
                           const std::vector<std::uint8_t>& pixels) {
  using namespace png_detail;
  if (width == 0 || height == 0 || pixels.size() != std::size_t{width} * height)
    throw strata::IOError("write_png_gray: " + std::to_string(pixels.size()) + " pixels for a " +
                          std::to_string(width) + "x" + std::to_string(height) + " image");

  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  std::vector<std::uint8_t> header;
  put_u32(header, width);
  put_u32(header, height);
  // Bit depth 8, colour type 0 (grayscale), then compression, filter and interlace methods 0.
  header.insert(header.end(), {8, 0, 0, 0, 0});
  put_chunk(png, "IHDR", header);

  // Each scanline starts with its filter type; 0 (None) leaves the bytes as they are, which
  // costs some file size but keeps the writer trivially correct.
  std::vector<std::uint8_t> raw;
  raw.reserve(std::size_t{height} * (width + 1));
  for (std::uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + std::ptrdiff_t{y} * width, pixels.begin() + std::ptrdiff_t{y + 1} * width);
  }
  // compress2 writes the zlib stream (header, deflate data, Adler-32) that IDAT expects.
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> packed(packed_size);
  if (compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw strata::IOError("write_png_gray: zlib's compress2 failed");
  packed.resize(packed_size);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", {});

  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!file) throw strata::IOError("write_png_gray: cannot write " + path);
}

}  // namespace examples
