#include "strata/data/numpy.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <xtensor/xmanipulation.hpp>

#include "api/saving/atomic_file.hpp"
#include "api/saving/zip_archive.hpp"
#include "backends/host_memory.hpp"
#include "strata/error.hpp"

namespace strata::data {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kMaxHeader = 65536;

enum class Kind { Float, Signed, Unsigned, Bool };

struct Dtype {
  Kind kind;
  std::size_t size;  // bytes per element
  bool big_endian;
};

struct Header {
  Dtype dtype;
  bool fortran_order;
  std::vector<std::size_t> shape;
};

// A reader over NumPy's header dictionary, "{'descr': '<f4', 'fortran_order': False, 'shape':
// (3, 4), }": Python literal syntax, of which NumPy writes only strings, booleans, integers and
// tuples.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string where) : text_(text), where_(std::move(where)) {}

  Header parse() {
    std::optional<std::string> descr;
    std::optional<bool> fortran;
    std::optional<std::vector<std::size_t>> shape;
    expect('{');
    while (!peek('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr") {
        STRATA_CHECK(peek('\'') || peek('"'), ValueError, where_,
                     ": its dtype is structured (a list of fields), which Strata does not read");
        descr = string();
      } else if (key == "fortran_order") {
        fortran = boolean();
      } else if (key == "shape") {
        shape = tuple();
      } else {
        fail("an unexpected key '" + key + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    if (!descr || !fortran || !shape) fail("not the keys 'descr', 'fortran_order' and 'shape'");
    return {dtype(*descr), *fortran, *shape};
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError(where_ + ": its header is not NumPy's dictionary (" + what + " at header byte " +
                     std::to_string(pos_) + ")");
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("'") + c + "' expected");
    ++pos_;
  }
  std::string string() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("a string expected");
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("an unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail("True or False expected");
  }
  std::vector<std::size_t> tuple() {
    std::vector<std::size_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      std::size_t value = 0;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const std::size_t digit = static_cast<std::size_t>(text_[pos_] - '0');
        if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("a dimension too large");
        value = value * 10 + digit;
        ++pos_;
      }
      if (pos_ == start) fail("a dimension expected");
      dims.push_back(value);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }
  Dtype dtype(const std::string& descr) const {
    const char order = descr.size() == 3 ? descr[0] : '?', code = descr.size() == 3 ? descr[1] : '?';
    const std::size_t size = descr.size() == 3 ? static_cast<std::size_t>(descr[2] - '0') : 0;
    const bool big = order == '>' || (order == '=' && std::endian::native == std::endian::big);
    const bool known_order = order == '<' || order == '>' || order == '|' || order == '=';
    const bool integer_size = size == 1 || size == 2 || size == 4 || size == 8;
    if (known_order && code == 'f' && (size == 4 || size == 8)) return {Kind::Float, size, big};
    if (known_order && code == 'i' && integer_size) return {Kind::Signed, size, big};
    if (known_order && code == 'u' && integer_size) return {Kind::Unsigned, size, big};
    if (known_order && code == 'b' && size == 1) return {Kind::Bool, size, big};
    throw ValueError(where_ + ": dtype '" + descr +
                     "' is not one Strata reads (float32, float64, int8 to int64, uint8 to uint64, bool)");
  }

  std::string_view text_;
  std::string where_;
  std::size_t pos_ = 0;
};

std::uint64_t read_unsigned(const std::byte* p, std::size_t size, bool big_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t byte = big_endian ? i : size - 1 - i;
    value = (value << 8) | static_cast<std::uint64_t>(p[byte]);
  }
  return value;
}

// Element `index`'s value as a float, refused when float32 cannot hold it.
float convert(const std::byte* p, const Dtype& dtype, std::size_t index, const std::string& where) {
  const std::uint64_t bits = read_unsigned(p, dtype.size, dtype.big_endian);
  auto inexact = [&](const auto& value) {
    return ValueError(detail::concat(where, ": element ", index, " (", value, ") is not exact in float32"));
  };
  switch (dtype.kind) {
    case Kind::Float:
      if (dtype.size == 4) return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      {
        const double value = std::bit_cast<double>(bits);
        if (std::isfinite(value) && std::abs(value) > std::numeric_limits<float>::max())
          throw ValueError(detail::concat(where, ": element ", index, " (", value, ") is beyond float32's range"));
        return static_cast<float>(value);
      }
    case Kind::Signed: {
      // Sign-extend from the element's width.
      const unsigned shift = 64 - 8 * static_cast<unsigned>(dtype.size);
      const auto value = static_cast<std::int64_t>(bits << shift) >> shift;
      const auto f = static_cast<float>(value);
      // Compared as integers: a double would round a large int64 as the float did.
      if (f >= 0x1p63f || static_cast<std::int64_t>(f) != value) throw inexact(value);
      return f;
    }
    case Kind::Unsigned: {
      const auto f = static_cast<float>(bits);
      if (f >= 0x1p64f || static_cast<std::uint64_t>(f) != bits) throw inexact(bits);
      return f;
    }
    case Kind::Bool: return bits != 0 ? 1.f : 0.f;
  }
  return 0.f;
}

// Decodes the .npy image `bytes`; `where` names the file (and entry) in errors.
xt::xarray<float> decode_npy(std::span<const std::byte> bytes, const std::string& where) {
  auto as_text = [&](std::size_t at, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()) + at, size);
  };
  STRATA_CHECK(bytes.size() >= kMagic.size() && as_text(0, kMagic.size()) == kMagic, ValueError, where,
               ": not a .npy file (it does not start with NumPy's magic string \\x93NUMPY)");
  STRATA_CHECK(bytes.size() >= 8, IOError, where, ": truncated in its version bytes");
  const auto major = static_cast<int>(bytes[6]), minor = static_cast<int>(bytes[7]);
  STRATA_CHECK((major == 1 || major == 2 || major == 3) && minor == 0, ValueError, where, ": .npy format version ",
               major, '.', minor, " is not one Strata reads (1.0, 2.0, 3.0)");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  STRATA_CHECK(bytes.size() >= 8 + length_bytes, IOError, where, ": truncated in its header length");
  const std::uint64_t header_size = read_unsigned(bytes.data() + 8, length_bytes, false);
  STRATA_CHECK(header_size <= kMaxHeader, ValueError, where, ": its header declares ", header_size,
               " bytes, more than the ", kMaxHeader, " Strata reads");
  const std::size_t data_start = 8 + length_bytes + static_cast<std::size_t>(header_size);
  STRATA_CHECK(bytes.size() >= data_start, IOError, where, ": truncated: its header declares ", header_size,
               " bytes, the file ends ", data_start - bytes.size(), " bytes short of them");
  const Header header = HeaderParser(as_text(8 + length_bytes, static_cast<std::size_t>(header_size)), where).parse();

  std::size_t count = 1;
  for (std::size_t dim : header.shape) {
    STRATA_CHECK(dim == 0 || count <= std::numeric_limits<std::size_t>::max() / header.dtype.size / dim, ValueError,
                 where, ": its shape's size overflows");
    count *= dim;
  }
  const std::size_t data_bytes = count * header.dtype.size;
  const std::size_t have = bytes.size() - data_start;
  STRATA_CHECK(have >= data_bytes, IOError, where, ": truncated: its shape needs ", data_bytes,
               " bytes of data, the file holds ", have);
  STRATA_CHECK(have == data_bytes, ValueError, where, ": holds ", have - data_bytes,
               " bytes after the array's data (which ends at byte offset ", data_start + data_bytes, ")");

  // Fortran order is C order of the reversed shape, transposed back.
  std::vector<std::size_t> stored = header.shape;
  if (header.fortran_order) std::reverse(stored.begin(), stored.end());
  xt::xarray<float> values = xt::xarray<float>::from_shape(stored);
  const std::byte* data = bytes.data() + data_start;
  for (std::size_t i = 0; i < count; ++i)
    values.data()[i] = convert(data + i * header.dtype.size, header.dtype, i, where);
  if (!header.fortran_order || header.shape.size() < 2) return values;
  return xt::transpose(values);
}

std::vector<std::byte> encode_npy(const xt::xarray<float>& array) {
  std::string shape = "(";
  for (std::size_t i = 0; i < array.dimension(); ++i)
    shape += std::to_string(array.shape()[i]) + (array.dimension() == 1 ? "," : i + 1 < array.dimension() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // NumPy pads with spaces so the data starts at a multiple of 64 bytes, then ends with '\n'.
  const std::size_t unpadded = kMagic.size() + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::vector<std::byte> bytes(kMagic.size() + 4 + header.size() + array.size() * sizeof(float));
  std::memcpy(bytes.data(), kMagic.data(), kMagic.size());
  bytes[6] = std::byte{1};
  bytes[7] = std::byte{0};
  bytes[8] = static_cast<std::byte>(header.size() & 0xff);
  bytes[9] = static_cast<std::byte>(header.size() >> 8);
  std::memcpy(bytes.data() + 10, header.data(), header.size());
  std::byte* out = bytes.data() + 10 + header.size();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto bits = std::bit_cast<std::uint32_t>(array.data()[i]);
    for (std::size_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<std::byte>((bits >> (8 * b)) & 0xff);
  }
  return bytes;
}

std::string quoted(const std::filesystem::path& path) { return detail::concat('\'', path.string(), '\''); }

}  // namespace

xt::xarray<float> load_npy(const std::filesystem::path& path) {
  const std::vector<std::byte> bytes = detail::read_whole_file(path.string(), backends::host_memory_limit());
  return decode_npy(bytes, "load_npy: " + quoted(path));
}

void save_npy(const std::filesystem::path& path, const xt::xarray<float>& array) {
  detail::write_file_atomically(path.string(), encode_npy(array));
}

std::map<std::string, xt::xarray<float>> load_npz(const std::filesystem::path& path) {
  std::vector<std::byte> bytes = detail::read_whole_file(path.string(), backends::host_memory_limit());
  const detail::ZipReader archive(std::move(bytes), path.string());
  std::map<std::string, xt::xarray<float>> arrays;
  for (const std::string& name : archive.names()) {
    const std::string where = "load_npz: " + quoted(path) + " entry '" + name + "'";
    STRATA_CHECK(name.size() > 4 && name.ends_with(".npy"), ValueError, where,
                 ": not a .npy entry (a .npz file holds only <name>.npy entries)");
    arrays.emplace(name.substr(0, name.size() - 4),
                   decode_npy(archive.read(name, backends::host_memory_limit()), where));
  }
  return arrays;
}

void save_npz(const std::filesystem::path& path, const std::map<std::string, xt::xarray<float>>& arrays,
              bool compress) {
  detail::ZipWriter archive(path.string());
  for (const auto& [name, array] : arrays) archive.add(name + ".npy", encode_npy(array), compress);
  detail::write_file_atomically(path.string(), archive.finish());
}

}  // namespace strata::data
