#include "api/datasets/idx_file.hpp"

#include <zlib.h>

#include <array>
#include <memory>
#include <vector>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

void read_exact(gzFile file, void* out, std::size_t bytes, const std::string& path) {
  auto* cursor = static_cast<unsigned char*>(out);
  while (bytes > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes, 1u << 30));
    const int got = gzread(file, cursor, chunk);
    STRATA_CHECK(got > 0, IOError, "IDX file ", path, " is truncated or damaged");
    cursor += got;
    bytes -= static_cast<std::size_t>(got);
  }
}

}  // namespace

xt::xarray<std::uint8_t> read_idx_ubyte(const std::string& path) {
  // gzopen reads plain files transparently, so one path serves .gz and uncompressed files.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  STRATA_CHECK(file != nullptr, IOError, "cannot open ", path);
  std::array<unsigned char, 4> magic{};
  read_exact(file.get(), magic.data(), magic.size(), path);
  // Magic: two zero bytes, the element type (0x08 = unsigned byte) and the number of axes.
  STRATA_CHECK(magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08 && magic[3] >= 1 && magic[3] <= 4, IOError,
               path, " is not an IDX file of unsigned bytes");
  std::vector<std::size_t> shape(magic[3]);
  std::size_t total = 1;
  for (auto& dim : shape) {
    std::array<unsigned char, 4> be{};
    read_exact(file.get(), be.data(), be.size(), path);
    dim = (std::size_t(be[0]) << 24) | (std::size_t(be[1]) << 16) | (std::size_t(be[2]) << 8) | be[3];
    STRATA_CHECK(dim > 0 && dim < (1u << 28), IOError, path, " declares an implausible axis size ", dim);
    total *= dim;
    STRATA_CHECK(total < (std::size_t(1) << 32), IOError, path, " declares more data than an IDX file holds");
  }
  xt::xarray<std::uint8_t> out = xt::xarray<std::uint8_t>::from_shape(shape);
  read_exact(file.get(), out.data(), total, path);
  return out;
}

}  // namespace strata::detail
