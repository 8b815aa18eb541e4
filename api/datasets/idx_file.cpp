#include "api/datasets/idx_file.hpp"

#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// deflate's largest expansion: a stream cannot inflate to more than about 1032 times its
// compressed size (zlib's technical details), so a gzip file of `bytes` bytes holds at most this
// many bytes of data.
constexpr std::uint64_t kMaxInflateRatio = 1032;

// The bytes read so far, or a message naming the file and the cause when the stream ends early
// or is damaged.
void read_exact(gzFile file, void* out, std::size_t bytes, const std::string& path, const char* what) {
  auto* cursor = static_cast<unsigned char*>(out);
  while (bytes > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes, 1u << 30));
    const int got = gzread(file, cursor, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw IOError(concat("IDX file ", path, " is damaged (", message, ") while reading its ", what));
    }
    STRATA_CHECK(got > 0, IOError, "IDX file ", path, " is truncated: it ends ", bytes, " bytes before the end of its ",
                 what);
    cursor += got;
    bytes -= static_cast<std::size_t>(got);
  }
}

bool starts_like_gzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 2> magic{};
  in.read(magic.data(), magic.size());
  return in.gcount() == 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
         static_cast<unsigned char>(magic[1]) == 0x8b;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

xt::xarray<std::uint8_t> read_idx_ubyte(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  STRATA_CHECK(fs::exists(status), IOError, "cannot open ", path, ": no such file");
  STRATA_CHECK(!fs::is_directory(status), IOError, path, " is a directory, not an IDX file");
  const std::uint64_t file_bytes = fs::file_size(path, error);
  STRATA_CHECK(!error, IOError, "cannot read the size of ", path, ": ", error.message());
  STRATA_CHECK(file_bytes > 0, IOError, "IDX file ", path, " is empty");
  const bool gzipped = starts_like_gzip(path);

  // gzopen reads plain files transparently, so one path serves .gz and uncompressed files.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  STRATA_CHECK(file != nullptr, IOError, "cannot open ", path);
  std::array<unsigned char, 4> magic{};
  read_exact(file.get(), magic.data(), magic.size(), path, "header");
  // Magic: two zero bytes, the element type (0x08 = unsigned byte) and the number of axes.
  STRATA_CHECK(magic[0] == 0 && magic[1] == 0, IOError, path, " is not an IDX file (its first bytes are not 0, 0)");
  STRATA_CHECK(magic[2] == 0x08, IOError, "IDX file ", path, " holds elements of type 0x", std::hex, int(magic[2]),
               std::dec, "; only unsigned bytes (0x08) are supported");
  STRATA_CHECK(magic[3] >= 1 && magic[3] <= 4, IOError, "IDX file ", path, " declares ", int(magic[3]),
               " axes; 1 to 4 are supported");
  std::vector<std::size_t> shape(magic[3]);
  std::uint64_t total = 1;
  for (auto& dim : shape) {
    std::array<unsigned char, 4> be{};
    read_exact(file.get(), be.data(), be.size(), path, "header");
    dim = (std::size_t(be[0]) << 24) | (std::size_t(be[1]) << 16) | (std::size_t(be[2]) << 8) | be[3];
    STRATA_CHECK(dim > 0, IOError, "IDX file ", path, " declares an axis of size 0");
    // Four 32-bit axes can overflow 64 bits; any product past the file's own bound is refused below.
    STRATA_CHECK(!__builtin_mul_overflow(total, dim, &total), IOError, "IDX file ", path,
                 " declares more data than any file holds");
  }
  const std::uint64_t header_bytes = 4 + 4 * shape.size();

  // The declared size is checked against what the file can hold before any of it is allocated.
  // A plain file holds exactly its header and data, so its size is known. A gzip stream's
  // inflated size is not known upfront (its trailer stores it modulo 2^32, and a hostile file
  // can say anything), so it is bounded by deflate's largest expansion instead; data that then
  // ends early fails as truncated on the read, having cost at most that bound.
  if (gzipped) {
    STRATA_CHECK(total <= file_bytes * kMaxInflateRatio, IOError, "IDX file ", path, " declares ", total,
                 " bytes of data (shape ", shape_text(shape), "), more than a gzip file of ", file_bytes,
                 " bytes can hold");
  } else {
    // The header was read from this file, so file_bytes >= header_bytes; no sum can wrap.
    STRATA_CHECK(file_bytes - header_bytes >= total, IOError, "IDX file ", path, " is truncated: its header declares ",
                 total, " bytes of data (shape ", shape_text(shape), ") but the file holds ",
                 file_bytes - header_bytes);
  }
  xt::xarray<std::uint8_t> out = xt::xarray<std::uint8_t>::from_shape(shape);
  read_exact(file.get(), out.data(), total, path, "data");
  unsigned char extra = 0;
  STRATA_CHECK(gzread(file.get(), &extra, 1) == 0, IOError, "IDX file ", path,
               " holds more data than its header declares (shape ", shape_text(shape), ")");
  return out;
}

}  // namespace strata::detail
