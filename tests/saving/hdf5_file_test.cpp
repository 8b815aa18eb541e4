// H5Writer and H5Reader: round trips, the file h5py writes (data/h5py_fixture.h5, made by
// data/make_h5py_fixture.py), and hostile files built here with the HDF5 C API (links that are
// not hard links, virtual and external storage, huge declared shapes, unknown filters, deflate
// bombs, truncations and byte flips). Every refusal must be a strata::Error naming the file.

#include <hdf5.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <random>

#include "api/saving/hdf5_file.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::detail;
using Catch::Matchers::Contains;

namespace {

std::vector<std::byte> read_fixture(const std::string& name) {
  const auto path = std::filesystem::path(STRATA_TEST_SOURCE_DIR) / "saving" / "data" / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// Builds an HDF5 file with the C API, for what H5Writer (rightly) cannot make: in memory, or
// with `v2_headers` (HDF5 1.8's format: version 2 object headers, dense attribute storage) on
// disk, since HDF5 1.10.8's H5Fget_file_image leaves a version 2 superblock with a stale checksum.
std::vector<std::byte> build_h5(const std::function<void(hid_t)>& build, hid_t creation = H5P_DEFAULT,
                                bool v2_headers = false) {
  static int counter = 0;
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  const std::string name = (v2_headers ? std::filesystem::temp_directory_path().string() + "/" : std::string()) +
                           "hdf5_file_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  if (v2_headers) {
    H5Pset_libver_bounds(access, H5F_LIBVER_V18, H5F_LIBVER_V18);
  } else {
    H5Pset_fapl_core(access, 1 << 16, 0);
  }
  const hid_t file = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, creation, access);
  REQUIRE(file >= 0);
  build(file);
  std::vector<std::byte> bytes;
  if (v2_headers) {
    H5Fclose(file);
    std::ifstream in(name, std::ios::binary);
    const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    std::filesystem::remove(name);
  } else {
    REQUIRE(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0);
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    REQUIRE(size > 0);
    bytes.resize(static_cast<std::size_t>(size));
    REQUIRE(H5Fget_file_image(file, bytes.data(), bytes.size()) == size);
    H5Fclose(file);
  }
  H5Pclose(access);
  REQUIRE(!bytes.empty());
  return bytes;
}

// Creates a dataset (closing everything it opened); `dcpl` may carry layout and filters.
void make_dataset(hid_t location, const char* name, std::vector<hsize_t> dims, hid_t type = H5T_IEEE_F32LE,
                  hid_t dcpl = H5P_DEFAULT, const void* data = nullptr, hid_t memory_type = H5T_NATIVE_FLOAT) {
  const hid_t space =
      dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dataset = H5Dcreate2(location, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  REQUIRE(dataset >= 0);
  if (data) REQUIRE(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(dataset);
  H5Sclose(space);
}

hid_t chunked(std::vector<hsize_t> chunk) {
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  return dcpl;
}

// Calls every reader function on whatever the file holds, as deep as 6 groups, reading only
// datasets small enough to read; a strata::Error is fine, anything else (another exception, a
// crash, a sanitizer report) fails the test.
void exercise(const H5Reader& reader, const std::string& group = "", int depth = 0) {
  const auto attempt = [](auto&& call) {
    try {
      call();
    } catch (const strata::Error&) {
    }
  };
  for (const char* name : {"name", "unicode", "fixed", "layer_names", "weight_names", "empty", "dtype"}) {
    attempt([&] { (void)reader.string_attribute(group, name); });
    attempt([&] { (void)reader.string_list_attribute(group, name); });
  }
  if (depth > 6) return;
  std::vector<std::string> names;
  attempt([&] { names = reader.children(group); });
  attempt([&] { (void)reader.children_numeric(group); });
  for (const auto& name : names) {
    const std::string path = group.empty() ? name : group + "/" + name;
    bool is_group = false, is_dataset = false;
    attempt([&] { is_group = reader.has_group(path); });
    attempt([&] { is_dataset = reader.has_dataset(path); });
    if (is_group) exercise(reader, path, depth + 1);
    if (!is_dataset) continue;
    attempt([&] {
      const auto info = reader.dataset_info(path);
      std::int64_t count = 1;
      for (const auto dim : info.shape) count = (dim > (1 << 20) || count > (1 << 20)) ? (1 << 21) : count * dim;
      if (count <= (1 << 20)) (void)reader.read_float(path, info.shape);
    });
    attempt([&] { (void)reader.read_float(path, {2, 3}); });
    attempt([&] { (void)reader.read_int_scalar(path); });
    for (const char* attribute : {"name", "dtype"}) attempt([&] { (void)reader.string_attribute(path, attribute); });
  }
}

// Everything H5Writer writes, for the round trip and the damage sweeps.
std::vector<std::byte> written_file() {
  H5Writer writer("written.h5");
  writer.create_group("layers/dense/vars");
  writer.write_string_attribute("/", "name", "model");
  writer.write_string_attribute("layers/dense", "name", "dense \xc3\xa9");
  writer.write_string_list_attribute("/", "layer_names", {"dense", "dense_1", ""});
  writer.write_string_list_attribute("layers", "empty", {});
  writer.write_float32("layers/dense/vars/0", {2, 3}, std::vector<float>{1, 2, 3, 4, 5, -6.5f});
  writer.write_float32("layers/dense/vars/1", {3}, std::vector<float>{0.25f, 0, -1});
  writer.write_float32("scalar", {}, std::vector<float>{7.5f});
  writer.write_float32("empty", {0, 4}, std::vector<float>{});
  writer.write_int64_scalar("optimizer/iterations", std::int64_t{1} << 40);
  writer.write_int32_scalar("optimizer/step", -3);
  return writer.finish();
}

}  // namespace

TEST_CASE("H5Writer's file reads back exactly", "[saving][hdf5]") {
  const auto bytes = written_file();
  const H5Reader reader(bytes, "written.h5");
  CHECK(reader.has_group("layers/dense/vars"));
  CHECK(reader.has_group("/"));
  CHECK_FALSE(reader.has_group("layers/dense/vars/0"));
  CHECK(reader.has_dataset("/layers/dense/vars/0"));
  CHECK_FALSE(reader.has_dataset("layers/nothing/0"));
  CHECK(reader.children("") == std::vector<std::string>{"empty", "layers", "optimizer", "scalar"});
  CHECK(reader.children_numeric("layers/dense/vars") == std::vector<std::string>{"0", "1"});
  CHECK(reader.string_attribute("", "name") == "model");
  CHECK(reader.string_attribute("layers/dense", "name") == "dense \xc3\xa9");
  CHECK(reader.string_attribute("layers/dense", "missing") == std::nullopt);
  CHECK(reader.string_list_attribute("/", "layer_names") == std::vector<std::string>{"dense", "dense_1", ""});
  CHECK(reader.string_list_attribute("layers", "empty") == std::vector<std::string>{});
  CHECK(reader.read_float("layers/dense/vars/0", {2, 3}) == std::vector<float>{1, 2, 3, 4, 5, -6.5f});
  CHECK(reader.read_float("layers/dense/vars/1", {3}) == std::vector<float>{0.25f, 0, -1});
  CHECK(reader.read_float("scalar", {}) == std::vector<float>{7.5f});
  CHECK(reader.read_float("empty", {0, 4}).empty());
  CHECK(reader.read_int_scalar("optimizer/iterations") == std::int64_t{1} << 40);
  CHECK(reader.read_int_scalar("optimizer/step") == -3);
  const auto info = reader.dataset_info("layers/dense/vars/0");
  CHECK(info.shape == std::vector<std::int64_t>{2, 3});
  CHECK(info.type == H5Type::float32);
  CHECK(reader.dataset_info("optimizer/iterations").type == H5Type::int64);
  CHECK(reader.dataset_info("optimizer/step").type == H5Type::int32);
  CHECK(reader.dataset_info("scalar").shape.empty());

  // The writer writes as h5py does: fixed-length NUL-padded strings, an empty float64 array.
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(access, 1 << 16, 0);
  H5Pset_file_image(access, const_cast<std::byte*>(bytes.data()), bytes.size());
  const hid_t file = H5Fopen("hdf5_file_test_written", H5F_ACC_RDONLY, access);
  H5Pclose(access);
  REQUIRE(file >= 0);
  const hid_t names = H5Aopen_by_name(file, "/", "layer_names", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t names_type = H5Aget_type(names);
  CHECK(H5Tget_class(names_type) == H5T_STRING);
  CHECK(H5Tis_variable_str(names_type) == 0);
  CHECK(H5Tget_size(names_type) == 7);
  CHECK(H5Tget_strpad(names_type) == H5T_STR_NULLPAD);
  const hid_t empty = H5Aopen_by_name(file, "layers", "empty", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t empty_type = H5Aget_type(empty);
  CHECK(H5Tequal(empty_type, H5T_IEEE_F64LE) > 0);
  const hid_t name = H5Aopen_by_name(file, "/", "name", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t name_type = H5Aget_type(name);
  CHECK(H5Tis_variable_str(name_type) > 0);
  CHECK(H5Tget_cset(name_type) == H5T_CSET_UTF8);
  for (const hid_t type : {names_type, empty_type, name_type}) H5Tclose(type);
  for (const hid_t attribute : {names, empty, name}) H5Aclose(attribute);
  H5Fclose(file);
}

TEST_CASE("Variable-length strings read from files with a user block", "[saving][hdf5]") {
  // Heap addresses are relative to the superblock, which a user block moves.
  const hid_t creation = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(creation, 1024);
  const auto bytes = build_h5(
      [](hid_t file) {
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        const hsize_t three = 3;
        const hid_t space = H5Screate_simple(1, &three, nullptr);
        const hid_t attribute = H5Acreate2(file, "names", type, space, H5P_DEFAULT, H5P_DEFAULT);
        const char* values[3] = {"kernel:0", "", "bias:0"};
        REQUIRE(H5Awrite(attribute, type, values) >= 0);
        H5Aclose(attribute);
        H5Sclose(space);
        H5Tclose(type);
      },
      creation);
  H5Pclose(creation);
  CHECK(H5Reader(bytes, "userblock.h5").string_list_attribute("/", "names") ==
        std::vector<std::string>{"kernel:0", "", "bias:0"});
}

TEST_CASE("H5Writer refuses what does not fit and works once", "[saving][hdf5]") {
  H5Writer writer("bad.h5");
  CHECK_THROWS_MATCHES(writer.write_float32("x", {2, 3}, std::vector<float>{1, 2}), ValueError,
                       Catch::Message("'bad.h5': dataset 'x' of shape (2, 3) was given 2 values"));
  CHECK_THROWS_AS(writer.write_float32("x", {-1}, std::vector<float>{}), ValueError);
  writer.write_float32("g/x", {1}, std::vector<float>{1});
  CHECK_THROWS_MATCHES(writer.write_float32("g/x", {1}, std::vector<float>{1}), ValueError,
                       Catch::Message("'bad.h5': 'g/x' already exists"));
  CHECK_THROWS_AS(writer.create_group("g/x"), ValueError);
  CHECK_THROWS_AS(writer.write_int64_scalar("g/x/y", 1), ValueError);
  CHECK_THROWS_AS(writer.write_string_attribute("g", "a", std::string("a\0b", 3)), ValueError);
  CHECK_THROWS_AS(writer.write_string_attribute("nowhere", "a", "b"), ValueError);
  CHECK_THROWS_AS(writer.write_float32("a//b", {}, std::vector<float>{1}), ValueError);
  CHECK_THROWS_AS(writer.write_float32("a/../b", {}, std::vector<float>{1}), ValueError);
  writer.create_group("g");  // exists: fine
  writer.write_string_attribute("g", "a", "first");
  writer.write_string_attribute("g", "a", "second");  // replaced
  const auto bytes = writer.finish();
  CHECK(H5Reader(bytes, "bad.h5").string_attribute("g", "a") == "second");
  CHECK_THROWS_AS(writer.finish(), StateError);
  CHECK_THROWS_AS(writer.create_group("h"), StateError);
}

TEST_CASE("H5Reader reads the file h5py writes", "[saving][hdf5]") {
  const H5Reader reader(read_fixture("h5py_fixture.h5"), "h5py_fixture.h5");
  CHECK(reader.string_attribute("/", "name") == "dense");
  CHECK(reader.string_attribute("/", "unicode") == "caf\xc3\xa9 \xe2\x9c\x93");
  CHECK(reader.string_attribute("/", "fixed") == "fixed");
  CHECK(reader.string_list_attribute("/", "layer_names") == std::vector<std::string>{"dense", "dense_1"});
  CHECK(reader.string_list_attribute("/", "weight_names") == std::vector<std::string>{"kernel:0", "bias:0"});
  CHECK(reader.string_list_attribute("/", "empty") == std::vector<std::string>{});
  CHECK_THROWS_AS(reader.string_attribute("/", "layer_names"), ValueError);  // an array, not one string
  CHECK(reader.read_float("layers/dense/vars/0", {2, 3}) == std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1, 1.25f});
  CHECK(reader.read_float("layers/dense/vars/1", {3}) == std::vector<float>{1.5f, -2, 3.25f});
  CHECK(reader.dataset_info("f64").type == H5Type::float64);
  CHECK(reader.read_float("f64", {4}) == std::vector<float>{0.1f, -std::numeric_limits<float>::infinity(),
                                                            std::numeric_limits<float>::infinity(), 2.5f});
  CHECK(reader.dataset_info("f16").type == H5Type::float16);
  CHECK(reader.read_float("f16", {5}) ==
        std::vector<float>{0.5f, -2, 65504, std::ldexp(1.0f, -24), std::numeric_limits<float>::infinity()});
  CHECK(reader.dataset_info("bf16").type == H5Type::bfloat16);
  CHECK(reader.read_float("bf16", {3}) == std::vector<float>{1.5f, -2, 3});
  CHECK(reader.read_int_scalar("iterations") == 42);
  CHECK(reader.dataset_info("iterations").type == H5Type::int64);
  // gzip with shuffle and fletcher32, in 100-element chunks.
  std::vector<float> ramp(1000);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i);
  CHECK(reader.read_float("gzip", {1000}) == ramp);
  CHECK(reader.children_numeric("numbered") ==
        std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"});
  CHECK(reader.children("numbered").at(2) == "10");                              // name order
  CHECK(reader.children("ordered") == std::vector<std::string>{"b", "a", "c"});  // creation order
  CHECK_THROWS_MATCHES(reader.children_numeric("/"), ValueError,
                       Catch::Message("'h5py_fixture.h5': the root group should hold members named 0, 1, 2, ... but "
                                      "holds 'bf16'"));
  CHECK(reader.read_int_scalar("numbered/7") == 7);  // a float scalar holding an integer
}

TEST_CASE("H5Reader names the file, the object and the problem", "[saving][hdf5]") {
  const auto bytes = build_h5([](hid_t file) {
    const float values[6] = {1, 2, 3, 4, 5, 6};
    const hid_t group = H5Gcreate2(file, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    make_dataset(group, "w", {2, 3}, H5T_IEEE_F32LE, H5P_DEFAULT, values);
    H5Gclose(group);
    const std::int32_t ints[2] = {1, 2};
    make_dataset(file, "ints", {2}, H5T_STD_I32LE, H5P_DEFAULT, ints, H5T_NATIVE_INT32);
    const hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_size(text, 4);
    make_dataset(file, "text", {}, text, H5P_DEFAULT, "abcd", text);
    H5Tclose(text);
    const double half = 2.5;
    make_dataset(file, "half", {}, H5T_IEEE_F64LE, H5P_DEFAULT, &half, H5T_NATIVE_DOUBLE);
    make_dataset(file, "u8", {}, H5T_STD_U8LE, H5P_DEFAULT, ints, H5T_NATIVE_INT32);
  });
  const H5Reader reader(bytes, "model.weights.h5");
  CHECK_THROWS_MATCHES(reader.read_float("layers/w", {3, 2}), ValueError,
                       Catch::Message("'model.weights.h5': dataset 'layers/w' has shape (2, 3), expected (3, 2)"));
  CHECK_THROWS_MATCHES(reader.read_float("layers/w", {6}), ValueError,
                       Catch::Message("'model.weights.h5': dataset 'layers/w' has shape (2, 3), expected (6,)"));
  CHECK_THROWS_MATCHES(reader.read_float("layers/dense/vars/0", {1}), ValueError,
                       Catch::Message("'model.weights.h5': no dataset 'layers/dense/vars/0' (no 'dense' in group "
                                      "'layers')"));
  CHECK_THROWS_MATCHES(reader.read_float("layers/w/x", {1}), ValueError,
                       Catch::Message("'model.weights.h5': no dataset 'layers/w/x' ('layers/w' is a dataset, not a "
                                      "group)"));
  CHECK_THROWS_MATCHES(reader.read_float("layers", {1}), ValueError,
                       Catch::Message("'model.weights.h5': 'layers' is a group, expected a dataset"));
  // Integers are not read as floats: a Keras float variable is never saved as one.
  CHECK_THROWS_MATCHES(reader.read_float("ints", {2}), ValueError,
                       Catch::Message("'model.weights.h5': dataset 'ints' holds int32 values, expected floats "
                                      "(float16, bfloat16, float32 or float64)"));
  CHECK_THROWS_WITH(reader.read_float("text", {}), Contains("values of a type Strata does not read"));
  CHECK(reader.dataset_info("text").type == H5Type::other);
  CHECK_THROWS_MATCHES(reader.read_int_scalar("half"), ValueError,
                       Catch::Message("'model.weights.h5': dataset 'half' holds 2.5, not an integer"));
  CHECK_THROWS_WITH(reader.read_int_scalar("ints"), Contains("has shape (2,), expected a scalar"));
  CHECK_THROWS_WITH(reader.read_int_scalar("u8"), Contains("is not an int32, int64 or float scalar"));
  CHECK_THROWS_WITH(reader.children("layers/w"), Contains("'layers/w' is not a group"));
  CHECK_THROWS_WITH(reader.string_attribute("missing", "a"), Contains("no object 'missing'"));
  CHECK_THROWS_AS(reader.has_group("a//b"), ValueError);
  CHECK_THROWS_AS(reader.has_group("a/./b"), ValueError);
}

TEST_CASE("H5Reader refuses links other than hard links", "[saving][hdf5]") {
  static const H5L_class_t kUserLink = {
      H5L_LINK_CLASS_T_VERS,
      static_cast<H5L_type_t>(200),
      "strata test link",
      nullptr,
      nullptr,
      nullptr,
      [](const char*, hid_t, const void*, std::size_t, hid_t, hid_t) -> hid_t { return -1; },
      nullptr,
      nullptr};
  REQUIRE(H5Lregister(&kUserLink) >= 0);
  const auto bytes = build_h5([](hid_t file) {
    const hid_t group = H5Gcreate2(file, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const float one = 1;
    make_dataset(group, "x", {}, H5T_IEEE_F32LE, H5P_DEFAULT, &one);
    H5Gclose(group);
    REQUIRE(H5Lcreate_soft("/g", file, "g/loop", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    REQUIRE(H5Lcreate_external("other.h5", "/x", file, "external", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    REQUIRE(H5Lcreate_ud(file, "user", static_cast<H5L_type_t>(200), nullptr, 0, H5P_DEFAULT, H5P_DEFAULT) >= 0);
  });
  const H5Reader reader(bytes, "links.h5");
  CHECK(reader.read_float("g/x", {}) == std::vector<float>{1});
  CHECK_THROWS_MATCHES(reader.read_float("g/loop/loop/x", {}), ValueError,
                       Catch::Message("'links.h5': 'g/loop' is a soft link; Strata follows hard links only (a soft "
                                      "link can point anywhere in the file or form a loop)"));
  CHECK_THROWS_WITH(reader.has_group("g/loop"), Contains("soft link"));
  CHECK_THROWS_MATCHES(reader.has_dataset("external"), ValueError,
                       Catch::Message("'links.h5': 'external' is an external link (to an object in another file); "
                                      "Strata refuses them, as Keras does"));
  CHECK_THROWS_WITH(reader.dataset_info("external"), Contains("external link"));
  CHECK_THROWS_WITH(reader.string_attribute("user", "name"), Contains("'user' is a user-defined link (type 200)"));
  // Listing names follows nothing.
  CHECK(reader.children("") == std::vector<std::string>{"external", "g", "user"});
  REQUIRE(H5Lunregister(static_cast<H5L_type_t>(200)) >= 0);
}

TEST_CASE("H5Reader refuses virtual datasets, external storage and unknown filters", "[saving][hdf5]") {
  const auto bytes = build_h5([](hid_t file) {
    const hsize_t four = 4;
    const hid_t space = H5Screate_simple(1, &four, nullptr);
    const hid_t virtual_dcpl = H5Pcreate(H5P_DATASET_CREATE);
    REQUIRE(H5Pset_virtual(virtual_dcpl, space, "elsewhere.h5", "/data", space) >= 0);
    make_dataset(file, "virtual", {4}, H5T_IEEE_F32LE, virtual_dcpl);
    const hid_t external_dcpl = H5Pcreate(H5P_DATASET_CREATE);
    REQUIRE(H5Pset_external(external_dcpl, "raw.bin", 0, 16) >= 0);
    make_dataset(file, "external", {4}, H5T_IEEE_F32LE, external_dcpl);
    // An optional filter HDF5 does not know (32001 is Blosc's id): creation accepts it.
    const hid_t plugin_dcpl = chunked({4});
    REQUIRE(H5Pset_filter(plugin_dcpl, 32001, H5Z_FLAG_OPTIONAL, 0, nullptr) >= 0);
    make_dataset(file, "plugin", {4}, H5T_IEEE_F32LE, plugin_dcpl);
    const hid_t nbit_dcpl = chunked({4});
    REQUIRE(H5Pset_nbit(nbit_dcpl) >= 0);
    make_dataset(file, "nbit", {4}, H5T_IEEE_F32LE, nbit_dcpl);
    const hid_t twice_dcpl = chunked({4});
    H5Pset_deflate(twice_dcpl, 1);
    H5Pset_deflate(twice_dcpl, 1);
    make_dataset(file, "deflate_twice", {4}, H5T_IEEE_F32LE, twice_dcpl);
    for (const hid_t plist : {virtual_dcpl, external_dcpl, plugin_dcpl, nbit_dcpl, twice_dcpl}) H5Pclose(plist);
    H5Sclose(space);
  });
  const H5Reader reader(bytes, "storage.h5");
  CHECK(reader.has_dataset("virtual"));
  CHECK_THROWS_MATCHES(reader.read_float("virtual", {4}), ValueError,
                       Catch::Message("'storage.h5': dataset 'virtual' is a virtual dataset (its data comes from "
                                      "other datasets or files); Strata refuses them, as Keras does"));
  CHECK_THROWS_WITH(reader.dataset_info("virtual"), Contains("virtual dataset"));
  CHECK_THROWS_MATCHES(reader.read_float("external", {4}), ValueError,
                       Catch::Message("'storage.h5': dataset 'external' keeps its data in external files; Strata "
                                      "reads data stored in the file only"));
  CHECK_THROWS_WITH(reader.read_float("plugin", {4}),
                    Contains("'storage.h5': dataset 'plugin' uses HDF5 filter 32001; Strata reads only deflate, "
                             "shuffle and fletcher32"));
  CHECK_THROWS_WITH(reader.read_float("nbit", {4}), Contains("uses HDF5 filter 5 ('nbit')"));
  CHECK_THROWS_WITH(reader.read_float("deflate_twice", {4}), Contains("applies HDF5 filter 1 more than once"));
}

TEST_CASE("H5Reader checks a declared 10^12-element shape before allocating", "[saving][hdf5]") {
  const auto bytes = build_h5([](hid_t file) {
    const hid_t dcpl = chunked({1000, 1000});
    make_dataset(file, "huge", {1'000'000, 1'000'000}, H5T_IEEE_F32LE, dcpl);  // no chunk is ever written
    H5Pclose(dcpl);
  });
  const H5Reader reader(bytes, "huge.h5");
  const auto info = reader.dataset_info("huge");
  CHECK(info.shape == std::vector<std::int64_t>{1'000'000, 1'000'000});
  CHECK(info.type == H5Type::float32);
  CHECK_THROWS_MATCHES(reader.read_float("huge", {10, 10}), ValueError,
                       Catch::Message("'huge.h5': dataset 'huge' has shape (1000000, 1000000), expected (10, 10)"));
}

TEST_CASE("H5Reader refuses deflate chunks that inflate past their size", "[saving][hdf5]") {
  // HDF5 1.10 inflates a chunk into a buffer it doubles without limit, so such a chunk would
  // make it allocate what the stream holds; Strata inflates each chunk first, counting.
  const auto deflated_zeros = [](std::size_t size) {
    const std::vector<unsigned char> zeros(size);
    uLongf packed = compressBound(size);
    std::vector<unsigned char> out(packed);
    REQUIRE(compress2(out.data(), &packed, zeros.data(), size, 9) == Z_OK);
    out.resize(packed);
    return out;
  };
  const auto small_bomb = deflated_zeros(4'000'000);  // about 3.9 KB, under the chunk's 4000 bytes
  const auto big_bomb = deflated_zeros(64'000'000);   // about 62 KB
  REQUIRE(small_bomb.size() <= 4000);
  const auto bytes = build_h5([&](hid_t file) {
    const hid_t dcpl = chunked({1000});
    H5Pset_deflate(dcpl, 6);
    const std::vector<float> ramp(1000, 0.5f);
    make_dataset(file, "fine", {1000}, H5T_IEEE_F32LE, dcpl, ramp.data());
    const hsize_t origin = 0;
    for (const auto& [name, stream] : {std::pair{"small_bomb", &small_bomb}, std::pair{"big_bomb", &big_bomb}}) {
      make_dataset(file, name, {1000}, H5T_IEEE_F32LE, dcpl);
      const hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
      REQUIRE(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, &origin, stream->size(), stream->data()) >= 0);
      H5Dclose(dataset);
    }
    H5Pclose(dcpl);
  });
  const H5Reader reader(bytes, "bomb.h5");
  CHECK(reader.read_float("fine", {1000}) == std::vector<float>(1000, 0.5f));
  CHECK_THROWS_MATCHES(reader.read_float("small_bomb", {1000}), ValueError,
                       Catch::Message("'bomb.h5': a chunk of dataset 'small_bomb' inflates to more than its 4000 "
                                      "bytes (a decompression bomb?); refusing to read it"));
  CHECK_THROWS_WITH(reader.read_float("big_bomb", {1000}),
                    Contains("a chunk of dataset 'big_bomb' stores " + std::to_string(big_bomb.size()) +
                             " bytes, more than its 4000 bytes of data"));
}

TEST_CASE("H5Reader refuses damaged attribute messages before HDF5 decodes them", "[saving][hdf5]") {
  // HDF5 1.10.8 copies an attribute's data with memcpy for as many bytes as its dataspace and
  // datatype declare, past the end of the message when they lie.
  auto bytes = build_h5([](hid_t file) {
    const hid_t group = H5Gcreate2(file, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t two = 2;
    const hid_t space = H5Screate_simple(1, &two, nullptr);
    const hid_t attribute = H5Acreate2(group, "weights", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT);
    const float values[2] = {1, 2};
    REQUIRE(H5Awrite(attribute, H5T_NATIVE_FLOAT, values) >= 0);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Gclose(group);
  });
  CHECK_FALSE(H5Reader(bytes, "fine.h5").string_attribute("g", "other").has_value());
  // The dataspace's one dimension, 2, follows the name in the attribute message: make it 2^20.
  const std::string image(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const auto name = image.find(std::string("weights\0", 8));
  REQUIRE(name != std::string::npos);
  const auto dimension = image.find(std::string("\x02\0\0\0\0\0\0\0", 8), name);
  REQUIRE(dimension - name < 64);
  bytes[dimension] = std::byte{0};
  bytes[dimension + 2] = std::byte{0x10};
  const H5Reader reader(bytes, "patched.h5");
  CHECK(reader.has_group("g"));
  CHECK_THROWS_MATCHES(reader.string_attribute("g", "other"), IOError,
                       Catch::Message("'patched.h5': the object header of 'g' is damaged (an attribute message: its "
                                      "data runs past it)"));
}

TEST_CASE("H5Reader refuses a dataset whose shape outgrows its storage", "[saving][hdf5]") {
  // HDF5 1.10.8 would copy as many bytes as the shape declares out of the object header.
  auto bytes = build_h5([](hid_t file) {
    const hid_t compact = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_layout(compact, H5D_COMPACT);
    const float values[7] = {1, 2, 3, 4, 5, 6, 7};
    make_dataset(file, "small", {7}, H5T_IEEE_F32LE, compact, values);
    H5Pclose(compact);
  });
  CHECK(H5Reader(bytes, "fine.h5").read_float("small", {7}) == std::vector<float>{1, 2, 3, 4, 5, 6, 7});
  // The dataspace's dimension and maximum dimension, 7, become 100.
  const std::string image(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string seven("\x07\0\0\0\0\0\0\0", 8);
  const auto dimension = image.find(seven);
  REQUIRE(dimension != std::string::npos);
  bytes[dimension] = std::byte{100};
  if (image.compare(dimension + 8, 8, seven) == 0) bytes[dimension + 8] = std::byte{100};
  const H5Reader reader(bytes, "compact.h5");
  REQUIRE(reader.dataset_info("small").shape == std::vector<std::int64_t>{100});
  CHECK_THROWS_MATCHES(reader.read_float("small", {100}), IOError,
                       Catch::Message("'compact.h5': dataset 'small' is damaged: its storage holds 28 bytes, fewer "
                                      "than the 100 values of 4 bytes its shape declares"));
}

TEST_CASE("H5Reader refuses chunks the chunk index records shorter than they are", "[saving][hdf5]") {
  // With its filter pipeline message turned into a null message, the fixture's gzip dataset
  // looks unfiltered, so each chunk should hold 400 bytes; its index says about 130. HDF5 1.10.8
  // would copy 400 bytes out of a 130-byte buffer.
  auto bytes = read_fixture("h5py_fixture.h5");
  const std::string image(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  // Pipeline version 1 with 3 filters, the first shuffle (id 2, an 8-byte name): the message
  // header, whose first two bytes are its type, is the 8 bytes before.
  const auto pipeline = image.find(std::string("\x01\x03\0\0\0\0\0\0\x02\0\x08\0", 12));
  REQUIRE(pipeline != std::string::npos);
  REQUIRE(image.compare(pipeline - 8, 2, std::string("\x0b\0", 2)) == 0);
  bytes[pipeline - 8] = std::byte{0};
  const H5Reader reader(bytes, "unfiltered.h5");
  CHECK_THROWS_WITH(reader.read_float("gzip", {1000}), Contains("'unfiltered.h5': a chunk of dataset 'gzip' holds ") &&
                                                           Contains(" bytes after its filters, not its 400"));
}

TEST_CASE("H5Reader reads version 2 object headers and refuses dense attribute storage", "[saving][hdf5]") {
  const auto bytes = build_h5(
      [](hid_t file) {
        const hid_t compact = H5Gcreate2(file, "compact", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t dense_list = H5Pcreate(H5P_GROUP_CREATE);
        H5Pset_attr_phase_change(dense_list, 0, 0);  // every attribute goes to dense storage
        const hid_t dense = H5Gcreate2(file, "dense", H5P_DEFAULT, dense_list, H5P_DEFAULT);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        const hid_t space = H5Screate(H5S_SCALAR);
        const char* value = "dense";
        for (const hid_t group : {compact, dense}) {
          const hid_t attribute = H5Acreate2(group, "name", type, space, H5P_DEFAULT, H5P_DEFAULT);
          REQUIRE(H5Awrite(attribute, type, &value) >= 0);
          H5Aclose(attribute);
        }
        H5Sclose(space);
        H5Tclose(type);
        H5Gclose(dense);
        H5Gclose(compact);
        H5Pclose(dense_list);
      },
      H5P_DEFAULT, true);
  const H5Reader reader(bytes, "latest.h5");
  CHECK(reader.string_attribute("compact", "name") == "dense");
  CHECK_THROWS_MATCHES(reader.string_attribute("dense", "name"), ValueError,
                       Catch::Message("'latest.h5': 'dense' keeps its attributes in dense storage; Strata reads "
                                      "attributes kept in the object header only"));
}

TEST_CASE("H5Reader keeps HDF5 quiet and restores the program's error handler", "[saving][hdf5]") {
  static int calls = 0;
  const H5E_auto2_t handler = [](hid_t, void*) -> herr_t {
    ++calls;
    return 0;
  };
  int marker = 0;
  H5E_auto2_t saved_func = nullptr;
  void* saved_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2(H5E_DEFAULT, handler, &marker);
  unsigned plugins_before = 0;
  H5PLget_loading_state(&plugins_before);
  const std::vector<std::byte> garbage(4096, std::byte{0x5a});
  CHECK_THROWS_MATCHES(H5Reader(garbage, "garbage.h5"), IOError,
                       Catch::Message("'garbage.h5': not a readable HDF5 file: unable to open file (file signature "
                                      "not found)"));
  CHECK_THROWS_MATCHES(H5Reader(std::vector<std::byte>{}, "empty.h5"), IOError,
                       Catch::Message("'empty.h5': not an HDF5 file (it is empty)"));
  const H5Reader reader(written_file(), "w.h5");
  CHECK_THROWS_AS(reader.read_float("nothing", {1}), ValueError);
  CHECK(calls == 0);
  H5E_auto2_t func = nullptr;
  void* data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  CHECK(func == handler);
  CHECK(data == &marker);
  unsigned plugins = 0;
  H5PLget_loading_state(&plugins);
  CHECK(plugins == plugins_before);
  H5Eset_auto2(H5E_DEFAULT, saved_func, saved_data);
}

TEST_CASE("Truncated HDF5 files give an error at every length", "[saving][hdf5]") {
  for (const auto& [name, bytes] : {std::pair{std::string("written.h5"), written_file()},
                                    std::pair{std::string("h5py_fixture.h5"), read_fixture("h5py_fixture.h5")}}) {
    INFO(name);
    int refused = 0, sizes = 0;
    for (std::size_t size = 0; size < bytes.size(); size += (size < 64 ? 1 : 37)) {
      ++sizes;
      try {
        const H5Reader reader{std::span<const std::byte>(bytes).first(size), name};
        exercise(reader);
      } catch (const IOError&) {
        ++refused;
      }
    }
    // HDF5 compares the file's size with the end address its superblock records.
    CHECK(refused == sizes);
  }
}

TEST_CASE("HDF5 files with flipped bytes read or fail cleanly", "[saving][hdf5]") {
  // In a child process: HDF5 1.10.8 keeps part of some damaged files open after refusing them
  // (h5dump does too, and reports "infinite loop closing library" at exit), which would leak
  // into the other tests and the sanitizer's leak report. The child checks that Strata's own
  // HDF5 ids all get closed, and fails on any exception that is not a strata::Error.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int opened = 0;
    std::string failure;
    try {
      std::mt19937 random(20240611);
      // Files, groups, datasets, named datatypes and attributes still open, in every file.
      const auto open_ids = [] { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); };
      const ssize_t ids_before = open_ids();
      for (const auto& [name, original] :
           {std::pair{std::string("written.h5"), written_file()},
            std::pair{std::string("h5py_fixture.h5"), read_fixture("h5py_fixture.h5")}}) {
        std::uniform_int_distribution<std::size_t> position(0, original.size() - 1);
        std::uniform_int_distribution<int> value(0, 255), flips(1, 4);
        for (int trial = 0; trial < 200 && failure.empty(); ++trial) {
          auto bytes = original;
          for (int i = flips(random); i > 0; --i) bytes[position(random)] = static_cast<std::byte>(value(random));
          try {
            const H5Reader reader(std::move(bytes), name);
            ++opened;
            exercise(reader);
          } catch (const strata::Error&) {
          } catch (const std::exception& e) {
            failure = name + " trial " + std::to_string(trial) + ": " + e.what();
          }
          if (failure.empty() && open_ids() != ids_before) {
            failure = name + " trial " + std::to_string(trial) + ": HDF5 ids left open";
          }
        }
      }
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      // A failed REQUIRE (Catch's own exception) must not let the child run the rest of the suite.
      failure = "a check failed in the child process";
    }
    if (opened == 0 && failure.empty()) failure = "no damaged file opened at all";
    if (!failure.empty()) std::fprintf(stderr, "%s\n", failure.c_str());
    std::fflush(stderr);
    ::_exit(failure.empty() ? 0 : 1);  // no atexit handlers: HDF5's shutdown and the leak report stay in the parent
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("the child " << (WIFSIGNALED(status) ? "died of signal " + std::to_string(WTERMSIG(status))
                                            : "exited with " + std::to_string(WEXITSTATUS(status))));
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
