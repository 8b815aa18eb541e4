// ZipWriter and ZipReader over libzip's in-memory sources (zip_source_buffer_create and
// zip_open_from_source), so a .keras file is built and read with no temporary files.
//
// libzip's public API gives names as C strings, so a name with a NUL byte inside would reach
// Strata shortened. The reader therefore also walks the central directory itself (bounds
// checked, read-only) to see every name's raw bytes, and refuses an archive where that walk and
// libzip disagree.

#include "api/saving/zip_archive.hpp"

#include <zip.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

#include "strata/error.hpp"

namespace strata::detail {
namespace {

// Why a name is unsafe, or nullptr when it is safe (the rules are in zip_archive.hpp).
const char* unsafe_name_reason(std::string_view name) {
  if (name.empty()) return "an empty name";
  if (name.find('\0') != std::string_view::npos) return "a NUL byte";
  if (name.find('\\') != std::string_view::npos) return "a backslash";
  if (name.front() == '/') return "an absolute path";
  if (name.back() == '/') name.remove_suffix(1);  // a directory entry
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty()) return "an empty path component";
    if (part == "..") return "a '..' component";
    if (part == ".") return "a '.' component";
    start = end + 1;
  }
  return nullptr;
}

// Shows a name in a message with control bytes escaped (a NUL would end the message early).
std::string printable(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::uint64_t little_endian(const std::byte* at, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | static_cast<std::uint64_t>(at[i]);
  return value;
}

// The raw names of the central directory, in order, or nullopt when it cannot be walked. Reads
// only inside `bytes`: every offset is checked against the size before use.
std::optional<std::vector<std::string>> central_directory_names(std::span<const std::byte> bytes) {
  constexpr std::size_t kEndSize = 22, kLocatorSize = 20, kZip64EndSize = 56, kEntrySize = 46;
  const std::size_t size = bytes.size();
  if (size < kEndSize) return std::nullopt;
  // The end record is the last one whose comment reaches the end of the file exactly.
  std::optional<std::size_t> end;
  const std::size_t lowest = size - kEndSize > 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (std::size_t at = size - kEndSize + 1; at-- > lowest;) {
    if (little_endian(&bytes[at], 4) == 0x06054b50 && at + kEndSize + little_endian(&bytes[at + 20], 2) == size) {
      end = at;
      break;
    }
  }
  if (!end) return std::nullopt;
  std::uint64_t count = little_endian(&bytes[*end + 10], 2);
  std::uint64_t directory_size = little_endian(&bytes[*end + 12], 4);
  std::uint64_t directory_offset = little_endian(&bytes[*end + 16], 4);
  if (count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    // Zip64: a locator just before the end record gives the offset of the zip64 end record.
    if (*end < kLocatorSize || little_endian(&bytes[*end - kLocatorSize], 4) != 0x07064b50) return std::nullopt;
    const std::uint64_t zip64_end = little_endian(&bytes[*end - kLocatorSize + 8], 8);
    if (zip64_end > size || size - zip64_end < kZip64EndSize || little_endian(&bytes[zip64_end], 4) != 0x06064b50) {
      return std::nullopt;
    }
    count = little_endian(&bytes[zip64_end + 32], 8);
    directory_size = little_endian(&bytes[zip64_end + 40], 8);
    directory_offset = little_endian(&bytes[zip64_end + 48], 8);
  }
  if (directory_offset > size || directory_size > size - directory_offset) return std::nullopt;
  // Each entry takes 46 bytes at least, so the count cannot exceed what the directory holds.
  if (count > directory_size / kEntrySize) return std::nullopt;
  std::vector<std::string> names;
  std::size_t at = directory_offset;
  const std::size_t directory_end = directory_offset + directory_size;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (directory_end - at < kEntrySize || little_endian(&bytes[at], 4) != 0x02014b50) return std::nullopt;
    const std::size_t name_size = little_endian(&bytes[at + 28], 2);
    const std::size_t rest = name_size + little_endian(&bytes[at + 30], 2) + little_endian(&bytes[at + 32], 2);
    if (directory_end - at - kEntrySize < rest) return std::nullopt;
    names.emplace_back(reinterpret_cast<const char*>(&bytes[at + kEntrySize]), name_size);
    at += kEntrySize + rest;
  }
  return names;
}

// libzip's message for an archive-level failure.
std::string archive_error(zip_t* archive) { return zip_strerror(archive); }

}  // namespace

// ---- ZipWriter ---------------------------------------------------------------------------------

ZipWriter::ZipWriter(std::string display_name) : name_(std::move(display_name)) {}

void ZipWriter::add(const std::string& name, std::vector<std::byte> bytes, bool compress) {
  if (finished_) throw StateError(concat("'", name_, "': the zip writer has already finished its archive"));
  if (const char* reason = unsafe_name_reason(name)) {
    throw ValueError(concat("'", name_, "': cannot add entry '", printable(name), "': its name has ", reason));
  }
  if (std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) { return entry.name == name; })) {
    throw ValueError(concat("'", name_, "': entry '", name, "' was added twice"));
  }
  entries_.push_back({name, std::move(bytes), compress});
}

std::vector<std::byte> ZipWriter::finish() {
  if (finished_) throw StateError(concat("'", name_, "': the zip writer has already finished its archive"));
  finished_ = true;
  const auto entries = std::move(entries_);  // freed on every way out of finish
  if (entries.empty()) {
    // libzip deletes an archive left with no entries; an empty zip is its end record alone.
    const std::byte end_record[22] = {std::byte{'P'}, std::byte{'K'}, std::byte{5}, std::byte{6}};
    return std::vector<std::byte>(std::begin(end_record), std::end(end_record));
  }

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!target) {
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw IOError(concat("'", name_, "': libzip could not make an in-memory archive: ", reason));
  }
  zip_t* archive = zip_open_from_source(target, ZIP_TRUNCATE, &error);
  if (!archive) {
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    zip_source_free(target);
    throw IOError(concat("'", name_, "': libzip could not make an in-memory archive: ", reason));
  }
  zip_error_fini(&error);
  // The archive frees its source when closed; the bytes are read from it after that.
  zip_source_keep(target);
  struct Release {
    zip_source_t* source;
    ~Release() { zip_source_free(source); }
  } release{target};

  for (const auto& entry : entries) {
    // libzip reads the buffer only in zip_close, while `entries` still holds it.
    zip_source_t* source = zip_source_buffer(archive, entry.bytes.data(), entry.bytes.size(), 0);
    const zip_int64_t index = source ? zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0 || zip_set_file_compression(archive, static_cast<zip_uint64_t>(index),
                                              entry.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
      const std::string reason = archive_error(archive);
      if (source && index < 0) zip_source_free(source);
      zip_discard(archive);
      throw IOError(concat("'", name_, "': libzip could not add entry '", entry.name, "': ", reason));
    }
  }
  if (zip_close(archive) != 0) {
    const std::string reason = archive_error(archive);
    zip_discard(archive);
    throw IOError(concat("'", name_, "': libzip could not write the archive: ", reason));
  }

  if (zip_source_open(target) != 0) {
    throw IOError(concat("'", name_,
                         "': libzip could not read back the archive: ", zip_error_strerror(zip_source_error(target))));
  }
  std::vector<std::byte> bytes;
  zip_int64_t size = -1;
  if (zip_source_seek(target, 0, SEEK_END) == 0) size = zip_source_tell(target);
  if (size >= 0 && zip_source_seek(target, 0, SEEK_SET) == 0) {
    bytes.resize(static_cast<std::size_t>(size));
    if (zip_source_read(target, bytes.data(), bytes.size()) != size) size = -1;
  }
  zip_source_close(target);
  if (size < 0) {
    throw IOError(concat("'", name_,
                         "': libzip could not read back the archive: ", zip_error_strerror(zip_source_error(target))));
  }
  return bytes;
}

// ---- ZipReader ---------------------------------------------------------------------------------

ZipReader::ZipReader(std::span<const std::byte> bytes, std::string display_name)
    : name_(std::move(display_name)), image_(bytes.begin(), bytes.end()) {
  open();
}

ZipReader::ZipReader(std::vector<std::byte>&& bytes, std::string display_name)
    : name_(std::move(display_name)), image_(std::move(bytes)) {
  open();
}

ZipReader::ZipReader(ZipReader&& other) noexcept
    : name_(std::move(other.name_)),
      image_(std::move(other.image_)),  // the heap buffer libzip reads moves with it
      archive_(std::move(other.archive_)),
      names_(std::move(other.names_)),
      index_(std::move(other.index_)) {}

ZipReader::~ZipReader() = default;

void ZipReader::Discard::operator()(zip_t* archive) const { zip_discard(archive); }

void ZipReader::open() {
  if (image_.empty()) throw IOError(concat("'", name_, "': not a zip archive (it is empty)"));
  // The walk first: it refuses an absurd entry count before libzip allocates for it.
  const auto raw_names = central_directory_names(image_);
  if (raw_names && raw_names->size() > kMaxZipEntries) {
    throw ValueError(concat("'", name_, "': the archive has ", raw_names->size(), " entries, more than Strata reads (",
                            kMaxZipEntries, ")"));
  }

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(image_.data(), image_.size(), 0, &error);
  if (source) archive_.reset(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive_) {
    const std::string reason = zip_error_strerror(&error);
    const bool duplicate = zip_error_code_zip(&error) == ZIP_ER_EXISTS;
    zip_error_fini(&error);
    if (source) zip_source_free(source);
    // libzip refuses an archive naming two entries alike before Strata sees the names.
    if (duplicate) throw ValueError(concat("'", name_, "': two entries have the same name; refusing the archive"));
    throw IOError(concat("'", name_, "': not a readable zip archive: ", reason));
  }
  zip_error_fini(&error);

  const zip_int64_t count = zip_get_num_entries(archive_.get(), 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > kMaxZipEntries) {
    throw ValueError(
        concat("'", name_, "': the archive has ", count, " entries, more than Strata reads (", kMaxZipEntries, ")"));
  }
  if (!raw_names || raw_names->size() != static_cast<std::size_t>(count)) {
    throw ValueError(concat("'", name_, "': the archive's central directory cannot be read consistently"));
  }
  for (zip_int64_t i = 0; i < count; ++i) {
    const std::string& raw = (*raw_names)[static_cast<std::size_t>(i)];
    const char* seen = zip_get_name(archive_.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (const char* reason = unsafe_name_reason(raw)) {
      throw ValueError(concat("'", name_, "': entry '", printable(raw), "' has an unsafe name (", reason,
                              "); refusing the archive"));
    }
    if (!seen || raw != seen) {
      throw ValueError(concat("'", name_, "': the archive's central directory cannot be read consistently"));
    }
    if (!index_.emplace(raw, static_cast<std::uint64_t>(i)).second) {
      throw ValueError(concat("'", name_, "': entry '", raw, "' appears twice; refusing the archive"));
    }
    names_.push_back(raw);
  }
}

std::vector<std::byte> ZipReader::read(const std::string& name, std::uint64_t max_bytes) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = index_.find(name);
  if (found == index_.end()) throw ValueError(concat("'", name_, "': no entry '", name, "' in the archive"));
  const zip_uint64_t index = found->second;
  const std::string what = concat("entry '", name, "'");

  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_.get(), index, 0, &stat) != 0) {
    throw IOError(concat("'", name_, "': libzip could not read ", what, ": ", archive_error(archive_.get())));
  }
  if ((stat.valid & ZIP_STAT_SIZE) == 0 || (stat.valid & ZIP_STAT_COMP_METHOD) == 0) {
    throw IOError(concat("'", name_, "': ", what, " has no size or compression method"));
  }
  if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
    throw ValueError(concat("'", name_, "': ", what, " is encrypted; Strata reads unencrypted archives only"));
  }
  if (stat.comp_method != ZIP_CM_STORE && stat.comp_method != ZIP_CM_DEFLATE) {
    throw ValueError(concat("'", name_, "': ", what, " uses compression method ", stat.comp_method,
                            "; Strata reads stored and deflated entries only"));
  }
  if (stat.size > max_bytes) {
    throw ValueError(concat("'", name_, "': ", what, " declares ", stat.size, " bytes, more than the limit of ",
                            max_bytes, " bytes"));
  }

  zip_file_t* file = zip_fopen_index(archive_.get(), index, 0);
  if (!file) throw IOError(concat("'", name_, "': libzip could not open ", what, ": ", archive_error(archive_.get())));
  struct Close {
    zip_file_t* file;
    ~Close() {
      if (file) zip_fclose(file);
    }
  } close{file};
  const auto damaged = [&] {
    return IOError(concat("'", name_, "': ", what, " is damaged: ", zip_file_strerror(file)));
  };

  std::vector<std::byte> bytes(static_cast<std::size_t>(stat.size));
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const zip_int64_t got = zip_fread(file, bytes.data() + filled, bytes.size() - filled);
    if (got < 0) throw damaged();
    if (got == 0) {
      throw IOError(concat("'", name_, "': ", what, " ends after ", filled, " of its declared ", stat.size, " bytes"));
    }
    filled += static_cast<std::size_t>(got);
  }
  // One more read reaches the end of the data, where libzip checks the CRC and the size; data
  // past the declared size (a bomb whose header lies) stops here.
  std::byte probe[1];
  const zip_int64_t extra = zip_fread(file, probe, sizeof probe);
  if (extra < 0) throw damaged();
  if (extra > 0) {
    throw ValueError(concat("'", name_, "': ", what, " holds more data than the ", stat.size,
                            " bytes it declares; refusing it (a decompression bomb?)"));
  }
  const int closed = zip_fclose(std::exchange(close.file, nullptr));
  if (closed != 0) {
    zip_error_t error;
    zip_error_init_with_code(&error, closed);
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw IOError(concat("'", name_, "': ", what, " is damaged: ", reason));
  }
  return bytes;
}

}  // namespace strata::detail
