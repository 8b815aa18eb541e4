#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "api/saving/zip_archive.hpp"
#include "data/temp_dir.hpp"
#include "strata/data/numpy.hpp"
#include "strata/error.hpp"
#include "support/goldens.hpp"

using namespace strata;
using namespace strata::data;
using strata::testing::golden_file;
using strata::testing::TempDir;

namespace {

const std::filesystem::path kDir = std::filesystem::path(STRATA_GOLDEN_DIR) / "data";

void require_matches(const xt::xarray<float>& array, const nlohmann::json& expected) {
  const auto shape = expected["shape"].get<std::vector<std::size_t>>();
  REQUIRE(std::vector<std::size_t>(array.shape().begin(), array.shape().end()) == shape);
  const auto values = expected["values"].get<std::vector<double>>();
  REQUIRE(array.size() == values.size());
  // Row-major order whatever the file's order; each value the float32 nearest NumPy's.
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("element " << i);
    REQUIRE(array.data()[i] == static_cast<float>(values[i]));
  }
}

// A format 1.0 .npy file with this header dictionary and data.
std::string npy(const std::string& dictionary, const std::string& data = "") {
  const std::string header = dictionary + "\n";
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + data;
}

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("load_npy reads every dtype, byte order and memory order NumPy wrote", "[data][numpy]") {
  const nlohmann::json& cases = golden_file("data/data.json")["npy"];
  REQUIRE(cases.size() == 18);
  for (const auto& [name, expected] : cases.items()) {
    INFO(name);
    require_matches(load_npy(kDir / "npy" / (name + ".npy")), expected);
  }
  require_matches(load_npy(kDir / "npy" / "v2.npy"), cases["f4_c"]);
}

TEST_CASE("load_npy refuses what float32 cannot hold and dtypes it does not read", "[data][numpy]") {
  auto refused = [](const std::string& name) { return (kDir / "npy" / (name + ".npy")).string(); };
  REQUIRE_THROWS_MATCHES(load_npy(refused("i4_inexact")), ValueError,
                         Catch::Matchers::Message("load_npy: '" + refused("i4_inexact") +
                                                  "': element 1 (16777217) is not exact in float32"));
  REQUIRE_THROWS_WITH(load_npy(refused("u8_inexact")),
                      Catch::Contains("element 0 (18446744073709551615) is not exact"));
  REQUIRE_THROWS_WITH(load_npy(refused("f8_too_large")),
                      Catch::Contains("element 1 (1e+300) is beyond float32's range"));
  REQUIRE_THROWS_WITH(load_npy(refused("f2")), Catch::Contains("dtype '<f2' is not one Strata reads"));
  REQUIRE_THROWS_WITH(load_npy(refused("c8")), Catch::Contains("dtype '<c8' is not one Strata reads"));
  REQUIRE_THROWS_WITH(load_npy(refused("structured")), Catch::Contains("its dtype is structured"));
  REQUIRE(golden_file("data/data.json")["npy_refused"].size() == 6);
}

TEST_CASE("load_npy refuses damaged files with the place", "[data][numpy]") {
  TempDir dir;
  const std::string good = read_bytes(kDir / "npy" / "f4_c.npy");  // 128-byte header, 96 bytes of data
  auto refuses = [&](const std::string& bytes, const std::string& message) {
    const auto file = dir.write("bad.npy", bytes);
    INFO(message);
    REQUIRE_THROWS_WITH(load_npy(file), Catch::Contains(message));
  };
  refuses(good.substr(0, good.size() - 1), "truncated: its shape needs 96 bytes of data, the file holds 95");
  refuses(good + "x", "holds 1 bytes after the array's data (which ends at byte offset 224)");
  refuses(good.substr(0, 40), "truncated: its header declares 118 bytes, the file ends 88 bytes short of them");
  refuses(good.substr(0, 9), "truncated in its header length");
  refuses("PK\x03\x04 not npy", "not a .npy file");
  std::string version = good;
  version[6] = 4;
  refuses(version, ".npy format version 4.0 is not one Strata reads");
  std::string huge = good;
  huge[6] = 2;  // version 2.0: a four-byte header length, here 0x20000076 with the next bytes
  huge[10] = 0x20;
  refuses(huge, "more than the 65536 Strata reads");
  refuses(npy("{'descr': '<f4', 'fortran_order': False, 'shope': (2,), }"),
          "its header is not NumPy's dictionary (an unexpected key 'shope' at header byte 49)");
  refuses(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"),
          "(a dimension expected at header byte 54)");
  refuses(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 4), }"),
          "its shape's size overflows");
  refuses(npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }"), "True or False expected");
  refuses(npy("{'descr': '<f4', 'shape': (2,), }"), "not the keys 'descr', 'fortran_order' and 'shape'");
  refuses(npy("{'descr': 'u4', 'fortran_order': False, 'shape': (), }"), "dtype 'u4' is not one Strata reads");
  refuses(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", std::string(2, '\0')),
          "truncated: its shape needs 4 bytes of data, the file holds 2");
  REQUIRE((load_npy(dir.write("ok.npy", npy("{'descr': '<i2', 'shape': (2,), 'fortran_order': True}",
                                            std::string("\x01\x00\xff\xff", 4)))) == xt::xarray<float>({1.f, -1.f})));
  REQUIRE_THROWS_AS(load_npy(dir.path / "absent.npy"), IOError);
  const auto truncated = dir.write("t.npy", good.substr(0, good.size() - 1));
  REQUIRE_THROWS_AS(load_npy(truncated), IOError);
}

TEST_CASE("save_npy writes what load_npy and NumPy read back", "[data][numpy]") {
  TempDir dir;
  const xt::xarray<float> a = {{1.5f, -2.f, NAN}, {0.f, 3.25f, 1e-30f}};
  save_npy(dir.path / "a.npy", a);
  const xt::xarray<float> back = load_npy(dir.path / "a.npy");
  REQUIRE(back.shape() == a.shape());
  REQUIRE(std::memcmp(back.data(), a.data(), a.size() * sizeof(float)) == 0);  // NaN included
  // NumPy's own header for the same array, byte for byte: f4_c.npy is (2, 3, 4) '<f4' in C order.
  const std::string golden = read_bytes(kDir / "npy" / "f4_c.npy");
  save_npy(dir.path / "copy.npy", load_npy(kDir / "npy" / "f4_c.npy"));
  REQUIRE(read_bytes(dir.path / "copy.npy") == golden);
  for (const xt::xarray<float>& shape_case :
       {xt::xarray<float>(2.5f), xt::xarray<float>({1.f}), xt::xarray<float>::from_shape({0, 3})}) {
    save_npy(dir.path / "s.npy", shape_case);
    REQUIRE(load_npy(dir.path / "s.npy").shape() == shape_case.shape());
  }
}

TEST_CASE("load_npz reads np.savez and np.savez_compressed files; save_npz writes them", "[data][numpy]") {
  const nlohmann::json& cases = golden_file("data/data.json")["npy"];
  const auto stored = load_npz(kDir / "npz" / "stored.npz");
  REQUIRE(stored.size() == 3);
  require_matches(stored.at("x"), cases["f4_c"]);
  require_matches(stored.at("labels"), cases["i4"]);
  require_matches(stored.at("flags"), cases["bool"]);
  const auto compressed = load_npz(kDir / "npz" / "compressed.npz");
  require_matches(compressed.at("x"), cases["f8_c"]);
  require_matches(compressed.at("y"), cases["u1"]);

  TempDir dir;
  for (bool compress : {false, true}) {
    save_npz(dir.path / "out.npz", {{"x", stored.at("x")}, {"y", xt::xarray<float>({1.f, 2.f})}}, compress);
    const auto back = load_npz(dir.path / "out.npz");
    REQUIRE(back.size() == 2);
    REQUIRE((back.at("x") == stored.at("x")));
    REQUIRE((back.at("y") == xt::xarray<float>({1.f, 2.f})));
  }
}

TEST_CASE("load_npz refuses damaged archives naming the file and the entry", "[data][numpy]") {
  TempDir dir;
  const std::string good = read_bytes(kDir / "npz" / "stored.npz");
  const auto cut = dir.write("cut.npz", good.substr(0, good.size() / 2));
  REQUIRE_THROWS_AS(load_npz(cut), IOError);
  // An entry whose bytes changed fails its CRC check; the error names the archive.
  std::string flipped = good;
  const std::size_t at = flipped.find("\x93NUMPY");
  REQUIRE(at != std::string::npos);
  flipped[at + 1] = 'X';
  const auto bad = dir.write("bad.npz", flipped);
  REQUIRE_THROWS_WITH(load_npz(bad), Catch::Contains(bad.string()));
  strata::detail::ZipWriter writer;
  writer.add("readme.txt", std::vector<std::byte>(3, std::byte{'a'}), false);
  writer.add("x.npy", std::vector<std::byte>(), false);
  const std::vector<std::byte> archive = writer.finish();
  const auto odd = dir.write("odd.npz", std::string(reinterpret_cast<const char*>(archive.data()), archive.size()));
  REQUIRE_THROWS_MATCHES(load_npz(odd), ValueError,
                         Catch::Matchers::Message("load_npz: '" + odd.string() +
                                                  "' entry 'readme.txt': not a .npy entry (a .npz file holds only "
                                                  "<name>.npy entries)"));
  REQUIRE_THROWS_AS(save_npz(dir.path / "escape.npz", {{"../x", xt::xarray<float>({1.f})}}), ValueError);
}
