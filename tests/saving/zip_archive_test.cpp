// ZipWriter and ZipReader: round trips, stored and deflated entries, and hostile archives
// crafted byte by byte here (unsafe and duplicate names, too many entries, sizes over the
// limit, a 100 MB bomb with an honest and with a lying header, CRC mismatches, truncations,
// byte flips). Every refusal must be a strata::Error naming the archive.

#include <zip.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "api/saving/zip_archive.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::detail;
using Catch::Matchers::Contains;

namespace {

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

std::string text_of(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// An entry exactly as it will sit in a crafted archive: `stored` is the data after compression,
// `crc` and `size` are what the headers declare, true or not.
struct RawEntry {
  std::string name;
  std::string stored;
  std::uint16_t method = 0;  // 0 store, 8 deflate
  std::uint32_t crc = 0;
  std::uint32_t size = 0;
  std::uint16_t flags = 0;
};

RawEntry stored_entry(const std::string& name, const std::string& data) {
  const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), data.size()));
  return {name, data, 0, crc, static_cast<std::uint32_t>(data.size()), 0};
}

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

// A zip archive written field by field, so its headers can say anything.
std::vector<std::byte> craft_zip(const std::vector<RawEntry>& entries) {
  std::string out, directory;
  for (const auto& entry : entries) {
    const auto offset = out.size();
    for (std::string* header : {&out, &directory}) {
      const bool local = header == &out;
      put(*header, local ? 0x04034b50 : 0x02014b50, 4);
      if (!local) put(*header, 20, 2);  // version made by
      put(*header, 20, 2);              // version needed
      put(*header, entry.flags, 2);
      put(*header, entry.method, 2);
      put(*header, 0, 2);     // time
      put(*header, 0x21, 2);  // date: 1980-01-01
      put(*header, entry.crc, 4);
      put(*header, entry.stored.size(), 4);
      put(*header, entry.size, 4);
      put(*header, entry.name.size(), 2);
      put(*header, 0, 2);  // extra field length
      if (!local) {
        put(*header, 0, 2);  // comment length
        put(*header, 0, 2);  // disk
        put(*header, 0, 2);  // internal attributes
        put(*header, 0, 4);  // external attributes
        put(*header, offset, 4);
      }
      *header += entry.name;
    }
    out += entry.stored;
  }
  const auto directory_offset = out.size();
  out += directory;
  put(out, 0x06054b50, 4);
  put(out, 0, 4);  // disk numbers
  put(out, entries.size(), 2);
  put(out, entries.size(), 2);
  put(out, directory.size(), 4);
  put(out, directory_offset, 4);
  put(out, 0, 2);  // comment length
  return bytes_of(out);
}

// `megabytes` MB of zeros as a raw deflate stream (what zip's method 8 holds), with their CRC;
// made 1 MB at a time so the test itself never holds the inflated data.
RawEntry zero_bomb(const std::string& name, int megabytes) {
  const std::vector<unsigned char> zeros(1'000'000);
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string packed;
  std::vector<unsigned char> buffer(1 << 16);
  uLong crc = crc32(0, nullptr, 0);
  for (int i = 0; i < megabytes; ++i) {
    crc = crc32(crc, zeros.data(), static_cast<uInt>(zeros.size()));
    stream.next_in = const_cast<unsigned char*>(zeros.data());
    stream.avail_in = static_cast<uInt>(zeros.size());
    const int flush = i + 1 == megabytes ? Z_FINISH : Z_NO_FLUSH;
    int status;
    do {
      stream.next_out = buffer.data();
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&stream, flush);
      packed.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  }
  deflateEnd(&stream);
  return {name, packed, 8, static_cast<std::uint32_t>(crc), static_cast<std::uint32_t>(megabytes * 1'000'000), 0};
}

// Reads every entry; a strata::Error is fine, anything else fails the test.
void exercise(const ZipReader& reader) {
  for (const auto& name : reader.names()) {
    try {
      (void)reader.read(name, 1 << 20);
    } catch (const strata::Error&) {
    }
  }
}

// The process's resident memory and its peak since the last reset, in kB (Linux).
long status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

std::vector<std::byte> sample_archive() {
  ZipWriter writer("model.keras");
  writer.add("metadata.json", bytes_of(R"({"keras_version": "3.15.1"})"), false);
  writer.add("config.json", bytes_of(std::string(5000, 'x') + "{\"class_name\": \"Sequential\"}"), true);
  writer.add("model.weights.h5", bytes_of("\x89HDF\r\n\x1a\n-stored-weights-payload-0123456789"), false);
  writer.add("assets/caf\xc3\xa9.txt", {}, false);
  return writer.finish();
}

}  // namespace

TEST_CASE("ZipWriter's archive reads back exactly, stored or deflated", "[saving][zip]") {
  const auto archive = sample_archive();
  const ZipReader reader(archive, "model.keras");
  CHECK(reader.names() ==
        std::vector<std::string>{"metadata.json", "config.json", "model.weights.h5", "assets/caf\xc3\xa9.txt"});
  CHECK(reader.contains("config.json"));
  CHECK_FALSE(reader.contains("missing.json"));
  CHECK(text_of(reader.read("metadata.json", 100)) == R"({"keras_version": "3.15.1"})");
  CHECK(text_of(reader.read("config.json", 1 << 20)) == std::string(5000, 'x') + "{\"class_name\": \"Sequential\"}");
  CHECK(text_of(reader.read("model.weights.h5", 1000)) == "\x89HDF\r\n\x1a\n-stored-weights-payload-0123456789");
  CHECK(reader.read("assets/caf\xc3\xa9.txt", 0).empty());
  CHECK(reader.read("metadata.json", 27).size() == 27);  // a limit equal to the size is fine
  CHECK_THROWS_MATCHES(reader.read("missing.json", 10), ValueError,
                       Catch::Message("'model.keras': no entry 'missing.json' in the archive"));

  // Stored entries stay stored (Keras stores everything); deflated ones shrink.
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  REQUIRE(zip);
  zip_stat_t stat;
  REQUIRE(zip_stat(zip, "model.weights.h5", 0, &stat) == 0);
  CHECK(stat.comp_method == ZIP_CM_STORE);
  REQUIRE(zip_stat(zip, "config.json", 0, &stat) == 0);
  CHECK(stat.comp_method == ZIP_CM_DEFLATE);
  CHECK(stat.comp_size < 200);
  zip_discard(zip);
  zip_error_fini(&error);
}

TEST_CASE("ZipWriter refuses unsafe and duplicate names and works once", "[saving][zip]") {
  ZipWriter writer("out.keras");
  CHECK_THROWS_MATCHES(writer.add("../evil", {}, false), ValueError,
                       Catch::Message("'out.keras': cannot add entry '../evil': its name has a '..' component"));
  CHECK_THROWS_AS(writer.add("/etc/passwd", {}, false), ValueError);
  CHECK_THROWS_AS(writer.add("a\\b", {}, false), ValueError);
  CHECK_THROWS_AS(writer.add(std::string("a\0b", 3), {}, false), ValueError);
  CHECK_THROWS_AS(writer.add("", {}, false), ValueError);
  writer.add("assets/", {}, false);  // a directory entry
  writer.add("a.json", {}, true);
  CHECK_THROWS_MATCHES(writer.add("a.json", {}, true), ValueError,
                       Catch::Message("'out.keras': entry 'a.json' was added twice"));
  const auto archive = writer.finish();
  CHECK(ZipReader(archive, "out.keras").names() == std::vector<std::string>{"assets/", "a.json"});
  CHECK_THROWS_AS(writer.finish(), StateError);
  CHECK_THROWS_AS(writer.add("b", {}, false), StateError);
  CHECK(ZipReader(ZipWriter().finish(), "empty.zip").names().empty());  // an empty archive is still one
}

TEST_CASE("ZipReader reads a crafted archive and refuses unsafe names", "[saving][zip]") {
  const ZipReader fine(craft_zip({stored_entry("a/b.txt", "hello")}), "fine.zip");
  CHECK(text_of(fine.read("a/b.txt", 5)) == "hello");
  for (const auto& [name, reason] :
       std::vector<std::pair<std::string, std::string>>{{"../evil.txt", "a '..' component"},
                                                        {"assets/../../evil.txt", "a '..' component"},
                                                        {"/etc/passwd", "an absolute path"},
                                                        {"assets\\..\\evil.txt", "a backslash"},
                                                        {std::string("config.json\0.exe", 16), "a NUL byte"},
                                                        {"a//b", "an empty path component"},
                                                        {"./a", "a '.' component"},
                                                        {"", "an empty name"}}) {
    INFO(name);
    const auto archive = craft_zip({stored_entry("ok.txt", "ok"), stored_entry(name, "evil")});
    std::string shown = name;
    if (auto nul = shown.find('\0'); nul != std::string::npos) shown.replace(nul, 1, "\\x00");
    CHECK_THROWS_MATCHES(
        ZipReader(archive, "evil.zip"), ValueError,
        Catch::Message("'evil.zip': entry '" + shown + "' has an unsafe name (" + reason + "); refusing the archive"));
  }
}

TEST_CASE("ZipReader refuses duplicate names, too many entries, encryption and other methods", "[saving][zip]") {
  CHECK_THROWS_MATCHES(ZipReader(craft_zip({stored_entry("a.txt", "1"), stored_entry("a.txt", "2")}), "dup.zip"),
                       ValueError, Catch::Message("'dup.zip': two entries have the same name; refusing the archive"));

  std::vector<RawEntry> many;
  for (int i = 0; i <= 10000; ++i) many.push_back(stored_entry("e" + std::to_string(i), ""));
  CHECK_THROWS_MATCHES(ZipReader(craft_zip(many), "many.zip"), ValueError,
                       Catch::Message("'many.zip': the archive has 10001 entries, more than Strata reads (10000)"));
  many.pop_back();
  CHECK(ZipReader(craft_zip(many), "many.zip").names().size() == 10000);

  auto encrypted = stored_entry("secret.txt", "xxxxxxxxxxxxxxxx");
  encrypted.flags = 1;
  const ZipReader locked(craft_zip({encrypted}), "locked.zip");
  CHECK_THROWS_MATCHES(locked.read("secret.txt", 100), ValueError,
                       Catch::Message("'locked.zip': entry 'secret.txt' is encrypted; Strata reads unencrypted "
                                      "archives only"));
  auto bzip2 = stored_entry("b.txt", "data");
  bzip2.method = 12;
  const ZipReader other(craft_zip({bzip2}), "bzip2.zip");
  CHECK_THROWS_MATCHES(other.read("b.txt", 100), ValueError,
                       Catch::Message("'bzip2.zip': entry 'b.txt' uses compression method 12; Strata reads stored "
                                      "and deflated entries only"));
}

TEST_CASE("ZipReader refuses entries over the limit, and bombs whatever their headers say", "[saving][zip]") {
  const ZipReader big(craft_zip({stored_entry("big.bin", std::string(2'000'000, 'b'))}), "big.zip");
  CHECK_THROWS_MATCHES(big.read("big.bin", 1'000'000), ValueError,
                       Catch::Message("'big.zip': entry 'big.bin' declares 2000000 bytes, more than the limit of "
                                      "1000000 bytes"));
  CHECK(big.read("big.bin", 2'000'000).size() == 2'000'000);

  const RawEntry honest = zero_bomb("bomb.bin", 100);  // 100 MB of zeros in about 100 KB
  RawEntry lying = honest;
  lying.size = 1000;
  const ZipReader bombs(craft_zip({honest,
                                   [&] {
                                     auto entry = lying;
                                     entry.name = "lying.bin";
                                     return entry;
                                   }()}),
                        "bomb.keras");
  // Measure the peak resident memory of the refusals alone (Linux resets it through clear_refs).
  const bool can_reset_peak = static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5");
  const long resident_before = status_kb("VmRSS");
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_MATCHES(bombs.read("bomb.bin", 1'000'000), ValueError,
                       Catch::Message("'bomb.keras': entry 'bomb.bin' declares 100000000 bytes, more than the limit of "
                                      "1000000 bytes"));
  CHECK_THROWS_MATCHES(
      bombs.read("lying.bin", 1'000'000), ValueError,
      Catch::Message("'bomb.keras': entry 'lying.bin' holds more data than the 1000 bytes it declares; "
                     "refusing it (a decompression bomb?)"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long peak_growth_kb = status_kb("VmHWM") - resident_before;
  WARN("bomb refusals took " << seconds * 1000 << " ms; peak resident memory grew by "
                             << (can_reset_peak ? std::to_string(peak_growth_kb) + " kB" : "(not measurable here)"));
  CHECK(seconds < 1.0);
  if (can_reset_peak) CHECK(peak_growth_kb < 20'000);
}

TEST_CASE("ZipReader reports CRC mismatches and damaged data as IOError", "[saving][zip]") {
  auto archive = sample_archive();
  const std::string payload = "-stored-weights-payload-";
  const std::string text = text_of(archive);
  const auto at = text.find(payload);
  REQUIRE(at != std::string::npos);
  archive[at + 3] ^= std::byte{0x20};
  const ZipReader reader(archive, "flipped.keras");
  CHECK_THROWS_MATCHES(reader.read("model.weights.h5", 1000), IOError,
                       Catch::Message("'flipped.keras': entry 'model.weights.h5' is damaged: CRC error"));
  CHECK(reader.read("metadata.json", 100).size() == 27);  // the other entries still read

  auto wrong_crc = stored_entry("a.txt", "hello");
  wrong_crc.crc ^= 1;
  CHECK_THROWS_WITH(ZipReader(craft_zip({wrong_crc}), "crc.zip").read("a.txt", 10), Contains("CRC error"));
  auto short_data = stored_entry("a.txt", "hello");
  short_data.size = 9;  // declares more than the stored bytes hold
  CHECK_THROWS_AS(ZipReader(craft_zip({short_data}), "short.zip").read("a.txt", 10), IOError);
  auto garbage_stream = stored_entry("a.txt", "this is not deflate data");
  garbage_stream.method = 8;
  CHECK_THROWS_AS(ZipReader(craft_zip({garbage_stream}), "stream.zip").read("a.txt", 100), IOError);
}

TEST_CASE("Truncated and garbage archives give an IOError naming the file", "[saving][zip]") {
  CHECK_THROWS_MATCHES(ZipReader(std::vector<std::byte>{}, "empty.keras"), IOError,
                       Catch::Message("'empty.keras': not a zip archive (it is empty)"));
  CHECK_THROWS_MATCHES(ZipReader(std::vector<std::byte>(1000, std::byte{7}), "garbage.keras"), IOError,
                       Catch::Message("'garbage.keras': not a readable zip archive: Not a zip archive"));
  const auto archive = sample_archive();
  int refused = 0, sizes = 0;
  for (std::size_t size = 0; size < archive.size(); size += (size < 64 || archive.size() - size < 128 ? 1 : 7)) {
    ++sizes;
    try {
      const ZipReader reader{std::span<const std::byte>(archive).first(size), "cut.keras"};
      exercise(reader);
    } catch (const strata::Error& e) {
      CHECK_THAT(e.what(), Contains("'cut.keras'"));
      ++refused;
    }
  }
  CHECK(refused == sizes);
}

TEST_CASE("Archives with flipped bytes read or fail cleanly", "[saving][zip]") {
  const auto original = sample_archive();
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> value(0, 255), flips(1, 3);
  for (int trial = 0; trial < 300; ++trial) {
    auto bytes = original;
    for (int i = flips(random); i > 0; --i) bytes[position(random)] = static_cast<std::byte>(value(random));
    INFO("trial " << trial);
    try {
      const ZipReader reader(std::move(bytes), "flips.keras");
      exercise(reader);
    } catch (const strata::Error&) {
    }
  }
}
