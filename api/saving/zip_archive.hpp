#pragma once
// A small, hardened layer over libzip for the .keras format (a zip of config.json,
// metadata.json and model.weights.h5): ZipWriter builds an archive in memory, ZipReader reads
// one from memory. Both exist so the saving code never touches libzip and gets one clear,
// typed error for every hostile or damaged archive: no entry name that could escape a
// directory, no inflation past a limit, no allocation a lying header asks for.
//
// Errors (every reader message starts with the display name, quoted):
//  - IOError: the bytes are not a zip archive, or libzip fails on them (truncated, inconsistent
//    headers, a CRC mismatch, corrupt deflate data); the message carries libzip's reason.
//  - ValueError: the archive reads but holds something Strata refuses: an unsafe or duplicate
//    entry name, more than 10000 entries, an encrypted entry, a compression method other than
//    store and deflate, an entry larger than the caller's limit (declared or real), an entry
//    whose data runs past its declared size, a missing entry. Also a bad name given to add().
//  - StateError: a ZipWriter used after finish().
//
// A safe entry name is non-empty, relative (no leading '/'), has no '\' and no NUL byte, and
// no component that is empty, "." or ".." ("assets/" may end in one '/': a directory entry).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

struct zip;  // libzip's zip_t

namespace strata::detail {

/// The most entries ZipReader accepts (a .keras file has three, plus its assets).
inline constexpr std::size_t kMaxZipEntries = 10000;

/// Builds a zip archive in memory. Entries keep the order they were added in.
class ZipWriter {
 public:
  ZipWriter() = default;
  /// `display_name` is used in error messages only.
  explicit ZipWriter(std::string display_name);

  /// Adds an entry, stored when !compress (Keras stores every entry), else deflated. The buffer
  /// is kept until finish(). An unsafe or duplicate name is a ValueError.
  void add(const std::string& name, std::vector<std::byte> bytes, bool compress);
  /// The archive's bytes. The writer is done after it: any further call is a StateError.
  std::vector<std::byte> finish();

 private:
  struct Entry {
    std::string name;
    std::vector<std::byte> bytes;
    bool compress;
  };
  std::string name_ = "zip archive";
  std::vector<Entry> entries_;
  bool finished_ = false;
};

/// Reads a zip archive held in memory. Its calls are serialised by a mutex of its own (libzip's
/// archive handle is not safe for concurrent use).
class ZipReader {
 public:
  /// Copies `bytes` and opens the copy (the caller's buffer may go away afterwards).
  ZipReader(std::span<const std::byte> bytes, std::string display_name);
  /// Takes the buffer over without copying it.
  ZipReader(std::vector<std::byte>&& bytes, std::string display_name);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;
  ZipReader(ZipReader&& other) noexcept;
  ZipReader& operator=(ZipReader&&) = delete;

  const std::string& display_name() const { return name_; }
  /// The entries' names, in the archive's order.
  std::vector<std::string> names() const { return names_; }
  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  /// An entry's bytes. ValueError when the entry is missing, declares more than `max_bytes`
  /// (refused before reading) or turns out longer than it declares (reading stops one byte past
  /// the declared size: a bomb whose header lies is never inflated further); IOError when its
  /// data is damaged (CRC mismatch, corrupt deflate stream, truncated).
  std::vector<std::byte> read(const std::string& name, std::uint64_t max_bytes) const;

 private:
  void open();

  // Discards the archive, also when open() throws after opening it.
  struct Discard {
    void operator()(::zip* archive) const;
  };

  std::string name_;
  std::vector<std::byte> image_;  // the archive's bytes; libzip reads them in place
  std::unique_ptr<::zip, Discard> archive_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint64_t> index_;
  mutable std::mutex mutex_;
};

}  // namespace strata::detail
